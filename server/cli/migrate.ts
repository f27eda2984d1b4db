import type { Config } from '../platform/config.ts';
import { openDatabase } from '../platform/db/index.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { migrations } from '../migrations/index.ts';

export async function migrateCommand(config: Config, options: { json?: boolean }): Promise<void> {
  const database = openDatabase(config.database.url);
  try {
    const { applied } = await migrateToLatest(database, migrations);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ dialect: database.dialect, applied })}\n`);
    } else if (applied.length === 0) {
      process.stdout.write(`Schema is up to date (${database.dialect}).\n`);
    } else {
      process.stdout.write(`Applied ${applied.length} migration(s) on ${database.dialect}:\n`);
      for (const name of applied) process.stdout.write(`  ${name}\n`);
    }
  } catch (error) {
    process.stderr.write(`Migration failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}
