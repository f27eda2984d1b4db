import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/app.ts';
import { sha1Signature } from './crypto.ts';
import {
  FIXTURE_ACCOUNT,
  FIXTURE_CREATE_TIME,
  FIXTURE_KINDS,
  FIXTURE_OPENID,
  pushXml,
} from './fixtures.ts';
import type { InboundMessage } from './messages.ts';
import type { MessageRouter } from './router.ts';
import { openReply, signPush } from './signer.ts';
import { VECTORS } from './test-vectors.ts';
import { parseXml, xmlChildText } from './xml.ts';

const E = VECTORS.official_doc_safe_mode_E;
const C = VECTORS.official_sample_decrypt_C;
const P1 = VECTORS.official_doc_plain_push;
const P2 = VECTORS.official_doc_url_verify_get;
const PW = VECTORS.powerwechat_wecom_decrypt;

let current: TestApp | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

interface Seen {
  messages: InboundMessage[];
}

/** An app whose clock stands at `seconds`, with a router that records and echoes. */
async function appAt(
  seconds: number,
  env: Record<string, string> = {},
  configure?: (router: MessageRouter, seen: Seen) => void,
): Promise<{ app: TestApp; seen: Seen }> {
  const seen: Seen = { messages: [] };
  const app = await startTestApp({
    env,
    overrides: {
      clock: { now: () => seconds * 1000 + 400 },
      configureRouter: (router) => {
        router.use(async (message, _context, next) => {
          seen.messages.push(message);
          return next();
        });
        if (configure) configure(router, seen);
        else router.onMessage('text', (m) => ({ type: 'text', content: `收到：${m.content}` }));
      },
    },
  });
  current = app;
  return { app, seen };
}

function post(app: TestApp, query: URLSearchParams | string, body: string): Promise<Response> {
  return app.request(`/wechat?${query.toString()}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/xml' },
  });
}

const textPush = (content: string, msgId = '6054768590064713728', from = FIXTURE_OPENID) =>
  pushXml('text', { Content: content, MsgId: { xml: msgId }, FromUserName: from });

describe('URL verification (GET)', () => {
  it('answers the echostr verbatim for the official example (P2)', async () => {
    const { app } = await appAt(Number(P2.timestamp));
    const q = new URLSearchParams({
      signature: P2.expected_signature,
      timestamp: P2.timestamp,
      nonce: P2.nonce,
      echostr: P2.echostr,
    });
    const res = await app.request(`/wechat?${q.toString()}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(P2.echostr);
  });

  it('refuses a forged signature, a stale timestamp and a missing echostr', async () => {
    const { app } = await appAt(Number(P2.timestamp));
    const base = { timestamp: P2.timestamp, nonce: P2.nonce, echostr: P2.echostr };
    const forged = await app.request(
      `/wechat?${new URLSearchParams({ ...base, signature: 'f'.repeat(40) }).toString()}`,
    );
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain(P2.echostr);
    const stale = new URLSearchParams({ ...base, timestamp: '1700000000' });
    stale.set('signature', sha1Signature('AAAAA', '1700000000', P2.nonce));
    expect((await app.request(`/wechat?${stale.toString()}`)).status).toBe(401);
    const noEcho = new URLSearchParams({
      signature: P2.expected_signature,
      timestamp: P2.timestamp,
      nonce: P2.nonce,
    });
    expect((await app.request(`/wechat?${noEcho.toString()}`)).status).toBe(400);
  });
});

