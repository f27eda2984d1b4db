/**
 * The reader pages for purchase suggestions and feedback in Chromium at a phone's size:
 * a suggestion by ISBN that appears in the reader's list, an ISBN the library holds that
 * leads to its record, feedback with a photo, and a staff reply shown under it, its times in
 * the library's time zone on a phone set to another. With SCREENSHOTS=1 it saves both pages
 * in both languages under docs/screenshots/.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserMissing,
  launchBrowser,
  PHONE,
  type Browser,
} from '../../../test/support/browser.ts';
import { cardKey } from '../accounts/reader-context.ts';
import {
  screenshot,
  signIn,
  startReaderServer,
  watchErrors,
  type ReaderServer,
} from './harness.test-util.ts';

const READER = '20260005';
// 三体 in the demo library, with copies; the other edition is not held.
const HELD = '9787500071273';
const NOT_HELD = '9787536692930';
/** Where the phone is in the feedback test: 15 or 16 hours from the library's Asia/Shanghai. */
const DEVICE_ZONE = 'America/Los_Angeles';

interface ShownTime {
  readonly shown: string;
  readonly at: string;
  /** The same instant as the page's language writes it in the library's and the device's zone. */
  readonly library: string;
  readonly device: string;
}

/** Every message time on the feedback page, with what it would read in either zone. */
function shownTimes(page: Page, locale: string, libraryZone: string): Promise<ShownTime[]> {
  const options = JSON.stringify({ dateStyle: 'medium', timeStyle: 'short' });
  const format = (zone: string | null) =>
    `new Intl.DateTimeFormat(${JSON.stringify(locale)}, { ...${options}${
      zone ? `, timeZone: ${JSON.stringify(zone)}` : ''
    } }).format(new Date(el.dateTime))`;
  return page.evaluate<ShownTime[]>(
    `[...document.querySelectorAll('.feedback-thread time')].map((el) => ({
      shown: el.textContent, at: el.dateTime, library: ${format(libraryZone)}, device: ${format(null)},
    }))`,
  );
}

/** `HH:MM` of an instant in a zone, as zh-CN writes a time. */
function clock(at: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).format(new Date(at));
}

