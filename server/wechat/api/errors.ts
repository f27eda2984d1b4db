/**
 * Codes this client invents for failures WeChat itself never answered with.
 * WeChat's own codes are -1 (busy) and up, so these cannot collide.
 */
export const LOCAL_ERRCODE = {
  /** No usable answer: connection failure, timeout, HTTP error status. */
  network: -2,
  /** WeChat answered, but not with the JSON shape the call expects. */
  badResponse: -3,
  /** OAuth signed in a snapshot-mode virtual user (is_snapshotuser=1). */
  snapshotUser: -4,
} as const;

/**
 * What a failed call did, for callers that must decide whether sending again could
 * duplicate a message:
 * - `rejected`: WeChat answered with an errcode; nothing took effect.
 * - `not-sent`: the request never left (local validation, connection refused).
 * - `unknown`: the request may have reached WeChat and taken effect (timeout, reset).
 */
export type CallOutcome = 'rejected' | 'not-sent' | 'unknown';

/**
 * A WeChat API call that did not succeed: WeChat's own errcode/errmsg, or one of
 * LOCAL_ERRCODE. `path` is the API path without query (it never carries the token).
 */
export class WeChatApiError extends Error {
  override readonly name: string = 'WeChatApiError';
  readonly errcode: number;
  readonly errmsg: string;
  readonly path: string;
  readonly outcome: CallOutcome;

  constructor(
    errcode: number,
    errmsg: string,
    path: string,
    options: { outcome?: CallOutcome; cause?: unknown } = {},
  ) {
    super(`WeChat ${path} failed: ${errcode} ${errmsg}`, { cause: options.cause });
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.path = path;
    this.outcome = options.outcome ?? 'rejected';
  }

  /** True when the client checked the input and refused to send it. */
  get local(): boolean {
    return this.outcome === 'not-sent' && this.errcode !== LOCAL_ERRCODE.network;
  }
}

/** The OAuth code belonged to a snapshot-mode virtual user: not an authenticated reader. */
export class WeChatSnapshotUserError extends WeChatApiError {
  override readonly name: string = 'WeChatSnapshotUserError';
  readonly openid: string;

  constructor(openid: string, path: string) {
    super(LOCAL_ERRCODE.snapshotUser, 'snapshot user (is_snapshotuser=1)', path);
    this.openid = openid;
  }
}

/**
 * The access_token was rejected: stale (another party refreshed), malformed or expired.
 * The cure is to drop exactly that token and fetch a fresh one.
 *
 * @example
 * isTokenError(40001); // → true
 * isTokenError(45015); // → false
 */
export function isTokenError(errcode: number): boolean {
  return errcode === 40001 || errcode === 40014 || errcode === 42001;
}

/**
 * WeChat is busy (-1); the same request may succeed after a pause.
 *
 * @example
 * isBusyError(-1); // → true
 */
export function isBusyError(errcode: number): boolean {
  return errcode === -1;
}

/**
 * A daily quota is exhausted (45009): retrying only burns more calls; an operator has
 * to act (clear_quota).
 *
 * @example
 * isQuotaError(45009); // → true
 */
export function isQuotaError(errcode: number): boolean {
  return errcode === 45009;
}

/**
 * The 客服 API refused because the user's window is closed (45015) or its quota is
 * used up (45047): fall back to a template or subscribe notification.
 *
 * @example
 * isCustomServiceWindowError(45047); // → true
 */
export function isCustomServiceWindowError(errcode: number): boolean {
  return errcode === 45015 || errcode === 45047;
}

/**
 * The OAuth code is unknown, expired (40029) or already used (40163): restart the
 * authorization instead of retrying.
 *
 * @example
 * isOauthCodeError(40163); // → true
 */
export function isOauthCodeError(errcode: number): boolean {
  return errcode === 40029 || errcode === 40163 || errcode === 42003;
}

/**
 * Worth sending again later with the same content: busy, or a network failure that
 * provably never reached WeChat. (`unknown` outcomes are the caller's call.)
 *
 * @example
 * isRetryable(new WeChatApiError(-1, 'system error', '/cgi-bin/menu/get')); // → true
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof WeChatApiError)) return false;
  if (isBusyError(error.errcode)) return true;
  return error.errcode === LOCAL_ERRCODE.network && error.outcome === 'not-sent';
}
