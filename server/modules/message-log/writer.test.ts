import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
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
import { MessageLogWriter } from './writer.ts';

let seq = 0;
function entry(): NewMessageLogRow {
  seq++;
  return {
    dedupe_key: `msg:${seq}:oReader:1714037059`,
    openid: 'oReader',
    account: 'gh_3d5bd1b5a9ce',
    msg_type: 'text',
    event: null,
    summary: `push ${seq}`,
    mode: 'plain',
    received_at: 1_714_037_059_000 + seq,
    latency_ms: 2,
    outcome: 'replied',
    reply_type: 'text',
    reply_summary: 'ok',
    request_id: `req-${seq}`,
  };
}

/**
 * A stand-in for the repository: it records each insertMany call and fails the
 * calls `failing` says should fail. The writer's own logic (batching, the one
 * retry, dropping) is what these tests look at; the real SQL is tested in
 * repository.test.ts and below.
 */
class StubRepository {
  readonly calls: Array<{ keys: string[]; ok: boolean }> = [];
  constructor(private readonly failing: (call: number) => boolean = () => false) {}
  insertMany(rows: readonly NewMessageLogRow[]): Promise<number> {
    const ok = !this.failing(this.calls.length + 1);
    this.calls.push({ keys: rows.map((r) => r.dedupe_key), ok });
    return ok ? Promise.resolve(rows.length) : Promise.reject(new Error('database is down'));
  }
  /** Every key that reached the database. */
  get written(): string[] {
    return this.calls.filter((c) => c.ok).flatMap((c) => c.keys);
  }
}

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

