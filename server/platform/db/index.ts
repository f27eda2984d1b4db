import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { SqliteWriterThread } from './sqlite-writer.ts';

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely handle plus what the rest of the code needs to know about the dialect. */
export interface Database<DB = unknown> {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Bulk writes for append-heavy tables (see `BulkInserter`). */
  readonly bulk: BulkInserter & { close?(): Promise<void> };
  /**
   * The better-sqlite3 handle behind `db` (SQLite only), for a repository's
   * prepared-statement fast path. Use it inside `db.connection().execute(…)` so
   * that no Kysely transaction is open on the connection meanwhile.
   */
  readonly sqlite?: SQLite.Database;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Inserts many rows of one shape in one transaction, skipping rows whose
 * `ignoreConflictOn` column already holds the value. On SQLite this runs a cached
 * prepared statement per row, several times cheaper than compiling a multi-row
 * statement through Kysely (which matters for logs written on every push); on
 * PostgreSQL it is one multi-row statement.
 */
export interface BulkInserter {
  insertMany(
    table: string,
    rows: readonly Record<string, unknown>[],
    options?: { ignoreConflictOn?: string },
  ): Promise<number>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function checkIdentifiers(...names: string[]): void {
  for (const name of names) {
    if (!IDENTIFIER.test(name)) throw new Error(`Not a plain SQL identifier: ${name}`);
  }
}

function sqliteBulk(handle: SQLite.Database): BulkInserter {
  const statements = new Map<string, SQLite.Statement>();
  return {
    insertMany(table, rows, options = {}) {
      const first = rows[0];
      if (!first) return Promise.resolve(0);
      const columns = Object.keys(first);
      const key = `${table}|${columns.join(',')}|${options.ignoreConflictOn ?? ''}`;
      let statement = statements.get(key);
      if (!statement) {
        checkIdentifiers(
          table,
          ...columns,
          ...(options.ignoreConflictOn ? [options.ignoreConflictOn] : []),
        );
        statement = handle.prepare(
          `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})` +
            (options.ignoreConflictOn
              ? ` on conflict ("${options.ignoreConflictOn}") do nothing`
              : ''),
        );
        statements.set(key, statement);
      }
      const run = statement;
      const inserted = handle.transaction(() => {
        let n = 0;
        for (const row of rows) n += run.run(...columns.map((c) => row[c] ?? null)).changes;
        return n;
      })();
      return Promise.resolve(inserted);
    },
  };
}

function kyselyBulk(db: Kysely<unknown>): BulkInserter {
  return {
    async insertMany(table, rows, options = {}) {
      if (rows.length === 0) return 0;
      checkIdentifiers(table, ...(options.ignoreConflictOn ? [options.ignoreConflictOn] : []));
      const target = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
      let query = target.insertInto(table).values([...rows]);
      if (options.ignoreConflictOn) {
        const column = options.ignoreConflictOn;
        query = query.onConflict((oc) => oc.column(column).doNothing());
      }
      const result = await query.executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n);
    },
  };
}

// int8 (COUNT(*), bigint millisecond timestamps) arrives as a string by default; every
// value Shulin stores there fits comfortably in a double.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

/**
 * Opens the database named by a `sqlite:` or `postgres://` URL.
 * `sqlite::memory:` gives a private in-memory database (tests).
 *
 * @example
 * const { db } = openDatabase('sqlite:./data/shulin.db');
 * @example
 * const { db } = openDatabase('postgres://shulin@127.0.0.1/shulin', { searchPath: 'test_1' });
 */
export function openDatabase<DB = unknown>(
  url: string,
  options: { searchPath?: string; poolSize?: number } = {},
): Database<DB> {
  if (url.startsWith('sqlite:')) {
    const target = url.slice('sqlite:'.length);
    const file = target === ':memory:' || target === '' ? ':memory:' : resolve(target);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const handle = new SQLite(file);
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    handle.pragma('busy_timeout = 5000');
    handle.pragma('foreign_keys = ON');
    // 64 MB of page cache (the default is 2 MB): a catalogue of a million records has
    // indexes of tens of MB, and imports touch them at random.
    handle.pragma('cache_size = -65536');
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: handle }) });
    // A file database gets its bulk writes on a thread of its own; memory can't be shared.
    const bulk = file === ':memory:' ? sqliteBulk(handle) : new SqliteWriterThread(file);
    return {
      db,
      dialect: 'sqlite',
      bulk,
      sqlite: handle,
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: async () => {
        if (bulk instanceof SqliteWriterThread) await bulk.close();
        await db.destroy();
      },
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      types: pgTypes,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      bulk: kyselyBulk(db as Kysely<unknown>),
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: () => db.destroy(),
    };
  }
  throw new Error(`Unsupported DATABASE_URL: ${url.replace(/\/\/[^@]*@/, '//***@')}`);
}

/** Repositories see only their own tables; this narrows the shared handle. */
export function tablesOf<T>(db: Kysely<unknown>): Kysely<T> {
  return db as unknown as Kysely<T>;
}
