import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Kv } from '../../platform/kv/types.ts';
import type { WeChatApiClient } from '../../wechat/api/client.ts';
import { WeChatApiError, WeChatSnapshotUserError } from '../../wechat/api/errors.ts';
import { AccountsError } from './errors.ts';

export const DEFAULT_NEXT = '/m/';
const STATE_TTL_MS = 10 * 60_000;
const STATE = /^[A-Za-z0-9]{32}$/;
// WeChat's answers for a code that is unknown, spent or missing.
const BAD_CODE = new Set([40029, 40163, 41008]);

/**
 * Where to send the reader after signing in: a path on this site only. Anything else
 * (absolute URLs, `//host`, `/\host`, control characters) falls back to `/m/`, so the
 * sign-in cannot be used as an open redirect.
 *
 * @example
 * safeNext('/m/loans?tab=due'); // '/m/loans?tab=due'
 * safeNext('//evil.example/');  // '/m/'
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 512) return DEFAULT_NEXT;
  // eslint-disable-next-line no-control-regex
  if (!next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next) || next.startsWith('//')) {
    return DEFAULT_NEXT;
  }
  const base = 'http://shulin.invalid';
  const resolved = new URL(next, base);
  return resolved.origin === base
    ? `${resolved.pathname}${resolved.search}${resolved.hash}`
    : DEFAULT_NEXT;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * WeChat web authorisation (snsapi_base) for the reader pages: a random `state`,
 * single use and ten minutes long, kept in kv and tied to the browser by a cookie;
 * each code is exchanged at most once.
 */
export class WeChatOauth {
  readonly #kv: Kv;
  readonly #api: Pick<WeChatApiClient, 'oauthAuthorizeUrl' | 'exchangeOauthCode'>;
  readonly #logger: Logger;

  constructor(options: {
    kv: Kv;
    wechatApi: Pick<WeChatApiClient, 'oauthAuthorizeUrl' | 'exchangeOauthCode'>;
    logger: Logger;
  }) {
    this.#kv = options.kv;
    this.#api = options.wechatApi;
    this.#logger = options.logger;
  }

  /**
   * The authorize URL to redirect to, and the state the browser's cookie must carry back.
   *
   * @example
   * const { url, state } = await oauth.begin({ redirectUri: 'https://lib.example.edu/api/v1/auth/wechat/callback', next: '/m/loans' });
   */
  async begin(input: {
    redirectUri: string;
    next: unknown;
  }): Promise<{ url: string; state: string }> {
    // Hex: WeChat passes back only a-z, A-Z and 0-9 in `state`.
    const state = randomBytes(16).toString('hex');
    await this.#kv.set(
      `accounts:oauth-state:${state}`,
      JSON.stringify({ next: safeNext(input.next) }),
      {
        ttlMs: STATE_TTL_MS,
      },
    );
    return {
      url: this.#api.oauthAuthorizeUrl({
        redirectUri: input.redirectUri,
        state,
        scope: 'snsapi_base',
      }),
      state,
    };
  }

  /**
   * Consumes the state (it must match the browser's cookie and exist, once) and
   * exchanges the code for the reader's openid.
   */
  async complete(input: {
    state: string | undefined;
    code: string | undefined;
    browserState: string | undefined;
  }): Promise<{ openid: string; next: string }> {
    const { state, code, browserState } = input;
    if (!state || !STATE.test(state) || !browserState || !sameText(state, browserState)) {
      throw new AccountsError('OAUTH_STATE_INVALID');
    }
    const key = `accounts:oauth-state:${state}`;
    const stored = await this.#kv.get(key);
    // Deleting only what we read makes the state single use across instances too.
    if (!stored || !(await this.#kv.compareAndDelete(key, stored))) {
      throw new AccountsError('OAUTH_STATE_INVALID');
    }
    const { next } = JSON.parse(stored) as { next: string };
    if (!code || !/^[A-Za-z0-9_-]{1,128}$/.test(code))
      throw new AccountsError('OAUTH_CODE_INVALID');
    const claim = `accounts:oauth-code:${createHash('sha256').update(code).digest('base64url')}`;
    if (!(await this.#kv.set(claim, '1', { ttlMs: STATE_TTL_MS, nx: true }))) {
      throw new AccountsError('OAUTH_CODE_INVALID');
    }
    try {
      const { openid } = await this.#api.exchangeOauthCode(code);
      return { openid, next };
    } catch (error) {
      if (error instanceof WeChatSnapshotUserError) throw new AccountsError('OAUTH_SNAPSHOT_USER');
      if (error instanceof WeChatApiError && BAD_CODE.has(error.errcode)) {
        throw new AccountsError('OAUTH_CODE_INVALID');
      }
      this.#logger.warn({ err: error }, 'WeChat OAuth code exchange failed');
      throw new AccountsError('WECHAT_UNAVAILABLE', {}, { cause: error });
    }
  }
}
