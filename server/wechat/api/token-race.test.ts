import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKv } from '../../platform/kv/memory.ts';
import { RedisKv } from '../../platform/kv/redis.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from '../fake/app.ts';
import { WeChatApiClient } from './client.ts';

const APPID = 'wxracetest000001';
const SECRET = 'race-secret';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const CHILD = fileURLToPath(new URL('./testing/token-race-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Whether something answers on the Redis port (only asked when TEST_REDIS_URL is unset). */
function redisAnswers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const redisRequired = Boolean(process.env.TEST_REDIS_URL) || process.env.CI === 'true';
const redisAvailable = redisRequired || (await redisAnswers(REDIS_URL));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeApi(): Promise<RunningFakeWeChatApi> {
  // A little latency widens the race window, as a real round trip to WeChat would.
  const fake = await startFakeWeChatApi({
    accounts: { appid: APPID, secret: SECRET },
    latencyMs: 15,
  });
  cleanups.push(() => fake.close());
  return fake;
}

const sends = (fake: RunningFakeWeChatApi) =>
  fake.state.requestLog.filter((e) => e.path === '/cgi-bin/message/custom/send');

interface ChildResult {
  ok: number;
  errors: string[];
}

/** Starts a child instance and resolves once it is ready; `result` settles after `go`. */
function startChild(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; result: Promise<ChildResult> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill();
    return Promise.resolve();
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolveReady, rejectReady) => {
    let resolveResult: (r: ChildResult) => void = () => undefined;
    let rejectResult: (e: Error) => void = () => undefined;
    const result = new Promise<ChildResult>((res, rej) => {
      resolveResult = res;
      rejectResult = rej;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith('ready\n')) resolveReady({ child, result });
    });
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolveResult(JSON.parse(last) as ChildResult);
      else {
        const error = new Error(`child exited with ${code}: ${stderr || stdout}`);
        rejectReady(error);
        rejectResult(error);
      }
    });
  });
}

async function race(
  fake: RunningFakeWeChatApi,
  prefix: string,
  perChild: number,
): Promise<ChildResult[]> {
  const children = await Promise.all(
    ['A', 'B'].map((label) =>
      startChild([fake.url, REDIS_URL, prefix, APPID, SECRET, String(perChild), label]),
    ),
  );
  for (const { child } of children) child.stdin.write('go\n');
  return Promise.all(children.map(({ result }) => result));
}

describe.skipIf(!redisAvailable)('token race: two processes sharing Redis', () => {
  async function sharedRedis(): Promise<{ prefix: string; kv: RedisKv }> {
    const prefix = `shulin-test:${randomUUID()}:`;
    const kv = new RedisKv(REDIS_URL, { prefix });
    cleanups.push(async () => {
      await kv.del(`wx:${APPID}:access_token`);
      await kv.del(`wx:${APPID}:lock:access_token`);
      await kv.close();
    });
    await kv.ping();
    return { prefix, kv };
  }

  it('50 concurrent calls with an empty cache cost exactly one token fetch', async () => {
    const fake = await fakeApi();
    const { prefix, kv } = await sharedRedis();
    const results = await race(fake, prefix, 25);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.map((r) => r.ok)).toEqual([25, 25]);
    expect(fake.state.stableTokenFetches).toBe(1);
    expect(fake.state.tokenFetches).toBe(0);
    expect(sends(fake).filter((e) => e.errcode === 0)).toHaveLength(50);
    expect(fake.state.customMessages).toHaveLength(50);
    expect(await kv.get(`wx:${APPID}:access_token`)).toBe(sends(fake)[0]?.token);
  });

  it('a 40001 storm after a third-party refresh costs exactly one new fetch and every call succeeds', async () => {
    const fake = await fakeApi();
    const { prefix, kv } = await sharedRedis();
    const primer = new WeChatApiClient({ appid: APPID, secret: SECRET, baseUrl: fake.url, kv });
    const stale = await primer.getAccessToken();
    expect(fake.state.stableTokenFetches).toBe(1);
    fake.state.invalidateAllTokens();

    const results = await race(fake, prefix, 25);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(fake.state.stableTokenFetches).toBe(2);
    const log = sends(fake);
    expect(log.filter((e) => e.errcode === 0)).toHaveLength(50);
    expect(log.filter((e) => e.errcode === 40001).every((e) => e.token === stale)).toBe(true);
    expect(log.length).toBeLessThanOrEqual(100);
    const fresh = await kv.get(`wx:${APPID}:access_token`);
    expect(fresh).not.toBe(stale);
    expect(log.filter((e) => e.errcode === 0).every((e) => e.token === fresh)).toBe(true);
  });
});

describe('token race: two instances in one process sharing a MemoryKv', () => {
  function instances(fake: RunningFakeWeChatApi): WeChatApiClient[] {
    const kv = new MemoryKv();
    cleanups.push(() => kv.close());
    return ['A', 'B'].map(
      () =>
        new WeChatApiClient({
          appid: APPID,
          secret: SECRET,
          baseUrl: fake.url,
          kv,
          retryDelaysMs: [20, 40, 80],
        }),
    );
  }

  const burst = (clients: WeChatApiClient[]) =>
    Promise.all(
      clients.flatMap((client, c) =>
        Array.from({ length: 25 }, (_, i) =>
          client.sendCustomMessage({
            touser: `o${c}x${i}`,
            msgtype: 'text',
            text: { content: 'race' },
          }),
        ),
      ),
    );

  it('50 concurrent calls with an empty cache cost exactly one token fetch', async () => {
    const fake = await fakeApi();
    await burst(instances(fake));
    expect(fake.state.stableTokenFetches).toBe(1);
    expect(fake.state.customMessages).toHaveLength(50);
  });

  it('a 40001 storm costs exactly one new fetch', async () => {
    const fake = await fakeApi();
    const clients = instances(fake);
    await clients[0]?.getAccessToken();
    fake.state.invalidateAllTokens();
    await burst(clients);
    expect(fake.state.stableTokenFetches).toBe(2);
    expect(sends(fake).filter((e) => e.errcode === 0)).toHaveLength(50);
  });
});
