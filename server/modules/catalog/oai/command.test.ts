/**
 * `shulin import oai` as users run it: `node bin/shulin.js …` in a child process,
 * against the OAI-PMH server on loopback.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runShulin } from '../../../../test/support/cli.ts';
import { readMarc, toBibRecord, type MarcRecord } from '../marc/index.ts';
import type { HarvestSummary } from './harvest.ts';
import { oaiMetadata, startOaiServer } from './testing.ts';

const DEMO = resolve(import.meta.dirname, '../demo/cnmarc-classics.mrc');
const dir = mkdtempSync(join(tmpdir(), 'shulin-oai-cli-'));
const shulin = (args: string[], env: Record<string, string>) => runShulin(args, dir, env);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('shulin import oai', () => {
  it('harvests, harvests again from where it stopped, and fails with one line', async () => {
    const records: MarcRecord[] = [];
    for await (const r of readMarc(createReadStream(DEMO))) if (r.ok) records.push(r.record);
    expect(records.length).toBe(12);
    const server = await startOaiServer({
      records: records.map((record, i) => ({
        identifier: `oai:classics:${i}`,
        datestamp: '2024-05-01T08:00:00Z',
        metadata: oaiMetadata(record, { prefixed: true }),
      })),
      pageSize: 5,
      responseDate: '2024-05-02T00:00:00Z',
    });
    const env = { DATABASE_URL: `sqlite:${join(dir, 'oai.db')}` };
    try {
      const first = await shulin(['import', 'oai', server.url, '--json'], env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout) as HarvestSummary).toMatchObject({
        url: server.url,
        prefix: 'marc21',
        pages: 3,
        read: 12,
        created: 12,
        failed: 0,
        nextFrom: '2024-05-02T00:00:00Z',
      });
      const title = toBibRecord(records[0]!).title;
      const found = await shulin(['search', title, '--json'], env);
      expect((JSON.parse(found.stdout) as { hits: Array<{ title: string }> }).hits[0]?.title).toBe(
        title,
      );

      server.records[1] = {
        identifier: 'oai:classics:1',
        datestamp: '2024-05-03T08:00:00Z',
        deleted: true,
      };
      server.responseDate = '2024-05-04T00:00:00Z';
      const second = await shulin(['import', 'oai', server.url], env);
      expect(second.code).toBe(0);
      expect(second.stdout.startsWith(`${server.url} [marc21] (from 2024-05-02T00:00:00Z): `)).toBe(
        true,
      );
      expect(second.stdout).toMatch(
        /: 0 new, 0 updated, 1 deleted, 0 skipped of 1 records in 1 pages, [\d.]+ s; the next harvest starts from 2024-05-04T00:00:00Z\n$/,
      );
      expect(server.requests.at(-1)?.get('from')).toBe('2024-05-02T00:00:00Z');

      const refused = await shulin(['import', 'oai', server.url, '--prefix', 'mods'], env);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        /^shulin import oai: OAI-PMH error cannotDisseminateFormat: .*choose another --prefix.* — ListRecords at http:\/\/127\.0\.0\.1:\d+\/oai\n$/,
      );

      const bad = await shulin(['import', 'oai', server.url, '--from', 'yesterday'], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe('--from must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not yesterday\n');
    } finally {
      await server.close();
    }
  });
});
