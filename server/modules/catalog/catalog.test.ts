import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { dialects } from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { seedDemoCatalogue } from './demo.ts';
import { importMarc } from './import.ts';
import { CN_BOOKS, cnmarcFile, concat, gbkCountedInCharacters } from './marc/fixtures/cnmarc.ts';
import { isControlField, readMarc } from './marc/index.ts';
import { fixture } from './marc/testing.ts';
import { CatalogRepository, type CatalogTables } from './repository.ts';
import { catalogAnalyzer } from './search/analyzer.ts';
import { CatalogIndex } from './search/engine.ts';
import { CatalogService } from './service.ts';

async function* bytes(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

/** The catalogue with writes slowed down, so that a worker import gets far ahead of them. */
function slowWrites(catalog: CatalogService): CatalogService {
  return {
    indexing: catalog.indexing,
    settle: () => catalog.settle(),
    saveBatch: async (...args: Parameters<CatalogService['saveBatch']>) => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      return catalog.saveBatch(...args);
    },
  } as unknown as CatalogService;
}

/** The same bytes in pieces of `size`: many chunks, arriving while batches are written. */
async function* inPieces(
  input: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  for await (const part of input)
    for (let at = 0; at < part.length; at += size) yield part.subarray(at, at + size);
}

interface SearchBody {
  total: number;
  hits: Array<{
    id: number;
    title: string;
    authors: string[];
    year: number | null;
    isbns: string[];
    items: { total: number; available: number };
  }>;
  facets: Record<string, Array<{ value: string; count: number }>>;
  suggestion: string | null;
  page: number;
  pageSize: number;
}

