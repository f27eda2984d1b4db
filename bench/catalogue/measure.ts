/**
 * Measures one target in this process: import/index, size, memory, then the
 * query set (100-query warm-up, 3 timed passes, median per query), then exact
 * hit counts outside the timed loop. run.ts starts one process per target:
 *
 *   node --import tsx bench/catalogue/measure.ts --target shulin|fts5|zebra --data DIR
 *        [--records N] [--work DIR] [--out FILE] [--passes 3] [--warmup 100]
 *        [--budget-s 1800] [--zebra-records auto|N]
 */
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  groupSummary,
  hitBucket,
  intArg,
  loadMeta,
  loadQueries,
  log,
  mb,
  median,
  parseArgs,
  procMem,
  summarize,
  type BenchQuery,
  type LatencySummary,
} from './common.ts';
import { readMarcRecords } from './marc.ts';
import { Fts5Peer } from './peer-fts5.ts';
import { ZebraPeer } from './peer-zebra.ts';
import { createShulinTarget, type CatalogueTarget } from './shulin-target.ts';
import type {
  BenchTarget,
  BuildReport,
  MemoryReport,
  SearchResult,
  TargetOptions,
} from './target.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const TARGET_KINDS = ['shulin', 'fts5', 'zebra'] as const;
/** agreement is checked on the first 60 queries; also at 100k records for a peer that stops there */
export const AGREE_QUERIES = 60;
const PREFIX_RECORDS = 100_000;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface MeasureSettings {
  passes: number;
  warmup: number;
  /** seconds for the timed passes; a pass that would run past it is cut short */
  budgetS: number;
}

export interface TargetResult {
  target: string;
  kind: TargetKind;
  status: 'ok' | 'not available' | 'failed';
  reason?: string;
  description?: string;
  build?: BuildReport & { recordsPerSecond: number };
  sizeMb?: number;
  sizeDetails?: Record<string, unknown>;
  memoryAfterBuild?: MemoryReport;
  memoryAfterQueries?: MemoryReport;
  queries?: {
    n: number;
    passesCompleted: number;
    warmup: number;
    budgetExceeded: boolean;
    overall: LatencySummary;
    byKind: Record<string, LatencySummary>;
    byHits: Record<string, LatencySummary>;
    zeroHit: number;
    zeroHitByKind: Record<string, number>;
    errors: number;
    firstErrors: string[];
    facets: boolean;
    returnedMean: number;
    timedQueryHasTotal: boolean;
  };
  /** exact hit count per query (-1: error) */
  totals?: number[];
  /** hit counts of the first queries among the first N records (keyed by N), for a smaller peer */
  prefixTotals?: Record<string, number[]>;
  perQueryMs?: number[];
  seconds: number;
}

/** Wraps the Shulin CatalogueTarget as a BenchTarget. */
class ShulinAdapter implements BenchTarget {
  readonly name: string;
  private constructor(
    private readonly t: CatalogueTarget,
    private readonly opts: TargetOptions,
  ) {
    this.name = `shulin (${t.name})`;
  }
  static async create(opts: TargetOptions): Promise<ShulinAdapter> {
    return new ShulinAdapter(await createShulinTarget(join(opts.workDir, 'shulin')), opts);
  }
  describe(): string {
    return 'Shulin catalogue: importMarc(records.mrc), search(q) → total, top 20, facets';
  }
  async build(): Promise<BuildReport> {
    const meta = loadMeta(this.opts.dataDir);
    let file = join(this.opts.dataDir, 'records.mrc');
    if (this.opts.records < meta.records) {
      // a prefix of the data: copy the first N records (not timed)
      file = join(this.opts.workDir, `records-${this.opts.records}.mrc`);
      const fd = openSync(file, 'w');
      try {
        for (const rec of readMarcRecords(
          join(this.opts.dataDir, 'records.mrc'),
          this.opts.records,
        ))
          writeSync(fd, rec);
      } finally {
        closeSync(fd);
      }
    }
    const r = await this.t.importMarc(file);
    return { records: r.records, seconds: r.seconds };
  }
  search(q: string): Promise<SearchResult> {
    return this.t.search(q);
  }
  async count(q: string): Promise<number> {
    return (await this.t.search(q)).total;
  }
  sizeBytes(): Promise<number> {
    return this.t.sizeBytes();
  }
  memory(): MemoryReport {
    globalThis.gc?.();
    const m = procMem(process.pid);
    return {
      what: 'benchmark process (Shulin in-process)',
      rssMb: mb(m?.rss ?? 0),
      peakMb: mb(m?.hwm ?? 0),
    };
  }
  close(): Promise<void> {
    return this.t.close();
  }
}

