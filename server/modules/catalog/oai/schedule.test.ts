import { setTimeout as sleep } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../../test/support/databases.ts';
import { buildApp, type AppOverrides, type ShulinApp } from '../../../app.ts';
import { loadConfig } from '../../../platform/config.ts';
import { openDatabase, tablesOf } from '../../../platform/db/index.ts';
import { createMetrics } from '../../../platform/metrics.ts';
import { toBibRecord, type MarcRecord } from '../marc/index.ts';
import { HarvestRepository, type HarvestTables } from './repository.ts';
import type { OaiHarvestStatus } from './schedule.ts';
import {
  demoMarcRecords,
  oaiMetadata,
  retitled,
  startOaiServer,
  type OaiTestRecord,
  type RunningOaiServer,
} from './testing.ts';

/** Quick retries: the tests are about what happens, not about waiting. */
const quickRetries = { retryDelaysMs: [10, 20], timeoutMs: 5000 };
const HOUR = 3_600_000;

/** The first `count` demo records that map to a catalogue record. */
async function demoRecords(count: number): Promise<MarcRecord[]> {
  const mappable = (r: MarcRecord) => {
    const bib = toBibRecord(r);
    return Boolean(bib.title && bib.controlNumber);
  };
  return (await demoMarcRecords()).filter(mappable).slice(0, count);
}

function asOai(records: readonly MarcRecord[], datestamp: string, first = 0): OaiTestRecord[] {
  return records.map((record, i) => ({
    identifier: `oai:library.example.edu:${first + i + 1}`,
    datestamp,
    metadata: oaiMetadata(record, { prefixed: i % 2 === 0 }),
  }));
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines };
}

/** The "OAI harvest done" lines: one per completed harvest. */
const harvests = (lines: readonly LogLine[]) => lines.filter((l) => l.msg === 'OAI harvest done');

/** A fetch that holds each request back for `ms` (honouring the abort signal). */
function slowFetch(ms: number, when: (url: string) => boolean = () => true): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    if (when(url)) await sleep(ms, undefined, { signal: init?.signal ?? undefined });
    return fetch(input, init);
  };
}

/** The harvest requests that began a listing (not its continuation pages). */
const listings = (oai: RunningOaiServer) =>
  oai.requests.filter((q) => q.get('verb') === 'ListRecords' && !q.has('resumptionToken'));

