import { randomBytes, randomInt } from 'node:crypto';
import { fail, type FakeError, type MediaType, type QrRequest } from './rules.ts';

export interface FakeAccount {
  appid: string;
  secret: string;
}

/** What opened a 客服 window: a user message (5 per 48 h) or a click/scan/subscribe event (3 per minute). */
export type WindowTrigger = 'message' | 'event';

export interface FakeWeChatApiOptions {
  /** One or several Official Accounts; default one account `wxfake00000000001` / `fake-secret`. */
  accounts?: FakeAccount | FakeAccount[];
  /** Lifetime of access tokens (classic and stable); default 7200. */
  tokenTtlSeconds?: number;
  /** Milliseconds since the epoch; every expiry and window is measured with it. */
  now?: () => number;
  /** Messages per window; a number sets the message-window quota (default 5; events: 3). */
  customServiceQuota?: number | { message?: number; event?: number };
  /**
   * `open-always` (the default) treats every openid as having an open message window, so
   * tests and the simulator need no set-up; `strict` needs `openCustomServiceWindow` first,
   * as WeChat does. The quota counts in both modes.
   */
  customServiceWindow?: 'open-always' | 'strict';
  /** Added before every API response, to make timing visible. */
  latencyMs?: number;
}

export interface FaultSpec {
  /** An API path such as `/cgi-bin/message/custom/send`, or `*` for any API path. */
  path: string;
  /** Answer with this errcode instead of handling the request. */
  errcode?: number;
  errmsg?: string;
  /** Wait this long first (then answer with `errcode` or handle the request normally). */
  delayMs?: number;
  /**
   * Handle the request, then cut the connection before the response is written: the call
   * took effect but the caller cannot know (only over real HTTP).
   */
  dropConnection?: boolean;
  /** How many matching requests it affects; default 1. */
  times?: number;
}

export interface RecordedCustomMessage {
  appid: string;
  touser: string;
  msgtype: string;
  body: Record<string, unknown>;
  time: number;
}

export interface RecordedTemplateMessage {
  appid: string;
  /** 64-bit, always above 2^53: compare as strings. */
  msgid: string;
  touser: string;
  templateId: string;
  url?: string;
  miniprogram?: unknown;
  clientMsgId?: string;
  data: Record<string, unknown>;
  time: number;
}

export interface RecordedSubscribeMessage {
  appid: string;
  touser: string;
  templateId: string;
  page?: string;
  miniprogram?: unknown;
  data: Record<string, unknown>;
  time: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  time: number;
  /** The access_token the call carried, if any. */
  token: string | null;
  /** The account the token belongs to, when it was valid. */
  appid: string | null;
  /** 0 for success; null when the response was not JSON (a redirect, media bytes). */
  errcode: number | null;
}

export interface StoredMedia {
  appid: string;
  type: MediaType;
  bytes: Uint8Array;
  filename: string;
  contentType: string;
  createdAt: number;
}

interface TokenRecord {
  appid: string;
  kind: 'classic' | 'stable';
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

interface Window {
  trigger: WindowTrigger;
  expiresAt: number;
  quota: number;
  used: number;
}

interface OauthCode {
  appid: string;
  openid: string;
  scope: string;
  issuedAt: number;
  used: boolean;
  snapshot: boolean;
  unionid?: string;
}

const DEFAULT_ACCOUNT: FakeAccount = { appid: 'wxfake00000000001', secret: 'fake-secret' };
const WINDOW_MS: Record<WindowTrigger, number> = { message: 48 * 3600_000, event: 60_000 };
const OAUTH_CODE_TTL_MS = 5 * 60_000;
const CLIENT_MSG_ID_TTL_MS = 10 * 60_000;
const MEDIA_TTL_MS = 3 * 24 * 3600_000;
const STABLE_REISSUE_WINDOW_MS = 300_000;
const FORCE_REFRESH_SPACING_MS = 30_000;
const FORCE_REFRESH_PER_DAY = 20;

/**
 * Everything the fake remembers, inspectable by tests. Holds WeChat's rules; the
 * Hono routes in app.ts only translate HTTP to these methods.
 */
export class FakeWeChatState {
  readonly accounts: ReadonlyMap<string, FakeAccount>;
  readonly now: () => number;
  readonly tokenTtlMs: number;
  readonly latencyMs: number;
  readonly windowMode: 'open-always' | 'strict';
  readonly quota: Record<WindowTrigger, number>;

