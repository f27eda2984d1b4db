/**
 * The accounts module on real parts for its tests: a fresh SQLite file or PostgreSQL
 * schema, the in-process kv or Redis (the scale-out tier, when TEST_REDIS_URL is set),
 * the fake WeChat API on loopback, the in-memory ILS, and the routes in a Hono app
 * that renders errors the way `server/app.ts` does.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { createTestDatabase, pgUrl, type TestDatabase } from '../../../test/support/databases.ts';
import { loadConfig, type Config } from '../../platform/config.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { HttpProblem, problemResponse } from '../../platform/http/problem.ts';
import { MemoryKv, RedisKv, type Kv } from '../../platform/kv/index.ts';
import { createLogger } from '../../platform/logger.ts';
import { WeChatApiClient } from '../../wechat/api/client.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from '../../wechat/fake/index.ts';
import { CatalogRepository, type CatalogTables } from '../catalog/repository.ts';
import { createAccounts, type Accounts } from './index.ts';
import { MemoryIlsConnector } from './testing.ts';
import type { CatalogueTitles } from './titles.ts';

// Test tiers are chosen by the environment, as in test/support/databases.ts.
// eslint-disable-next-line no-restricted-syntax
const redisUrl = process.env.TEST_REDIS_URL;

export interface Tier {
  readonly name: string;
  readonly dialect: 'sqlite' | 'postgres';
  readonly kv: 'memory' | 'redis';
}

/** SQLite with the in-process kv always; PostgreSQL with Redis when both are available. */
export const tiers: Tier[] = [
  { name: 'sqlite + memory kv', dialect: 'sqlite', kv: 'memory' },
  ...(pgUrl && redisUrl
    ? [{ name: 'postgres + redis kv', dialect: 'postgres' as const, kv: 'redis' as const }]
    : []),
  ...(!pgUrl && redisUrl
    ? [{ name: 'sqlite + redis kv', dialect: 'sqlite' as const, kv: 'redis' as const }]
    : []),
];

export const APPID = 'wx134c8103faa5a59e';
export const SECRET_KEY = 'accounts-test-secret-key-0123456789abcdef';

export interface Harness {
  readonly config: Config;
  readonly tdb: TestDatabase;
  readonly kv: Kv;
  readonly connector: MemoryIlsConnector;
  readonly fake: RunningFakeWeChatApi;
  readonly wechatApi: WeChatApiClient;
  readonly accounts: Accounts;
  readonly app: Hono;
  /** Every log line written, as JSON text. */
  readonly logs: string[];
  request(path: string, init?: RequestInit & { jar?: CookieJar }): Promise<Response>;
  close(): Promise<void>;
}

