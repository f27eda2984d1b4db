/**
 * A Shulin app with the demo library on a loopback port, with the reader pages built and
 * served: what the browser tests open.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { ensureReaderBuild } from './build.ts';

export interface ReaderServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly testApp: TestApp;
  close(): Promise<void>;
}

export async function startReaderServer(
  options: { env?: Record<string, string>; dialect?: 'sqlite' | 'postgres' } = {},
): Promise<ReaderServer> {
  await ensureReaderBuild();
  const testApp = await startTestApp({
    env: { SHULIN_DEMO: 'on', ...options.env },
    ...(options.dialect ? { dialect: options.dialect } : {}),
  });
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
