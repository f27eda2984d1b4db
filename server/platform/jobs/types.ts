/**
 * Retryable, idempotent side effects (a late WeChat reply, a notice, an import).
 * In-process with the jobs persisted in the database, or BullMQ on Redis.
 */
export interface JobContext {
  readonly jobId: string;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export interface JobDefinition<P = unknown> {
  readonly name: string;
  readonly handler: (payload: P, context: JobContext) => Promise<void>;
  /** Tries in all, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Wait before the given retry (1 = the first retry). Default: exponential from 1 s, capped at 5 min. */
  readonly backoffMs?: (retry: number) => number;
}

export interface EnqueueOptions {
  /** Idempotency key: enqueuing the same key again returns the existing job. */
  readonly key?: string;
  readonly delayMs?: number;
}

export interface JobsStatus {
  readonly backend: 'local' | 'bullmq';
  readonly ok: boolean;
  readonly running: boolean;
  readonly pending: number;
  readonly failed: number;
  readonly error?: string;
}

export interface Jobs {
  readonly backend: 'local' | 'bullmq';
  define<P>(definition: JobDefinition<P>): void;
  enqueue<P>(
    name: string,
    payload: P,
    options?: EnqueueOptions,
  ): Promise<{ id: string; duplicate: boolean }>;
  /** Starts working the queue (web instances and workers alike). */
  start(): Promise<void>;
  /** Stops taking new jobs and waits for the running ones. */
  stop(): Promise<void>;
  status(): Promise<JobsStatus>;
}

/** Thrown by a handler when trying again cannot help (bad input, a refusal by the peer). */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export function defaultBackoffMs(retry: number): number {
  return Math.min(300_000, 1000 * 2 ** (retry - 1));
}
