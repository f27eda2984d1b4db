/**
 * The REST API as the pages use it: JSON in and out, problem+json errors with a stable
 * `code` and the reader's text in `detail`.
 */
import type { Locale } from './i18n.tsx';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** The server's text for the reader, in their language, when it gave one. */
    readonly detail: string | null,
    readonly body: Record<string, unknown>,
  ) {
    super(detail ?? code);
    this.name = 'ApiError';
  }
}

let currentLocale: Locale = 'zh-CN';

/** The language the server should answer in (refusal texts, lockout messages). */
export function setApiLocale(locale: Locale): void {
  currentLocale = locale;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': currentLocale === 'en' ? 'en' : 'zh-CN,zh;q=0.9',
  };
  // A form (a photo with its text) goes as multipart; the browser sets its boundary.
  const form = init.body instanceof FormData ? init.body : null;
  if (init.body !== undefined && !form) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers,
      credentials: 'same-origin',
      ...(init.body !== undefined ? { body: form ?? JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', null, {});
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const problem = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const retryAfter = response.headers.get('retry-after');
    throw new ApiError(
      response.status,
      typeof problem.code === 'string' ? problem.code : `HTTP_${response.status}`,
      typeof problem.detail === 'string' ? problem.detail : null,
      retryAfter ? { ...problem, retryAfter: Number(retryAfter) } : problem,
    );
  }
  return body as T;
}
