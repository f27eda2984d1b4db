import type { Context } from 'hono';
import { foreignWrite } from '../../platform/http/origin.ts';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { localeOf, LOCALES, t, type Locale } from '../../i18n/index.ts';
import { IlsRefusal, IlsUnavailableError, type RefusalCode } from '../../ils/errors.ts';
import type { Loan, PatronAccount, RenewOutcome } from '../../ils/types.ts';
import { BodyTooLarge, readBodyLimited } from '../../platform/http/body.ts';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { AccountService, AccountSnapshot } from './account.ts';
import type { BindingService } from './bindings.ts';
import { renderEcard, type Symbology } from './ecard/index.ts';
import { AccountsError, BindRefusal, type AccountsErrorCode } from './errors.ts';
import type { HistoryService } from './history.ts';
import type { WeChatOauth } from './oauth.ts';
import type { Binding, HistoryEntry } from './repository.ts';
import type { ReaderSessions, Session } from './sessions.ts';
import type {
  AccountView,
  HistoryEntryView,
  HistoryPage,
  HoldPlacedAnswer,
  LoanView,
  MeAnswer,
  PickupLocationsAnswer,
  RenewalsAnswer,
} from './types.ts';

export interface AccountRoutesDeps {
  readonly bindings: BindingService;
  readonly accounts: AccountService;
  readonly history: HistoryService;
  readonly sessions: ReaderSessions;
  readonly oauth: WeChatOauth;
  /** `config.publicUrl`: the OAuth redirect URI and the allowed Origin come from it. */
  readonly publicUrl: string | undefined;
  readonly ecardSymbology: Symbology;
  /** The library's time zone, for dates inside reader texts. */
  readonly timezone: string;
  /** Where the routes are mounted; default `/api/v1`. */
  readonly basePath?: string;
  /**
   * True when the built-in fake WeChat plays WeChat (demo mode): the OAuth entry then
   * passes an `openid` hint to the fake's authorize page, so that a reader page opened
   * from the simulator belongs to the reader the simulator plays.
   */
  readonly fakeWeChat?: boolean;
}

const OAUTH_COOKIE = 'shulin_oauth';
const MAX_BODY_BYTES = 16 * 1024;

const ACCOUNTS_STATUS: Record<AccountsErrorCode, ContentfulStatusCode> = {
  UNAUTHENTICATED: 401,
  NOT_BOUND: 403,
  NOT_IN_WECHAT: 403,
  REBIND_REQUIRED: 403,
  BIND_LOCKED: 429,
  OAUTH_STATE_INVALID: 400,
  OAUTH_CODE_INVALID: 400,
  OAUTH_SNAPSHOT_USER: 403,
  WECHAT_UNAVAILABLE: 502,
  INVALID_REQUEST: 400,
  FORBIDDEN_ORIGIN: 403,
};

function refusalStatus(code: RefusalCode): ContentfulStatusCode {
  if (code === 'NOT_SUPPORTED') return 501;
  if (code === 'ILS_UNAVAILABLE') return 503;
  return 422;
}

interface RequestState {
  locale: Locale;
  session: Session | null;
}

const credentials = z.object({
  barcode: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(128),
});

const renewals = z.object({
  items: z.array(z.string().trim().min(1).max(64)).min(1).max(50),
});

const holdRequest = z
  .object({
    recordId: z.string().trim().min(1).max(64).optional(),
    itemBarcode: z.string().trim().min(1).max(64).optional(),
    pickupBranch: z.string().trim().min(1).max(64).optional(),
  })
  .refine((v) => Boolean(v.recordId) !== Boolean(v.itemBarcode), {
    message: 'give recordId or itemBarcode',
  });

