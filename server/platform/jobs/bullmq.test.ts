import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../metrics.ts';
import { BullJobs } from './bullmq.ts';
import { PermanentJobError } from './types.ts';

/**
 * The scale-out job backend against a real Redis. Every test has a queue of its
 * own under a prefix of this run, so parallel runs never see each other's jobs;
 * the keys are removed afterwards.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const runPrefix = `shulin-test:bull:${process.pid}:${randomUUID().slice(0, 8)}`;
const logger = pino({ level: 'silent' });

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function counter(metrics: Metrics, name: string, outcome: string): Promise<number> {
  const values = (await metrics.jobOutcomes.get()).values;
  return values.find((v) => v.labels.name === name && v.labels.outcome === outcome)?.value ?? 0;
}

describe.skipIf(!redisUrl)('BullMQ jobs on Redis', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  let queueName = '';

  function makeJobs(options: { concurrency?: number; metrics?: Metrics } = {}) {
    const jobs = new BullJobs({
      redisUrl: redisUrl!,
      logger,
      metrics: options.metrics ?? createMetrics({ defaultMetrics: false }),
      queueName,
      prefix: runPrefix,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    });
    open.push(jobs);
    return jobs;
  }

  /** BullMQ's own view of the queue, to check states the Jobs interface does not expose. */
  function inspect() {
    const queue = new Queue(queueName, { connection: { url: redisUrl! }, prefix: runPrefix });
    open.push(queue);
    return queue;
  }

  function newQueue() {
    queueName = `q-${randomUUID().slice(0, 8)}`;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  afterAll(async () => {
    const raw = new Redis(redisUrl!);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${runPrefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await raw.del(...keys);
      } while (cursor !== '0');
    } finally {
      await raw.quit();
    }
  });

  it('runs a job once with its payload and context', async () => {
    newQueue();
    const jobs = makeJobs();
    const seen: Array<{ payload: unknown; attempt: number; maxAttempts: number; jobId: string }> =
      [];
    jobs.define<{ n: number; text: string }>({
      name: 'echo',
      maxAttempts: 3,
      handler: async (payload, ctx) => void seen.push({ payload, ...ctx }),
    });
    await jobs.start();
    const { id, duplicate } = await jobs.enqueue('echo', { n: 1, text: '书林' });
    expect(duplicate).toBe(false);
    await waitFor(() => seen.length === 1);
    await jobs.drain();
    expect(seen).toEqual([
      { payload: { n: 1, text: '书林' }, attempt: 1, maxAttempts: 3, jobId: id },
    ]);
    expect(await (await inspect().getJob(id))?.getState()).toBe('completed');
    expect(await jobs.status()).toMatchObject({
      backend: 'bullmq',
      ok: true,
      running: true,
      pending: 0,
      failed: 0,
    });
  });

  it('refuses to enqueue a job nobody defined', async () => {
    newQueue();
    const jobs = makeJobs();
    await expect(jobs.enqueue('nope', {})).rejects.toThrow(/No job named nope/);
  });

  it('deduplicates by key, for concurrent enqueues and after the job has finished', async () => {
    newQueue();
    const jobs = makeJobs();
    let runs = 0;
    jobs.define({ name: 'once', handler: async () => void runs++ });
    // Keys carry ':' (which BullMQ refuses in ids) and non-ASCII text.
    const key = 'late:msg:6054768590064713728:oQ3nQ5Xr5o0q1Z6Lz6i7nUq1VbUo:续借';
    const results = await Promise.all(
      Array.from({ length: 8 }, () => jobs.enqueue('once', {}, { key })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    await jobs.start();
    await waitFor(() => runs === 1);
    await jobs.drain();
    const late = await jobs.enqueue('once', {}, { key });
    expect(late).toEqual({ id: results[0]!.id, duplicate: true });
    const other = await jobs.enqueue('once', {}, { key: `${key}:2` });
    expect(other.duplicate).toBe(false);
    await waitFor(() => runs === 2);
    await jobs.drain();
    expect(runs).toBe(2);
  });

  it('retries with the definition’s backoff, then succeeds', async () => {
    newQueue();
    const jobs = makeJobs();
    const attempts: Array<{ attempt: number; at: number }> = [];
    const retries: number[] = [];
    jobs.define({
      name: 'flaky',
      maxAttempts: 4,
      backoffMs: (retry) => {
        retries.push(retry);
        return 40 * retry;
      },
      handler: async (_p, ctx) => {
        attempts.push({ attempt: ctx.attempt, at: Date.now() });
        if (ctx.attempt < 3) throw new Error('peer busy');
      },
    });
    await jobs.start();
    const { id } = await jobs.enqueue('flaky', {});
    await waitFor(() => attempts.length === 3);
    await jobs.drain();
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(35);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(75);
    const job = await inspect().getJob(id);
    expect(await job?.getState()).toBe('completed');
    expect(await jobs.status()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('stops at once on a PermanentJobError, and after the last try otherwise', async () => {
    newQueue();
    const metrics = createMetrics({ defaultMetrics: false });
    const jobs = makeJobs({ metrics });
    let permanentRuns = 0;
    let brokenRuns = 0;
    jobs.define({
      name: 'refused',
      maxAttempts: 5,
      backoffMs: () => 10,
      handler: async () => {
        permanentRuns++;
        throw new PermanentJobError('quota exceeded');
      },
    });
    jobs.define({
      name: 'broken',
      maxAttempts: 2,
      backoffMs: () => 10,
      handler: async () => {
        brokenRuns++;
        throw new Error('nope');
      },
    });
    await jobs.start();
    const a = await jobs.enqueue('refused', {});
    const b = await jobs.enqueue('broken', {});
    await waitFor(async () => (await jobs.status()).failed === 2);
    await jobs.drain();
    expect(permanentRuns).toBe(1);
    expect(brokenRuns).toBe(2);
    const queue = inspect();
    const jobA = await queue.getJob(a.id);
    const jobB = await queue.getJob(b.id);
    expect(await jobA?.getState()).toBe('failed');
    expect(jobA?.failedReason).toBe('quota exceeded');
    expect(jobA?.attemptsMade).toBe(1);
    expect(await jobB?.getState()).toBe('failed');
    expect(jobB?.failedReason).toBe('nope');
    expect(jobB?.attemptsMade).toBe(2);
    expect(await jobs.status()).toMatchObject({ ok: true, pending: 0, failed: 2 });
    expect(await counter(metrics, 'refused', 'failed')).toBe(1);
    expect(await counter(metrics, 'refused', 'retried')).toBe(0);
    expect(await counter(metrics, 'broken', 'retried')).toBe(1);
    expect(await counter(metrics, 'broken', 'failed')).toBe(1);
  });

  it('reports pending, delayed and running in status()', async () => {
    newQueue();
    const jobs = makeJobs();
    const seen: number[] = [];
    jobs.define<{ n: number }>({ name: 'count', handler: async (p) => void seen.push(p.n) });
    expect(await jobs.status()).toEqual({
      backend: 'bullmq',
      ok: true,
      running: false,
      pending: 0,
      failed: 0,
    });
    await jobs.enqueue('count', { n: 1 });
    await jobs.enqueue('count', { n: 2 });
    await jobs.enqueue('count', { n: 3 }, { delayMs: 60_000 });
    expect(await jobs.status()).toMatchObject({ running: false, pending: 3, failed: 0 });
    await jobs.start();
    await waitFor(() => seen.length === 2);
    await waitFor(async () => (await jobs.status()).pending === 1);
    expect(await jobs.status()).toMatchObject({ running: true, pending: 1 });
    expect(seen.sort()).toEqual([1, 2]);
    await jobs.stop();
    expect((await jobs.status()).running).toBe(false);
  });

  it('finishes the running job on stop()', async () => {
    newQueue();
    const jobs = makeJobs();
    let started = false;
    let finished = false;
    jobs.define({
      name: 'slow',
      handler: async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 100));
        finished = true;
      },
    });
    await jobs.start();
    const { id } = await jobs.enqueue('slow', {});
    await waitFor(() => started);
    await jobs.stop();
    expect(finished).toBe(true);
    expect(await (await inspect().getJob(id))?.getState()).toBe('completed');
  });

  it('runs each job exactly once across two instances sharing the queue', async () => {
    newQueue();
    const a = makeJobs({ concurrency: 1 });
    const b = makeJobs({ concurrency: 1 });
    const runs: Array<{ n: number; by: 'a' | 'b' }> = [];
    const started = { a: 0, b: 0 };
    // Each instance's first job waits until the other instance has started one as well:
    // this only finishes if both processes really take work from the same queue.
    const define = (jobs: BullJobs, by: 'a' | 'b') =>
      jobs.define<{ n: number }>({
        name: 'work',
        handler: async (p) => {
          started[by]++;
          if (started[by] === 1) await waitFor(() => started[by === 'a' ? 'b' : 'a'] > 0);
          runs.push({ n: p.n, by });
        },
      });
    define(a, 'a');
    define(b, 'b');
    // Both "processes" enqueue, and some enqueues repeat a key the other process used.
    const enqueued = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? a : b).enqueue(
          'work',
          { n: i % 20 },
          i >= 20 ? { key: `job-${i % 20}` } : {},
        ),
      ),
    );
    const keyed = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? b : a).enqueue('work', { n: i }, { key: `job-${i}` }),
      ),
    );
    expect(enqueued.filter((r) => r.duplicate)).toHaveLength(0);
    expect(keyed.every((r) => r.duplicate)).toBe(true);
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => runs.length === 30);
    await Promise.all([a.drain(), b.drain()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(runs).toHaveLength(30);
    expect(started.a).toBeGreaterThan(0);
    expect(started.b).toBeGreaterThan(0);
    const perN = new Map<number, number>();
    for (const r of runs) perN.set(r.n, (perN.get(r.n) ?? 0) + 1);
    // n 0..9 ran unkeyed once and under job-0..9 once (the repeated keys added nothing); n 10..19 once.
    expect([...perN.entries()].sort((x, y) => x[0] - y[0])).toEqual(
      Array.from({ length: 20 }, (_, n) => [n, n < 10 ? 2 : 1] as [number, number]),
    );
  });

  it('fails a job no instance has a handler for, at once', async () => {
    newQueue();
    const producer = makeJobs();
    producer.define({ name: 'orphan', handler: async () => undefined });
    const { id } = await producer.enqueue('orphan', {});
    const worker = makeJobs();
    await worker.start();
    const queue = inspect();
    await waitFor(async () => (await (await queue.getJob(id))?.getState()) === 'failed');
    const job = await queue.getJob(id);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/no handler/);
  });

  it('reports a dead Redis in status() without hanging', async () => {
    newQueue();
    const jobs = new BullJobs({
      redisUrl: 'redis://127.0.0.1:1/15',
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      queueName,
      prefix: runPrefix,
    });
    open.push(jobs);
    const started = Date.now();
    const status = await jobs.status();
    expect(status).toMatchObject({ backend: 'bullmq', ok: false });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses an enqueue with a clear error when Redis is dead, instead of hanging', async () => {
    newQueue();
    const jobs = new BullJobs({
      redisUrl: 'redis://127.0.0.1:1/15',
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      queueName,
      prefix: runPrefix,
    });
    open.push(jobs);
    jobs.define({ name: 'never', handler: async () => undefined });
    const started = Date.now();
    await expect(jobs.enqueue('never', {}, { key: 'k1' })).rejects.toThrow(/did not take the job/);
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
