import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../server/platform/db/index.ts';
import { migrateToLatest } from '../../server/platform/db/migrate.ts';
import { migrations } from '../../server/migrations/index.ts';

/**
 * The database tiers every repository test runs on: a real SQLite file always,
 * PostgreSQL when TEST_DATABASE_URL is set (CI sets it; global-setup fails the
 * run under CI when it is missing). Each database is fresh and migrated.
 */
export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** The DATABASE_URL (and search path) that reaches it, for apps built in tests. */
  readonly url: string;
  readonly searchPath?: string;
  readonly database: Database;
  cleanup(): Promise<void>;
}

export const pgUrl = process.env.TEST_DATABASE_URL;

export const dialects: Array<'sqlite' | 'postgres'> = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export async function createTestDatabase(
  name: 'sqlite' | 'postgres',
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'shulin-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const database = openDatabase(url);
    if (options.migrate ?? true) await migrateToLatest(database, migrations);
    return {
      name,
      url,
      database,
      cleanup: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!pgUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase(pgUrl, { searchPath: schema, poolSize: 5 });
  if (options.migrate ?? true) await migrateToLatest(database, migrations);
  return {
    name,
    url: pgUrl,
    searchPath: schema,
    database,
    cleanup: async () => {
      await database.close();
      const drop = new pg.Client({ connectionString: pgUrl });
      await drop.connect();
      await drop.query(`drop schema if exists ${schema} cascade`);
      await drop.end();
    },
  };
}
