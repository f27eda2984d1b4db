/**
 * Shared helpers for bench/catalogue: seeded PRNG and Zipf sampler, argument
 * parsing, NDJSON streaming, latency statistics, process memory, file sizes.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** mulberry32: small, fast, seeded; period 2^32 (a run draws far fewer numbers). */
export type Rng = () => number;
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: Rng, arr: readonly T[]): T {
  const v = arr[Math.floor(r() * arr.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

/** Zipf-like sampler over a list ordered by popularity: P(rank k) ∝ 1 / k^s. */
export function zipf<T>(arr: readonly T[], s: number): (r: Rng) => T {
  if (arr.length === 0) throw new Error('zipf over an empty list');
  const cdf = new Float64Array(arr.length);
  let sum = 0;
  for (let i = 0; i < arr.length; i++) {
    sum += 1 / Math.pow(i + 1, s);
    cdf[i] = sum;
  }
  for (let i = 0; i < arr.length; i++) cdf[i] = cdf[i]! / sum;
  return (r: Rng) => {
    const x = r();
    let lo = 0;
    let hi = arr.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return arr[lo]!;
  };
}

/** `--name value` and `--flag` (→ 'true') pairs. */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out.set(a.slice(2), 'true');
    else {
      out.set(a.slice(2), next);
      i++;
    }
  }
  return out;
}

export function intArg(args: Map<string, string>, name: string, dflt: number): number {
  const v = args.get(name);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

/** One query of the fixed query set (queries.json). */
export interface BenchQuery {
  q: string;
  kind: string;
}

/** One line of records.ndjson. */
export interface PlainRecord {
  id: string;
  lang: 'chi' | 'eng';
  title: string;
  subtitle: string;
  authors: string[];
  subjects: string[];
  publisher: string;
  year: number;
  isbns: string[];
  clc: string;
  items: Array<{ branch: string; location: string; callNumber: string; barcode: string }>;
}

/** What generate.ts writes next to the data (meta.json). */
export interface DataMeta {
  records: number;
  seed: number;
  queries: number;
  generatedSeconds: number;
  recordsPerSecond: number;
  files: Record<string, { bytes: number; sha256: string }>;
  /** sha256 of the bytes of the first 100,000 records of records.mrc (or all, if fewer). */
  mrcPrefix100kSha256: string;
  chineseRecords: number;
  marc21Records: number;
  items: number;
}

export async function* readLines(file: string, limit = Infinity): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of rl) {
      if (!line) continue;
      if (n >= limit) break;
      n++;
      yield line;
    }
  } finally {
    rl.close();
  }
}

export function loadQueries(dataDir: string): BenchQuery[] {
  return JSON.parse(readFileSync(join(dataDir, 'queries.json'), 'utf8')) as BenchQuery[];
}

export function loadMeta(dataDir: string): DataMeta {
  return JSON.parse(readFileSync(join(dataDir, 'meta.json'), 'utf8')) as DataMeta;
}

// ---------- statistics ----------

export interface LatencySummary {
  n: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
}

const round = (x: number, d = 3): number => Number(x.toFixed(d));

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarize(ms: readonly number[]): LatencySummary {
  const s = [...ms].sort((a, b) => a - b);
  return {
    n: s.length,
    p50_ms: round(percentile(s, 50)),
    p90_ms: round(percentile(s, 90)),
    p99_ms: round(percentile(s, 99)),
    mean_ms: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    max_ms: round(s[s.length - 1] ?? NaN),
  };
}

export function groupSummary(
  keys: readonly string[],
  ms: readonly number[],
): Record<string, LatencySummary> {
  const g = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const list = g.get(k) ?? [];
    list.push(ms[i]!);
    g.set(k, list);
  });
  return Object.fromEntries([...g.entries()].map(([k, v]) => [k, summarize(v)]));
}

export function hitBucket(total: number): string {
  if (total < 0) return 'unknown';
  if (total === 0) return '0';
  if (total < 1000) return '1-999';
  if (total < 10_000) return '1k-10k';
  if (total < 100_000) return '10k-100k';
  return '>=100k';
}

// ---------- process and files ----------

export const secondsSince = (t0: bigint): number =>
  round(Number(process.hrtime.bigint() - t0) / 1e9, 2);

export const mb = (bytes: number): number => round(bytes / 1048576, 1);

/** VmRSS and VmHWM (peak) of a process, in bytes; null if it is gone. */
export function procMem(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number =>
      Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Direct children of a process (Linux /proc scan). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

export function dirSize(path: string): number {
  let total = 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    total += e.isDirectory() ? dirSize(p) : e.isFile() ? statSync(p).size : 0;
  }
  return total;
}

export function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}
