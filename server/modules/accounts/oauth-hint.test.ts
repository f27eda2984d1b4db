import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { DEMO_PIN } from '../../ils/embedded/demo.ts';

/**
 * In demo mode the built-in fake WeChat plays WeChat's OAuth page; a reader page opened
 * from the simulator names the reader it plays, and the fake signs that reader in.
 */
describe('the OAuth entry’s openid hint', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('reaches the fake WeChat in demo mode and signs that reader in', async () => {
    t = await startTestApp({
      env: {
        WECHAT_APPID: '',
        WECHAT_SECRET: '',
        WECHAT_TOKEN: '',
        WECHAT_AES_KEY: '',
        SHULIN_DEMO: 'on',
      },
    });
    const start = await t.request('/api/v1/auth/wechat?next=/m/account&openid=o-simulated-7');
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('openid')).toBe('o-simulated-7');
    const granted = await fetch(authorize, { redirect: 'manual' });
    const callback = new URL(granted.headers.get('location')!);
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const done = await t.request(`${callback.pathname}${callback.search}`, {
      headers: { cookie },
    });
    expect(done.status).toBe(302);
    const session = done.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const bind = await t.request('http://localhost/api/v1/me/binding', {
      method: 'POST',
      headers: {
        cookie: session,
        'content-type': 'application/json',
        origin: 'http://localhost',
        host: 'localhost',
      },
      body: JSON.stringify({ barcode: '20260001', password: DEMO_PIN }),
    });
    expect(bind.status).toBe(201);
    const binding = await t.shulin.services.accounts.bindings.bindingFor('o-simulated-7');
    expect(binding?.barcode).toBe('20260001');
  });

  it('is ignored with a real Official Account', async () => {
    t = await startTestApp();
    const start = await t.request('/api/v1/auth/wechat?next=/m/&openid=o-someone');
    expect(new URL(start.headers.get('location')!).searchParams.has('openid')).toBe(false);
  });
});
