import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALES } from '../../i18n/index.ts';
import { MemoryKv } from '../../platform/kv/memory.ts';
import { WeChatApiClient } from '../../wechat/api/client.ts';
import type { WeChatApiError } from '../../wechat/api/errors.ts';
import type { MenuLeaf } from '../../wechat/api/types.ts';
import { startFakeWeChatApi, type RunningFakeWeChatApi } from '../../wechat/fake/index.ts';
import { buildMenu, DEFAULT_MENU, MENU_KEY, menuName, menuPageUrl } from './menu.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const BASE = 'https://lib.example.edu.cn';

describe.each(LOCALES)('the default menu in %s', (locale) => {
  const menu = buildMenu(locale, BASE);
  const leaves = menu.button.flatMap((b) => b.sub_button ?? []);

  it("keeps within WeChat's counts and byte limits", () => {
    expect(menu.button.length).toBeGreaterThanOrEqual(1);
    expect(menu.button.length).toBeLessThanOrEqual(3);
    for (const button of menu.button) {
      expect(bytes(button.name), button.name).toBeLessThanOrEqual(16);
      expect(button.sub_button?.length ?? 0).toBeGreaterThan(0);
      expect(button.sub_button?.length ?? 0).toBeLessThanOrEqual(5);
    }
    for (const leaf of leaves) {
      expect(bytes(leaf.name), leaf.name).toBeLessThanOrEqual(60);
      if (leaf.key !== undefined) expect(bytes(leaf.key)).toBeLessThanOrEqual(128);
      if (leaf.url !== undefined) expect(bytes(leaf.url)).toBeLessThanOrEqual(1024);
    }
  });

  it('has every key once, on a button of the type its handler expects', () => {
    const keyed = leaves.filter((l): l is MenuLeaf & { key: string } => l.key !== undefined);
    expect(keyed.map((l) => l.key).sort()).toEqual(Object.values(MENU_KEY).sort());
    const typeOf = (key: string) => keyed.find((l) => l.key === key)?.type;
    expect(typeOf(MENU_KEY.SCAN_SEARCH)).toBe('scancode_waitmsg');
    expect(typeOf(MENU_KEY.SCAN_RENEW)).toBe('scancode_waitmsg');
    expect(typeOf(MENU_KEY.SCAN_RECOMMEND)).toBe('scancode_waitmsg');
    expect(typeOf(MENU_KEY.MY_LOANS)).toBe('click');
    expect(typeOf(MENU_KEY.HOURS)).toBe('click');
  });

  it('sends every link through the OAuth entry to a reader page', () => {
    const urls = leaves.filter((l) => l.type === 'view').map((l) => l.url);
    expect(urls).toEqual([
      `${BASE}/api/v1/auth/wechat?next=/m/search`,
      `${BASE}/api/v1/auth/wechat?next=/m/new`,
      `${BASE}/api/v1/auth/wechat?next=/m/ecard`,
      `${BASE}/api/v1/auth/wechat?next=/m/bind`,
      `${BASE}/api/v1/auth/wechat?next=/m/feedback`,
    ]);
  });
});

describe('buildMenu', () => {
  it('names the buttons in the language asked for', () => {
    expect(buildMenu('zh-CN', BASE).button.map((b) => b.name)).toEqual(['查书', '我的', '服务']);
    expect(buildMenu('en', BASE).button.map((b) => b.name)).toEqual([
      'Books',
      'My library',
      'Services',
    ]);
  });

  it('keeps a base path and drops trailing slashes', () => {
    expect(menuPageUrl('https://lib.example.edu.cn/shulin//', '/m/ecard')).toBe(
      'https://lib.example.edu.cn/shulin/api/v1/auth/wechat?next=/m/ecard',
    );
  });

  it('refuses a base WeChat would refuse, with its errcode', () => {
    const long = `https://lib.example.edu.cn/${'x'.repeat(1000)}`;
    expect(() => buildMenu('zh-CN', long)).toThrow(
      expect.objectContaining({ errcode: 40020 }) as WeChatApiError,
    );
    expect(() => buildMenu('zh-CN', 'ftp://lib.example.edu.cn')).toThrow(/http\(s\) base URL/);
  });

  it('translates default names both ways and leaves others alone', () => {
    for (const group of DEFAULT_MENU) {
      for (const spec of [group, ...group.items]) {
        expect(menuName(spec.names['zh-CN'], 'en')).toBe(spec.names.en);
        expect(menuName(spec.names.en, 'zh-CN')).toBe(spec.names['zh-CN']);
      }
    }
    expect(menuName('馆长信箱', 'en')).toBe('馆长信箱');
  });
});

describe('the default menu at WeChat', () => {
  let fake: RunningFakeWeChatApi;
  let client: WeChatApiClient;
  beforeAll(async () => {
    fake = await startFakeWeChatApi({ accounts: { appid: 'wxmenu', secret: 's' } });
    client = new WeChatApiClient({
      appid: 'wxmenu',
      secret: 's',
      baseUrl: fake.url,
      kv: new MemoryKv(),
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it.each(LOCALES)('is accepted in %s and read back unchanged', async (locale) => {
    const menu = buildMenu(locale, BASE);
    await client.createMenu(menu);
    const info = await client.getMenu();
    expect(info?.menu.button).toEqual(menu.button);
  });
});
