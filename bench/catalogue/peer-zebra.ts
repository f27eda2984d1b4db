/**
 * The Zebra peer (Debian idzebra-2.0, the engine behind Koha), set up from the
 * research configuration vendored in bench/catalogue/zebra/ (copied from
 * ../shared/research/zebra: DOM filter, ICU chains, Bib-1 index names).
 *
 * - One private instance in a temp folder, listening on 127.0.0.1 only (a free
 *   port), stopped at the end and on error.
 * - The first N records of records.mrc are split by format (leader/20-23
 *   '4500' = MARC21, '450 ' = UNIMARC) and loaded into ONE database,
 *   `catalogue`, with two zebraidx runs: `-t dom.dom-marc21-iso2709.xml` and
 *   `-t dom.dom-unimarc-iso2709.xml`. Both XSLTs emit the same index names, so
 *   one SRU request searches every record.
 * - Changes to the research config, made here at run time: register size
 *   100M → 40G (1M records do not fit in 100M), `memMax: 512` (zebraidx sort
 *   buffer in MB), modulePath set to where Debian put the modules, and the port.
 * - N: `--zebra-records auto` (default) indexes min(records, 100k) first and
 *   continues to all records only if the measured rate projects the whole
 *   index at ≤ 10 minutes; `--zebra-records N` forces a size.
 * - Query: SRU 1.2 over `fetch` (keep-alive), maximumRecords=20,
 *   recordSchema=marcxml, CQL = every whitespace-separated query word as
 *   `cql.serverChoice =/relevant "word"` AND-ed. serverChoice maps to Bib-1
 *   1=1016 (Any: every subfield of every field); `/relevant` maps to relation
 *   2=102, Zebra's rank-1 relevance ranking (tf-idf like). Zebra tokenizes
 *   CJK per character and matches a multi-character word as adjacent
 *   characters, so Chinese needs no segmentation on either side.
 *
 *   node --import tsx bench/catalogue/peer-zebra.ts --data DIR [--records N] [--zebra-records auto|N]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childPids, dirSize, log, mb, procMem, secondsSince } from './common.ts';
import { isUnimarc, readMarcRecords } from './marc.ts';
import type {
  BenchTarget,
  BuildReport,
  Hit,
  MemoryReport,
  SearchResult,
  TargetOptions,
} from './target.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CONFIG_DIR = join(here, 'zebra');
const DB = 'catalogue';
const PACKAGES = ['idzebra-2.0-utils', 'libidzebra-2.0-mod-dom', 'idzebra-2.0-common', 'yaz'];
const AUTO_FIRST = 100_000;
const AUTO_LIMIT_S = 600;
const INDEX_TIMEOUT_S = 3 * 3600;
const REQUEST_TIMEOUT_MS = 120_000;

function findModuleDir(): string | undefined {
  for (const d of ['/usr/lib', ...readdirSync('/usr/lib').map((x) => join('/usr/lib', x))]) {
    const m = join(d, 'idzebra-2.0', 'modules');
    if (existsSync(join(m, 'mod-dom.so'))) return m;
  }
  return undefined;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Installs the Debian packages if (and only if) something is missing. */
