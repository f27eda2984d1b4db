import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildMenu } from '../modules/chat/menu.ts';
import { loadConfig, type Config } from '../platform/config.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from '../wechat/fake/index.ts';
import type { CliIo } from './simulate.ts';
import { runMenu, wechatCommand } from './wechat.ts';

const PUBLIC_URL = 'https://lib.example.edu.cn';

function capture(): CliIo & { stdout: () => string; stderr: () => string; code: () => number } {
  let out = '';
  let err = '';
  let status = -1;
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    exit: (code) => void (status = code),
    stdout: () => out,
    stderr: () => err,
    code: () => status,
  };
}

describe('shulin wechat menu', () => {
  let fake: RunningFakeWeChatApi;
  let config: Config;
  beforeAll(async () => {
    fake = await startFakeWeChatApi({ accounts: { appid: 'wxmenucli', secret: 'menu-secret' } });
    config = loadConfig({
      WECHAT_APPID: 'wxmenucli',
      WECHAT_SECRET: 'menu-secret',
      WECHAT_TOKEN: 'menutoken',
      WECHAT_API_BASE: fake.url,
      PUBLIC_URL,
      LOG_LEVEL: 'silent',
    });
  });
  beforeEach(() => {
    fake.state.reset();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('pushes the default menu, reads it back and deletes it', async () => {
    const push = capture();
    expect(await runMenu(config, 'push', {}, push)).toBe(0);
    expect(fake.state.menu?.button).toEqual(buildMenu('zh-CN', PUBLIC_URL).button);
    expect(push.stdout()).toContain('Pushed the default menu (zh-CN) to wxmenucli:\n  查书\n');
    expect(push.stdout()).toContain('    开馆时间  [click] HOURS\n');
    expect(push.stdout()).toContain(
      `    电子证  [view] ${PUBLIC_URL}/api/v1/auth/wechat?next=/m/ecard\n`,
    );

    const get = capture();
    expect(await runMenu(config, 'get', { json: true }, get)).toBe(0);
    expect(JSON.parse(get.stdout())).toEqual({
      appid: 'wxmenucli',
      menu: { ...buildMenu('zh-CN', PUBLIC_URL), menuid: expect.any(Number) },
    });

    const del = capture();
    expect(await runMenu(config, 'delete', {}, del)).toBe(0);
    expect(del.stdout()).toBe('Deleted the custom menu of wxmenucli.\n');
    expect(fake.state.menu).toBeNull();

    const none = capture();
    expect(await runMenu(config, 'get', {}, none)).toBe(0);
    expect(none.stdout()).toBe('wxmenucli has no custom menu.\n');
  });

  it('pushes the English names and links under --base', async () => {
    const io = capture();
    expect(
      await runMenu(config, 'push', { lang: 'en', base: 'https://m.lib.example.edu.cn' }, io),
    ).toBe(0);
    expect(fake.state.menu?.button).toEqual(buildMenu('en', 'https://m.lib.example.edu.cn').button);
  });

  it('says what WeChat refused, in one line, with status 1', async () => {
    fake.state.injectFaults([
      { path: '/cgi-bin/menu/create', errcode: 40018, errmsg: 'invalid button name size' },
    ]);
    const io = capture();
    expect(await runMenu(config, 'push', {}, io)).toBe(1);
    expect(io.stderr()).toMatch(
      /^WeChat refused menu push: errcode 40018 invalid button name size rid: [0-9a-f-]+\n$/,
    );
    expect(io.stdout()).toBe('');
    expect(fake.state.menu).toBeNull();
  });

  it('says when WeChat cannot be reached', async () => {
    const gone = loadConfig({
      WECHAT_APPID: 'wxmenucli',
      WECHAT_SECRET: 'menu-secret',
      WECHAT_TOKEN: 'menutoken',
      WECHAT_API_BASE: 'http://127.0.0.1:1',
      LOG_LEVEL: 'silent',
    });
    const io = capture();
    expect(await runMenu(gone, 'get', {}, io)).toBe(1);
    expect(io.stderr()).toMatch(/^Cannot reach WeChat at http:\/\/127\.0\.0\.1:1: .+\n$/);
  });

  it('refuses to push links without an address to build them on, or without an account', async () => {
    const noUrl = loadConfig({
      WECHAT_APPID: 'wxmenucli',
      WECHAT_SECRET: 'menu-secret',
      WECHAT_TOKEN: 'menutoken',
      WECHAT_API_BASE: fake.url,
      LOG_LEVEL: 'silent',
    });
    const io = capture();
    expect(await runMenu(noUrl, 'push', {}, io)).toBe(2);
    expect(io.stderr()).toMatch(/set PUBLIC_URL .* or pass --base/);
    const demo = capture();
    expect(await runMenu(loadConfig({ LOG_LEVEL: 'silent' }), 'get', {}, demo)).toBe(2);
    expect(demo.stderr()).toMatch(/^No Official Account is configured/);
    expect(fake.state.requestLog).toEqual([]);
  });

  it('is a commander command: wechat menu <push|get|delete>', async () => {
    fake.state.reset();
    const io = capture();
    await wechatCommand(() => config, io).parseAsync(['menu', 'push', '--json'], { from: 'user' });
    expect(io.code()).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({
      pushed: true,
      appid: 'wxmenucli',
      lang: 'zh-CN',
    });
    const wrong = wechatCommand(() => config, io).exitOverride();
    wrong.commands.forEach((c) => c.exitOverride().configureOutput({ writeErr: () => {} }));
    await expect(wrong.parseAsync(['menu', 'publish'], { from: 'user' })).rejects.toThrow(
      /value 'publish' is invalid for argument 'action'/,
    );
  });
});
