import { Redis } from 'ioredis';
import type { Kv } from './types.ts';

const COMPARE_AND_DELETE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const INCR_WINDOW = `local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n`;

/** The Redis backend, shared by every instance that points at the same server and prefix. */
export class RedisKv implements Kv {
  readonly backend = 'redis' as const;
  readonly #redis: Redis;

  constructor(url: string, options: { prefix?: string } = {}) {
    this.#redis = new Redis(url, {
      keyPrefix: options.prefix ?? 'shulin:',
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    // Connection errors surface on the calls that need Redis; this keeps them off stderr.
    this.#redis.on('error', () => undefined);
  }

  get(key: string): Promise<string | null> {
    return this.#redis.get(key);
  }

  async set(
    key: string,
    value: string,
    options: { ttlMs?: number; nx?: boolean } = {},
  ): Promise<boolean> {
    let result: string | null;
    if (options.ttlMs !== undefined && options.nx) {
      result = await this.#redis.set(key, value, 'PX', Math.max(1, Math.ceil(options.ttlMs)), 'NX');
    } else if (options.ttlMs !== undefined) {
      result = await this.#redis.set(key, value, 'PX', Math.max(1, Math.ceil(options.ttlMs)));
    } else if (options.nx) {
      result = await this.#redis.set(key, value, 'NX');
    } else {
      result = await this.#redis.set(key, value);
    }
    return result === 'OK';
  }

  async del(key: string): Promise<void> {
    await this.#redis.del(key);
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    const removed = await this.#redis.eval(COMPARE_AND_DELETE, 1, key, expected);
    return removed === 1;
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const n = await this.#redis.eval(INCR_WINDOW, 1, key, String(Math.max(1, Math.ceil(ttlMs))));
    return Number(n);
  }

  async ttl(key: string): Promise<number | null> {
    const ms = await this.#redis.pttl(key);
    return ms < 0 ? null : ms;
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