/** A small solid-colour PNG, made here so the test needs no file of its own. */
function png(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill(rgb).flat())]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array<Buffer>(height).fill(row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe.skipIf(browserMissing !== null)('suggestions and feedback in Chromium', () => {
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

  it('suggests a book by ISBN, lists it, and leads to the record of one the library holds', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await signIn(page, server.url, READER);

    await page.getByRole('link', { name: '荐购' }).click();
    await page.waitForURL(`${server.url}/m/recommend`);
    await page.getByRole('heading', { name: '荐购图书' }).waitFor();
    await page.getByText('您还没有荐购过图书。').waitFor();

    await page.getByRole('textbox', { name: 'ISBN' }).fill(NOT_HELD);
    await page.getByLabel('推荐理由（选填）').fill('科幻读书会想读');
    await page.getByRole('button', { name: '提交荐购' }).click();
    await page.getByRole('status').filter({ hasText: '感谢推荐' }).waitFor();
    const item = page.locator('.request-item', { hasText: `ISBN ${NOT_HELD}` });
    await item.waitFor();
    expect(await item.locator('.status-badge').textContent()).toBe('待处理');
    expect(await item.textContent()).toContain('1 位读者推荐');
    expect(await item.textContent()).toContain('科幻读书会想读');

    await page.getByLabel('书名').fill('The Dispossessed');
    await page.getByLabel('作者').fill('Ursula K. Le Guin');
    await page.getByRole('button', { name: '提交荐购' }).click();
    await page.locator('.request-item', { hasText: 'The Dispossessed' }).waitFor();
    expect(await page.locator('.request-item__title').allTextContents()).toEqual([
      'The Dispossessed',
      // The catalogue had no record of it, so the ISBN alone was known.
      '（书名待补充）',
    ]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );
    // The answer and the list, rather than the empty form, make the picture.
    await page.evaluate("document.querySelector('.request-result').scrollIntoView()");
    await screenshot(page, 'recommend-zh');

    await page.getByRole('textbox', { name: 'ISBN' }).fill(HELD);
    await page.getByRole('button', { name: '提交荐购' }).click();
    const held = page.getByRole('status').filter({ hasText: '图书馆已有这本书' });
    await held.waitFor();
    await held.getByRole('link', { name: '查看馆藏' }).click();
    await page.waitForURL(/\/m\/records\/\d+$/);
    await page.getByRole('heading', { level: 1, name: '三体' }).waitFor();

    await page.goto(`${server.url}/m/recommend`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Suggest a purchase' }).waitFor();
    await page.locator('.status-badge', { hasText: 'Pending' }).first().waitFor();
    await page.evaluate("document.querySelector('#my-suggestions').scrollIntoView()");
    await screenshot(page, 'recommend-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '荐购图书' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends feedback with a photo and shows the library’s reply under it', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    // A reader away from the library: the times must still read as the library's.
    const libraryZone = server.testApp.shulin.services.config.timezone;
    expect(libraryZone).not.toBe(DEVICE_ZONE);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: DEVICE_ZONE });
    expect(await page.evaluate('Intl.DateTimeFormat().resolvedOptions().timeZone')).toBe(
      DEVICE_ZONE,
    );
    await signIn(page, server.url, READER);
    await page.goto(`${server.url}/m/`);
    await page.getByRole('link', { name: '意见反馈' }).click();
    await page.waitForURL(`${server.url}/m/feedback`);
    await page.getByText('您还没有发送过反馈。').waitFor();

    await page.getByLabel('反馈内容').fill('三楼东侧阅览区空调太冷，能否调高一点？');
    await page.getByLabel('添加照片').setInputFiles({
      name: 'aircon.png',
      mimeType: 'image/png',
      buffer: png(96, 64, [70, 140, 200]),
    });
    await page.getByRole('img', { name: '待发送的照片' }).waitFor();
    expect(await page.getByText('19/1000').count()).toBe(1);
    await page.getByRole('button', { name: '发送' }).click();
    const mine = page.locator('.feedback-message_reader', { hasText: '空调太冷' });
    await mine.waitFor();
    const photo = mine.getByRole('img', { name: '随反馈发送的照片' });
    await photo.waitFor();
    await expect
      .poll(() =>
        page.evaluate<number>(
          "document.querySelector('.feedback-message_reader .feedback-message__photo').naturalWidth",
        ),
      )
      .toBe(96);
    expect(await page.getByRole('img', { name: '待发送的照片' }).count()).toBe(0);

    const { feedback } = server.testApp.shulin.services.conversation;
    expect(
      await feedback.recordReply(cardKey(READER), '您好，已请物业将三楼温度调高到 26 度。'),
    ).not.toBeNull();
    await page.reload();
    const reply = page.locator('.feedback-message_library');
    await reply.waitFor();
    expect(await reply.textContent()).toContain('图书馆回复');
    expect(await reply.textContent()).toContain('26 度');
    const zh = await shownTimes(page, 'zh-CN', libraryZone);
    expect(zh).toHaveLength(2);
    for (const time of zh) {
      expect(time.shown).toBe(time.library);
      expect(time.shown).toContain(clock(time.at, libraryZone));
      expect(time.shown).not.toBe(time.device);
    }
    await page.evaluate("document.querySelector('#my-feedback').scrollIntoView()");
    await screenshot(page, 'feedback-zh');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Feedback', level: 1 }).waitFor();
    await page.locator('.feedback-message_library', { hasText: "Library's reply" }).waitFor();
    const en = await shownTimes(page, 'en', libraryZone);
    expect(en).toHaveLength(2);
    for (const time of en) {
      expect(time.shown).toBe(time.library);
      expect(time.shown).not.toBe(time.device);
    }
    await screenshot(page, 'feedback-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '意见反馈', level: 1 }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