describe('plaintext pushes', () => {
  it('verifies the official signature (P1) and replies in seconds, addressed back', async () => {
    const { app, seen } = await appAt(FIXTURE_CREATE_TIME);
    expect(Number(P1.timestamp)).toBe(FIXTURE_CREATE_TIME);
    const q = new URLSearchParams({
      signature: P1.expected_signature,
      timestamp: P1.timestamp,
      nonce: P1.nonce,
      openid: FIXTURE_OPENID,
    });
    const res = await post(app, q, textPush('三体'));
    expect(res.status).toBe(200);
    const reply = parseXml(await res.text()).value;
    expect(xmlChildText(reply, 'ToUserName')).toBe(FIXTURE_OPENID);
    expect(xmlChildText(reply, 'FromUserName')).toBe(FIXTURE_ACCOUNT);
    expect(xmlChildText(reply, 'MsgType')).toBe('text');
    expect(xmlChildText(reply, 'Content')).toBe('收到：三体');
    expect(xmlChildText(reply, 'CreateTime')).toBe(String(FIXTURE_CREATE_TIME));
    expect(seen.messages).toHaveLength(1);
    expect(seen.messages[0]).toMatchObject({ kind: 'text', msgId: '6054768590064713728' });
  });

  it('parses every message type and event, answering success when no handler replies', async () => {
    // A handler that answers nothing, ahead of the app's own conversation.
    const { app, seen } = await appAt(FIXTURE_CREATE_TIME, {}, (router) => {
      router.use(() => null);
    });
    for (const [i, kind] of FIXTURE_KINDS.entries()) {
      // Distinct CreateTime per push so that events do not deduplicate into each other.
      const xml = pushXml(kind, { CreateTime: FIXTURE_CREATE_TIME - i });
      const { query, body } = signPush({
        xml,
        token: 'AAAAA',
        mode: 'plain',
        timestamp: String(FIXTURE_CREATE_TIME),
      });
      const res = await post(app, query, body);
      expect(res.status, kind).toBe(200);
      expect(await res.text(), kind).toBe('success');
    }
    expect(seen.messages).toHaveLength(FIXTURE_KINDS.length);
    expect(seen.messages.some((m) => m.kind === 'unknown')).toBe(true);
  });

  it('accepts the previous Token during a Token change', async () => {
    const { app } = await appAt(FIXTURE_CREATE_TIME, {
      WECHAT_TOKEN: 'newToken1',
      WECHAT_TOKEN_PREVIOUS: 'AAAAA',
    });
    for (const token of ['newToken1', 'AAAAA']) {
      const { query, body } = signPush({
        xml: textPush(token, token === 'AAAAA' ? '1' : '2'),
        token,
        mode: 'plain',
        timestamp: String(FIXTURE_CREATE_TIME),
      });
      const res = await post(app, query, body);
      expect(await res.text()).toContain(`收到：${token}`);
    }
  });

  it('refuses plaintext when encryption is required', async () => {
    const { app, seen } = await appAt(FIXTURE_CREATE_TIME, { WECHAT_REQUIRE_ENCRYPTION: 'true' });
    const { query, body } = signPush({
      xml: textPush('x'),
      token: 'AAAAA',
      mode: 'plain',
      timestamp: String(FIXTURE_CREATE_TIME),
    });
    expect((await post(app, query, body)).status).toBe(403);
    expect(seen.messages).toHaveLength(0);
  });
});

