/**
 * A Shulin app with `/simulator/` served on a loopback port: pushes from the simulator go
 * to the app's `/wechat` over real HTTP, as they do in production.
 */
import { serveTestApp, startTestApp, type ServedTestApp } from '../../test/support/app.ts';
import type { AppOverrides } from '../app.ts';

export type SimulatorServer = ServedTestApp;

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
  return serveTestApp(testApp);
}
