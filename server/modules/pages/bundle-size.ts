/**
 * The reader pages' weight as a phone downloads it: the JavaScript and CSS the first page
 * loads (the entry and its static imports, from Vite's manifest), gzipped, and the chunks
 * loaded later on demand. `node --import tsx server/modules/pages/bundle-size.ts` prints it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { READER_DIST } from './routes.ts';

/** The budget for the first page's JavaScript, gzipped. */
export const INITIAL_JS_BUDGET = 150 * 1024;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface BundleSize {
  /** Files the first page loads, with raw and gzipped bytes. */
  readonly initial: readonly { file: string; bytes: number; gzip: number }[];
  readonly initialJsGzip: number;
  readonly initialCssGzip: number;
  /** Chunks fetched only when a page or a feature needs them. */
  readonly lazy: readonly { file: string; bytes: number; gzip: number }[];
}

/**
 * @example
 * const size = measureBundle(); // size.initialJsGzip → 93184
 */
export function measureBundle(distDir: string = READER_DIST): BundleSize {
  const manifest = JSON.parse(readFileSync(join(distDir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const sizeOf = (file: string) => {
    const body = readFileSync(join(distDir, file));
    return { file, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  };
  const initialFiles = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || initialFiles.has(chunk.file)) return;
    initialFiles.add(chunk.file);
    for (const css of chunk.css ?? []) initialFiles.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const initial = [...initialFiles].map(sizeOf);
  const lazy = Object.values(manifest)
    .map((c) => c.file)
    .filter((file) => !initialFiles.has(file) && file.endsWith('.js'))
    .map(sizeOf);
  const sum = (ext: string) =>
    initial.filter((f) => f.file.endsWith(ext)).reduce((total, f) => total + f.gzip, 0);
  return { initial, initialJsGzip: sum('.js'), initialCssGzip: sum('.css'), lazy };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const size = measureBundle();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  for (const f of size.initial) {
    process.stdout.write(
      `initial  ${f.file.padEnd(34)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzip)}\n`,
    );
  }
  for (const f of size.lazy) {
    process.stdout.write(
      `on use   ${f.file.padEnd(34)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzip)}\n`,
    );
  }
  const within = size.initialJsGzip <= INITIAL_JS_BUDGET;
  process.stdout.write(
    `initial JavaScript: ${kb(size.initialJsGzip)} gzipped (budget ${kb(INITIAL_JS_BUDGET)}${within ? '' : ', OVER'}); CSS ${kb(size.initialCssGzip)} gzipped\n`,
  );
  if (!within) process.exitCode = 1;
}
