/**
 * Links from the chat to the reader pages. Each goes through the OAuth entry, which
 * learns the reader's openid from WeChat and then opens the page, so that pages know
 * who is reading without a sign-in of their own.
 */

/**
 * The absolute OAuth-entry URL that opens `page` (a path under the base, with its query).
 *
 * @example
 * readerPageUrl('https://lib.example.edu.cn/', '/m/search?q=santi');
 * // → 'https://lib.example.edu.cn/api/v1/auth/wechat?next=/m/search%3Fq%3Dsanti'
 */
export function readerPageUrl(baseUrl: string, page: string): string {
  const base = new URL(baseUrl);
  const next = encodeURIComponent(page).replace(/%2F/g, '/');
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}/api/v1/auth/wechat?next=${next}`;
}

/** The reader pages the conversation links to. */
export const READER_PAGE = {
  search: (q: string) => `/m/search?q=${encodeURIComponent(q)}`,
  record: (id: number) => `/m/records/${id}`,
  account: '/m/account',
  bind: (desk?: string | null) => (desk ? `/m/bind?desk=${encodeURIComponent(desk)}` : '/m/bind'),
} as const;