const historyPage = z.object({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

/**
 * `/api/v1/auth/…` (WeChat OAuth, sign-in, sign-out), `/api/v1/me/…` (the reader's
 * binding, account, renewals, holds, e-card, history, language) and
 * `/api/v1/pickup-locations`: validate, one service call, present. Every refusal is a
 * problem+json with a stable `code` and the reader's text in `detail`. What the reader
 * pages read is typed in `types.ts`, which they import.
 */
export function accountRoutes(deps: AccountRoutesDeps) {
  const { bindings, accounts, history, sessions, oauth } = deps;
  const basePath = deps.basePath ?? '/api/v1';
  const secure = deps.publicUrl?.startsWith('https:') ?? false;
  const dateFormat = new Intl.DateTimeFormat('sv-SE', {
    timeZone: deps.timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const day = (iso: string | null | undefined): string => {
    const time = iso ? Date.parse(iso) : NaN;
    return Number.isFinite(time) ? dateFormat.format(time) : '';
  };

  const problem = (
    status: ContentfulStatusCode,
    code: string,
    detail: string,
    title: string,
    extra: Record<string, unknown> = {},
  ) => new HttpProblem(status, code, title, { detail, ...extra });

  /** Known failures become problems in the reader's language; anything else stays a 500. */
  const problemFor = (c: Context, error: unknown, locale: Locale): HttpProblem | null => {
    if (error instanceof HttpProblem) return error;
    if (error instanceof AccountsError) {
      const key = `accounts.${error.code}` as const;
      if (error.code === 'BIND_LOCKED') {
        c.header('retry-after', String(Number(error.params.minutes ?? 1) * 60));
      }
      return problem(
        ACCOUNTS_STATUS[error.code],
        error.code,
        t(locale, key, error.params),
        t('en', key, error.params),
        error.code === 'BIND_LOCKED' ? { minutes: error.params.minutes } : {},
      );
    }
    if (error instanceof IlsUnavailableError) {
      c.header('retry-after', '30');
      return problem(
        503,
        'ILS_UNAVAILABLE',
        t(locale, 'ils.refusal.ILS_UNAVAILABLE'),
        t('en', 'ils.refusal.ILS_UNAVAILABLE'),
      );
    }
    if (error instanceof IlsRefusal) {
      const key = `ils.refusal.${error.code}` as const;
      let detail = t(locale, key);
      const extra: Record<string, unknown> = {};
      if (error.ilsMessage) extra.ilsMessage = error.ilsMessage;
      if (error instanceof BindRefusal) {
        // Chinese sentences follow each other without a space.
        detail += `${locale === 'en' ? ' ' : ''}${t(locale, 'accounts.ATTEMPTS_LEFT', { count: error.attemptsLeft })}`;
        extra.attemptsLeft = error.attemptsLeft;
      }
      return problem(refusalStatus(error.code), error.code, detail, t('en', key), extra);
    }
    if (error instanceof BodyTooLarge) {
      return new HttpProblem(413, 'BODY_TOO_LARGE', 'Request body too large');
    }
    return null;
  };

  const handle =
    (handler: (c: Context, state: RequestState) => Promise<Response>) => async (c: Context) => {
      const state: RequestState = {
        locale: localeOf(c.req.header('accept-language')),
        session: null,
      };
      try {
        state.session = await sessions.read(c);
        if (state.session?.data.locale) state.locale = state.session.data.locale;
        return await handler(c, state);
      } catch (error) {
        throw problemFor(c, error, state.locale) ?? error;
      }
    };

  const readBody = async <T extends z.ZodType>(
    c: Context,
    schema: T,
    state: RequestState,
  ): Promise<z.infer<T>> => {
    const text = await readBodyLimited(c.req.raw, MAX_BODY_BYTES);
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new AccountsError('INVALID_REQUEST');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // Field names and rule messages only: the values (a password) never echo back.
      throw problem(
        400,
        'INVALID_REQUEST',
        t(state.locale, 'accounts.INVALID_REQUEST'),
        t('en', 'accounts.INVALID_REQUEST'),
        {
          errors: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
        },
      );
    }
    return parsed.data;
  };

  /** The reader behind the session; the binding's language when the session has none. */
  const readerOf = async (state: RequestState) => {
    const reader = await bindings.readerFor(state.session?.data ?? null);
    if (!state.session?.data.locale && reader.binding?.locale) {
      state.locale = localeOf(reader.binding.locale);
    }
    return reader;
  };

  const boundOf = async (state: RequestState): Promise<Binding> => {
    const reader = await readerOf(state);
    if (!reader.binding) throw new AccountsError('NOT_BOUND');
    return reader.binding;
  };

  const presentLoan = (loan: Loan, locale: Locale): LoanView => ({
    ...loan,
    renewBlockedText: loan.renewBlockedBy
      ? t(locale, `ils.refusal.${loan.renewBlockedBy}`, { earliest: day(loan.renewableFrom) })
      : null,
  });

  const presentAccount = (snapshot: AccountSnapshot, locale: Locale): AccountView => {
    const account: PatronAccount = snapshot.account;
    return {
      patron: account.patron,
      loans: account.loans.map((loan) => presentLoan(loan, locale)),
      holds: account.holds,
      fines: account.fines,
      finesTotal: account.finesTotal,
      currency: account.currency,
      blocks: account.blocks,
      messages: account.messages,
      fetchedAt: new Date(snapshot.fetchedAt).toISOString(),
      cached: snapshot.cached,
    };
  };

  const presentRenewals = (outcomes: RenewOutcome[], locale: Locale): RenewalsAnswer => ({
    renewed: outcomes.filter((o) => o.ok).length,
    refused: outcomes.filter((o) => !o.ok).length,
    outcomes: outcomes.map((o) =>
      o.ok
        ? {
            ok: true as const,
            itemBarcode: o.itemBarcode,
            title: o.title ?? null,
            dueAt: o.dueAt,
            renewals: o.renewals ?? null,
            alreadyRenewed: o.alreadyRenewed ?? false,
            ilsMessage: o.message ?? null,
          }
        : {
            ok: false as const,
            itemBarcode: o.itemBarcode,
            title: o.title ?? null,
            code: o.code,
            text: t(locale, `ils.refusal.${o.code}`, { earliest: day(o.earliest) }),
            earliest: o.earliest ?? null,
            dueAt: o.dueAt ?? null,
            ilsMessage: o.message ?? null,
          },
    ),
  });

  const presentHistory = (entry: HistoryEntry): HistoryEntryView => ({
    itemBarcode: entry.itemBarcode,
    recordId: entry.recordId,
    title: entry.title,
    author: entry.author,
    loanedAt: new Date(entry.loanedAt).toISOString(),
    returnedAt: entry.returnedAt === null ? null : new Date(entry.returnedAt).toISOString(),
  });

  const routes = new Hono();

  // Writes only from our own pages. SameSite=Lax already keeps the cookie off other
  // sites' POSTs; this also stops same-site siblings and old browsers.
  const originCheck = async (c: Context, next: () => Promise<void>) => {
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
      const locale = localeOf(c.req.header('accept-language'));
      throw problem(
        403,
        'FORBIDDEN_ORIGIN',
        t(locale, 'accounts.FORBIDDEN_ORIGIN'),
        t('en', 'accounts.FORBIDDEN_ORIGIN'),
      );
    }
    await next();
  };
  routes.use('/me/*', originCheck);
  routes.use('/auth/*', originCheck);

  // ------------------------------------------------------------ sign-in

  routes.get(
    '/auth/wechat',
    handle(async (c) => {
      const origin = deps.publicUrl
        ? deps.publicUrl.replace(/\/+$/, '')
        : new URL(c.req.url).origin;
      const begun = await oauth.begin({
        redirectUri: `${origin}${basePath}/auth/wechat/callback`,
        next: c.req.query('next'),
      });
      const { state } = begun;
      let { url } = begun;
      const hint = c.req.query('openid');
      if (deps.fakeWeChat && hint && /^[\w-]{1,64}$/.test(hint)) {
        const authorize = new URL(url);
        authorize.searchParams.set('openid', hint);
        url = authorize.toString();
      }
      setCookie(c, OAUTH_COOKIE, state, {
        path: `${basePath}/auth/wechat`,
        httpOnly: true,
        sameSite: 'Lax',
        secure,
        maxAge: 600,
      });
      return c.redirect(url, 302);
    }),
  );

  routes.get(
    '/auth/wechat/callback',
    handle(async (c, state) => {
      const browserState = getCookie(c, OAUTH_COOKIE);
      deleteCookie(c, OAUTH_COOKIE, { path: `${basePath}/auth/wechat`, secure });
      const { openid, next } = await oauth.complete({
        state: c.req.query('state'),
        code: c.req.query('code'),
        browserState,
      });
      await sessions.create(
        c,
        state.session?.data.locale ? { openid, locale: state.session.data.locale } : { openid },
        state.session,
      );
      return c.redirect(next, 302);
    }),
  );

  routes.post(
    '/auth/login',
    handle(async (c, state) => {
      const body = await readBody(c, credentials, state);
      const openid = state.session?.data.openid;
      const signedIn = await bindings.signIn(body.barcode, body.password, openid ? { openid } : {});
      await sessions.create(
        c,
        {
          ...(openid ? { openid } : {}),
          barcode: signedIn.barcode,
          ...(signedIn.passwordSealed ? { passwordSealed: signedIn.passwordSealed } : {}),
          ...(state.session?.data.locale ? { locale: state.session.data.locale } : {}),
        },
        state.session,
      );
      return c.json({ patron: { barcode: signedIn.barcode, name: signedIn.patron.name } });
    }),
  );

  routes.post(
    '/auth/logout',
    handle(async (c, state) => {
      await sessions.destroy(c, state.session);
      return c.body(null, 204);
    }),
  );

  // ------------------------------------------------------------ the reader

  routes.get(
    '/me',
    handle(async (c, state) => {
      const session = state.session;
      if (!session || (!session.data.openid && !session.data.barcode)) {
        throw new AccountsError('UNAUTHENTICATED');
      }
      const binding = session.data.openid ? await bindings.bindingFor(session.data.openid) : null;
      if (!session.data.locale && binding?.locale) state.locale = localeOf(binding.locale);
      const barcode = binding?.barcode ?? session.data.barcode ?? null;
      const answer: MeAnswer = {
        authenticated: true,
        inWeChat: Boolean(session.data.openid),
        bound: binding !== null,
        patron: barcode ? { barcode, name: binding?.patronName ?? null } : null,
        locale: state.locale,
        historyOptIn: binding?.historyOptIn ?? false,
        capabilities: [...accounts.capabilities].sort(),
        ecard: { symbology: deps.ecardSymbology, symbologies: ['code128', 'code39', 'qr'] },
      };
      return c.json(answer);
    }),
  );

  routes.post(
    '/me/binding',
    handle(async (c, state) => {
      const session = state.session;
      if (!session) throw new AccountsError('UNAUTHENTICATED');
      const openid = session.data.openid;
      if (!openid) throw new AccountsError('NOT_IN_WECHAT');
      const body = await readBody(c, credentials, state);
      const { binding, patron } = await bindings.bind({
        openid,
        barcode: body.barcode,
        password: body.password,
        locale: session.data.locale ?? null,
      });
      return c.json({ bound: true, patron: { barcode: binding.barcode, name: patron.name } }, 201);
    }),
  );

  routes.delete(
    '/me/binding',
    handle(async (c, state) => {
      const session = state.session;
      if (!session) throw new AccountsError('UNAUTHENTICATED');
      if (!session.data.openid || !(await bindings.unbind(session.data.openid))) {
        throw new AccountsError('NOT_BOUND');
      }
      return c.body(null, 204);
    }),
  );

  routes.get(
    '/me/account',
    handle(async (c, state) => {
      const reader = await readerOf(state);
      return c.json(presentAccount(await accounts.account(reader), state.locale));
    }),
  );

  routes.post(
    '/me/renewals',
    handle(async (c, state) => {
      const reader = await readerOf(state);
      const body = await readBody(c, renewals, state);
      return c.json(presentRenewals(await accounts.renew(reader, body.items), state.locale));
    }),
  );

  routes.post(
    '/me/renewals/all',
    handle(async (c, state) => {
      const reader = await readerOf(state);
      return c.json(presentRenewals(await accounts.renewAll(reader), state.locale));
    }),
  );

  routes.post(
    '/me/holds',
    handle(async (c, state) => {
      const reader = await readerOf(state);
      const body = await readBody(c, holdRequest, state);
      const outcome = await accounts.placeHold(reader, {
        ...(body.recordId ? { recordId: body.recordId } : {}),
        ...(body.itemBarcode ? { itemBarcode: body.itemBarcode } : {}),
        ...(body.pickupBranch ? { pickupBranch: body.pickupBranch } : {}),
      });
      if (!outcome.ok) throw new IlsRefusal(outcome.code, outcome.message);
      const answer: HoldPlacedAnswer = { hold: outcome.hold, ilsMessage: outcome.message ?? null };
      return c.json(answer, 201);
    }),
  );

  routes.delete(
    '/me/holds/:id',
    handle(async (c, state) => {
      const reader = await readerOf(state);
      const id = c.req.param('id');
      if (!id || id.length > 64) throw new AccountsError('INVALID_REQUEST');
      const outcome = await accounts.cancelHold(reader, id);
      if (!outcome.ok) throw new IlsRefusal(outcome.code, outcome.message);
      return c.body(null, 204);
    }),
  );

  routes.get(
    '/me/ecard.svg',
    handle(async (c, state) => {
      const reader = await readerOf(state);
      const asked = c.req.query('symbology');
      const parsed = z.enum(['code128', 'code39', 'qr']).optional().safeParse(asked);
      if (!parsed.success) throw new AccountsError('INVALID_REQUEST');
      const { svg, symbology } = renderEcard(reader.barcode, parsed.data ?? deps.ecardSymbology);
      return c.body(svg, 200, {
        'content-type': 'image/svg+xml; charset=utf-8',
        'cache-control': 'no-store',
        'x-ecard-symbology': symbology,
      });
    }),
  );

  routes.get(
    '/me/history',
    handle(async (c, state) => {
      const binding = await boundOf(state);
      const parsed = historyPage.safeParse(c.req.query());
      if (!parsed.success) throw new AccountsError('INVALID_REQUEST');
      const { page, pageSize } = parsed.data;
      if (!binding.historyOptIn) {
        const off: HistoryPage = { enabled: false, total: 0, page, pageSize, items: [] };
        return c.json(off);
      }
      const { total, entries } = await history.list(binding.openid, {
        offset: (page - 1) * pageSize,
        limit: pageSize,
      });
      const answer: HistoryPage = {
        enabled: true,
        total,
        page,
        pageSize,
        items: entries.map(presentHistory),
      };
      return c.json(answer);
    }),
  );

  routes.put(
    '/me/history',
    handle(async (c, state) => {
      const binding = await boundOf(state);
      const body = await readBody(c, z.object({ enabled: z.boolean() }), state);
      await history.setEnabled(binding.openid, body.enabled);
      return c.json({ enabled: body.enabled });
    }),
  );

  routes.put(
    '/me/locale',
    handle(async (c, state) => {
      const session = state.session;
      if (!session) throw new AccountsError('UNAUTHENTICATED');
      const body = await readBody(c, z.object({ locale: z.enum(LOCALES) }), state);
      await sessions.update(c, session, { ...session.data, locale: body.locale });
      if (session.data.openid) await bindings.setLocale(session.data.openid, body.locale);
      return c.json({ locale: body.locale });
    }),
  );

  routes.get(
    '/pickup-locations',
    handle(async (c) => {
      const answer: PickupLocationsAnswer = { locations: await accounts.pickupLocations() };
      return c.json(answer);
    }),
  );

  return routes;
}
