/**
 * bench/catalogue: Shulin's catalogue search next to two peers, on the same
 * records and the same queries, in one run.
 *
 *   npm run bench:catalogue -- --records 1000000
 *   npm run bench:catalogue -- --data DIR [--records N]     # reuse generated data (a prefix of it)
 *
 * Options: --targets shulin,fts5,zebra  --passes 3  --warmup 100  --budget-s 1800 (per target,
 * timed passes)  --zebra-records auto|N  --seed S  --keep-data (keep the generated temp data).
 *
 * Each target runs in a child process of its own (measure.ts), one after the
 * other, so memory figures are per target and no two engines compete for the
 * two cores. Results: a markdown table on stdout, JSON in bench/catalogue/results/.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  intArg,
  loadMeta,
  loadQueries,
  log,
  parseArgs,
  percentile,
  type DataMeta,
} from './common.ts';
import { DEFAULT_SEED, generate } from './generate.ts';
import { AGREE_QUERIES, TARGET_KINDS, type TargetKind, type TargetResult } from './measure.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const CHILD_TIMEOUT_MS = 4 * 3600 * 1000;
const AGREE_N = AGREE_QUERIES;

const targets = (args.get('targets') ?? TARGET_KINDS.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean) as TargetKind[];
for (const t of targets)
  if (!TARGET_KINDS.includes(t))
    throw new Error(`unknown target ${t} (${TARGET_KINDS.join(', ')})`);

const cleanups: Array<() => void> = [];
let child: ReturnType<typeof spawn> | undefined;
const cleanup = (): void => {
  while (cleanups.length) cleanups.pop()!();
};
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    log(`${sig}: stopping`);
    child?.kill('SIGTERM'); // the child stops its own engine and removes its work dir
    setTimeout(() => {
      cleanup();
      process.exit(130);
    }, 3000).unref();
  });

function prepareData(): { dir: string; meta: DataMeta; records: number; generated: boolean } {
  const given = args.get('data');
  if (given) {
    const dir = resolve(given);
    if (!existsSync(join(dir, 'meta.json'))) {
      // --data names where to generate (and keep) the data
      const records = intArg(args, 'records', 100_000);
      log(`generating ${records.toLocaleString('en')} records into ${dir}`);
      const { meta } = generate(records, dir, intArg(args, 'seed', DEFAULT_SEED));
      return { dir, meta, records, generated: true };
    }
    const meta = loadMeta(dir);
    const records = intArg(args, 'records', meta.records);
    if (records > meta.records)
      throw new Error(`${dir} holds ${meta.records} records; --records ${records} is more`);
    return { dir, meta, records, generated: false };
  }
  const records = intArg(args, 'records', 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'shulin-catalogue-data-'));
  if (!args.has('keep-data')) cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  log(`generating ${records.toLocaleString('en')} records into ${dir}`);
  const { meta } = generate(records, dir, intArg(args, 'seed', DEFAULT_SEED));
  return { dir, meta, records, generated: true };
}

async function runTarget(
  kind: TargetKind,
  dataDir: string,
  records: number,
): Promise<TargetResult> {
  const work = mkdtempSync(join(tmpdir(), `shulin-catalogue-${kind}-`));
  const out = join(work, 'result.json');
  const removeWork = (): void => rmSync(work, { recursive: true, force: true });
  cleanups.push(removeWork);
  const childArgs = [
    '--import',
    'tsx',
    '--expose-gc',
    join(here, 'measure.ts'),
    '--target',
    kind,
    '--data',
    dataDir,
    '--records',
    String(records),
    '--work',
    join(work, 'w'),
    '--out',
    out,
  ];
  for (const k of ['passes', 'warmup', 'budget-s', 'zebra-records'])
    if (args.has(k)) childArgs.push(`--${k}`, args.get(k)!);
  const t0 = Date.now();
  const code = await new Promise<number | null>((resolvePromise) => {
    child = spawn(process.execPath, childArgs, { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child?.kill('SIGTERM'), CHILD_TIMEOUT_MS);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolvePromise(c);
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolvePromise(-1);
    });
  });
  child = undefined;
  let result: TargetResult;
  if (existsSync(out)) result = JSON.parse(readFileSync(out, 'utf8')) as TargetResult;
  else
    result = {
      target: kind,
      kind,
      status: 'failed',
      reason: `measure process exited with ${code} and wrote no result`,
      seconds: (Date.now() - t0) / 1000,
    };
  removeWork();
  return result;
}

// ---------- report ----------

interface Agreement {
  a: string;
  b: string;
  agree: number;
  n: number;
  /** record count the two were compared at */
  at: number;
  differ: string[];
}

