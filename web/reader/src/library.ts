/**
 * The library's branches and this week's hours, fetched once per page load: the home page,
 * the hours page, item lists (branch names in English) and dates (the library's time
 * zone) all use them.
 */
import { api } from './api.ts';
import type { Locale } from './i18n.tsx';
import type { LibraryHours } from './types.ts';

let pending: Promise<LibraryHours> | null = null;

export function libraryHours(): Promise<LibraryHours> {
  pending ??= api<LibraryHours>('/library/hours').catch((error: unknown) => {
    pending = null;
    throw error;
  });
  return pending;
}

/** A branch's name in the reader's language; `branch` may be a code or a Chinese name. */
export function branchName(
  info: LibraryHours | null,
  branch: string | null | undefined,
  locale: Locale,
): string {
  if (!branch) return '';
  const known = info?.branches.find((b) => b.code === branch || b.name === branch);
  if (!known) return branch;
  return locale === 'en' ? (known.nameEn ?? known.name) : known.name;
}

/** A date (ISO instant or `YYYY-MM-DD`) as the reader reads dates, in the library's zone. */
export function formatDate(
  value: string | null | undefined,
  locale: Locale,
  timeZone: string | undefined,
): string {
  if (!value) return '';
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = Date.parse(dateOnly ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(time)) return value;
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric',
    month: locale === 'en' ? 'short' : 'long',
    day: 'numeric',
    timeZone: dateOnly ? 'UTC' : timeZone,
  }).format(time);
}
