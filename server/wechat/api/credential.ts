import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kv } from '../../platform/kv/types.ts';

export interface FetchedCredential {
  value: string;
  /** Lifetime WeChat announced for this value. */
  expiresInSeconds: number;
}

export interface CredentialCacheOptions {
  kv: Kv;
  appid: string;
  /** `access_token`, `jsapi_ticket`…: names the keys `wx:{appid}:{name}` and `wx:{appid}:lock:{name}`. */
  name: string;
  /** Asks WeChat for a fresh value; called by at most one instance at a time. */
  fetch: () => Promise<FetchedCredential>;
  /** Dropped from the announced lifetime so no caller uses a value about to die; default 300. */
  safetyMarginSeconds?: number;
  /** Floor of the cached lifetime, so a short-lived answer is not refetched in a loop; default 30. */
  minTtlSeconds?: number;
  /** How long a fetcher holds the lock before others may assume it died; default 5000. */
  lockTtlMs?: number;
  /** Base interval between cache polls while another instance fetches (jittered ×1–2); default 25. */
  pollMs?: number;
  /** Give up waiting for other instances after this long; default 15000. */
  waitTimeoutMs?: number;
  /** Called after each successful fetch, e.g. to count refreshes in a metric. */
  onRefresh?: (name: string) => void;
}

/** Waited longer than `waitTimeoutMs` while other instances held the refresh lock. */
export class CredentialWaitTimeoutError extends Error {
  override readonly name: string = 'CredentialWaitTimeoutError';
  constructor(credential: string, waitedMs: number) {
    super(`gave up after ${waitedMs} ms waiting for another instance to refresh ${credential}`);
  }
}

/**
 * A credential (access_token, jsapi_ticket) shared by every instance that uses the same
 * Kv, refreshed by one of them at a time. Several fetchers would each get a new value
 * and invalidate the others' (pain point #1, research §4.3), so a miss takes a Kv lock
 * (`SET NX PX`) and the losers poll the cache; inside one process concurrent misses
 * also share one promise, so a burst costs one lock attempt per process.
 *
 * @example
 * const token = new CredentialCache({
 *   kv,
 *   appid: 'wx1',
 *   name: 'access_token',
 *   fetch: async () => ({ value: await askWeChat(), expiresInSeconds: 7200 }),
 * });
 * const value = await token.get(); // cached for 7200 − 300 s under wx:wx1:access_token
 * await token.invalidate(value); // after WeChat said 40001 for exactly this value
 */
export class CredentialCache {
  readonly name: string;
  readonly key: string;
  readonly lockKey: string;
  readonly #kv: Kv;
  readonly #fetch: () => Promise<FetchedCredential>;
  readonly #marginSeconds: number;
  readonly #minTtlSeconds: number;
  readonly #lockTtlMs: number;
  readonly #pollMs: number;
  readonly #waitTimeoutMs: number;
  readonly #onRefresh: ((name: string) => void) | undefined;
  #inflight: Promise<string> | undefined;

  constructor(options: CredentialCacheOptions) {
    this.name = options.name;
    this.key = `wx:${options.appid}:${options.name}`;
    this.lockKey = `wx:${options.appid}:lock:${options.name}`;
    this.#kv = options.kv;
    this.#fetch = options.fetch;
    this.#marginSeconds = options.safetyMarginSeconds ?? 300;
    this.#minTtlSeconds = options.minTtlSeconds ?? 30;
    this.#lockTtlMs = options.lockTtlMs ?? 5000;
    this.#pollMs = options.pollMs ?? 25;
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 15_000;
    this.#onRefresh = options.onRefresh;
  }

  /** The cached value, or a fresh one fetched by exactly one instance. */
  async get(): Promise<string> {
    if (this.#inflight) return this.#inflight;
    const cached = await this.#kv.get(this.key);
    if (cached) return cached;
    // Another caller in this process may have started while we read the cache.
    if (this.#inflight) return this.#inflight;
    const inflight = this.#refresh().finally(() => {
      if (this.#inflight === inflight) this.#inflight = undefined;
    });
    this.#inflight = inflight;
    return inflight;
  }

  /**
   * Drops `stale` from the cache if it is still the cached value. A value someone
   * else stored meanwhile is newer and stays; returns whether anything was dropped.
   */
  invalidate(stale: string): Promise<boolean> {
    return this.#kv.compareAndDelete(this.key, stale);
  }

  /** The lifetime to cache a value for: announced minus margin, at least the floor, never more than announced. */
  ttlSecondsFor(expiresInSeconds: number): number {
    return Math.min(
      expiresInSeconds,
      Math.max(this.#minTtlSeconds, expiresInSeconds - this.#marginSeconds),
    );
  }

  async #refresh(): Promise<string> {
    const started = Date.now();
    const timedOut = (): boolean => Date.now() - started > this.#waitTimeoutMs;
    for (;;) {
      const lockValue = randomUUID();
      if (await this.#kv.set(this.lockKey, lockValue, { ttlMs: this.#lockTtlMs, nx: true })) {
        try {
          return await this.#fetchAndStore();
        } finally {
          // Only our own lock: if it expired and another instance took it, theirs stays.
          await this.#kv.compareAndDelete(this.lockKey, lockValue).catch(() => false);
        }
      }
      for (;;) {
        await sleep(this.#pollMs * (1 + Math.random()));
        const value = await this.#kv.get(this.key);
        if (value) return value;
        // Lock gone and still no value: the holder failed or died; try to take over.
        if ((await this.#kv.get(this.lockKey)) === null) break;
        if (timedOut()) throw new CredentialWaitTimeoutError(this.name, Date.now() - started);
      }
      if (timedOut()) throw new CredentialWaitTimeoutError(this.name, Date.now() - started);
    }
  }

  async #fetchAndStore(): Promise<string> {
    // Between our miss and our lock another instance may have finished a refresh.
    const stored = await this.#kv.get(this.key);
    if (stored) return stored;
    const fetched = await this.#fetch();
    const ttlSeconds = this.ttlSecondsFor(fetched.expiresInSeconds);
    if (ttlSeconds > 0) await this.#kv.set(this.key, fetched.value, { ttlMs: ttlSeconds * 1000 });
    try {
      this.#onRefresh?.(this.name);
    } catch {
      // A metrics callback must not fail the call that needed the credential.
    }
    return fetched.value;
  }
}
