import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountCacheKey } from './account.ts';
import {
  CookieJar,
  json,
  signInWithWeChat,
  startHarness,
  tiers,
  type Harness,
} from './harness.test-util.ts';
import { SESSION_COOKIE } from './sessions.ts';
import { MemoryIlsConnector } from './testing.ts';

const ZHANG = { barcode: 'S2024001', password: 'zhang-pass' };

type Problem = { status: number; code: string; detail: string; title: string } & Record<
  string,
  unknown
>;

async function problemOf(response: Response): Promise<Problem> {
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  return (await response.json()) as Problem;
}

describe.each(tiers)('account routes on $name', (tier) => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness(tier);
  });
  afterEach(async () => {
    await h.close();
  });

  /** A WeChat reader with ZHANG's card bound. */
  async function boundReader(openid = 'oZhang'): Promise<CookieJar> {
    const { jar } = await signInWithWeChat(h, openid);
    const bound = await h.request('/api/v1/me/binding', json('POST', ZHANG, jar));
    expect(bound.status).toBe(201);
    return jar;
  }

  describe('WeChat OAuth', () => {
    it('signs a reader in through the authorize page and lands on `next`', async () => {
      const jar = new CookieJar();
      const start = await h.request('/api/v1/auth/wechat?next=/m/loans%3Ftab%3Ddue', { jar });
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.get('location')!);
      expect(authorize.origin).toBe(h.fake.url);
      expect(authorize.searchParams.get('scope')).toBe('snsapi_base');
      expect(authorize.searchParams.get('redirect_uri')).toBe(
        'https://lib.example.edu/api/v1/auth/wechat/callback',
      );
      const stateCookie = start.headers.getSetCookie().find((c) => c.startsWith('shulin_oauth='))!;
      expect(stateCookie).toMatch(/HttpOnly/);
      expect(stateCookie).toMatch(/SameSite=Lax/);

      const { location } = await signInWithWeChat(h, 'oReader', jar, '/m/loans?tab=due');
      expect(location).toBe('/m/loans?tab=due');
      const me = await h.request('/api/v1/me', { jar });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        authenticated: true,
        inWeChat: true,
        bound: false,
        patron: null,
        locale: 'zh-CN',
      });
    });

    it('sets the session cookie HttpOnly, SameSite=Lax and Secure behind https', async () => {
      const jar = new CookieJar();
      const start = await h.request('/api/v1/auth/wechat', { jar });
      const authorize = new URL(start.headers.get('location')!);
      authorize.hash = '';
      authorize.searchParams.set('openid', 'oReader');
      const callback = new URL(
        (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!,
      );
      const done = await h.request(`${callback.pathname}${callback.search}`, { jar });
      expect(done.headers.get('location')).toBe('/m/');
      const session = done.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/SameSite=Lax/);
      expect(session).toMatch(/Secure/);
      expect(session).toMatch(/Path=\//);
    });

    it('refuses a replayed callback, a forged state and a state from another browser', async () => {
      const jar = new CookieJar();
      const start = await h.request('/api/v1/auth/wechat', { jar });
      const authorize = new URL(start.headers.get('location')!);
      authorize.hash = '';
      authorize.searchParams.set('openid', 'oReader');
      const callback = new URL(
        (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!,
      );
      const path = `${callback.pathname}${callback.search}`;

      // Another browser (no state cookie) cannot finish this sign-in.
      const stranger = await h.request(path);
      expect(stranger.status).toBe(400);
      expect((await problemOf(stranger)).code).toBe('OAUTH_STATE_INVALID');

      const replayJar = new CookieJar();
      for (const [k, v] of jar.cookies) replayJar.cookies.set(k, v);
      expect((await h.request(path, { jar })).status).toBe(302);
      const replay = await h.request(path, { jar: replayJar });
      expect(replay.status).toBe(400);
      const problem = await problemOf(replay);
      expect(problem.code).toBe('OAUTH_STATE_INVALID');
      expect(problem.detail).toBe('登录链接已失效，请从公众号菜单重新进入。');

      const forgedState = 'a'.repeat(32);
      const forged = await h.request(`/api/v1/auth/wechat/callback?code=abc&state=${forgedState}`, {
        headers: { cookie: `shulin_oauth=${forgedState}` },
      });
      expect(forged.status).toBe(400);
      expect((await problemOf(forged)).code).toBe('OAUTH_STATE_INVALID');
      expect(h.fake.state.oauthExchanges).toBe(1);
    });

    it('uses each code once, even with a fresh state', async () => {
      const first = new CookieJar();
      const start = await h.request('/api/v1/auth/wechat', { jar: first });
      const authorize = new URL(start.headers.get('location')!);
      authorize.hash = '';
      authorize.searchParams.set('openid', 'oReader');
      const callback = new URL(
        (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!,
      );
      const code = callback.searchParams.get('code')!;
      expect(
        (await h.request(`${callback.pathname}${callback.search}`, { jar: first })).status,
      ).toBe(302);

      const second = new CookieJar();
      const again = await h.request('/api/v1/auth/wechat', { jar: second });
      const state = new URL(again.headers.get('location')!).searchParams.get('state')!;
      const reused = await h.request(`/api/v1/auth/wechat/callback?code=${code}&state=${state}`, {
        jar: second,
      });
      expect(reused.status).toBe(400);
      expect((await problemOf(reused)).code).toBe('OAUTH_CODE_INVALID');
      expect(second.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(h.fake.state.oauthExchanges).toBe(1);
    });

    it('turns every `next` that leaves the site into /m/', async () => {
      for (const next of [
        '//evil.example/steal',
        'https://evil.example/',
        '/\\evil.example',
        'javascript:alert(1)',
        '/%0d%0aSet-Cookie:x',
      ]) {
        const { location } = await signInWithWeChat(h, 'oReader', new CookieJar(), next);
        expect(location.startsWith('/') && !location.startsWith('//')).toBe(true);
        expect(new URL(location, 'https://lib.example.edu').origin).toBe('https://lib.example.edu');
        if (next !== '/%0d%0aSet-Cookie:x') expect(location).toBe('/m/');
      }
    });
  });

  describe('sessions', () => {
    it('answers 401 without a session, and for a forged or tampered cookie', async () => {
      const none = await h.request('/api/v1/me');
      expect(none.status).toBe(401);
      expect((await problemOf(none)).detail).toBe('请先登录或从公众号菜单进入。');
      const english = await h.request('/api/v1/me/account', {
        headers: { 'accept-language': 'en-US,en;q=0.9' },
      });
      expect((await problemOf(english)).detail).toBe(
        'Please sign in, or open this page from the library account menu.',
      );

      const { jar } = await signInWithWeChat(h, 'oReader');
      const real = jar.cookies.get(SESSION_COOKIE)!;
      const [id, sig] = real.split('.') as [string, string];
      for (const forged of [`${id}x.${sig}`, `${id}.${sig.slice(1)}A`, id, 'x'.repeat(40)]) {
        const answer = await h.request('/api/v1/me', {
          headers: { cookie: `${SESSION_COOKIE}=${forged}` },
        });
        expect(answer.status).toBe(401);
      }
      expect((await h.request('/api/v1/me', { jar })).status).toBe(200);
    });

    it('signs out', async () => {
      const { jar } = await signInWithWeChat(h, 'oReader');
      const cookie = jar.cookies.get(SESSION_COOKIE)!;
      const out = await h.request('/api/v1/auth/logout', {
        method: 'POST',
        headers: { origin: 'https://lib.example.edu' },
        jar,
      });
      expect(out.status).toBe(204);
      expect(jar.cookies.has(SESSION_COOKIE)).toBe(false);
      // The old cookie is worth nothing now either.
      const replay = await h.request('/api/v1/me', {
        headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
      });
      expect(replay.status).toBe(401);
    });

    it('refuses writes from another origin', async () => {
      const jar = await boundReader();
      const evil = await h.request('/api/v1/me/renewals/all', {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        jar,
      });
      expect(evil.status).toBe(403);
      expect((await problemOf(evil)).code).toBe('FORBIDDEN_ORIGIN');
      const crossSite = await h.request('/api/v1/me/binding', {
        method: 'DELETE',
        headers: { 'sec-fetch-site': 'cross-site' },
        jar,
      });
      expect(crossSite.status).toBe(403);
      expect(h.connector.calls.renewAll).toBe(0);
      expect(await h.accounts.bindings.bindingFor('oZhang')).not.toBeNull();
    });
  });

  describe('binding over HTTP', () => {
    it('binds with the right password and tells how many tries are left otherwise', async () => {
      const { jar } = await signInWithWeChat(h, 'oZhang');
      const notBound = await h.request('/api/v1/me/account', { jar });
      expect(notBound.status).toBe(403);
      expect((await problemOf(notBound)).code).toBe('NOT_BOUND');

      const wrong = await h.request(
        '/api/v1/me/binding',
        json('POST', { barcode: ZHANG.barcode, password: 'nope' }, jar),
      );
      expect(wrong.status).toBe(422);
      const problem = await problemOf(wrong);
      expect(problem).toMatchObject({ code: 'INVALID_CREDENTIALS', attemptsLeft: 2 });
      expect(problem.detail).toBe('证号或密码不正确。还可以再试 2 次。');
      expect(JSON.stringify(problem)).not.toContain('nope');

      const right = await h.request('/api/v1/me/binding', json('POST', ZHANG, jar));
      expect(right.status).toBe(201);
      expect(await right.json()).toEqual({
        bound: true,
        patron: { barcode: ZHANG.barcode, name: '张三' },
      });
      expect(await (await h.request('/api/v1/me', { jar })).json()).toMatchObject({
        bound: true,
        patron: { barcode: ZHANG.barcode, name: '张三' },
        historyOptIn: false,
        capabilities: expect.arrayContaining(['renew', 'placeHold']),
      });
    });

    it('locks out with 429, Retry-After and the minutes, in the reader language', async () => {
      const { jar } = await signInWithWeChat(h, 'oZhang');
      const bad = json('POST', { barcode: ZHANG.barcode, password: 'nope' }, jar);
      await h.request('/api/v1/me/binding', bad);
      await h.request('/api/v1/me/binding', bad);
      const locked = await h.request('/api/v1/me/binding', {
        ...bad,
        headers: { ...(bad.headers as Record<string, string>), 'accept-language': 'en' },
      });
      expect(locked.status).toBe(429);
      expect(locked.headers.get('retry-after')).toBe('900');
      expect(await problemOf(locked)).toMatchObject({
        code: 'BIND_LOCKED',
        minutes: 15,
        detail: 'Too many wrong passwords. Please try again in 15 minutes.',
      });
      const calls = h.connector.calls.authenticate;
      const stillLocked = await h.request('/api/v1/me/binding', json('POST', ZHANG, jar));
      expect(stillLocked.status).toBe(429);
      expect(h.connector.calls.authenticate).toBe(calls);
    });

    it('needs WeChat to bind, and a binding to unbind', async () => {
      const jar = new CookieJar();
      const login = await h.request('/api/v1/auth/login', json('POST', ZHANG, jar));
      expect(login.status).toBe(200);
      const bind = await h.request('/api/v1/me/binding', json('POST', ZHANG, jar));
      expect(bind.status).toBe(403);
      expect((await problemOf(bind)).code).toBe('NOT_IN_WECHAT');
      const unbind = await h.request('/api/v1/me/binding', {
        method: 'DELETE',
        headers: { origin: 'https://lib.example.edu' },
        jar,
      });
      expect(unbind.status).toBe(403);
      expect((await problemOf(unbind)).code).toBe('NOT_BOUND');
    });

    it('unbinds: binding, history and cached account gone', async () => {
      const jar = await boundReader();
      await h.request('/api/v1/me/history', json('PUT', { enabled: true }, jar));
      expect((await h.request('/api/v1/me/account', { jar })).status).toBe(200);
      expect(await h.kv.get(accountCacheKey(ZHANG.barcode))).not.toBeNull();

      const gone = await h.request('/api/v1/me/binding', {
        method: 'DELETE',
        headers: { origin: 'https://lib.example.edu' },
        jar,
      });
      expect(gone.status).toBe(204);
      expect(await h.kv.get(accountCacheKey(ZHANG.barcode))).toBeNull();
      expect((await h.accounts.history.list('oZhang', { offset: 0, limit: 5 })).total).toBe(0);
      expect((await h.request('/api/v1/me/account', { jar })).status).toBe(403);
      expect(await (await h.request('/api/v1/me', { jar })).json()).toMatchObject({ bound: false });
    });

    it('rejects malformed bodies without echoing them', async () => {
      const jar = await boundReader();
      const bad = await h.request(
        '/api/v1/me/renewals',
        json('POST', { items: [], password: 'secret-value' }, jar),
      );
      expect(bad.status).toBe(400);
      const problem = await problemOf(bad);
      expect(problem.code).toBe('INVALID_REQUEST');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'items' })]);
      expect(JSON.stringify(problem)).not.toContain('secret-value');
      const notJson = await h.request('/api/v1/me/holds', {
        method: 'POST',
        headers: { origin: 'https://lib.example.edu', 'content-type': 'application/json' },
        body: '{"recordId":',
        jar,
      });
      expect(notJson.status).toBe(400);
      const huge = await h.request(
        '/api/v1/auth/login',
        json('POST', { barcode: 'x'.repeat(20_000), password: 'p' }),
      );
      expect(huge.status).toBe(413);
    });
  });

  describe('the account', () => {
    it('shows loans, holds and localized renewal blocks, from the cache on a reload', async () => {
      const jar = await boundReader();
      const first = await h.request('/api/v1/me/account', { jar });
      expect(first.status).toBe(200);
      const body = (await first.json()) as {
        cached: boolean;
        loans: { itemBarcode: string; renewBlockedText: string | null }[];
        holds: unknown[];
        fetchedAt: string;
      };
      expect(body.cached).toBe(false);
      expect(body.loans.map((l) => l.itemBarcode)).toEqual(['31001', '31002']);
      expect(body.loans[1]?.renewBlockedText).toBe('已达到最大续借次数。');
      expect(body.holds).toHaveLength(1);
      expect(Date.parse(body.fetchedAt)).not.toBeNaN();

      const again = (await (await h.request('/api/v1/me/account', { jar })).json()) as {
        cached: boolean;
      };
      expect(again.cached).toBe(true);
      expect(h.connector.calls.account).toBe(1);
    });

    it('renews, renews all, places and cancels holds, each refreshing the account', async () => {
      const jar = await boundReader();
      await h.request('/api/v1/me/account', { jar });

      const renew = await h.request(
        '/api/v1/me/renewals',
        json('POST', { items: ['31001', '31002'] }, jar),
      );
      expect(renew.status).toBe(200);
      expect(await renew.json()).toMatchObject({
        renewed: 1,
        refused: 1,
        outcomes: [
          { ok: true, itemBarcode: '31001', renewals: 1 },
          {
            ok: false,
            itemBarcode: '31002',
            code: 'RENEWAL_LIMIT_REACHED',
            text: '已达到最大续借次数。',
          },
        ],
      });
      const fresh = (await (await h.request('/api/v1/me/account', { jar })).json()) as {
        cached: boolean;
      };
      expect(fresh.cached).toBe(false);

      const all = await h.request('/api/v1/me/renewals/all', {
        method: 'POST',
        headers: { origin: 'https://lib.example.edu' },
        jar,
      });
      expect(await all.json()).toMatchObject({ renewed: 1, refused: 1 });

      const placed = await h.request(
        '/api/v1/me/holds',
        json('POST', { recordId: 'R7', pickupBranch: 'EAST' }, jar),
      );
      expect(placed.status).toBe(201);
      const { hold } = (await placed.json()) as { hold: { id: string; pickupBranch: unknown } };
      expect(hold.pickupBranch).toMatchObject({ code: 'EAST' });

      const duplicate = await h.request('/api/v1/me/holds', json('POST', { recordId: 'R7' }, jar));
      expect(duplicate.status).toBe(422);
      expect(await problemOf(duplicate)).toMatchObject({
        code: 'HOLD_ALREADY_PLACED',
        detail: '您已经预约过这本书。',
      });

      const cancel = await h.request(`/api/v1/me/holds/${hold.id}`, {
        method: 'DELETE',
        headers: { origin: 'https://lib.example.edu' },
        jar,
      });
      expect(cancel.status).toBe(204);
      const missing = await h.request(`/api/v1/me/holds/${hold.id}`, {
        method: 'DELETE',
        headers: { origin: 'https://lib.example.edu' },
        jar,
      });
      expect((await problemOf(missing)).code).toBe('HOLD_NOT_FOUND');
      const account = (await (await h.request('/api/v1/me/account', { jar })).json()) as {
        holds: { id: string }[];
      };
      expect(account.holds.map((x) => x.id)).toEqual(['H1']);
    });

    it('says the library system is not answering, in Chinese and in English, and logs why', async () => {
      const jar = await boundReader();
      h.connector.failing = true;
      const zh = await h.request('/api/v1/me/account', { jar });
      expect(zh.status).toBe(503);
      expect(await problemOf(zh)).toMatchObject({
        code: 'ILS_UNAVAILABLE',
        detail: '图书馆系统暂时没有响应，请稍后再试。',
      });
      await h.request('/api/v1/me/locale', json('PUT', { locale: 'en' }, jar));
      const en = await h.request('/api/v1/me/renewals/all', {
        method: 'POST',
        headers: { origin: 'https://lib.example.edu' },
        jar,
      });
      expect(en.status).toBe(503);
      expect((await problemOf(en)).detail).toBe(
        'The library system is not answering. Please try again later.',
      );
      const warning = h.logs
        .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message: string } })
        .find((l) => l.msg === 'library system not answering');
      expect(warning?.level).toBe(40);
      expect(JSON.stringify(warning)).toContain('ECONNREFUSED');
    });

    it('lists pickup locations, cached', async () => {
      const first = await h.request('/api/v1/pickup-locations');
      expect(await first.json()).toEqual({
        locations: [
          { code: 'MAIN', name: '总馆', nameEn: 'Main Library' },
          { code: 'EAST', name: '东区分馆', nameEn: 'East Campus Library' },
        ],
      });
      await h.request('/api/v1/pickup-locations');
      expect(h.connector.calls.pickupLocations).toBe(1);
    });
  });

  describe('e-card, history and language', () => {
    it('draws the bound card in the configured or asked-for symbology, never cached', async () => {
      const jar = await boundReader();
      const card = await h.request('/api/v1/me/ecard.svg', { jar });
      expect(card.status).toBe(200);
      expect(card.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(card.headers.get('cache-control')).toBe('no-store');
      expect(card.headers.get('x-ecard-symbology')).toBe('code128');
      expect(await card.text()).toContain('>S2024001</text>');
      const qr = await h.request('/api/v1/me/ecard.svg?symbology=qr', { jar });
      expect(qr.headers.get('x-ecard-symbology')).toBe('qr');
      expect((await h.request('/api/v1/me/ecard.svg?symbology=pdf417', { jar })).status).toBe(400);
      expect((await h.request('/api/v1/me/ecard.svg')).status).toBe(401);
      // The e-card needs no ILS.
      h.connector.failing = true;
      expect((await h.request('/api/v1/me/ecard.svg', { jar })).status).toBe(200);
    });

    it('keeps reading history only after opting in, and deletes it on opting out', async () => {
      const jar = await boundReader();
      await h.request('/api/v1/me/account', { jar });
      expect(await (await h.request('/api/v1/me/history', { jar })).json()).toEqual({
        enabled: false,
        total: 0,
        page: 1,
        pageSize: 20,
        items: [],
      });
      expect(
        await (await h.request('/api/v1/me/history', json('PUT', { enabled: true }, jar))).json(),
      ).toEqual({ enabled: true });
      await h.accounts.accounts.invalidate(ZHANG.barcode);
      await h.request('/api/v1/me/account', { jar });
      const kept = (await (await h.request('/api/v1/me/history?pageSize=1', { jar })).json()) as {
        total: number;
        items: { title: string; loanedAt: string; returnedAt: string | null }[];
      };
      expect(kept.total).toBe(2);
      expect(kept.items).toEqual([
        expect.objectContaining({
          title: '红楼梦',
          loanedAt: '2026-03-05T02:00:00.000Z',
          returnedAt: null,
        }),
      ]);
      await h.request('/api/v1/me/history', json('PUT', { enabled: false }, jar));
      expect((await h.accounts.history.list('oZhang', { offset: 0, limit: 5 })).total).toBe(0);
    });

    it('answers in the chosen language, remembered on the binding', async () => {
      const jar = await boundReader();
      const set = await h.request('/api/v1/me/locale', json('PUT', { locale: 'en' }, jar));
      expect(await set.json()).toEqual({ locale: 'en' });
      expect((await h.accounts.bindings.bindingFor('oZhang'))?.locale).toBe('en');
      expect(await (await h.request('/api/v1/me', { jar })).json()).toMatchObject({
        locale: 'en',
      });
      // A new session (another phone) still gets English from the binding.
      const { jar: other } = await signInWithWeChat(h, 'oZhang');
      expect(await (await h.request('/api/v1/me', { jar: other })).json()).toMatchObject({
        locale: 'en',
      });
    });
  });
});

