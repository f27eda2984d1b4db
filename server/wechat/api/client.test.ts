import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKv } from '../../platform/kv/memory.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from '../fake/app.ts';
import type { FakeWeChatApiOptions } from '../fake/state.ts';
import { WeChatApiClient, type WeChatApiClientOptions, type WeChatLogger } from './client.ts';
import {
  isCustomServiceWindowError,
  isOauthCodeError,
  isRetryable,
  WeChatApiError,
  WeChatSnapshotUserError,
} from './errors.ts';

const APPID = 'wxclienttest0001';
const SECRET = 'client-test-secret';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  fake: RunningFakeWeChatApi;
  kv: MemoryKv;
  client: WeChatApiClient;
  logs: Array<{ level: string; obj: object; msg: string | undefined }>;
}

async function setup(
  options: { fake?: FakeWeChatApiOptions; client?: Partial<WeChatApiClientOptions> } = {},
): Promise<Setup> {
  const fake = await startFakeWeChatApi({
    accounts: { appid: APPID, secret: SECRET },
    ...options.fake,
  });
  const kv = new MemoryKv();
  cleanups.push(
    () => fake.close(),
    () => kv.close(),
  );
  const logs: Setup['logs'] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj, msg });
    };
  const logger: WeChatLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  const client = new WeChatApiClient({
    appid: APPID,
    secret: SECRET,
    baseUrl: fake.url,
    kv,
    logger,
    retryDelaysMs: [20, 40, 80],
    ...options.client,
  });
  return { fake, kv, client, logs };
}

const text = (touser: string, content = '《三体》已到馆') =>
  ({ touser, msgtype: 'text', text: { content } }) as const;

const urlOf = (input: string | URL | Request): string =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

function callsTo(fake: RunningFakeWeChatApi, path: string) {
  return fake.state.requestLog.filter((entry) => entry.path === path);
}

async function rejection(promise: Promise<unknown>): Promise<WeChatApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WeChatApiError) return error;
    throw error;
  }
  throw new Error('expected a WeChatApiError');
}

describe('WeChatApiClient: access_token', () => {
  it('fetches a stable token once and caches it with the 300 s margin', async () => {
    const refreshes: string[] = [];
    const { fake, kv, client } = await setup({
      client: { onTokenRefresh: (kind) => refreshes.push(kind) },
    });
    const token = await client.getAccessToken();
    expect(await client.getAccessToken()).toBe(token);
    await client.sendCustomMessage(text('oReader'));
    expect(fake.state.stableTokenFetches).toBe(1);
    expect(fake.state.tokenFetches).toBe(0);
    expect(await kv.get(`wx:${APPID}:access_token`)).toBe(token);
    const ttl = (await kv.ttl(`wx:${APPID}:access_token`)) ?? 0;
    expect(ttl).toBeGreaterThan(6890_000);
    expect(ttl).toBeLessThanOrEqual(6900_000);
    expect(refreshes).toEqual(['access_token']);
  });

  it('on 40001 drops that token, fetches a fresh one and retries once', async () => {
    const { fake, client } = await setup();
    await client.getAccessToken();
    fake.state.invalidateAllTokens();
    await client.sendCustomMessage(text('oReader'));
    expect(fake.state.stableTokenFetches).toBe(2);
    expect(callsTo(fake, '/cgi-bin/message/custom/send').map((e) => e.errcode)).toEqual([40001, 0]);
    expect(fake.state.customMessages).toHaveLength(1);
  });

  it('keeps a token another instance refreshed meanwhile (compare-and-expire)', async () => {
    let peerRefreshed = false;
    const box: { setup?: Setup } = {};
    const peerFetch: typeof fetch = async (input, init) => {
      const s = box.setup;
      if (s && !peerRefreshed && urlOf(input).includes('/custom/send')) {
        // Another instance saw 40001 first and stored a fresh token before our answer arrives.
        peerRefreshed = true;
        s.fake.state.invalidateAllTokens();
        const res = await fetch(`${s.fake.url}/cgi-bin/stable_token`, {
          method: 'POST',
          body: JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: SECRET }),
        });
        const { access_token: fresh } = (await res.json()) as { access_token: string };
        await s.kv.set(`wx:${APPID}:access_token`, fresh, { ttlMs: 60_000 });
      }
      return fetch(input, init);
    };
    box.setup = await setup({ client: { fetch: peerFetch } });
    const { fake, kv, client } = box.setup;
    await client.getAccessToken();
    await client.sendCustomMessage(text('oReader'));
    const fresh = await kv.get(`wx:${APPID}:access_token`);
    // The initial fetch plus the peer's: our 40001 did not throw the peer's token away.
    expect(fake.state.stableTokenFetches).toBe(2);
    expect(callsTo(fake, '/cgi-bin/message/custom/send').map((e) => e.errcode)).toEqual([40001, 0]);
    expect(callsTo(fake, '/cgi-bin/message/custom/send')[1]?.token).toBe(fresh);
  });

  it('retries a token error only once', async () => {
    const { fake, client } = await setup();
    fake.state.injectFaults([{ path: '/cgi-bin/menu/get', errcode: 40001, times: 2 }]);
    const error = await rejection(client.getMenu());
    expect(error.errcode).toBe(40001);
    expect(callsTo(fake, '/cgi-bin/menu/get')).toHaveLength(2);
  });
});

