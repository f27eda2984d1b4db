import { sql, type Generated, type Insertable, type Kysely, type Selectable } from 'kysely';
import type SQLite from 'better-sqlite3';
import { parseIso2709 } from './marc/iso2709.ts';
import type { MarcRecord } from './marc/record.ts';
import type { BibRecord, Item, StorableRecord } from './record.ts';

export interface CatalogRecordsTable {
  id: Generated<number>;
  control_number: string;
  format: string;
  title: string;
  year: number | null;
  language: string | null;
  material_type: string;
  data: string;
  /** The source MARC: ISO 2709 text (UTF-8), or JSON (`{"leader":…}`) of a MarcRecord. */
  marc: string;
  added_at: number;
  updated_at: number;
}

export interface CatalogItemsTable {
  id: Generated<number>;
  record_id: number;
  barcode: string;
  branch: string | null;
  location: string | null;
  call_number: string | null;
  status: string;
  loan_type: string | null;
  volume: string | null;
}

/** Records deleted from the catalogue, so that every server drops them from its index. */
export interface CatalogDeletionsTable {
  id: Generated<number>;
  record_id: number;
  control_number: string;
  deleted_at: number;
}

export interface CatalogTables {
  catalog_records: CatalogRecordsTable;
  catalog_items: CatalogItemsTable;
  catalog_deletions: CatalogDeletionsTable;
}

/** A record as stored: the mapped fields, its items, and when it was added. */
export interface StoredRecord {
  readonly id: number;
  readonly record: Omit<BibRecord, 'items' | 'marc' | 'iso2709'>;
  readonly items: readonly Item[];
  readonly addedAt: number;
  readonly updatedAt: number;
}

type RecordRow = Selectable<CatalogRecordsTable>;

/** Identifiers to find titles by: item barcodes and record control numbers. */
export interface TitleKeys {
  readonly barcodes: readonly string[];
  readonly controlNumbers: readonly string[];
}

/** Titles found by `titlesOf`; identifiers the catalogue does not know are absent. */
export interface TitleLookup {
  /** Item barcode → the title of the item's record. */
  readonly byBarcode: ReadonlyMap<string, string>;
  /** Control number → the record's title. */
  readonly byControlNumber: ReadonlyMap<string, string>;
}

// SQLite allows 32,766 bound values per statement: 10 per record, 8 per item.
const RECORDS_PER_STATEMENT = 500;
const ITEMS_PER_STATEMENT = 1000;

/**
 * The source MARC as stored. The ISO 2709 text as read is 3× smaller than JSON and costs
 * nothing to produce; records from other encodings or MARCXML are stored as JSON.
 */
function marcColumn(record: StorableRecord): string {
  if (record.iso2709 !== undefined) return record.iso2709;
  if (record.marc === undefined)
    throw new Error(`record ${record.controlNumber} has no source MARC to store`);
  return JSON.stringify(record.marc);
}

/** The stored mapped record: everything but the items and the source MARC. */
function dataColumn(record: StorableRecord): string {
  const { items: _items, marc: _marc, iso2709: _iso2709, ...data } = record;
  return JSON.stringify(data);
}

function parseMarcColumn(text: string): MarcRecord {
  if (text.startsWith('{')) return JSON.parse(text) as MarcRecord;
  return parseIso2709(Buffer.from(text, 'utf8'), { charset: 'utf-8' });
}