describe.each(tiers)('signing in outside WeChat on $name', (tier) => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness(tier, {
      connector: new MemoryIlsConnector({
        needsPatronPassword: true,
        capabilities: ['authenticate', 'account', 'renew'],
      }),
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('keeps the card and its sealed password in the session only, and never logs it', async () => {
    const jar = new CookieJar();
    const login = await h.request('/api/v1/auth/login', json('POST', ZHANG, jar));
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ patron: { barcode: ZHANG.barcode, name: '张三' } });
    const account = await h.request('/api/v1/me/account', { jar });
    expect(account.status).toBe(200);
    expect(h.connector.passwordsSeen.at(-1)).toBe(ZHANG.password);
    expect(await h.accounts.repository.bindingByBarcode(ZHANG.barcode)).toBeNull();

    const id = jar.cookies.get(SESSION_COOKIE)!.split('.')[0]!;
    const stored = (await h.kv.get(`accounts:session:${id}`))!;
    expect(stored).toContain('"passwordSealed":"v1.');
    expect(stored).not.toContain(ZHANG.password);
    expect(h.logs.join('\n')).not.toContain(ZHANG.password);
  });

  it('refuses what the connector cannot do with 501, before calling it', async () => {
    const jar = new CookieJar();
    await h.request('/api/v1/auth/login', json('POST', ZHANG, jar));
    const hold = await h.request('/api/v1/me/holds', json('POST', { recordId: 'R1' }, jar));
    expect(hold.status).toBe(501);
    expect(await problemOf(hold)).toMatchObject({
      code: 'NOT_SUPPORTED',
      detail: '图书馆系统暂不支持在线办理此项业务，请到服务台办理。',
    });
    expect(h.connector.calls.placeHold).toBe(0);
    expect((await h.request('/api/v1/pickup-locations')).status).toBe(501);
  });
});
