import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMenu } from '../modules/chat/menu.ts';
import { loadConfig } from '../platform/config.ts';
import { problemResponse } from '../platform/http/problem.ts';
import { WeChatApiError } from '../wechat/api/errors.ts';
import type { MessageRouter } from '../wechat/router.ts';
import { startSimulatorServer, type SimulatorServer } from './harness.test-util.ts';
import type { SentMessages } from './messages.ts';
import type { PushResult } from './send.ts';
import { simulatorMode, simulatorRoutes } from './routes.ts';

const READER = 'oSimulatorRoutes00000000001';

function handlers(router: MessageRouter): void {
  router
    .onText('slow', async () => {
      // Past the 100 ms budget: the answer goes out as a customer-service message.
      await sleep(400);
      return { type: 'text', content: '慢慢来的回答' };
    })
    .onMessage('text', (m, context) => ({
      type: 'text',
      content: `echo:${m.content}:${context.mode}`,
    }))
    .onMenuKey('SCAN_SEARCH', (m) => ({
      type: 'text',
      content: m.event === 'scancode_waitmsg' ? `scanned ${m.scanCodeInfo.code}` : 'no scan',
    }))
    .onMenuKey('NEWS', () => ({
      type: 'news',
      articles: [
        { title: '红楼梦', url: 'https://lib.example.edu.cn/m/r/1' },
        { title: '三体', description: '在架' },
      ],
    }));
}

async function post(base: string, body: unknown, type = 'application/json'): Promise<Response> {
  return fetch(`${base}/simulator/api/push`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: JSON.stringify(body),
  });
}

