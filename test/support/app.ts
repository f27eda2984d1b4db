import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildApp, type AppOverrides, type ShulinApp } from '../../server/app.ts';
import { loadConfig } from '../../server/platform/config.ts';
import { createMetrics } from '../../server/platform/metrics.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from '../../server/wechat/fake/index.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

export interface TestApp {
  readonly shulin: ShulinApp;
  readonly fake: RunningFakeWeChatApi;
  readonly tdb: TestDatabase;
  /** Sends a request through the app in-process (no port). */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A Shulin app on a fresh, migrated database with a fake WeChat API on
 * loopback: the way every HTTP test starts.
 */
export async function startTestApp(
  options: {
    env?: Record<string, string>;
    dialect?: 'sqlite' | 'postgres';
    overrides?: Omit<AppOverrides, 'database' | 'wechatApiBase'>;
  } = {},
): Promise<TestApp> {
  const env = {
    WECHAT_APPID: 'wx134c8103faa5a59e',
    WECHAT_SECRET: 'test-secret',
    WECHAT_TOKEN: 'AAAAA',
    WECHAT_AES_KEY: 'A'.repeat(43),
    LOG_LEVEL: 'silent',
    // Each test brings its own records; the demo library has a test of its own.
    SHULIN_DEMO: 'off',
    ...options.env,
  };
  const config = loadConfig(env);
  const fake = await startFakeWeChatApi({
    accounts: { appid: config.wechat.appid, secret: config.wechat.secret },
  });
  const tdb = await createTestDatabase(options.dialect ?? 'sqlite');
  const shulin = await buildApp(config, {
    logger: pino({ level: env.LOG_LEVEL }),
    metrics: createMetrics({ defaultMetrics: false }),
    jobsPollMs: 20,
    ...options.overrides,
    database: tdb.database,
    wechatApiBase: fake.url,
  });
  await shulin.start();
  return {
    shulin,
    fake,
    tdb,
    request: (path, init) => Promise.resolve(shulin.app.request(path, init)),
    async close() {
      await shulin.close();
      await fake.close();
      await tdb.cleanup();
    },
  };
}

/** A test app served over real HTTP on a loopback port (browsers, CLIs, the simulator). */
export interface ServedTestApp {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly testApp: TestApp;
  /** Stops listening, drops open connections, then closes the app. */
  close(): Promise<void>;
}

export async function serveTestApp(testApp: TestApp): Promise<ServedTestApp> {
  const server = createServer(testApp.shulin.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    testApp,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await testApp.close();
    },
  };
}
