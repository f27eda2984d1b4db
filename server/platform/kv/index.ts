import { MemoryKv } from './memory.ts';
import { RedisKv } from './redis.ts';
import type { Kv } from './types.ts';

export type { Kv } from './types.ts';
export { MemoryKv } from './memory.ts';
export { RedisKv } from './redis.ts';

/** Redis when a URL is configured, otherwise the in-process store. */
export function createKv(options: { redisUrl?: string | undefined; prefix?: string }): Kv {
  if (options.redisUrl) {
    return new RedisKv(options.redisUrl, options.prefix ? { prefix: options.prefix } : {});
  }
  return new MemoryKv();
}
