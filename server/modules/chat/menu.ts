/**
 * The Official Account's default custom menu, as data. Names are kept in both reader
 * languages: WeChat shows one menu to everyone, so the zh-CN one is what gets pushed; the
 * English names serve the simulator's English mode (and an English-speaking library).
 * Handlers match on the keys below, never on names.
 */
import type { Locale } from '../../i18n/index.ts';
import { validateMenu } from '../../wechat/api/validate.ts';
import type { Menu, MenuLeaf, MenuParent } from '../../wechat/api/types.ts';

/** The EventKeys of the menu's click and scan buttons. */
export const MENU_KEY = {
  /** 扫码查书: scan a book's ISBN → the record and its availability. */
  SCAN_SEARCH: 'SCAN_SEARCH',
  /** 我的借阅: the reader's loans. */
  MY_LOANS: 'MY_LOANS',
  /** 扫码续借: scan an item barcode or ISBN → renew that loan. */
  SCAN_RENEW: 'SCAN_RENEW',
  /** 开馆时间: opening hours today and this week. */
  HOURS: 'HOURS',
  /** 扫码荐购: scan an ISBN → a purchase suggestion (or "we have it"). */
  SCAN_RECOMMEND: 'SCAN_RECOMMEND',
} as const;

export type MenuKey = (typeof MENU_KEY)[keyof typeof MENU_KEY];

/** The reader pages the menu links to (each reached through the OAuth entry). */
export const MENU_PAGE = {
  search: '/m/search',
  newArrivals: '/m/new',
  ecard: '/m/ecard',
  bind: '/m/bind',
  feedback: '/m/feedback',
} as const;

type Names = Readonly<Record<Locale, string>>;

export type MenuItemSpec =
  | {
      readonly names: Names;
      readonly type: 'click' | 'scancode_waitmsg';
      readonly key: MenuKey;
    }
  | { readonly names: Names; readonly type: 'view'; readonly page: string };

export interface MenuGroupSpec {
  readonly names: Names;
  readonly items: readonly MenuItemSpec[];
}

/** Three groups of at most five: WeChat's limits, and what a reader takes in at a glance. */
export const DEFAULT_MENU: readonly MenuGroupSpec[] = [
  {
    names: { 'zh-CN': '查书', en: 'Books' },
    items: [
      {
        names: { 'zh-CN': '扫码查书', en: 'Scan a book' },
        type: 'scancode_waitmsg',
        key: MENU_KEY.SCAN_SEARCH,
      },
      { names: { 'zh-CN': '检索', en: 'Search' }, type: 'view', page: MENU_PAGE.search },
      {
        names: { 'zh-CN': '新书通报', en: 'New arrivals' },
        type: 'view',
        page: MENU_PAGE.newArrivals,
      },
    ],
  },
  {
    names: { 'zh-CN': '我的', en: 'My library' },
    items: [
      { names: { 'zh-CN': '我的借阅', en: 'My loans' }, type: 'click', key: MENU_KEY.MY_LOANS },
      {
        names: { 'zh-CN': '扫码续借', en: 'Scan to renew' },
        type: 'scancode_waitmsg',
        key: MENU_KEY.SCAN_RENEW,
      },
      { names: { 'zh-CN': '电子证', en: 'E-card' }, type: 'view', page: MENU_PAGE.ecard },
      {
        names: { 'zh-CN': '绑定/解绑', en: 'Link or unlink card' },
        type: 'view',
        page: MENU_PAGE.bind,
      },
    ],
  },
  {
    names: { 'zh-CN': '服务', en: 'Services' },
    items: [
      { names: { 'zh-CN': '开馆时间', en: 'Opening hours' }, type: 'click', key: MENU_KEY.HOURS },
      {
        names: { 'zh-CN': '扫码荐购', en: 'Scan to recommend' },
        type: 'scancode_waitmsg',
        key: MENU_KEY.SCAN_RECOMMEND,
      },
      {
        names: { 'zh-CN': '留言反馈', en: 'Feedback' },
        type: 'view',
        page: MENU_PAGE.feedback,
      },
    ],
  },
];

/**
 * The URL a menu link opens: the OAuth entry, which learns the reader's openid and then
 * redirects to the page, so pages know who is reading without a sign-in of their own.
 *
 * @example
 * menuPageUrl('https://lib.example.edu.cn/', '/m/ecard');
 * // → 'https://lib.example.edu.cn/api/v1/auth/wechat?next=/m/ecard'
 */
export function menuPageUrl(baseUrl: string, page: string): string {
  const base = new URL(baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new TypeError(`menu links need an http(s) base URL, got ${baseUrl}`);
  }
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}/api/v1/auth/wechat?next=${page}`;
}

/**
 * The default menu in one language, with absolute links under `baseUrl` (the configured
 * PUBLIC_URL, else the address the server is reached at), checked against WeChat's rules:
 * throws the WeChatApiError WeChat would answer with (40016, 40018, 40020 …).
 *
 * @example
 * await wechatApi.createMenu(buildMenu('zh-CN', config.publicUrl ?? 'http://localhost:3000'));
 */
export function buildMenu(locale: Locale, baseUrl: string): Menu {
  const button: MenuParent[] = DEFAULT_MENU.map((group) => ({
    name: group.names[locale],
    sub_button: group.items.map((item): MenuLeaf => {
      const name = item.names[locale];
      return item.type === 'view'
        ? { type: 'view', name, url: menuPageUrl(baseUrl, item.page) }
        : { type: item.type, name, key: item.key };
    }),
  }));
  const menu: Menu = { button };
  validateMenu(menu, '/cgi-bin/menu/create');
  return menu;
}

const NAMES = new Map<string, Names>();
for (const group of DEFAULT_MENU) {
  for (const spec of [group, ...group.items]) {
    NAMES.set(spec.names['zh-CN'], spec.names);
    NAMES.set(spec.names.en, spec.names);
  }
}

/**
 * A default-menu button's name in `locale`, given its name in either language; names of
 * buttons a library added itself come back unchanged.
 *
 * @example
 * menuName('开馆时间', 'en'); // → 'Opening hours'
 * menuName('Our blog', 'zh-CN'); // → 'Our blog'
 */
export function menuName(name: string, locale: Locale): string {
  return NAMES.get(name)?.[locale] ?? name;
}
