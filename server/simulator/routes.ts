/**
 * `/simulator/`: a chat page that plays WeChat for the Official Account, and the small API
 * behind it. Pushes are signed exactly as WeChat signs them and go to `/wechat` over real
 * HTTP, so what the page shows is what a reader's phone would show.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { buildMenu, menuName } from '../modules/chat/menu.ts';
import { HttpProblem } from '../platform/http/problem.ts';
import type { WeChatConfig } from '../platform/config.ts';
import type { WeChatApiClient } from '../wechat/api/client.ts';
import { WeChatApiError } from '../wechat/api/errors.ts';
import type { Menu, MenuLeaf } from '../wechat/api/types.ts';
import { sentMessages } from './messages.ts';
import { sendPush, SimulatorError, type SimulatorAccount } from './send.ts';

export type SimulatorMode = 'demo' | 'staff' | 'off';

/**
 * Whether `/simulator/` is served: always with the demo account (no Official Account
 * configured), with a real account only when SIMULATOR=on says so, never with SIMULATOR=off.
 *
 * @example
 * simulatorMode({ configured: false }, undefined); // → 'demo'
 * simulatorMode({ configured: true }, undefined);  // → 'off'
 * simulatorMode({ configured: true }, true);       // → 'staff'
 */
export function simulatorMode(
  wechat: Pick<WeChatConfig, 'configured'>,
  setting: boolean | undefined,
): SimulatorMode {
  if (setting === false) return 'off';
  if (!wechat.configured) return 'demo';
  return setting === true ? 'staff' : 'off';
}

export interface SimulatorDeps {
  readonly wechat: WeChatConfig;
  readonly wechatApi: Pick<WeChatApiClient, 'getMenu' | 'createMenu'>;
  /** The WeChat API base the app talks to (the fake's URL in demo mode). */
  readonly wechatApiBase: string;
  /** `config.publicUrl`: menu links are built on it. */
  readonly publicUrl: string | undefined;
  /** `config.simulator` (SIMULATOR): true on, false off, unset on in demo mode only. */
  readonly setting: boolean | undefined;
  readonly logger: Logger;
  /**
   * The `/wechat` URL pushes go to. Default: this server, at the address the page's
   * request came in on.
   */
  readonly callbackUrl?: string;
}

const STATIC = new URL('./static/', import.meta.url);
const ASSETS = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
} as const;

const openid = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an openid: 1–64 letters, digits, _ or -');
const key = z.string().min(1).max(128);

const pushRequest = z.object({
  openid,
  mode: z.enum(['plain', 'safe']).default('plain'),
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('text'), content: z.string().min(1).max(2048) }),
    z.object({ kind: z.literal('voice'), recognition: z.string().max(2048) }),
    z.object({ kind: z.literal('scan'), key, code: z.string().trim().min(1).max(512) }),
    z.object({ kind: z.literal('click'), key }),
    z.object({ kind: z.literal('view'), url: z.string().min(1).max(1024) }),
    z.object({
      kind: z.literal('location'),
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      label: z.string().max(200).optional(),
      scale: z.number().int().min(1).max(20).optional(),
    }),
    z.object({
      kind: z.literal('follow'),
      scene: z.string().max(64).optional(),
    }),
    z.object({ kind: z.literal('unfollow') }),
  ]),
});

