import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../app.ts';
import { DEMO_WECHAT, type Config } from '../platform/config.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from '../wechat/fake/index.ts';

const REAL_WECHAT_API = 'https://api.weixin.qq.com';

/**
 * Serves the whole product. With no Official Account configured, the demo
 * account talks to a built-in fake of WeChat's API, so everything works offline.
 */
export async function serveCommand(config: Config, options: { port?: string }): Promise<void> {
  const port = options.port !== undefined ? Number(options.port) : config.port;
  let fake: RunningFakeWeChatApi | undefined;
  if (!config.wechat.configured && config.wechat.apiBase === REAL_WECHAT_API) {
    fake = await startFakeWeChatApi({
      accounts: { appid: DEMO_WECHAT.appid, secret: DEMO_WECHAT.secret },
    });
  }
  const shulin = await buildApp(config, fake ? { wechatApiBase: fake.url } : {});
  const { logger } = shulin.services;
  if (fake) {
    logger.warn(
      { wechatApiBase: fake.url, appid: DEMO_WECHAT.appid },
      'no Official Account configured: the demo account uses the built-in fake WeChat API',
    );
  }
  await shulin.start();
  const server = createServer({ keepAliveTimeout: 65_000 }, shulin.listener);
  server.listen(port, config.host, () => {
    const info = server.address() as AddressInfo;
    logger.info(
      {
        url: `http://${info.address === '0.0.0.0' ? 'localhost' : info.address}:${info.port}`,
        db: config.database.dialect,
        kv: shulin.services.kv.backend,
        jobs: shulin.services.jobs.backend,
      },
      'Shulin is listening',
    );
  });
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'could not listen');
    process.exitCode = 1;
    void shutdown();
  });

  let stopping = false;
  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down');
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await shulin.close();
    await fake?.close();
  }
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}