describe('WeChatApiClient: retries', () => {
  it('backs off on -1 and then succeeds', async () => {
    const { fake, client, logs } = await setup();
    await client.getAccessToken();
    fake.state.injectFaults([{ path: '/cgi-bin/message/custom/send', errcode: -1, times: 2 }]);
    const started = Date.now();
    await client.sendCustomMessage(text('oReader'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55); // 20 + 40 ms
    expect(callsTo(fake, '/cgi-bin/message/custom/send').map((e) => e.errcode)).toEqual([
      -1, -1, 0,
    ]);
    expect(fake.state.customMessages).toHaveLength(1);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(2);
  });

  it('gives up on -1 after the configured retries', async () => {
    const { fake, client } = await setup();
    fake.state.injectFaults([{ path: '/cgi-bin/menu/get', errcode: -1, times: 10 }]);
    const error = await rejection(client.getMenu());
    expect(error.errcode).toBe(-1);
    expect(isRetryable(error)).toBe(true);
    expect(callsTo(fake, '/cgi-bin/menu/get')).toHaveLength(4);
  });

  it('never retries 45009, and logs it as an error', async () => {
    const { fake, client, logs } = await setup();
    fake.state.injectFaults([
      { path: '/cgi-bin/menu/get', errcode: 45009, errmsg: 'reach max api daily quota limit' },
    ]);
    const error = await rejection(client.getMenu());
    expect(error).toMatchObject({ errcode: 45009, path: '/cgi-bin/menu/get', outcome: 'rejected' });
    expect(callsTo(fake, '/cgi-bin/menu/get')).toHaveLength(1);
    expect(
      logs.some((l) => l.level === 'error' && (l.obj as { errcode?: number }).errcode === 45009),
    ).toBe(true);
  });

  it('does not resend a 客服 message after a timeout: it may have been delivered', async () => {
    const { fake, client } = await setup({ client: { timeoutMs: 150 } });
    await client.getAccessToken();
    fake.state.injectFaults([{ path: '/cgi-bin/message/custom/send', delayMs: 400 }]);
    const error = await rejection(client.sendCustomMessage(text('oReader')));
    expect(error).toMatchObject({ errcode: -2, outcome: 'unknown' });
    expect(isRetryable(error)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(callsTo(fake, '/cgi-bin/message/custom/send')).toHaveLength(1);
    expect(fake.state.customMessages).toHaveLength(1);
  });

  it('does not resend a 客服 message when the connection drops after WeChat acted', async () => {
    const { fake, client } = await setup();
    await client.getAccessToken();
    fake.state.injectFaults([{ path: '/cgi-bin/message/custom/send', dropConnection: true }]);
    const error = await rejection(client.sendCustomMessage(text('oReader')));
    expect(error).toMatchObject({ errcode: -2, outcome: 'unknown' });
    expect(fake.state.customMessages).toHaveLength(1);
  });

  it('resends a 客服 message when the connection was refused (it never left)', async () => {
    let refused = 0;
    const refusingOnce: typeof fetch = (input, init) => {
      if (urlOf(input).includes('/custom/send') && refused === 0) {
        refused += 1;
        const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
          code: 'ECONNREFUSED',
        });
        return Promise.reject(new TypeError('fetch failed', { cause }));
      }
      return fetch(input, init);
    };
    const { fake, client } = await setup({ client: { fetch: refusingOnce } });
    await client.sendCustomMessage(text('oReader'));
    expect(refused).toBe(1);
    expect(fake.state.customMessages).toHaveLength(1);
  });

  it('reports a server that is down as -2 not-sent after the retries', async () => {
    // A port that was free a moment ago: nothing listens, so the connection is refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const { client } = await setup({ client: { baseUrl: `http://127.0.0.1:${port}` } });
    const error = await rejection(client.getAccessToken());
    expect(error).toMatchObject({
      errcode: -2,
      outcome: 'not-sent',
      path: '/cgi-bin/stable_token',
    });
    expect(isRetryable(error)).toBe(true);
  });

  it('retries a template send after a timeout: client_msg_id makes it idempotent', async () => {
    const { fake, client } = await setup({ client: { timeoutMs: 150 } });
    await client.getAccessToken();
    fake.state.injectFaults([{ path: '/cgi-bin/message/template/send', delayMs: 400 }]);
    const { msgid } = await client.sendTemplateMessage({
      touser: 'oReader',
      templateId: 'TPL',
      data: { thing1: { value: '三体' } },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(callsTo(fake, '/cgi-bin/message/template/send')).toHaveLength(2);
    expect(fake.state.templateMessages).toHaveLength(1);
    expect(fake.state.templateMessages[0]?.msgid).toBe(msgid);
    expect(fake.state.templateMessages[0]?.clientMsgId).toMatch(/^shulin-[0-9a-f]{24}$/);
  });
});

describe('WeChatApiClient: messages', () => {
  it('surfaces 45015 and 45047 as typed errors', async () => {
    const { fake, client } = await setup({ fake: { customServiceWindow: 'strict' } });
    const closed = await rejection(client.sendCustomMessage(text('oReader')));
    expect(closed).toMatchObject({ errcode: 45015, outcome: 'rejected' });
    expect(isCustomServiceWindowError(closed.errcode)).toBe(true);
    fake.state.openCustomServiceWindow('oReader', 'event');
    for (let i = 0; i < 3; i += 1) await client.sendCustomMessage(text('oReader', `第${i}条`));
    const spent = await rejection(client.sendCustomMessage(text('oReader')));
    expect(spent.errcode).toBe(45047);
    expect(isCustomServiceWindowError(spent.errcode)).toBe(true);
    expect(fake.state.customMessages).toHaveLength(3);
  });

  it('checks a 客服 message before sending', async () => {
    const { fake, client } = await setup();
    const article = { title: 't', url: 'https://e.x/' };
    const many = {
      touser: 'oR',
      msgtype: 'news',
      news: { articles: [article, article] },
    } as unknown as Parameters<WeChatApiClient['sendCustomMessage']>[0];
    const error = await rejection(client.sendCustomMessage(many));
    expect(error).toMatchObject({ errcode: 45008, outcome: 'not-sent', local: true });
    expect(fake.state.requestLog).toHaveLength(0);
  });

  it('returns the template msgid as the exact 64-bit string', async () => {
    const { fake, client } = await setup();
    const { msgid } = await client.sendTemplateMessage({
      touser: 'oReader',
      templateId: 'TPL',
      url: 'https://lib.example.edu/m/loans',
      clientMsgId: 'due:2025-03-01:42',
      data: { thing1: { value: '三体' }, time2: { value: '2025-03-10 23:59' } },
    });
    expect(typeof msgid).toBe('string');
    expect(BigInt(msgid) > 2n ** 53n).toBe(true);
    expect(msgid).toBe(fake.state.templateMessages[0]?.msgid);
    expect(fake.state.templateMessages[0]).toMatchObject({
      clientMsgId: 'due:2025-03-01:42',
      url: 'https://lib.example.edu/m/loans',
    });
  });

  it('refuses template data WeChat would reject with 47003, without sending', async () => {
    const { fake, client } = await setup();
    for (const value of ['书'.repeat(21), '第一行\n第二行']) {
      const error = await rejection(
        client.sendTemplateMessage({
          touser: 'oReader',
          templateId: 'TPL',
          data: { thing1: { value } },
        }),
      );
      expect(error).toMatchObject({ errcode: 47003, local: true });
    }
    expect(fake.state.requestLog).toHaveLength(0);
  });

  it('sends subscribe notifications and surfaces 43101', async () => {
    const { fake, client } = await setup();
    const message = {
      templateId: 'SUB',
      page: 'https://lib.example.edu/m',
      data: { thing1: { value: '预约到馆' } },
    };
    await client.sendSubscribeMessage({ touser: 'oYes', ...message });
    fake.state.refuseSubscribe.add('oNo');
    expect(
      (await rejection(client.sendSubscribeMessage({ touser: 'oNo', ...message }))).errcode,
    ).toBe(43101);
    expect(fake.state.subscribeMessages).toHaveLength(1);
  });
});

describe('WeChatApiClient: menus, QR codes, media', () => {
  it('creates, reads and deletes the menu; null when none', async () => {
    const { fake, client } = await setup();
    expect(await client.getMenu()).toBeNull();
    await client.createMenu({
      button: [
        { type: 'click', name: '我的借阅', key: 'MY_LOANS' },
        {
          name: '服务',
          sub_button: [{ type: 'scancode_waitmsg', name: '扫码查书', key: 'SCAN_ISBN' }],
        },
      ],
    });
    expect((await client.getMenu())?.menu.button[0]).toEqual({
      type: 'click',
      name: '我的借阅',
      key: 'MY_LOANS',
    });
    await client.deleteMenu();
    expect(await client.getMenu()).toBeNull();
    const tooMany = { type: 'click', name: 'x', key: 'x' } as const;
    const error = await rejection(
      client.createMenu({ button: [tooMany, tooMany, tooMany, tooMany] }),
    );
    expect(error).toMatchObject({ errcode: 40016, local: true });
    expect(fake.state.menu).toBeNull();
  });

  it('creates QR codes of each kind and URL-encodes the ticket in imageUrl', async () => {
    const { fake, client } = await setup();
    const temp = await client.createQrCode({ scene: 'bind:desk-3', expireSeconds: 600 });
    expect(temp.expireSeconds).toBe(600);
    expect(temp.imageUrl).toBe(
      `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=${encodeURIComponent(temp.ticket)}`,
    );
    const permanent = await client.createQrCode({ scene: 7, permanent: true });
    expect(permanent.expireSeconds).toBeNull();
    expect(fake.state.qrCodes.map((q) => q.actionName)).toEqual(['QR_STR_SCENE', 'QR_LIMIT_SCENE']);
    expect((await rejection(client.createQrCode({ scene: 100_001, permanent: true }))).local).toBe(
      true,
    );
    expect((await rejection(client.createQrCode({ scene: 'x'.repeat(65) }))).local).toBe(true);
    expect(
      (await rejection(client.createQrCode({ scene: 1, expireSeconds: 2_592_001 }))).local,
    ).toBe(true);
    expect(fake.state.qrCodes).toHaveLength(2);
  });

  it('uploads and downloads media, thumbnails and videos included', async () => {
    const { client } = await setup();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    const image = await client.uploadMedia('image', png, 'cover.png');
    expect(image.type).toBe('image');
    expect(image.mediaId).toMatch(/^[\w-]+$/);
    const got = await client.getMedia(image.mediaId);
    expect(got).toMatchObject({ contentType: 'image/png', filename: 'cover.png' });
    expect(got.bytes).toEqual(png);
    const thumb = await client.uploadMedia('thumb', png, 'thumb.jpg');
    expect(thumb.mediaId).toMatch(/^[\w-]+$/);
    const clip = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]);
    const video = await client.uploadMedia('video', clip, 'clip.mp4');
    expect((await client.getMedia(video.mediaId)).bytes).toEqual(clip);
    expect((await rejection(client.getMedia('nope'))).errcode).toBe(40007);
    expect(
      (await rejection(client.uploadMedia('thumb', new Uint8Array(65 * 1024), 't.jpg'))).errcode,
    ).toBe(40006);
  });
});

