/**
 * The WeChat callback: `GET|POST /wechat`. It verifies, decrypts and parses each
 * push, answers each push once (WeChat retries a push it got no answer to within
 * 5 s, three times), runs the router's handlers within a reply budget, and
 * encrypts the reply when the push was encrypted. It is framework-free: the HTTP
 * layer hands it the method, the query and the raw body, and writes back what it
 * returns. It never answers with an error page to a well-signed push: a failing
 * handler is logged and answered `success`.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { Kv } from '../platform/kv/types.ts';
import type { Metrics } from '../platform/metrics.ts';
import {
  decryptMessage,
  encryptMessage,
  parseEncodingAesKey,
  sha1Signature,
  verifyMsgSignature,
  verifySignature,
} from './crypto.ts';
import { dedupeKey, parseInboundMessage, summarize, type InboundMessage } from './messages.ts';
import {
  MAX_ARTICLES_OTHER,
  MAX_ARTICLES_REPLYING_TO_MESSAGE,
  encryptedEnvelope,
  serializeReply,
  truncateUtf8,
  validateReply,
  type Reply,
} from './replies.ts';
import type { HandlerContext, MessageRouter } from './router.ts';
import { parseXml, xmlChildText, type XmlObject } from './xml.ts';

export type PushMode = 'plain' | 'compat' | 'safe';

export interface GatewaySettings {
  readonly appid: string;
  /** The current Token first, then the previous one during a change. */
  readonly tokens: readonly string[];
  /** Current EncodingAESKey first, then the previous one. */
  readonly aesKeys: readonly string[];
  readonly originalId?: string | undefined;
  readonly requireEncryption: boolean;
  readonly replyBudgetMs: number;
  readonly timestampWindowS: number;
  readonly maxBodyBytes: number;
  readonly dedupeTtlS: number;
}

/** One line of the message log: a push and what became of it. */
export interface MessageLogEntry {
  readonly dedupeKey: string;
  readonly openid: string;
  readonly account: string;
  readonly msgType: string;
  readonly event: string | null;
  readonly summary: string;
  readonly mode: PushMode;
  readonly receivedAt: number;
  readonly latencyMs: number;
  /** replied, no-reply, late-reply, late-no-reply, failed, invalid-reply */
  readonly outcome: string;
  readonly replyType: string | null;
  readonly replySummary: string | null;
  readonly requestId: string;
}

/** Where replies that missed the budget go: the customer-service API, through a job. */
export interface LateReplies {
  deliver(input: {
    openid: string;
    reply: Reply;
    key: string;
    trigger: 'message' | 'event';
  }): Promise<void>;
}

export interface GatewayDeps {
  readonly settings: GatewaySettings;
  readonly router: MessageRouter;
  readonly kv: Kv;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Pick<
    Metrics,
    'wechatMessages' | 'wechatReplyLatency' | 'wechatRejected' | 'wechatDedupeHits'
  >;
  readonly lateReplies: LateReplies;
  readonly messageLog?: { record(entry: MessageLogEntry): void };
}

export interface GatewayRequest {
  readonly method: string;
  readonly query: { get(name: string): string | null };
  readonly body: string;
  readonly requestId: string;
  /** `performance.now()` when the request arrived; the budget counts from there. */
  readonly receivedAt?: number;
}

export interface GatewayResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

type Outcome = { readonly xml: string; readonly replyType: string } | null;

const SUCCESS: GatewayResponse = {
  status: 200,
  contentType: 'text/plain; charset=utf-8',
  body: 'success',
};
const PENDING = 'pending';
const DONE_NO_REPLY = '{"s":1}';
const FORBIDDEN_MARKUP = /<!(DOCTYPE|ENTITY)/i;

class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function replySummary(reply: Reply): string {
  switch (reply.type) {
    case 'text':
      return reply.content.slice(0, 120);
    case 'news':
      return reply.articles
        .map((a) => a.title)
        .join(' | ')
        .slice(0, 120);
    case 'music':
    case 'video':
      return reply.title ?? reply.type;
    default:
      return reply.type;
  }
}

/**
 * @example
 * const gateway = new WeChatGateway({ settings, router, kv, logger, clock, metrics, lateReplies });
 * const res = await gateway.handle({ method: 'POST', query: url.searchParams, body, requestId });
 * // res.status 200, res.body: reply XML (encrypted in safe mode) or "success"
 */