describe('safe and compatible mode', () => {
  it('decrypts the official safe-mode example (vector E, pad 22) and encrypts the reply', async () => {
    const { app, seen } = await appAt(Number(E.timestamp), {}, (router) =>
      router.otherwise(() => ({ type: 'text', content: 'good luck 好运' })),
    );
    const q = new URLSearchParams({
      signature: sha1Signature(E.token, E.timestamp, E.nonce),
      timestamp: E.timestamp,
      nonce: E.nonce,
      openid: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
      encrypt_type: 'aes',
      msg_signature: E.expected_msg_signature,
    });
    const body = `<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><Encrypt><![CDATA[${E.encrypt}]]></Encrypt></xml>`;
    const res = await post(app, q, body);
    expect(res.status).toBe(200);
    const text = await res.text();
    const envelope = parseXml(text).value;
    expect(xmlChildText(envelope, 'TimeStamp')).toMatch(/^\d{10}$/);
    const opened = openReply(text, { token: E.token, aesKey: E.encodingAESKey, appid: E.appid });
    expect(opened?.encrypted).toBe(true);
    const reply = parseXml(opened!.xml).value;
    expect(xmlChildText(reply, 'Content')).toBe('good luck 好运');
    expect(xmlChildText(reply, 'ToUserName')).toBe('o9AgO5Kd5ggOC-bXrbNODIiE3bGY');
    expect(seen.messages[0]).toMatchObject({ kind: 'unknown', event: 'debug_demo' });
  });

  it('handles the official compatible-mode body (vector C)', async () => {
    const { app, seen } = await appAt(Number(C.timestamp), {
      WECHAT_APPID: C.appid,
      WECHAT_TOKEN: C.token,
      WECHAT_AES_KEY: C.encodingAESKey,
    });
    const q = new URLSearchParams({
      signature: '16120ec1b8dbb870f510d87ce6bc2463eae6ca1a',
      timestamp: C.timestamp,
      nonce: C.nonce,
      encrypt_type: 'aes',
      msg_signature: C.expected_msg_signature,
    });
    const body = C.expected_plaintext.replace(
      '</xml>',
      `<Encrypt><![CDATA[${C.encrypt}]]></Encrypt>\n</xml>`,
    );
    const res = await post(app, q, body);
    const opened = openReply(await res.text(), {
      token: C.token,
      aesKey: C.encodingAESKey,
      appid: C.appid,
    });
    expect(xmlChildText(parseXml(opened!.xml).value, 'Content')).toBe('收到：abcdteT');
    expect(seen.messages[0]).toMatchObject({ kind: 'text', msgId: '6054768590064713728' });
  });

  it('accepts the previous EncodingAESKey during a key change and answers with it', async () => {
    const newKey = 'B'.repeat(43);
    const { app } = await appAt(FIXTURE_CREATE_TIME, {
      WECHAT_AES_KEY: newKey,
      WECHAT_AES_KEY_PREVIOUS: 'A'.repeat(43),
    });
    for (const [key, id] of [
      [newKey, '11'],
      ['A'.repeat(43), '12'],
    ] as const) {
      const { query, body } = signPush({
        xml: textPush(`key ${id}`, id),
        token: 'AAAAA',
        mode: 'safe',
        aesKey: key,
        appid: E.appid,
        timestamp: String(FIXTURE_CREATE_TIME),
      });
      const text = await (await post(app, query, body)).text();
      const opened = openReply(text, { token: 'AAAAA', aesKey: key, appid: E.appid });
      expect(xmlChildText(parseXml(opened!.xml).value, 'Content')).toBe(`收到：key ${id}`);
      const other = key === newKey ? 'A'.repeat(43) : newKey;
      expect(() => openReply(text, { token: 'AAAAA', aesKey: other, appid: E.appid })).toThrow();
    }
  });
});

