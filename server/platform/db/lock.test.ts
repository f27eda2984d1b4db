import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { openDatabase } from './index.ts';
import { withDatabaseLock } from './lock.ts';

describe.each(dialects)('withDatabaseLock on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  afterEach(async () => {
    await tdb?.cleanup();
  });

  it('runs the jobs of two instances one after the other, never overlapping', async () => {
    tdb = await createTestDatabase(dialect, { migrate: false });
    // A second instance: a database handle of its own on the same database.
    const other =
      dialect === 'postgres'
        ? openDatabase(tdb.url, { searchPath: tdb.searchPath!, poolSize: 2 })
        : tdb.database;
    const events: string[] = [];
    const job = (name: string) => async () => {
      events.push(`${name} starts`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      events.push(`${name} ends`);
      return name;
    };
    try {
      const results = await Promise.all([
        withDatabaseLock(tdb.database, 'test-lock', job('a')),
        withDatabaseLock(other, 'test-lock', job('b')),
      ]);
      expect(results).toEqual(['a', 'b']);
      if (dialect === 'postgres') {
        expect(events[1]).toMatch(/ends$/);
        expect(events[3]).toMatch(/ends$/);
      }
    } finally {
      if (other !== tdb.database) await other.close();
    }
  });
});
