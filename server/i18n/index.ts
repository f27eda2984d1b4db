/**
 * Reader-facing text. zh-CN is the default; English where the reader's WeChat language
 * or their choice says so. Keys are closed (`MessageKey`), so a missing translation is a
 * type error, not a blank on a phone.
 */
import { en } from './en.ts';
import { zhCN, type MessageKey } from './zh-CN.ts';

export type { MessageKey } from './zh-CN.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const tables: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

/**
 * The reader's locale from a WeChat `language` (zh_CN, zh_TW, en …), an
 * Accept-Language header or a stored choice; zh-CN unless English is asked for.
 *
 * @example
 * localeOf('en_US'); // 'en'
 * localeOf('zh_CN'); // 'zh-CN'
 */
export function localeOf(value: string | null | undefined): Locale {
  return value && /^en\b|^en[-_]/i.test(value.trim()) ? 'en' : 'zh-CN';
}

/**
 * The text for a key in a locale, with `{name}` placeholders filled.
 *
 * @example
 * t('en', 'ils.refusal.TOO_EARLY', { earliest: '2026-12-01' });
 * // 'It is too early to renew. You can renew from 2026-12-01.'
 */
export function t(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return tables[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