async function createTarget(kind: TargetKind, opts: TargetOptions): Promise<BenchTarget> {
  switch (kind) {
    case 'fts5':
      return new Fts5Peer(opts);
    case 'zebra':
      return new ZebraPeer(opts);
    case 'shulin':
      return ShulinAdapter.create(opts);
  }
}

interface Timed {
  ms: number[][];
  results: Array<SearchResult | undefined>;
  errors: string[];
  passes: number;
  budgetExceeded: boolean;
}

async function timeQueries(
  t: BenchTarget,
  queries: readonly BenchQuery[],
  s: MeasureSettings,
): Promise<Timed> {
  const errors: string[] = [];
  const run = async (q: string): Promise<SearchResult | undefined> => {
    try {
      return await t.search(q);
    } catch (e) {
      errors.push(`${q}: ${(e as Error).message}`);
      return undefined;
    }
  };
  const t0 = Date.now();
  const budgetMs = s.budgetS * 1000;
  for (let i = 0; i < Math.min(s.warmup, queries.length); i++) await run(queries[i]!.q);
  const ms: number[][] = queries.map(() => []);
  const results: Array<SearchResult | undefined> = queries.map(() => undefined);
  let passes = 0;
  let budgetExceeded = false;
  outer: for (let p = 0; p < s.passes; p++) {
    for (let i = 0; i < queries.length; i++) {
      if (Date.now() - t0 > budgetMs) {
        budgetExceeded = true;
        break outer;
      }
      const q0 = process.hrtime.bigint();
      const r = await run(queries[i]!.q);
      ms[i]!.push(Number(process.hrtime.bigint() - q0) / 1e6);
      if (p === 0) results[i] = r;
    }
    passes++;
    log(`${t.name}: pass ${passes}/${s.passes} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return { ms, results, errors, passes, budgetExceeded };
}

export async function measureTarget(
  kind: TargetKind,
  opts: TargetOptions,
  s: MeasureSettings,
): Promise<TargetResult> {
  const started = process.hrtime.bigint();
  const elapsed = (): number =>
    Number((Number(process.hrtime.bigint() - started) / 1e9).toFixed(1));
  let t: BenchTarget;
  try {
    t = await createTarget(kind, opts);
  } catch (e) {
    const reason = (e as Error).message;
    log(`${kind}: not available: ${reason}`);
    return { target: kind, kind, status: 'not available', reason, seconds: elapsed() };
  }
  const result: TargetResult = { target: t.name, kind, status: 'failed', seconds: 0 };
  try {
    result.description = t.describe();
    log(`${t.name}: import/index of ${opts.records.toLocaleString('en')} records`);
    const b = await t.build();
    result.build = { ...b, recordsPerSecond: Math.round(b.records / Math.max(b.seconds, 1e-9)) };
    log(
      `${t.name}: ${b.records.toLocaleString('en')} records in ${b.seconds} s (${result.build.recordsPerSecond.toLocaleString('en')}/s)`,
    );
    result.memoryAfterBuild = t.memory();
    result.sizeMb = mb(await t.sizeBytes());
    result.sizeDetails = (await t.sizeDetails?.()) ?? {};

    const queries = loadQueries(opts.dataDir);
    const timed = await timeQueries(t, queries, s);
    const measured = queries.map((_, i) => i).filter((i) => timed.ms[i]!.length > 0);
    const perQueryMs = queries.map((_, i) => (timed.ms[i]!.length ? median(timed.ms[i]!) : NaN));

    // exact totals, outside the timed loop
    const totals: number[] = [];
    for (let i = 0; i < queries.length; i++) {
      const r = timed.results[i];
      if (r && r.total !== null) totals.push(r.total);
      else if (!r && timed.ms[i]!.length > 0) totals.push(-1);
      else {
        try {
          totals.push(await t.count(queries[i]!.q));
        } catch {
          totals.push(-1);
        }
      }
    }
    if (t.countUpTo && opts.records > PREFIX_RECORDS) {
      const first: number[] = [];
      for (const q of queries.slice(0, AGREE_QUERIES))
        first.push(await t.countUpTo(q.q, PREFIX_RECORDS));
      result.prefixTotals = { [String(PREFIX_RECORDS)]: first };
    }
    result.memoryAfterQueries = t.memory();
    const kinds = measured.map((i) => queries[i]!.kind);
    const ms = measured.map((i) => perQueryMs[i]!);
    const zeroByKind: Record<string, number> = {};
    queries.forEach((q, i) => {
      if (totals[i] === 0) zeroByKind[q.kind] = (zeroByKind[q.kind] ?? 0) + 1;
    });
    const returned = measured.map((i) => timed.results[i]?.hits.length ?? 0);
    result.queries = {
      n: measured.length,
      passesCompleted: timed.passes,
      warmup: s.warmup,
      budgetExceeded: timed.budgetExceeded,
      overall: summarize(ms),
      byKind: groupSummary(kinds, ms),
      byHits: groupSummary(
        measured.map((i) => hitBucket(totals[i]!)),
        ms,
      ),
      zeroHit: totals.filter((x) => x === 0).length,
      zeroHitByKind: zeroByKind,
      errors: timed.errors.length,
      firstErrors: timed.errors.slice(0, 5),
      facets: timed.results.some((r) => r?.facets !== undefined),
      returnedMean: Number(
        (returned.reduce((a, b) => a + b, 0) / Math.max(1, returned.length)).toFixed(2),
      ),
      timedQueryHasTotal: timed.results.some((r) => r !== undefined && r.total !== null),
    };
    result.totals = totals;
    result.perQueryMs = perQueryMs.map((x) => Number(x.toFixed(3)));
    result.status = 'ok';
    const o = result.queries.overall;
    log(
      `${t.name}: p50 ${o.p50_ms} ms, p99 ${o.p99_ms} ms, max ${o.max_ms} ms over ${o.n} queries`,
    );
  } catch (e) {
    result.status = 'failed';
    result.reason = (e as Error).stack ?? String(e);
    log(`${t.name}: failed: ${(e as Error).message}`);
  } finally {
    await t.close();
  }
  result.seconds = elapsed();
  return result;
}

/** Shared CLI for measure.ts, peer-fts5.ts and peer-zebra.ts. */
export async function runStandalone(fixedKind?: TargetKind): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const kind = (fixedKind ?? args.get('target')) as TargetKind | undefined;
  if (!kind || !TARGET_KINDS.includes(kind)) throw new Error('--target shulin|fts5|zebra');
  const dataArg = args.get('data');
  if (!dataArg) throw new Error('--data DIR (made by generate.ts) is required');
  const dataDir = resolve(dataArg);
  const meta = loadMeta(dataDir);
  const records = Math.min(intArg(args, 'records', meta.records), meta.records);
  const ownWork = !args.has('work');
  const workDir = ownWork
    ? mkdtempSync(join(tmpdir(), `shulin-catalogue-${kind}-`))
    : resolve(args.get('work')!);
  mkdirSync(workDir, { recursive: true });
  const settings = new Map<string, string>();
  if (args.has('zebra-records')) settings.set('zebraRecords', args.get('zebra-records')!);
  const cleanup = (): void => {
    if (ownWork) rmSync(workDir, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      log(`${kind}: ${sig}, cleaning up`);
      cleanup();
      process.exit(130);
    });
  try {
    const r = await measureTarget(
      kind,
      { dataDir, records, workDir, settings },
      {
        passes: intArg(args, 'passes', 3),
        warmup: intArg(args, 'warmup', 100),
        budgetS: intArg(args, 'budget-s', 1800),
      },
    );
    const out =
      args.get('out') ??
      join(
        here,
        'results',
        `${kind}-${records}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
      );
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(r, null, 1) + '\n');
    if (!args.has('out')) {
      console.log(JSON.stringify({ ...r, totals: undefined, perQueryMs: undefined }, null, 1));
      log(`saved ${out}`);
    }
    if (r.status === 'failed') process.exitCode = 1;
  } finally {
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runStandalone();
