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

/**
 * Like `withDatabaseLock`, for a job that one instance at a time should run and the others
 * may simply skip (a scheduled harvest): when another instance holds the lock, returns at
 * once without running `fn`. The lock ends with its session, so an instance that dies
 * mid-job does not keep the others from it. SQLite is one process: `fn` simply runs.
 *
 * @example
 * const outcome = await unlessLockedElsewhere(database, 'oai-harvest', () => harvest());
 * if (!outcome.ran) log.info('another instance is harvesting');
 */
export async function unlessLockedElsewhere<T>(
  database: Database,
  key: string,
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  if (database.dialect !== 'postgres') return { ran: true, value: await fn() };
  return database.db.connection().execute(async (conn) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_lock(hashtext(${key})) as locked`.execute(conn);
    if (!rows[0]?.locked) return { ran: false };
    try {
      return { ran: true, value: await fn() };
    } finally {
      // Should the unlock fail, the connection is broken, and the lock went with it.
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn).catch(() => undefined);
    }
  });
}
