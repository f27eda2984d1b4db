/**
 * The callback's fast path on node:http, over real sockets: it must answer
 * exactly as the Hono route does, refuse oversized bodies without reading them,
 * and survive clients that misbehave.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/app.ts';
import { FIXTURE_CREATE_TIME, FIXTURE_OPENID, pushXml } from './fixtures.ts';
import { isCallbackUrl, readQuery } from './node-handler.ts';
import type { MessageRouter } from './router.ts';
import { openReply, signPush, signVerification } from './signer.ts';
import { parseXml, xmlChildText } from './xml.ts';

const TOKEN = 'AAAAA';
const AES_KEY = 'A'.repeat(43);
const APPID = 'wx134c8103faa5a59e';
const TS = String(FIXTURE_CREATE_TIME);
const MAX_BODY = 4096;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the WeChat callback on node:http', () => {
  let app: TestApp;
  let server: Server;
  let port: number;
  let runs = 0;

  beforeAll(async () => {
    app = await startTestApp({
      env: { WECHAT_MAX_BODY_BYTES: String(MAX_BODY) },
      overrides: {
        clock: { now: () => FIXTURE_CREATE_TIME * 1000 + 400 },
        configureRouter: (router: MessageRouter) =>
          router.onMessage('text', (m) => {
            runs++;
            return { type: 'text', content: `收到：${m.content}` };
          }),
      },
    });
    server = createServer(app.shulin.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await app.close();
  });

  /** One request on its own connection; the body may come in several chunks, without a length. */
  function send(
    path: string,
    options: {
      method?: string;
      body?: string | Buffer[];
      headers?: Record<string, string | number>;
    } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: options.method ?? 'GET',
          agent: false,
          headers: options.headers ?? {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      const { body } = options;
      if (Array.isArray(body)) {
        // Chunked: the server cannot know the size in advance.
        const write = (i: number) => {
          if (i === body.length) return req.end();
          req.write(body[i]);
          setImmediate(() => write(i + 1));
        };
        write(0);
      } else {
        req.end(body);
      }
    });
  }

  const textPush = (content: string, msgId: string) =>
    pushXml('text', { Content: content, MsgId: { xml: msgId }, FromUserName: FIXTURE_OPENID });

  const post = (
    signed: { query: URLSearchParams; body: string },
    headers: Record<string, string> = {},
  ) =>
    send(`/wechat?${signed.query.toString()}`, {
      method: 'POST',
      body: signed.body,
      headers: { 'content-type': 'text/xml', ...headers },
    });

  async function healthy(): Promise<void> {
    const res = await send('/healthz');
    expect(res.status).toBe(200);
    // And the callback itself still answers.
    const id = String(Date.now() % 1_000_000_000);
    const ok = await post(
      signPush({
        xml: textPush(`still here ${id}`, id),
        token: TOKEN,
        mode: 'plain',
        timestamp: TS,
      }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toContain(`收到：still here ${id}`);
  }

  it('recognises the callback URL exactly', () => {
    expect(isCallbackUrl('/wechat')).toBe(true);
    expect(isCallbackUrl('/wechat?signature=x')).toBe(true);
    for (const url of [
      '/wechat/',
      '/wechatx',
      '/wechat/x',
      '/WeChat',
      '/',
      undefined,
      '/api/wechat',
    ]) {
      expect(isCallbackUrl(url), String(url)).toBe(false);
    }
  });

  it('answers a plaintext push exactly as the Hono route does', async () => {
    const overHttp = await post(
      signPush({ xml: textPush('三体', '8001'), token: TOKEN, mode: 'plain', timestamp: TS }),
    );
    const viaHono = await app.request(
      `/wechat?${signPush({ xml: textPush('三体', '8002'), token: TOKEN, mode: 'plain', timestamp: TS }).query.toString()}`,
      { method: 'POST', body: textPush('三体', '8002'), headers: { 'content-type': 'text/xml' } },
    );
    expect(overHttp.status).toBe(viaHono.status);
    expect(overHttp.headers['content-type']).toBe(viaHono.headers.get('content-type'));
    expect(overHttp.body).toBe(await viaHono.text());
    expect(Number(overHttp.headers['content-length'])).toBe(Buffer.byteLength(overHttp.body));
    expect(xmlChildText(parseXml(overHttp.body).value, 'Content')).toBe('收到：三体');
  });

  it('answers a safe-mode push as the Hono route does, encrypted', async () => {
    const signed = (id: string) =>
      signPush({
        xml: textPush('红楼梦', id),
        token: TOKEN,
        mode: 'safe',
        aesKey: AES_KEY,
        appid: APPID,
        timestamp: TS,
      });
    const a = signed('8011');
    const b = signed('8012');
    const overHttp = await post(a);
    const viaHono = await app.request(`/wechat?${b.query.toString()}`, {
      method: 'POST',
      body: b.body,
    });
    const keys = { token: TOKEN, aesKey: AES_KEY, appid: APPID };
    const left = openReply(overHttp.body, keys)!;
    const right = openReply(await viaHono.text(), keys)!;
    expect(left.encrypted).toBe(true);
    expect(left.xml).toBe(right.xml);
    expect(overHttp.headers['content-type']).toBe(viaHono.headers.get('content-type'));
  });

  it('refuses what the Hono route refuses, with the same status and reason', async () => {
    const forged = signPush({
      xml: textPush('x', '8021'),
      token: 'guessed',
      mode: 'plain',
      timestamp: TS,
    });
    const overHttp = await post(forged);
    const viaHono = await app.request(`/wechat?${forged.query.toString()}`, {
      method: 'POST',
      body: forged.body,
    });
    expect([overHttp.status, overHttp.body]).toEqual([viaHono.status, await viaHono.text()]);
    expect(overHttp.status).toBe(401);
    const noParams = await send('/wechat', { method: 'POST', body: '<xml/>' });
    expect([noParams.status, noParams.body]).toEqual([400, 'missing_signature_params']);
    const put = await send(`/wechat?${forged.query.toString()}`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(401);
  });

  it('reassembles a body that arrives in chunks, even inside a multibyte character', async () => {
    const signed = signPush({
      xml: textPush('《三体》全集', '8031'),
      token: TOKEN,
      mode: 'plain',
      timestamp: TS,
    });
    const bytes = Buffer.from(signed.body);
    const cut = bytes.indexOf(Buffer.from('三')) + 1;
    const res = await send(`/wechat?${signed.query.toString()}`, {
      method: 'POST',
      body: [bytes.subarray(0, cut), bytes.subarray(cut, cut + 7), bytes.subarray(cut + 7)],
    });
    expect(res.status).toBe(200);
    expect(xmlChildText(parseXml(res.body).value, 'Content')).toBe('收到：《三体》全集');
  });

  it('refuses a body over WECHAT_MAX_BODY_BYTES with 413, declared or streamed, and keeps serving', async () => {
    const before = runs;
    const big = signPush({
      xml: textPush('书'.repeat(2000), '8041'),
      token: TOKEN,
      mode: 'plain',
      timestamp: TS,
    });
    expect(Buffer.byteLength(big.body)).toBeGreaterThan(MAX_BODY);
    const declared = await post(big);
    expect([declared.status, declared.body]).toEqual([413, 'body_too_large']);
    expect(declared.headers.connection).toBe('close');
    const chunks = Array.from({ length: 8 }, () => Buffer.from('书'.repeat(400)));
    const streamed = await send(`/wechat?${big.query.toString()}`, {
      method: 'POST',
      body: chunks,
    });
    expect([streamed.status, streamed.body]).toEqual([413, 'body_too_large']);
    // A huge declared length is refused before a byte of it is read.
    const lying = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /wechat?${big.query.toString()} HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n<xml>`,
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(lying).toMatch(/^HTTP\/1\.1 413/);
    // Exactly at the limit is fine.
    const filler = 'x'.repeat(MAX_BODY - Buffer.byteLength(textPush('', '8042')) - 1);
    const fits = signPush({
      xml: textPush(filler, '8042'),
      token: TOKEN,
      mode: 'plain',
      timestamp: TS,
    });
    expect(Buffer.byteLength(fits.body)).toBeLessThanOrEqual(MAX_BODY);
    expect((await post(fits)).status).toBe(200);
    expect(runs).toBe(before + 1);
    await healthy();
  });

  it('stays healthy when a client sends half a body and hangs up', async () => {
    const before = runs;
    const signed = signPush({
      xml: textPush('半截', '8051'),
      token: TOKEN,
      mode: 'plain',
      timestamp: TS,
    });
    const half = Buffer.from(signed.body).subarray(0, 40);
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            `POST /wechat?${signed.query.toString()} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(signed.body)}\r\n\r\n`,
          );
          socket.write(half, () => {
            socket.destroy();
            resolve();
          });
        });
        socket.on('error', reject);
      });
    }
    await healthy();
    expect(runs).toBe(before + 1);
    // The push itself, sent whole afterwards, is handled normally.
    const whole = await post(signed);
    expect(xmlChildText(parseXml(whole.body).value, 'Content')).toBe('收到：半截');
  });

  it('answers the GET URL verification and HEAD', async () => {
    const query = signVerification(TOKEN, '1234567890123456789', TS);
    const res = await send(`/wechat?${query.toString()}`);
    expect([res.status, res.body]).toEqual([200, '1234567890123456789']);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const head = await send(`/wechat?${query.toString()}`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
    const forged = new URLSearchParams(query);
    forged.set('signature', '0'.repeat(40));
    const refused = await send(`/wechat?${forged.toString()}`);
    expect(refused.status).toBe(401);
    expect(refused.body).not.toContain('1234567890123456789');
  });

  it('echoes a valid x-request-id and counts the request in the metrics', async () => {
    const query = signVerification(TOKEN, 'echo', TS);
    const res = await send(`/wechat?${query.toString()}`, {
      headers: { 'x-request-id': 'lb-trace.42' },
    });
    expect(res.headers['x-request-id']).toBe('lb-trace.42');
    const made = await send(`/wechat?${query.toString()}`, {
      headers: { 'x-request-id': 'not valid!' },
    });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await send('/metrics');
    expect(metrics.body).toMatch(
      /shulin_http_requests_total\{method="GET",route="\/wechat",status="200"\} [1-9]/,
    );
  });

  it('reads the query as URLSearchParams does', () => {
    for (const search of [
      '',
      'signature=ab12&timestamp=1409735669&nonce=7&openid=oABC-_x',
      'a=1&a=2&b',
      '&&a=&=x&b==c',
      'echostr=a%20b+c&encrypt_type=aes',
      'echostr=%E4%B9%A6%E6%9E%97&x=%zz',
    ]) {
      const ours = readQuery(search);
      const reference = new URLSearchParams(search);
      for (const name of [
        'signature',
        'timestamp',
        'nonce',
        'openid',
        'a',
        'b',
        '',
        'echostr',
        'x',
        'missing',
      ]) {
        expect(ours.get(name), `${search} ${name}`).toBe(reference.get(name));
      }
    }
  });

  it('answers many pushes that arrive together, each on its own connection', async () => {
    const before = runs;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(
          signPush({
            xml: textPush(`并发 ${i}`, String(9100 + i)),
            token: TOKEN,
            mode: 'plain',
            timestamp: TS,
          }),
        ),
      ),
    );
    expect(runs - before).toBe(40);
    answers.forEach((res, i) => {
      expect(res.status).toBe(200);
      expect(res.body).toContain(`并发 ${i}`);
    });
  });

  it('leaves /wechat/ and /wechatx to the rest of the app (404 problem)', async () => {
    const query = signVerification(TOKEN, 'echo', TS);
    for (const path of [
      `/wechat/?${query.toString()}`,
      `/wechatx?${query.toString()}`,
      '/wechat/',
      '/wechatx',
    ]) {
      const res = await send(path);
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type'], path).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body), path).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      // Hono answered, so the pages' security headers are there.
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
    }
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('书林');
  });
});