  /** Calls to GET /cgi-bin/token. */
  tokenFetches = 0;
  /** Calls to POST /cgi-bin/stable_token. */
  stableTokenFetches = 0;
  /** Calls to GET /cgi-bin/ticket/getticket. */
  ticketFetches = 0;
  /** Calls to GET /sns/oauth2/access_token. */
  oauthExchanges = 0;

  customMessages: RecordedCustomMessage[] = [];
  templateMessages: RecordedTemplateMessage[] = [];
  subscribeMessages: RecordedSubscribeMessage[] = [];
  requestLog: RequestLogEntry[] = [];
  menus = new Map<string, Record<string, unknown>>();
  media = new Map<string, StoredMedia>();
  qrCodes: Array<QrRequest & { appid: string; ticket: string; time: number }> = [];

  /** openids whose bizsend is refused (43101: not subscribed or refused). */
  refuseSubscribe = new Set<string>();
  /** openids who unfollowed: 客服 sends get 45015, template sends 43004. */
  unfollowed = new Set<string>();
  /** The openid the OAuth authorize page signs in when the request names none. */
  defaultOpenid = 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M';

  #tokens = new Map<string, TokenRecord>();
  #currentStable = new Map<string, string>();
  #forceRefreshes = new Map<string, number[]>();
  #windows = new Map<string, Window>();
  #faults: Array<Required<Pick<FaultSpec, 'path' | 'times'>> & FaultSpec> = [];
  #oauthCodes = new Map<string, OauthCode>();
  #clientMsgIds = new Map<string, { msgid: string; at: number }>();
  #pinnedTicket: string | null = null;
  #msgid = 0n;
  #seq = 0;

  constructor(options: FakeWeChatApiOptions = {}) {
    const list = options.accounts
      ? Array.isArray(options.accounts)
        ? options.accounts
        : [options.accounts]
      : [DEFAULT_ACCOUNT];
    if (list.length === 0) throw new Error('the fake WeChat API needs at least one account');
    this.accounts = new Map(list.map((account) => [account.appid, { ...account }]));
    this.now = options.now ?? Date.now;
    this.tokenTtlMs = (options.tokenTtlSeconds ?? 7200) * 1000;
    this.latencyMs = options.latencyMs ?? 0;
    this.windowMode = options.customServiceWindow ?? 'open-always';
    const quota = options.customServiceQuota;
    this.quota = {
      message: (typeof quota === 'number' ? quota : quota?.message) ?? 5,
      event: (typeof quota === 'number' ? undefined : quota?.event) ?? 3,
    };
    this.#resetMsgid();
  }

  /** The first configured account: the one the helpers use when no appid is given. */
  get defaultAppid(): string {
    return this.accounts.keys().next().value ?? DEFAULT_ACCOUNT.appid;
  }

  /** The menu of the default account (or null), for quick assertions. */
  get menu(): Record<string, unknown> | null {
    return this.menus.get(this.defaultAppid) ?? null;
  }

  // ------------------------------------------------------------ test hooks

