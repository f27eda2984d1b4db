import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app.ts';
import { jsapiSignature } from '../../wechat/crypto.ts';

const SCRIPT = `console.log(${JSON.stringify('书林'.repeat(400))});\n`;

describe('the reader pages and the JS-SDK signature', () => {
  let t: TestApp;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'shulin-pages-'));
    mkdirSync(join(dist, 'assets'));
    mkdirSync(join(dist, '.vite'));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><html><head><script type="module" src="/m/assets/index-AbCd1234.js"></script></head><body><div id="root"></div></body></html>',
    );
    writeFileSync(join(dist, 'assets/index-AbCd1234.js'), SCRIPT);
    writeFileSync(join(dist, 'assets/index-Ef567890.css'), 'body{margin:0}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dist, '.vite/manifest.json'), '{}');
    t = await startTestApp({ overrides: { readerPagesDir: dist } });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at /m/ and for any page path below it, never cached, with a CSP', async () => {
    for (const path of ['/m/', '/m/search?q=santi', '/m/records/42', '/m/account']) {
      const res = await t.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root">');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self' https://res.wx.qq.com");
      expect(csp).not.toContain('unsafe-inline');
      // The app's security headers are there too.
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const bare = await t.request('/m');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/m/');
  });

  it('serves hashed assets as immutable with their content types, gzipped when asked', async () => {
    const js = await t.request('/m/assets/index-AbCd1234.js', {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await js.arrayBuffer())).toString()).toBe(SCRIPT);

    const plain = await t.request('/m/assets/index-AbCd1234.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);

    const css = await t.request('/m/assets/index-Ef567890.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await t.request('/m/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers a repeated request with 304 when the ETag matches', async () => {
    const first = await t.request('/m/');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await t.request('/m/', { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });

  it('answers 404 for a missing file, dot files and paths that climb out', async () => {
    for (const path of [
      '/m/assets/index-Gone0000.js',
      '/m/.vite/manifest.json',
      '/m/%2e%2e/package.json',
      '/m/assets/..%2f..%2fpackage.json',
      '/m/nothing.png',
    ]) {
      const res = await t.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('signs the page URL without its fragment for wx.config', async () => {
    const page = 'http://localhost/m/records/42?from=chat#items';
    const res = await t.request(`/api/v1/wechat/jssdk-config?url=${encodeURIComponent(page)}`);
    expect(res.status).toBe(200);
    const config = (await res.json()) as {
      appId: string;
      timestamp: number;
      nonceStr: string;
      signature: string;
      jsApiList: string[];
    };
    expect(config.appId).toBe(t.shulin.services.config.wechat.appid);
    expect(config.jsApiList).toEqual(['scanQRCode']);
    const ticket = await t.shulin.services.wechatApi.getJsapiTicket();
    expect(config.signature).toBe(
      jsapiSignature({
        ticket,
        nonceStr: config.nonceStr,
        timestamp: config.timestamp,
        url: 'http://localhost/m/records/42?from=chat',
      }),
    );
  });

  it('signs only this site’s reader pages', async () => {
    for (const url of [
      '',
      'not a url',
      'https://evil.example/m/',
      'http://localhost/api/v1/me',
      'javascript:alert(1)',
    ]) {
      const res = await t.request(`/api/v1/wechat/jssdk-config?url=${encodeURIComponent(url)}`);
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('INVALID_URL');
    }
  });

  it('says so when WeChat gives no ticket', async () => {
    await t.shulin.services.kv.del(`wx:${t.shulin.services.config.wechat.appid}:jsapi_ticket`);
    await fetch(`${t.fake.url}/__fake/faults`, {
      method: 'POST',
      body: JSON.stringify([{ path: '/cgi-bin/ticket/getticket', errcode: 40001, times: 5 }]),
    });
    const res = await t.request(
      `/api/v1/wechat/jssdk-config?url=${encodeURIComponent('http://localhost/m/')}`,
    );
    expect(res.status).toBe(502);
    expect(((await res.json()) as { code: string }).code).toBe('WECHAT_UNAVAILABLE');
  });
});

describe('the reader pages before a build', () => {
  it('answers 503 with how to build them', async () => {
    const t = await startTestApp({
      overrides: { readerPagesDir: join(tmpdir(), 'shulin-no-such-build') },
    });
    try {
      const res = await t.request('/m/search');
      expect(res.status).toBe(503);
      const body = (await res.json()) as { code: string; title: string };
      expect(body.code).toBe('PAGES_NOT_BUILT');
      expect(body.title).toContain('npm run build:web');
    } finally {
      await t.close();
    }
  });
});