describe('bad input never reaches a handler', () => {
  async function refused(
    env: Record<string, string>,
    seconds: number,
    send: (app: TestApp) => Promise<Response>,
    status: number,
    reason: string,
  ) {
    const { app, seen } = await appAt(seconds, env);
    const res = await send(app);
    expect(await res.text()).toBe(reason);
    expect(res.status, reason).toBe(status);
    expect(seen.messages).toHaveLength(0);
    await current?.close();
    current = undefined;
  }
  const ts = String(FIXTURE_CREATE_TIME);

  it('refuses a push for another appid (PowerWeChat vector)', async () => {
    await refused(
      { WECHAT_APPID: '1000005', WECHAT_TOKEN: PW.token, WECHAT_AES_KEY: PW.encodingAESKey },
      Number(PW.timestamp),
      (app) =>
        post(
          app,
          new URLSearchParams({
            signature: sha1Signature(PW.token, PW.timestamp, PW.nonce),
            timestamp: PW.timestamp,
            nonce: PW.nonce,
            encrypt_type: 'aes',
            msg_signature: PW.expected_msg_signature,
          }),
          `<xml><ToUserName><![CDATA[wwedab3d5fc43636d8]]></ToUserName><Encrypt><![CDATA[${PW.encrypt}]]></Encrypt></xml>`,
        ),
      401,
      'appid_mismatch',
    );
  });

  function encrypted(encrypt: string) {
    const q = new URLSearchParams({
      signature: sha1Signature('AAAAA', ts, '1'),
      timestamp: ts,
      nonce: '1',
      encrypt_type: 'aes',
      msg_signature: sha1Signature('AAAAA', ts, '1', encrypt),
    });
    return [
      q,
      `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    ] as const;
  }

  it('refuses broken base64, truncated and undecryptable ciphertext', async () => {
    const good = signPush({
      xml: textPush('x'),
      token: 'AAAAA',
      mode: 'safe',
      aesKey: 'A'.repeat(43),
      appid: E.appid,
      timestamp: ts,
    });
    const cipher = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(good.body)![1]!;
    for (const bad of [
      'not*base64!!',
      cipher.slice(0, 30),
      Buffer.from(cipher, 'base64').subarray(0, 48).toString('base64'),
      Buffer.alloc(64, 7).toString('base64'),
    ]) {
      const [q, body] = encrypted(bad);
      await refused({}, FIXTURE_CREATE_TIME, (app) => post(app, q, body), 400, 'decrypt_failed');
    }
  });

  it('refuses forged signatures', async () => {
    const good = signPush({
      xml: textPush('x'),
      token: 'AAAAA',
      mode: 'safe',
      aesKey: 'A'.repeat(43),
      appid: E.appid,
      timestamp: ts,
    });
    const forgedSig = new URLSearchParams(good.query);
    forgedSig.set('signature', '0'.repeat(40));
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, forgedSig, good.body),
      401,
      'bad_signature',
    );
    const forgedMsg = new URLSearchParams(good.query);
    forgedMsg.set('msg_signature', sha1Signature('wrong', ts, forgedMsg.get('nonce')!, 'x'));
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, forgedMsg, good.body),
      401,
      'bad_msg_signature',
    );
    const plain = signPush({ xml: textPush('x'), token: 'guessed', mode: 'plain', timestamp: ts });
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, plain.query, plain.body),
      401,
      'bad_signature',
    );
  });

  it('refuses a DOCTYPE (plaintext and inside the ciphertext), malformed XML and invalid messages', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${textPush('&e;')}`;
    const plain = signPush({ xml: xxe, token: 'AAAAA', mode: 'plain', timestamp: ts });
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, plain.query, plain.body),
      400,
      'doctype_refused',
    );
    const hidden = signPush({
      xml: xxe,
      token: 'AAAAA',
      mode: 'safe',
      aesKey: 'A'.repeat(43),
      appid: E.appid,
      timestamp: ts,
    });
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, hidden.query, hidden.body),
      400,
      'doctype_refused',
    );
    const broken = signPush({
      xml: textPush('x').slice(0, 60),
      token: 'AAAAA',
      mode: 'plain',
      timestamp: ts,
    });
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, broken.query, broken.body),
      400,
      'malformed_xml',
    );
    const headless = signPush({
      xml: pushXml('text', { FromUserName: null }),
      token: 'AAAAA',
      mode: 'plain',
      timestamp: ts,
    });
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, headless.query, headless.body),
      400,
      'invalid_message',
    );
  });

  it('refuses an oversized body and a stale timestamp', async () => {
    const big = signPush({
      xml: textPush('书'.repeat(2000)),
      token: 'AAAAA',
      mode: 'plain',
      timestamp: ts,
    });
    await refused(
      { WECHAT_MAX_BODY_BYTES: '4096' },
      FIXTURE_CREATE_TIME,
      (app) => post(app, big.query, big.body),
      413,
      'body_too_large',
    );
    const old = signPush({
      xml: textPush('x'),
      token: 'AAAAA',
      mode: 'plain',
      timestamp: String(FIXTURE_CREATE_TIME - 301),
    });
    await refused(
      {},
      FIXTURE_CREATE_TIME,
      (app) => post(app, old.query, old.body),
      401,
      'stale_timestamp',
    );
  });
});

