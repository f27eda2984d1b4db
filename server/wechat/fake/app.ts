import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import {
  checkCustomMessage,
  checkMediaFile,
  checkMenu,
  checkQrRequest,
  checkTemplateSend,
  contentTypeFor,
  fail,
  isMediaType,
  isRecord,
  type FakeError,
} from './rules.ts';
import { FakeWeChatState, type FakeWeChatApiOptions, type RequestLogEntry } from './state.ts';

type FakeEnv = {
  Bindings: { incoming?: IncomingMessage };
  Variables: { appid: string };
};
type Ctx = Context<FakeEnv>;

export interface FakeWeChatApi {
  app: Hono<FakeEnv>;
  state: FakeWeChatState;
}

/** Paths that take no access_token. */
const TOKENLESS = new Set(['/cgi-bin/token', '/cgi-bin/stable_token']);

const rid = (): string => randomBytes(6).toString('hex');

/** WeChat answers errors with HTTP 200 and a `rid` suffix callers must not match on. */
function wxError(c: Context, error: FakeError): Response {
  return c.json({ errcode: error.errcode, errmsg: `${error.errmsg} rid: ${rid()}` });
}

function ok(c: Context, extra: Record<string, unknown> = {}): Response {
  return c.json({ errcode: 0, errmsg: 'ok', ...extra });
}

async function readJson(c: Ctx): Promise<Record<string, unknown> | FakeError> {
  const text = await c.req.text();
  if (text.trim() === '') return fail(44002, 'empty post data');
  try {
    const body: unknown = JSON.parse(text);
    return isRecord(body) ? body : fail(47001, 'data format error');
  } catch {
    return fail(47001, 'data format error');
  }
}

const isError = (value: unknown): value is FakeError =>
  isRecord(value) && typeof value.errcode === 'number' && typeof value.errmsg === 'string';

/**
 * A working imitation of the parts of WeChat's API that Shulin calls, with WeChat's
 * semantics (errcodes in HTTP 200 bodies, token lifetimes, 客服 quotas, one-time OAuth
 * codes, 64-bit msgids), for tests and the offline simulator. `state` is the
 * inspection and fault-injection handle. Choices where WeChat is vaguer than a test
 * needs are documented on FakeWeChatState and FakeWeChatApiOptions.
 *
 * @example
 * const { app, state } = createFakeWeChatApi({ accounts: { appid: 'wx1', secret: 's' } });
 * const res = await app.request('/cgi-bin/stable_token', {
 *   method: 'POST',
 *   body: JSON.stringify({ grant_type: 'client_credential', appid: 'wx1', secret: 's' }),
 * });
 * await res.json(); // → { access_token: 'ST1_…', expires_in: 7200 }
 * state.stableTokenFetches; // → 1
 */