function writerWith(
  repository: StubRepository,
  options: { maxBatch?: number; flushMs?: number } = {},
) {
  const { logger, lines } = capturingLogger();
  const writer = new MessageLogWriter({
    repository: repository as unknown as MessageLogRepository,
    logger,
    ...options,
  });
  return { writer, lines };
}

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('message log writer', () => {
  it('writes nothing until a batch fills or the flush time passes', async () => {
    const repository = new StubRepository();
    const { writer } = writerWith(repository, { maxBatch: 3, flushMs: 60_000 });
    const rows = Array.from({ length: 7 }, entry);
    for (const row of rows.slice(0, 2)) writer.record(row);
    expect(repository.calls).toHaveLength(0);
    for (const row of rows.slice(2)) writer.record(row);
    await waitFor(() => repository.calls.length === 2);
    expect(repository.calls.map((c) => c.keys)).toEqual([
      rows.slice(0, 3).map((r) => r.dedupe_key),
      rows.slice(3, 6).map((r) => r.dedupe_key),
    ]);
    await writer.close();
    expect(repository.calls.map((c) => c.keys.length)).toEqual([3, 3, 1]);
    expect(repository.written).toEqual(rows.map((r) => r.dedupe_key));
  });

  it('flushes a partial batch after flushMs, in one insert', async () => {
    const repository = new StubRepository();
    const { writer } = writerWith(repository, { maxBatch: 100, flushMs: 20 });
    const rows = [entry(), entry(), entry()];
    for (const row of rows) writer.record(row);
    expect(repository.calls).toHaveLength(0);
    await waitFor(() => repository.calls.length === 1);
    expect(repository.calls[0]!.keys).toEqual(rows.map((r) => r.dedupe_key));
    await writer.close();
    expect(repository.calls).toHaveLength(1);
  });

  it('flushes what is buffered on close, and resolves flush() once it is written', async () => {
    const repository = new StubRepository();
    const { writer } = writerWith(repository, { maxBatch: 100, flushMs: 60_000 });
    const a = entry();
    writer.record(a);
    await writer.flush();
    expect(repository.written).toEqual([a.dedupe_key]);
    const b = entry();
    writer.record(b);
    await writer.close();
    expect(repository.written).toEqual([a.dedupe_key, b.dedupe_key]);
    await writer.close();
    expect(repository.calls).toHaveLength(2);
  });

  it('retries a failed write once, together with the next entries', async () => {
    const repository = new StubRepository((call) => call === 1);
    const { writer, lines } = writerWith(repository, { maxBatch: 100, flushMs: 60_000 });
    const first = [entry(), entry()];
    for (const row of first) writer.record(row);
    await writer.flush();
    expect(repository.written).toEqual([]);
    expect(lines.filter((l) => l.msg === 'message log write failed; will retry')).toHaveLength(1);
    const next = entry();
    writer.record(next);
    await writer.flush();
    expect(repository.calls.map((c) => c.ok)).toEqual([false, true]);
    expect(repository.written).toEqual([...first, next].map((r) => r.dedupe_key));
    expect(lines.filter((l) => l.level === 50)).toHaveLength(0);
    await writer.close();
  });

  it('retries on its own when nothing else is recorded', async () => {
    const repository = new StubRepository((call) => call === 1);
    const { writer } = writerWith(repository, { maxBatch: 100, flushMs: 5 });
    const row = entry();
    writer.record(row);
    await waitFor(() => repository.calls.length === 2);
    expect(repository.calls).toEqual([
      { keys: [row.dedupe_key], ok: false },
      { keys: [row.dedupe_key], ok: true },
    ]);
    await writer.close();
  });

  it('drops entries with an error log after the retry fails too, and keeps no memory of them', async () => {
    const repository = new StubRepository(() => true);
    const { writer, lines } = writerWith(repository, { maxBatch: 100, flushMs: 60_000 });
    const lost = [entry(), entry()];
    for (const row of lost) writer.record(row);
    await writer.flush();
    await writer.flush();
    expect(repository.calls.map((c) => c.keys)).toEqual([
      lost.map((r) => r.dedupe_key),
      lost.map((r) => r.dedupe_key),
    ]);
    const dropped = lines.filter((l) => l.msg === 'message log entries dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ level: 50, entries: 2 });
    // The dead database does not make the buffer grow: later entries go alone.
    const later = entry();
    writer.record(later);
    await writer.flush();
    expect(repository.calls.at(-1)!.keys).toEqual([later.dedupe_key]);
    await writer.close();
    expect(repository.calls.length).toBeLessThanOrEqual(5);
  });

  it('on close, retries a write that failed just before, then gives up with an error log', async () => {
    const repository = new StubRepository(() => true);
    const { writer, lines } = writerWith(repository, { maxBatch: 100, flushMs: 60_000 });
    writer.record(entry());
    writer.record(entry());
    await writer.close();
    expect(repository.calls.map((c) => c.keys.length)).toEqual([2, 2]);
    expect(lines.filter((l) => l.msg === 'message log entries dropped')).toHaveLength(1);
  });

  it('loses no entry silently when two batches in a row fail', async () => {
    // Both batches are queued before the first failure is known.
    const repository = new StubRepository((call) => call <= 2);
    const { writer, lines } = writerWith(repository, { maxBatch: 2, flushMs: 60_000 });
    const rows = [entry(), entry(), entry(), entry()];
    for (const row of rows) writer.record(row);
    await writer.close();
    const written = new Set(repository.written);
    const droppedCount = lines
      .filter((l) => l.msg === 'message log entries dropped')
      .reduce((n, l) => n + Number(l.entries), 0);
    // Every entry either reached the database or was reported lost.
    expect(written.size + droppedCount).toBe(rows.length);
    // Here the database came back, so all of them are in.
    expect([...written].sort()).toEqual(rows.map((r) => r.dedupe_key).sort());
  });
});

describe.each(dialects)('message log writer on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  afterEach(async () => {
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('writes 300 entries in batches, a repeated push once', async () => {
    tdb = await createTestDatabase(dialect);
    const repository = new MessageLogRepository(
      tablesOf<MessageLogTables>(tdb.database.db),
      tdb.database.bulk,
    );
    const { logger, lines } = capturingLogger();
    const writer = new MessageLogWriter({ repository, logger, maxBatch: 128, flushMs: 10 });
    const rows = Array.from({ length: 300 }, entry);
    for (const row of rows) writer.record(row);
    writer.record({ ...rows[10]!, outcome: 'late-reply' });
    await writer.close();
    expect(await repository.count()).toBe(300);
    expect(lines.filter((l) => Number(l.level) >= 40)).toEqual([]);
  });
});
