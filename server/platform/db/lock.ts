import { sql } from 'kysely';
import type { Database } from './index.ts';

/**
 * Runs `fn` while holding a database-wide lock named by `key`, so that several instances
 * starting at once on one PostgreSQL database do a one-off job (seeding the demo library)
 * one after the other; each sees what the one before it did. The lock is held on a
 * connection of its own, so `fn` may use the pool freely. SQLite is one process: `fn`
 * simply runs.
 *
 * @example
 * await withDatabaseLock(database, 'demo-seed', () => seedDemo());
 */
export async function withDatabaseLock<T>(
  database: Database,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  if (database.dialect !== 'postgres') return fn();
  return database.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}
