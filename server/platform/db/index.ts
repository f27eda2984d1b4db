import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely handle plus what the rest of the code needs to know about the dialect. */
export interface Database<DB = unknown> {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  ping(): Promise<void>;
  close(): Promise<void>;
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
    const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: handle }) });
    return {
      db,
      dialect: 'sqlite',
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: () => db.destroy(),
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
