import { Hono } from 'hono';
import type { Logger } from 'pino';
import { BodyTooLarge, readBodyLimited } from '../platform/http/body.ts';
import type { WeChatGateway } from './gateway.ts';

/**
 * `GET|POST /wechat`, the callback URL given to WeChat. The raw body is read here,
 * untouched by any body parser, and handed to the gateway.
 */
export function wechatRoutes(deps: {
  gateway: WeChatGateway;
  maxBodyBytes: number;
  logger: Logger;
}) {
  const routes = new Hono<{ Variables: { requestId: string } }>();
  routes.on(['GET', 'HEAD', 'POST'], '/', async (c) => {
    const receivedAt = performance.now();
    let body = '';
    if (c.req.method === 'POST') {
      try {
        body = await readBodyLimited(c.req.raw, deps.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          deps.logger.warn(
            { requestId: c.get('requestId'), reason: 'body_too_large' },
            'wechat push refused',
          );
          return c.text('body_too_large', 413);
        }
        throw error;
      }
    }
    const query = new URL(c.req.url).searchParams;
    const response = await deps.gateway.handle({
      method: c.req.method,
      query,
      body,
      requestId: c.get('requestId'),
      receivedAt,
    });
    return c.body(response.body, response.status as 200, { 'content-type': response.contentType });
  });
  return routes;
}
