import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { buildApp } from '../app.ts';
import { importMarc, type ImportProgress, type ImportSummary } from '../modules/catalog/import.ts';
import type { Charset, Flavour } from '../modules/catalog/marc/index.ts';
import { HarvestError } from '../modules/catalog/oai/errors.ts';
import {
  harvestOai,
  type HarvestProgress,
  type HarvestSummary,
} from '../modules/catalog/oai/harvest.ts';
import { isDatestamp } from '../modules/catalog/oai/protocol.ts';
import { HarvestRepository, type HarvestTables } from '../modules/catalog/oai/repository.ts';
import type { Config } from '../platform/config.ts';
import { tablesOf } from '../platform/db/index.ts';
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

export interface ImportOaiOptions {
  prefix?: string;
  set?: string;
  from?: string;
  until?: string;
  full?: boolean;
  flavour?: string;
  itemFields?: string;
  json?: boolean;
}

function harvestBar(url: string, p: HarvestProgress, started: number): string {
  const seconds = Math.round((performance.now() - started) / 1000);
  const of = p.completeListSize !== null ? `/${p.completeListSize}` : '';
  return `\r${url}: ${p.read}${of} records (page ${p.pages}), ${p.created} new, ${p.updated} updated, ${p.deleted} deleted, ${p.failed} skipped — ${seconds} s`;
}

/** `shulin import oai URL`: an incremental OAI-PMH harvest into the catalogue. */
export async function importOaiCommand(
  config: Config,
  url: string,
  options: ImportOaiOptions,
): Promise<void> {
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    fail(`Not an http(s) URL: ${url}`);
  }
  for (const [name, value] of [
    ['--from', options.from],
    ['--until', options.until],
  ] as const) {
    if (value !== undefined && !isDatestamp(value)) {
      fail(`${name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not ${value}`);
    }
  }
  if (options.full && options.from) fail('--full and --from contradict each other: use one');
  const flavour = options.flavour ? FLAVOURS[options.flavour.toLowerCase()] : undefined;
  if (options.flavour && !flavour)
    fail(`Unknown --flavour ${options.flavour}: use marc21, unimarc or cnmarc`);
  const fields = options.itemFields
    ?.split(',')
    .map((f) => f.trim())
    .filter((f) => /^\d{3}$/.test(f));

  const shulin = await buildApp(config, {
    logger: createLogger({ level: 'warn' }),
    catalogIndexing: false,
    catalogRefreshMs: 0,
  });
  const tty = !options.json && process.stderr.isTTY;
  const started = performance.now();
  let summary: HarvestSummary;
  try {
    summary = await harvestOai(
      {
        catalog: shulin.services.catalog,
        harvests: new HarvestRepository(tablesOf<HarvestTables>(shulin.services.database.db)),
        clock: shulin.services.clock,
      },
      {
        url,
        ...(options.prefix ? { prefix: options.prefix } : {}),
        ...(options.set ? { set: options.set } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.until ? { until: options.until } : {}),
        ...(options.full ? { full: true } : {}),
        ...(flavour ? { flavour } : {}),
        ...(fields && fields.length > 0 ? { itemFields: { marc21: fields, unimarc: fields } } : {}),
        ...(tty
          ? {
              onProgress: (p: HarvestProgress) => process.stderr.write(harvestBar(url, p, started)),
            }
          : {}),
        onRetry: ({ reason, waitMs }) => {
          if (!options.json) {
            process.stderr.write(
              `${tty ? '\n' : ''}${url}: ${reason}; retrying in ${Math.ceil(waitMs / 1000)} s\n`,
            );
          }
        },
      },
    );
  } catch (error) {
    if (tty) process.stderr.write('\n');
    if (error instanceof HarvestError || error instanceof RangeError) {
      process.stderr.write(`shulin import oai: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  } finally {
    await shulin.close();
  }
  if (tty) process.stderr.write(`${harvestBar(url, summary, started)}\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const source = [summary.prefix, summary.set ? `set ${summary.set}` : null]
      .filter(Boolean)
      .join(', ');
    const range =
      summary.from || summary.until
        ? ` (${summary.from ? `from ${summary.from}` : ''}${summary.from && summary.until ? ' ' : ''}${summary.until ? `until ${summary.until}` : ''})`
        : ' (everything)';
    process.stdout.write(
      `${url} [${source}]${range}: ${summary.created} new, ${summary.updated} updated, ${summary.deleted} deleted, ${summary.failed} skipped of ${summary.read} records in ${summary.pages} pages, ${summary.seconds} s; the next harvest starts from ${summary.nextFrom}\n`,
    );
    for (const p of summary.problems.slice(0, 20)) {
      process.stdout.write(`  record ${p.position} (${p.identifier}): ${p.code} — ${p.message}\n`);
    }
    if (summary.problems.length > 20) process.stdout.write(`  … and ${summary.failed - 20} more\n`);
    if (summary.ignoredDeletions > 0) {
      process.stdout.write(
        `  ${summary.ignoredDeletions} deletions of records not in the catalogue ignored\n`,
      );
    }
  }
  if (summary.created + summary.updated + summary.deleted === 0 && summary.failed > 0) {
    process.exitCode = 1;
  }
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