export function ensureZebra(): { installed: boolean; seconds: number; packages: string[] } {
  const missing: string[] = [];
  if (!onPath('zebraidx') || !onPath('zebrasrv')) missing.push('idzebra-2.0-utils');
  if (!findModuleDir()) missing.push('libidzebra-2.0-mod-dom');
  if (!existsSync('/usr/share/idzebra-2.0/tab/bib1.att')) missing.push('idzebra-2.0-common');
  if (missing.length === 0) return { installed: false, seconds: 0, packages: [] };
  const uid = process.getuid?.() ?? -1;
  const cmd = `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${PACKAGES.join(' ')}`;
  if (uid !== 0)
    throw new Error(`Zebra is not installed (missing ${missing.join(', ')}); run as root: ${cmd}`);
  log(`Zebra is not installed (missing ${missing.join(', ')}): running ${cmd}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', cmd], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`apt-get install failed (status ${r.status})`);
  const seconds = secondsSince(t0);
  log(`Zebra installed in ${seconds} s`);
  return { installed: true, seconds, packages: PACKAGES };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** CQL: every query word AND-ed over serverChoice (Any), with relevance ranking. */
export function toCql(q: string): string {
  const words = q.trim().split(/\s+/).filter(Boolean);
  const esc = (w: string): string => w.replace(/([\\"*?^])/g, '\\$1');
  return words.map((w) => `cql.serverChoice =/relevant "${esc(w)}"`).join(' and ');
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');

/** numberOfRecords, diagnostics and (001, title) of each MARCXML record in an SRU response. */
export function parseSru(xml: string): SearchResult {
  const diag = /<diag:message>([^<]*)<\/diag:message>/.exec(xml);
  const n = /<zs:numberOfRecords>(\d+)<\/zs:numberOfRecords>/.exec(xml);
  if (!n) throw new Error(`SRU error: ${diag?.[1] ?? xml.slice(0, 200)}`);
  const hits: Hit[] = [];
  for (const rec of xml.split('<zs:recordData>').slice(1)) {
    const id = /<controlfield tag="001">([^<]*)</.exec(rec)?.[1] ?? '';
    const field = /<datafield tag="(?:245|200)"[^>]*>([\s\S]*?)<\/datafield>/.exec(rec)?.[1] ?? '';
    const a = /<subfield code="a">([^<]*)</.exec(field)?.[1] ?? '';
    hits.push({ id: unescapeXml(id), title: unescapeXml(a).replace(/\s*[/:;=]\s*$/, '') });
  }
  return { total: Number(n[1]), hits };
}

export class ZebraPeer implements BenchTarget {
  readonly name = 'zebra peer';
  private readonly dir: string;
  private server: ChildProcess | undefined;
  private indexer: ChildProcess | undefined;
  private port = 0;
  private indexed = 0;
  private readonly exitGuard = (): void => this.killServer();

  constructor(private readonly opts: TargetOptions) {
    this.dir = join(opts.workDir, 'zebra');
  }

  describe(): string {
    return (
      `Zebra ${this.version()} (DOM filter, ICU per-character CJK tokens, T→S folding), one database; ` +
      'SRU 1.2 CQL `cql.serverChoice =/relevant "w"` per word AND-ed (Any index, rank-1 relevance), ' +
      'maximumRecords=20 MARCXML; total from numberOfRecords; no facets'
    );
  }

  private version(): string {
    const r = spawnSync('zebraidx', ['-V'], { encoding: 'utf8' });
    return /Zebra (\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? '?';
  }

  private prepareConfig(): void {
    mkdirSync(join(this.dir, 'reg'), { recursive: true });
    for (const f of readdirSync(CONFIG_DIR)) copyFileSync(join(CONFIG_DIR, f), join(this.dir, f));
    const moduleDir = findModuleDir();
    if (!moduleDir) throw new Error('Zebra DOM module not found');
    let cfg = readFileSync(join(this.dir, 'zebra.cfg'), 'utf8');
    cfg = cfg
      .replace(/^register: .*$/m, 'register: reg:40G')
      .replace(/^modulePath: .*$/m, `modulePath: ${moduleDir}`);
    cfg += '\n# bench/catalogue: zebraidx sort buffer (MB)\nmemMax: 512\n';
    writeFileSync(join(this.dir, 'zebra.cfg'), cfg);
    const gfs = readFileSync(join(this.dir, 'yazgfs.xml'), 'utf8')
      .replace('tcp:127.0.0.1:21210', `tcp:127.0.0.1:${this.port}`)
      .replace('<port>21210</port>', `<port>${this.port}</port>`);
    if (!gfs.includes(`tcp:127.0.0.1:${this.port}`))
      throw new Error('yazgfs.xml: listen not found');
    writeFileSync(join(this.dir, 'yazgfs.xml'), gfs);
  }

  /** Writes records [from, to) of records.mrc into marc21-/unimarc- files by format. */
  private split(
    from: number,
    to: number,
    tag: string,
  ): { marc21: string; unimarc: string; counts: number[] } {
    const files = {
      marc21: join(this.dir, `${tag}-marc21.mrc`),
      unimarc: join(this.dir, `${tag}-unimarc.mrc`),
    };
    const fa = openSync(files.marc21, 'w');
    const fb = openSync(files.unimarc, 'w');
    const counts = [0, 0];
    let i = 0;
    try {
      for (const rec of readMarcRecords(join(this.opts.dataDir, 'records.mrc'), to)) {
        if (i++ < from) continue;
        const uni = isUnimarc(rec);
        writeSync(uni ? fb : fa, rec);
        counts[uni ? 1 : 0]!++;
      }
    } finally {
      closeSync(fa);
      closeSync(fb);
    }
    return { ...files, counts };
  }

  /** Runs zebraidx to completion; returns wall seconds and the peak RSS seen. */
  private async zebraidx(
    db: string,
    type: string,
    file: string,
  ): Promise<{ s: number; peak: number }> {
    const t0 = process.hrtime.bigint();
    const child = (this.indexer = spawn(
      'zebraidx',
      ['-c', 'zebra.cfg', '-l', 'zebraidx.log', '-d', db, '-t', type, 'update', file],
      { cwd: this.dir, stdio: ['ignore', 'ignore', 'inherit'] },
    ));
    let peak = 0;
    const poll = setInterval(() => {
      const m = child.pid ? procMem(child.pid) : null;
      if (m) peak = Math.max(peak, m.hwm);
    }, 250);
    const killer = setTimeout(() => child.kill('SIGKILL'), INDEX_TIMEOUT_S * 1000);
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', resolve);
      });
      if (code !== 0) throw new Error(`zebraidx exited with ${code}; see ${this.dir}/zebraidx.log`);
    } finally {
      clearInterval(poll);
      clearTimeout(killer);
      this.indexer = undefined;
    }
    return { s: secondsSince(t0), peak };
  }

  private async indexRange(from: number, to: number, tag: string): Promise<Record<string, number>> {
    const t0 = process.hrtime.bigint();
    const parts = this.split(from, to, tag);
    const splitS = secondsSince(t0);
    const a = await this.zebraidx(DB, 'dom.dom-marc21-iso2709.xml', parts.marc21);
    const b = await this.zebraidx(DB, 'dom.dom-unimarc-iso2709.xml', parts.unimarc);
    rmSync(parts.marc21, { force: true });
    rmSync(parts.unimarc, { force: true });
    return {
      records: to - from,
      marc21: parts.counts[0]!,
      unimarc: parts.counts[1]!,
      split_s: splitS,
      index_s: Number((a.s + b.s).toFixed(2)),
      zebraidx_peak_mb: mb(Math.max(a.peak, b.peak)),
    };
  }

  async build(): Promise<BuildReport> {
    process.once('exit', this.exitGuard);
    const install = ensureZebra();
    this.port = await freePort();
    this.prepareConfig();
    const want = this.opts.settings.get('zebraRecords') ?? 'auto';
    const all = this.opts.records;
    const stages: Array<Record<string, number>> = [];
    let decision: string;
    if (want === 'auto') {
      const first = Math.min(all, AUTO_FIRST);
      log(`zebra: indexing the first ${first.toLocaleString('en')} records`);
      stages.push(await this.indexRange(0, first, 's1'));
      const s1 = stages[0]!;
      const projected = (s1.index_s! * all) / first;
      if (all > first && projected <= AUTO_LIMIT_S) {
        decision = `auto: ${first} records took ${s1.index_s} s; ${all} projected at ${projected.toFixed(0)} s ≤ ${AUTO_LIMIT_S} s, so all were indexed`;
        log(`zebra: ${decision}`);
        stages.push(await this.indexRange(first, all, 's2'));
      } else
        decision =
          all > first
            ? `auto: ${first} records took ${s1.index_s} s; ${all} projected at ${projected.toFixed(0)} s > ${AUTO_LIMIT_S} s, so Zebra stays at ${first}`
            : `auto: all ${all} records`;
    } else {
      const n = Math.min(all, Number(want));
      if (!Number.isInteger(n) || n < 1) throw new Error('--zebra-records must be auto or a count');
      decision = `forced: ${n} records`;
      log(`zebra: indexing the first ${n.toLocaleString('en')} records`);
      stages.push(await this.indexRange(0, n, 's1'));
    }
    this.indexed = stages.reduce((a, s) => a + s.records!, 0);
    const seconds = Number(stages.reduce((a, s) => a + s.index_s!, 0).toFixed(2));
    await this.startServer();
    return {
      records: this.indexed,
      seconds,
      details: { decision, stages, install, port: this.port, version: this.version() },
    };
  }

  private async startServer(): Promise<void> {
    this.server = spawn(
      'zebrasrv',
      ['-f', 'yazgfs.xml', '-l', 'zebrasrv.log', '-p', 'zebrasrv.pid'],
      {
        cwd: this.dir,
        stdio: 'ignore',
        detached: true, // own process group: stop() ends zebrasrv and its session children together
      },
    );
    const deadline = Date.now() + 30_000;
    let lastErr = '';
    while (Date.now() < deadline) {
      try {
        const r = await this.sru('cql.allRecords=1', 0);
        if (r.total === this.indexed) return;
        lastErr = `answered ${r.total} records, expected ${this.indexed}`;
      } catch (e) {
        lastErr = (e as Error).message;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`zebrasrv did not come up on port ${this.port}: ${lastErr}`);
  }

  private async sru(cql: string, max: number): Promise<SearchResult> {
    const params = new URLSearchParams({
      version: '1.2',
      operation: 'searchRetrieve',
      query: cql,
      maximumRecords: String(max),
      recordSchema: 'marcxml',
    });
    const res = await fetch(`http://127.0.0.1:${this.port}/${DB}?${params.toString()}`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`SRU HTTP ${res.status}`);
    return parseSru(body);
  }

  search(q: string): Promise<SearchResult> {
    const cql = toCql(q);
    if (!cql) return Promise.resolve({ total: 0, hits: [] });
    return this.sru(cql, 20);
  }

  async count(q: string): Promise<number> {
    const cql = toCql(q);
    return cql ? ((await this.sru(cql, 0)).total ?? 0) : 0;
  }

  sizeBytes(): Promise<number> {
    return Promise.resolve(dirSize(join(this.dir, 'reg')));
  }

  sizeDetails(): Promise<Record<string, unknown>> {
    return Promise.resolve({
      register_mb: mb(dirSize(join(this.dir, 'reg'))),
      note: 'register holds the index and the stored MARCXML records (storeData: 1, storeKeys: 1)',
    });
  }

  memory(): MemoryReport {
    const pid = this.server?.pid;
    if (!pid) return { what: 'zebrasrv (not running)', rssMb: 0, peakMb: 0 };
    const pids = [pid, ...childPids(pid)];
    const mems = pids.map((p) => procMem(p) ?? { rss: 0, hwm: 0 });
    return {
      what: `zebrasrv server processes (listener + ${pids.length - 1} session process(es), RSS summed)`,
      rssMb: mb(mems.reduce((a, m) => a + m.rss, 0)),
      peakMb: mb(mems.reduce((a, m) => a + m.hwm, 0)),
      details: { pids },
    };
  }

  private killServer(): void {
    this.indexer?.kill('SIGKILL');
    const pid = this.server?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      // already gone
    }
    this.server = undefined;
  }

  async close(): Promise<void> {
    const pid = this.server?.pid;
    this.killServer();
    process.removeListener('exit', this.exitGuard);
    if (pid) {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && procMem(pid)) await new Promise((r) => setTimeout(r, 50));
      if (procMem(pid)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // not awaited: measure.ts imports this module, so it must finish evaluating first
  import('./measure.ts')
    .then((m) => m.runStandalone('zebra'))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