describe('WeChatApiClient: OAuth', () => {
  it('builds the authorize URL in WeChat order with #wechat_redirect', async () => {
    const { client } = await setup();
    expect(
      client.oauthAuthorizeUrl({
        redirectUri: 'https://lib.example.edu/m/auth?x=1',
        state: 'n0nce',
      }),
    ).toBe(
      `https://open.weixin.qq.com/connect/oauth2/authorize?appid=${APPID}` +
        '&redirect_uri=https%3A%2F%2Flib.example.edu%2Fm%2Fauth%3Fx%3D1&response_type=code' +
        '&scope=snsapi_base&state=n0nce&connect_redirect=1#wechat_redirect',
    );
    expect(() => client.oauthAuthorizeUrl({ redirectUri: 'https://e.x/', state: 'a&b' })).toThrow(
      RangeError,
    );
    expect(() =>
      client.oauthAuthorizeUrl({ redirectUri: 'https://e.x/', state: 'a'.repeat(129) }),
    ).toThrow(RangeError);
  });

  it('signs in through the fake authorize page end to end', async () => {
    const { fake, kv, client } = await setup();
    const oauthClient = new WeChatApiClient({
      appid: APPID,
      secret: SECRET,
      baseUrl: fake.url,
      oauthBase: fake.url,
      kv,
    });
    const url = oauthClient.oauthAuthorizeUrl({
      redirectUri: 'https://lib.example.edu/m/auth',
      state: 'abc',
    });
    const res = await fetch(`${url.split('#')[0] ?? ''}&openid=oE2E`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('abc');
    const identity = await client.exchangeOauthCode(location.searchParams.get('code') ?? '');
    expect(identity).toEqual({ openid: 'oE2E', scope: 'snsapi_base', isSnapshotUser: false });
  });

  it('exchanges a code once; a repeat (refresh, back button) is served from the cache', async () => {
    const { fake, kv, client } = await setup();
    const code = fake.state.issueOauthCode('oReader', { unionid: 'uReader' });
    const first = await client.exchangeOauthCode(code);
    expect(first).toEqual({
      openid: 'oReader',
      scope: 'snsapi_base',
      unionid: 'uReader',
      isSnapshotUser: false,
    });
    expect(await client.exchangeOauthCode(code)).toEqual(first);
    const [a, b] = await Promise.all([
      client.exchangeOauthCode(fake.state.issueOauthCode('oTwin')),
      client.exchangeOauthCode(code),
    ]);
    expect(a.openid).toBe('oTwin');
    expect(b.openid).toBe('oReader');
    expect(fake.state.oauthExchanges).toBe(2);
    expect((await kv.ttl(`wx:${APPID}:oauth:${code}`)) ?? 0).toBeGreaterThan(290_000);
  });

  it('shares one exchange between concurrent duplicate hits', async () => {
    const { fake, client } = await setup();
    const code = fake.state.issueOauthCode('oDup');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => client.exchangeOauthCode(code)),
    );
    expect(results.map((r) => r.openid)).toEqual(Array(5).fill('oDup'));
    expect(fake.state.oauthExchanges).toBe(1);
  });

  it('rejects unknown codes and snapshot users with typed errors', async () => {
    const { fake, client } = await setup();
    const unknown = await rejection(client.exchangeOauthCode('0a1b2c3d4e5f'));
    expect(unknown.errcode).toBe(40029);
    expect(isOauthCodeError(unknown.errcode)).toBe(true);
    expect((await rejection(client.exchangeOauthCode('bad code!'))).local).toBe(true);
    const code = fake.state.issueOauthCode('oSnap', { scope: 'snsapi_userinfo', snapshot: true });
    await expect(client.exchangeOauthCode(code)).rejects.toBeInstanceOf(WeChatSnapshotUserError);
    expect(await client.exchangeOauthCode(code, { allowSnapshotUser: true })).toMatchObject({
      openid: 'oSnap',
      isSnapshotUser: true,
    });
    expect(fake.state.oauthExchanges).toBe(2);
  });
});

