import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../../test/support/databases.ts';
import { tablesOf } from '../../../platform/db/index.ts';
import { importMarc } from '../import.ts';
import { toBibRecord, type MarcRecord } from '../marc/index.ts';
import { CatalogRepository, type CatalogTables } from '../repository.ts';
import { catalogAnalyzer } from '../search/analyzer.ts';
import { CatalogIndex } from '../search/engine.ts';
import { CatalogService } from '../service.ts';
import { HarvestError } from './errors.ts';
import { harvestOai, type HarvestOptions } from './harvest.ts';
import { HarvestRepository, type HarvestTables } from './repository.ts';
import {
  demoMarcRecords,
  oaiMetadata,
  retitled,
  startOaiServer,
  type OaiTestRecord,
  type RunningOaiServer,
} from './testing.ts';

const DEMO = fileURLToPath(new URL('../demo/demo-library.mrc', import.meta.url));
const silent = pino({ level: 'silent' });
const clock = { now: () => Date.now() };
/** Quick retries: the tests are about what happens, not about waiting. */
const http = { retryDelaysMs: [10, 20], timeoutMs: 5000 };

function controlNumber(record: MarcRecord): string {
  return toBibRecord(record).controlNumber;
}

/** OAI records for MARC records: identifiers unrelated to control numbers, both namespace styles. */
function asOai(records: readonly MarcRecord[], datestamp: string, first = 0): OaiTestRecord[] {
  return records.map((record, i) => ({
    identifier: `oai:library.example.edu:${first + i + 1}`,
    datestamp,
    sets: [i % 2 === 0 ? 'books' : 'other'],
    metadata: oaiMetadata(record, { prefixed: i % 2 === 0 }),
  }));
}

interface Catalogue {
  readonly tdb: TestDatabase;
  readonly repository: CatalogRepository;
  readonly catalog: CatalogService;
  readonly harvests: HarvestRepository;
  harvest(options: Omit<HarvestOptions, 'url'> & { url?: string }): ReturnType<typeof harvestOai>;
}

/** Everything stored, by control number, without the times of writing. */
async function snapshot(repository: CatalogRepository): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for await (const page of repository.all()) {
    for (const stored of page) {
      const full = await repository.get(stored.id);
      out.set(stored.record.controlNumber, {
        record: stored.record,
        items: stored.items,
        marc: full?.marc,
      });
    }
  }
  return out;
}

