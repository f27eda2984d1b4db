import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../../test/support/databases.ts';
import { tablesOf } from '../../../platform/db/index.ts';
import { toBibRecord } from '../marc/index.ts';
import type { BibRecord } from '../record.ts';
import { CatalogRepository, type CatalogTables } from '../repository.ts';
import { HarvestRepository, type HarvestTables } from './repository.ts';

function bib(controlNumber: string, barcodes: string[] = []): BibRecord {
  return toBibRecord({
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '001', value: controlNumber },
      {
        tag: '245',
        ind1: '1',
        ind2: '0',
        subfields: [{ code: 'a', value: `Title ${controlNumber}` }],
      },
      ...barcodes.map((barcode) => ({
        tag: '952',
        ind1: ' ',
        ind2: ' ',
        subfields: [{ code: 'p', value: barcode }],
      })),
    ],
  });
}

describe.each(dialects)('the harvest tables on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  afterEach(async () => {
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('keeps one state per source; only a completed harvest moves its point', async () => {
    tdb = await createTestDatabase(dialect);
    const harvests = new HarvestRepository(tablesOf<HarvestTables>(tdb.database.db));
    const source = { baseUrl: 'https://opac.example.edu/oai', set: '', prefix: 'marc21' };
    const books = { ...source, set: 'books' };
    expect(await harvests.get(source)).toBeUndefined();

    const repository = { granularity: 'YYYY-MM-DD', earliestDatestamp: '2000-01-01' };
    await harvests.start(source, repository, 1000);
    await harvests.start(books, repository, 1001);
    await harvests.complete(
      source,
      { responseDate: '2024-05-02T00:00:00Z', records: 7, deletions: 1 },
      2000,
    );
    expect(await harvests.get(source)).toEqual({
      ...source,
      granularity: 'YYYY-MM-DD',
      earliestDatestamp: '2000-01-01',
      responseDate: '2024-05-02T00:00:00Z',
      records: 7,
      deletions: 1,
      startedAt: 1000,
      finishedAt: 2000,
      error: null,
    });
    expect(await harvests.get(books)).toMatchObject({ responseDate: null, startedAt: 1001 });

    // A second harvest that fails: started later, same point, the reason kept.
    await harvests.start(
      source,
      { granularity: 'YYYY-MM-DDThh:mm:ssZ', earliestDatestamp: null },
      3000,
    );
    await harvests.fail(source, 'cannot reach https://opac.example.edu/oai');
    expect(await harvests.get(source)).toMatchObject({
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
      responseDate: '2024-05-02T00:00:00Z',
      records: 7,
      startedAt: 3000,
      finishedAt: 2000,
      error: 'cannot reach https://opac.example.edu/oai',
    });
    await harvests.complete(
      source,
      { responseDate: '2024-05-03T00:00:00Z', records: 0, deletions: 0 },
      4000,
    );
    expect(await harvests.get(source)).toMatchObject({
      responseDate: '2024-05-03T00:00:00Z',
      error: null,
    });
    expect((await harvests.list()).map((s) => s.set)).toEqual(['', 'books']);
  });

  it('remembers identifiers by repository, in chunks, the last word winning', async () => {
    tdb = await createTestDatabase(dialect);
    const harvests = new HarvestRepository(tablesOf<HarvestTables>(tdb.database.db));
    const a = 'https://a.example.edu/oai';
    const b = 'https://b.example.edu/oai';
    const pairs = Array.from({ length: 2500 }, (_, i) => ({
      identifier: `oai:a:${i}`,
      controlNumber: `cn${i}`,
    }));
    await harvests.remember(a, [...pairs, { identifier: 'oai:a:7', controlNumber: 'moved' }]);
    await harvests.remember(b, [{ identifier: 'oai:a:1', controlNumber: 'other' }]);
    await harvests.remember(a, [{ identifier: 'oai:a:8', controlNumber: 'renumbered' }]);
    const ids = pairs.map((p) => p.identifier).concat('oai:a:unknown');
    const found = await harvests.controlNumbers(a, ids);
    expect(found.size).toBe(2500);
    expect(found.get('oai:a:1')).toBe('cn1');
    expect(found.get('oai:a:7')).toBe('moved');
    expect(found.get('oai:a:8')).toBe('renumbered');
    expect(found.get('oai:a:2499')).toBe('cn2499');
    await harvests.forget(a, ids.slice(0, 2000));
    expect((await harvests.controlNumbers(a, ids)).size).toBe(500);
    expect(await harvests.controlNumbers(b, ['oai:a:1'])).toEqual(new Map([['oai:a:1', 'other']]));
  });

  it('deletes catalogue records by control number with their items, logging each deletion', async () => {
    tdb = await createTestDatabase(dialect);
    const catalog = new CatalogRepository(
      tablesOf<CatalogTables>(tdb.database.db),
      tdb.database.sqlite,
    );
    const written = await catalog.upsert(
      [bib('a', ['A1', 'A2']), bib('b', ['B1']), bib('c')],
      1000,
    );
    expect(await catalog.lastDeletion()).toBe(0);
    const deleted = await catalog.deleteByControlNumbers(['a', 'c', 'nope', 'a'], 2000);
    expect(deleted.map((d) => d.controlNumber).sort()).toEqual(['a', 'c']);
    expect(await catalog.count()).toBe(1);
    expect(await catalog.get(written[0]!.id)).toBeUndefined();
    const items = await tablesOf<CatalogTables>(tdb.database.db)
      .selectFrom('catalog_items')
      .select('barcode')
      .execute();
    expect(items.map((i) => i.barcode)).toEqual(['B1']);

    const log = await catalog.deletionsSince(0);
    expect(log.map((d) => d.recordId).sort()).toEqual([written[0]!.id, written[2]!.id].sort());
    expect(await catalog.lastDeletion()).toBe(log.at(-1)!.id);
    expect(await catalog.deletionsSince(log.at(-1)!.id)).toEqual([]);
    expect(await catalog.deleteByControlNumbers([], 3000)).toEqual([]);

    // A record deleted and harvested again comes back under a new id.
    const again = await catalog.upsert([bib('a', ['A1'])], 4000);
    expect(again[0]).toMatchObject({ created: true });
    expect(again[0]!.id).not.toBe(written[0]!.id);
  });
});
