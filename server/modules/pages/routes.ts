/**
 * The reader pages (`/m/`): the built single-page app served from disk, and the JS-SDK
 * signature the pages need inside WeChat.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { HttpProblem } from '../../platform/http/problem.ts';
import type { WeChatApiClient } from '../../wechat/api/client.ts';
import { WeChatApiError } from '../../wechat/api/errors.ts';

/** Where `vite build` writes the reader pages. */
export const READER_DIST = fileURLToPath(new URL('../../../web/reader/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.map', '.txt']);
// Vite names every file under assets/ after its content: a changed file is a new URL.
const HASHED = /^assets\/[\w.-]+-[\w-]{8,}\.\w+$/;
// Plain names only: no dot files (the build's .vite/manifest.json), no `..`, no encoded tricks.
const SAFE_PATH = /^[\w-][\w.-]*(\/[\w-][\w.-]*)*$/;

/**
 * The pages run their own scripts only (no inline script), talk to this origin, and load
 * WeChat's JS-SDK from its CDN; the camera's frames are blob: and canvas data.
 */
export const READER_CSP = [
  "default-src 'self'",
  "script-src 'self' https://res.wx.qq.com https://res2.wx.qq.com",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

interface CachedFile {
  readonly mtimeMs: number;
  readonly size: number;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly gzip: Uint8Array<ArrayBuffer> | null;
  readonly etag: string;
}

export interface ReaderPagesDeps {
  /** The build output directory; default `web/reader/dist`. */
  readonly distDir?: string;
  readonly logger: Logger;
}

/**
 * The reader pages, to mount at `/m`: files of the build, `index.html` for every other
 * path (the app routes on the client), hashed assets cached for a year, `index.html`
 * revalidated each time so a new build shows at once. A missing build is a 503 that says
 * how to make one.
 *
 * @example
 * app.route('/m', readerPagesRoutes({ logger }));
 * // GET /m/records/42 → index.html; GET /m/assets/index-3f9a1c2b.js → the script, immutable
 */
export function readerPagesRoutes(deps: ReaderPagesDeps) {
  const root = resolve(deps.distDir ?? READER_DIST);
  const cache = new Map<string, CachedFile>();
  const routes = new Hono();

  /** The file at `relative` below the build, or null; kept in memory while unchanged. */
  const load = async (relative: string): Promise<CachedFile | null> => {
    const path = join(root, relative);
    if (!path.startsWith(root + sep)) return null;
    let info;
    try {
      info = await stat(path);
    } catch {
      return null;
    }
    if (!info.isFile()) return null;
    const known = cache.get(path);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
    // Copied once into plain arrays: the answer's body type, served many times.
    const body = new Uint8Array(await readFile(path));
    const file: CachedFile = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      body,
      gzip:
        COMPRESSIBLE.has(extname(path)) && body.length > 1024
          ? new Uint8Array(gzipSync(body, { level: 9 }))
          : null,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    };
    cache.set(path, file);
    return file;
  };

  const send = (c: Context, file: CachedFile, name: string, cacheControl: string) => {
    const headers: Record<string, string> = {
      'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
      'cache-control': cacheControl,
      etag: file.etag,
      vary: 'accept-encoding',
    };
    if (name === 'index.html') headers['content-security-policy'] = READER_CSP;
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, headers);
    const gzip = file.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    const body = gzip && file.gzip ? file.gzip : file.body;
    headers['content-length'] = String(body.length);
    // A HEAD answer carries the headers alone.
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    return c.body(body, 200, headers);
  };

  const index = async (c: Context) => {
    const file = await load('index.html');
    if (!file) {
      deps.logger.warn({ root }, 'reader pages not built');
      throw new HttpProblem(
        503,
        'PAGES_NOT_BUILT',
        'The reader pages are not built: run `npm run build:web`',
      );
    }
    return send(c, file, 'index.html', 'no-cache');
  };

  routes.get('/*', async (c) => {
    const base = c.req.routePath.replace(/\/\*$/, '');
    const relative = c.req.path.slice(base.length + 1);
    if (c.req.path === base) return c.redirect(`${base}/`, 301);
    if (relative === '' || relative === 'index.html') return index(c);
    if (SAFE_PATH.test(relative)) {
      const file = await load(relative);
      if (file) {
        const cacheControl = HASHED.test(relative)
          ? 'public, max-age=31536000, immutable'
          : 'public, max-age=3600';
        return send(c, file, relative, cacheControl);
      }
    }
    // A path with an extension names a file: answering with the page would hand a
    // script tag HTML. Anything else is a page the app routes itself.
    if (extname(relative) !== '') throw new HttpProblem(404, 'NOT_FOUND', 'Not found');
    return index(c);
  });

  return routes;
}

export interface JssdkRoutesDeps {
  readonly wechatApi: Pick<WeChatApiClient, 'jssdkConfig'>;
  /** `config.publicUrl`: the origin pages are served from; else the request's own. */
  readonly publicUrl: string | undefined;
  readonly logger: Logger;
  /** Where the reader pages live; only their URLs are signed. Default `/m/`. */
  readonly pagesPath?: string;
}

/** The JS-SDK APIs the reader pages use. */
export const JS_API_LIST = ['scanQRCode'];

const jssdkQuery = z.object({ url: z.string().min(1).max(2048) });

/**
 * `GET /api/v1/wechat/jssdk-config?url=…`: the object a reader page passes to `wx.config`,
 * signed for the page's URL without its fragment. Only the reader pages of this site are
 * signed.
 *
 * @example
 * app.route('/api/v1', jssdkRoutes({ wechatApi, publicUrl: config.publicUrl, logger }));
 * // GET /api/v1/wechat/jssdk-config?url=https%3A%2F%2Flib.example.edu%2Fm%2F%23top
 * // → { appId, timestamp, nonceStr, signature, jsApiList: ['scanQRCode'], openTagList: [] }
 */
export function jssdkRoutes(deps: JssdkRoutesDeps) {
  const pagesPath = deps.pagesPath ?? '/m/';
  const routes = new Hono();

  routes.get('/wechat/jssdk-config', async (c) => {
    const parsed = jssdkQuery.safeParse(c.req.query());
    const raw = parsed.success ? parsed.data.url : '';
    const page = URL.canParse(raw) ? new URL(raw) : null;
    const origin = deps.publicUrl ? new URL(deps.publicUrl).origin : new URL(c.req.url).origin;
    if (
      !page ||
      !/^https?:$/.test(page.protocol) ||
      page.origin !== origin ||
      !page.pathname.startsWith(pagesPath)
    ) {
      throw new HttpProblem(
        400,
        'INVALID_URL',
        `Give the URL of a page under ${origin}${pagesPath}`,
      );
    }
    // WeChat signs what the browser reports as location.href up to the fragment; parsing
    // and serialising again could re-encode it, so the text is cut, not rebuilt.
    const cut = raw.indexOf('#');
    const url = cut === -1 ? raw : raw.slice(0, cut);
    try {
      const config = await deps.wechatApi.jssdkConfig({ url, jsApiList: JS_API_LIST });
      c.header('cache-control', 'no-store');
      return c.json(config);
    } catch (error) {
      if (error instanceof WeChatApiError) {
        deps.logger.warn({ err: error }, 'JS-SDK ticket unavailable');
        throw new HttpProblem(502, 'WECHAT_UNAVAILABLE', 'WeChat did not give a JS-SDK ticket', {
          errcode: error.errcode,
        });
      }
      throw error;
    }
  });

  return routes;
}
