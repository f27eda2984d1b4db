import { Worker } from 'node:worker_threads';
import type { BulkInserter } from './index.ts';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Bulk inserts into a SQLite file on a thread of their own, with their own
 * connection. Append-heavy tables (the message log gets a row per WeChat push)
 * then never hold the event loop, however large they grow; WAL mode lets the
 * two connections share the file, and each batch is one short transaction.
 * The thread starts on first use.
 */
export class SqliteWriterThread implements BulkInserter {
  readonly #file: string;
  #worker: Worker | undefined;
  #next = 0;
  readonly #pending = new Map<
    number,
    { resolve: (n: number) => void; reject: (e: Error) => void }
  >();

  constructor(file: string) {
    this.#file = file;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./sqlite-writer.worker.js', import.meta.url), {
      workerData: { file: this.#file },
    });
    worker.on('message', (message: { id: number; inserted?: number; error?: string }) => {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending.reject(new Error(message.error));
      else pending.resolve(message.inserted ?? 0);
    });
    const failAll = (error: Error) => {
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      this.#worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (this.#pending.size > 0) failAll(new Error(`SQLite writer thread exited (${code})`));
      this.#worker = undefined;
    });
    // The thread must not keep a finished process alive.
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  insertMany(
    table: string,
    rows: readonly Record<string, unknown>[],
    options: { ignoreConflictOn?: string } = {},
  ): Promise<number> {
    const first = rows[0];
    if (!first) return Promise.resolve(0);
    const columns = Object.keys(first);
    for (const name of [
      table,
      ...columns,
      ...(options.ignoreConflictOn ? [options.ignoreConflictOn] : []),
    ]) {
      if (!IDENTIFIER.test(name))
        return Promise.reject(new Error(`Not a plain SQL identifier: ${name}`));
    }
    const values = rows.map((row) => columns.map((c) => row[c] ?? null));
    const id = this.#next++;
    const worker = this.#start();
    // Referenced while a batch is in flight, so that a process about to exit still gets its answer.
    worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, table, columns, rows: values, conflict: options.ignoreConflictOn });
    }).finally(() => {
      if (this.#pending.size === 0) this.#worker?.unref();
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    // Batches already sent finish first: the thread handles messages in order.
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' });
    await exited;
    this.#worker = undefined;
  }
}
