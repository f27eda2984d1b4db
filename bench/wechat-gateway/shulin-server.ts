/**
 * Shulin as the benchmark serves it: the real app (SQLite file, dedupe in kv,
 * message log on, request logs at info) with one text handler that answers
 * "收到：<content>", the same reply the peer gives.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/platform/config.ts';
import { BENCH_ACCOUNT } from './common.ts';

const dir = mkdtempSync(join(tmpdir(), 'shulin-bench-'));
const config = loadConfig({
  DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
  WECHAT_APPID: BENCH_ACCOUNT.appid,
  WECHAT_SECRET: 'bench-secret',
  WECHAT_TOKEN: BENCH_ACCOUNT.token,
  WECHAT_AES_KEY: BENCH_ACCOUNT.aesKey,
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  SHULIN_DEMO: 'off',
});
const shulin = await buildApp(config, {
  configureRouter: (router) =>
    router.onMessage('text', (m) => ({ type: 'text', content: `收到：${m.content}` })),
});
await shulin.start();
const server = createServer(shulin.listener);
server.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: true, port: (server.address() as AddressInfo).port });
});
process.on('message', (msg: { stop?: boolean }) => {
  if (msg.stop) {
    void (async () => {
      const logged = await shulin.services.messageLog.count().catch(() => -1);
      await shulin.close();
      process.send?.({ stopped: true, logged: logged });
      process.exit(0);
    })();
  }
});
