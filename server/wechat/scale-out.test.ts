/**
 * The scale-out mode end to end: two Shulin instances (two "processes" in one
 * test, sharing nothing in memory) behind a load balancer, on one PostgreSQL
 * schema and one Redis, each serving real HTTP. WeChat's retries of a push land
 * on either instance; the push must be handled once and answered alike.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { buildApp, type ShulinApp } from '../app.ts';
import { loadConfig } from '../platform/config.ts';
import { openDatabase, type Database } from '../platform/db/index.ts';
import { BullJobs } from '../platform/jobs/bullmq.ts';
import { RedisKv } from '../platform/kv/redis.ts';
import { createMetrics } from '../platform/metrics.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from './fake/index.ts';
import { FIXTURE_OPENID, pushXml } from './fixtures.ts';
import { openReply, signPush } from './signer.ts';
import { parseXml, xmlChildText } from './xml.ts';
import type { MessageRouter } from './router.ts';

const redisUrl = process.env.TEST_REDIS_URL;
const pgUrl = process.env.TEST_DATABASE_URL;

const APPID = 'wx134c8103faa5a59e';
const TOKEN = 'AAAAA';
const AES_KEY = 'A'.repeat(43);
const run = `${process.pid}-${randomUUID().slice(0, 8)}`;
const kvPrefix = `shulin-test:scale:${run}:`;
const bullPrefix = `shulin-test:scale-bull:${run}`;

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Instance {
  readonly name: 'A' | 'B';
  readonly shulin: ShulinApp;
  readonly kv: RedisKv;
  readonly jobs: BullJobs;
  readonly database: Database;
  readonly server: Server;
  readonly url: string;
}

/** Which handler runs, per test: set before sending, read by both instances' routers. */
let handler: (content: string, instance: 'A' | 'B') => Promise<string> = async (c) => c;

