/**
 * The app with the demo library for the reader request routes' tests, with a card
 * sign-in that keeps the session cookie.
 */
import { DEMO_PIN } from '../../ils/embedded/demo.ts';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';

export async function startReaderApp(dialect: 'sqlite' | 'postgres'): Promise<TestApp> {
  return startTestApp({ dialect, env: { SHULIN_DEMO: 'on' } });
}

/** Signs a demo reader in with card and PIN; returns the Cookie header for later requests. */
export async function signIn(t: TestApp, barcode: string): Promise<string> {
  const response = await t.request('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ barcode, password: DEMO_PIN }),
  });
  if (response.status !== 200) throw new Error(`sign-in: ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}
