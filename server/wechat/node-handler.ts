/**
 * The callback served straight on node:http. WeChat pushes are the one hot path
 * of the product (every reader action in the chat is one), so they skip the
 * Request/Response objects the rest of the HTTP API is built on. The Hono route
 * in routes.ts serves the same gateway for in-process use (tests, app.request).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WeChatGateway } from './gateway.ts';

export interface CallbackObserver {
  /** Called once per request, after the answer is written. */
  (info: { method: string; status: number; ms: number; requestId: string }): void;
}

const VALID_REQUEST_ID = /^[\w.-]{1,64}$/;

/** An answer waiting to be written (see `finish`). */
interface Answer {
  readonly res: ServerResponse;
  readonly method: string;
  readonly requestId: string;
  readonly receivedAt: number;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const SUCCESS = { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' };
const TOO_LARGE = { status: 413, contentType: 'text/plain; charset=utf-8', body: 'body_too_large' };

/** True when a node:http request URL is the callback (`/wechat`, with or without a query). */
export function isCallbackUrl(url: string | undefined): boolean {
  return url === '/wechat' || (url !== undefined && url.startsWith('/wechat?'));
}

/**
 * The query's parameters, as URLSearchParams reads them (the first of a repeated name). The
 * plain ones WeChat sends (hex, digits, openids) are split directly; anything escaped goes
 * through URLSearchParams.
 */
export function readQuery(search: string): { get(name: string): string | null } {
  if (search.includes('%') || search.includes('+')) return new URLSearchParams(search);
  const params = new Map<string, string>();
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (!params.has(name)) params.set(name, eq === -1 ? '' : pair.slice(eq + 1));
  }
  return { get: (name) => params.get(name) ?? null };
}

export function wechatNodeHandler(deps: {
  gateway: WeChatGateway;
  maxBodyBytes: number;
  logger: Logger;
  observe: CallbackObserver;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { gateway, maxBodyBytes, logger, observe } = deps;

  /**
   * Answers are written together at the end of the event-loop turn, not one by one as each
   * push is handled. Pushes come in bursts over many connections; writing a burst's answers
   * back to back lets the kernel wake the other end (WeChat's connection pool, or a reverse
   * proxy on this host) once per burst rather than once per answer, and keeps this thread's
   * reading, handling and writing in runs. On loopback under load this cut the thread's CPU
   * per push by about 40% (bench/wechat-gateway); the wait it adds is the rest of the turn.
   */
  let batch: Answer[] = [];
  const writeBatch = () => {
    const answers = batch;
    batch = [];
    for (const answer of answers) {
      try {
        write(answer);
      } catch (error) {
        // One broken connection must not keep the others of the batch from their answers.
        logger.error({ err: error, requestId: answer.requestId }, 'wechat answer not written');
      }
    }
  };
  const finish = (answer: Answer) => {
    if (batch.push(answer) === 1) setImmediate(writeBatch);
  };
  const write = ({ res, method, requestId, receivedAt, status, contentType, body }: Answer) => {
    // A flat header list skips node's per-object header bookkeeping on the hot path.
    res.writeHead(status, [
      'content-type',
      contentType,
      'content-length',
      String(Buffer.byteLength(body)),
      'x-request-id',
      requestId,
    ]);
    res.end(body);
    observe({ method, status, ms: performance.now() - receivedAt, requestId });
  };

  return (req, res) => {
    const receivedAt = performance.now();
    const method = req.method ?? 'GET';
    const header = req.headers['x-request-id'];
    const requestId =
      typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : randomUUID();
    const url = req.url ?? '/wechat';
    const q = url.indexOf('?');
    const query = readQuery(q === -1 ? '' : url.slice(q + 1));

    const answer = (body: string) => {
      gateway.handle({ method, query, body, requestId, receivedAt }).then(
        (r) => finish({ res, method, requestId, receivedAt, ...r }),
        (error: unknown) => {
          // The gateway answers every failure itself; this is the last line of defence.
          logger.error({ err: error, requestId }, 'wechat callback failed');
          finish({ res, method, requestId, receivedAt, ...SUCCESS });
        },
      );
    };

    if (method !== 'POST') {
      req.resume();
      answer('');
      return;
    }
    const declared = Number(req.headers['content-length']);
    const tooLarge = () => {
      logger.warn({ requestId, reason: 'body_too_large' }, 'wechat push refused');
      res.setHeader('connection', 'close');
      finish({ res, method, requestId, receivedAt, ...TOO_LARGE });
    };
    if (declared > maxBodyBytes) {
      req.resume();
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        refused = true;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      answer(
        chunks.length === 1
          ? chunks[0]!.toString('utf8')
          : Buffer.concat(chunks, size).toString('utf8'),
      );
    });
    req.on('error', (error) => {
      if (refused) return;
      refused = true;
      logger.warn({ err: error, requestId }, 'wechat push body could not be read');
      if (!res.headersSent) res.destroy();
    });
  };
}
