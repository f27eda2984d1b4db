import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKv } from '../../platform/kv/memory.ts';
import { CredentialCache, CredentialWaitTimeoutError } from './credential.ts';

const kvs: MemoryKv[] = [];
function memoryKv(): MemoryKv {
  const kv = new MemoryKv();
  kvs.push(kv);
  return kv;
}
afterEach(async () => {
  await Promise.all(kvs.splice(0).map((kv) => kv.close()));
});

function counter(value = 'v', expiresInSeconds = 7200, delayMs = 20) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetch: async () => {
      calls += 1;
      await sleep(delayMs);
      return { value: `${value}${calls}`, expiresInSeconds };
    },
  };
}

describe('CredentialCache', () => {
  it('caches under wx:{appid}:{name} with expires_in − margin', async () => {
    const kv = memoryKv();
    const source = counter();
    const cache = new CredentialCache({
      kv,
      appid: 'wx1',
      name: 'access_token',
      fetch: source.fetch,
    });
    expect(await cache.get()).toBe('v1');
    expect(await cache.get()).toBe('v1');
    expect(source.calls).toBe(1);
    expect(await kv.get('wx:wx1:access_token')).toBe('v1');
    const ttl = (await kv.ttl('wx:wx1:access_token')) ?? 0;
    expect(ttl).toBeLessThanOrEqual(6900_000);
    expect(ttl).toBeGreaterThan(6890_000);
    expect(await kv.get('wx:wx1:lock:access_token')).toBeNull();
  });

  it('clamps the cached lifetime to at least 30 s but never beyond the announced one', () => {
    const cache = new CredentialCache({
      kv: memoryKv(),
      appid: 'a',
      name: 'n',
      fetch: counter().fetch,
    });
    expect(cache.ttlSecondsFor(7200)).toBe(6900);
    expect(cache.ttlSecondsFor(320)).toBe(30);
    expect(cache.ttlSecondsFor(10)).toBe(10);
  });

  it('coalesces concurrent misses in one process into one fetch', async () => {
    const source = counter();
    const refreshed: string[] = [];
    const cache = new CredentialCache({
      kv: memoryKv(),
      appid: 'wx1',
      name: 'jsapi_ticket',
      fetch: source.fetch,
      onRefresh: (name) => refreshed.push(name),
    });
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.get()));
    expect(new Set(values)).toEqual(new Set(['v1']));
    expect(source.calls).toBe(1);
    expect(refreshed).toEqual(['jsapi_ticket']);
  });

  it('lets one of several instances sharing the Kv fetch while the others poll', async () => {
    const kv = memoryKv();
    const source = counter('t', 7200, 60);
    const caches = Array.from(
      { length: 4 },
      () => new CredentialCache({ kv, appid: 'wx1', name: 'access_token', fetch: source.fetch }),
    );
    const values = await Promise.all(caches.flatMap((cache) => [cache.get(), cache.get()]));
    expect(new Set(values)).toEqual(new Set(['t1']));
    expect(source.calls).toBe(1);
  });

  it('invalidate drops only the stale value, keeping one refreshed meanwhile', async () => {
    const kv = memoryKv();
    const source = counter();
    const cache = new CredentialCache({
      kv,
      appid: 'wx1',
      name: 'access_token',
      fetch: source.fetch,
    });
    const first = await cache.get();
    expect(await cache.invalidate(first)).toBe(true);
    const second = await cache.get();
    expect(second).toBe('v2');
    expect(await cache.invalidate(first)).toBe(false);
    expect(await cache.get()).toBe('v2');
    expect(source.calls).toBe(2);
  });

  it('when the fetcher fails, its callers see the error and a waiter takes over', async () => {
    const kv = memoryKv();
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      await sleep(30);
      if (calls === 1) throw new Error('boom');
      return { value: 'ok', expiresInSeconds: 7200 };
    };
    const a = new CredentialCache({ kv, appid: 'wx1', name: 'access_token', fetch: flaky });
    const b = new CredentialCache({ kv, appid: 'wx1', name: 'access_token', fetch: flaky });
    const first = a.get();
    await sleep(5);
    const second = b.get();
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe('ok');
    expect(calls).toBe(2);
  });

  it('takes over a lock whose holder died, and gives up after waitTimeoutMs if it never frees', async () => {
    const kv = memoryKv();
    await kv.set('wx:wx1:lock:access_token', 'dead-holder', { ttlMs: 100 });
    const cache = new CredentialCache({
      kv,
      appid: 'wx1',
      name: 'access_token',
      fetch: counter().fetch,
    });
    expect(await cache.get()).toBe('v1');

    const stuck = memoryKv();
    await stuck.set('wx:wx1:lock:access_token', 'forever');
    const waiting = new CredentialCache({
      kv: stuck,
      appid: 'wx1',
      name: 'access_token',
      fetch: counter().fetch,
      waitTimeoutMs: 100,
    });
    await expect(waiting.get()).rejects.toBeInstanceOf(CredentialWaitTimeoutError);
  });
});