describe.each(dialects)('the scheduled OAI-PMH harvest on %s', (dialect) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function oaiServer(records: OaiTestRecord[]): Promise<RunningOaiServer> {
    const server = await startOaiServer({
      records,
      pageSize: 10,
      responseDate: '2024-05-02T00:00:00Z',
    });
    cleanups.push(() => server.close());
    return server;
  }

  async function testDatabase(): Promise<TestDatabase> {
    const tdb = await createTestDatabase(dialect);
    cleanups.push(() => tdb.cleanup());
    return tdb;
  }

  /** An app on `database` that harvests `oai`, built but not started. */
  async function harvestingApp(
    database: TestDatabase['database'],
    oai: RunningOaiServer | undefined,
    logger: Logger,
    overrides: AppOverrides['oaiHarvest'],
  ): Promise<ShulinApp> {
    const shulin = await buildApp(
      loadConfig({
        SHULIN_DEMO: 'off',
        ...(oai ? { OAI_HARVEST_URL: oai.url } : {}),
      }),
      {
        logger,
        metrics: createMetrics({ defaultMetrics: false }),
        database,
        catalogRefreshMs: 0,
        holdExpiryMs: 0,
        oaiHarvest: overrides,
      },
    );
    cleanups.push(() => shulin.close());
    return shulin;
  }

  async function health(shulin: ShulinApp): Promise<{
    status: number;
    body: { status: string; checks: { oaiHarvest?: OaiHarvestStatus; ils: unknown } };
  }> {
    const res = await shulin.app.request('/healthz');
    return { status: res.status, body: (await res.json()) as never };
  }

  it('harvests the configured repository a little after start-up, and /healthz tells', async () => {
    const records = await demoRecords(25);
    const oai = await oaiServer(asOai(records, '2024-05-01T08:00:00Z'));
    const tdb = await testDatabase();
    const { logger, lines } = capturingLogger();
    const shulin = await harvestingApp(tdb.database, oai, logger, {
      initialDelayMs: 1000,
      intervalMs: HOUR,
    });

    await shulin.start();
    const before = (await health(shulin)).body.checks.oaiHarvest;
    expect(before).toMatchObject({ ok: true, url: oai.url, lastRunAt: null, error: null });
    expect(Date.parse(before!.nextRunAt!)).toBeGreaterThan(Date.now());
    // No CLI, no request: the server harvests by itself.
    await waitFor(() => harvests(lines).length === 1, 'the first harvest');

    expect(shulin.services.catalog.size).toBe(25);
    expect(await shulin.services.catalog.count()).toBe(25);
    const { status, body } = await health(shulin);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks.oaiHarvest).toEqual({
      ok: true,
      url: oai.url,
      running: false,
      lastRunAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/),
      seconds: expect.any(Number),
      created: 25,
      updated: 0,
      deleted: 0,
      failed: 0,
      error: null,
      skippedAt: null,
      // The next round is an interval after this one.
      nextRunAt: expect.any(String),
    });
    expect(Date.parse(body.checks.oaiHarvest!.nextRunAt!)).toBeGreaterThan(Date.now() + HOUR / 2);
    expect(body.checks.ils).toMatchObject({ ok: true, connector: 'embedded' });
    expect(harvests(lines)[0]).toMatchObject({
      url: oai.url,
      prefix: 'marc21',
      from: null,
      created: 25,
      nextFrom: '2024-05-02T00:00:00Z',
    });
    // The saved point is the CLI's: `shulin import oai` would go on from here.
    const state = await new HarvestRepository(tablesOf<HarvestTables>(tdb.database.db)).get({
      baseUrl: oai.url,
      set: '',
      prefix: 'marc21',
    });
    expect(state).toMatchObject({ responseDate: '2024-05-02T00:00:00Z', records: 25, error: null });
  });

  it('shows no harvest on /healthz when none is configured', async () => {
    const tdb = await testDatabase();
    const shulin = await harvestingApp(tdb.database, undefined, pino({ level: 'silent' }), {
      initialDelayMs: 0,
    });
    await shulin.start();
    expect((await health(shulin)).body.checks).not.toHaveProperty('oaiHarvest');
  });

  it('asks each round only for what changed since the last, and applies it', async () => {
    const records = await demoRecords(21);
    const oai = await oaiServer(asOai(records.slice(0, 20), '2024-05-01T08:00:00Z'));
    const tdb = await testDatabase();
    const { logger, lines } = capturingLogger();
    const shulin = await harvestingApp(tdb.database, oai, logger, {
      initialDelayMs: 0,
      intervalMs: 150,
    });
    await shulin.start();
    await waitFor(() => harvests(lines).length >= 2, 'two rounds');

    // In the ILS, all in one go: one record retitled, one deleted, one added.
    oai.records = [
      ...oai.records.map((r, i) =>
        i === 3
          ? {
              ...r,
              datestamp: '2024-05-03T09:00:00Z',
              metadata: oaiMetadata(retitled(records[3]!, 'Harvested anew')),
            }
          : i === 5
            ? { ...r, datestamp: '2024-05-03T09:00:00Z', deleted: true }
            : r,
      ),
      ...asOai(records.slice(20), '2024-05-03T09:00:00Z', 20),
    ];
    oai.responseDate = '2024-05-04T00:00:00Z';
    await waitFor(
      () => harvests(lines).some((l) => l.from === '2024-05-04T00:00:00Z'),
      'a round after the change',
    );

    const rounds = harvests(lines);
    expect(rounds[0]).toMatchObject({ from: null, read: 20, created: 20 });
    const changed = rounds.filter((l) => l.read !== 0);
    // Only the first round and the one after the change read anything at all.
    expect(changed).toHaveLength(2);
    expect(changed[1]).toMatchObject({
      from: '2024-05-02T00:00:00Z',
      read: 3,
      created: 1,
      updated: 1,
      deleted: 1,
      failed: 0,
      nextFrom: '2024-05-04T00:00:00Z',
    });
    for (const round of rounds.slice(1)) {
      expect(['2024-05-02T00:00:00Z', '2024-05-04T00:00:00Z']).toContain(round.from);
    }
    expect(
      listings(oai)
        .slice(1)
        .every((q) => q.has('from')),
    ).toBe(true);
    expect(await shulin.services.catalog.count()).toBe(20);
    const found = await shulin.services.catalog.search({ q: 'Harvested anew', limit: 5 });
    expect(found.hits.map((h) => h.title)).toContain('Harvested anew');
  });

  it('logs a dead repository with its reason, keeps serving, and recovers at the next round', async () => {
    const records = await demoRecords(12);
    const oai = await oaiServer(asOai(records, '2024-05-01T08:00:00Z'));
    const tdb = await testDatabase();
    const { logger, lines } = capturingLogger();
    const shulin = await harvestingApp(tdb.database, oai, logger, {
      initialDelayMs: 0,
      intervalMs: 150,
      http: quickRetries,
    });
    await shulin.start();
    await waitFor(() => harvests(lines).length >= 1, 'the first harvest');

    // The repository dies half-way through its next answer, and stays dead.
    oai.dieAfter(0);
    oai.records[2] = {
      ...oai.records[2]!,
      datestamp: '2024-05-03T09:00:00Z',
      metadata: oaiMetadata(retitled(records[2]!, 'After the outage')),
    };
    oai.responseDate = '2024-05-04T00:00:00Z';
    const failures = () => lines.filter((l) => l.msg.startsWith('OAI harvest failed'));
    await waitFor(() => failures().length >= 2, 'two failed rounds');

    expect(failures()[0]).toMatchObject({
      level: 40,
      url: oai.url,
      code: 'UNREACHABLE',
      msg: expect.stringMatching(
        /^OAI harvest failed: cannot reach http:\/\/127\.0\.0\.1:\d+\/oai/,
      ),
    });
    const down = await health(shulin);
    // The catalogue is as it was: the service is not degraded.
    expect(down.status).toBe(200);
    expect(down.body.status).toBe('ok');
    expect(down.body.checks.oaiHarvest).toMatchObject({
      ok: false,
      error: expect.stringContaining('cannot reach'),
    });
    expect(await shulin.services.catalog.count()).toBe(12);

    oai.revive();
    await waitFor(() => harvests(lines).length >= 2, 'a harvest after the outage');
    // It starts from the point the last completed harvest saved.
    expect(harvests(lines)[1]).toMatchObject({
      from: '2024-05-02T00:00:00Z',
      read: 1,
      updated: 1,
    });
    expect((await health(shulin)).body.checks.oaiHarvest).toMatchObject({
      ok: true,
      error: null,
      updated: 1,
    });
    const found = await shulin.services.catalog.search({ q: 'After the outage', limit: 5 });
    expect(found.hits.map((h) => h.title)).toContain('After the outage');
  });

  it('logs an answer that is not OAI-PMH and harvests once the repository is right again', async () => {
    const records = await demoRecords(5);
    const oai = await oaiServer(asOai(records, '2024-05-01T08:00:00Z'));
    const tdb = await testDatabase();
    const { logger, lines } = capturingLogger();
    let broken = true;
    const shulin = await harvestingApp(tdb.database, oai, logger, {
      initialDelayMs: 0,
      intervalMs: 150,
      http: {
        ...quickRetries,
        // A proxy's error page where the repository should be.
        fetch: (input, init) =>
          broken
            ? Promise.resolve(new Response('<html><body>Bad gateway</body></html>'))
            : fetch(input, init),
      },
    });
    await shulin.start();
    await waitFor(
      () => lines.some((l) => l.msg.startsWith('OAI harvest failed')),
      'a failed round',
    );
    expect(lines.find((l) => l.msg.startsWith('OAI harvest failed'))).toMatchObject({
      level: 40,
      code: 'BAD_RESPONSE',
    });
    expect((await health(shulin)).body.checks.oaiHarvest).toMatchObject({ ok: false });

    broken = false;
    await waitFor(() => harvests(lines).length >= 1, 'a harvest');
    expect(harvests(lines)[0]).toMatchObject({ from: null, created: 5 });
    expect(await shulin.services.catalog.count()).toBe(5);
  });

  it('stops a running harvest on close at its next request, leaving the saved point', async () => {
    const records = await demoRecords(5);
    const oai = await oaiServer(asOai(records, '2024-05-01T08:00:00Z'));
    const tdb = await testDatabase();
    const { logger, lines } = capturingLogger();
    const shulin = await harvestingApp(tdb.database, oai, logger, {
      initialDelayMs: 0,
      intervalMs: HOUR,
      // The listing takes a minute to come.
      http: { ...quickRetries, fetch: slowFetch(60_000, (url) => url.includes('ListRecords')) },
    });
    await shulin.start();
    await waitFor(
      async () => (await health(shulin)).body.checks.oaiHarvest?.running === true,
      'a running harvest',
    );
    // Identify and ListMetadataFormats answered, the source recorded: the listing is on its way.
    const sources = new HarvestRepository(tablesOf<HarvestTables>(tdb.database.db));
    await waitFor(async () => (await sources.list()).length === 1, 'the harvest at its listing');

    const started = performance.now();
    await shulin.close();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(lines.some((l) => l.msg.startsWith('OAI harvest stopped'))).toBe(true);
    expect(lines.some((l) => l.msg.startsWith('OAI harvest failed'))).toBe(false);
    expect(listings(oai)).toHaveLength(0);
    const [state] = await sources.list();
    expect(state).toMatchObject({ responseDate: null, error: expect.stringContaining('closing') });
  });

  it('stops a harvest waiting out a busy repository on close, without waiting for the pause', async () => {
    const records = await demoRecords(5);
    const oai = await oaiServer(asOai(records, '2024-05-01T08:00:00Z'));
    // The listing is answered 503 with a Retry-After of two minutes.
    oai.busyOnce(120, (q) => q.get('verb') === 'ListRecords');
    const tdb = await testDatabase();
    const { logger, lines } = capturingLogger();
    const shulin = await harvestingApp(tdb.database, oai, logger, {
      initialDelayMs: 0,
      intervalMs: HOUR,
      http: quickRetries,
    });
    await shulin.start();
    await waitFor(
      () => lines.some((l) => l.msg.startsWith('OAI harvest request failed; retrying')),
      'a pause before a retry',
    );

    const started = performance.now();
    await shulin.close();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(lines.some((l) => l.msg.startsWith('OAI harvest stopped'))).toBe(true);
    expect(lines.some((l) => l.msg.startsWith('OAI harvest failed'))).toBe(false);
    expect(await shulin.services.catalog.count()).toBe(0);
  });

  // Only PostgreSQL has several instances on one database (SQLite is one process).
  if (dialect === 'postgres')
    it('lets one of two instances on one database harvest a round; the other skips it', async () => {
      const records = await demoRecords(10);
      const oai = await oaiServer(asOai(records, '2024-05-01T08:00:00Z'));
      const tdb = await testDatabase();
      // A second instance: a database handle of its own on the same database.
      const other = openDatabase(tdb.url, { searchPath: tdb.searchPath!, poolSize: 3 });
      cleanups.push(() => other.close());
      // Each request takes a while, so the two rounds surely meet.
      const timing = {
        initialDelayMs: 0,
        intervalMs: HOUR,
        http: { ...quickRetries, fetch: slowFetch(150) },
      };
      const a = capturingLogger();
      const b = capturingLogger();
      const apps = [
        await harvestingApp(tdb.database, oai, a.logger, timing),
        await harvestingApp(other, oai, b.logger, timing),
      ];
      await Promise.all(apps.map((app) => app.start()));

      const statuses = async () =>
        Promise.all(apps.map(async (app) => (await health(app)).body.checks.oaiHarvest!));
      await waitFor(
        async () =>
          (await statuses()).every(
            (s) => (s.lastRunAt !== null && !s.running) || s.skippedAt !== null,
          ),
        'both rounds',
      );

      const [first, second] = await statuses();
      const harvested = [first!, second!].filter((s) => s.lastRunAt !== null);
      const skipped = [first!, second!].filter((s) => s.skippedAt !== null);
      expect(harvested).toHaveLength(1);
      expect(skipped).toHaveLength(1);
      expect(harvested[0]).toMatchObject({ ok: true, created: 10, skippedAt: null });
      expect(skipped[0]).toMatchObject({ ok: true, lastRunAt: null, created: 0 });
      expect(
        [...a.lines, ...b.lines].filter((l) => l.msg.includes('another instance is harvesting')),
      ).toHaveLength(1);
      // The repository saw one harvest.
      expect(oai.requests.filter((q) => q.get('verb') === 'Identify')).toHaveLength(1);
      expect(listings(oai)).toHaveLength(1);
      expect(await apps[0]!.services.catalog.count()).toBe(10);
    });
});
