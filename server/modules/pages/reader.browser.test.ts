/**
 * The reader pages in Chromium at a phone's size, against a served app with the demo
 * library: a guest's search, a hold placed after filtering by a facet, WeChat's OAuth entry
 * through the fake WeChat API, binding a card, renewals (one renewed, one refused with its
 * reason), the e-card and the language switch. With SCREENSHOTS=1 it also saves the
 * screenshots of each page in both languages under docs/screenshots/.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserMissing,
  launchBrowser,
  PHONE,
  type Browser,
} from '../../../test/support/browser.ts';
import { DEMO_PIN, DEMO_READERS } from '../../ils/embedded/demo.ts';
import { INITIAL_JS_BUDGET, measureBundle } from './bundle-size.ts';
import {
  screenshot,
  signIn,
  startReaderServer,
  watchErrors,
  type ReaderServer,
} from './harness.test-util.ts';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50.2701(0x28003237) NetType/WIFI Language/zh_CN';

const reader = (barcode: string) => {
  const found = DEMO_READERS.find((r) => r.barcode === barcode);
  if (!found) throw new Error(`no demo reader ${barcode}`);
  return found;
};

describe.skipIf(browserMissing !== null)('the reader pages in Chromium', () => {
  let server: ReaderServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startReaderServer();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps the first page’s JavaScript within 150 KB gzipped', () => {
    const size = measureBundle();
    expect(size.initialJsGzip).toBeGreaterThan(0);
    expect(size.initialJsGzip).toBeLessThanOrEqual(INITIAL_JS_BUDGET);
    // The barcode library is fetched only when a camera is used.
    expect(size.initial.some((f) => /zxing/.test(f.file))).toBe(false);
    expect(size.lazy.some((f) => /zxing/.test(f.file))).toBe(true);
  });

  it('lets a guest outside WeChat search, read a record and the hours, without signing in', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/m/`);
    await page.getByRole('heading', { name: '今日开馆' }).waitFor();
    await page.locator('.today-hours li', { hasText: '总馆' }).waitFor();
    expect(page.url()).toBe(`${server.url}/m/`);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );
    await screenshot(page, 'home-zh');

    const box = page.getByRole('searchbox', { name: '检索馆藏' });
    await box.fill('economics');
    await box.press('Enter');
    await page.waitForURL(/\/m\/search\?q=economics$/);
    const hits = page.locator('ul.hits li.hit:not(.hit_skeleton)');
    await hits.first().waitFor();
    expect(await page.locator('.result-bar__count').textContent()).toMatch(/^共 \d+ 条结果$/);
    expect(await hits.first().locator('.availability').textContent()).toMatch(/在架|借出|暂无/);
    await screenshot(page, 'search-zh');

    await hits.first().locator('a').click();
    await page.waitForURL(/\/m\/records\/\d+$/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.locator('.item').first().waitFor();
    // A guest is offered a sign-in, not sent anywhere.
    expect(await page.getByRole('link', { name: '登录后可预约' }).count()).toBe(1);
    await screenshot(page, 'record-zh');

    await page.getByRole('link', { name: '开馆' }).click();
    await page.waitForURL(`${server.url}/m/hours`);
    await page.getByRole('heading', { name: '节假日安排' }).waitFor();
    expect(await page.locator('table.week').count()).toBe(3);
    await screenshot(page, 'hours-zh');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('searches, filters by a facet, opens a record and places a hold with a pickup choice', async () => {
    const context: BrowserContext = browser.context;
    await context.clearCookies();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signIn(page, server.url, reader('20260004').barcode);

    await page.goto(`${server.url}/m/search?q=economics`);
    const hits = page.locator('ul.hits li.hit:not(.hit_skeleton)');
    await hits.first().waitFor();
    const before = Number(
      /\d+/.exec((await page.locator('.result-bar__count').textContent()) ?? '')?.[0],
    );

    // Layout shift while results load: the skeletons hold the space.
    const shift = await page.evaluate<number>(`new Promise((done) => {
      let total = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) total += entry.value;
      }).observe({ type: 'layout-shift', buffered: true });
      setTimeout(() => done(total), 300);
    })`);
    expect(shift).toBeLessThan(0.1);

    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByRole('button', { name: /^已借出/ }).click();
    await page.waitForURL(/available=false/);
    await page.getByRole('button', { name: '去掉条件：馆藏状态: 已借出' }).waitFor();
    await page.locator('ul.hits[aria-busy="false"]').waitFor();
    const after = Number(
      /\d+/.exec((await page.locator('.result-bar__count').textContent()) ?? '')?.[0],
    );
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
    for (const text of await hits.locator('.availability').allTextContents()) {
      expect(text).toMatch(/全部借出/);
    }

    await hits.first().locator('a').click();
    await page.waitForURL(/\/m\/records\/\d+$/);
    await page.getByRole('button', { name: '预约此书' }).click();
    const dialog = page.getByRole('dialog', { name: '选择取书地点' });
    await dialog.waitFor();
    await screenshot(page, 'hold-zh');
    await dialog.getByLabel('理工分馆').check();
    await dialog.getByRole('button', { name: '确认预约' }).click();
    await page.getByText('已预约，到书后请到理工分馆取书。').waitFor();

    const account = (await page.evaluate(() =>
      fetch('/api/v1/me/account').then((r) => r.json()),
    )) as { holds: { title: string; pickupBranch: { code: string } | null }[] };
    const title = await page.getByRole('heading', { level: 1 }).textContent();
    expect(account.holds.find((h) => h.title === title)?.pickupBranch?.code).toBe('SCI');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('inside WeChat goes through OAuth to the deep link, binds a card, renews and shows the e-card', async () => {
    // A phone of its own: WeChat's user agent, no cookies from the other tests.
    const phone = await launchBrowser();
    try {
      const page = await phone.context.newPage();
      await phone.context.setExtraHTTPHeaders({ 'user-agent': WECHAT_UA });
      await page.addInitScript(
        `Object.defineProperty(navigator, 'userAgent', { get: () => ${JSON.stringify(WECHAT_UA)} })`,
      );
      const errors = watchErrors(page);
      const visited: string[] = [];
      page.on('request', (request) => {
        if (request.isNavigationRequest()) visited.push(request.url());
      });

      await page.goto(`${server.url}/m/account?from=menu`);
      await page.getByRole('heading', { name: '请先绑定读者证' }).waitFor();
      // Through the fake WeChat's authorize page and back to the same deep link.
      expect(
        visited.some((u) => u.startsWith(`${server.testApp.fake.url}/connect/oauth2/authorize`)),
      ).toBe(true);
      expect(visited.some((u) => u.includes('/api/v1/auth/wechat/callback?code='))).toBe(true);
      expect(page.url()).toBe(`${server.url}/m/account?from=menu`);

      await page.getByRole('link', { name: '绑定' }).click();
      await page.waitForURL(/\/m\/bind\?next=/);
      const who = reader('20260001');
      await page.getByLabel('读者证号').fill(who.barcode);
      await page.getByLabel('密码').fill('000000');
      await page.getByRole('button', { name: '绑定' }).click();
      const alert = page.locator('.form-error[role="alert"]');
      await expect.poll(() => alert.textContent()).toMatch(/密码/);
      await screenshot(page, 'bind-error-zh');
      await page.getByLabel('密码').fill(DEMO_PIN);
      await page.getByRole('button', { name: '绑定' }).click();
      await page.waitForURL(`${server.url}/m/account?from=menu`);
      await page.getByRole('heading', { name: who.name }).waitFor();

      const account = (await page.evaluate(() =>
        fetch('/api/v1/me/account').then((r) => r.json()),
      )) as { loans: { itemBarcode: string; renewable: boolean; renewBlockedBy: string | null }[] };
      const renewable = account.loans.find((l) => l.renewable);
      const tooEarly = account.loans.find((l) => l.renewBlockedBy === 'TOO_EARLY');
      expect(renewable && tooEarly).toBeTruthy();
      await screenshot(page, 'account-zh');

      const row = (barcode: string) => page.locator(`li.loan[data-barcode="${barcode}"]`);
      await row(renewable!.itemBarcode).getByRole('button', { name: '续借' }).click();
      await row(renewable!.itemBarcode)
        .getByText(/^续借成功，新的应还日期/)
        .waitFor();
      await row(tooEarly!.itemBarcode).getByRole('button', { name: '续借' }).click();
      const refusal = row(tooEarly!.itemBarcode).locator('.outcome_refused');
      await refusal.waitFor();
      expect(await refusal.textContent()).toMatch(
        /^还未到可续借时间，最早可在 \d{4}-\d{2}-\d{2} 续借。/,
      );
      await screenshot(page, 'renew-zh');

      await page.goto(`${server.url}/m/ecard`);
      const card = page.getByRole('img', { name: `读者证条码 ${who.barcode}` });
      await card.waitFor();
      await expect
        .poll(() =>
          page.evaluate<number>(
            `(() => { const img = document.querySelector('img.ecard__code'); return img && img.complete ? img.naturalWidth : 0; })()`,
          ),
        )
        .toBeGreaterThan(0);
      const box = await card.boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      await screenshot(page, 'ecard-zh');
      expect(errors.filter((e) => !/res\.wx\.qq\.com/.test(e))).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('refuses an OAuth code used twice and a state that is not the browser’s', async () => {
    const start = async () => {
      const entry = await fetch(`${server.url}/api/v1/auth/wechat?next=/m/hours`, {
        redirect: 'manual',
      });
      const cookie = (entry.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const authorize = new URL(entry.headers.get('location') ?? '');
      const back = await fetch(authorize, { redirect: 'manual' });
      return { cookie, callback: new URL(back.headers.get('location') ?? '') };
    };
    const first = await start();
    const ok = await fetch(first.callback, {
      headers: { cookie: first.cookie },
      redirect: 'manual',
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/m/hours');

    // The same callback again: its state is spent.
    const replay = await fetch(first.callback, {
      headers: { cookie: first.cookie },
      redirect: 'manual',
    });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { code: string }).code).toBe('OAUTH_STATE_INVALID');

    // A fresh state with the spent code.
    const second = await start();
    const reused = new URL(second.callback);
    reused.searchParams.set('code', first.callback.searchParams.get('code') ?? '');
    const again = await fetch(reused, { headers: { cookie: second.cookie }, redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { code: string }).code).toBe('OAUTH_CODE_INVALID');

    // A state the browser's cookie does not carry.
    const third = await start();
    const forged = new URL(third.callback);
    forged.searchParams.set('state', 'a'.repeat(32));
    const bad = await fetch(forged, { headers: { cookie: third.cookie }, redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('OAUTH_STATE_INVALID');
  });

  it('switches to English and remembers it, on the device and for a signed-in reader', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/m/`);
    await page.getByRole('heading', { name: '今日开馆' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Open today' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('navigation', { name: 'Main navigation' }).textContent()).toContain(
      'My library',
    );
    await page.locator('.today-hours li', { hasText: 'Main Library' }).waitFor();
    await screenshot(page, 'home-en');

    await page.reload();
    await page.getByRole('heading', { name: 'Open today' }).waitFor();

    for (const [path, name, ready] of [
      ['/m/search?q=economics', 'search-en', 'ul.hits li.hit:not(.hit_skeleton)'],
      ['/m/hours', 'hours-en', 'table.week'],
      ['/m/records/29', 'record-en', '.item'],
      ['/m/login', 'login-en', 'form.bind-form'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.locator(ready).first().waitFor();
      await screenshot(page, name);
    }
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);

    // Signed in, the choice is kept with the reader too.
    await page.getByLabel('Card number').fill(reader('20260003').barcode);
    await page.getByLabel('Password').fill(DEMO_PIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/m/account`);
    await page.getByRole('heading', { name: /^Loans/ }).waitFor();
    await screenshot(page, 'account-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: /^当前借阅/ }).waitFor();
    await expect
      .poll(() =>
        page.evaluate(() =>
          fetch('/api/v1/me')
            .then((r) => r.json())
            .then((me) => (me as { locale: string }).locale),
        ),
      )
      .toBe('zh-CN');
    await page.getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() =>
        page.evaluate(() =>
          fetch('/api/v1/me')
            .then((r) => r.json())
            .then((me) => (me as { locale: string }).locale),
        ),
      )
      .toBe('en');
    await page.goto(`${server.url}/m/ecard`);
    await page.getByRole('img', { name: /^Library card barcode/ }).waitFor();
    await screenshot(page, 'ecard-en');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('prints the home page’s load timing with a cold cache', async () => {
    const fresh = await launchBrowser();
    const page = await fresh.context.newPage();
    await page.goto(`${server.url}/m/`, { waitUntil: 'load' });
    await page.locator('.today-hours li').first().waitFor();
    const timing = await page.evaluate<Record<string, number>>(`(() => {
      const [nav] = performance.getEntriesByType('navigation');
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        ttfb: nav ? nav.responseStart - nav.startTime : -1,
        domContentLoaded: nav ? nav.domContentLoadedEventEnd - nav.startTime : -1,
        load: nav ? nav.loadEventEnd - nav.startTime : -1,
        firstContentfulPaint: paint ? paint.startTime : -1,
        transferred: performance
          .getEntriesByType('resource')
          .filter((r) => r.name.includes('/m/assets/'))
          .reduce((sum, r) => sum + r.transferSize, 0),
      };
    })()`);
    process.stdout.write(
      `reader home page (loopback, cold cache): ${Object.entries(timing)
        .map(
          ([k, v]) =>
            `${k} ${k === 'transferred' ? `${(v / 1024).toFixed(1)} KB` : `${v.toFixed(0)} ms`}`,
        )
        .join(', ')}\n`,
    );
    expect(timing.load).toBeGreaterThan(0);
    expect(timing.transferred).toBeGreaterThan(0);
    await fresh.close();
  });
});