const f1 = (x: number | undefined): string =>
  x === undefined || Number.isNaN(x)
    ? '–'
    : x >= 100
      ? x.toFixed(0)
      : x >= 10
        ? x.toFixed(1)
        : x.toFixed(2);
const int = (x: number | undefined): string =>
  x === undefined ? '–' : Math.round(x).toLocaleString('en');

function markdown(
  results: TargetResult[],
  meta: DataMeta,
  records: number,
  agreement: Agreement[],
): string {
  const lines: string[] = [];
  lines.push(
    `### bench/catalogue: ${records.toLocaleString('en')} records, ${meta.queries} queries`,
    '',
    '| target | records | import rec/s | import s | index size MB | RSS MB | p50 ms | p90 ms | p99 ms | max ms | 0-hit | facets |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const r of results) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.target} | ${r.status}: ${(r.reason ?? '').split('\n')[0]} |||||||||||`);
      continue;
    }
    const o = r.queries!.overall;
    lines.push(
      `| ${r.target} | ${int(r.build!.records)} | ${int(r.build!.recordsPerSecond)} | ${f1(r.build!.seconds)} | ${f1(r.sizeMb)} | ${int(r.memoryAfterQueries?.rssMb)} | ${f1(o.p50_ms)} | ${f1(o.p90_ms)} | ${f1(o.p99_ms)} | ${f1(o.max_ms)} | ${r.queries!.zeroHit} | ${r.queries!.facets ? 'yes' : 'no'} |`,
    );
  }
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length) {
    const kinds = [...new Set(ok.flatMap((r) => Object.keys(r.queries!.byKind)))];
    const queries = new Map<string, number>();
    for (const r of ok) for (const [k, v] of Object.entries(r.queries!.byKind)) queries.set(k, v.n);
    lines.push(
      '',
      'p50 / p99 ms by query kind (0-hit queries in brackets):',
      '',
      `| kind (n) | ${ok.map((r) => r.target).join(' | ')} |`,
      `|---|${ok.map(() => '---:').join('|')}|`,
    );
    for (const k of kinds)
      lines.push(
        `| ${k} (${queries.get(k)}) | ${ok
          .map((r) => {
            const s = r.queries!.byKind[k];
            return s
              ? `${f1(s.p50_ms)} / ${f1(s.p99_ms)} [${r.queries!.zeroHitByKind[k] ?? 0}]`
              : '–';
          })
          .join(' | ')} |`,
      );
    const buckets = ['0', '1-999', '1k-10k', '10k-100k', '>=100k'];
    lines.push(
      '',
      'median ms by hits per query (n):',
      '',
      `| target | ${buckets.join(' | ')} |`,
      `|---|${buckets.map(() => '---:').join('|')}|`,
    );
    for (const r of ok)
      lines.push(
        `| ${r.target} | ${buckets
          .map((b) => {
            const s = r.queries!.byHits[b];
            return s ? `${f1(s.p50_ms)} (${s.n})` : '–';
          })
          .join(' | ')} |`,
      );
    lines.push('', 'memory:', '');
    for (const r of ok)
      lines.push(
        `- ${r.target}: ${r.memoryAfterBuild?.what}: RSS ${int(r.memoryAfterBuild?.rssMb)} MB after import, ${int(r.memoryAfterQueries?.rssMb)} MB after queries, peak ${int(r.memoryAfterQueries?.peakMb)} MB`,
      );
    lines.push('', 'hit counts per query:', '');
    for (const r of ok) {
      const t = [...r.totals!].filter((x) => x >= 0).sort((a, b) => a - b);
      lines.push(
        `- ${r.target}: median ${int(percentile(t, 50))}, p90 ${int(percentile(t, 90))}, max ${int(t[t.length - 1])}, ≥10k: ${t.filter((x) => x >= 10_000).length}, ≥100k: ${t.filter((x) => x >= 100_000).length}, 0: ${t.filter((x) => x === 0).length}, errors: ${r.queries!.errors}`,
      );
    }
  }
  if (agreement.length) {
    lines.push('', `hit-count agreement on the first ${AGREE_N} queries:`, '');
    for (const a of agreement)
      lines.push(
        a.n === 0
          ? `- ${a.a} vs ${a.b}: ${a.differ[0]}`
          : `- ${a.a} vs ${a.b} (at ${a.at.toLocaleString('en')} records): ${a.agree} of ${a.n} equal`,
      );
  }
  const shulin = results.find((r) => r.kind === 'shulin' && r.status === 'ok');
  if (shulin) {
    const o = shulin.queries!.overall;
    const rss = Math.max(
      shulin.memoryAfterBuild?.rssMb ?? 0,
      shulin.memoryAfterQueries?.rssMb ?? 0,
    );
    const check = (okay: boolean): string => (okay ? 'met' : 'NOT met');
    lines.push(
      '',
      `goal (at 1M records): p50 ≤ 10 ms ${check(o.p50_ms <= 10)}, p99 ≤ 50 ms ${check(o.p99_ms <= 50)}, ` +
        `facets ${check(shulin.queries!.facets)}, import ≥ 20,000 rec/s ${check(shulin.build!.recordsPerSecond >= 20_000)}, ` +
        `RSS ≤ 2 GB ${check(rss <= 2048)}${records < 1_000_000 ? ` (this run: ${records.toLocaleString('en')} records)` : ''}`,
    );
  }
  lines.push(
    '',
    `data: seed ${meta.seed}; records.mrc sha256 ${meta.files['records.mrc']?.sha256.slice(0, 16)}… (${meta.records.toLocaleString('en')} records), ` +
      `first-100k prefix sha256 ${meta.mrcPrefix100kSha256.slice(0, 16)}…, queries.json sha256 ${meta.files['queries.json']?.sha256.slice(0, 16)}…`,
  );
  return lines.join('\n');
}

