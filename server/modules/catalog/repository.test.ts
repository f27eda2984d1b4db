import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { briefRecord } from './marc/testing.ts';
import { CatalogRepository, type CatalogTables } from './repository.ts';

describe.each(dialects)('catalogue titles by identifier on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  afterEach(async () => {
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('finds titles by item barcode and by control number, leaving unknown ones out', async () => {
    tdb = await createTestDatabase(dialect);
    const catalog = new CatalogRepository(tablesOf<CatalogTables>(tdb.database.db));
    await catalog.upsert(
      [
        briefRecord('100', '围城', ['C1', 'C2']),
        briefRecord('200', '平凡的世界', ['C3']),
        briefRecord('C1', '活着'),
      ],
      1000,
    );

    const both = await catalog.titlesOf({
      barcodes: ['C2', 'C3', 'C404', 'C2', '100'],
      controlNumbers: ['100', '404', 'C1'],
    });
    expect(both.byBarcode).toEqual(
      new Map([
        ['C2', '围城'],
        ['C3', '平凡的世界'],
      ]),
    );
    // The same text as a control number and as a barcode: each answered on its own.
    expect(both.byControlNumber).toEqual(
      new Map([
        ['100', '围城'],
        ['C1', '活着'],
      ]),
    );

    const items = await catalog.titlesOf({ barcodes: ['C1'], controlNumbers: [] });
    expect(items.byBarcode).toEqual(new Map([['C1', '围城']]));
    expect(items.byControlNumber.size).toBe(0);
    const records = await catalog.titlesOf({ barcodes: [], controlNumbers: ['200'] });
    expect(records.byControlNumber).toEqual(new Map([['200', '平凡的世界']]));
    expect(records.byBarcode.size).toBe(0);
    const none = await catalog.titlesOf({ barcodes: [], controlNumbers: [] });
    expect(none.byBarcode.size + none.byControlNumber.size).toBe(0);
  });
});
