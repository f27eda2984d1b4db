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

/** True when a node:http request URL is the callback (`/wechat`, with or without a query). */
export function isCallbackUrl(url: string | undefined): boolean {
  return url === '/wechat' || (url !== undefined && url.startsWith('/wechat?'));
}

export function wechatNodeHandler(deps: {
  gateway: WeChatGateway;
  maxBodyBytes: number;
  logger: Logger;
  observe: CallbackObserver;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { gateway, maxBodyBytes, logger, observe } = deps;

  const finish = (
    res: ServerResponse,
    method: string,
    requestId: string,
    receivedAt: number,
    status: number,
    contentType: string,
    body: string,
  ) => {
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
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));

    const answer = (body: string) => {
      gateway.handle({ method, query, body, requestId, receivedAt }).then(
        (r) => finish(res, method, requestId, receivedAt, r.status, r.contentType, r.body),
        (error: unknown) => {
          // The gateway answers every failure itself; this is the last line of defence.
          logger.error({ err: error, requestId }, 'wechat callback failed');
          finish(res, method, requestId, receivedAt, 200, 'text/plain; charset=utf-8', 'success');
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
      finish(
        res,
        method,
        requestId,
        receivedAt,
        413,
        'text/plain; charset=utf-8',
        'body_too_large',
      );
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
