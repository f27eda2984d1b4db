/**
 * The simulator page in Chromium at a phone's size: the menu, typing and scanning, each
 * answered by the server through a real signed push. With SCREENSHOTS=1 it also saves the
 * screenshots under docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser, type Browser } from '../../test/support/browser.ts';
import type { MessageRouter } from '../wechat/router.ts';
import { startSimulatorServer, type SimulatorServer } from './harness.test-util.ts';

const SCREENSHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

/** Readers whose replies come in English (the screenshot of the English mode). */
const englishReaders = new Set<string>();

function handlers(router: MessageRouter): void {
  const en = (openid: string) => englishReaders.has(openid);
  router
    .onMenuKey('HOURS', (_m, { openid }) => ({
      type: 'text',
      content: en(openid)
        ? 'Main Library today: 8:00–22:00\nScience Library: 8:00–21:00\n<a href="https://lib.example.edu.cn/m/hours">This week’s hours</a>'
        : '总馆今天 8:00–22:00 开馆\n理工分馆 8:00–21:00\n<a href="https://lib.example.edu.cn/m/hours">本周开馆时间</a>',
    }))
    .onMenuKey('SCAN_SEARCH', (m, { openid }) => {
      const code = m.event === 'scancode_waitmsg' ? m.scanCodeInfo.code : '';
      return {
        type: 'news',
        articles: [
          {
            title: en(openid) ? `Found: ISBN ${code}` : `找到：ISBN ${code}`,
            description: en(openid)
              ? 'Main Library · 2 of 3 on the shelf · I242.4/C125'
              : '总馆 · 在架 2/3 · I242.4/C125',
            url: `https://lib.example.edu.cn/m/isbn/${code}`,
          },
        ],
      };
    })
    .onMessage('voice', (m, { mode }) => ({
      type: 'text',
      content: `听到：${m.recognition ?? ''}（${mode}）`,
    }))
    .onMessage('location', (m) => ({ type: 'text', content: `离${m.label}最近的是总馆` }))
    .onEvent('subscribe', (m) => ({ type: 'text', content: `欢迎！场景 ${m.scene ?? '无'}` }))
    .onMessage('text', (m, { openid }) => ({
      type: 'text',
      content: en(openid)
        ? `You said “${m.content}”. Results: https://lib.example.edu.cn/m/search?q=${encodeURIComponent(m.content)}`
        : `收到：${m.content}\n检索结果：https://lib.example.edu.cn/m/search?q=${encodeURIComponent(m.content)}`,
    }));
}

async function ready(page: Page): Promise<void> {
  await page.locator('body[data-ready="true"]').waitFor();
}

async function openid(page: Page): Promise<string> {
  return String(await page.evaluate('localStorage.getItem("shulin.simulator.current")'));
}

async function tapMenu(page: Page, parent: string, item: string): Promise<void> {
  await page.locator('#menu-buttons button', { hasText: parent }).click();
  await page.locator('#submenu button', { hasText: item }).click();
}

const theirs = (page: Page, text: string) => page.locator('.row.theirs', { hasText: text });

