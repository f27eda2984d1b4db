import { describe, expect, it } from 'vitest';
import { createFakeWeChatApi, startFakeWeChatApi } from './app.ts';
import type { FakeWeChatApiOptions } from './state.ts';

const APPID = 'wxtest0000000001';
const SECRET = 'test-secret';

function setup(options: FakeWeChatApiOptions = {}) {
  let time = 1_700_000_000_000;
  const fake = createFakeWeChatApi({
    accounts: { appid: APPID, secret: SECRET },
    now: () => time,
    ...options,
  });
  const request = async (path: string, init?: RequestInit): Promise<Record<string, unknown>> => {
    const res = await fake.app.request(path, init);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  const post = (path: string, body: unknown) =>
    request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const stable = async (forceRefresh = false): Promise<string> => {
    const body = await post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: APPID,
      secret: SECRET,
      force_refresh: forceRefresh,
    });
    return String(body.access_token);
  };
  return {
    ...fake,
    request,
    post,
    stable,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

const text = (touser: string, content = 'hi') => ({ touser, msgtype: 'text', text: { content } });

describe('fake WeChat API: tokens', () => {
  it('classic /cgi-bin/token issues a new token per call and kills the previous one', async () => {
    const fake = setup();
    const q = `/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`;
    const first = await fake.request(q);
    const second = await fake.request(q);
    expect(first.expires_in).toBe(7200);
    expect(second.access_token).not.toBe(first.access_token);
    expect(first).not.toHaveProperty('errcode');
    expect(
      (await fake.request(`/cgi-bin/menu/get?access_token=${String(first.access_token)}`)).errcode,
    ).toBe(40001);
    expect(
      (await fake.request(`/cgi-bin/menu/get?access_token=${String(second.access_token)}`)).errcode,
    ).toBe(46003);
    expect(fake.state.tokenFetches).toBe(2);
  });

  it('classic token rejects a bad appid (40013) and a bad secret (40001)', async () => {
    const fake = setup();
    const bad = await fake.request(
      '/cgi-bin/token?grant_type=client_credential&appid=wxnope&secret=x',
    );
    expect(bad.errcode).toBe(40013);
    const wrong = await fake.request(
      `/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=x`,
    );
    expect(wrong.errcode).toBe(40001);
    expect(String(wrong.errmsg)).toMatch(/ rid: [0-9a-f]+$/);
  });

  it('stable_token repeats the token until 300 s before expiry, then issues the next', async () => {
    const fake = setup({ tokenTtlSeconds: 7200 });
    const a = await fake.stable();
    fake.advance(6000_000);
    const again = await fake.post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: APPID,
      secret: SECRET,
    });
    expect(again.access_token).toBe(a);
    expect(again.expires_in).toBe(1200);
    fake.advance(1000_000); // 200 s left
    const b = await fake.stable();
    expect(b).not.toBe(a);
    // The old token stays valid until its own expiry (the overlap), then 42001.
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${a}`)).errcode).toBe(46003);
    fake.advance(201_000);
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${a}`)).errcode).toBe(42001);
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${b}`)).errcode).toBe(46003);
    expect(fake.state.stableTokenFetches).toBe(3);
  });

  it('stable_token force_refresh revokes the previous token and needs 30 s spacing', async () => {
    const fake = setup();
    const a = await fake.stable();
    const b = await fake.stable(true);
    expect(b).not.toBe(a);
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${a}`)).errcode).toBe(40001);
    const tooSoon = await fake.post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: APPID,
      secret: SECRET,
      force_refresh: true,
    });
    expect(tooSoon.errcode).toBe(45011);
    fake.advance(30_000);
    expect(await fake.stable(true)).not.toBe(b);
  });

  it('stable and classic tokens are isolated', async () => {
    const fake = setup();
    const stable = await fake.stable();
    await fake.request(
      `/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`,
    );
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${stable}`)).errcode).toBe(46003);
  });

  it('stable_token rejects a bad secret with 40125', async () => {
    const fake = setup();
    const body = await fake.post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: APPID,
      secret: 'nope',
    });
    expect(body.errcode).toBe(40125);
  });

  it('checks the access_token on every other endpoint: 41001, 40001, 42001', async () => {
    const fake = setup({ tokenTtlSeconds: 600 });
    expect((await fake.request('/cgi-bin/menu/get')).errcode).toBe(41001);
    expect((await fake.request('/cgi-bin/menu/get?access_token=forged')).errcode).toBe(40001);
    const token = await fake.stable();
    fake.advance(601_000);
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${token}`)).errcode).toBe(42001);
  });

  it('invalidateAllTokens answers 40001 and the next normal stable_token call issues a new token', async () => {
    const fake = setup();
    const a = await fake.stable();
    fake.state.invalidateAllTokens();
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${a}`)).errcode).toBe(40001);
    const b = await fake.stable();
    expect(b).not.toBe(a);
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${b}`)).errcode).toBe(46003);
  });
});