export function createFakeWeChatApi(options: FakeWeChatApiOptions = {}): FakeWeChatApi {
  const state = new FakeWeChatState(options);
  const app = new Hono<FakeEnv>();

  // ---------------------------------------------------------- cross-cutting: latency, faults, log, token
  const gate: MiddlewareHandler<FakeEnv> = async (c, next) => {
    const path = c.req.path;
    if (path.startsWith('/__fake/')) return next();
    const token = c.req.query('access_token') ?? null;
    const entry: RequestLogEntry = {
      method: c.req.method,
      path,
      time: state.now(),
      token,
      appid: null,
      errcode: null,
    };
    state.requestLog.push(entry);
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    const fault = state.takeFault(path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.errcode !== undefined) {
      entry.errcode = fault.errcode;
      return c.json({
        errcode: fault.errcode,
        errmsg: `${fault.errmsg ?? 'system error'} rid: ${rid()}`,
      });
    }
    if (path.startsWith('/cgi-bin/') && !TOKENLESS.has(path)) {
      const checked = state.checkToken(token ?? undefined);
      if ('errcode' in checked) {
        entry.errcode = checked.errcode;
        return wxError(c, checked);
      }
      entry.appid = checked.appid;
      c.set('appid', checked.appid);
    }
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      try {
        const body: unknown = JSON.parse(await c.res.clone().text());
        entry.errcode = isRecord(body) && typeof body.errcode === 'number' ? body.errcode : 0;
      } catch {
        entry.errcode = null;
      }
    }
    if (fault?.dropConnection) c.env?.incoming?.socket.destroy();
  };
  app.use('*', gate);

  // ---------------------------------------------------------- tokens
  app.get('/cgi-bin/token', (c) => {
    state.tokenFetches += 1;
    if (c.req.query('grant_type') !== 'client_credential')
      return wxError(c, fail(40002, 'invalid grant_type'));
    const appid = c.req.query('appid');
    // The classic endpoint has long answered a wrong secret with 40001 (research §2.1).
    const bad = state.checkCredentials(appid, c.req.query('secret'), 40001);
    if (bad || appid === undefined) return wxError(c, bad ?? fail(40013, 'invalid appid'));
    return c.json(state.issueClassicToken(appid));
  });

  app.post('/cgi-bin/stable_token', async (c) => {
    state.stableTokenFetches += 1;
    const body = await readJson(c);
    if (isError(body)) return wxError(c, body);
    if (body.grant_type !== 'client_credential')
      return wxError(c, fail(40002, 'invalid grant_type'));
    const bad = state.checkCredentials(body.appid, body.secret, 40125);
    if (bad || typeof body.appid !== 'string')
      return wxError(c, bad ?? fail(40013, 'invalid appid'));
    const issued = state.issueStableToken(body.appid, body.force_refresh === true);
    return 'errcode' in issued ? wxError(c, issued) : c.json(issued);
  });

  // ---------------------------------------------------------- 客服 messages
  app.post('/cgi-bin/message/custom/send', async (c) => {
    const appid = c.get('appid');
    const body = await readJson(c);
    if (isError(body)) return wxError(c, body);
    const invalid = checkCustomMessage(body, (id) => state.findMedia(appid, id) !== null);
    if (invalid) return wxError(c, invalid);
    const touser = String(body.touser);
    const quota = state.consumeCustomServiceQuota(appid, touser);
    if (quota) return wxError(c, quota);
    state.customMessages.push({
      appid,
      touser,
      msgtype: String(body.msgtype),
      body,
      time: state.now(),
    });
    return ok(c);
  });

  // ---------------------------------------------------------- menus
  app.post('/cgi-bin/menu/create', async (c) => {
    const body = await readJson(c);
    if (isError(body)) return wxError(c, body);
    const invalid = checkMenu(body);
    if (invalid) return wxError(c, invalid);
    state.menus.set(c.get('appid'), {
      button: body.button,
      menuid: Math.floor(state.now() / 1000),
    });
    return ok(c);
  });

  app.get('/cgi-bin/menu/get', (c) => {
    const menu = state.menus.get(c.get('appid'));
    if (!menu) return wxError(c, fail(46003, 'menu no exist'));
    return c.json({ menu });
  });

  app.get('/cgi-bin/menu/delete', (c) => {
    state.menus.delete(c.get('appid'));
    return ok(c);
  });

  // ---------------------------------------------------------- template and subscribe notifications
  app.post('/cgi-bin/message/template/send', async (c) => {
    const appid = c.get('appid');
    const body = await readJson(c);
    if (isError(body)) return wxError(c, body);
    const invalid = checkTemplateSend(body);
    if (invalid) return wxError(c, invalid);
    const touser = String(body.touser);
    if (state.unfollowed.has(touser)) return wxError(c, fail(43004, 'require subscribe'));
    const clientMsgId = typeof body.client_msg_id === 'string' ? body.client_msg_id : undefined;
    const msgid =
      (clientMsgId ? state.dedupedTemplate(appid, touser, clientMsgId) : null) ??
      state.recordTemplate({
        appid,
        touser,
        templateId: String(body.template_id),
        ...(typeof body.url === 'string' ? { url: body.url } : {}),
        ...(body.miniprogram !== undefined ? { miniprogram: body.miniprogram } : {}),
        ...(clientMsgId ? { clientMsgId } : {}),
        data: body.data as Record<string, unknown>,
      });
    // A bare 64-bit JSON number, as WeChat writes it: JSON.stringify cannot, so build the text.
    return c.body(`{"errcode":0,"errmsg":"ok","msgid":${msgid}}`, 200, {
      'content-type': 'application/json; charset=utf-8',
    });
  });

  app.post('/cgi-bin/message/subscribe/bizsend', async (c) => {
    const appid = c.get('appid');
    const body = await readJson(c);
    if (isError(body)) return wxError(c, body);
    const invalid = checkTemplateSend(body);
    if (invalid) return wxError(c, invalid);
    const touser = String(body.touser);
    if (state.refuseSubscribe.has(touser))
      return wxError(c, fail(43101, 'user refuse to accept the msg'));
    state.subscribeMessages.push({
      appid,
      touser,
      templateId: String(body.template_id),
      ...(typeof body.page === 'string' ? { page: body.page } : {}),
      ...(body.miniprogram !== undefined ? { miniprogram: body.miniprogram } : {}),
      data: body.data as Record<string, unknown>,
      time: state.now(),
    });
    return ok(c);
  });

  // ---------------------------------------------------------- OAuth
  app.get('/connect/oauth2/authorize', (c) => {
    const q = (name: string): string | undefined => c.req.query(name);
    const appid = q('appid');
    if (!appid || !state.accounts.has(appid)) return wxError(c, fail(40013, 'invalid appid'));
    const redirectUri = q('redirect_uri');
    let target: URL;
    try {
      target = new URL(redirectUri ?? '');
    } catch {
      return wxError(c, fail(10003, 'redirect_uri mismatch'));
    }
    if (q('response_type') !== 'code') return wxError(c, fail(40035, 'invalid args response_type'));
    const scope = q('scope') ?? '';
    if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo')
      return wxError(c, fail(10005, 'invalid scope'));
    const oauthState = q('state') ?? '';
    if (Buffer.byteLength(oauthState) > 128) return wxError(c, fail(40035, 'invalid args state'));
    // The page WeChat would show is skipped: the "user" is whoever the test names.
    if (q('deny') !== '1') {
      const code = state.issueOauthCode(q('openid') ?? state.defaultOpenid, {
        appid,
        scope,
        snapshot: q('snapshot') === '1',
      });
      target.searchParams.set('code', code);
    }
    target.searchParams.set('state', oauthState);
    return c.redirect(target.toString(), 302);
  });

  app.get('/sns/oauth2/access_token', (c) => {
    state.oauthExchanges += 1;
    const appid = c.req.query('appid');
    const bad = state.checkCredentials(appid, c.req.query('secret'), 40125);
    if (bad || appid === undefined) return wxError(c, bad ?? fail(40013, 'invalid appid'));
    if (c.req.query('grant_type') !== 'authorization_code') {
      return wxError(c, fail(40002, 'invalid grant_type'));
    }
    const code = state.exchangeOauthCode(appid, c.req.query('code'));
    if ('errcode' in code) return wxError(c, code);
    return c.json({
      access_token: `SNS_${randomBytes(32).toString('base64url')}`,
      expires_in: 7200,
      refresh_token: `RT_${randomBytes(32).toString('base64url')}`,
      openid: code.openid,
      scope: code.scope,
      ...(code.snapshot ? { is_snapshotuser: 1 } : {}),
      ...(code.unionid ? { unionid: code.unionid } : {}),
    });
  });

  // ---------------------------------------------------------- JS-SDK ticket
  app.get('/cgi-bin/ticket/getticket', (c) => {
    state.ticketFetches += 1;
    const type = c.req.query('type');
    if (type !== 'jsapi' && type !== 'wx_card') return wxError(c, fail(40035, 'invalid args type'));
    return ok(c, { ticket: state.issueTicket(), expires_in: 7200 });
  });

  // ---------------------------------------------------------- QR codes
  app.post('/cgi-bin/qrcode/create', async (c) => {
    const body = await readJson(c);
    if (isError(body)) return wxError(c, body);
    const request = checkQrRequest(body);
    if ('errcode' in request) return wxError(c, request);
    const ticket = randomBytes(40).toString('base64');
    state.qrCodes.push({ ...request, appid: c.get('appid'), ticket, time: state.now() });
    return c.json({
      ticket,
      ...(request.expireSeconds !== null ? { expire_seconds: request.expireSeconds } : {}),
      url: `http://weixin.qq.com/q/${randomBytes(16).toString('base64url')}`,
    });
  });

  // ---------------------------------------------------------- temporary media
  app.post('/cgi-bin/media/upload', async (c) => {
    const type = c.req.query('type');
    if (!isMediaType(type)) return wxError(c, fail(40004, 'invalid media type'));
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      return wxError(c, fail(41005, 'media data missing'));
    }
    const file = form.media;
    if (!(file instanceof File)) return wxError(c, fail(41005, 'media data missing'));
    const invalid = checkMediaFile(type, file.name, file.size);
    if (invalid) return wxError(c, invalid);
    const stored = state.storeMedia({
      appid: c.get('appid'),
      type,
      bytes: new Uint8Array(await file.arrayBuffer()),
      filename: file.name,
      // Multipart parts without a type arrive as octet-stream; WeChat goes by the extension.
      contentType:
        file.type && file.type !== 'application/octet-stream'
          ? file.type
          : contentTypeFor(file.name),
    });
    const createdAt = Math.floor(stored.createdAt / 1000);
    // WeChat names the id thumb_media_id for thumbnails.
    return c.json(
      type === 'thumb'
        ? { type, thumb_media_id: stored.mediaId, created_at: createdAt }
        : { type, media_id: stored.mediaId, created_at: createdAt },
    );
  });

  app.get('/cgi-bin/media/get', (c) => {
    const mediaId = c.req.query('media_id') ?? '';
    const media = state.findMedia(c.get('appid'), mediaId);
    if (!media) return wxError(c, fail(40007, 'invalid media_id'));
    // Videos are not served inline: WeChat answers with a download URL instead.
    if (media.type === 'video') {
      return c.json({ video_url: new URL(`/__fake/media/${mediaId}`, c.req.url).toString() });
    }
    return c.body(Buffer.from(media.bytes), 200, {
      'content-type': media.contentType,
      'content-disposition': `attachment; filename="${media.filename}"`,
    });
  });

  // ---------------------------------------------------------- fake-only control routes
  app.get('/__fake/media/:id', (c) => {
    const media = state.media.get(c.req.param('id'));
    if (!media) return c.text('not found', 404);
    return c.body(Buffer.from(media.bytes), 200, { 'content-type': media.contentType });
  });

  app.get('/__fake/state', (c) => c.json(state.snapshot()));

  app.post('/__fake/reset', (c) => {
    state.reset();
    return ok(c);
  });

  app.post('/__fake/window', async (c) => {
    const body = await readJson(c);
    if (isError(body)) return wxError(c, body);
    const { openid, trigger, appid } = body;
    if (typeof openid !== 'string' || (trigger !== 'message' && trigger !== 'event')) {
      return wxError(c, fail(40035, 'invalid args: want {openid, trigger: message|event}'));
    }
    state.openCustomServiceWindow(openid, trigger, typeof appid === 'string' ? appid : undefined);
    return ok(c);
  });

  app.post('/__fake/faults', async (c) => {
    let body: unknown;
    try {
      body = JSON.parse((await c.req.text()) || '[]');
    } catch {
      body = undefined;
    }
    if (!Array.isArray(body)) return wxError(c, fail(40035, 'invalid args: want a list of faults'));
    state.injectFaults(
      body.filter(isRecord).map((f) => ({ ...f, path: typeof f.path === 'string' ? f.path : '*' })),
    );
    return ok(c);
  });

  app.post('/__fake/invalidate-tokens', (c) => {
    state.invalidateAllTokens();
    return ok(c);
  });

  app.post('/__fake/oauth-code', async (c) => {
    const body = await readJson(c);
    if (isError(body) || typeof body.openid !== 'string') {
      return wxError(c, fail(40035, 'invalid args: want {openid}'));
    }
    const code = state.issueOauthCode(body.openid, {
      ...(typeof body.appid === 'string' ? { appid: body.appid } : {}),
      ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
      snapshot: body.snapshot === true,
    });
    return ok(c, { code });
  });

  app.notFound((c) =>
    c.json({ errcode: 404, errmsg: `fake WeChat API: no route ${c.req.path}` }, 404),
  );

  return { app, state };
}

export interface RunningFakeWeChatApi {
  /** `http://127.0.0.1:<port>`, to use as the client's baseUrl. */
  url: string;
  state: FakeWeChatState;
  close(): Promise<void>;
}

/**
 * Serves the fake on 127.0.0.1 with an ephemeral port, for tests that need real HTTP
 * (child processes, timeouts, dropped connections).
 *
 * @example
 * const fake = await startFakeWeChatApi({ accounts: { appid: 'wx1', secret: 's' } });
 * const client = new WeChatApiClient({ appid: 'wx1', secret: 's', baseUrl: fake.url, kv });
 * // … fake.state.customMessages …
 * await fake.close();
 */
export async function startFakeWeChatApi(
  options: FakeWeChatApiOptions = {},
): Promise<RunningFakeWeChatApi> {
  const { app, state } = createFakeWeChatApi(options);
  return new Promise((resolve) => {
    const server = serve(
      { fetch: app.fetch, port: 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => {
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          state,
          close: () =>
            new Promise<void>((done) => {
              const http = server as Server;
              http.close(() => done());
              // Keep-alive sockets from the clients would hold close() open otherwise.
              http.closeAllConnections();
            }),
        });
      },
    );
  });
}
