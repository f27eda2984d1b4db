/**
 * A Shulin app with the demo library on a loopback port, with the reader pages built and
 * served: what the browser tests open.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { serveTestApp, startTestApp, type ServedTestApp } from '../../../test/support/app.ts';
import { DEMO_PIN } from '../../ils/embedded/demo.ts';
import { ensureReaderBuild } from './build.ts';

const SCREENSHOTS = resolve(import.meta.dirname, '../../../docs/screenshots');
// Test tiers and switches come from the environment, as in test/support/databases.ts.
// eslint-disable-next-line no-restricted-syntax
const shoot = process.env.SCREENSHOTS === '1';

/**
 * Script errors and console errors (a CSP refusal among them), less the browser's notes of
 * 4xx answers the pages expect (a guest's 401 from /api/v1/me, a wrong password's 422, a
 * held ISBN's 409).
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    errors.push(text);
  });
  return errors;
}

/** With SCREENSHOTS=1, saves the page as docs/screenshots/reader-NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!shoot) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `reader-${name}.png`) });
}

/** Signs a reader in with card and password on the sign-in page (a fresh session). */
export async function signIn(
  page: Page,
  url: string,
  barcode: string,
  password = DEMO_PIN,
): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${url}/m/login`);
  await page.getByLabel('读者证号').fill(barcode);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`${url}/m/account`);
}

export type ReaderServer = ServedTestApp;

export async function startReaderServer(
  options: { env?: Record<string, string>; dialect?: 'sqlite' | 'postgres' } = {},
): Promise<ReaderServer> {
  await ensureReaderBuild();
  const testApp = await startTestApp({
    env: { SHULIN_DEMO: 'on', ...options.env },
    ...(options.dialect ? { dialect: options.dialect } : {}),
  });
  return serveTestApp(testApp);
}