/** The cookies a browser would keep, for requests made in-process. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

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

export async function startHarness(
  tier: Tier,
  options: {
    env?: Record<string, string>;
    connector?: MemoryIlsConnector;
    /** Wraps the catalogue the module looks stand-in titles up in (to count or break it). */
    catalogue?: (catalogue: CatalogueTitles) => CatalogueTitles;
  } = {},
): Promise<Harness> {
  const config = loadConfig({
    WECHAT_APPID: APPID,
    WECHAT_SECRET: 'test-secret',
    WECHAT_TOKEN: 'AAAAA',
    SECRET_KEY,
    PUBLIC_URL: 'https://lib.example.edu',
    BIND_MAX_ATTEMPTS: '3',
    BIND_LOCKOUT_MINUTES: '15',
    ACCOUNT_CACHE_SECONDS: '30',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger({
    level: config.logLevel,
    destination: { write: (line: string) => logs.push(line) },
  });
  const prefix = `shulin-test:accounts:${process.pid}:${randomUUID().slice(0, 8)}:`;
  const kv: Kv =
    tier.kv === 'redis' && redisUrl ? new RedisKv(redisUrl, { prefix }) : new MemoryKv();
  const tdb = await createTestDatabase(tier.dialect);
  const fake = await startFakeWeChatApi({
    accounts: { appid: config.wechat.appid, secret: config.wechat.secret },
  });
  const wechatApi = new WeChatApiClient({
    appid: config.wechat.appid,
    secret: config.wechat.secret,
    baseUrl: fake.url,
    oauthBase: fake.url,
    kv,
    logger,
    retryDelaysMs: [],
  });
  const connector = options.connector ?? new MemoryIlsConnector();
  const accounts = createAccounts({
    config,
    database: tdb.database,
    kv,
    logger,
    clock: { now: () => Date.now() },
    connector,
    wechatApi,
    ...(options.catalogue
      ? {
          catalogue: options.catalogue(
            new CatalogRepository(tablesOf<CatalogTables>(tdb.database.db)),
          ),
        }
      : {}),
  });
  const app = new Hono();
  app.onError((error, c) => {
    if (!(error instanceof HttpProblem)) logger.error({ err: error }, 'unhandled error');
    return problemResponse(c, error);
  });
  app.route('/api/v1', accounts.routes);

  return {
    config,
    tdb,
    kv,
    connector,
    fake,
    wechatApi,
    accounts,
    app,
    logs,
    async request(path, init = {}) {
      const { jar, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (jar && jar.cookies.size > 0) headers.set('cookie', jar.header());
      const response = await app.request(`http://lib.example.edu${path}`, { ...rest, headers });
      jar?.store(response);
      return response;
    },
    async close() {
      await fake.close();
      await kv.close();
      await tdb.cleanup();
      if (tier.kv === 'redis') await flushPrefix(prefix);
    },
  };
}

/** JSON request options with the site's own Origin, as the reader pages send them. */
export function json(
  method: string,
  body: unknown,
  jar?: CookieJar,
): RequestInit & { jar?: CookieJar } {
  return {
    method,
    headers: { 'content-type': 'application/json', origin: 'https://lib.example.edu' },
    body: JSON.stringify(body),
    ...(jar ? { jar } : {}),
  };
}

/** A WeChat session for `openid`, made the way a reader gets one: through OAuth. */
export async function signInWithWeChat(
  harness: Harness,
  openid: string,
  jar = new CookieJar(),
  next = '/m/',
): Promise<{ jar: CookieJar; location: string }> {
  const start = await harness.request(`/api/v1/auth/wechat?next=${encodeURIComponent(next)}`, {
    jar,
  });
  const authorize = new URL(start.headers.get('location')!);
  authorize.hash = '';
  authorize.searchParams.set('openid', openid);
  const granted = await fetch(authorize, { redirect: 'manual' });
  const callback = new URL(granted.headers.get('location')!);
  const done = await harness.request(`${callback.pathname}${callback.search}`, { jar });
  if (done.status !== 302) throw new Error(`OAuth callback answered ${done.status}`);
  return { jar, location: done.headers.get('location')! };
}

/**
 * A reader's requests to an app served in-process (`startTestApp`): the cookies of each
 * jar kept, JSON bodies sent with the site's own Origin, and the WeChat OAuth sign-in.
 */
export function inProcessReader(
  app: { request(path: string, init?: RequestInit): Promise<Response> },
  origin: string,
) {
  async function request(path: string, jar: CookieJar, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    headers.set('cookie', jar.header());
    if (init.body) {
      headers.set('content-type', 'application/json');
      headers.set('origin', origin);
    }
    const response = await app.request(path, { ...init, headers });
    jar.store(response);
    return response;
  }

  /** Signs `openid` in through the fake WeChat OAuth; throws unless the app lets them in. */
  async function signIn(openid: string, next = '/m/account'): Promise<CookieJar> {
    const jar = new CookieJar();
    const start = await request(`/api/v1/auth/wechat?next=${encodeURIComponent(next)}`, jar);
    if (start.status !== 302) throw new Error(`OAuth start answered ${start.status}`);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('openid', openid);
    const granted = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(granted.headers.get('location')!);
    const done = await request(`${callback.pathname}${callback.search}`, jar);
    if (done.status !== 302 || done.headers.get('location') !== next) {
      throw new Error(`OAuth callback answered ${done.status} to ${done.headers.get('location')}`);
    }
    return jar;
  }

  return { request, signIn };
}
