/**
 * The pipeline domain modules plug into. A module registers handlers by message
 * type, event, menu key or text pattern; each handler returns a `Reply` (or
 * nothing), and the gateway serialises, encrypts and delivers it. `wechat/`
 * knows no domain module: they come to it.
 */
import type { Logger } from 'pino';
import type { ChatMessage, InboundMessage, WeChatEvent } from './messages.ts';
import type { Reply } from './replies.ts';

export type HandlerResult = Reply | undefined | null | void;

export interface HandlerContext {
  /** The reader's openid (the push's FromUserName). */
  readonly openid: string;
  readonly requestId: string;
  readonly logger: Logger;
  /** Aborted when the reply budget is spent: the answer will go out as a customer-service message. */
  readonly signal: AbortSignal;
  /** How the push arrived: plaintext, compatible or safe mode. */
  readonly mode: 'plain' | 'compat' | 'safe';
}

export type Handler<M extends InboundMessage = InboundMessage> = (
  message: M,
  context: HandlerContext,
) => HandlerResult | Promise<HandlerResult>;

/** Runs around everything after it; call `next()` to continue, or answer yourself. */
export type Middleware = (
  message: InboundMessage,
  context: HandlerContext,
  next: () => Promise<HandlerResult>,
) => HandlerResult | Promise<HandlerResult>;

type ChatKind = ChatMessage['kind'];
type EventName = WeChatEvent['event'];

interface TextRule {
  readonly match: (content: string) => boolean;
  readonly handler: Handler<Extract<ChatMessage, { kind: 'text' }>>;
}

interface KeyRule {
  readonly match: (key: string) => boolean;
  readonly handler: Handler;
}

// Events whose EventKey is a menu button key (VIEW's is a URL and is matched as an event).
const MENU_EVENTS = new Set<string>([
  'CLICK',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
]);

function matcher(pattern: string | RegExp): (value: string) => boolean {
  return typeof pattern === 'string'
    ? (value) => value === pattern
    : (value) => pattern.test(value);
}

/**
 * @example
 * const router = new MessageRouter()
 *   .onText(/^(帮助|help)$/i, () => ({ type: 'text', content: '…' }))
 *   .onMenuKey('SCAN_ISBN', (m) => lookUp(m))
 *   .onEvent('subscribe', () => ({ type: 'text', content: '欢迎关注' }))
 *   .onMessage('text', (m) => search(m.content));
 */
export class MessageRouter {
  readonly #middlewares: Middleware[] = [];
  readonly #textRules: TextRule[] = [];
  readonly #keyRules: KeyRule[] = [];
  readonly #events = new Map<string, Handler[]>();
  readonly #messages = new Map<string, Handler[]>();
  #fallback: Handler | undefined;

  /** Middleware runs in registration order, before any handler. */
  use(middleware: Middleware): this {
    this.#middlewares.push(middleware);
    return this;
  }

  /** Text messages whose trimmed content equals the string or matches the pattern. */
  onText(pattern: string | RegExp, handler: TextRule['handler']): this {
    this.#textRules.push({ match: matcher(pattern), handler });
    return this;
  }

  /** Menu events (click, scan, pictures, location) whose EventKey equals or matches. */
  onMenuKey(pattern: string | RegExp, handler: Handler<WeChatEvent>): this {
    this.#keyRules.push({ match: matcher(pattern), handler: handler as Handler });
    return this;
  }

  onEvent<E extends EventName>(
    event: E,
    handler: Handler<Extract<WeChatEvent, { event: E }>>,
  ): this {
    const list = this.#events.get(event) ?? [];
    list.push(handler as Handler);
    this.#events.set(event, list);
    return this;
  }

  onMessage<K extends ChatKind>(
    kind: K,
    handler: Handler<Extract<ChatMessage, { kind: K }>>,
  ): this {
    const list = this.#messages.get(kind) ?? [];
    list.push(handler as Handler);
    this.#messages.set(kind, list);
    return this;
  }

  /** What runs when nothing else answered (unknown types included). */
  otherwise(handler: Handler): this {
    this.#fallback = handler;
    return this;
  }

  /**
   * Finds the answer to one push. Handlers of the same rule tier run in
   * registration order until one returns a reply; `undefined` means "success".
   * When every handler that runs answers synchronously, so does this (no promise):
   * the gateway then needs no reply-budget timer for the push.
   */
  dispatch(
    message: InboundMessage,
    context: HandlerContext,
  ): Reply | undefined | Promise<Reply | undefined> {
    const result =
      this.#middlewares.length === 0
        ? this.#route(message, context)
        : this.#through(0, message, context);
    return isPromise(result)
      ? Promise.resolve(result).then((r) => r ?? undefined)
      : (result ?? undefined);
  }

  #through(
    index: number,
    message: InboundMessage,
    context: HandlerContext,
  ): HandlerResult | Promise<HandlerResult> {
    const middleware = this.#middlewares[index];
    if (!middleware) return this.#route(message, context);
    return middleware(message, context, async () => this.#through(index + 1, message, context));
  }

  #route(message: InboundMessage, context: HandlerContext): HandlerResult | Promise<HandlerResult> {
    const candidates: Handler[] = [];
    if (message.kind === 'text') {
      const content = message.content.trim();
      for (const rule of this.#textRules) {
        if (rule.match(content)) candidates.push(rule.handler as Handler);
      }
    }
    if (message.kind === 'event') {
      if (MENU_EVENTS.has(message.event) && 'eventKey' in message && message.eventKey) {
        const key = message.eventKey;
        for (const rule of this.#keyRules) if (rule.match(key)) candidates.push(rule.handler);
      }
      candidates.push(...(this.#events.get(message.event) ?? []));
    } else if (message.kind !== 'unknown') {
      candidates.push(...(this.#messages.get(message.kind) ?? []));
    }
    if (this.#fallback) candidates.push(this.#fallback);
    return firstReply(candidates, 0, message, context);
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Runs the candidates from `from` until one answers; synchronously as long as they do. */
function firstReply(
  candidates: readonly Handler[],
  from: number,
  message: InboundMessage,
  context: HandlerContext,
): HandlerResult | Promise<HandlerResult> {
  for (let i = from; i < candidates.length; i++) {
    const reply = candidates[i]!(message, context);
    if (isPromise(reply)) {
      return reply.then((r) => (r ? r : firstReply(candidates, i + 1, message, context)));
    }
    if (reply) return reply;
  }
  return undefined;
}