// ---------- main ----------

const started = new Date();
const load0 = loadavg();
try {
  const { dir, meta, records, generated } = prepareData();
  if (generated)
    log(
      `generated ${meta.records.toLocaleString('en')} records at ${meta.recordsPerSecond.toLocaleString('en')} records/s (${meta.generatedSeconds} s)`,
    );
  const results: TargetResult[] = [];
  for (const kind of targets) {
    log(`=== ${kind}`);
    results.push(await runTarget(kind, dir, records));
  }
  // agreement of exact hit counts on the first queries, every pair of targets that has them
  const queries = loadQueries(dir);
  const ok = results.filter((r) => r.status === 'ok' && r.totals);
  const agreement: Agreement[] = [];
  for (let i = 0; i < ok.length; i++)
    for (let j = i + 1; j < ok.length; j++) {
      const a = ok[i]!;
      const b = ok[j]!;
      const ra = a.build!.records;
      const rb = b.build!.records;
      let ta = a.totals!;
      let tb = b.totals!;
      const at = Math.min(ra, rb);
      if (ra !== rb) {
        // compare at the smaller size if the larger target counted hits among that prefix
        const pa = ra > rb ? a.prefixTotals?.[String(rb)] : undefined;
        const pb = rb > ra ? b.prefixTotals?.[String(ra)] : undefined;
        if (pa) ta = pa;
        else if (pb) tb = pb;
        else {
          agreement.push({
            a: a.target,
            b: b.target,
            agree: 0,
            n: 0,
            at,
            differ: [`not compared: ${ra} vs ${rb} records and no prefix counts`],
          });
          continue;
        }
      }
      const differ: string[] = [];
      let agree = 0;
      const n = Math.min(AGREE_N, queries.length, ta.length, tb.length);
      for (let k = 0; k < n; k++) {
        if (ta[k] === tb[k]) agree++;
        else differ.push(`${queries[k]!.q} [${queries[k]!.kind}]: ${ta[k]} vs ${tb[k]}`);
      }
      agreement.push({ a: a.target, b: b.target, agree, n, at, differ });
    }
  const md = markdown(results, meta, records, agreement);
  console.log('\n' + md + '\n');
  const resultsDir = join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = join(resultsDir, `run-${records}-${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        started: started.toISOString(),
        finished: new Date().toISOString(),
        env: {
          node: process.version,
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          memGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
          loadavgStart: load0,
          loadavgEnd: loadavg(),
        },
        records,
        data: {
          dir: generated && !args.has('keep-data') && !args.has('data') ? '(temp, removed)' : dir,
          meta,
        },
        agreement,
        results,
      },
      null,
      1,
    ) + '\n',
  );
  writeFileSync(file.replace(/\.json$/, '.md'), md + '\n');
  log(`saved ${file}`);
  if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
} catch (e) {
  console.error(`bench/catalogue: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
