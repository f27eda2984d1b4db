/**
 * A small key-value store for the things that must be shared between the
 * instances of a scale-out deployment: the WeChat token cache, single-flight
 * locks, push dedupe and rate limits. In-process for one instance, Redis for many.
 */
export interface Kv {
  /** Which backend answers: `memory` or `redis`. */
  readonly backend: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /**
   * Sets `key`. With `nx` only when it does not exist yet; returns whether it was written.
   * `ttlMs` makes the key expire.
   */
  set(key: string, value: string, options?: { ttlMs?: number; nx?: boolean }): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Deletes `key` only while it still holds `expected` (atomic); returns whether it did. */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  /**
   * Adds 1 to a counter and returns the new value; the first increment starts its
   * `ttlMs` window (a fixed-window rate limit).
   */
  incr(key: string, ttlMs: number): Promise<number>;
  /** Remaining time to live in ms, or null when the key is missing or does not expire. */
  ttl(key: string): Promise<number | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
