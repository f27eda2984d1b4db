import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryKv } from './memory.ts';
import { RedisKv } from './redis.ts';
import type { Kv } from './types.ts';

/**
 * One contract, two backends: everything the gateway, the token cache and the
 * rate limits rely on must hold for the in-process store and for Redis alike.
 * Redis runs when TEST_REDIS_URL is set (CI sets it), each run under its own prefix.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const runPrefix = `shulin-test:kv:${process.pid}:${randomUUID().slice(0, 8)}:`;

interface Backend {
  readonly name: 'memory' | 'redis';
  make(prefix: string): Kv;
}

const backends: Backend[] = [
  { name: 'memory', make: () => new MemoryKv() },
  ...(redisUrl
    ? [{ name: 'redis' as const, make: (prefix: string) => new RedisKv(redisUrl, { prefix }) }]
    : []),
];

/** Deletes every key this run wrote (and nothing else in the database). */
async function flushPrefix(prefix: string): Promise<void> {
  if (!redisUrl) return;
  const raw = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await raw.del(...keys);
    } while (cursor !== '0');
  } finally {
    await raw.quit();
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterAll(async () => {
  await flushPrefix(runPrefix);
});

describe.each(backends)('kv contract on $name', (backend) => {
  let kv: Kv;
  let prefix: string;

  beforeEach(() => {
    prefix = `${runPrefix}${randomUUID().slice(0, 8)}:`;
    kv = backend.make(prefix);
  });
  afterEach(async () => {
    await kv.close();
  });

  it('names its backend', () => {
    expect(kv.backend).toBe(backend.name);
  });

  it('gets what was set, overwrites, and answers null for a missing key', async () => {
    expect(await kv.get('missing')).toBeNull();
    expect(await kv.set('a', '1')).toBe(true);
    expect(await kv.get('a')).toBe('1');
    expect(await kv.set('a', '二')).toBe(true);
    expect(await kv.get('a')).toBe('二');
    // Keys and values are opaque strings: WeChat dedupe keys carry colons, replies carry JSON.
    const json = JSON.stringify({ xml: '<xml><![CDATA[书]]></xml>', replyType: 'text' });
    await kv.set('wx:push:msg:1:o:2', json);
    expect(await kv.get('wx:push:msg:1:o:2')).toBe(json);
    expect(await kv.get('wx:push:msg:1:o:3')).toBeNull();
  });

  it('writes with nx only while the key is absent', async () => {
    expect(await kv.set('lock', 'first', { nx: true })).toBe(true);
    expect(await kv.set('lock', 'second', { nx: true })).toBe(false);
    expect(await kv.get('lock')).toBe('first');
    expect(await kv.set('lock', 'third', { nx: true, ttlMs: 1000 })).toBe(false);
    expect(await kv.get('lock')).toBe('first');
    await kv.del('lock');
    expect(await kv.set('lock', 'fourth', { nx: true })).toBe(true);
    expect(await kv.get('lock')).toBe('fourth');
  });

  it('lets exactly one of many concurrent nx writers win', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => kv.set('claim', `w${i}`, { nx: true, ttlMs: 5000 })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await kv.get('claim')).toBe(`w${results.indexOf(true)}`);
  });

  it('expires a key after its ttl, and nx can claim it again', async () => {
    const started = Date.now();
    expect(await kv.set('short', 'v', { ttlMs: 150, nx: true })).toBe(true);
    expect(await kv.get('short')).toBe('v');
    const left = await kv.ttl('short');
    expect(left).not.toBeNull();
    expect(left!).toBeGreaterThan(0);
    expect(left!).toBeLessThanOrEqual(150);
    await waitFor(async () => (await kv.get('short')) === null);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await kv.ttl('short')).toBeNull();
    expect(await kv.set('short', 'again', { nx: true, ttlMs: 1000 })).toBe(true);
    expect(await kv.get('short')).toBe('again');
  });

  it('keeps a key without ttl forever, and a plain set clears an earlier ttl', async () => {
    await kv.set('forever', 'v');
    expect(await kv.ttl('forever')).toBeNull();
    await kv.set('renewed', 'v1', { ttlMs: 5000 });
    expect(await kv.ttl('renewed')).not.toBeNull();
    await kv.set('renewed', 'v2');
    expect(await kv.ttl('renewed')).toBeNull();
    await kv.set('extended', 'v1', { ttlMs: 60 });
    await kv.set('extended', 'v2', { ttlMs: 10_000 });
    expect(await kv.ttl('extended')).toBeGreaterThan(5000);
  });

  it('deletes, and deleting a missing key is no error', async () => {
    await kv.set('gone', 'v', { ttlMs: 10_000 });
    await kv.del('gone');
    expect(await kv.get('gone')).toBeNull();
    expect(await kv.ttl('gone')).toBeNull();
    await expect(kv.del('never-there')).resolves.toBeUndefined();
  });

  it('compare-and-deletes only while the key holds the expected value', async () => {
    await kv.set('token-lock', 'owner-a', { ttlMs: 10_000 });
    expect(await kv.compareAndDelete('token-lock', 'owner-b')).toBe(false);
    expect(await kv.get('token-lock')).toBe('owner-a');
    expect(await kv.compareAndDelete('token-lock', 'owner-a')).toBe(true);
    expect(await kv.get('token-lock')).toBeNull();
    expect(await kv.compareAndDelete('token-lock', 'owner-a')).toBe(false);
    expect(await kv.compareAndDelete('never-there', '')).toBe(false);
  });

  it('does not delete an expired key that a new owner has taken since', async () => {
    await kv.set('lease', 'old-owner', { ttlMs: 30 });
    await waitFor(async () => kv.set('lease', 'new-owner', { nx: true, ttlMs: 10_000 }));
    expect(await kv.compareAndDelete('lease', 'old-owner')).toBe(false);
    expect(await kv.get('lease')).toBe('new-owner');
  });

  it('is atomic: of 50 concurrent compare-and-deletes exactly one wins', async () => {
    await kv.set('contended', 'holder', { ttlMs: 10_000 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => kv.compareAndDelete('contended', 'holder')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await kv.get('contended')).toBeNull();
  });

  it('is atomic under a delete racing fresh writes: a new value is never removed', async () => {
    // 25 owners each take the key in turn while 25 deleters try to drop "old".
    await kv.set('swap', 'old');
    const deletes = Array.from({ length: 25 }, () => kv.compareAndDelete('swap', 'old'));
    const writes = Array.from({ length: 25 }, (_, i) => kv.set('swap', `new${i}`));
    const results = await Promise.all(deletes);
    await Promise.all(writes);
    expect(results.filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(await kv.get('swap')).toBe('new24');
  });

  it('counts in fixed windows: the first incr starts the window, later ones do not extend it', async () => {
    expect(await kv.incr('rate', 250)).toBe(1);
    const first = await kv.ttl('rate');
    expect(first).not.toBeNull();
    expect(first!).toBeGreaterThan(0);
    expect(first!).toBeLessThanOrEqual(250);
    expect(await kv.incr('rate', 10_000)).toBe(2);
    expect(await kv.incr('rate', 10_000)).toBe(3);
    const later = await kv.ttl('rate');
    expect(later!).toBeLessThanOrEqual(first!);
    await waitFor(async () => (await kv.get('rate')) === null);
    expect(await kv.incr('rate', 10_000)).toBe(1);
    expect(await kv.ttl('rate')).toBeGreaterThan(5000);
  });

  it('counts every one of 50 concurrent increments', async () => {
    const values = await Promise.all(Array.from({ length: 50 }, () => kv.incr('burst', 10_000)));
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await kv.get('burst')).toBe('50');
  });

  it('keeps counters apart by key', async () => {
    await kv.incr('wx:cs-quota:message:o1', 10_000);
    await kv.incr('wx:cs-quota:message:o1', 10_000);
    expect(await kv.incr('wx:cs-quota:message:o2', 10_000)).toBe(1);
    expect(await kv.incr('wx:cs-quota:event:o1', 10_000)).toBe(1);
  });

  it('answers ttl() null for a missing key', async () => {
    expect(await kv.ttl('nothing')).toBeNull();
  });

  it('pings', async () => {
    await expect(kv.ping()).resolves.toBeUndefined();
  });

  it('closes, and closing twice is harmless', async () => {
    await kv.set('k', 'v');
    await expect(kv.close()).resolves.toBeUndefined();
    await expect(kv.close()).resolves.toBeUndefined();
  });
});