const messagesQuery = z.object({ openid, after: z.string().max(64).optional() });

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new HttpProblem(400, 'INVALID_REQUEST', 'Invalid request', {
      errors: result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
  return result.data;
}

/** A menu button with its names in both languages, as the page draws it. */
interface PageButton {
  readonly names: { 'zh-CN': string; en: string };
  readonly type?: string;
  readonly key?: string;
  readonly url?: string;
  readonly sub?: readonly PageButton[];
}

function pageButton(button: MenuLeaf | { name: string; sub_button: MenuLeaf[] }): PageButton {
  const names = { 'zh-CN': menuName(button.name, 'zh-CN'), en: menuName(button.name, 'en') };
  const subs = button.sub_button ?? [];
  if (subs.length > 0) return { names, sub: subs.map(pageButton) };
  const leaf = button as MenuLeaf;
  return {
    names,
    type: leaf.type,
    ...(leaf.key !== undefined ? { key: leaf.key } : {}),
    ...(leaf.url !== undefined ? { url: leaf.url } : {}),
  };
}

// The server's own listening address, so the push does not leave through a proxy and come
// back (behind one, the request's Host is the public name, often https only).
function ownOrigin(c: Context): string {
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket;
  if (socket?.localAddress && socket.localPort) {
    const address = socket.localAddress.replace(/^::ffff:/, '');
    const host = address.includes(':') ? `[${address}]` : address;
    return `http://${host}:${socket.localPort}`;
  }
  return new URL(c.req.url).origin;
}

/**
 * The simulator page and its API, to mount at `/simulator`. When the simulator is off
 * (a real account without SIMULATOR=on, or SIMULATOR=off) every path answers 404.
 *
 * @example
 * app.route('/simulator', simulatorRoutes({ wechat: config.wechat, wechatApi, wechatApiBase,
 *   publicUrl: config.publicUrl, setting: config.simulator, logger }));
 */
export function simulatorRoutes(deps: SimulatorDeps) {
  const routes = new Hono();
  const mode = simulatorMode(deps.wechat, deps.setting);
  if (mode === 'off') {
    routes.all('*', () => {
      throw new HttpProblem(404, 'NOT_FOUND', 'Not found');
    });
    return routes;
  }

  const assets = new Map<string, string>(
    Object.keys(ASSETS).map((name) => [name, readFileSync(new URL(name, STATIC), 'utf8')]),
  );
  const token = deps.wechat.tokens[0];
  if (!token) throw new Error('the simulator needs a WeChat token to sign with');
  const account: SimulatorAccount = {
    token,
    aesKey: deps.wechat.aesKeys[0],
    appid: deps.wechat.appid,
    originalId: deps.wechat.originalId ?? 'gh_shulinsimulator',
  };
  const serve = (c: Context, name: keyof typeof ASSETS) =>
    c.body(assets.get(name) ?? '', 200, {
      'content-type': ASSETS[name],
      'cache-control': 'no-cache',
    });

  // Relative asset and API paths need the trailing slash: `/simulator` redirects to
  // `/simulator/`, which (mounted at `/simulator`) only the wildcard below matches.
  routes.get('/', (c) =>
    c.req.path.endsWith('/') ? serve(c, 'index.html') : c.redirect(`${c.req.path}/`, 301),
  );
  routes.get('/app.js', (c) => serve(c, 'app.js'));
  routes.get('/style.css', (c) => serve(c, 'style.css'));

  routes.get('/api/info', (c) =>
    c.json({
      mode,
      appid: account.appid,
      originalId: account.originalId,
      safeMode: account.aesKey !== undefined,
      requireEncryption: deps.wechat.requireEncryption,
    }),
  );

  routes.get('/api/menu', async (c) => {
    let info = await deps.wechatApi.getMenu().catch(wechatProblem);
    if (!info && mode === 'demo') {
      const base = deps.publicUrl ?? new URL(c.req.url).origin;
      await deps.wechatApi.createMenu(buildMenu('zh-CN', base)).catch(wechatProblem);
      deps.logger.info({ base }, 'simulator: pushed the default menu to the demo account');
      info = await deps.wechatApi.getMenu().catch(wechatProblem);
    }
    const menu: Menu | null = info?.menu ?? null;
    return c.json({ buttons: menu ? menu.button.map(pageButton) : [] });
  });

  routes.post('/api/push', async (c) => {
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      // A JSON body cannot come from a plain cross-site form, so other pages cannot use the
      // simulator to sign pushes.
      throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send application/json');
    }
    const body = parse(pushRequest, await c.req.json().catch(() => undefined));
    const url = deps.callbackUrl ?? `${ownOrigin(c)}/wechat`;
    try {
      const result = await sendPush({
        url,
        account,
        openid: body.openid,
        mode: body.mode,
        action: body.action,
      });
      return c.json(result);
    } catch (error) {
      if (error instanceof SimulatorError) {
        throw new HttpProblem(502, `PUSH_${error.code}`, error.message, {
          ...(error.details.status !== undefined ? { upstreamStatus: error.details.status } : {}),
          ...(error.details.reason !== undefined ? { reason: error.details.reason } : {}),
        });
      }
      throw error;
    }
  });

  routes.get('/api/messages', async (c) => {
    const query = parse(messagesQuery, c.req.query());
    return c.json(
      await sentMessages({
        apiBase: deps.wechatApiBase,
        appid: account.appid,
        openid: query.openid,
        ...(query.after !== undefined ? { after: query.after } : {}),
      }),
    );
  });

  routes.get('/*', (c) => {
    const base = c.req.routePath.replace(/\/\*$/, '');
    if (c.req.path === `${base}/`) return serve(c, 'index.html');
    throw new HttpProblem(404, 'NOT_FOUND', 'Not found');
  });

  return routes;
}

function wechatProblem(error: unknown): never {
  if (error instanceof WeChatApiError) {
    throw new HttpProblem(502, 'WECHAT_API_ERROR', `WeChat: ${error.errcode} ${error.errmsg}`, {
      errcode: error.errcode,
    });
  }
  throw error;
}
