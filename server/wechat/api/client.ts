import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kv } from '../../platform/kv/types.ts';
import { jsapiSignature } from '../crypto.ts';
import { CredentialCache, type CredentialCacheOptions } from './credential.ts';
import {
  isBusyError,
  isQuotaError,
  isTokenError,
  LOCAL_ERRCODE,
  WeChatApiError,
  WeChatSnapshotUserError,
} from './errors.ts';
import { parseWeChatJson } from './json.ts';
import type {
  CustomMessage,
  DownloadedMedia,
  JssdkConfig,
  MediaType,
  Menu,
  MenuInfo,
  OauthIdentity,
  QrCode,
  SubscribeMessage,
  TemplateMessage,
  UploadedMedia,
} from './types.ts';
import {
  qrAction,
  validateCustomMessage,
  validateMedia,
  validateMenu,
  validateOpenid,
  validateTemplateData,
} from './validate.ts';

/** The pino methods the client uses; a pino Logger fits. */
export interface WeChatLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WeChatApiClientOptions {
  appid: string;
  secret: string;
  /** Default https://api.weixin.qq.com; the simulator or a fake in tests. */
  baseUrl?: string;
  /** Shared by every instance of a deployment: tokens, tickets and OAuth codes live here. */
  kv: Kv;
  logger?: WeChatLogger;
  fetch?: typeof fetch;
  /** Per attempt, headers and body; default 10000. */
  timeoutMs?: number;
  onTokenRefresh?: (kind: 'access_token' | 'jsapi_ticket') => void;
  /** Pauses before each retry after -1 or a network failure; default [200, 400, 800]. */
  retryDelaysMs?: readonly number[];
  /** Where the OAuth authorize page lives; default https://open.weixin.qq.com. */
  oauthBase?: string;
  /** Where showqrcode lives; default https://mp.weixin.qq.com. */
  mpBase?: string;
  /** Subtracted from token and ticket lifetimes; default 300. */
  safetyMarginSeconds?: number;
  /** Tuning of the shared refresh lock, mostly for tests. */
  credentialLock?: Pick<CredentialCacheOptions, 'lockTtlMs' | 'pollMs' | 'waitTimeoutMs'>;
  /** Milliseconds since the epoch, for JS-SDK timestamps. */
  now?: () => number;
  /** JS-SDK nonceStr generator. */
  nonce?: () => string;
}

interface CallOptions {
  query?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  /** Token issuance and OAuth: no access_token, so no token retry either. */
  tokenless?: boolean;
  /**
   * Sending it twice does no harm, so it is retried after a network failure that may
   * have reached WeChat. Anything else is retried only when it provably never left.
   */
  idempotent: boolean;
  /** The answer may be bytes (media download) rather than JSON. */
  binary?: boolean;
}

type Answer =
  | { kind: 'json'; body: Record<string, unknown> }
  | { kind: 'bytes'; bytes: Uint8Array; contentType: string; filename?: string };

/** Connection failures that happen before a byte of the request is written. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth += 1) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errcodeOf(body: Record<string, unknown>): number {
  const errcode = body.errcode;
  if (errcode === undefined || errcode === null) return 0;
  return typeof errcode === 'number' ? errcode : Number(errcode);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const defaultNonce = (): string =>
  Array.from({ length: 16 }, () => ALNUM[randomInt(ALNUM.length)]).join('');

const silentLogger: WeChatLogger = { debug() {}, info() {}, warn() {}, error() {} };

const OAUTH_CACHE_SECONDS = 300;

/**
 * WeChat's server API for one Official Account, safe to use from many instances at
 * once: the access_token and jsapi_ticket are cached in the shared Kv and refreshed
 * by one instance at a time (stable_token, normal mode); a rejected token is dropped
 * only if it is still the cached one and the call is retried once; -1 is retried with
 * backoff; 64-bit ids come back as exact strings. Every failure is a WeChatApiError.
 *
 * @example
 * const wx = new WeChatApiClient({ appid, secret, baseUrl: config.wechat.apiBase, kv, logger });
 * await wx.sendCustomMessage({ touser: openid, msgtype: 'text', text: { content: '《三体》已到馆' } });
 */
