import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Metrics } from '../metrics.ts';
import type { JobsRepository } from './repository.ts';
import {
  PermanentJobError,
  defaultBackoffMs,
  type EnqueueOptions,
  type JobDefinition,
  type Jobs,
  type JobsStatus,
} from './types.ts';

export interface LocalJobsDeps {
  readonly repository: JobsRepository;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** How often the queue is looked at when nothing wakes it. */
  readonly pollMs?: number;
  readonly concurrency?: number;
  /** A running job not finished within this time counts as abandoned (its process died). */
  readonly leaseMs?: number;
}

const DONE_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * The in-process backend. Jobs are rows in the database, so a restart loses none:
 * pending ones run after start-up, and ones that were running when the process
 * died go back to the queue once their lease runs out.
 */
export class LocalJobs implements Jobs {
  readonly backend = 'local' as const;
  readonly #deps: LocalJobsDeps;
  readonly #definitions = new Map<string, JobDefinition<unknown>>();
  readonly #active = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #ticking = false;
  #again = false;
  #lastPurge = 0;

  constructor(deps: LocalJobsDeps) {
    this.#deps = deps;
  }

  define<P>(definition: JobDefinition<P>): void {
    this.#definitions.set(definition.name, definition as JobDefinition<unknown>);
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}) {
    const definition = this.#definitions.get(name);
    if (!definition) throw new Error(`No job named ${name} is defined`);
    const now = this.#deps.clock.now();
    const result = await this.#deps.repository.insert({
      id: randomUUID(),
      name,
      key: options.key ?? null,
      payload: JSON.stringify(payload),
      status: 'pending',
      attempts: 0,
      max_attempts: definition.maxAttempts ?? 5,
      run_at: now + (options.delayMs ?? 0),
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    });
    if (!result.duplicate && (options.delayMs ?? 0) === 0) this.#wake();
    return result;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#deps.repository.releaseExpired(this.#deps.clock.now());
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#active]);
  }

  async status(): Promise<JobsStatus> {
    try {
      const counts = await this.#deps.repository.counts();
      this.#deps.metrics.jobsPending.set(counts.pending);
      return {
        backend: 'local',
        ok: true,
        running: this.#running,
        pending: counts.pending,
        failed: counts.failed,
      };
    } catch (error) {
      return {
        backend: 'local',
        ok: false,
        running: this.#running,
        pending: 0,
        failed: 0,
        error: (error as Error).message,
      };
    }
  }

  /** Resolves once no job is pending or running, retries included (tests). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await Promise.allSettled([...this.#active]);
      const counts = await this.#deps.repository.counts();
      if (counts.pending + counts.running === 0 && this.#active.size === 0) return;
      if (Date.now() > deadline) throw new Error('Jobs did not drain in time');
      this.#wake();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  #wake(): void {
    if (!this.#running) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delay);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (!this.#running || this.#ticking) return;
    this.#ticking = true;
    this.#again = false;
    const { repository, clock, logger } = this.#deps;
    try {
      const now = clock.now();
      await repository.releaseExpired(now);
      if (now - this.#lastPurge > 3600_000) {
        this.#lastPurge = now;
        await repository.purgeDone(now - DONE_RETENTION_MS);
      }
      const free = (this.#deps.concurrency ?? 4) - this.#active.size;
      if (free > 0) {
        for (const row of await repository.due(now, free)) {
          if (!(await repository.claim(row.id, now, this.#deps.leaseMs ?? 60_000))) continue;
          const run = this.#run(row.id, row.name, row.payload, row.attempts + 1, row.max_attempts);
          this.#active.add(run);
          void run.finally(() => {
            this.#active.delete(run);
            this.#wake();
          });
        }
      }
    } catch (error) {
      logger.error({ err: error }, 'job queue poll failed');
    } finally {
      this.#ticking = false;
      if (this.#running) this.#schedule(this.#again ? 0 : (this.#deps.pollMs ?? 1000));
    }
  }

  async #run(id: string, name: string, payloadText: string, attempt: number, maxAttempts: number) {
    const { repository, clock, logger, metrics } = this.#deps;
    const definition = this.#definitions.get(name);
    const log = logger.child({ job: name, jobId: id, attempt });
    if (!definition) {
      await repository.fail(id, `no handler for job ${name}`, clock.now());
      log.error('job has no handler in this process');
      metrics.jobOutcomes.inc({ name, outcome: 'failed' });
      return;
    }
    try {
      await definition.handler(JSON.parse(payloadText) as unknown, {
        jobId: id,
        attempt,
        maxAttempts,
      });
      await repository.complete(id, clock.now());
      metrics.jobOutcomes.inc({ name, outcome: 'completed' });
      log.debug('job completed');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof PermanentJobError;
      if (permanent || attempt >= maxAttempts) {
        await repository.fail(id, message, clock.now());
        metrics.jobOutcomes.inc({ name, outcome: 'failed' });
        log.error(
          { err: error },
          permanent ? 'job failed permanently' : 'job failed, no tries left',
        );
      } else {
        const wait = (definition.backoffMs ?? defaultBackoffMs)(attempt);
        await repository.retry(id, clock.now() + wait, message, clock.now());
        metrics.jobOutcomes.inc({ name, outcome: 'retried' });
        log.warn({ err: error, retryInMs: wait }, 'job failed, will retry');
      }
    }
  }
}