describe.skipIf(!redisUrl || !pgUrl)('two instances on one PostgreSQL and one Redis', () => {
  let tdb: TestDatabase;
  let fake: RunningFakeWeChatApi;
  const instances: Instance[] = [];

  async function startInstance(name: 'A' | 'B'): Promise<Instance> {
    const config = loadConfig({
      DATABASE_URL: pgUrl!,
      REDIS_URL: redisUrl!,
      WECHAT_APPID: APPID,
      WECHAT_SECRET: 'test-secret',
      WECHAT_TOKEN: TOKEN,
      WECHAT_AES_KEY: AES_KEY,
      WECHAT_REPLY_BUDGET_MS: '300',
      LOG_LEVEL: 'silent',
    });
    const logger = pino({ level: 'silent' });
    const metrics = createMetrics({ defaultMetrics: false });
    // What REDIS_URL would build, under prefixes of this run so that runs never meet.
    const kv = new RedisKv(redisUrl!, { prefix: kvPrefix });
    const jobs = new BullJobs({
      redisUrl: redisUrl!,
      logger,
      metrics,
      queueName: 'shulin',
      prefix: bullPrefix,
    });
    const database = openDatabase(pgUrl!, { searchPath: tdb.searchPath!, poolSize: 4 });
    const shulin = await buildApp(config, {
      logger,
      metrics,
      kv,
      jobs,
      database,
      wechatApiBase: fake.url,
      configureRouter: (router: MessageRouter) =>
        router.onMessage('text', async (m) => ({
          type: 'text',
          content: await handler(m.content, name),
        })),
    });
    await shulin.start();
    const server = createServer(shulin.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { name, shulin, kv, jobs, database, server, url: `http://127.0.0.1:${port}` };
  }

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres', { migrate: false });
    fake = await startFakeWeChatApi({ accounts: { appid: APPID, secret: 'test-secret' } });
    // Both start at once, as a deployment's instances do: they migrate the fresh schema together.
    instances.push(...(await Promise.all([startInstance('A'), startInstance('B')])));
  });

  afterAll(async () => {
    for (const instance of instances) {
      await new Promise<void>((resolve) => {
        instance.server.close(() => resolve());
        instance.server.closeAllConnections();
      });
      await instance.shulin.close();
      await instance.kv.close();
      await instance.database.close();
    }
    await fake?.close();
    await tdb?.cleanup();
    if (redisUrl) {
      const raw = new Redis(redisUrl);
      for (const pattern of [`${kvPrefix}*`, `${bullPrefix}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await raw.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await raw.del(...keys);
        } while (cursor !== '0');
      }
      await raw.quit();
    }
  });

  const [a, b] = [() => instances[0]!, () => instances[1]!];

  /** A text push as WeChat sends it in safe mode: a fresh MsgId, CreateTime now. */
  function push(content: string) {
    const msgId = String(7_000_000_000_000_000_000n + BigInt(randomInt(1, 2 ** 47)));
    const xml = pushXml('text', {
      Content: content,
      MsgId: { xml: msgId },
      CreateTime: Math.floor(Date.now() / 1000),
    });
    return signPush({
      xml,
      token: TOKEN,
      mode: 'safe',
      aesKey: AES_KEY,
      appid: APPID,
      openid: FIXTURE_OPENID,
    });
  }

  async function send(instance: Instance, signed: { query: URLSearchParams; body: string }) {
    const res = await fetch(`${instance.url}/wechat?${signed.query.toString()}`, {
      method: 'POST',
      body: signed.body,
      headers: { 'content-type': 'text/xml' },
    });
    return { status: res.status, text: await res.text() };
  }

  const contentOf = (text: string) => {
    const opened = openReply(text, { token: TOKEN, aesKey: AES_KEY, appid: APPID });
    return opened
      ? {
          encrypted: opened.encrypted,
          content: xmlChildText(parseXml(opened.xml).value, 'Content'),
        }
      : null;
  };

  it('shares kv and jobs through Redis and the database through PostgreSQL', async () => {
    for (const instance of instances) {
      const res = await fetch(`${instance.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        checks: {
          db: { ok: true, dialect: 'postgres' },
          kv: { ok: true, backend: 'redis' },
          jobs: { ok: true, backend: 'bullmq' },
        },
      });
    }
  });

  it('runs the handler once for three copies split across both instances, and all three get the reply', async () => {
    const runs: Array<'A' | 'B'> = [];
    handler = async (content, instance) => {
      runs.push(instance);
      await new Promise((r) => setTimeout(r, 100));
      return `查到：${content}`;
    };
    const signed = push('三体 scale-out');
    const answers = await Promise.all([send(a(), signed), send(b(), signed), send(a(), signed)]);
    expect(runs).toHaveLength(1);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(contentOf(answer.text)).toEqual({ encrypted: true, content: '查到：三体 scale-out' });
    }
    // A retry after the answer, on the instance that did not run the handler, gets it as well.
    const runner = runs[0] === 'A' ? a() : b();
    const other = runner === a() ? b() : a();
    const late = await send(other, signed);
    expect(contentOf(late.text)?.content).toBe('查到：三体 scale-out');
    expect(runs).toHaveLength(1);
  });

  it('delivers a reply that missed the budget once, through BullMQ, while retries answer success', async () => {
    const runs: Array<'A' | 'B'> = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    handler = async (content, instance) => {
      runs.push(instance);
      await gate;
      return `慢慢查到：${content}`;
    };
    const before = fake.state.customMessages.length;
    const signed = push('慢 scale-out');
    const started = performance.now();
    const first = await send(a(), signed);
    expect(first).toEqual({ status: 200, text: 'success' });
    expect(performance.now() - started).toBeLessThan(1500);
    // WeChat's retries while the handler still runs land on both instances.
    const retries = await Promise.all([send(b(), signed), send(a(), signed)]);
    for (const retry of retries) expect(retry).toEqual({ status: 200, text: 'success' });
    release();
    await waitFor(() => fake.state.customMessages.length > before);
    await a().shulin.services.gateway.close();
    await Promise.all([a().jobs.drain(), b().jobs.drain()]);
    expect(runs).toEqual(['A']);
    const sent = fake.state.customMessages.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      appid: APPID,
      touser: FIXTURE_OPENID,
      msgtype: 'text',
      body: { text: { content: '慢慢查到：慢 scale-out' } },
    });
    expect(await a().jobs.status()).toMatchObject({ ok: true, pending: 0, failed: 0 });
  });

  it('logs exactly one row per push in the shared database', async () => {
    handler = async (content) => `ok ${content}`;
    const pushes = [push('log 1'), push('log 2'), push('log 3')];
    await Promise.all(pushes.flatMap((p) => [send(a(), p), send(b(), p)]));
    // Writers flush on a timer; flushing both is what close() would do.
    await waitFor(async () => {
      const rows = await a().shulin.services.messageLog.recent(100);
      return ['log 1', 'log 2', 'log 3', '三体 scale-out', '慢 scale-out'].every((s) =>
        rows.some((r) => r.summary === s),
      );
    });
    const rows = await b().shulin.services.messageLog.recent(100);
    const bySummary = new Map<string, number>();
    for (const row of rows) bySummary.set(row.summary, (bySummary.get(row.summary) ?? 0) + 1);
    expect(Object.fromEntries(bySummary)).toEqual({
      '三体 scale-out': 1,
      '慢 scale-out': 1,
      'log 1': 1,
      'log 2': 1,
      'log 3': 1,
    });
    expect(rows.find((r) => r.summary === '慢 scale-out')?.outcome).toBe('late-reply');
    expect(rows.find((r) => r.summary === '三体 scale-out')).toMatchObject({
      outcome: 'replied',
      mode: 'safe',
    });
  });
});
