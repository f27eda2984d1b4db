import type { Kv } from './types.ts';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** The in-process backend: one instance, nothing shared, nothing persisted. */
export class MemoryKv implements Kv {
  readonly backend = 'memory' as const;
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #sweep: NodeJS.Timeout | undefined;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    // Expired keys are dropped lazily on read; the sweep bounds memory for keys never read again.
    this.#sweep = setInterval(() => this.#sweepExpired(), 30_000);
    this.#sweep.unref();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweepExpired(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.#live(key)?.value ?? null);
  }

  set(
    key: string,
    value: string,
    options: { ttlMs?: number; nx?: boolean } = {},
  ): Promise<boolean> {
    if (options.nx && this.#live(key)) return Promise.resolve(false);
    const expiresAt = options.ttlMs !== undefined ? this.#now() + options.ttlMs : null;
    this.#entries.set(key, { value, expiresAt });
    return Promise.resolve(true);
  }

  del(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  compareAndDelete(key: string, expected: string): Promise<boolean> {
    const entry = this.#live(key);
    if (!entry || entry.value !== expected) return Promise.resolve(false);
    this.#entries.delete(key);
    return Promise.resolve(true);
  }

  incr(key: string, ttlMs: number): Promise<number> {
    const entry = this.#live(key);
    if (!entry) {
      this.#entries.set(key, { value: '1', expiresAt: this.#now() + ttlMs });
      return Promise.resolve(1);
    }
    const next = Number(entry.value) + 1;
    entry.value = String(next);
    return Promise.resolve(next);
  }

  ttl(key: string): Promise<number | null> {
    const entry = this.#live(key);
    if (!entry || entry.expiresAt === null) return Promise.resolve(null);
    return Promise.resolve(entry.expiresAt - this.#now());
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#entries.clear();
    return Promise.resolve();
  }
}