describe('the simulator with the demo account', () => {
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({
      env: { WECHAT_REPLY_BUDGET_MS: '100' },
      overrides: { configureRouter: handlers },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the page, its script and its styles', async () => {
    const bare = await fetch(`${server.url}/simulator`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/simulator/');
    expect((await fetch(`${server.url}/simulator/nothing/`)).status).toBe(404);
    const page = await fetch(`${server.url}/simulator/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html lang="zh-CN">[\s\S]*src="app\.js"/);
    const script = await fetch(`${server.url}/simulator/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('fetch(path, init)');
    expect((await fetch(`${server.url}/simulator/style.css`)).headers.get('content-type')).toMatch(
      /^text\/css/,
    );
  });

  it('describes the account without its secrets', async () => {
    const info = (await (await fetch(`${server.url}/simulator/api/info`)).json()) as Record<
      string,
      unknown
    >;
    expect(info).toEqual({
      mode: 'demo',
      appid: server.testApp.shulin.services.config.wechat.appid,
      originalId: 'gh_shulindemo',
      safeMode: true,
      requireEncryption: false,
    });
  });

  it('pushes the default menu once when the demo account has none, and shows what WeChat holds', async () => {
    const { fake } = server.testApp;
    expect(fake.state.menu).toBeNull();
    const first = await fetch(`${server.url}/simulator/api/menu`);
    expect(first.status).toBe(200);
    const { buttons } = (await first.json()) as {
      buttons: Array<{ names: Record<string, string>; sub?: Array<Record<string, unknown>> }>;
    };
    expect(fake.state.menu?.button).toEqual(buildMenu('zh-CN', server.url).button);
    expect(buttons.map((b) => b.names)).toEqual([
      { 'zh-CN': '查书', en: 'Books' },
      { 'zh-CN': '我的', en: 'My library' },
      { 'zh-CN': '服务', en: 'Services' },
    ]);
    expect(buttons[2]?.sub?.[0]).toEqual({
      names: { 'zh-CN': '开馆时间', en: 'Opening hours' },
      type: 'click',
      key: 'HOURS',
    });
    await fetch(`${server.url}/simulator/api/menu`);
    const creates = fake.state.requestLog.filter((r) => r.path === '/cgi-bin/menu/create');
    expect(creates).toHaveLength(1);
  });

  it.each(['plain', 'safe'] as const)(
    'sends a text push in %s mode to /wechat and returns the opened reply',
    async (mode) => {
      const response = await post(server.url, {
        openid: READER,
        mode,
        action: { kind: 'text', content: '红楼梦' },
      });
      expect(response.status).toBe(200);
      const result = (await response.json()) as PushResult;
      expect(result.reply).toEqual({ type: 'text', content: `echo:红楼梦:${mode}` });
      expect(result.encrypted).toBe(mode === 'safe');
      expect(result.sent).toContain('<Content><![CDATA[红楼梦]]></Content>');
      if (mode === 'safe') {
        expect(result.raw).toMatch(/^<xml><Encrypt>/);
        expect(result.raw).not.toContain('echo');
        expect(result.xml).toContain('echo:红楼梦:safe');
      } else {
        expect(result.raw).toContain('echo:红楼梦:plain');
      }
      expect(result.latencyMs).toBeGreaterThan(0);
    },
  );

  it('sends a menu scan and draws a news reply', async () => {
    const scan = (await (
      await post(server.url, {
        openid: READER,
        action: { kind: 'scan', key: 'SCAN_SEARCH', code: '978-7-5000-0791-3' },
      })
    ).json()) as PushResult;
    expect(scan.reply).toEqual({ type: 'text', content: 'scanned 9787500007913' });
    const news = (await (
      await post(server.url, { openid: READER, action: { kind: 'click', key: 'NEWS' } })
    ).json()) as PushResult;
    expect(news.reply).toEqual({
      type: 'news',
      articles: [
        { title: '红楼梦', url: 'https://lib.example.edu.cn/m/r/1' },
        { title: '三体', description: '在架' },
      ],
    });
  });

  it('answers null when the server replies success', async () => {
    const result = (await (
      await post(server.url, { openid: READER, action: { kind: 'unfollow' } })
    ).json()) as PushResult;
    expect(result.reply).toBeNull();
    expect(result.raw).toBe('success');
  });

  it('returns the customer-service messages sent to a reader, and only new ones after the cursor', async () => {
    const other = 'oSimulatorRoutesOther000001';
    const messages = async (openid: string, after?: string) => {
      const query = new URLSearchParams({ openid, ...(after ? { after } : {}) });
      const response = await fetch(`${server.url}/simulator/api/messages?${query.toString()}`);
      expect(response.status).toBe(200);
      return (await response.json()) as SentMessages;
    };
    const start = await messages(READER);
    expect(start.available).toBe(true);

    const late = (await (
      await post(server.url, { openid: READER, action: { kind: 'text', content: 'slow' } })
    ).json()) as PushResult;
    expect(late.reply).toBeNull();

    let seen: SentMessages = { available: true, messages: [], cursor: start.cursor };
    const deadline = Date.now() + 10_000;
    while (seen.messages.length === 0 && Date.now() < deadline) {
      await sleep(50);
      seen = await messages(READER, start.cursor);
    }
    expect(seen.messages).toEqual([
      {
        source: 'custom',
        id: expect.stringMatching(/^c\d+$/),
        time: expect.any(Number),
        reply: { type: 'text', content: '慢慢来的回答' },
      },
    ]);
    expect((await messages(READER, seen.cursor)).messages).toEqual([]);
    expect((await messages(other)).messages).toEqual([]);
    expect((await messages(READER)).messages.length).toBeGreaterThanOrEqual(1);
  });

  it('records template notifications too', async () => {
    const { wechatApi } = server.testApp.shulin.services;
    const before = (await (
      await fetch(`${server.url}/simulator/api/messages?openid=${READER}`)
    ).json()) as SentMessages;
    await wechatApi.sendTemplateMessage({
      touser: READER,
      templateId: 'DUE_SOON',
      url: 'https://lib.example.edu.cn/m/loans',
      data: { thing1: { value: '红楼梦' }, time2: { value: '2026-03-01' } },
    });
    const after = (await (
      await fetch(`${server.url}/simulator/api/messages?openid=${READER}&after=${before.cursor}`)
    ).json()) as SentMessages;
    expect(after.messages).toEqual([
      {
        source: 'template',
        id: expect.stringMatching(/^t\d+$/),
        time: expect.any(Number),
        templateId: 'DUE_SOON',
        url: 'https://lib.example.edu.cn/m/loans',
        data: [
          { name: 'thing1', value: '红楼梦' },
          { name: 'time2', value: '2026-03-01' },
        ],
      },
    ]);
  });

  it('refuses bodies that are not JSON, bad openids and unknown kinds', async () => {
    const form = await post(server.url, { openid: READER }, 'text/plain');
    expect(form.status).toBe(415);
    const badOpenid = await post(server.url, {
      openid: 'o reader',
      action: { kind: 'click', key: 'HOURS' },
    });
    expect(badOpenid.status).toBe(400);
    expect(await badOpenid.json()).toMatchObject({
      code: 'INVALID_REQUEST',
      errors: [expect.objectContaining({ field: 'openid' })],
    });
    const badKind = await post(server.url, { openid: READER, action: { kind: 'shake' } });
    expect(badKind.status).toBe(400);
    const badQuery = await fetch(`${server.url}/simulator/api/messages?openid=`);
    expect(badQuery.status).toBe(400);
  });
});

describe('the simulator with a real Official Account', () => {
  const REAL = {
    WECHAT_APPID: 'wx134c8103faa5a59e',
    WECHAT_SECRET: 'test-secret',
    WECHAT_TOKEN: 'AAAAA',
    WECHAT_AES_KEY: 'A'.repeat(43),
  };

  it('is not there unless SIMULATOR=on', async () => {
    const server = await startSimulatorServer({ env: REAL });
    try {
      for (const path of ['/simulator/', '/simulator/app.js', '/simulator/api/menu']) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
      }
      const push = await post(server.url, {
        openid: READER,
        action: { kind: 'click', key: 'HOURS' },
      });
      expect(push.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('with SIMULATOR=on is a staff tool that signs with the real token and pushes no menu', async () => {
    const server = await startSimulatorServer({
      env: REAL,
      setting: true,
      overrides: { configureRouter: handlers },
    });
    try {
      const info = (await (await fetch(`${server.url}/simulator/api/info`)).json()) as Record<
        string,
        unknown
      >;
      expect(info).toMatchObject({ mode: 'staff', appid: REAL.WECHAT_APPID });
      const menu = (await (await fetch(`${server.url}/simulator/api/menu`)).json()) as {
        buttons: unknown[];
      };
      expect(menu.buttons).toEqual([]);
      expect(server.testApp.fake.state.menu).toBeNull();
      const result = (await (
        await post(server.url, {
          openid: READER,
          mode: 'safe',
          action: { kind: 'text', content: 'hi' },
        })
      ).json()) as PushResult;
      expect(result.reply).toEqual({ type: 'text', content: 'echo:hi:safe' });
    } finally {
      await server.close();
    }
  });
});

describe('simulatorRoutes', () => {
  it('is on for the demo account, off for a real one unless asked, and off when told', () => {
    expect(simulatorMode({ configured: false }, undefined)).toBe('demo');
    expect(simulatorMode({ configured: false }, true)).toBe('demo');
    expect(simulatorMode({ configured: false }, false)).toBe('off');
    expect(simulatorMode({ configured: true }, undefined)).toBe('off');
    expect(simulatorMode({ configured: true }, true)).toBe('staff');
  });

  it('answers 502 with the reason when /wechat cannot be reached or WeChat refuses', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    // A port that was just free: the connection is refused at once.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const app = new Hono();
    app.onError((error, c) => problemResponse(c, error));
    app.route(
      '/simulator',
      simulatorRoutes({
        wechat: config.wechat,
        wechatApi: {
          getMenu: () =>
            Promise.reject(
              new WeChatApiError(45009, 'reach max api daily quota limit', '/cgi-bin/menu/get'),
            ),
          createMenu: () => Promise.resolve(),
        },
        wechatApiBase: `http://127.0.0.1:${port}`,
        publicUrl: undefined,
        setting: undefined,
        logger: pino({ level: 'silent' }),
        callbackUrl: `http://127.0.0.1:${port}/wechat`,
      }),
    );
    const push = await app.request('/simulator/api/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid: READER, action: { kind: 'click', key: 'HOURS' } }),
    });
    expect(push.status).toBe(502);
    expect(await push.json()).toMatchObject({
      code: 'PUSH_UNREACHABLE',
      title: `cannot reach http://127.0.0.1:${port}/wechat: ECONNREFUSED`,
    });
    const menu = await app.request('/simulator/api/menu');
    expect(menu.status).toBe(502);
    expect(await menu.json()).toMatchObject({ code: 'WECHAT_API_ERROR', errcode: 45009 });
    const messages = await app.request(`/simulator/api/messages?openid=${READER}`);
    expect(await messages.json()).toEqual({ available: false, messages: [], cursor: '' });
  });
});
