/**
 * Refusals in readers' words, and back. Shulin's own SIP2 server writes the reader's
 * sentence into the screen message (AF); the SIP2 connector recognises those sentences
 * exactly before it falls back to guessing from other ILSs' wording.
 */
import { LOCALES, t, type Locale } from '../i18n/index.ts';
import { REFUSAL_CODES, type RefusalCode } from './errors.ts';

/**
 * @example
 * refusalText('en', 'RENEWAL_LIMIT_REACHED'); // 'This item has been renewed as many times as allowed.'
 */
export function refusalText(
  locale: Locale,
  code: RefusalCode,
  params: Record<string, string | number> = {},
): string {
  return t(locale, `ils.refusal.${code}`, params);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const known: ReadonlyArray<{ code: RefusalCode; pattern: RegExp }> = REFUSAL_CODES.flatMap((code) =>
  LOCALES.map((locale) => {
    const template = t(locale, `ils.refusal.${code}`);
    const source = template
      .split(/\{\w+\}/)
      .map(escape)
      .join('.+?');
    return { code, pattern: new RegExp(`^${source}$`) };
  }),
);

/**
 * The refusal code whose sentence (in any locale) this text is, or null.
 *
 * @example
 * refusalCodeOfText('已达到最大续借次数。'); // 'RENEWAL_LIMIT_REACHED'
 */
export function refusalCodeOfText(text: string): RefusalCode | null {
  const trimmed = text.trim();
  return known.find((k) => k.pattern.test(trimmed))?.code ?? null;
}
