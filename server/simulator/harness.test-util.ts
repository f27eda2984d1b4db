/**
 * A Shulin app with `/simulator/` served on a loopback port: pushes from the simulator go
 * to the app's `/wechat` over real HTTP, as they do in production.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../test/support/app.ts';
import type { AppOverrides } from '../app.ts';

export interface SimulatorServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly testApp: TestApp;
  close(): Promise<void>;
}

/** The demo account: no Official Account configured, so the simulator is on. */
export const DEMO_ENV = {
  WECHAT_APPID: '',
  WECHAT_SECRET: '',
  WECHAT_TOKEN: '',
  WECHAT_AES_KEY: '',
};

export async function startSimulatorServer(
  options: {
    env?: Record<string, string>;
    overrides?: Omit<AppOverrides, 'database' | 'wechatApiBase'>;
    /** SIMULATOR: true on, false off, undefined on in demo mode only. */
    setting?: boolean;
  } = {},
): Promise<SimulatorServer> {
  const testApp = await startTestApp({
    env: {
      ...DEMO_ENV,
      ...(options.setting === undefined ? {} : { SIMULATOR: options.setting ? 'on' : 'off' }),
      ...options.env,
    },
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const { shulin } = testApp;
  const server = createServer(shulin.listener);
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