describe.skipIf(browserMissing !== null)('the simulator in Chromium', () => {
  let server: SimulatorServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startSimulatorServer({ overrides: { configureRouter: handlers } });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(`${server.url}/simulator/`);
    await ready(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the account's menu in Chinese at 375×667", async () => {
    expect(page.viewportSize()).toEqual({ width: 375, height: 667 });
    expect(await page.locator('#menu-buttons button').allTextContents()).toEqual([
      '查书',
      '我的',
      '服务',
    ]);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    // The phone fills the screen: nothing scrolls sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  });

  it('presses 开馆时间 in the pop-up menu and shows the answer, which reached the server', async () => {
    await page.locator('#menu-buttons button', { hasText: '服务' }).click();
    const submenu = page.locator('#submenu');
    await submenu.waitFor();
    expect(await submenu.locator('button').allTextContents()).toEqual([
      '开馆时间',
      '扫码荐购',
      '留言反馈',
    ]);
    await submenu.locator('button', { hasText: '开馆时间' }).click();
    const reply = theirs(page, '总馆今天 8:00–22:00 开馆');
    await reply.waitFor();
    const link = reply.locator('a', { hasText: '本周开馆时间' });
    expect(await link.getAttribute('href')).toBe('https://lib.example.edu.cn/m/hours');
    expect(await link.getAttribute('target')).toBe('_blank');
    await page.locator('.note', { hasText: '点击了菜单「开馆时间」' }).waitFor();

    // The message log is written behind the reply; it has the CLICK from this reader.
    const reader = await openid(page);
    const { messageLog } = server.testApp.shulin.services;
    let logged = await messageLog.byOpenid(reader);
    for (let i = 0; i < 200 && !logged.some((e) => e.event === 'CLICK'); i++) {
      await sleep(25);
      logged = await messageLog.byOpenid(reader);
    }
    expect(logged).toContainEqual(expect.objectContaining({ msg_type: 'event', event: 'CLICK' }));
  });

  it('types a text and shows the reply', async () => {
    await page.locator('#to-keyboard').click();
    const input = page.locator('#text-input');
    await input.fill('红楼梦');
    await page.locator('#send-button').click();
    await page.locator('.row.mine .bubble', { hasText: '红楼梦' }).waitFor();
    const reply = theirs(page, '收到：红楼梦');
    await reply.waitFor();
    expect(await reply.locator('a').getAttribute('href')).toBe(
      `https://lib.example.edu.cn/m/search?q=${encodeURIComponent('红楼梦')}`,
    );
    expect(await input.inputValue()).toBe('');
  });

  it('scans an ISBN from the menu and shows the article card', async () => {
    await page.locator('#to-menu').click();
    await tapMenu(page, '查书', '扫码查书');
    await page.locator('#sheet').waitFor();
    await page.locator('#f-code').fill('978-7-5000-0791-3');
    expect(await page.locator('#f-key').inputValue()).toBe('SCAN_SEARCH');
    await page.locator('#sheet-ok').click();
    await page.locator('.row.mine .scan-result', { hasText: 'EAN_13,9787500007913' }).waitFor();
    const card = theirs(page, '找到：ISBN 9787500007913');
    await card.waitFor();
    expect(await card.locator('a').first().getAttribute('href')).toBe(
      'https://lib.example.edu.cn/m/isbn/9787500007913',
    );
  });

  it('switches to English, menu included, and back', async () => {
    await page.locator('#lang-button').click();
    await page.locator('#menu-buttons button', { hasText: 'Services' }).waitFor();
    expect(await page.locator('#menu-buttons button').allTextContents()).toEqual([
      'Books',
      'My library',
      'Services',
    ]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('.note', { hasText: 'Tapped the menu button' }).count()).toBe(1);
    await page.locator('#lang-button').click();
    await page.locator('#menu-buttons button', { hasText: '服务' }).waitFor();
  });

  it('sends voice, a location and a follow through a QR scene, encrypted in safe mode', async () => {
    await page.locator('#settings-button').click();
    await page.locator('#sheet label', { hasText: '安全模式' }).click();
    await page.locator('#sheet-ok').click();
    await page.locator('#reader-label', { hasText: '安全模式' }).waitFor();

    await page.locator('#to-keyboard').click();
    await page.locator('#voice-button').click();
    await page.locator('#f-transcript').fill('我的借阅');
    await page.locator('#sheet-ok').click();
    await page.locator('.row.mine .transcript', { hasText: '我的借阅' }).waitFor();
    await theirs(page, '听到：我的借阅（safe）').waitFor();

    await page.locator('#plus-button').click();
    await page.locator('[data-extra="location"]').click();
    await page.locator('#sheet .chips button', { hasText: '医学院路' }).click();
    await page.locator('#sheet-ok').click();
    await theirs(page, '离医学院路最近的是总馆').waitFor();

    await page.locator('#plus-button').click();
    await page.locator('[data-extra="follow"]').click();
    await page.locator('#f-scene').fill('bind_desk_1');
    await page.locator('#sheet-ok').click();
    await theirs(page, '欢迎！场景 bind_desk_1').waitFor();

    // The raw exchange behind a reply: the push and the encrypted answer.
    await theirs(page, '欢迎！场景 bind_desk_1').locator('.meta').click();
    const raw = await page.locator('#sheet pre').allTextContents();
    expect(raw[0]).toContain('<EventKey><![CDATA[qrscene_bind_desk_1]]></EventKey>');
    expect(raw[1]).toMatch(/^<xml><Encrypt>/);
    expect(raw[2]).toContain('欢迎！场景 bind_desk_1');
    await page.locator('#sheet-cancel').click();
    await page.locator('#to-menu').click();
  });

  it('keeps each reader’s conversation apart', async () => {
    const first = await openid(page);
    await page.locator('#readers-button').click();
    await page.locator('#new-reader').click();
    await page.locator('#sheet-ok').click();
    const second = await openid(page);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^o[\w-]{27}$/);
    expect(await page.locator('.row').count()).toBe(0);
    await tapMenu(page, '服务', '开馆时间');
    await theirs(page, '总馆今天').waitFor();
    expect(await page.locator('.row.theirs').count()).toBe(1);
  });
});

// Made on demand (`npm run screenshots`), not on every run.
if (browserMissing === null && process.env.SCREENSHOTS === '1') {
  describe('screenshots of the simulator (SCREENSHOTS=1)', () => {
    let server: SimulatorServer;
    beforeAll(async () => {
      server = await startSimulatorServer({ overrides: { configureRouter: handlers } });
      mkdirSync(SCREENSHOTS, { recursive: true });
    });
    afterAll(async () => {
      await server?.close();
    });

    it.each([
      { lang: 'zh-CN', text: '红楼梦', books: '查书', scan: '扫码查书', services: '服务' },
      {
        lang: 'en',
        text: 'Dream of the Red Chamber',
        books: 'Books',
        scan: 'Scan a book',
        services: 'Services',
      },
    ])('saves the $lang screenshot under docs/screenshots/', async (c) => {
      const browser = await launchBrowser({ locale: c.lang });
      try {
        const page = await browser.context.newPage();
        await page.goto(`${server.url}/simulator/`);
        await ready(page);
        if (c.lang === 'en') {
          englishReaders.add(await openid(page));
          await page.locator('#lang-button').click();
        }
        await tapMenu(page, c.services, c.lang === 'en' ? 'Opening hours' : '开馆时间');
        await page.locator('.row.theirs').first().waitFor();
        await page.locator('#to-keyboard').click();
        await page.locator('#text-input').fill(c.text);
        await page.locator('#send-button').click();
        await page.locator('.row.theirs').nth(1).waitFor();
        await page.locator('#to-menu').click();
        await tapMenu(page, c.books, c.scan);
        await page.locator('#f-code').fill('9787500007913');
        await page.locator('#sheet-ok').click();
        await page.locator('.row.theirs').nth(2).waitFor();
        // The pop-up menu open, as a reader sees it before choosing.
        await page.locator('#menu-buttons button', { hasText: c.services }).click();
        await page.locator('#submenu').waitFor();
        await page.screenshot({ path: resolve(SCREENSHOTS, `simulator-${c.lang}.png`) });
      } finally {
        await browser.close();
      }
    });
  });
}