describe('WeChatApiClient: JS-SDK', () => {
  it('signs wx.config with the official vector J when the ticket is pinned', async () => {
    const { fake, client } = await setup({
      client: { now: () => 1414587457_000, nonce: () => 'Wm3WZYTPz0wzccnW' },
    });
    fake.state.pinJsapiTicket(
      'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
    );
    const config = await client.jssdkConfig({
      url: 'http://mp.weixin.qq.com?params=value#xxxx',
      jsApiList: ['scanQRCode'],
      openTagList: ['wx-open-subscribe'],
    });
    expect(config).toEqual({
      appId: APPID,
      timestamp: 1414587457,
      nonceStr: 'Wm3WZYTPz0wzccnW',
      signature: '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
      jsApiList: ['scanQRCode'],
      openTagList: ['wx-open-subscribe'],
    });
    await client.jssdkConfig({ url: 'http://mp.weixin.qq.com?params=value', jsApiList: [] });
    expect(fake.state.ticketFetches).toBe(1);
  });

  it('caches the ticket like the token and refuses a relative URL', async () => {
    const refreshes: string[] = [];
    const { kv, client } = await setup({
      client: { onTokenRefresh: (kind) => refreshes.push(kind) },
    });
    const config = await client.jssdkConfig({
      url: 'https://lib.example.edu/m/scan',
      jsApiList: ['scanQRCode'],
    });
    expect(config.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(await kv.get(`wx:${APPID}:jsapi_ticket`)).toBe(await client.getJsapiTicket());
    expect(refreshes).toEqual(['access_token', 'jsapi_ticket']);
    await expect(client.jssdkConfig({ url: '/m/scan', jsApiList: [] })).rejects.toThrow(RangeError);
  });
});

describe('WeChatApiClient: wiring', () => {
  it('accepts a pino logger', async () => {
    const fake = await startFakeWeChatApi({ accounts: { appid: APPID, secret: SECRET } });
    const kv = new MemoryKv();
    cleanups.push(
      () => fake.close(),
      () => kv.close(),
    );
    const client = new WeChatApiClient({
      appid: APPID,
      secret: SECRET,
      baseUrl: fake.url,
      kv,
      logger: pino({ level: 'silent' }),
    });
    expect(await client.getMenu()).toBeNull();
  });
});