describe('fake WeChat API: 客服 messages', () => {
  it('records messages and counts the open-always window quota (5 per openid)', async () => {
    const fake = setup();
    const token = await fake.stable();
    const send = (body: unknown) =>
      fake.post(`/cgi-bin/message/custom/send?access_token=${token}`, body);
    for (let i = 0; i < 5; i += 1) expect((await send(text('oUserA', `m${i}`))).errcode).toBe(0);
    expect((await send(text('oUserA'))).errcode).toBe(45047);
    expect((await send(text('oUserB'))).errcode).toBe(0);
    expect(fake.state.customMessages).toHaveLength(6);
    expect(fake.state.customMessages[0]).toMatchObject({
      touser: 'oUserA',
      msgtype: 'text',
      time: 1_700_000_000_000,
    });
  });

  it('strict windows: 45015 before a user action, 3 per minute after an event, 5 per 48 h after a message', async () => {
    // Tokens outlive the 48 h window here, so only the window can fail.
    const fake = setup({ customServiceWindow: 'strict', tokenTtlSeconds: 7 * 86_400 });
    const token = await fake.stable();
    const send = (openid: string) =>
      fake.post(`/cgi-bin/message/custom/send?access_token=${token}`, text(openid));
    expect((await send('oUser')).errcode).toBe(45015);

    fake.state.openCustomServiceWindow('oUser', 'event');
    for (let i = 0; i < 3; i += 1) expect((await send('oUser')).errcode).toBe(0);
    expect((await send('oUser')).errcode).toBe(45047);
    fake.advance(60_000);
    expect((await send('oUser')).errcode).toBe(45015);

    expect(
      (await fake.post('/__fake/window', { openid: 'oUser', trigger: 'message' })).errcode,
    ).toBe(0);
    for (let i = 0; i < 5; i += 1) expect((await send('oUser')).errcode).toBe(0);
    expect((await send('oUser')).errcode).toBe(45047);
    fake.advance(48 * 3600_000);
    expect((await send('oUser')).errcode).toBe(45015);
  });

  it('validates the message: type, one news article, content, media ids', async () => {
    const fake = setup();
    const token = await fake.stable();
    const send = (body: unknown) =>
      fake.post(`/cgi-bin/message/custom/send?access_token=${token}`, body);
    const article = { title: 't', url: 'https://e.x/' };
    expect((await send({ touser: 'oU', msgtype: 'fax', fax: {} })).errcode).toBe(40008);
    expect(
      (await send({ touser: 'oU', msgtype: 'news', news: { articles: [article, article] } }))
        .errcode,
    ).toBe(45008);
    expect(
      (await send({ touser: 'oU', msgtype: 'news', news: { articles: [article] } })).errcode,
    ).toBe(0);
    expect((await send(text('oU', ''))).errcode).toBe(44004);
    expect(
      (await send({ touser: 'bad openid!', msgtype: 'text', text: { content: 'x' } })).errcode,
    ).toBe(40003);
    expect(
      (await send({ touser: 'oU', msgtype: 'image', image: { media_id: 'nope' } })).errcode,
    ).toBe(40007);
    expect((await send('{not json')).errcode).toBe(47001);
    const menu = { head_content: 'h', list: [{ id: '1', content: '满意' }], tail_content: 't' };
    expect((await send({ touser: 'oV', msgtype: 'msgmenu', msgmenu: menu })).errcode).toBe(0);
  });

  it('a rejected message does not use up the window quota', async () => {
    const fake = setup({ customServiceQuota: 1 });
    const token = await fake.stable();
    const send = (body: unknown) =>
      fake.post(`/cgi-bin/message/custom/send?access_token=${token}`, body);
    expect((await send(text('oU', ''))).errcode).toBe(44004);
    expect((await send(text('oU'))).errcode).toBe(0);
    expect((await send(text('oU'))).errcode).toBe(45047);
  });
});

