/**
 * Plays WeChat's servers for one push: build it, sign (and in safe mode encrypt) it with the
 * account's Token and EncodingAESKey, POST it to a `/wechat` URL over real HTTP, and open
 * the reply as WeChat would. The simulator's API and `shulin simulate` both go through here.
 */
import { openReply, signPush } from '../wechat/signer.ts';
import { pushXml, type SimulatedAction } from './push.ts';
import { parseReplyXml, type SimulatorReply } from './reply.ts';

/** The account a push claims to come for, with the secrets WeChat signs with. */
export interface SimulatorAccount {
  readonly token: string;
  /** Needed for safe mode. */
  readonly aesKey: string | undefined;
  readonly appid: string;
  /** The original id (`gh_…`) pushes are addressed to. */
  readonly originalId: string;
}

export interface SendPushInput {
  /** The callback URL, e.g. `http://127.0.0.1:3000/wechat`. */
  readonly url: string;
  readonly account: SimulatorAccount;
  readonly openid: string;
  readonly mode: 'plain' | 'safe';
  readonly action: SimulatedAction;
  /** WeChat gives up after 5 s and retries; a simulator may wait longer. Default 15000. */
  readonly timeoutMs?: number;
}

export interface PushResult {
  /** What the reader sees, or null when the server answered `success` (or nothing). */
  readonly reply: SimulatorReply | null;
  /** The response body as it came over the wire (the encrypted envelope in safe mode). */
  readonly raw: string;
  /** The reply XML after opening, or null. */
  readonly xml: string | null;
  /** The plaintext push that was sent. */
  readonly sent: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly encrypted: boolean;
}

export type SimulatorErrorCode = 'UNREACHABLE' | 'TIMEOUT' | 'REFUSED' | 'BAD_REPLY';

/**
 * The push did not get a usable answer: the server could not be reached or took too long,
 * refused the push (bad signature, plaintext refused …: `reason` is its word for it), or
 * answered with a reply that does not open or parse.
 */
export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  constructor(
    readonly code: SimulatorErrorCode,
    message: string,
    readonly details: { status?: number; reason?: string; url?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Sends one reader action as a signed push and returns the opened reply.
 *
 * @example
 * const result = await sendPush({
 *   url: 'http://127.0.0.1:3000/wechat',
 *   account: { token: 'shulindemo', aesKey, appid, originalId: 'gh_shulindemo' },
 *   openid: 'oReader1',
 *   mode: 'safe',
 *   action: { kind: 'click', key: 'HOURS' },
 * });
 * result.reply; // → { type: 'text', content: '…' } | null
 */
export async function sendPush(input: SendPushInput): Promise<PushResult> {
  const { account } = input;
  if (input.mode === 'safe' && !account.aesKey) {
    throw new SimulatorError('REFUSED', 'safe mode needs the EncodingAESKey', {
      reason: 'encryption_not_configured',
    });
  }
  const sent = pushXml(input.action, { openid: input.openid, account: account.originalId });
  const { query, body } = signPush({
    xml: sent,
    token: account.token,
    mode: input.mode,
    openid: input.openid,
    ...(account.aesKey ? { aesKey: account.aesKey } : {}),
    appid: account.appid,
  });
  const url = new URL(input.url);
  for (const [name, value] of query) url.searchParams.set(name, value);

  const started = performance.now();
  let response: Response;
  let raw: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(input.timeoutMs ?? 15_000),
    });
    raw = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new SimulatorError('TIMEOUT', `${input.url} did not answer in time`, {
        url: input.url,
      });
    }
    throw new SimulatorError(
      'UNREACHABLE',
      `cannot reach ${input.url}: ${describeCause(error)}`,
      { url: input.url },
      { cause: error },
    );
  }
  const latencyMs = Math.round((performance.now() - started) * 10) / 10;
  if (!response.ok) {
    const reason = raw.trim().slice(0, 200);
    throw new SimulatorError(
      'REFUSED',
      `${input.url} refused the push: HTTP ${response.status}${reason ? ` ${reason}` : ''}`,
      { status: response.status, reason, url: input.url },
    );
  }
  let opened: ReturnType<typeof openReply>;
  let reply: SimulatorReply | null;
  try {
    opened = openReply(raw, {
      token: account.token,
      appid: account.appid,
      ...(account.aesKey ? { aesKey: account.aesKey } : {}),
    });
    reply = opened ? parseReplyXml(opened.xml) : null;
  } catch (error) {
    throw new SimulatorError(
      'BAD_REPLY',
      `the reply does not open: ${(error as Error).message}`,
      { status: response.status, url: input.url },
      { cause: error },
    );
  }
  return {
    reply,
    raw,
    xml: opened?.xml ?? null,
    sent,
    status: response.status,
    latencyMs,
    encrypted: opened?.encrypted ?? false,
  };
}

// fetch's own message is "fetch failed"; the reason (ECONNREFUSED …) is in its cause.
function describeCause(error: unknown): string {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e; depth += 1) {
    if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return (error as Error).message;
}
