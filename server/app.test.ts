import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/support/app.ts';
import { createTestDatabase, dialects } from '../test/support/databases.ts';
import { buildApp } from './app.ts';
import { loadConfig } from './platform/config.ts';
import { createMetrics } from './platform/metrics.ts';
import { FIXTURE_OPENID, pushXml } from './wechat/fixtures.ts';
import { signPush, signVerification } from './wechat/signer.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The value of one sample in Prometheus text format, or undefined when it is absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const textPush = (content: string, msgId: string) =>
  pushXml('text', {
    Content: content,
    MsgId: { xml: msgId },
    CreateTime: Math.floor(Date.now() / 1000),
  });

describe.each(dialects)('the composed app on %s', (dialect) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const start = (env: Record<string, string> = {}) =>
    startTestApp({
      dialect,
      env,
      overrides: {
        configureRouter: (router) =>
          router.onMessage('text', (m) => ({ type: 'text', content: `收到：${m.content}` })),
      },
    });

  const post = (a: TestApp, query: URLSearchParams, body: string) =>
    a.request(`/wechat?${query.toString()}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/xml' },
    });

  it('reports healthy on /healthz with every check', async () => {
    app = await start();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      status: 'ok',
      checks: {
        db: { ok: true, dialect },
        kv: { ok: true, backend: 'memory' },
        jobs: { backend: 'local', ok: true, running: true, pending: 0, failed: 0 },
        catalog: { loaded: true, records: 0 },
        ils: { ok: true, connector: 'embedded', latencyMs: expect.any(Number) },
      },
    });
  });

  it('answers 503 on /healthz when the database is gone', async () => {
    const tdb = await createTestDatabase(dialect);
    const shulin = await buildApp(loadConfig({ LOG_LEVEL: 'silent' }), {
      logger: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      database: tdb.database,
    });
    try {
      expect((await shulin.app.request('/healthz')).status).toBe(200);
      await tdb.database.close();
      const res = await shulin.app.request('/healthz');
      expect(res.status).toBe(503);
      const body = (await res.json()) as {
        status: string;
        checks: Record<string, { ok: boolean; error?: string }>;
      };
      expect(body.status).toBe('degraded');
      expect(body.checks.db).toMatchObject({ ok: false, dialect });
      expect(body.checks.db!.error).toEqual(expect.any(String));
      expect(body.checks.kv).toMatchObject({ ok: true });
      // The in-process queue lives in the same database.
      expect(body.checks.jobs).toMatchObject({ ok: false });
    } finally {
      await shulin.close();
      await tdb.cleanup();
    }
  });

  it('exposes Prometheus metrics for HTTP, pushes, dedupe hits, reply time and jobs', async () => {
    app = await start();
    const fresh = await app.request('/metrics');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const before = await fresh.text();
    for (const name of [
      'shulin_http_requests_total',
      'shulin_wechat_messages_total',
      'shulin_wechat_dedupe_hits_total',
      'shulin_wechat_reply_seconds',
      'shulin_jobs_total',
    ]) {
      expect(before, name).toContain(`# TYPE ${name} `);
    }
    expect(sample(before, 'shulin_wechat_dedupe_hits_total')).toBe(0);

    await app.request('/healthz');
    const push = signPush({ xml: textPush('三体', '5001'), token: 'AAAAA', mode: 'plain' });
    const first = await post(app, push.query, push.body);
    expect(await first.text()).toContain('收到：三体');
    const again = await post(app, push.query, push.body);
    expect(await again.text()).toContain('收到：三体');

    const text = await (await app.request('/metrics')).text();
    expect(
      sample(text, 'shulin_http_requests_total', {
        method: 'GET',
        route: '/healthz',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'shulin_http_requests_total', {
        method: 'GET',
        route: '/metrics',
        status: '200',
      }),
    ).toBe(1);
    expect(sample(text, 'shulin_wechat_messages_total', { type: 'text', outcome: 'replied' })).toBe(
      1,
    );
    expect(sample(text, 'shulin_wechat_dedupe_hits_total')).toBe(1);
    expect(sample(text, 'shulin_wechat_reply_seconds_count', { mode: 'plain' })).toBe(2);
    expect(sample(text, 'shulin_wechat_reply_seconds_bucket', { mode: 'plain', le: '+Inf' })).toBe(
      2,
    );

    // A handler over its budget: the reply goes out later as a job, which the job metric counts.
    const slow = await startTestApp({
      dialect,
      env: { WECHAT_REPLY_BUDGET_MS: '100' },
      overrides: {
        configureRouter: (router) =>
          router.onMessage('text', async () => {
            await new Promise((r) => setTimeout(r, 150));
            return { type: 'text', content: '慢' };
          }),
      },
    });
    try {
      const late = signPush({ xml: textPush('慢', '5002'), token: 'AAAAA', mode: 'plain' });
      expect(await (await post(slow, late.query, late.body)).text()).toBe('success');
      await waitFor(() => slow.fake.state.customMessages.length === 1);
      await waitFor(async () => {
        const m = await (await slow.request('/metrics')).text();
        return (
          sample(m, 'shulin_jobs_total', { name: 'wechat.late-reply', outcome: 'completed' }) === 1
        );
      });
      const m = await (await slow.request('/metrics')).text();
      expect(
        sample(m, 'shulin_wechat_messages_total', { type: 'text', outcome: 'late-reply' }),
      ).toBe(1);
      expect(sample(m, 'shulin_jobs_pending')).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('answers an unknown route with a 404 problem+json', async () => {
    app = await start();
    const res = await app.request('/api/v1/no-such-thing', {
      headers: { 'x-request-id': 'trace-404' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      code: 'NOT_FOUND',
      requestId: 'trace-404',
    });
    const text = await (await app.request('/metrics')).text();
    expect(sample(text, 'shulin_http_requests_total', { method: 'GET', status: '404' })).toBe(1);
  });

  it('echoes a valid x-request-id and makes one up otherwise', async () => {
    app = await start();
    const echoed = await app.request('/healthz', { headers: { 'x-request-id': 'lb-7f3a.9_x' } });
    expect(echoed.headers.get('x-request-id')).toBe('lb-7f3a.9_x');
    const made = await app.request('/healthz');
    expect(made.headers.get('x-request-id')).toMatch(UUID);
    for (const bad of ['has space', 'x'.repeat(65), 'a;b', '<script>', 'caf\u00e9']) {
      const res = await app.request('/healthz', { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id'), JSON.stringify(bad)).toMatch(UUID);
    }
    // The callback carries it too.
    const verify = signVerification('AAAAA', 'echo-123');
    const res = await app.request(`/wechat?${verify.toString()}`, {
      headers: { 'x-request-id': 'wx-trace-1' },
    });
    expect(await res.text()).toBe('echo-123');
    expect(res.headers.get('x-request-id')).toBe('wx-trace-1');
  });

  it('sends security headers with pages, not with the WeChat callback', async () => {
    app = await start();
    const page = await app.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await app.request('/healthz')).headers.get('x-content-type-options')).toBe('nosniff');
    expect((await app.request('/nowhere')).headers.get('x-content-type-options')).toBe('nosniff');

    const verify = signVerification('AAAAA', 'echo-456');
    const callback = await app.request(`/wechat?${verify.toString()}`);
    expect(await callback.text()).toBe('echo-456');
    expect(callback.headers.get('x-content-type-options')).toBeNull();
    expect(callback.headers.get('x-frame-options')).toBeNull();
    expect(callback.headers.get('strict-transport-security')).toBeNull();
    const push = signPush({ xml: textPush('头', '5003'), token: 'AAAAA', mode: 'plain' });
    const pushed = await post(app, push.query, push.body);
    expect(pushed.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(pushed.headers.get('x-frame-options')).toBeNull();
  });

  it('logs each push once in the database, after close at the latest', async () => {
    app = await start();
    const push = signPush({ xml: textPush('日志', '5004'), token: 'AAAAA', mode: 'plain' });
    await post(app, push.query, push.body);
    await post(app, push.query, push.body);
    await app.shulin.close();
    const rows = await app.shulin.services.messageLog.byOpenid(FIXTURE_OPENID);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      summary: '日志',
      outcome: 'replied',
      mode: 'plain',
      reply_type: 'text',
    });
  });
});
