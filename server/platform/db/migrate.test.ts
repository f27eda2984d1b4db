import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import {
  createTestDatabase,
  dialects,
  pgUrl,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { openDatabase, type Database } from './index.ts';
import { migrateToLatest, type ShulinMigration } from './migrate.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fresh(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const tdb = await createTestDatabase(dialect, { migrate: false });
  cleanups.push(() => tdb.cleanup());
  return tdb;
}

/** A second handle on the same database (another Shulin process). */
function reopen(tdb: TestDatabase): Database {
  const database = openDatabase(
    tdb.url,
    tdb.searchPath ? { searchPath: tdb.searchPath, poolSize: 2 } : {},
  );
  cleanups.push(() => database.close());
  return database;
}

async function tableNames(database: Database): Promise<string[]> {
  const tables = await database.db.introspection.getTables({ withInternalKyselyTables: true });
  // The introspector sees every schema on PostgreSQL; only the one this handle works in counts.
  const own =
    database.dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(database.db)).rows[0]!.s
      : undefined;
  return tables
    .filter((t) => !own || t.schema === own)
    .map((t) => t.name)
    .sort();
}

async function recorded(database: Database): Promise<string[]> {
  const rows = await (database.db as Kysely<{ shulin_migrations: { name: string } }>)
    .selectFrom('shulin_migrations')
    .select('name')
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}

const names = migrations.map((m) => m.name);
const SHULIN_TABLES = [
  'auto_replies',
  'catalog_deletions',
  'catalog_harvests',
  'catalog_items',
  'catalog_oai_records',
  'catalog_records',
  'feedback_conversations',
  'feedback_messages',
  'feedback_photos',
  'ils_branches',
  'ils_calendar_exceptions',
  'ils_fines',
  'ils_holds',
  'ils_loan_policies',
  'ils_loans',
  'ils_opening_hours',
  'ils_patrons',
  'jobs',
  'purchase_suggestion_supporters',
  'purchase_suggestions',
  'reader_bindings',
  'reading_history',
  'shulin_migrations',
  'shulin_migrations_lock',
  'wechat_message_log',
].sort();

describe.each(dialects)('migrations on %s', (dialect) => {
  it('creates the tables on a fresh database and records each migration', async () => {
    const { database } = await fresh(dialect);
    expect(await tableNames(database)).toEqual([]);
    const { applied } = await migrateToLatest(database, migrations);
    expect(applied).toEqual(names);
    expect(await tableNames(database)).toEqual(SHULIN_TABLES);
    expect(await recorded(database)).toEqual(names);
    // The tables are usable, with their constraints.
    const db = database.db as Kysely<{ jobs: Record<string, unknown> }>;
    const job = {
      id: 'j1',
      name: 'n',
      key: 'k',
      payload: '{}',
      status: 'pending',
      attempts: 0,
      max_attempts: 5,
      run_at: 1_714_037_059_000,
      locked_until: null,
      last_error: null,
      created_at: 1_714_037_059_000,
      updated_at: 1_714_037_059_000,
    };
    await db.insertInto('jobs').values(job).execute();
    await expect(
      db
        .insertInto('jobs')
        .values({ ...job, id: 'j2' })
        .execute(),
    ).rejects.toThrow();
    const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    // Millisecond timestamps come back as numbers on both dialects.
    expect(row.run_at).toBe(1_714_037_059_000);
  });

  it('applies nothing when run again, from the same or another handle', async () => {
    const tdb = await fresh(dialect);
    await migrateToLatest(tdb.database, migrations);
    expect(await migrateToLatest(tdb.database, migrations)).toEqual({ applied: [] });
    expect(await migrateToLatest(reopen(tdb), migrations)).toEqual({ applied: [] });
    expect(await recorded(tdb.database)).toEqual(names);
  });

  it('applies only the new migration when one is added later', async () => {
    const tdb = await fresh(dialect);
    await migrateToLatest(tdb.database, migrations);
    const seen: string[] = [];
    const added: ShulinMigration = {
      name: '9999-test-added',
      async up(db, d) {
        seen.push(d);
        await db.schema
          .createTable('test_added')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .execute();
      },
    };
    expect(await migrateToLatest(tdb.database, [...migrations, added])).toEqual({
      applied: ['9999-test-added'],
    });
    expect(seen).toEqual([dialect]);
    expect(await tableNames(tdb.database)).toContain('test_added');
    expect(await migrateToLatest(tdb.database, [...migrations, added])).toEqual({ applied: [] });
  });

  it('names a failing migration, records none of its work, and runs it once fixed', async () => {
    const tdb = await fresh(dialect);
    await migrateToLatest(tdb.database, migrations);
    const broken: ShulinMigration = {
      name: '9999-test-broken',
      async up(db) {
        await sql`select * from no_such_table`.execute(db);
      },
    };
    await expect(migrateToLatest(tdb.database, [...migrations, broken])).rejects.toThrow(
      /Migration 9999-test-broken failed: .*no_such_table/,
    );
    expect(await recorded(tdb.database)).toEqual(names);
    const fixed: ShulinMigration = { name: '9999-test-broken', up: async () => undefined };
    expect(await migrateToLatest(tdb.database, [...migrations, fixed])).toEqual({
      applied: ['9999-test-broken'],
    });
    expect(await recorded(tdb.database)).toEqual([...names, '9999-test-broken']);
  });
});

describe.skipIf(!pgUrl)('migrations on PostgreSQL, several instances', () => {
  it('lets 4 instances starting at once on one fresh schema apply each migration once', async () => {
    const tdb = await fresh('postgres');
    const handles = [tdb.database, reopen(tdb), reopen(tdb), reopen(tdb)];
    const results = await Promise.all(handles.map((h) => migrateToLatest(h, migrations)));
    expect(results.flatMap((r) => r.applied).sort()).toEqual([...names].sort());
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    expect(await recorded(tdb.database)).toEqual(names);
    expect(await tableNames(tdb.database)).toEqual(SHULIN_TABLES);
  });

  it('migrates a fresh schema while another schema in the database already holds Shulin', async () => {
    // Two Shulin installations (or two test runs) in one PostgreSQL database, one schema each.
    const first = await fresh('postgres');
    await migrateToLatest(first.database, migrations);
    const second = await fresh('postgres');
    expect(await migrateToLatest(second.database, migrations)).toEqual({ applied: names });
    expect(await tableNames(second.database)).toEqual(SHULIN_TABLES);
    expect(await recorded(second.database)).toEqual(names);
    expect(await recorded(first.database)).toEqual(names);
  });

  it('keeps concurrent migrations of different schemas apart', async () => {
    const a = await fresh('postgres');
    const b = await fresh('postgres');
    const [ra, rb] = await Promise.all([
      migrateToLatest(a.database, migrations),
      migrateToLatest(b.database, migrations),
    ]);
    expect(ra.applied).toEqual(names);
    expect(rb.applied).toEqual(names);
  });
});