export class WeChatApiClient {
  readonly appid: string;
  readonly #secret: string;
  readonly #baseUrl: string;
  readonly #kv: Kv;
  readonly #log: WeChatLogger;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #delays: readonly number[];
  readonly #oauthBase: string;
  readonly #mpBase: string;
  readonly #now: () => number;
  readonly #nonce: () => string;
  readonly #accessToken: CredentialCache;
  readonly #jsapiTicket: CredentialCache;
  readonly #credentialLock: WeChatApiClientOptions['credentialLock'];
  readonly #oauthInflight = new Map<string, Promise<string>>();

  constructor(options: WeChatApiClientOptions) {
    this.appid = options.appid;
    this.#secret = options.secret;
    this.#baseUrl = (options.baseUrl ?? 'https://api.weixin.qq.com').replace(/\/+$/, '');
    this.#kv = options.kv;
    this.#log = options.logger ?? silentLogger;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#delays = options.retryDelaysMs ?? [200, 400, 800];
    this.#oauthBase = (options.oauthBase ?? 'https://open.weixin.qq.com').replace(/\/+$/, '');
    this.#mpBase = (options.mpBase ?? 'https://mp.weixin.qq.com').replace(/\/+$/, '');
    this.#now = options.now ?? Date.now;
    this.#nonce = options.nonce ?? defaultNonce;
    this.#credentialLock = options.credentialLock;
    const shared = {
      kv: options.kv,
      appid: options.appid,
      safetyMarginSeconds: options.safetyMarginSeconds ?? 300,
      ...options.credentialLock,
    };
    this.#accessToken = new CredentialCache({
      ...shared,
      name: 'access_token',
      fetch: () => this.#fetchAccessToken(),
      onRefresh: () => options.onTokenRefresh?.('access_token'),
    });
    this.#jsapiTicket = new CredentialCache({
      ...shared,
      name: 'jsapi_ticket',
      fetch: () => this.#fetchJsapiTicket(),
      onRefresh: () => options.onTokenRefresh?.('jsapi_ticket'),
    });
  }

  // ------------------------------------------------------------ credentials

  /**
   * The shared access_token, fetched with POST /cgi-bin/stable_token (normal mode) on a
   * miss. Normal mode answers the same token to every instance until 5 min before its
   * expiry, so even a lost race cannot invalidate anyone's token.
   *
   * @example
   * const token = await wx.getAccessToken(); // cached in Kv as wx:{appid}:access_token
   */
  getAccessToken(): Promise<string> {
    return this.#accessToken.get();
  }

  /**
   * The shared jsapi_ticket (GET /cgi-bin/ticket/getticket?type=jsapi), cached like the token.
   *
   * @example
   * const ticket = await wx.getJsapiTicket(); // wx:{appid}:jsapi_ticket
   */
  getJsapiTicket(): Promise<string> {
    return this.#jsapiTicket.get();
  }

  async #fetchAccessToken(): Promise<{ value: string; expiresInSeconds: number }> {
    const body = await this.#call('POST', '/cgi-bin/stable_token', {
      tokenless: true,
      idempotent: true,
      json: {
        grant_type: 'client_credential',
        appid: this.appid,
        secret: this.#secret,
        force_refresh: false,
      },
    });
    return {
      value: requireString(body, 'access_token', '/cgi-bin/stable_token'),
      expiresInSeconds: requireNumber(body, 'expires_in', '/cgi-bin/stable_token'),
    };
  }

  async #fetchJsapiTicket(): Promise<{ value: string; expiresInSeconds: number }> {
    const path = '/cgi-bin/ticket/getticket';
    const body = await this.#call('GET', path, { query: { type: 'jsapi' }, idempotent: true });
    return {
      value: requireString(body, 'ticket', path),
      expiresInSeconds: requireNumber(body, 'expires_in', path),
    };
  }

  // ------------------------------------------------------------ messages

  /**
   * Sends a 客服 message. Needs an open window: 5 messages within 48 h of the user's
   * last message, 3 within a minute of a click/scan/follow; otherwise 45015 or 45047
   * (isCustomServiceWindowError) and the caller falls back to a template message.
   * Not idempotent: a failure with outcome `unknown` may already have been delivered.
   *
   * @example
   * await wx.sendCustomMessage({ touser: openid, msgtype: 'text', text: { content: '已续借' } });
   */
  async sendCustomMessage(message: CustomMessage): Promise<void> {
    const path = '/cgi-bin/message/custom/send';
    validateCustomMessage(message, path);
    await this.#call('POST', path, { json: message, idempotent: false });
  }

  /**
   * Sends a template message and returns its 64-bit msgid as an exact string (match it
   * against TEMPLATESENDJOBFINISH's MsgID). Field values are checked first (≤20
   * characters, no line breaks; 47003). Without a clientMsgId the client makes one up
   * per call, so its own network retries cannot send twice; a stable business key
   * extends that to job retries within WeChat's 10-minute window.
   *
   * @example
   * const { msgid } = await wx.sendTemplateMessage({
   *   touser: openid,
   *   templateId: 'TEMPLATE_ID',
   *   clientMsgId: `hold-ready:${holdId}`,
   *   data: { thing1: { value: '三体' }, time2: { value: '2025-03-10 23:59' } },
   * }); // msgid → '4611686018427388905'
   */
  async sendTemplateMessage(message: TemplateMessage): Promise<{ msgid: string }> {
    const path = '/cgi-bin/message/template/send';
    validateOpenid(message.touser, path);
    validateTemplateData(message.data, path);
    const body = await this.#call('POST', path, {
      idempotent: true,
      json: {
        touser: message.touser,
        template_id: message.templateId,
        ...(message.url !== undefined ? { url: message.url } : {}),
        ...(message.miniprogram !== undefined ? { miniprogram: message.miniprogram } : {}),
        client_msg_id: message.clientMsgId ?? `shulin-${randomBytes(12).toString('hex')}`,
        data: message.data,
      },
    });
    const msgid = body.msgid;
    if (typeof msgid !== 'string' && typeof msgid !== 'number') {
      throw new WeChatApiError(LOCAL_ERRCODE.badResponse, 'no msgid in the answer', path, {
        outcome: 'unknown',
      });
    }
    return { msgid: String(msgid) };
  }

  /**
   * Sends a 订阅通知 (bizsend). 43101 means the user has not subscribed or used up a
   * one-time subscription: drop the pending notice. Not idempotent.
   *
   * @example
   * await wx.sendSubscribeMessage({
   *   touser: openid,
   *   templateId: 'TID',
   *   page: 'https://lib.example.edu/m/loans',
   *   data: { thing1: { value: '三体' }, time2: { value: '2025-03-10' } },
   * });
   */
  async sendSubscribeMessage(message: SubscribeMessage): Promise<void> {
    const path = '/cgi-bin/message/subscribe/bizsend';
    validateOpenid(message.touser, path);
    validateTemplateData(message.data, path);
    await this.#call('POST', path, {
      idempotent: false,
      json: {
        touser: message.touser,
        template_id: message.templateId,
        ...(message.page !== undefined ? { page: message.page } : {}),
        ...(message.miniprogram !== undefined ? { miniprogram: message.miniprogram } : {}),
        data: message.data,
      },
    });
  }

  // ------------------------------------------------------------ menus

  /**
   * Replaces the whole custom menu (limits checked first: 1–3 buttons, ≤5 sub-buttons,
   * names ≤16/60 bytes).
   *
   * @example
   * await wx.createMenu({ button: [{ type: 'click', name: '我的借阅', key: 'MY_LOANS' }] });
   */
  async createMenu(menu: Menu): Promise<void> {
    const path = '/cgi-bin/menu/create';
    validateMenu(menu, path);
    await this.#call('POST', path, { json: menu, idempotent: true });
  }

  /**
   * The developer-configured menu, or null when there is none (46003).
   *
   * @example
   * const info = await wx.getMenu(); // → { menu: { button: [...], menuid: 208379533 } } | null
   */
  async getMenu(): Promise<MenuInfo | null> {
    try {
      const body = await this.#call('GET', '/cgi-bin/menu/get', { idempotent: true });
      return body as unknown as MenuInfo;
    } catch (error) {
      if (error instanceof WeChatApiError && error.errcode === 46003) return null;
      throw error;
    }
  }

  /**
   * Deletes the menu, conditional menus included.
   *
   * @example
   * await wx.deleteMenu();
   */
  async deleteMenu(): Promise<void> {
    await this.#call('GET', '/cgi-bin/menu/delete', { idempotent: true });
  }

  // ------------------------------------------------------------ OAuth

  /**
   * The authorize URL to redirect a reader to, parameters in WeChat's order and with
   * `#wechat_redirect` (pages break otherwise). `state` is WeChat's: a-z, A-Z, 0-9,
   * ≤128 bytes; use it as the CSRF nonce. `connect_redirect=1` curbs the duplicate
   * redirects that cause 40163.
   *
   * @example
   * wx.oauthAuthorizeUrl({ redirectUri: 'https://lib.example.edu/m/auth', state: 'n0nce' });
   * // → 'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx…&redirect_uri=https%3A%2F%2Flib.example.edu%2Fm%2Fauth&response_type=code&scope=snsapi_base&state=n0nce&connect_redirect=1#wechat_redirect'
   */
  oauthAuthorizeUrl(input: {
    redirectUri: string;
    state: string;
    scope?: 'snsapi_base' | 'snsapi_userinfo';
  }): string {
    if (!/^[A-Za-z0-9]{0,128}$/.test(input.state)) {
      throw new RangeError('OAuth state must be at most 128 characters of a-z, A-Z, 0-9');
    }
    const scope = input.scope ?? 'snsapi_base';
    return (
      `${this.#oauthBase}/connect/oauth2/authorize?appid=${encodeURIComponent(this.appid)}` +
      `&redirect_uri=${encodeURIComponent(input.redirectUri)}&response_type=code` +
      `&scope=${scope}&state=${input.state}&connect_redirect=1#wechat_redirect`
    );
  }

  /**
   * Exchanges an OAuth code for the reader's openid. A code works once, but readers
   * refresh and press back: the result is cached for 5 minutes under
   * `wx:{appid}:oauth:{code}` and concurrent hits share one exchange, so a duplicate
   * gets the same openid instead of 40163. Snapshot-mode virtual users
   * (is_snapshotuser=1) throw WeChatSnapshotUserError unless `allowSnapshotUser`.
   *
   * @example
   * const { openid } = await wx.exchangeOauthCode(code); // code from redirect_uri?code=…
   */
  async exchangeOauthCode(
    code: string,
    options: { allowSnapshotUser?: boolean } = {},
  ): Promise<OauthIdentity> {
    const path = '/sns/oauth2/access_token';
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(code)) {
      throw new WeChatApiError(40029, 'invalid code', path, { outcome: 'not-sent' });
    }
    let pending = this.#oauthInflight.get(code);
    if (!pending) {
      const cache = new CredentialCache({
        kv: this.#kv,
        appid: this.appid,
        name: `oauth:${code}`,
        safetyMarginSeconds: 0,
        minTtlSeconds: 0,
        ...this.#credentialLock,
        fetch: async () => ({
          value: JSON.stringify(await this.#exchangeOauthCode(code)),
          expiresInSeconds: OAUTH_CACHE_SECONDS,
        }),
      });
      pending = cache.get().finally(() => this.#oauthInflight.delete(code));
      this.#oauthInflight.set(code, pending);
    }
    const identity = JSON.parse(await pending) as OauthIdentity;
    if (identity.isSnapshotUser && !options.allowSnapshotUser) {
      throw new WeChatSnapshotUserError(identity.openid, path);
    }
    return identity;
  }

  async #exchangeOauthCode(code: string): Promise<OauthIdentity> {
    const path = '/sns/oauth2/access_token';
    // A code is spent by the first request that reaches WeChat: never resend it blindly.
    const body = await this.#call('GET', path, {
      tokenless: true,
      idempotent: false,
      query: {
        appid: this.appid,
        secret: this.#secret,
        code,
        grant_type: 'authorization_code',
      },
    });
    const unionid = body.unionid;
    return {
      openid: requireString(body, 'openid', path),
      scope: typeof body.scope === 'string' ? body.scope : '',
      ...(typeof unionid === 'string' && unionid !== '' ? { unionid } : {}),
      isSnapshotUser: body.is_snapshotuser === 1 || body.is_snapshotuser === '1',
    };
  }

  // ------------------------------------------------------------ JS-SDK

  /**
   * The object a page passes to `wx.config`. `url` is the page's full URL; the fragment
   * is dropped before signing (a classic cause of `invalid signature`). On iOS
   * history-mode SPAs sign the landing URL.
   *
   * @example
   * await wx.jssdkConfig({ url: 'https://lib.example.edu/m/scan?x=1#top', jsApiList: ['scanQRCode'] });
   * // → { appId, timestamp: 1714037059, nonceStr: 'Wm3WZYTPz0wzccnW', signature: '0f9d…', jsApiList, openTagList: [] }
   */
  async jssdkConfig(input: {
    url: string;
    jsApiList: string[];
    openTagList?: string[];
  }): Promise<JssdkConfig> {
    if (!/^https?:\/\/[^/]/i.test(input.url)) {
      throw new RangeError(`jssdkConfig needs the page's absolute URL, got "${input.url}"`);
    }
    const ticket = await this.getJsapiTicket();
    const timestamp = Math.floor(this.#now() / 1000);
    const nonceStr = this.#nonce();
    return {
      appId: this.appid,
      timestamp,
      nonceStr,
      signature: jsapiSignature({ ticket, nonceStr, timestamp, url: input.url }),
      jsApiList: [...input.jsApiList],
      openTagList: [...(input.openTagList ?? [])],
    };
  }

  // ------------------------------------------------------------ QR codes and media

  /**
   * Creates a parametric QR code: a number scene → QR_SCENE / QR_LIMIT_SCENE, a string →
   * QR_STR_SCENE / QR_LIMIT_STR_SCENE. Temporary unless `permanent` (capped at 100 000 per
   * account, so use them sparingly).
   *
   * @example
   * const qr = await wx.createQrCode({ scene: 'bind:desk-3', expireSeconds: 600 });
   * // qr.imageUrl → 'https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQH4…%3D%3D'
   */
  async createQrCode(input: {
    scene: number | string;
    expireSeconds?: number;
    permanent?: boolean;
  }): Promise<QrCode> {
    const path = '/cgi-bin/qrcode/create';
    const action = qrAction(input, path);
    const body = await this.#call('POST', path, {
      idempotent: true,
      json: {
        ...(action.expire_seconds !== undefined ? { expire_seconds: action.expire_seconds } : {}),
        action_name: action.action_name,
        action_info: { scene: action.scene },
      },
    });
    const ticket = requireString(body, 'ticket', path);
    return {
      ticket,
      url: requireString(body, 'url', path),
      expireSeconds: typeof body.expire_seconds === 'number' ? body.expire_seconds : null,
      imageUrl: `${this.#mpBase}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`,
    };
  }

  /**
   * Uploads temporary media (kept 3 days). Size and extension are checked first:
   * image 10 MB, voice 2 MB, video 10 MB, thumb 64 KB.
   *
   * @example
   * const { mediaId } = await wx.uploadMedia('image', pngBytes, 'cover.png');
   */
  async uploadMedia(type: MediaType, bytes: Uint8Array, filename: string): Promise<UploadedMedia> {
    const path = '/cgi-bin/media/upload';
    validateMedia(type, bytes.length, filename, path);
    const form = new FormData();
    form.append('media', new Blob([bytes]), filename);
    const body = await this.#call('POST', path, { query: { type }, form, idempotent: true });
    // Thumbnails come back as thumb_media_id.
    const mediaId = body.media_id ?? body.thumb_media_id;
    if (typeof mediaId !== 'string') {
      throw new WeChatApiError(LOCAL_ERRCODE.badResponse, 'no media_id in the answer', path, {
        outcome: 'unknown',
      });
    }
    return {
      type,
      mediaId,
      createdAt: typeof body.created_at === 'number' ? body.created_at : Number(body.created_at),
    };
  }

  /**
   * Downloads temporary media (a user's voice or image message, or our own upload).
   * Videos, which WeChat hands out as a `video_url`, are followed and downloaded too.
   *
   * @example
   * const { contentType, bytes } = await wx.getMedia(message.MediaId);
   */
  async getMedia(mediaId: string): Promise<DownloadedMedia> {
    const path = '/cgi-bin/media/get';
    const answer = await this.#execute('GET', path, {
      query: { media_id: mediaId },
      idempotent: true,
      binary: true,
    });
    if (answer.kind === 'bytes') {
      return {
        contentType: answer.contentType,
        bytes: answer.bytes,
        ...(answer.filename ? { filename: answer.filename } : {}),
      };
    }
    const videoUrl = answer.body.video_url;
    if (typeof videoUrl !== 'string') {
      throw new WeChatApiError(LOCAL_ERRCODE.badResponse, 'neither bytes nor video_url', path, {
        outcome: 'unknown',
      });
    }
    const download = await this.#sendOnce('GET', videoUrl, path, {}, true);
    if (download.kind !== 'bytes') {
      throw new WeChatApiError(LOCAL_ERRCODE.badResponse, 'video_url did not serve bytes', path, {
        outcome: 'unknown',
      });
    }
    return { contentType: download.contentType, bytes: download.bytes };
  }

  // ------------------------------------------------------------ the call pipeline

  async #call(
    method: 'GET' | 'POST',
    path: string,
    options: CallOptions,
  ): Promise<Record<string, unknown>> {
    const answer = await this.#execute(method, path, options);
    if (answer.kind !== 'json') {
      throw new WeChatApiError(LOCAL_ERRCODE.badResponse, 'expected JSON, got bytes', path, {
        outcome: 'unknown',
      });
    }
    return answer.body;
  }

  /**
   * One logical call: injects the token, retries once with a fresh token after
   * 40001/40014/42001, backs off on -1 and on network failures it may safely repeat.
   */
  async #execute(method: 'GET' | 'POST', path: string, options: CallOptions): Promise<Answer> {
    let tokenRetried = false;
    let backoffs = 0;
    for (;;) {
      const token = options.tokenless ? undefined : await this.getAccessToken();
      const url = new URL(this.#baseUrl + path);
      if (token) url.searchParams.set('access_token', token);
      for (const [name, value] of Object.entries(options.query ?? {})) {
        url.searchParams.set(name, value);
      }
      let answer: Answer;
      try {
        answer = await this.#sendOnce(
          method,
          url.toString(),
          path,
          options,
          options.binary ?? false,
        );
      } catch (error) {
        if (!(error instanceof WeChatApiError)) throw error;
        const safe = error.outcome === 'not-sent' || options.idempotent;
        const delay = this.#delays[backoffs];
        if (!safe || delay === undefined) throw error;
        backoffs += 1;
        this.#log.warn(
          { path, errmsg: error.errmsg, attempt: backoffs },
          'wechat api network failure, retrying',
        );
        await sleep(delay);
        continue;
      }
      if (answer.kind === 'bytes') return answer;
      const errcode = errcodeOf(answer.body);
      if (errcode === 0) return answer;
      const errmsg = typeof answer.body.errmsg === 'string' ? answer.body.errmsg : '';
      if (token && isTokenError(errcode) && !tokenRetried) {
        tokenRetried = true;
        // Only this exact token: one refreshed meanwhile by another instance stays.
        const dropped = await this.#accessToken.invalidate(token);
        this.#log.info(
          { path, errcode, dropped },
          'wechat access_token rejected, retrying with a fresh one',
        );
        continue;
      }
      if (isBusyError(errcode)) {
        const delay = this.#delays[backoffs];
        if (delay !== undefined) {
          backoffs += 1;
          this.#log.warn({ path, errcode, attempt: backoffs }, 'wechat api busy, retrying');
          await sleep(delay);
          continue;
        }
      }
      if (isQuotaError(errcode)) {
        this.#log.error(
          { path, errcode, errmsg },
          'wechat api daily quota reached: clear_quota needed',
        );
      } else {
        this.#log.debug({ path, errcode, errmsg }, 'wechat api error');
      }
      throw new WeChatApiError(errcode, errmsg, path);
    }
  }

  /** One HTTP exchange; every failure becomes a WeChatApiError with an outcome. */
  async #sendOnce(
    method: 'GET' | 'POST',
    url: string,
    path: string,
    options: Pick<CallOptions, 'json' | 'form'>,
    binary: boolean,
  ): Promise<Answer> {
    const init: RequestInit = { method, signal: AbortSignal.timeout(this.#timeoutMs) };
    if (options.json !== undefined) {
      init.body = JSON.stringify(options.json);
      init.headers = { 'content-type': 'application/json' };
    } else if (options.form) {
      init.body = options.form;
    }
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (error) {
      throw this.#networkError(error, path);
    }
    try {
      if (!response.ok) {
        throw new WeChatApiError(LOCAL_ERRCODE.network, `HTTP ${response.status}`, path, {
          outcome: 'unknown',
        });
      }
      const contentType = response.headers.get('content-type') ?? '';
      // WeChat sends JSON errors from the media endpoint as text/plain.
      if (binary && !/json|text\/plain/i.test(contentType)) {
        const disposition = response.headers.get('content-disposition') ?? '';
        const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
        return {
          kind: 'bytes',
          bytes: new Uint8Array(await response.arrayBuffer()),
          contentType,
          ...(filename ? { filename } : {}),
        };
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = parseWeChatJson(text);
      } catch {
        body = undefined;
      }
      if (!isRecord(body)) {
        throw new WeChatApiError(LOCAL_ERRCODE.badResponse, 'answer is not a JSON object', path, {
          outcome: 'unknown',
        });
      }
      return { kind: 'json', body };
    } catch (error) {
      if (error instanceof WeChatApiError) throw error;
      throw this.#networkError(error, path);
    }
  }

  #networkError(error: unknown, path: string): WeChatApiError {
    const code = errorCode(error);
    const timedOut =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const reason = timedOut ? `timed out after ${this.#timeoutMs} ms` : (code ?? String(error));
    return new WeChatApiError(LOCAL_ERRCODE.network, reason, path, {
      outcome: code !== undefined && NOT_SENT_CODES.has(code) ? 'not-sent' : 'unknown',
      cause: error,
    });
  }
}

function requireString(body: Record<string, unknown>, field: string, path: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new WeChatApiError(LOCAL_ERRCODE.badResponse, `no ${field} in the answer`, path, {
      outcome: 'unknown',
    });
  }
  return value;
}

function requireNumber(body: Record<string, unknown>, field: string, path: string): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new WeChatApiError(LOCAL_ERRCODE.badResponse, `no ${field} in the answer`, path, {
      outcome: 'unknown',
    });
  }
  return value;
}
