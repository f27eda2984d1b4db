/**
 * bench/wechat-gateway: a text push → text reply, in plaintext and in safe mode,
 * Shulin (dedupe and message log on) side by side with the `wechat` npm package
 * on Express, same pushes, same load generator (autocannon, 50 connections,
 * bounded runs), runs interleaved. Every request is a distinct push.
 *
 *   npm run bench:wechat -- [--duration 10] [--reps 3] [--connections 50] [--tool wrk|autocannon]
 *
 * wrk (Debian package `wrk`) is used when installed: it is written in C and
 * leaves more of the machine's two cores to the servers; autocannon otherwise.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openReply } from '../../server/wechat/signer.ts';
import { parseXml, xmlChildText } from '../../server/wechat/xml.ts';
import { BENCH_ACCOUNT, makePushes } from './common.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const duration = Number(args.get('duration') ?? 10);
const reps = Number(args.get('reps') ?? 3);
const connections = Number(args.get('connections') ?? 50);
const hasWrk = await promisify(execFile)('wrk', ['--version']).then(
  () => true,
  (e: { code?: unknown }) => e.code !== 'ENOENT',
);
const tool = args.get('tool') ?? (hasWrk ? 'wrk' : 'autocannon');
const scratch = mkdtempSync(join(tmpdir(), 'shulin-bench-wrk-'));

interface Server {
  name: string;
  child: ChildProcess;
  port: number;
}

async function start(name: string, script: string): Promise<Server> {
  const child = fork(join(here, script), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: { ready?: boolean; port?: number }) => m.ready && resolve(m.port!));
  });
  return { name, child, port };
}

async function stop(server: Server): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      resolve(null);
    }, 10_000);
    server.child.on('message', (m: { stopped?: boolean }) => {
      if (m.stopped) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    server.child.on('exit', () => {
      clearTimeout(timer);
      resolve(null);
    });
    server.child.send({ stop: true });
  });
}

/** Checks, before loading a server, that it answers a push the way WeChat needs. */
async function check(server: Server, mode: 'plain' | 'safe'): Promise<void> {
  const [push] = makePushes(1, mode, Math.floor(Date.now() / 1000));
  const res = await fetch(`http://127.0.0.1:${server.port}/wechat${push!.path}`, {
    method: 'POST',
    body: push!.body,
  });
  const text = await res.text();
  const opened = openReply(text, {
    token: BENCH_ACCOUNT.token,
    aesKey: BENCH_ACCOUNT.aesKey,
    appid: BENCH_ACCOUNT.appid,
  });
  const content = opened ? xmlChildText(parseXml(opened.xml).value, 'Content') : undefined;
  if (
    res.status !== 200 ||
    !content?.startsWith('收到：') ||
    opened?.encrypted !== (mode === 'safe')
  ) {
    throw new Error(
      `${server.name} ${mode}: unexpected answer ${res.status} ${text.slice(0, 200)}`,
    );
  }
}

/** The server process's CPU time (user + system, all its threads) in µs, from /proc. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / 100) * 1e6;
}

interface Result {
  target: string;
  mode: string;
  rep: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU per answered request: the figure least disturbed by the load generator sharing the cores. */
  cpuUsPerReq: number;
}

async function load(server: Server, mode: 'plain' | 'safe', rep: number): Promise<Result> {
  const pid = server.child.pid!;
  const cpuBefore = cpuMicros(pid);
  const result = await loadOnce(server, mode, rep);
  return {
    ...result,
    cpuUsPerReq: Math.round((cpuMicros(pid) - cpuBefore) / Math.max(1, result.requests)),
  };
}