describe.skipIf(!redisUrl)('RedisKv specifics', () => {
  const opened: Kv[] = [];
  const open = (prefix: string) => {
    const kv = new RedisKv(redisUrl!, { prefix });
    opened.push(kv);
    return kv;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((kv) => kv.close()));
  });

  it('shares keys between instances on one prefix, and isolates other prefixes', async () => {
    const shared = `${runPrefix}shared:`;
    const a = open(shared);
    const b = open(shared);
    const other = open(`${runPrefix}other:`);
    await a.set('k', 'from-a', { ttlMs: 10_000 });
    expect(await b.get('k')).toBe('from-a');
    expect(await other.get('k')).toBeNull();
    expect(await b.set('k', 'from-b', { nx: true })).toBe(false);
    expect(await other.set('k', 'other', { nx: true })).toBe(true);
    // The scripted operations must honour the prefix too (KEYS go through keyPrefix).
    expect(await b.compareAndDelete('k', 'from-a')).toBe(true);
    expect(await a.get('k')).toBeNull();
    expect(await other.get('k')).toBe('other');
    expect(await a.incr('n', 10_000)).toBe(1);
    expect(await b.incr('n', 10_000)).toBe(2);
    expect(await other.incr('n', 10_000)).toBe(1);
  });

  it('stores under the prefix in Redis itself', async () => {
    const prefix = `${runPrefix}raw:`;
    const kv = open(prefix);
    await kv.set('visible', 'v');
    await kv.incr('counter', 10_000);
    const raw = new Redis(redisUrl!);
    try {
      expect(await raw.get(`${prefix}visible`)).toBe('v');
      expect(await raw.get(`${prefix}counter`)).toBe('1');
      expect(await raw.pttl(`${prefix}counter`)).toBeGreaterThan(0);
      expect(await raw.exists('visible')).toBe(0);
    } finally {
      await raw.quit();
    }
  });

  it('refuses calls after close instead of hanging', async () => {
    const kv = open(`${runPrefix}closed:`);
    await kv.ping();
    await kv.close();
    await expect(kv.ping()).rejects.toThrow();
    await expect(kv.get('x')).rejects.toThrow();
  });

  it('reports a dead server on ping instead of hanging', async () => {
    // Port 1 on loopback: nothing listens there.
    const kv = open(`${runPrefix}dead:`);
    const dead = new RedisKv('redis://127.0.0.1:1/15', { prefix: `${runPrefix}dead:` });
    opened.push(dead);
    await kv.ping();
    const started = Date.now();
    await expect(dead.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
