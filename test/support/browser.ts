/**
 * Debian's Chromium driven through playwright-core: no browser is ever downloaded. Tests
 * that need it skip with a clear reason when it is not installed on a developer's machine;
 * under CI=true a missing browser is a failure, not a skip.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Null when the browser is there; otherwise why browser tests are skipped. */
export const browserMissing: string | null = existsSync(CHROMIUM_PATH)
  ? null
  : `${CHROMIUM_PATH} is not installed (apt-get install -y chromium): browser tests skipped`;

if (browserMissing && process.env.CI === 'true') {
  throw new Error(`${browserMissing.split(':')[0]}: CI must run the browser tests`);
}
if (browserMissing) process.stderr.write(`${browserMissing}\n`);

/** A phone's first screen: the size every page is checked at first. */
export const PHONE = { width: 375, height: 667 } as const;

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile. Nothing reaches the network on its own:
 * no QUIC, no background updates, no sync.
 */
export async function launchBrowser(
  options: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'shulin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: options.viewport ?? PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: options.locale ?? 'zh-CN',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