export class WeChatGateway {
  readonly #deps: GatewayDeps;
  readonly #keys: Buffer[];
  /** Pushes being handled in this process, so a retry can wait for the first answer. */
  readonly #inflight = new Map<string, Promise<Outcome>>();
  /** Handlers still running after their budget, awaited on shutdown. */
  readonly #late = new Set<Promise<void>>();

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
    this.#keys = deps.settings.aesKeys.map(parseEncodingAesKey);
  }

  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const receivedAt = request.receivedAt ?? performance.now();
    try {
      return await this.#handle(request, receivedAt);
    } catch (error) {
      if (error instanceof Rejection) {
        this.#deps.metrics.wechatRejected.inc({ reason: error.reason });
        this.#deps.logger.warn(
          { requestId: request.requestId, reason: error.reason, status: error.status },
          'wechat push refused',
        );
        return {
          status: error.status,
          contentType: 'text/plain; charset=utf-8',
          body: error.reason,
        };
      }
      // Anything else is our bug; WeChat still gets an answer that shows the reader nothing.
      this.#deps.logger.error({ err: error, requestId: request.requestId }, 'wechat push failed');
      return SUCCESS;
    }
  }

  /** Waits for handlers that overran their budget (their late replies are queued). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#late]);
  }

  async #handle(request: GatewayRequest, receivedAt: number): Promise<GatewayResponse> {
    const { settings } = this.#deps;
    const { query } = request;
    const timestamp = query.get('timestamp');
    const nonce = query.get('nonce');
    const signature = query.get('signature');
    if (!timestamp || !nonce || !signature) throw new Rejection(400, 'missing_signature_params');
    if (!/^\d{1,12}$/.test(timestamp)) throw new Rejection(400, 'bad_timestamp');
    const skew = Math.abs(this.#deps.clock.now() / 1000 - Number(timestamp));
    if (skew > settings.timestampWindowS) throw new Rejection(401, 'stale_timestamp');
    const token = settings.tokens.find((t) => verifySignature(signature, t, timestamp, nonce));
    if (!token) throw new Rejection(401, 'bad_signature');

    if (request.method === 'GET' || request.method === 'HEAD') {
      const echostr = query.get('echostr');
      if (!echostr) throw new Rejection(400, 'missing_echostr');
      // The Official Account's echostr goes back verbatim, never decrypted (that is WeCom).
      return { status: 200, contentType: 'text/plain; charset=utf-8', body: echostr };
    }
    if (request.method !== 'POST') throw new Rejection(405, 'method_not_allowed');
    if (Buffer.byteLength(request.body) > settings.maxBodyBytes)
      throw new Rejection(413, 'body_too_large');
    if (request.body.length === 0) throw new Rejection(400, 'empty_body');
    if (FORBIDDEN_MARKUP.test(request.body)) throw new Rejection(400, 'doctype_refused');

    let outer: XmlObject;
    try {
      outer = parseXml(request.body).value;
    } catch {
      throw new Rejection(400, 'malformed_xml');
    }

    let inner = outer;
    let mode: PushMode = 'plain';
    let key: Buffer | undefined;
    const encryptType = query.get('encrypt_type');
    if (encryptType === 'aes') {
      if (this.#keys.length === 0) throw new Rejection(400, 'encryption_not_configured');
      const encrypted = xmlChildText(outer, 'Encrypt');
      if (!encrypted) throw new Rejection(400, 'missing_encrypt');
      if (
        !verifyMsgSignature(
          query.get('msg_signature') ?? undefined,
          token,
          timestamp,
          nonce,
          encrypted,
        )
      ) {
        throw new Rejection(401, 'bad_msg_signature');
      }
      const opened = this.#decrypt(encrypted);
      key = opened.key;
      if (FORBIDDEN_MARKUP.test(opened.message)) throw new Rejection(400, 'doctype_refused');
      try {
        inner = parseXml(opened.message).value;
      } catch {
        throw new Rejection(400, 'malformed_xml');
      }
      mode = xmlChildText(outer, 'MsgType') !== undefined ? 'compat' : 'safe';
    } else if (encryptType !== null && encryptType !== '' && encryptType !== 'raw') {
      throw new Rejection(400, 'unknown_encrypt_type');
    } else if (settings.requireEncryption) {
      throw new Rejection(403, 'plaintext_refused');
    }

    let message: InboundMessage;
    try {
      message = parseInboundMessage(inner);
    } catch {
      throw new Rejection(400, 'invalid_message');
    }
    if (settings.originalId && message.toUserName !== settings.originalId) {
      throw new Rejection(403, 'wrong_account');
    }

    const outcome = await this.#answerOnce(message, mode, request.requestId, receivedAt);
    const response = this.#respond(outcome, key, token);
    this.#deps.metrics.wechatReplyLatency.observe(
      { mode },
      (performance.now() - receivedAt) / 1000,
    );
    return response;
  }

  /** Tries the current key, then the previous one; the appid inside must be ours. */
  #decrypt(encrypted: string): { message: string; key: Buffer } {
    let wrongAppid = false;
    for (const key of this.#keys) {
      let opened: { message: string; appid: string };
      try {
        opened = decryptMessage(key, encrypted);
      } catch {
        continue;
      }
      if (opened.appid === this.#deps.settings.appid) return { message: opened.message, key };
      wrongAppid = true;
    }
    if (wrongAppid) throw new Rejection(401, 'appid_mismatch');
    throw new Rejection(400, 'decrypt_failed');
  }

  #respond(outcome: Outcome, key: Buffer | undefined, token: string): GatewayResponse {
    if (!outcome) return SUCCESS;
    if (!key)
      return { status: 200, contentType: 'application/xml; charset=utf-8', body: outcome.xml };
    const encrypt = encryptMessage(key, outcome.xml, this.#deps.settings.appid);
    const timestamp = String(Math.floor(this.#deps.clock.now() / 1000));
    const nonce = String(randomInt(100_000_000, 2_000_000_000));
    const signature = sha1Signature(token, timestamp, nonce, encrypt);
    return {
      status: 200,
      contentType: 'application/xml; charset=utf-8',
      body: encryptedEnvelope(encrypt, signature, timestamp, nonce),
    };
  }

  /**
   * Runs the handlers for the first copy of a push; a copy that arrives while
   * (or after) the first is handled gets the first's answer instead. Across
   * instances the claim and the answer live in `kv`.
   */
  async #answerOnce(
    message: InboundMessage,
    mode: PushMode,
    requestId: string,
    receivedAt: number,
  ): Promise<Outcome> {
    const { kv, settings, metrics } = this.#deps;
    const dedupe = dedupeKey(message);
    const kvKey = `wx:push:${dedupe}`;
    const ttlMs = settings.dedupeTtlS * 1000;
    const local = this.#inflight.get(dedupe);
    if (local || !(await kv.set(kvKey, PENDING, { nx: true, ttlMs }))) {
      metrics.wechatDedupeHits.inc();
      return this.#awaitFirst(dedupe, kvKey, receivedAt);
    }
    const running = this.#run(message, mode, requestId, receivedAt, dedupe);
    this.#inflight.set(dedupe, running);
    let outcome: Outcome = null;
    try {
      outcome = await running;
      return outcome;
    } finally {
      // Remembered for retries (on any instance); the reply is re-encrypted per answer. The
      // in-process entry stays until kv has the outcome, so no retry can miss both.
      kv.set(kvKey, outcome ? JSON.stringify(outcome) : DONE_NO_REPLY, { ttlMs }).then(
        () => this.#inflight.delete(dedupe),
        (error: unknown) => {
          this.#deps.logger.warn({ err: error }, 'dedupe store failed');
          this.#inflight.delete(dedupe);
        },
      );
    }
  }

  async #awaitFirst(dedupe: string, kvKey: string, receivedAt: number): Promise<Outcome> {
    const deadline = receivedAt + this.#deps.settings.replyBudgetMs;
    const local = this.#inflight.get(dedupe);
    if (local) {
      const left = deadline - performance.now();
      const timer = sleep(Math.max(0, left)).then(() => null);
      return Promise.race([local, timer]);
    }
    while (performance.now() < deadline) {
      const stored = await this.#deps.kv.get(kvKey);
      if (stored === null) return null;
      if (stored !== PENDING) {
        if (stored === DONE_NO_REPLY) return null;
        try {
          return JSON.parse(stored) as Outcome;
        } catch {
          return null;
        }
      }
      await sleep(25);
    }
    return null;
  }

  async #run(
    message: InboundMessage,
    mode: PushMode,
    requestId: string,
    receivedAt: number,
    dedupe: string,
  ): Promise<Outcome> {
    const { router, logger, metrics, settings } = this.#deps;
    // Most handlers never look at the signal; it is made only for those that do.
    let controller: AbortController | undefined;
    let overran = false;
    const context: HandlerContext = {
      openid: message.fromUserName,
      requestId,
      logger,
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (overran) controller.abort();
        }
        return controller.signal;
      },
      mode,
    };
    const type =
      message.kind === 'event'
        ? message.event
        : message.kind === 'unknown'
          ? message.msgType
          : message.kind;
    const receivedAtMs = this.#deps.clock.now() - (performance.now() - receivedAt);
    type Handled = { ok: true; reply: Reply | undefined } | { ok: false; error: unknown };
    let handling: Handled | Promise<Handled>;
    try {
      const answer = router.dispatch(message, context);
      handling =
        answer instanceof Promise
          ? answer.then(
              (reply): Handled => ({ ok: true, reply }),
              (error: unknown): Handled => ({ ok: false, error }),
            )
          : { ok: true, reply: answer };
    } catch (error) {
      handling = { ok: false, error };
    }
    // A handler that answered synchronously needs no budget; one still working races it.
    let first: Handled | 'overrun';
    if (handling instanceof Promise) {
      const left = settings.replyBudgetMs - (performance.now() - receivedAt);
      let timer: NodeJS.Timeout | undefined;
      const overrun = new Promise<'overrun'>((resolve) => {
        timer = setTimeout(() => resolve('overrun'), Math.max(0, left));
      });
      first = await Promise.race([handling, overrun]);
      clearTimeout(timer);
    } else first = handling;

    const log = (outcome: string, reply: Reply | null) => {
      metrics.wechatMessages.inc({ type, outcome });
      this.#deps.messageLog?.record({
        dedupeKey: dedupe,
        openid: message.fromUserName,
        account: message.toUserName,
        msgType:
          message.kind === 'event'
            ? 'event'
            : message.kind === 'unknown'
              ? message.msgType
              : message.kind,
        event:
          message.kind === 'event'
            ? message.event
            : message.kind === 'unknown'
              ? (message.event ?? null)
              : null,
        summary: summarize(message),
        mode,
        receivedAt: Math.round(receivedAtMs),
        latencyMs: Math.round(performance.now() - receivedAt),
        outcome,
        replyType: reply?.type ?? null,
        replySummary: reply ? replySummary(reply) : null,
        requestId,
      });
    };

    if (first === 'overrun') {
      overran = true;
      controller?.abort();
      logger.warn(
        { requestId, type, budgetMs: settings.replyBudgetMs },
        'handler over budget; answering success, reply goes out later',
      );
      const late = Promise.resolve(handling).then(async (result) => {
        if (!result.ok) {
          logger.error({ err: result.error, requestId, type }, 'late wechat handler failed');
          log('failed', null);
          return;
        }
        const reply = this.#checked(result.reply, message, requestId);
        if (!reply) {
          log('late-no-reply', null);
          return;
        }
        try {
          await this.#deps.lateReplies.deliver({
            openid: message.fromUserName,
            reply,
            key: dedupe,
            trigger: message.kind === 'event' || message.kind === 'unknown' ? 'event' : 'message',
          });
          log('late-reply', reply);
        } catch (error) {
          logger.error({ err: error, requestId }, 'could not queue the late reply');
          log('failed', reply);
        }
      });
      this.#late.add(late);
      void late.finally(() => this.#late.delete(late));
      return null;
    }

    if (!first.ok) {
      logger.error(
        { err: first.error, requestId, type },
        'wechat handler failed; answered success',
      );
      log('failed', null);
      return null;
    }
    const reply = this.#checked(first.reply, message, requestId);
    if (!reply) {
      log(first.reply ? 'invalid-reply' : 'no-reply', null);
      return null;
    }
    const xml = serializeReply(
      reply,
      { toUserName: message.fromUserName, fromUserName: message.toUserName },
      Math.floor(this.#deps.clock.now() / 1000),
    );
    log('replied', reply);
    return { xml, replyType: reply.type };
  }

  /** A reply WeChat would reject shows the reader an error; fix what can be fixed, drop the rest. */
  #checked(reply: Reply | undefined, message: InboundMessage, requestId: string): Reply | null {
    if (!reply) return null;
    let candidate = reply;
    if (candidate.type === 'text' && Buffer.byteLength(candidate.content) > 2048) {
      candidate = { type: 'text', content: truncateUtf8(candidate.content, 2048) };
    }
    const answersMessage = message.kind !== 'event' && message.kind !== 'unknown';
    const problem = validateReply(candidate, {
      maxArticles: answersMessage ? MAX_ARTICLES_REPLYING_TO_MESSAGE : MAX_ARTICLES_OTHER,
    });
    if (problem) {
      this.#deps.logger.error(
        { requestId, problem, replyType: reply.type },
        'handler reply is invalid; answered success',
      );
      return null;
    }
    return candidate;
  }
}