describe('once, and in time', () => {
  const ts = String(FIXTURE_CREATE_TIME);

  it('runs the handler once for three copies sent at once; all three get the answer', async () => {
    let runs = 0;
    const { app } = await appAt(FIXTURE_CREATE_TIME, {}, (router) =>
      router.onMessage('text', async (m) => {
        runs++;
        await new Promise((r) => setTimeout(r, 50));
        return { type: 'text', content: `查到：${m.content}` };
      }),
    );
    for (const mode of ['plain', 'safe'] as const) {
      const copies = [1, 2, 3].map(() =>
        signPush({
          xml: textPush(`三体 ${mode}`, mode === 'plain' ? '901' : '902'),
          token: 'AAAAA',
          mode,
          aesKey: 'A'.repeat(43),
          appid: E.appid,
          timestamp: ts,
        }),
      );
      const answers = await Promise.all(copies.map((c) => post(app, c.query, c.body)));
      for (const res of answers) {
        expect(res.status).toBe(200);
        const opened = openReply(await res.text(), {
          token: 'AAAAA',
          aesKey: 'A'.repeat(43),
          appid: E.appid,
        });
        expect(xmlChildText(parseXml(opened!.xml).value, 'Content')).toBe(`查到：三体 ${mode}`);
      }
    }
    expect(runs).toBe(2);
    await app.shulin.services.gateway.close();
  });

  it('answers success within the budget when a handler is slow, then delivers through customer service', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { app } = await appAt(FIXTURE_CREATE_TIME, { WECHAT_REPLY_BUDGET_MS: '300' }, (router) =>
      router.onMessage('text', async (m) => {
        await gate;
        return { type: 'text', content: `慢慢查到：${m.content}` };
      }),
    );
    const push = signPush({
      xml: textPush('慢', '777'),
      token: 'AAAAA',
      mode: 'safe',
      aesKey: 'A'.repeat(43),
      appid: E.appid,
      timestamp: ts,
    });
    const started = performance.now();
    const res = await post(app, push.query, push.body);
    const took = performance.now() - started;
    expect(await res.text()).toBe('success');
    expect(took).toBeLessThan(1000);
    // WeChat's retry while the handler still runs: success again, no second run.
    const retry = await post(app, push.query, push.body);
    expect(await retry.text()).toBe('success');
    release();
    await app.shulin.services.gateway.close();
    await waitFor(() => app.fake.state.customMessages.length === 1);
    expect(app.fake.state.customMessages[0]).toMatchObject({
      touser: FIXTURE_OPENID,
      msgtype: 'text',
      body: { text: { content: '慢慢查到：慢' } },
    });
  });

  it('answers success when a handler throws or returns an invalid reply, and logs each push once', async () => {
    const { app } = await appAt(FIXTURE_CREATE_TIME, {}, (router) => {
      router.onText('boom', () => {
        throw new Error('handler bug');
      });
      router.onText('later', () => Promise.reject(new Error('async handler bug')));
      router.onText('two', () => ({
        type: 'news',
        articles: [
          { title: 'a', url: 'https://x/a' },
          { title: 'b', url: 'https://x/b' },
        ],
      }));
      router.onMessage('text', () => ({ type: 'text', content: 'ok' }));
    });
    for (const [content, id] of [
      ['boom', '31'],
      ['later', '34'],
      ['two', '32'],
      ['fine', '33'],
      ['fine', '33'],
    ] as const) {
      const p = signPush({
        xml: textPush(content, id),
        token: 'AAAAA',
        mode: 'plain',
        timestamp: ts,
      });
      const res = await post(app, p.query, p.body);
      expect(res.status).toBe(200);
      expect(await res.text()).toEqual(
        content === 'fine' ? expect.stringContaining('ok') : 'success',
      );
    }
    await app.shulin.close();
    const rows = await app.shulin.services.messageLog.recent(10);
    expect(rows.map((r) => [r.summary, r.outcome]).sort()).toEqual([
      ['boom', 'failed'],
      ['fine', 'replied'],
      ['later', 'failed'],
      ['two', 'invalid-reply'],
    ]);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
