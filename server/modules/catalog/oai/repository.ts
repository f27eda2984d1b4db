import type { Generated, Kysely, Selectable } from 'kysely';

export interface CatalogHarvestsTable {
  id: Generated<number>;
  base_url: string;
  set_spec: string;
  metadata_prefix: string;
  granularity: string | null;
  earliest_datestamp: string | null;
  response_date: string | null;
  records: Generated<number>;
  deletions: Generated<number>;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
}

export interface CatalogOaiRecordsTable {
  base_url: string;
  identifier: string;
  control_number: string;
}

export interface HarvestTables {
  catalog_harvests: CatalogHarvestsTable;
  catalog_oai_records: CatalogOaiRecordsTable;
}

/** One source: a repository, a set ('' for all of it) and a metadata format. */
export interface HarvestSource {
  readonly baseUrl: string;
  readonly set: string;
  readonly prefix: string;
}

/** Where a source stands. */
export interface HarvestState extends HarvestSource {
  readonly granularity: string | null;
  readonly earliestDatestamp: string | null;
  /** The responseDate of the last completed harvest: the next harvest's `from`. */
  readonly responseDate: string | null;
  /** Records and deletions of the last completed harvest. */
  readonly records: number;
  readonly deletions: number;
  readonly startedAt: number | null;
  /** When the last completed harvest ended (older than startedAt after a failed one). */
  readonly finishedAt: number | null;
  /** Why the latest harvest failed; null once one completes. */
  readonly error: string | null;
}

// Three values per row; SQLite allows 32,766 per statement.
const ROWS_PER_STATEMENT = 1000;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function toState(row: Selectable<CatalogHarvestsTable>): HarvestState {
  return {
    baseUrl: row.base_url,
    set: row.set_spec,
    prefix: row.metadata_prefix,
    granularity: row.granularity,
    earliestDatestamp: row.earliest_datestamp,
    responseDate: row.response_date,
    records: Number(row.records),
    deletions: Number(row.deletions),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    error: row.error,
  };
}

/**
 * The harvester's SQL: each source's incremental state, and which OAI identifier
 * became which control number (a deletion names only the identifier).
 *
 * @example
 * const harvests = new HarvestRepository(tablesOf<HarvestTables>(database.db));
 * const state = await harvests.get({ baseUrl, set: '', prefix: 'marc21' });
 */
export class HarvestRepository {
  constructor(private readonly db: Kysely<HarvestTables>) {}

  async get(source: HarvestSource): Promise<HarvestState | undefined> {
    const row = await this.db
      .selectFrom('catalog_harvests')
      .selectAll()
      .where('base_url', '=', source.baseUrl)
      .where('set_spec', '=', source.set)
      .where('metadata_prefix', '=', source.prefix)
      .executeTakeFirst();
    return row ? toState(row) : undefined;
  }

  /** Every source, by URL. */
  async list(): Promise<HarvestState[]> {
    const rows = await this.db
      .selectFrom('catalog_harvests')
      .selectAll()
      .orderBy('base_url')
      .orderBy('set_spec')
      .orderBy('metadata_prefix')
      .execute();
    return rows.map(toState);
  }

  /** Notes a harvest's start (creating the source on its first); the saved point stays. */
  async start(
    source: HarvestSource,
    repository: { granularity: string; earliestDatestamp: string | null },
    now: number,
  ): Promise<void> {
    await this.db
      .insertInto('catalog_harvests')
      .values({
        base_url: source.baseUrl,
        set_spec: source.set,
        metadata_prefix: source.prefix,
        granularity: repository.granularity,
        earliest_datestamp: repository.earliestDatestamp,
        started_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['base_url', 'set_spec', 'metadata_prefix']).doUpdateSet({
          granularity: repository.granularity,
          earliest_datestamp: repository.earliestDatestamp,
          started_at: now,
        }),
      )
      .execute();
  }

  /** A completed harvest: the next one starts from `responseDate`. */
  async complete(
    source: HarvestSource,
    result: { responseDate: string; records: number; deletions: number },
    now: number,
  ): Promise<void> {
    await this.db
      .updateTable('catalog_harvests')
      .set({
        response_date: result.responseDate,
        records: result.records,
        deletions: result.deletions,
        finished_at: now,
        error: null,
      })
      .where('base_url', '=', source.baseUrl)
      .where('set_spec', '=', source.set)
      .where('metadata_prefix', '=', source.prefix)
      .execute();
  }

  /** A failed harvest: only the reason is kept; the next harvest starts where this one did. */
  async fail(source: HarvestSource, error: string): Promise<void> {
    await this.db
      .updateTable('catalog_harvests')
      .set({ error: error.slice(0, 2000) })
      .where('base_url', '=', source.baseUrl)
      .where('set_spec', '=', source.set)
      .where('metadata_prefix', '=', source.prefix)
      .execute();
  }

  /** Records which control number each identifier of this repository became. */
  async remember(
    baseUrl: string,
    pairs: ReadonlyArray<{ readonly identifier: string; readonly controlNumber: string }>,
  ): Promise<void> {
    if (pairs.length === 0) return;
    // The last word on an identifier wins, as it would one statement at a time.
    const latest = new Map<string, string>();
    for (const p of pairs) latest.set(p.identifier, p.controlNumber);
    const rows = [...latest].map(([identifier, control_number]) => ({
      base_url: baseUrl,
      identifier,
      control_number,
    }));
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(rows, ROWS_PER_STATEMENT)) {
        await trx
          .insertInto('catalog_oai_records')
          .values(chunk)
          .onConflict((oc) =>
            oc
              .columns(['base_url', 'identifier'])
              .doUpdateSet((eb) => ({ control_number: eb.ref('excluded.control_number') })),
          )
          .execute();
      }
    });
  }

  /** The control numbers these identifiers became (unknown identifiers left out). */
  async controlNumbers(
    baseUrl: string,
    identifiers: readonly string[],
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const chunk of chunks([...new Set(identifiers)], ROWS_PER_STATEMENT)) {
      const rows = await this.db
        .selectFrom('catalog_oai_records')
        .select(['identifier', 'control_number'])
        .where('base_url', '=', baseUrl)
        .where('identifier', 'in', chunk)
        .execute();
      for (const r of rows) out.set(r.identifier, r.control_number);
    }
    return out;
  }

  /** Forgets identifiers whose records are gone. */
  async forget(baseUrl: string, identifiers: readonly string[]): Promise<void> {
    for (const chunk of chunks([...new Set(identifiers)], ROWS_PER_STATEMENT)) {
      await this.db
        .deleteFrom('catalog_oai_records')
        .where('base_url', '=', baseUrl)
        .where('identifier', 'in', chunk)
        .execute();
    }
  }
}