describe('fake WeChat API: menus', () => {
  const leaf = (name: string) => ({ type: 'click', name, key: name });

  it('creates, gets and deletes a menu; 46003 when there is none', async () => {
    const fake = setup();
    const token = await fake.stable();
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${token}`)).errcode).toBe(46003);
    const menu = {
      button: [
        leaf('我的借阅'),
        {
          name: '服务',
          sub_button: [
            { type: 'scancode_waitmsg', name: '扫码查书', key: 'SCAN_ISBN', sub_button: [] },
          ],
        },
      ],
    };
    expect((await fake.post(`/cgi-bin/menu/create?access_token=${token}`, menu)).errcode).toBe(0);
    const got = await fake.request(`/cgi-bin/menu/get?access_token=${token}`);
    expect(got).toMatchObject({ menu: { button: menu.button } });
    expect(fake.state.menu).toMatchObject({ button: menu.button });
    expect((await fake.request(`/cgi-bin/menu/delete?access_token=${token}`)).errcode).toBe(0);
    expect(fake.state.menu).toBeNull();
  });

  it('enforces counts, byte lengths and types', async () => {
    const fake = setup();
    const token = await fake.stable();
    const create = (button: unknown[]) =>
      fake.post(`/cgi-bin/menu/create?access_token=${token}`, { button });
    expect((await create([])).errcode).toBe(40016);
    expect((await create([leaf('a'), leaf('b'), leaf('c'), leaf('d')])).errcode).toBe(40016);
    expect((await create([leaf('图书馆服务中心啊')])).errcode).toBe(40018); // 8 × 3 bytes
    expect((await create([leaf('图书馆服务')])).errcode).toBe(0); // 15 bytes
    expect((await create([{ type: 'poke', name: 'x', key: 'x' }])).errcode).toBe(40017);
    expect((await create([{ type: 'click', name: 'x', key: 'k'.repeat(129) }])).errcode).toBe(
      40019,
    );
    expect(
      (await create([{ type: 'view', name: 'x', url: 'https://e.x/' + 'a'.repeat(1020) }])).errcode,
    ).toBe(40020);
    const six = Array.from({ length: 6 }, (_, i) => leaf(`s${i}`));
    expect((await create([{ name: 'p', sub_button: six }])).errcode).toBe(40023);
    expect((await create([{ name: 'p', sub_button: [leaf('书'.repeat(21))] }])).errcode).toBe(
      40025,
    );
    expect(
      (await create([{ name: 'p', sub_button: [{ ...leaf('x'), type: 'nope' }] }])).errcode,
    ).toBe(40024);
    expect(
      (await create([{ name: 'p', sub_button: [{ name: 'q', sub_button: [leaf('r')] }] }])).errcode,
    ).toBe(40022);
  });
});

describe('fake WeChat API: template and subscribe notifications', () => {
  const template = (extra: Record<string, unknown> = {}) => ({
    touser: 'oReader',
    template_id: 'TPL',
    data: { thing1: { value: '三体' }, time2: { value: '2025-03-10 23:59' } },
    ...extra,
  });

  it('answers msgid as a bare 64-bit JSON number above 2^53', async () => {
    const fake = setup();
    const token = await fake.stable();
    const res = await fake.app.request(`/cgi-bin/message/template/send?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify(template()),
    });
    const raw = await res.text();
    const match = /^\{"errcode":0,"errmsg":"ok","msgid":(\d+)\}$/.exec(raw);
    expect(match).not.toBeNull();
    const msgid = match?.[1] ?? '';
    expect(BigInt(msgid) > 2n ** 53n).toBe(true);
    expect(BigInt(msgid) < 2n ** 63n).toBe(true);
    expect(fake.state.templateMessages[0]?.msgid).toBe(msgid);
  });

  it('dedupes client_msg_id per openid for 10 minutes', async () => {
    const fake = setup();
    const token = await fake.stable();
    const send = async (body: unknown) => {
      const res = await fake.app.request(`/cgi-bin/message/template/send?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return /"msgid":(\d+)/.exec(await res.text())?.[1];
    };
    const a = await send(template({ client_msg_id: 'due-1' }));
    expect(await send(template({ client_msg_id: 'due-1' }))).toBe(a);
    expect(await send(template({ client_msg_id: 'due-1', touser: 'oOther' }))).not.toBe(a);
    expect(fake.state.templateMessages).toHaveLength(2);
    fake.advance(10 * 60_000);
    expect(await send(template({ client_msg_id: 'due-1' }))).not.toBe(a);
    expect(fake.state.templateMessages).toHaveLength(3);
  });

  it('rejects field values over 20 characters or with line breaks (47003)', async () => {
    const fake = setup();
    const token = await fake.stable();
    const send = (data: unknown) =>
      fake.post(`/cgi-bin/message/template/send?access_token=${token}`, template({ data }));
    expect((await send({ thing1: { value: '书'.repeat(21) } })).errcode).toBe(47003);
    expect((await send({ thing1: { value: 'a\nb' } })).errcode).toBe(47003);
    expect((await send({ thing1: { value: '书'.repeat(20) } })).errcode).toBe(0);
    expect((await send({ character_string2: { value: 'C'.repeat(32) } })).errcode).toBe(0);
    expect(
      (
        await fake.post(
          `/cgi-bin/message/template/send?access_token=${token}`,
          template({ template_id: '' }),
        )
      ).errcode,
    ).toBe(40037);
  });

  it('bizsend records, and answers 43101 for a refusing user', async () => {
    const fake = setup();
    const token = await fake.stable();
    const send = (touser: string) =>
      fake.post(`/cgi-bin/message/subscribe/bizsend?access_token=${token}`, {
        touser,
        template_id: 'SUB',
        page: 'https://lib.example.edu/m/loans',
        data: { thing1: { value: '三体' } },
      });
    expect((await send('oYes')).errcode).toBe(0);
    fake.state.refuseSubscribe.add('oNo');
    expect((await send('oNo')).errcode).toBe(43101);
    expect(fake.state.subscribeMessages).toEqual([
      expect.objectContaining({
        touser: 'oYes',
        templateId: 'SUB',
        page: 'https://lib.example.edu/m/loans',
      }),
    ]);
  });
});

describe('fake WeChat API: OAuth', () => {
  it('authorize redirects with a code for the named openid; the code works once', async () => {
    const fake = setup();
    const redirect = encodeURIComponent('https://lib.example.edu/m/auth?from=menu');
    const res = await fake.app.request(
      `/connect/oauth2/authorize?appid=${APPID}&redirect_uri=${redirect}&response_type=code&scope=snsapi_base&state=abc&openid=oReader1`,
    );
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://lib.example.edu/m/auth');
    expect(location.searchParams.get('from')).toBe('menu');
    expect(location.searchParams.get('state')).toBe('abc');
    const code = location.searchParams.get('code') ?? '';
    const exchange = (c: string) =>
      fake.request(
        `/sns/oauth2/access_token?appid=${APPID}&secret=${SECRET}&code=${c}&grant_type=authorization_code`,
      );
    const first = await exchange(code);
    expect(first).toMatchObject({ openid: 'oReader1', scope: 'snsapi_base', expires_in: 7200 });
    expect(first).not.toHaveProperty('is_snapshotuser');
    expect((await exchange(code)).errcode).toBe(40163);
    expect((await exchange('unknown')).errcode).toBe(40029);
    expect(fake.state.oauthExchanges).toBe(3);
  });

  it('uses defaultOpenid, expires codes after 5 minutes, marks snapshot users', async () => {
    const fake = setup();
    const res = await fake.app.request(
      `/connect/oauth2/authorize?appid=${APPID}&redirect_uri=${encodeURIComponent('https://e.x/cb')}&response_type=code&scope=snsapi_userinfo&state=s`,
    );
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    fake.advance(5 * 60_000 + 1);
    const exchange = (c: string) =>
      fake.request(
        `/sns/oauth2/access_token?appid=${APPID}&secret=${SECRET}&code=${c}&grant_type=authorization_code`,
      );
    expect((await exchange(code)).errcode).toBe(40029);
    const fresh = fake.state.issueOauthCode(fake.state.defaultOpenid, {
      snapshot: true,
      unionid: 'uX',
    });
    expect(await exchange(fresh)).toMatchObject({
      openid: fake.state.defaultOpenid,
      is_snapshotuser: 1,
      unionid: 'uX',
    });
  });
});

describe('fake WeChat API: tickets, QR codes, media', () => {
  it('getticket issues a new ticket per call unless pinned', async () => {
    const fake = setup();
    const token = await fake.stable();
    const get = () => fake.request(`/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`);
    const a = await get();
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect((await get()).ticket).not.toBe(a.ticket);
    fake.state.pinJsapiTicket('PINNED');
    expect((await get()).ticket).toBe('PINNED');
    expect(fake.state.ticketFetches).toBe(3);
  });

  it('creates QR codes within the limits', async () => {
    const fake = setup();
    const token = await fake.stable();
    const create = (body: unknown) =>
      fake.post(`/cgi-bin/qrcode/create?access_token=${token}`, body);
    const temp = await create({
      expire_seconds: 600,
      action_name: 'QR_STR_SCENE',
      action_info: { scene: { scene_str: 'bind:desk-3' } },
    });
    expect(temp).toMatchObject({ expire_seconds: 600 });
    expect(String(temp.url)).toMatch(/^http:\/\/weixin\.qq\.com\/q\//);
    const permanent = await create({
      action_name: 'QR_LIMIT_SCENE',
      action_info: { scene: { scene_id: 100000 } },
    });
    expect(permanent).not.toHaveProperty('expire_seconds');
    expect(typeof permanent.ticket).toBe('string');
    expect(
      (
        await create({
          action_name: 'QR_LIMIT_SCENE',
          action_info: { scene: { scene_id: 100001 } },
        })
      ).errcode,
    ).toBe(40035);
    expect(
      (
        await create({
          action_name: 'QR_SCENE',
          expire_seconds: 2_592_001,
          action_info: { scene: { scene_id: 1 } },
        })
      ).errcode,
    ).toBe(40035);
    expect(
      (
        await create({
          action_name: 'QR_STR_SCENE',
          action_info: { scene: { scene_str: 'x'.repeat(65) } },
        })
      ).errcode,
    ).toBe(40035);
    expect(
      (await create({ action_name: 'QR_SCENE', action_info: { scene: { scene_id: 7 } } }))
        .expire_seconds,
    ).toBe(30);
    expect(fake.state.qrCodes).toHaveLength(3);
  });

  it('uploads and serves temporary media, with WeChat limits', async () => {
    const fake = setup();
    const token = await fake.stable();
    const upload = async (type: string, bytes: Uint8Array, name: string) => {
      const form = new FormData();
      form.append('media', new Blob([bytes]), name);
      return fake.request(`/cgi-bin/media/upload?access_token=${token}&type=${type}`, {
        method: 'POST',
        body: form,
      });
    };
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const image = await upload('image', png, 'cover.png');
    expect(image).toMatchObject({ type: 'image', created_at: 1_700_000_000 });
    const res = await fake.app.request(
      `/cgi-bin/media/get?access_token=${token}&media_id=${String(image.media_id)}`,
    );
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);

    const thumb = await upload('thumb', png.slice(0, 4), 'thumb.jpg');
    expect(thumb).toHaveProperty('thumb_media_id');
    expect((await upload('thumb', new Uint8Array(64 * 1024 + 1), 'big.jpg')).errcode).toBe(40006);
    expect((await upload('image', png, 'evil.exe')).errcode).toBe(40005);
    expect((await upload('sticker', png, 'a.png')).errcode).toBe(40004);
    expect(
      (await fake.request(`/cgi-bin/media/get?access_token=${token}&media_id=nope`)).errcode,
    ).toBe(40007);

    const video = await upload('video', new Uint8Array([1, 2, 3]), 'clip.mp4');
    const got = await fake.request(
      `/cgi-bin/media/get?access_token=${token}&media_id=${String(video.media_id)}`,
    );
    expect(String(got.video_url)).toContain('/__fake/media/');
    fake.advance(3 * 24 * 3600_000 + 1);
    const later = await fake.stable();
    expect(
      (
        await fake.request(
          `/cgi-bin/media/get?access_token=${later}&media_id=${String(image.media_id)}`,
        )
      ).errcode,
    ).toBe(40007);
  });
});

describe('fake WeChat API: faults, log and control routes', () => {
  it('injects errcodes for a number of requests and logs every call', async () => {
    const fake = setup();
    const token = await fake.stable();
    fake.state.injectFaults([{ path: '/cgi-bin/message/custom/send', errcode: -1, times: 2 }]);
    const send = () => fake.post(`/cgi-bin/message/custom/send?access_token=${token}`, text('oU'));
    expect((await send()).errcode).toBe(-1);
    expect((await send()).errcode).toBe(-1);
    expect((await send()).errcode).toBe(0);
    expect(fake.state.customMessages).toHaveLength(1);
    const log = fake.state.requestLog.filter((e) => e.path === '/cgi-bin/message/custom/send');
    expect(log.map((e) => e.errcode)).toEqual([-1, -1, 0]);
    expect(log[2]).toMatchObject({ method: 'POST', token, appid: APPID });
  });

  it('delays any path with a * fault', async () => {
    const fake = setup();
    fake.state.injectFaults([{ path: '*', delayMs: 80 }]);
    const started = Date.now();
    await fake.stable();
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    const again = Date.now();
    await fake.stable();
    expect(Date.now() - again).toBeLessThan(70);
  });

  it('serves state, resets, and accepts faults and invalidation over HTTP', async () => {
    const fake = setup();
    const token = await fake.stable();
    await fake.post(`/cgi-bin/message/custom/send?access_token=${token}`, text('oU'));
    const snapshot = await fake.request('/__fake/state');
    expect(snapshot).toMatchObject({
      counters: { stableTokenFetches: 1 },
      customMessages: [{ touser: 'oU' }],
    });
    await fake.post('/__fake/faults', [{ path: '/cgi-bin/menu/get', errcode: 45009 }]);
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${token}`)).errcode).toBe(45009);
    await fake.post('/__fake/invalidate-tokens', {});
    expect((await fake.request(`/cgi-bin/menu/get?access_token=${token}`)).errcode).toBe(40001);
    const { code } = await fake.post('/__fake/oauth-code', { openid: 'oX' });
    expect(typeof code).toBe('string');
    await fake.post('/__fake/reset', {});
    expect(fake.state.customMessages).toEqual([]);
    expect(fake.state.stableTokenFetches).toBe(0);
    expect(fake.state.requestLog).toEqual([]);
  });

  it('serves over real HTTP on an ephemeral port, and can drop a connection after acting', async () => {
    const fake = await startFakeWeChatApi({ accounts: { appid: APPID, secret: SECRET } });
    try {
      expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${fake.url}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credential', appid: APPID, secret: SECRET }),
      });
      const { access_token: token } = (await res.json()) as { access_token: string };
      fake.state.injectFaults([{ path: '/cgi-bin/message/custom/send', dropConnection: true }]);
      await expect(
        fetch(`${fake.url}/cgi-bin/message/custom/send?access_token=${token}`, {
          method: 'POST',
          body: JSON.stringify(text('oU')),
        }),
      ).rejects.toThrow();
      // The message took effect although the caller saw only a broken connection.
      expect(fake.state.customMessages).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