async function loadOnce(
  server: Server,
  mode: 'plain' | 'safe',
  rep: number,
): Promise<Omit<Result, 'cpuUsPerReq'>> {
  // Enough distinct pushes that none repeats within the run (a repeat is a retry, cheaper to answer).
  const pushes = makePushes(
    Math.max(20_000, duration * 12_000),
    mode,
    Math.floor(Date.now() / 1000),
  );
  if (tool === 'wrk') {
    const file = join(scratch, 'pushes.txt');
    writeFileSync(file, pushes.map((p) => `/wechat${p.path}\n${p.body}\n`).join(''));
    const { stdout } = await promisify(execFile)(
      'wrk',
      [
        '-t1',
        `-c${connections}`,
        `-d${duration}s`,
        '--timeout',
        '10s',
        '-s',
        join(here, 'pushes.lua'),
        `http://127.0.0.1:${server.port}`,
      ],
      { env: { ...process.env, WRK_PUSHES: file }, maxBuffer: 1 << 20 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
    if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
    const w = JSON.parse(line) as {
      requests: number;
      duration_us: number;
      p50_us: number;
      p99_us: number;
      errors: number;
      non2xx: number;
    };
    if (w.requests > pushes.length)
      console.error(
        `  note: ${server.name} ${mode} reused pushes (${w.requests} > ${pushes.length})`,
      );
    return {
      target: server.name,
      mode,
      rep,
      requests: w.requests,
      rps: w.requests / (w.duration_us / 1e6),
      p50: Math.round(w.p50_us / 100) / 10,
      p99: Math.round(w.p99_us / 100) / 10,
      errors: w.errors,
      non2xx: w.non2xx,
    };
  }
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/wechat`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        setupRequest: (request) => {
          const push = pushes[next++ % pushes.length]!;
          return { ...request, path: `/wechat${push.path}`, body: push.body };
        },
      },
    ],
  });
  if (next > pushes.length)
    console.error(`  note: ${server.name} ${mode} reused pushes (${next} > ${pushes.length})`);
  return {
    target: server.name,
    mode,
    rep,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const shulin = await start('shulin', 'shulin-server.ts');
const peer = await start('wechat@2 + express', 'peer-server.ts');
const results: Result[] = [];
try {
  for (const mode of ['plain', 'safe'] as const) {
    await check(shulin, mode);
    await check(peer, mode);
  }
  // Warm-up, not reported.
  for (const server of [peer, shulin]) await load(server, 'plain', 0);
  for (let rep = 1; rep <= reps; rep++) {
    for (const mode of ['plain', 'safe'] as const) {
      for (const server of [peer, shulin]) {
        const r = await load(server, mode, rep);
        results.push(r);
        console.error(
          `  rep ${rep} ${mode.padEnd(5)} ${server.name.padEnd(20)} ${Math.round(r.rps)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  cpu ${r.cpuUsPerReq} µs/req  errors ${r.errors}  non-2xx ${r.non2xx}`,
        );
      }
    }
  }
} finally {
  const stopped = (await stop(shulin)) as { logged?: number } | null;
  await stop(peer);
  if (stopped?.logged !== undefined) console.error(`  shulin message log rows: ${stopped.logged}`);
  rmSync(scratch, { recursive: true, force: true });
}

const rows: string[] = [
  `| mode | server | req/s (median of ${reps}) | p50 ms | p99 ms | server CPU µs/req | errors + non-2xx | throughput vs peer |`,
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
for (const mode of ['plain', 'safe'] as const) {
  const of = (name: string) => results.filter((r) => r.mode === mode && r.target === name);
  const peerRps = median(of(peer.name).map((r) => r.rps));
  for (const name of [peer.name, shulin.name]) {
    const rs = of(name);
    const rps = median(rs.map((r) => r.rps));
    rows.push(
      `| ${mode === 'plain' ? 'plaintext' : 'safe (AES)'} | ${name} | ${Math.round(rps)} | ${median(rs.map((r) => r.p50))} | ${median(rs.map((r) => r.p99))} | ${median(rs.map((r) => r.cpuUsPerReq))} | ${rs.reduce((a, r) => a + r.errors + r.non2xx, 0)} | ${(rps / peerRps).toFixed(2)}× |`,
    );
  }
}
console.log(
  `\nbench/wechat-gateway — ${tool}, ${connections} connections, ${duration} s per run, ${reps} interleaved reps, Node ${process.version}\n`,
);
console.log(rows.join('\n'));
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `run-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ tool, connections, duration, reps, node: process.version, results }, null, 2),
);
console.log(`\nraw results: ${file}`);