function groupByRecord(items: readonly ItemRow[]): Map<number, ItemRow[]> {
  const byRecord = new Map<number, ItemRow[]>();
  for (const item of items) {
    const list = byRecord.get(Number(item.record_id));
    if (list) list.push(item);
    else byRecord.set(Number(item.record_id), [item]);
  }
  return byRecord;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
type ItemRow = Selectable<CatalogItemsTable>;

function toItem(row: ItemRow): Item {
  return {
    barcode: row.barcode,
    branch: row.branch,
    location: row.location,
    callNumber: row.call_number,
    status: row.status,
    loanType: row.loan_type,
    volume: row.volume,
  };
}

/** The catalogue's SQL: records upserted by control number, items by barcode. */
export class CatalogRepository {
  readonly #sqlite: SQLite.Database | undefined;
  #statements:
    { record: SQLite.Statement; items: SQLite.Statement; item: SQLite.Statement } | undefined;

  /**
   * `sqlite`, when given, is the handle behind `db`: imports then run as cached
   * prepared statements instead of statements built and compiled per batch, which
   * was most of an import's time.
   */
  constructor(
    private readonly db: Kysely<CatalogTables>,
    sqlite?: SQLite.Database,
  ) {
    this.#sqlite = sqlite;
  }

  #prepared() {
    const handle = this.#sqlite!;
    this.#statements ??= {
      record: handle.prepare(
        `insert into catalog_records (control_number, format, title, year, language, material_type, data, marc, added_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (control_number) do update set format = excluded.format, title = excluded.title,
           year = excluded.year, language = excluded.language, material_type = excluded.material_type,
           data = excluded.data, marc = excluded.marc, updated_at = excluded.updated_at
         returning id, added_at`,
      ),
      items: handle.prepare('delete from catalog_items where record_id = ?'),
      item: handle.prepare(
        `insert into catalog_items (record_id, barcode, branch, location, call_number, status, loan_type, volume)
         values (?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (barcode) do update set record_id = excluded.record_id, branch = excluded.branch,
           location = excluded.location, call_number = excluded.call_number, status = excluded.status,
           loan_type = excluded.loan_type, volume = excluded.volume`,
      ),
    };
    return this.#statements;
  }

  /** The SQLite fast path of `upsert`: same semantics, one synchronous transaction. */
  async #upsertSqlite(
    records: readonly StorableRecord[],
    now: number,
  ): Promise<Array<{ id: number; created: boolean; addedAt: number }>> {
    const handle = this.#sqlite!;
    const statements = this.#prepared();
    // Through Kysely's connection, so that no Kysely transaction is open meanwhile.
    return this.db.connection().execute(() =>
      Promise.resolve(
        handle.transaction(() => {
          const seen = new Set<string>();
          const out: Array<{ id: number; created: boolean; addedAt: number }> = [];
          for (const record of records) {
            const row = statements.record.get(
              record.controlNumber,
              record.format,
              record.title,
              record.year,
              record.language,
              record.materialType,
              dataColumn(record),
              marcColumn(record),
              now,
              now,
            ) as { id: number; added_at: number };
            const id = Number(row.id);
            const addedAt = Number(row.added_at);
            // A control number repeated in the batch: the later copy updates the earlier.
            const created = addedAt === now && !seen.has(record.controlNumber);
            if (!created) statements.items.run(id);
            for (const item of record.items) {
              if (!item.barcode) continue;
              statements.item.run(
                id,
                item.barcode,
                item.branch,
                item.location,
                item.callNumber,
                item.status,
                item.loanType,
                item.volume ?? null,
              );
            }
            seen.add(record.controlNumber);
            out.push({ id, created, addedAt });
          }
          return out;
        })(),
      ),
    );
  }

  /**
   * Writes a batch in one transaction: each record is inserted or, when its
   * control number is known, updated (keeping its id and the date it was
   * added); its items are replaced. Returns the records' ids in batch order.
   * Either the whole batch lands or none of it.
   */
  async upsert(
    records: readonly StorableRecord[],
    now: number,
  ): Promise<Array<{ id: number; created: boolean; addedAt: number }>> {
    if (records.length === 0) return [];
    if (this.#sqlite) return this.#upsertSqlite(records, now);
    return this.db.transaction().execute(async (trx) => {
      // A control number twice in one batch: the later record wins, as it would one by one.
      const latest = new Map<string, StorableRecord>();
      for (const record of records) latest.set(record.controlNumber, record);
      const unique = [...latest.values()];
      const byNumber = new Map<string, { id: number; created: boolean; addedAt: number }>();
      // Multi-row statements: a row-at-a-time upsert costs a round trip and a statement
      // compile per record, which is most of an import's time.
      for (const chunk of chunks(unique, RECORDS_PER_STATEMENT)) {
        const rows = await trx
          .insertInto('catalog_records')
          .values(
            chunk.map((record) => {
              return {
                control_number: record.controlNumber,
                format: record.format,
                title: record.title,
                year: record.year,
                language: record.language,
                material_type: record.materialType,
                data: dataColumn(record),
                marc: marcColumn(record),
                added_at: now,
                updated_at: now,
              };
            }),
          )
          .onConflict((oc) =>
            oc.column('control_number').doUpdateSet((eb) => ({
              format: eb.ref('excluded.format'),
              title: eb.ref('excluded.title'),
              year: eb.ref('excluded.year'),
              language: eb.ref('excluded.language'),
              material_type: eb.ref('excluded.material_type'),
              data: eb.ref('excluded.data'),
              marc: eb.ref('excluded.marc'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .returning(['id', 'control_number', 'added_at'])
          .execute();
        for (const row of rows) {
          byNumber.set(row.control_number, {
            id: Number(row.id),
            created: Number(row.added_at) === now,
            addedAt: Number(row.added_at),
          });
        }
      }
      const updatedIds = [...byNumber.values()].filter((r) => !r.created).map((r) => r.id);
      for (const ids of chunks(updatedIds, 5000)) {
        await trx.deleteFrom('catalog_items').where('record_id', 'in', ids).execute();
      }
      // A barcode seen twice keeps its last copy (exports repeat items by mistake often).
      const items = new Map<string, Insertable<CatalogItemsTable>>();
      for (const record of unique) {
        const recordId = byNumber.get(record.controlNumber)!.id;
        for (const item of record.items) {
          if (!item.barcode) continue;
          items.set(item.barcode, {
            record_id: recordId,
            barcode: item.barcode,
            branch: item.branch,
            location: item.location,
            call_number: item.callNumber,
            status: item.status,
            loan_type: item.loanType,
            volume: item.volume ?? null,
          });
        }
      }
      for (const chunk of chunks([...items.values()], ITEMS_PER_STATEMENT)) {
        await trx
          .insertInto('catalog_items')
          .values(chunk)
          // An item moved to another record in the library's ILS moves here too.
          .onConflict((oc) =>
            oc.column('barcode').doUpdateSet((eb) => ({
              record_id: eb.ref('excluded.record_id'),
              branch: eb.ref('excluded.branch'),
              location: eb.ref('excluded.location'),
              call_number: eb.ref('excluded.call_number'),
              status: eb.ref('excluded.status'),
              loan_type: eb.ref('excluded.loan_type'),
              volume: eb.ref('excluded.volume'),
            })),
          )
          .execute();
      }
      const seen = new Set<string>();
      return records.map((record) => {
        const written = byNumber.get(record.controlNumber)!;
        const first = !seen.has(record.controlNumber);
        seen.add(record.controlNumber);
        return first ? written : { ...written, created: false };
      });
    });
  }

  async get(id: number): Promise<(StoredRecord & { marc: MarcRecord }) | undefined> {
    const row = await this.db
      .selectFrom('catalog_records')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const items = await this.db
      .selectFrom('catalog_items')
      .selectAll()
      .where('record_id', '=', id)
      .orderBy('id')
      .execute();
    return { ...this.#stored(row, items), marc: parseMarcColumn(row.marc) };
  }

  /** Several records with their items, in the order of `ids` (missing ones left out). */
  async getMany(ids: readonly number[]): Promise<StoredRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('catalog_records')
      .select(['id', 'data', 'added_at', 'updated_at'])
      .where('id', 'in', [...ids])
      .execute();
    const items = await this.db
      .selectFrom('catalog_items')
      .selectAll()
      .where('record_id', 'in', [...ids])
      .orderBy('id')
      .execute();
    const byRecord = groupByRecord(items);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const out: StoredRecord[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) out.push(this.#stored(row, byRecord.get(id) ?? []));
    }
    return out;
  }

  /**
   * The titles of the items with these barcodes and of the records with these control
   * numbers, in one statement: what a reader's account needs when the ILS named its loans
   * and holds by identifier alone. Meant for a handful of identifiers, not for bulk work.
   *
   * @example
   * const { byControlNumber } = await repository.titlesOf({ barcodes: [], controlNumbers: ['12345'] });
   */
  async titlesOf(keys: TitleKeys): Promise<TitleLookup> {
    const barcodes = [...new Set(keys.barcodes)];
    const controlNumbers = [...new Set(keys.controlNumbers)];
    const byBarcode = new Map<string, string>();
    const byControlNumber = new Map<string, string>();
    if (barcodes.length === 0 && controlNumbers.length === 0) return { byBarcode, byControlNumber };
    const items = () =>
      this.db
        .selectFrom('catalog_items as i')
        .innerJoin('catalog_records as r', 'r.id', 'i.record_id')
        .select([sql<string>`'item'`.as('kind'), 'i.barcode as key', 'r.title as title'])
        .where('i.barcode', 'in', barcodes);
    const records = () =>
      this.db
        .selectFrom('catalog_records')
        .select([sql<string>`'record'`.as('kind'), 'control_number as key', 'title'])
        .where('control_number', 'in', controlNumbers);
    const query =
      controlNumbers.length === 0
        ? items()
        : barcodes.length === 0
          ? records()
          : items().unionAll(records());
    for (const row of await query.execute()) {
      (row.kind === 'item' ? byBarcode : byControlNumber).set(row.key, row.title);
    }
    return { byBarcode, byControlNumber };
  }

  /** Every record in id order, a page at a time (building the search index). */
  async *all(pageSize = 5000): AsyncGenerator<StoredRecord[]> {
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('catalog_records')
        .select(['id', 'data', 'added_at', 'updated_at'])
        .where('id', '>', after)
        .orderBy('id')
        .limit(pageSize)
        .execute();
      if (rows.length === 0) return;
      const first = Number(rows[0]!.id);
      const last = Number(rows[rows.length - 1]!.id);
      const items = await this.db
        .selectFrom('catalog_items')
        .selectAll()
        .where('record_id', '>=', first)
        .where('record_id', '<=', last)
        .execute();
      const byRecord = groupByRecord(items);
      yield rows.map((row) => this.#stored(row, byRecord.get(Number(row.id)) ?? []));
      after = last;
    }
  }

  /**
   * Records written after the position (`updated_at`, then id), oldest first: what
   * other processes imported. Page on with the last record's position.
   */
  async changedSince(since: number, afterId: number, limit = 5000): Promise<StoredRecord[]> {
    const rows = await this.db
      .selectFrom('catalog_records')
      .select(['id', 'data', 'added_at', 'updated_at'])
      .where((eb) =>
        eb.or([
          eb('updated_at', '>', since),
          eb.and([eb('updated_at', '=', since), eb('id', '>', afterId)]),
        ]),
      )
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const items = await this.db
      .selectFrom('catalog_items')
      .selectAll()
      .where('record_id', 'in', ids)
      .execute();
    const byRecord = groupByRecord(items);
    return rows.map((row) => this.#stored(row, byRecord.get(Number(row.id)) ?? []));
  }

  /**
   * Deletes the records with these control numbers and their items, in one
   * transaction, and logs each deletion for other processes' indexes. Unknown
   * numbers are ignored. Returns what was deleted.
   */
  async deleteByControlNumbers(
    controlNumbers: readonly string[],
    now: number,
  ): Promise<Array<{ id: number; controlNumber: string }>> {
    if (controlNumbers.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const deleted: Array<{ id: number; controlNumber: string }> = [];
      for (const chunk of chunks([...new Set(controlNumbers)], RECORDS_PER_STATEMENT)) {
        const rows = await trx
          .selectFrom('catalog_records')
          .select(['id', 'control_number'])
          .where('control_number', 'in', chunk)
          .execute();
        if (rows.length === 0) continue;
        const ids = rows.map((r) => Number(r.id));
        await trx.deleteFrom('catalog_items').where('record_id', 'in', ids).execute();
        await trx.deleteFrom('catalog_records').where('id', 'in', ids).execute();
        await trx
          .insertInto('catalog_deletions')
          .values(
            rows.map((r) => ({
              record_id: Number(r.id),
              control_number: r.control_number,
              deleted_at: now,
            })),
          )
          .execute();
        for (const r of rows) deleted.push({ id: Number(r.id), controlNumber: r.control_number });
      }
      return deleted;
    });
  }

  /** Deletions logged after `afterId`, oldest first (`id` is the position to page on). */
  async deletionsSince(
    afterId: number,
    limit = 5000,
  ): Promise<Array<{ id: number; recordId: number }>> {
    const rows = await this.db
      .selectFrom('catalog_deletions')
      .select(['id', 'record_id'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), recordId: Number(r.record_id) }));
  }

  /** The position of the newest logged deletion (0 when there is none). */
  async lastDeletion(): Promise<number> {
    const row = await this.db
      .selectFrom('catalog_deletions')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('catalog_records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  #stored(
    row: Pick<RecordRow, 'id' | 'data' | 'added_at' | 'updated_at'>,
    items: readonly ItemRow[],
  ): StoredRecord {
    return {
      id: Number(row.id),
      record: JSON.parse(row.data) as StoredRecord['record'],
      items: items.map(toItem),
      addedAt: Number(row.added_at),
      updatedAt: Number(row.updated_at),
    };
  }
}
