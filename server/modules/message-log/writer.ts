import type { Logger } from 'pino';
import type { MessageLogRepository, NewMessageLogRow } from './repository.ts';

/**
 * Writes the message log behind the reply: the reader's answer never waits for
 * the database. Entries are batched into one insert per flush; on shutdown the
 * buffer is flushed. A failed flush is retried once with the next batch, then
 * logged and dropped, so a dead database cannot grow memory without bound.
 */
export class MessageLogWriter {
  readonly #repository: MessageLogRepository;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #flushMs: number;
  #buffer: NewMessageLogRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #retry: NewMessageLogRow[] = [];

  constructor(deps: {
    repository: MessageLogRepository;
    logger: Logger;
    maxBatch?: number;
    flushMs?: number;
  }) {
    this.#repository = deps.repository;
    this.#logger = deps.logger;
    this.#maxBatch = deps.maxBatch ?? 500;
    this.#flushMs = deps.flushMs ?? 50;
  }

  record(row: NewMessageLogRow): void {
    this.#buffer.push(row);
    if (this.#buffer.length >= this.#maxBatch) {
      void this.flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
      this.#timer.unref();
    }
  }

  /** Writes everything recorded so far; resolves when it is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#retry.concat(this.#buffer);
    const retried = this.#retry.length;
    this.#buffer = [];
    this.#retry = [];
    if (batch.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(async () => {
      try {
        await this.#repository.insertMany(batch);
      } catch (error) {
        if (retried === 0) {
          // Appended: another batch taken before this failure was known may have failed too.
          this.#retry = this.#retry.concat(batch);
          this.#logger.warn(
            { err: error, entries: batch.length },
            'message log write failed; will retry',
          );
          if (!this.#timer) {
            this.#timer = setTimeout(() => void this.flush(), this.#flushMs * 10);
            this.#timer.unref();
          }
        } else {
          this.#logger.error({ err: error, entries: batch.length }, 'message log entries dropped');
        }
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.#retry.length > 0) await this.flush();
  }
}
