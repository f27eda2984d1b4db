import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { tablesOf } from '../db/index.ts';
import { createMetrics } from '../metrics.ts';
import { LocalJobs } from './local.ts';
import { JobsRepository, type JobsTables } from './repository.ts';
import { PermanentJobError } from './types.ts';

describe.each(dialects)('in-process jobs on %s', (dialect) => {
  let tdb: TestDatabase;
  let repository: JobsRepository;
  const logger = pino({ level: 'silent' });

  const makeJobs = () =>
    new LocalJobs({
      repository,
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      clock: { now: () => Date.now() },
      pollMs: 20,
      leaseMs: 200,
    });

  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    repository = new JobsRepository(tablesOf<JobsTables>(tdb.database.db));
  });
  afterEach(async () => {
    await tdb.cleanup();
  });

  it('runs a job once and records it done', async () => {
    const jobs = makeJobs();
    const seen: unknown[] = [];
    jobs.define<{ n: number }>({ name: 'echo', handler: async (p) => void seen.push(p) });
    await jobs.start();
    const { id } = await jobs.enqueue('echo', { n: 1 });
    await jobs.drain();
    expect(seen).toEqual([{ n: 1 }]);
    expect((await repository.get(id))?.status).toBe('done');
    await jobs.stop();
  });

  it('deduplicates by key, even after the first has finished', async () => {
    const jobs = makeJobs();
    let runs = 0;
    jobs.define({ name: 'once', handler: async () => void runs++ });
    await jobs.start();
    const first = await jobs.enqueue('once', {}, { key: 'reply:abc' });
    const again = await Promise.all([
      jobs.enqueue('once', {}, { key: 'reply:abc' }),
      jobs.enqueue('once', {}, { key: 'reply:abc' }),
    ]);
    await jobs.drain();
    const late = await jobs.enqueue('once', {}, { key: 'reply:abc' });
    await jobs.drain();
    expect(runs).toBe(1);
    expect(again.every((r) => r.duplicate && r.id === first.id)).toBe(true);
    expect(late).toEqual({ id: first.id, duplicate: true });
    await jobs.stop();
  });

  it('retries with backoff, then succeeds', async () => {
    const jobs = makeJobs();
    const attempts: number[] = [];
    jobs.define({
      name: 'flaky',
      maxAttempts: 4,
      backoffMs: () => 10,
      handler: async (_p, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error('peer busy');
      },
    });
    await jobs.start();
    const { id } = await jobs.enqueue('flaky', {});
    await jobs.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect((await repository.get(id))?.status).toBe('done');
    await jobs.stop();
  });

  it('stops at a permanent error and when tries run out', async () => {
    const jobs = makeJobs();
    let permanentRuns = 0;
    jobs.define({
      name: 'refused',
      handler: async () => {
        permanentRuns++;
        throw new PermanentJobError('quota exceeded');
      },
    });
    jobs.define({
      name: 'broken',
      maxAttempts: 2,
      backoffMs: () => 5,
      handler: async () => {
        throw new Error('nope');
      },
    });
    await jobs.start();
    const a = await jobs.enqueue('refused', {});
    const b = await jobs.enqueue('broken', {});
    await jobs.drain();
    expect(permanentRuns).toBe(1);
    const rowA = await repository.get(a.id);
    const rowB = await repository.get(b.id);
    expect(rowA).toMatchObject({ status: 'failed', last_error: 'quota exceeded', attempts: 1 });
    expect(rowB).toMatchObject({ status: 'failed', last_error: 'nope', attempts: 2 });
    expect(await jobs.status()).toMatchObject({ ok: true, failed: 2, pending: 0 });
    await jobs.stop();
  });

  it('survives a restart: pending jobs and jobs abandoned mid-run are picked up', async () => {
    const before = makeJobs();
    before.define({ name: 'work', handler: async () => undefined });
    // Enqueued while no worker runs (the process is about to die).
    const pending = await before.enqueue('work', { n: 1 });
    // A job that a dead process had claimed: its lease runs out.
    const abandoned = await before.enqueue('work', { n: 2 });
    expect(await repository.claim(abandoned.id, Date.now(), 50)).toBe(true);

    const after = makeJobs();
    const done: unknown[] = [];
    after.define<{ n: number }>({ name: 'work', handler: async (p) => void done.push(p.n) });
    await new Promise((r) => setTimeout(r, 60));
    await after.start();
    await after.drain();
    expect(done.sort()).toEqual([1, 2]);
    expect((await repository.get(pending.id))?.status).toBe('done');
    expect((await repository.get(abandoned.id))?.status).toBe('done');
    await after.stop();
  });
});
