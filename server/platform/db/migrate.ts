import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Database, Dialect } from './index.ts';

/** A migration receives the dialect because a few column types differ between the two. */
export interface ShulinMigration {
  readonly name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
  down?(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

// Any constant works; it only has to be the same for every instance of Shulin.
const PG_MIGRATION_LOCK = 0x5348554c; // "SHUL"

/**
 * Brings the schema up to date. Several instances starting at once are safe: on
 * PostgreSQL they queue on an advisory lock (Kysely's own lock table could itself
 * be created twice in a race); SQLite is one process by design.
 */
export async function migrateToLatest(
  database: Database,
  migrations: readonly ShulinMigration[],
): Promise<{ applied: string[] }> {
  const run = async (db: Kysely<unknown>, schema?: string): Promise<MigrationResultSet> => {
    const byName: Record<string, Migration> = {};
    for (const m of migrations) {
      byName[m.name] = {
        up: (tx) => m.up(tx, database.dialect),
        ...(m.down ? { down: (tx: Kysely<unknown>) => m.down!(tx, database.dialect) } : {}),
      };
    }
    const migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(byName) },
      migrationTableName: 'shulin_migrations',
      migrationLockTableName: 'shulin_migrations_lock',
      // Named, because Kysely otherwise takes a shulin_migrations table in any schema
      // of the database (another installation's, another test's) for ours.
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    return migrator.migrateToLatest();
  };

  let result: MigrationResultSet;
  if (database.dialect === 'postgres') {
    result = await retryOnVanishingSchema(() =>
      database.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(${PG_MIGRATION_LOCK})`.execute(conn);
        try {
          const current = sql<{ name: string | null }>`select current_schema() as name`;
          const { rows } = await current.execute(conn);
          return await run(conn, rows[0]?.name ?? undefined);
        } finally {
          await sql`select pg_advisory_unlock(${PG_MIGRATION_LOCK})`.execute(conn);
        }
      }),
    );
  } else {
    result = await run(database.db);
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const cause =
      result.error instanceof Error ? result.error : new Error(JSON.stringify(result.error));
    throw new Error(`Migration ${failed ?? '(unknown)'} failed: ${cause.message}`, { cause });
  }
  return {
    applied: (result.results ?? [])
      .filter((r) => r.status === 'Success')
      .map((r) => r.migrationName),
  };
}

/**
 * Kysely's migrator looks for its table by listing every schema of the database with
 * `has_schema_privilege()`, which fails (3F000) when another schema is dropped during
 * the scan — another installation's, or another test's. That says nothing about ours,
 * so the scan is tried again.
 */
async function retryOnVanishingSchema(
  attempt: () => Promise<MigrationResultSet>,
): Promise<MigrationResultSet> {
  for (let tries = 1; ; tries++) {
    const result = await attempt();
    const code = (result.error as { code?: unknown } | undefined)?.code;
    if (code !== '3F000' || tries >= 5 || (result.results?.length ?? 0) > 0) return result;
  }
}
