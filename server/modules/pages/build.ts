/**
 * Builds the reader pages when their build is missing or older than their sources, so
 * that `npm start` right after `npm install` serves them. Run as a script by `prestart`
 * (`node --import tsx server/modules/pages/build.ts`) and called by tests that open the
 * pages in a browser.
 */
import { execFile } from 'node:child_process';
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const READER_SOURCES = join(ROOT, 'web/reader');
const DIST = join(READER_SOURCES, 'dist');
/** Besides `web/reader/` (less its build), what changes the build. */
const INPUTS = ['vite.config.ts', 'package-lock.json'];

function newest(path: string): number {
  let info;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (path === READER_SOURCES && (entry === 'dist' || entry.startsWith('dist.'))) continue;
    if (entry === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** Why the build must run ('missing', 'stale'), or null when it is current. */
export function buildNeeded(): 'missing' | 'stale' | null {
  const built = newest(join(DIST, 'index.html'));
  if (built === 0) return 'missing';
  const sources = Math.max(newest(READER_SOURCES), ...INPUTS.map((p) => newest(join(ROOT, p))));
  return sources > built ? 'stale' : null;
}

/**
 * Runs `vite build` into a fresh directory and swaps it in, so a server reading the
 * previous build never sees a half-written one.
 *
 * @example
 * await buildReaderPages(); // → { ms: 7900 }
 */
export async function buildReaderPages(): Promise<{ ms: number }> {
  const started = performance.now();
  const vite = join(
    dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin/vite.js',
  );
  const temporary = `${DIST}.${process.pid}-${Date.now()}`;
  await promisify(execFile)(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      join(ROOT, 'vite.config.ts'),
      '--outDir',
      temporary,
      '--logLevel',
      'warn',
    ],
    {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
      // A test runner's NODE_ENV=test would give React's development build.
      // eslint-disable-next-line no-restricted-syntax -- the child's environment, not configuration
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const old = `${DIST}.old-${process.pid}-${Date.now()}`;
  try {
    renameSync(DIST, old);
  } catch {
    // No previous build.
  }
  renameSync(temporary, DIST);
  rmSync(old, { recursive: true, force: true });
  return { ms: performance.now() - started };
}

/** Builds only when needed; resolves with what it did. */
export async function ensureReaderBuild(): Promise<{
  built: boolean;
  reason: string | null;
  ms: number;
}> {
  const reason = buildNeeded();
  if (!reason) return { built: false, reason, ms: 0 };
  const { ms } = await buildReaderPages();
  return { built: true, reason, ms };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const run = force
    ? buildReaderPages().then(({ ms }) => ({ built: true, reason: 'forced', ms }))
    : ensureReaderBuild();
  run.then(
    (result) => {
      process.stdout.write(
        result.built
          ? `reader pages built (${result.reason}) in ${(result.ms / 1000).toFixed(1)} s\n`
          : 'reader pages are up to date\n',
      );
    },
    (error: unknown) => {
      process.stderr.write(
        `reader pages: build failed\n${String((error as { stderr?: string }).stderr ?? error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
