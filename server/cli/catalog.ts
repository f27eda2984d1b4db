import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { buildApp } from '../app.ts';
import { importMarc, type ImportProgress, type ImportSummary } from '../modules/catalog/import.ts';
import type { Charset, Flavour } from '../modules/catalog/marc/index.ts';
import type { Config } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';

const FLAVOURS: Record<string, Flavour> = {
  marc21: 'marc21',
  usmarc: 'marc21',
  unimarc: 'unimarc',
  cnmarc: 'unimarc',
};
const CHARSETS: Record<string, Charset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  gb18030: 'gb18030',
  'marc-8': 'marc8',
  marc8: 'marc8',
  'latin-1': 'latin1',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
};

export interface ImportMarcOptions {
  flavour?: string;
  charset?: string;
  itemFields?: string;
  json?: boolean;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function bar(file: string, p: ImportProgress, started: number): string {
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round((p.created + p.updated) / seconds) : 0;
  return `\r${file}: ${p.read} read, ${p.created} new, ${p.updated} updated, ${p.failed} skipped — ${rate} records/s, ${(p.bytes / 1e6).toFixed(1)} MB`;
}

/** `shulin import marc FILE…` */
export async function importMarcCommand(
  config: Config,
  files: string[],
  options: ImportMarcOptions,
): Promise<void> {
  const flavour = options.flavour ? FLAVOURS[options.flavour.toLowerCase()] : undefined;
  if (options.flavour && !flavour)
    fail(`Unknown --flavour ${options.flavour}: use marc21, unimarc or cnmarc`);
  const charset = options.charset ? CHARSETS[options.charset.toLowerCase()] : undefined;
  if (options.charset && !charset)
    fail(`Unknown --charset ${options.charset}: use utf-8, gbk, gb18030, marc-8 or latin-1`);
  const fields = options.itemFields
    ?.split(',')
    .map((f) => f.trim())
    .filter((f) => /^\d{3}$/.test(f));
  for (const file of files) {
    await access(file).catch(() => fail(`Cannot read ${file}`));
  }
  const shulin = await buildApp(config, {
    logger: createLogger({ level: 'warn' }),
    catalogIndexing: false,
    catalogRefreshMs: 0,
  });
  const summaries: Array<ImportSummary & { file: string }> = [];
  const tty = !options.json && process.stderr.isTTY;
  try {
    for (const file of files) {
      const started = performance.now();
      const summary = await importMarc(
        createReadStream(file, { highWaterMark: 1 << 20 }),
        shulin.services.catalog,
        {
          ...(flavour ? { flavour } : {}),
          ...(charset ? { charset } : {}),
          ...(fields && fields.length > 0
            ? { itemFields: { marc21: fields, unimarc: fields } }
            : {}),
          ...(tty
            ? { onProgress: (p: ImportProgress) => process.stderr.write(bar(file, p, started)) }
            : {}),
        },
      );
      if (tty) process.stderr.write(`${bar(file, summary, started)}\n`);
      summaries.push({ ...summary, file });
    }
  } finally {
    await shulin.close();
  }
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`,
    );
  } else {
    for (const s of summaries) {
      process.stdout.write(
        `${s.file}: ${s.created} new, ${s.updated} updated, ${s.failed} skipped of ${s.read} records in ${s.seconds} s (${s.recordsPerSecond} records/s)\n`,
      );
      for (const p of s.problems.slice(0, 20)) {
        process.stdout.write(
          `  record ${p.position} (byte ${p.offset}): ${p.code} — ${p.message}\n`,
        );
      }
      if (s.problems.length > 20) process.stdout.write(`  … and ${s.failed - 20} more\n`);
    }
  }
  const imported = summaries.reduce((n, s) => n + s.created + s.updated, 0);
  const failed = summaries.reduce((n, s) => n + s.failed, 0);
  if (imported === 0 && failed > 0) process.exitCode = 1;
}

/** `shulin search "…"` */
export async function searchCommand(
  config: Config,
  query: string,
  options: { json?: boolean; limit?: string; page?: string },
): Promise<void> {
  const limit = Math.min(100, Math.max(1, Number(options.limit ?? 10) || 10));
  const page = Math.max(1, Number(options.page ?? 1) || 1);
  const shulin = await buildApp(config, {
    logger: createLogger({ level: 'warn' }),
    catalogRefreshMs: 0,
  });
  try {
    await shulin.services.catalog.load();
    const result = await shulin.services.catalog.search({
      q: query,
      limit,
      offset: (page - 1) * limit,
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${result.total} records for “${query}”\n`);
    if (result.suggestion) process.stdout.write(`Did you mean: ${result.suggestion}\n`);
    result.hits.forEach((hit, i) => {
      const who = hit.authors.slice(0, 2).join('; ');
      const where = [hit.publisher, hit.year].filter(Boolean).join(', ');
      process.stdout.write(
        `${String((page - 1) * limit + i + 1).padStart(3)}. ${hit.title}${hit.subtitle ? `: ${hit.subtitle}` : ''}` +
          `${who ? ` / ${who}` : ''}${where ? ` (${where})` : ''} [${hit.callNumber ?? '—'}] ${hit.items.available}/${hit.items.total} available\n`,
      );
    });
  } finally {
    await shulin.close();
  }
}