  /** Opens (or re-opens, resetting the count) the 客服 window of an openid, as a user action would. */
  openCustomServiceWindow(openid: string, trigger: WindowTrigger, appid = this.defaultAppid): void {
    this.#windows.set(`${appid}\n${openid}`, {
      trigger,
      expiresAt: this.now() + WINDOW_MS[trigger],
      quota: this.quota[trigger],
      used: 0,
    });
  }

  /** Queues faults; each affects the next `times` (default 1) requests to its path. */
  injectFaults(faults: FaultSpec[]): void {
    for (const fault of faults) this.#faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Pops the fault that applies to this request, if any. */
  takeFault(path: string): FaultSpec | null {
    const index = this.#faults.findIndex((f) => f.path === path || f.path === '*');
    if (index === -1) return null;
    const fault = this.#faults[index];
    if (!fault) return null;
    fault.times -= 1;
    if (fault.times <= 0) this.#faults.splice(index, 1);
    return fault;
  }

  /**
   * Every outstanding token (classic and stable) now answers 40001, as after a third
   * party force-refreshed. The next normal-mode stable_token call issues a fresh token.
   */
  invalidateAllTokens(): void {
    for (const record of this.#tokens.values()) record.revoked = true;
    this.#currentStable.clear();
  }

  /** A code as WeChat's authorize page would hand to redirect_uri. */
  issueOauthCode(
    openid: string,
    options: { appid?: string; scope?: string; snapshot?: boolean; unionid?: string } = {},
  ): string {
    const code = `${randomBytes(16).toString('hex')}`;
    this.#oauthCodes.set(code, {
      appid: options.appid ?? this.defaultAppid,
      openid,
      scope: options.scope ?? 'snsapi_base',
      issuedAt: this.now(),
      used: false,
      snapshot: options.snapshot ?? false,
      ...(options.unionid ? { unionid: options.unionid } : {}),
    });
    return code;
  }

  /** Makes getticket answer with this ticket (null: back to a new ticket per call). */
  pinJsapiTicket(ticket: string | null): void {
    this.#pinnedTicket = ticket;
  }

  /** Forgets everything recorded (tokens, messages, menus, media, faults, windows). */
  reset(): void {
    this.tokenFetches = 0;
    this.stableTokenFetches = 0;
    this.ticketFetches = 0;
    this.oauthExchanges = 0;
    this.customMessages = [];
    this.templateMessages = [];
    this.subscribeMessages = [];
    this.requestLog = [];
    this.menus.clear();
    this.media.clear();
    this.qrCodes = [];
    this.refuseSubscribe.clear();
    this.unfollowed.clear();
    this.#tokens.clear();
    this.#currentStable.clear();
    this.#forceRefreshes.clear();
    this.#windows.clear();
    this.#faults = [];
    this.#oauthCodes.clear();
    this.#clientMsgIds.clear();
    this.#pinnedTicket = null;
    this.#resetMsgid();
  }

  /** A JSON-safe summary, served at GET /__fake/state. */
  snapshot(): Record<string, unknown> {
    return {
      counters: {
        tokenFetches: this.tokenFetches,
        stableTokenFetches: this.stableTokenFetches,
        ticketFetches: this.ticketFetches,
        oauthExchanges: this.oauthExchanges,
        requests: this.requestLog.length,
      },
      customMessages: this.customMessages,
      templateMessages: this.templateMessages,
      subscribeMessages: this.subscribeMessages,
      menus: Object.fromEntries(this.menus),
      qrCodes: this.qrCodes,
      media: [...this.media].map(([mediaId, m]) => ({
        mediaId,
        appid: m.appid,
        type: m.type,
        filename: m.filename,
        size: m.bytes.length,
        createdAt: m.createdAt,
      })),
    };
  }

  // ------------------------------------------------------------ tokens

  checkCredentials(appid: unknown, secret: unknown, badSecretCode: number): FakeError | null {
    const account = typeof appid === 'string' ? this.accounts.get(appid) : undefined;
    if (!account) return fail(40013, 'invalid appid');
    if (secret !== account.secret) {
      return badSecretCode === 40001
        ? fail(40001, 'invalid credential, access_token is invalid or not latest')
        : fail(40125, 'invalid appsecret');
    }
    return null;
  }

  /** Classic /cgi-bin/token: a new token per call, every earlier classic token dies at once. */
  issueClassicToken(appid: string): { access_token: string; expires_in: number } {
    for (const record of this.#tokens.values()) {
      if (record.appid === appid && record.kind === 'classic') record.revoked = true;
    }
    const token = this.#newToken(appid, 'classic');
    return { access_token: token, expires_in: Math.floor(this.tokenTtlMs / 1000) };
  }

  /**
   * /cgi-bin/stable_token. Normal mode returns the current token with its remaining
   * lifetime until it is within 300 s of expiry (or was invalidated), then issues the
   * next one; the old one keeps working until its own expiry. force_refresh issues a
   * new token and revokes the previous at once, at most 20 per 24 h and 30 s apart.
   */
  issueStableToken(
    appid: string,
    forceRefresh: boolean,
  ): { access_token: string; expires_in: number } | FakeError {
    const now = this.now();
    if (forceRefresh) {
      const recent = (this.#forceRefreshes.get(appid) ?? []).filter((t) => now - t < 86_400_000);
      const last = recent[recent.length - 1];
      if (last !== undefined && now - last < FORCE_REFRESH_SPACING_MS) {
        return fail(45011, 'api minute-quota reach limit mustslower retry next minute');
      }
      if (recent.length >= FORCE_REFRESH_PER_DAY) {
        return fail(45009, 'reach max api daily quota limit');
      }
      recent.push(now);
      this.#forceRefreshes.set(appid, recent);
      for (const record of this.#tokens.values()) {
        if (record.appid === appid && record.kind === 'stable') record.revoked = true;
      }
    } else {
      const current = this.#currentStable.get(appid);
      const record = current ? this.#tokens.get(current) : undefined;
      if (
        current &&
        record &&
        !record.revoked &&
        record.expiresAt - now > STABLE_REISSUE_WINDOW_MS
      ) {
        return {
          access_token: current,
          expires_in: Math.floor((record.expiresAt - now) / 1000),
        };
      }
    }
    const token = this.#newToken(appid, 'stable');
    this.#currentStable.set(appid, token);
    return { access_token: token, expires_in: Math.floor(this.tokenTtlMs / 1000) };
  }

  /** The account a token belongs to, or WeChat's error for it. */
  checkToken(token: string | undefined): { appid: string } | FakeError {
    if (!token) return fail(41001, 'access_token missing');
    const record = this.#tokens.get(token);
    if (!record || record.revoked) {
      return fail(40001, 'invalid credential, access_token is invalid or not latest');
    }
    if (record.expiresAt <= this.now()) return fail(42001, 'access_token expired');
    return { appid: record.appid };
  }

  #newToken(appid: string, kind: 'classic' | 'stable'): string {
    const token = `${kind === 'stable' ? 'ST' : 'AT'}${++this.#seq}_${randomBytes(48).toString('base64url')}`;
    const now = this.now();
    this.#tokens.set(token, {
      appid,
      kind,
      issuedAt: now,
      expiresAt: now + this.tokenTtlMs,
      revoked: false,
    });
    return token;
  }

  // ------------------------------------------------------------ messages

  /** Counts one 客服 message against the openid's window: 45015 outside one, 45047 over quota. */
  consumeCustomServiceQuota(appid: string, openid: string): FakeError | null {
    if (this.unfollowed.has(openid)) {
      return fail(45015, 'response out of time limit or subscription is canceled');
    }
    const key = `${appid}\n${openid}`;
    let window = this.#windows.get(key);
    if (!window || window.expiresAt <= this.now()) {
      if (this.windowMode === 'strict') {
        return fail(45015, 'response out of time limit or subscription is canceled');
      }
      this.openCustomServiceWindow(openid, 'message', appid);
      window = this.#windows.get(key);
    }
    if (!window) return fail(-1, 'system error');
    if (window.used >= window.quota) return fail(45047, 'out of response count limit');
    window.used += 1;
    return null;
  }

  /** The msgid an earlier send with the same client_msg_id got within 10 minutes. */
  dedupedTemplate(appid: string, openid: string, clientMsgId: string): string | null {
    const hit = this.#clientMsgIds.get(`${appid}\n${openid}\n${clientMsgId}`);
    if (!hit || this.now() - hit.at >= CLIENT_MSG_ID_TTL_MS) return null;
    return hit.msgid;
  }

  recordTemplate(message: Omit<RecordedTemplateMessage, 'msgid' | 'time'>): string {
    this.#msgid += BigInt(randomInt(1, 1000));
    const msgid = this.#msgid.toString();
    const time = this.now();
    this.templateMessages.push({ ...message, msgid, time });
    if (message.clientMsgId) {
      this.#clientMsgIds.set(`${message.appid}\n${message.touser}\n${message.clientMsgId}`, {
        msgid,
        at: time,
      });
    }
    return msgid;
  }

  #resetMsgid(): void {
    // Well above 2^53 and below 2^63, as WeChat's real msgids are.
    this.#msgid = 2n ** 62n + BigInt(randomInt(0, 2 ** 40));
  }

  // ------------------------------------------------------------ OAuth, tickets, media

  exchangeOauthCode(appid: string, code: unknown): OauthCode | FakeError {
    if (typeof code !== 'string' || code === '') return fail(41008, 'missing code');
    const record = this.#oauthCodes.get(code);
    if (!record || record.appid !== appid) return fail(40029, 'invalid code');
    if (record.used) return fail(40163, 'code been used');
    if (this.now() - record.issuedAt > OAUTH_CODE_TTL_MS) return fail(40029, 'invalid code');
    record.used = true;
    return record;
  }

  issueTicket(): string {
    return this.#pinnedTicket ?? `TK${++this.#seq}_${randomBytes(48).toString('base64url')}`;
  }

  storeMedia(media: Omit<StoredMedia, 'createdAt'>): { mediaId: string; createdAt: number } {
    const mediaId = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    this.media.set(mediaId, { ...media, createdAt });
    return { mediaId, createdAt };
  }

  /** Temporary media lives 3 days. */
  findMedia(appid: string, mediaId: string): StoredMedia | null {
    const media = this.media.get(mediaId);
    if (!media || media.appid !== appid || this.now() - media.createdAt > MEDIA_TTL_MS) return null;
    return media;
  }
}