describe.each(dialects)('OAI-PMH harvesting on %s', (dialect) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function catalogue(server?: RunningOaiServer): Promise<Catalogue> {
    const tdb = await createTestDatabase(dialect);
    cleanups.push(() => tdb.cleanup());
    const repository = new CatalogRepository(
      tablesOf<CatalogTables>(tdb.database.db),
      tdb.database.sqlite,
    );
    const catalog = new CatalogService({
      repository,
      index: new CatalogIndex(catalogAnalyzer),
      logger: silent,
      clock,
    });
    await catalog.load();
    const harvests = new HarvestRepository(tablesOf<HarvestTables>(tdb.database.db));
    return {
      tdb,
      repository,
      catalog,
      harvests,
      harvest: (options) =>
        harvestOai(
          { catalog, harvests, clock },
          { url: options.url ?? server!.url, http, ...options },
        ),
    };
  }

  async function oaiServer(...args: Parameters<typeof startOaiServer>): Promise<RunningOaiServer> {
    const server = await startOaiServer(...args);
    cleanups.push(() => server.close());
    return server;
  }

  it('harvests exactly what the file import stores, across pages, waiting out a 503', async () => {
    const records = await demoMarcRecords();
    expect(records.length).toBe(400);
    const server = await oaiServer({
      records: asOai(records, '2024-05-01T08:00:00Z'),
      pageSize: 50,
      responseDate: '2024-05-02T00:00:00Z',
    });
    server.busyOnce(1, (q) => q.has('resumptionToken'));

    const fromFile = await catalogue();
    const imported = await importMarc(createReadStream(DEMO), fromFile.catalog);
    const harvested = await catalogue(server);
    const retries: Array<{ reason: string; waitMs: number }> = [];
    const pages: number[] = [];
    const summary = await harvested.harvest({
      onRetry: (r) => retries.push(r),
      onProgress: (p) => pages.push(p.pages),
    });

    expect(summary).toMatchObject({
      prefix: 'marc21',
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
      from: null,
      pages: 8,
      read: 400,
      created: imported.created,
      updated: 0,
      deleted: 0,
      failed: imported.failed,
      completeListSize: 400,
      nextFrom: '2024-05-02T00:00:00Z',
    });
    expect(pages).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Retry-After: 1 was honoured instead of the 10 ms backoff.
    expect(retries).toEqual([{ reason: 'HTTP 503', waitMs: 1000 }]);
    expect(await snapshot(harvested.repository)).toEqual(await snapshot(fromFile.repository));
    expect(harvested.catalog.size).toBe(imported.created);
    expect(
      await harvested.harvests.get({ baseUrl: server.url, set: '', prefix: 'marc21' }),
    ).toMatchObject({
      responseDate: '2024-05-02T00:00:00Z',
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
      earliestDatestamp: '2000-01-01T00:00:00Z',
      records: imported.created,
      deletions: 0,
      error: null,
    });
  });

  it('harvests incrementally from the last responseDate: changes, additions and deletions only', async () => {
    const records = (await demoMarcRecords()).slice(0, 31);
    const server = await oaiServer({
      records: asOai(records.slice(0, 30), '2024-05-01T08:00:00Z'),
      pageSize: 10,
      responseDate: '2024-05-02T00:00:00Z',
    });
    const c = await catalogue(server);
    // Later pages carry later responseDates; the point saved is the first page's.
    const first = await c.harvest({
      onProgress: () => (server.responseDate = '2024-05-02T00:00:30Z'),
    });
    expect(first).toMatchObject({ created: 30, pages: 3, nextFrom: '2024-05-02T00:00:00Z' });
    const gone = controlNumber(records[6]!);
    expect(await c.catalog.count()).toBe(30);

    // In the ILS: one record retitled, one deleted, one added; a deletion of a record
    // this catalogue never had; all after the first harvest's responseDate.
    server.records[4] = {
      ...server.records[4]!,
      datestamp: '2024-05-03T09:00:00Z',
      metadata: oaiMetadata(retitled(records[4]!, 'Harvested anew')),
    };
    server.records[6] = {
      identifier: server.records[6]!.identifier,
      datestamp: '2024-05-03T09:00:00Z',
      deleted: true,
    };
    server.records.push(...asOai([records[30]!], '2024-05-03T10:00:00Z', 30), {
      identifier: 'oai:library.example.edu:never-seen',
      datestamp: '2024-05-03T11:00:00Z',
      deleted: true,
    });
    server.responseDate = '2024-05-04T00:00:00Z';
    const before = server.requests.length;

    const second = await c.harvest({});
    const asked = server.requests.slice(before).find((q) => q.get('verb') === 'ListRecords');
    expect(asked?.get('from')).toBe('2024-05-02T00:00:00Z');
    expect(second).toMatchObject({
      from: '2024-05-02T00:00:00Z',
      read: 4,
      created: 1,
      updated: 1,
      deleted: 1,
      ignoredDeletions: 1,
      failed: 0,
      nextFrom: '2024-05-04T00:00:00Z',
    });
    expect(await c.catalog.count()).toBe(30);
    expect((await c.catalog.search({ q: 'Harvested anew' })).hits[0]?.controlNumber).toBe(
      controlNumber(records[4]!),
    );
    const stored = await snapshot(c.repository);
    expect(stored.has(gone)).toBe(false);
    expect(stored.has(controlNumber(records[30]!))).toBe(true);
    expect(c.catalog.size).toBe(30);

    // Nothing changed since: noRecordsMatch is an empty harvest, and the point still moves.
    server.responseDate = '2024-05-05T00:00:00Z';
    const third = await c.harvest({});
    expect(third).toMatchObject({
      read: 0,
      pages: 1,
      created: 0,
      nextFrom: '2024-05-05T00:00:00Z',
    });

    // --full ignores the saved point; --from overrides it.
    const full = await c.harvest({ full: true });
    expect(full).toMatchObject({ from: null, read: 32, updated: 30, created: 0 });
    const from = await c.harvest({ from: '2024-05-03T10:00:00Z' });
    expect(from).toMatchObject({ read: 2, updated: 1 });
    expect(server.requests.at(-1)?.get('verb')).toBe('ListRecords');
  });

  it('asks a day-granular server by day and harvests one set', async () => {
    const records = (await demoMarcRecords()).slice(0, 12);
    const server = await oaiServer({
      records: asOai(records, '2024-05-01T08:00:00Z'),
      granularity: 'YYYY-MM-DD',
      pageSize: 4,
      responseDate: '2024-05-02T13:14:15Z',
    });
    const c = await catalogue(server);
    expect(await c.harvest({ set: 'books' })).toMatchObject({ created: 6, set: 'books' });
    const second = await c.harvest({ set: 'books' });
    const lists = server.requests.filter(
      (q) => q.get('verb') === 'ListRecords' && !q.has('resumptionToken'),
    );
    expect(lists.at(-1)?.get('from')).toBe('2024-05-02');
    expect(lists.at(-1)?.get('set')).toBe('books');
    expect(second).toMatchObject({ from: '2024-05-02', read: 0 });
    // The whole repository is a source of its own, harvested from the beginning.
    expect(await c.harvest({})).toMatchObject({ from: null, created: 6, updated: 6 });
  });

  it('keeps what landed when the server dies mid-way, and the next run starts from the old point', async () => {
    const records = (await demoMarcRecords()).slice(0, 40);
    const server = await oaiServer({
      records: asOai(records.slice(0, 10), '2024-05-01T08:00:00Z'),
      pageSize: 10,
      responseDate: '2024-05-02T00:00:00Z',
    });
    const c = await catalogue(server);
    await c.harvest({});
    const source = { baseUrl: server.url, set: '', prefix: 'marc21' };

    server.records.push(...asOai(records.slice(10), '2024-05-03T08:00:00Z', 10));
    server.responseDate = '2024-05-04T00:00:00Z';
    server.dieAfter(2);
    const error = await c.harvest({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HarvestError);
    expect((error as HarvestError).code).toBe('UNREACHABLE');
    expect((error as HarvestError).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/oai/);
    // Two pages of the second harvest landed, nothing of the third.
    expect(await c.catalog.count()).toBe(30);
    expect(c.catalog.size).toBe(30);
    const state = await c.harvests.get(source);
    expect(state).toMatchObject({ responseDate: '2024-05-02T00:00:00Z', records: 10 });
    expect(state?.error).toMatch(/cannot reach/);

    server.revive();
    const before = server.requests.length;
    const again = await c.harvest({});
    expect(
      server.requests
        .slice(before)
        .find((q) => q.get('verb') === 'ListRecords')
        ?.get('from'),
    ).toBe('2024-05-02T00:00:00Z');
    expect(again).toMatchObject({
      read: 30,
      created: 10,
      updated: 20,
      nextFrom: '2024-05-04T00:00:00Z',
    });
    expect(await c.catalog.count()).toBe(40);
    expect((await c.harvests.get(source))?.error).toBeNull();
  });

  it('reports a broken record with its position and reason, and lands the rest of its page', async () => {
    const records = (await demoMarcRecords()).slice(0, 6);
    const oai = asOai(records, '2024-05-01T08:00:00Z');
    oai[1] = {
      ...oai[1]!,
      metadata: oai[1]!.metadata!.replace('</subfield>', ' &nbsp;</subfield>'),
    };
    oai[3] = {
      ...oai[3]!,
      metadata: oaiMetadata({
        leader: records[3]!.leader,
        fields: records[3]!.fields.filter((f) => f.tag !== '245' && f.tag !== '200'),
      }),
    };
    const server = await oaiServer({
      records: oai,
      pageSize: 10,
      responseDate: '2024-05-02T00:00:00Z',
    });
    const c = await catalogue(server);
    const summary = await c.harvest({});
    expect(summary).toMatchObject({ read: 6, created: 4, failed: 2 });
    expect(summary.problems).toEqual([
      {
        position: 2,
        identifier: 'oai:library.example.edu:2',
        code: 'BAD_XML',
        message: 'undefined entity &nbsp;',
      },
      {
        position: 4,
        identifier: 'oai:library.example.edu:4',
        code: 'NO_TITLE',
        message: 'the record has no title',
      },
    ]);
    expect(await c.catalog.count()).toBe(4);
    // A broken record does not hold the harvest back.
    expect(summary.nextFrom).toBe('2024-05-02T00:00:00Z');
  });

  it('stops on an OAI-PMH error with a clear message, keeping the saved point', async () => {
    const records = (await demoMarcRecords()).slice(0, 20);
    const server = await oaiServer({
      records: asOai(records, '2024-05-01T08:00:00Z'),
      pageSize: 10,
      responseDate: '2024-05-02T00:00:00Z',
    });
    const c = await catalogue(server);
    server.failOnce('badResumptionToken', 'Token expired', (q) => q.has('resumptionToken'));
    const error = (await c.harvest({}).catch((e: unknown) => e)) as HarvestError;
    expect(error).toBeInstanceOf(HarvestError);
    expect(error).toMatchObject({ code: 'OAI_ERROR', oaiCode: 'badResumptionToken' });
    expect(error.message).toMatch(
      /^OAI-PMH error badResumptionToken: .*run the harvest again .*Token expired/,
    );
    expect(await c.catalog.count()).toBe(10);
    expect(await c.harvests.get({ baseUrl: server.url, set: '', prefix: 'marc21' })).toMatchObject({
      responseDate: null,
    });

    const wrongFormat = (await c
      .harvest({ prefix: 'mods' })
      .catch((e: unknown) => e)) as HarvestError;
    expect(wrongFormat).toMatchObject({ code: 'OAI_ERROR', oaiCode: 'cannotDisseminateFormat' });
    expect(wrongFormat.message).toMatch(/choose another --prefix/);

    const dublinCoreOnly = await oaiServer({
      formats: [{ prefix: 'oai_dc', namespace: 'http://www.openarchives.org/OAI/2.0/oai_dc/' }],
    });
    await expect(c.harvest({ url: dublinCoreOnly.url })).rejects.toMatchObject({
      code: 'NO_MARC_FORMAT',
      message: expect.stringMatching(/offers no MARCXML format \(it offers oai_dc\)/) as unknown,
    });
  });

  it('lets another process’s index drop the records a harvest deleted', async () => {
    const records = (await demoMarcRecords()).slice(0, 5);
    const server = await oaiServer({
      records: asOai(records, '2024-05-01T08:00:00Z'),
      responseDate: '2024-05-02T00:00:00Z',
    });
    const c = await catalogue(server);
    // A server process on the same database, loaded before the harvest.
    const reader = new CatalogService({
      repository: new CatalogRepository(tablesOf<CatalogTables>(c.tdb.database.db)),
      index: new CatalogIndex(catalogAnalyzer),
      logger: silent,
      clock,
    });
    await reader.load();
    await c.harvest({});
    expect(await reader.refresh()).toBe(5);
    expect(reader.size).toBe(5);

    server.records[0] = {
      identifier: server.records[0]!.identifier,
      datestamp: '2024-05-03T00:00:00Z',
      deleted: true,
    };
    server.records[1] = {
      identifier: server.records[1]!.identifier,
      datestamp: '2024-05-03T00:00:00Z',
      deleted: true,
    };
    server.responseDate = '2024-05-04T00:00:00Z';
    expect(await c.harvest({})).toMatchObject({ deleted: 2 });
    expect(c.catalog.size).toBe(3);
    await reader.refresh();
    expect(reader.size).toBe(3);
    const title = toBibRecord(records[0]!).title;
    expect(
      (await reader.search({ q: `"${title}"` })).hits.map((h) => h.controlNumber),
    ).not.toContain(controlNumber(records[0]!));

    // A server started after the deletion does not replay old ones.
    const late = new CatalogService({
      repository: new CatalogRepository(tablesOf<CatalogTables>(c.tdb.database.db)),
      index: new CatalogIndex(catalogAnalyzer),
      logger: silent,
      clock,
    });
    await late.load();
    expect(late.size).toBe(3);
    expect(await late.refresh()).toBe(0);
    expect(late.size).toBe(3);
  });
});
