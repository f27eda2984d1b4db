import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import {
  MessageLogRepository,
  type MessageLogTables,
  type NewMessageLogRow,
} from './repository.ts';

const T0 = 1_714_037_059_000;

let seq = 0;
function entry(overrides: Partial<NewMessageLogRow> = {}): NewMessageLogRow {
  seq++;
  return {
    dedupe_key: `msg:${6054768590064713728n + BigInt(seq)}:oReader:${T0 / 1000}`,
    openid: 'oReader',
    account: 'gh_3d5bd1b5a9ce',
    msg_type: 'text',
    event: null,
    summary: `续借《三体》 ${seq}`,
    mode: 'safe',
    received_at: T0 + seq,
    latency_ms: 3,
    outcome: 'replied',
    reply_type: 'text',
    reply_summary: '已续借',
    request_id: `req-${seq}`,
    ...overrides,
  };
}

// Kysely alone, and with the database's bulk path as the app builds it.
const variants = dialects.flatMap((dialect) => [
  { dialect, path: 'kysely' as const },
  { dialect, path: 'bulk' as const },
]);

describe.each(variants)(
  'message log repository on $dialect ($path inserts)',
  ({ dialect, path }) => {
    let tdb: TestDatabase;
    let repository: MessageLogRepository;

    beforeEach(async () => {
      tdb = await createTestDatabase(dialect);
      const tables = tablesOf<MessageLogTables>(tdb.database.db);
      repository =
        path === 'bulk'
          ? new MessageLogRepository(tables, tdb.database.bulk)
          : new MessageLogRepository(tables);
    });
    afterEach(async () => {
      await tdb.cleanup();
    });

    it('inserts nothing for an empty batch', async () => {
      expect(await repository.insertMany([])).toBe(0);
      expect(await repository.count()).toBe(0);
    });

    it('inserts a batch of 300 in one call, every field intact', async () => {
      const rows = Array.from({ length: 300 }, (_, i) =>
        entry({ openid: `o${i % 7}`, received_at: T0 + i * 1000, event: i % 2 ? 'CLICK' : null }),
      );
      expect(await repository.insertMany(rows)).toBe(300);
      expect(await repository.count()).toBe(300);
      const newest = (await repository.recent(1))[0]!;
      expect(newest).toMatchObject(rows[299]!);
      expect(typeof newest.id).toBe('number');
      expect(typeof newest.received_at).toBe('number');
      expect(typeof newest.latency_ms).toBe('number');
    });

    it('skips a push that is already logged, and counts only what it inserted', async () => {
      const first = entry();
      expect(await repository.insertMany([first])).toBe(1);
      const retried = { ...first, outcome: 'late-reply', request_id: 'req-retry' };
      const fresh = entry();
      expect(await repository.insertMany([retried, fresh])).toBe(1);
      expect(await repository.count()).toBe(2);
      const rows = await repository.byOpenid('oReader');
      expect(rows.find((r) => r.dedupe_key === first.dedupe_key)).toMatchObject({
        outcome: 'replied',
        request_id: first.request_id,
      });
    });

    it('keeps the first of two entries with the same key within one batch', async () => {
      const a = entry();
      const b = { ...entry(), dedupe_key: a.dedupe_key, summary: 'second copy' };
      const c = entry();
      expect(await repository.insertMany([a, b, c])).toBe(2);
      expect(await repository.count()).toBe(2);
      const logged = (await repository.recent(10)).filter((r) => r.dedupe_key === a.dedupe_key);
      expect(logged).toHaveLength(1);
      expect(logged[0]!.summary).toBe(a.summary);
    });

    it('stores nulls and Chinese text as they are', async () => {
      const row = entry({
        event: null,
        reply_type: null,
        reply_summary: null,
        request_id: null,
        summary: '《紅樓夢》 🐉 hongloumeng',
      });
      await repository.insertMany([row]);
      expect((await repository.recent(1))[0]).toMatchObject({
        event: null,
        reply_type: null,
        reply_summary: null,
        request_id: null,
        summary: '《紅樓夢》 🐉 hongloumeng',
      });
    });

    it('lists a reader’s pushes newest first, only theirs, up to the limit', async () => {
      await repository.insertMany([
        entry({ openid: 'oA', received_at: T0 + 2000, summary: 'A2' }),
        entry({ openid: 'oB', received_at: T0 + 5000, summary: 'B1' }),
        entry({ openid: 'oA', received_at: T0 + 9000, summary: 'A3' }),
        entry({ openid: 'oA', received_at: T0 + 1000, summary: 'A1' }),
      ]);
      expect((await repository.byOpenid('oA')).map((r) => r.summary)).toEqual(['A3', 'A2', 'A1']);
      expect((await repository.byOpenid('oA', 2)).map((r) => r.summary)).toEqual(['A3', 'A2']);
      expect((await repository.byOpenid('oB')).map((r) => r.summary)).toEqual(['B1']);
      expect(await repository.byOpenid('oNobody')).toEqual([]);
    });

    it('lists recent pushes newest first, by receipt time rather than insertion order', async () => {
      await repository.insertMany([entry({ received_at: T0 + 3000, summary: 'third' })]);
      await repository.insertMany([
        entry({ received_at: T0 + 1000, summary: 'first' }),
        entry({ received_at: T0 + 4000, summary: 'fourth' }),
        entry({ received_at: T0 + 2000, summary: 'second' }),
      ]);
      expect((await repository.recent()).map((r) => r.summary)).toEqual([
        'fourth',
        'third',
        'second',
        'first',
      ]);
      expect((await repository.recent(2)).map((r) => r.summary)).toEqual(['fourth', 'third']);
    });

    it('counts by message type, events by their name, since a time, most first', async () => {
      const rows = [
        ...Array.from({ length: 4 }, (_, i) => entry({ msg_type: 'text', received_at: T0 + i })),
        ...Array.from({ length: 3 }, (_, i) =>
          entry({ msg_type: 'event', event: 'CLICK', received_at: T0 + 10 + i }),
        ),
        ...Array.from({ length: 2 }, (_, i) =>
          entry({ msg_type: 'event', event: 'subscribe', received_at: T0 + 20 + i }),
        ),
        entry({ msg_type: 'voice', received_at: T0 + 30 }),
        // Before the window: not counted.
        ...Array.from({ length: 5 }, (_, i) =>
          entry({ msg_type: 'image', received_at: T0 - 1000 - i }),
        ),
      ];
      await repository.insertMany(rows);
      expect(await repository.countByType(T0)).toEqual([
        { type: 'text', n: 4 },
        { type: 'CLICK', n: 3 },
        { type: 'subscribe', n: 2 },
        { type: 'voice', n: 1 },
      ]);
      expect(await repository.countByType(T0 + 25)).toEqual([{ type: 'voice', n: 1 }]);
      expect(await repository.countByType(T0 + 60_000)).toEqual([]);
      expect(await repository.count()).toBe(15);
    });
  },
);
