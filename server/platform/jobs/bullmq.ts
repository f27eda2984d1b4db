import { Queue, UnrecoverableError, Worker, type Job, type MinimalJob } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.ts';
import {
  PermanentJobError,
  defaultBackoffMs,
  type EnqueueOptions,
  type JobDefinition,
  type Jobs,
  type JobsStatus,
} from './types.ts';

export interface BullJobsDeps {
  readonly redisUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly queueName?: string;
  readonly prefix?: string;
  readonly concurrency?: number;
}

function connectionOptions(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

const STATUS_TIMEOUT_MS = 2000;
const ENQUEUE_TIMEOUT_MS = 5_000;

/** The scale-out backend: every instance shares one BullMQ queue on Redis. */
export class BullJobs implements Jobs {
  readonly backend = 'bullmq' as const;
  readonly #deps: BullJobsDeps;
  readonly #definitions = new Map<string, JobDefinition<unknown>>();
  readonly #queue: Queue;
  /** Keyed enqueues under way in this process, so that concurrent ones see each other. */
  readonly #enqueuing = new Map<string, Promise<boolean>>();
  #worker: Worker | undefined;

  constructor(deps: BullJobsDeps) {
    this.#deps = deps;
    this.#queue = new Queue(deps.queueName ?? 'shulin', {
      connection: connectionOptions(deps.redisUrl),
      prefix: deps.prefix ?? 'shulin:bull',
    });
    this.#queue.on('error', (error) => deps.logger.error({ err: error }, 'job queue error'));
  }

  define<P>(definition: JobDefinition<P>): void {
    this.#definitions.set(definition.name, definition as JobDefinition<unknown>);
  }

  /**
   * Adds a job. While Redis is down BullMQ would wait for it without end; a caller
   * (a late WeChat reply, a shutdown) gets an error after `ENQUEUE_TIMEOUT_MS` instead.
   * The add may still land once Redis is back: keyed jobs stay deduplicated then.
   */
  async enqueue<P>(
    name: string,
    payload: P,
    options: EnqueueOptions = {},
  ): Promise<{ id: string; duplicate: boolean }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not take the job within ${ENQUEUE_TIMEOUT_MS} ms`)),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([this.#enqueue(name, payload, options), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #enqueue<P>(
    name: string,
    payload: P,
    options: EnqueueOptions,
  ): Promise<{ id: string; duplicate: boolean }> {
    const definition = this.#definitions.get(name);
    if (!definition) throw new Error(`No job named ${name} is defined`);
    // BullMQ refuses ':' in custom ids; the key is hashed into a safe id instead.
    const jobId = options.key
      ? `k-${Buffer.from(options.key).toString('base64url')}`
      : randomUUID();
    const add = () =>
      this.#queue.add(name, payload, {
        jobId,
        attempts: definition.maxAttempts ?? 5,
        delay: options.delayMs ?? 0,
        backoff: { type: 'custom' },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      });
    if (!options.key) {
      await add();
      return { id: jobId, duplicate: false };
    }
    // BullMQ adds a job once per id but answers a repeated add like a first one, so a
    // keyed enqueue racing another in this process waits for it and reports the duplicate.
    const racing = this.#enqueuing.get(jobId);
    if (racing) {
      const added = await racing.catch(() => undefined);
      // The other add failed: try again (this one may be the first to get through).
      if (added === undefined) return this.#enqueue(name, payload, options);
      return { id: jobId, duplicate: true };
    }
    const attempt = (async () => {
      if (await this.#queue.getJob(jobId)) return true;
      await add();
      return false;
    })();
    this.#enqueuing.set(jobId, attempt);
    try {
      return { id: jobId, duplicate: await attempt };
    } finally {
      if (this.#enqueuing.get(jobId) === attempt) this.#enqueuing.delete(jobId);
    }
  }

  start(): Promise<void> {
    if (this.#worker) return Promise.resolve();
    const { logger, metrics } = this.#deps;
    this.#worker = new Worker(
      this.#deps.queueName ?? 'shulin',
      async (job: Job) => {
        const definition = this.#definitions.get(job.name);
        if (!definition) throw new UnrecoverableError(`no handler for job ${job.name}`);
        const attempt = job.attemptsMade + 1;
        try {
          await definition.handler(job.data as unknown, {
            jobId: job.id ?? '',
            attempt,
            maxAttempts: job.opts.attempts ?? 1,
          });
          metrics.jobOutcomes.inc({ name: job.name, outcome: 'completed' });
        } catch (error) {
          const last = error instanceof PermanentJobError || attempt >= (job.opts.attempts ?? 1);
          metrics.jobOutcomes.inc({ name: job.name, outcome: last ? 'failed' : 'retried' });
          logger.warn({ err: error, job: job.name, jobId: job.id, attempt }, 'job attempt failed');
          if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection: connectionOptions(this.#deps.redisUrl),
        prefix: this.#deps.prefix ?? 'shulin:bull',
        concurrency: this.#deps.concurrency ?? 4,
        settings: {
          backoffStrategy: (
            attemptsMade: number,
            _type?: string,
            _err?: Error,
            job?: MinimalJob,
          ) => {
            const definition = job ? this.#definitions.get(job.name) : undefined;
            return (definition?.backoffMs ?? defaultBackoffMs)(attemptsMade);
          },
        },
      },
    );
    this.#worker.on('error', (error) => logger.error({ err: error }, 'job worker error'));
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    this.#worker = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.#queue.close();
  }

  async status(): Promise<JobsStatus> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // BullMQ waits for Redis without end while it is down; /healthz must answer anyway.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not answer within ${STATUS_TIMEOUT_MS} ms`)),
          STATUS_TIMEOUT_MS,
        );
      });
      const counts = await Promise.race([
        this.#queue.getJobCounts('waiting', 'delayed', 'active', 'failed'),
        timeout,
      ]);
      return {
        backend: 'bullmq',
        ok: true,
        running: Boolean(this.#worker),
        pending: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0),
        failed: counts.failed ?? 0,
      };
    } catch (error) {
      return {
        backend: 'bullmq',
        ok: false,
        running: Boolean(this.#worker),
        pending: 0,
        failed: 0,
        error: (error as Error).message,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once the queue is empty (tests). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.#queue.getJobCounts('waiting', 'delayed', 'active');
      if ((counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0) === 0) return;
      if (Date.now() > deadline) throw new Error('Jobs did not drain in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