describe.each(dialects)('the catalogue on %s', (dialect) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function search(q: string, extra = ''): Promise<SearchBody> {
    const res = await app!.request(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`);
    expect(res.status).toBe(200);
    return (await res.json()) as SearchBody;
  }

  it('imports CNMARC (UTF-8 and GBK) and MARC 21, then finds records in Chinese, pinyin and English', async () => {
    app = await startTestApp({ dialect });
    const { catalog } = app.shulin.services;
    const cn = await importMarc(bytes(cnmarcFile('utf-8')), catalog);
    expect(cn).toMatchObject({ read: CN_BOOKS.length, created: CN_BOOKS.length, failed: 0 });
    const loc = await importMarc(bytes(fixture('loc-sample-marc.mrc')), catalog);
    expect(loc.created).toBeGreaterThanOrEqual(20);

    const hong = await search('红楼梦');
    expect(hong.hits[0]?.title).toBe('红楼梦');
    expect(hong.hits[0]?.authors).toContain('曹雪芹');
    expect((await search('紅樓夢')).hits[0]?.title).toBe('红楼梦');
    expect((await search('hlm')).hits.map((h) => h.title)).toContain('红楼梦');
    expect((await search('三体')).hits[0]).toMatchObject({
      title: '三体',
      items: { total: expect.any(Number) },
    });
    const computer = await search('computer');
    expect(computer.total).toBeGreaterThan(0);
    expect(computer.facets.language?.some((f) => f.value === 'eng')).toBe(true);
    const chineseOnly = await search('', '&language=chi');
    expect(chineseOnly.total).toBe(CN_BOOKS.length);
  });

  it('imports the same titles from GBK, and a re-import updates instead of duplicating', async () => {
    app = await startTestApp({ dialect });
    const { catalog } = app.shulin.services;
    const first = await importMarc(bytes(cnmarcFile('gbk')), catalog);
    expect(first).toMatchObject({ created: CN_BOOKS.length, failed: 0 });
    const again = await importMarc(bytes(cnmarcFile('utf-8')), catalog);
    expect(again).toMatchObject({ created: 0, updated: CN_BOOKS.length });
    expect((await search('平凡的世界')).total).toBe(1);
    expect(catalog.size).toBe(CN_BOOKS.length);
  });

  it('counts a record repeated within one batch once, keeping the later copy', async () => {
    app = await startTestApp({ dialect });
    const { catalog } = app.shulin.services;
    const summary = await importMarc(bytes(cnmarcFile('gbk'), cnmarcFile('utf-8')), catalog);
    expect(summary).toMatchObject({
      created: CN_BOOKS.length,
      updated: CN_BOOKS.length,
      failed: 0,
    });
    expect(await catalog.count()).toBe(CN_BOOKS.length);
    expect((await search('三体')).total).toBe(1);
  });

  it('skips a broken record with its position and reason; the rest of the batch lands', async () => {
    app = await startTestApp({ dialect });
    const { catalog } = app.shulin.services;
    const good = cnmarcFile('utf-8');
    const broken = gbkCountedInCharacters(CN_BOOKS[0]!, 99);
    const summary = await importMarc(bytes(concat([broken, good])), catalog);
    expect(summary.failed).toBe(1);
    expect(summary.problems[0]).toMatchObject({
      position: 1,
      code: expect.stringMatching(/LENGTH_MISMATCH|BAD_DIRECTORY|BAD_ENCODING/),
    });
    expect(summary.created).toBe(CN_BOOKS.length);
  });

  it('serves a record with its items and availability, autocomplete and new arrivals', async () => {
    app = await startTestApp({ dialect });
    await importMarc(bytes(cnmarcFile('utf-8')), app.shulin.services.catalog);
    const { hits } = await search('三体');
    const res = await app.request(`/api/v1/records/${hits[0]!.id}`);
    expect(res.status).toBe(200);
    const record = (await res.json()) as {
      title: string;
      items: Array<{ barcode: string }>;
      availability: { total: number };
      marc: { leader: string };
    };
    expect(record.title).toBe('三体');
    expect(record.items.length).toBe(record.availability.total);
    expect(record.marc.leader).toHaveLength(24);
    expect((await app.request('/api/v1/records/999999')).status).toBe(404);
    const complete = (await (await app.request('/api/v1/autocomplete?q=红')).json()) as {
      suggestions: string[];
    };
    expect(complete.suggestions).toContain('红楼梦');
    const arrivals = (await (await app.request('/api/v1/new-arrivals?limit=3')).json()) as {
      hits: unknown[];
    };
    expect(arrivals.hits).toHaveLength(3);
  });

  it('imports the same on a worker thread: records, problems, index, source MARC', async () => {
    const input = () =>
      bytes(
        concat([gbkCountedInCharacters(CN_BOOKS[0]!, 99), cnmarcFile('gbk')]),
        cnmarcFile('utf-8'),
      );
    const imports = [];
    for (const parallel of [false, true]) {
      const one = await startTestApp({ dialect });
      try {
        const { catalog } = one.shulin.services;
        // Batches of 2 so that the worker runs ahead of the writes and waits for them, and
        // small chunks so that input keeps arriving meanwhile.
        const summary = await importMarc(
          parallel ? inPieces(input(), 97) : input(),
          parallel ? slowWrites(catalog) : catalog,
          { parallel, batchSize: 2 },
        );
        const stored = [];
        for (const hit of (await catalog.search({ q: '', limit: 200 })).hits) {
          const record = await catalog.record(hit.id);
          stored.push({ record: record?.record, items: record?.items, marc: record?.marc });
        }
        const found = await catalog.search({ q: '三体 刘慈欣' });
        imports.push({
          summary: { ...summary, seconds: 0, recordsPerSecond: 0 },
          stored,
          found: { total: found.total, titles: found.hits.map((h) => h.title) },
          facets: (await catalog.search({ q: '中国' })).facets,
        });
      } finally {
        await one.close();
      }
    }
    const [here, worker] = imports;
    expect(here!.summary).toMatchObject({ read: 1 + 2 * CN_BOOKS.length, failed: 1 });
    expect(here!.summary.created).toBe(CN_BOOKS.length);
    expect(here!.found.total).toBe(1);
    expect(worker).toEqual(here);
  });

  it('ends a parallel import with the error of a failed write, keeping the batches before it', async () => {
    app = await startTestApp({ dialect });
    const { catalog } = app.shulin.services;
    const db = app.tdb.database.db;
    const numbers: string[] = [];
    for await (const r of readMarc(bytes(cnmarcFile('utf-8')))) {
      const f001 = r.ok ? r.record.fields.find((f) => f.tag === '001') : undefined;
      if (f001 && isControlField(f001)) numbers.push(f001.value);
    }
    // The database refuses the third record, so the second batch of two cannot be written.
    const refused = numbers[2]!;
    if (dialect === 'sqlite') {
      await sql`create trigger refuse before insert on catalog_records
        when new.control_number = ${sql.lit(refused)}
        begin select raise(abort, 'refused by the test'); end`.execute(db);
    } else {
      await sql`create function refuse() returns trigger language plpgsql as $$
        begin
          if new.control_number = ${sql.lit(refused)} then raise exception 'refused by the test'; end if;
          return new;
        end $$`.execute(db);
      await sql`create trigger refuse before insert on catalog_records
        for each row execute function refuse()`.execute(db);
    }
    const imported = importMarc(bytes(cnmarcFile('utf-8')), catalog, {
      parallel: true,
      batchSize: 2,
    });
    await expect(imported).rejects.toThrow('refused by the test');
    expect(await catalog.count()).toBe(2);
    expect(catalog.size).toBe(2);
  });

  it('keeps the source MARC as read, whether it came as UTF-8 ISO 2709 or not', async () => {
    app = await startTestApp({ dialect });
    const { catalog } = app.shulin.services;
    const read = async (charset: 'utf-8' | 'gbk') => {
      const out = [];
      for await (const r of readMarc(bytes(cnmarcFile(charset)))) if (r.ok) out.push(r);
      return out.find((r) => JSON.stringify(r.record).includes('三体'))!;
    };
    // UTF-8 ISO 2709 is stored as its text; GBK is decoded and stored as JSON.
    const utf8 = await read('utf-8');
    const gbk = await read('gbk');
    expect(utf8.source).toBeDefined();
    expect(gbk.source).toBeUndefined();
    await importMarc(bytes(cnmarcFile('utf-8')), catalog);
    const id = (await catalog.search({ q: '三体' })).hits[0]!.id;
    expect((await catalog.record(id))!.marc).toEqual(utf8.record);
    await importMarc(bytes(cnmarcFile('gbk')), catalog);
    expect((await catalog.record(id))!.marc).toEqual(gbk.record);
    expect(gbk.record).not.toEqual(utf8.record);
  });

  it('refuses invalid parameters with problem+json', async () => {
    app = await startTestApp({ dialect });
    const res = await app.request('/api/v1/search?q=x&page=0');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()) as { code: string }).toMatchObject({ code: 'INVALID_QUERY' });
    expect((await app.request('/api/v1/records/abc')).status).toBe(400);
  });

  it('picks up records another process imported (refresh)', async () => {
    app = await startTestApp({ dialect });
    // A writer that does not index, like the `shulin import` command.
    const writer = new CatalogService({
      repository: new CatalogRepository(tablesOf<CatalogTables>(app.tdb.database.db)),
      index: new CatalogIndex(catalogAnalyzer),
      logger: pino({ level: 'silent' }),
      clock: { now: () => Date.now() },
      indexing: false,
    });
    await importMarc(bytes(cnmarcFile('utf-8')), writer);
    expect((await search('三体')).total).toBe(0);
    expect(await app.shulin.services.catalog.refresh()).toBe(CN_BOOKS.length);
    expect((await search('三体')).total).toBe(1);
    expect(await app.shulin.services.catalog.refresh()).toBe(0);
  });
});

describe('the demo library', () => {
  it('is loaded into an empty catalogue on the first start, once', async () => {
    const app = await startTestApp({ env: { SHULIN_DEMO: 'on' } });
    try {
      const { catalog } = app.shulin.services;
      const records = await catalog.count();
      expect(records).toBeGreaterThanOrEqual(400);
      expect(catalog.size).toBe(records);
      const chinese = (await (await app.request('/api/v1/search?q=中国&pageSize=5')).json()) as {
        total: number;
      };
      expect(chinese.total).toBeGreaterThan(10);
      // Seeding only ever fills an empty catalogue.
      expect(await seedDemoCatalogue(catalog, pino({ level: 'silent' }))).toBe(0);
      expect(await catalog.count()).toBe(records);
    } finally {
      await app.close();
    }
  });
});
