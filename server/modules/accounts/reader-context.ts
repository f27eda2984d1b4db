/**
 * What routes serving a signed-in reader outside this module (suggestions, feedback)
 * share: who the reader is,
 * in which language to answer, the Origin check on writes, and problems in the reader's
 * words.
 */
import { foreignWrite } from '../../platform/http/origin.ts';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { localeOf, t, type Locale, type MessageKey } from '../../i18n/index.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { BindingService } from './bindings.ts';
import { AccountsError, type AccountsErrorCode } from './errors.ts';
import type { ReaderSessions } from './sessions.ts';

export interface ReaderContextDeps {
  readonly bindings: Pick<BindingService, 'readerFor'>;
  readonly sessions: Pick<ReaderSessions, 'read'>;
  /** `config.publicUrl`: writes are accepted from its origin only; without it, from the same host. */
  readonly publicUrl: string | undefined;
}

/** The reader a request comes from. */
export interface RequestReader {
  /**
   * The key the conversation stores keep readers under: the openid of a bound reader, or
   * `card:<barcode>` for a reader signed in with a card alone (no WeChat identity).
   */
  readonly key: string;
  readonly openid: string | null;
  readonly barcode: string;
  readonly locale: Locale;
}

/** The key of a reader signed in with a card and password outside WeChat. */
export const cardKey = (barcode: string): string => `card:${barcode}`;

const ACCOUNTS_STATUS: Partial<Record<AccountsErrorCode, ContentfulStatusCode>> = {
  UNAUTHENTICATED: 401,
  NOT_BOUND: 403,
  REBIND_REQUIRED: 403,
};

/** A problem+json with a stable code and the reader's text in `detail`. */
export function readerProblem(
  status: ContentfulStatusCode,
  code: string,
  key: MessageKey,
  locale: Locale,
  extra: Record<string, unknown> = {},
): HttpProblem {
  return new HttpProblem(status, code, t('en', key), { detail: t(locale, key), ...extra });
}

export function readerContext(deps: ReaderContextDeps) {
  const localeFrom = (c: Context): Locale => localeOf(c.req.header('accept-language'));

  /** The signed-in reader (a bound WeChat reader or a card sign-in); 401/403 otherwise. */
  const readerOf = async (c: Context): Promise<RequestReader> => {
    let locale = localeFrom(c);
    try {
      const session = await deps.sessions.read(c);
      if (session?.data.locale) locale = session.data.locale;
      const reader = await deps.bindings.readerFor(session?.data ?? null);
      if (!session?.data.locale && reader.binding?.locale) locale = localeOf(reader.binding.locale);
      const openid = reader.binding?.openid ?? null;
      return { key: openid ?? cardKey(reader.barcode), openid, barcode: reader.barcode, locale };
    } catch (error) {
      if (error instanceof AccountsError) {
        const status = ACCOUNTS_STATUS[error.code] ?? 403;
        throw readerProblem(status, error.code, `accounts.${error.code}`, locale);
      }
      throw error;
    }
  };

  // Writes only from our own pages, as on the accounts routes.
  const originCheck: MiddlewareHandler = async (c, next) => {
    const refused = foreignWrite(
      {
        method: c.req.method,
        origin: c.req.header('origin'),
        host: c.req.header('host'),
        fetchSite: c.req.header('sec-fetch-site'),
      },
      deps.publicUrl,
    );
    if (refused) {
      throw readerProblem(403, 'FORBIDDEN_ORIGIN', 'accounts.FORBIDDEN_ORIGIN', localeFrom(c));
    }
    await next();
  };

  return { readerOf, originCheck, localeFrom };
}
