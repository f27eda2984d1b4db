/**
 * bench/sip2: SIP2 round trips per second against the embedded ILS behind Shulin's own
 * SIP2 server, over loopback, through the connection pool: patron information (63 with the
 * patron's password, charged items listed) and renew (29), each raw through
 * `Sip2Pool.request` and as the product calls them through `Sip2Connector` (whose
 * `account()` is a 63 followed by one 17 per loan).
 *
 *   npm run bench:sip2 -- [--seconds 10] [--warmup 2] [--pool 8] [--concurrency 16]
 *                         [--patrons 2000] [--loans 5] [--db postgres://…] [--no-plain-63]
 *
 * The ACS runs in a process of its own (acs-server.ts); this process is the load generator.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { migrations } from '../../server/migrations/index.ts';
import { Sip2Pool } from '../../server/ils/sip2/client.ts';
import { Sip2Connector } from '../../server/ils/sip2/connector.ts';
import {
  buildPatronInformationRequest,
  buildRenewRequest,
  parsePatronInformationResponse,
  parseRenewResponse,
} from '../../server/ils/sip2/messages.ts';
import type { Sip2ClientConfig } from '../../server/platform/config.ts';
import { openDatabase } from '../../server/platform/db/index.ts';
import { migrateToLatest } from '../../server/platform/db/migrate.ts';
import {
  BENCH_INSTITUTION,
  BENCH_PIN,
  BENCH_SC,
  BENCH_TZ,
  createBenchLibrary,
  itemBarcode,
  patronBarcode,
} from './library.ts';

const here = dirname(fileURLToPath(import.meta.url));
const flags = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i]!;
  if (!arg.startsWith('--')) continue;
  const next = process.argv[i + 1];
  if (next !== undefined && !next.startsWith('--')) {
    flags.set(arg.slice(2), next);
    i++;
  } else {
    flags.set(arg.slice(2), 'true');
  }
}
const num = (name: string, fallback: number) => {
  const value = Number(flags.get(name) ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const seconds = num('seconds', 10);
const warmup = num('warmup', 2);
const poolSize = num('pool', 8);
const concurrency = num('concurrency', 16);
const patrons = num('patrons', 2000);
const loansEach = num('loans', 5);
const dbUrl = flags.get('db');
const plain63 = !flags.has('no-plain-63');

// ---------------------------------------------------------------------------------------
// Set-up: database, library, ACS process

const scratch = mkdtempSync(join(tmpdir(), 'shulin-bench-sip2-'));
let url = `sqlite:${join(scratch, 'bench.db')}`;
let searchPath: string | undefined;
if (dbUrl) {
  if (!/^postgres(ql)?:\/\//.test(dbUrl)) throw new Error('--db takes a postgres:// URL');
  url = dbUrl;
  searchPath = `bench_sip2_${process.pid}`;
  const admin = new pg.Client({ connectionString: dbUrl });
  await admin.connect();
  await admin.query(`create schema ${searchPath}`);
  await admin.end();
}

async function cleanup(): Promise<void> {
  if (searchPath && dbUrl) {
    const admin = new pg.Client({ connectionString: dbUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${searchPath} cascade`);
    await admin.end();
  }
  rmSync(scratch, { recursive: true, force: true });
}

const database = openDatabase(url, searchPath ? { searchPath } : {});
await migrateToLatest(database, migrations);
process.stderr.write(
  `Generating ${patrons} patrons × ${loansEach} loans on ${database.dialect}…\n`,
);
const library = await createBenchLibrary(database, { patrons, loansEach });
await database.close();
process.stderr.write(`  done in ${library.seconds} s\n`);

interface Acs {
  child: ChildProcess;
  port: number;
}

async function startAcs(): Promise<Acs> {
  const child = fork(join(here, 'acs-server.ts'), [JSON.stringify({ url, searchPath })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the ACS process exited (${code})`)));
    child.on('message', (m: { ready?: boolean; port?: number }) => m.ready && resolve(m.port!));
  });
  return { child, port };
}

async function stopAcs(acs: Acs): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      acs.child.kill('SIGKILL');
      resolve();
    }, 10_000);
    acs.child.removeAllListeners('exit');
    acs.child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    acs.child.send({ stop: true });
  });
}

/** A process's CPU time (user + system, all threads) in seconds, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const acs = await startAcs();
const logger = pino({ level: 'silent' });
const client: Sip2ClientConfig = {
  host: '127.0.0.1',
  port: acs.port,
  tls: false,
  tlsCa: undefined,
  user: BENCH_SC.user,
  password: BENCH_SC.password,
  location: 'MAIN',
  institution: BENCH_INSTITUTION,
  charset: 'utf-8',
  checksum: 'bytes',
  errorDetection: false,
  terminator: 'cr',
  timeoutMs: 30_000,
  poolSize,
};

// ---------------------------------------------------------------------------------------
// Operations

const randomPatron = () => Math.floor(Math.random() * patrons);
const randomLoan = () => Math.floor(Math.random() * loansEach);

class Invalid extends Error {}

interface Operation {
  readonly name: string;
  readonly roundTrips: string;
  call(): Promise<void>;
}

function rawOperations(pool: Sip2Pool): Operation[] {
  const patronInformation = (withPassword: boolean) => async () => {
    const barcode = patronBarcode(randomPatron());
    const reply = parsePatronInformationResponse(
      await pool.request(
        buildPatronInformationRequest(
          {
            transactionDate: new Date(),
            summary: 'charged',
            institutionId: BENCH_INSTITUTION,
            patronId: barcode,
            ...(withPassword ? { patronPassword: BENCH_PIN } : {}),
          },
          BENCH_TZ,
        ),
        '64',
      ),
      BENCH_TZ,
    );
    if (reply.validPatron !== true || (withPassword && reply.validPatronPassword !== true)) {
      throw new Invalid(`63 for ${barcode}: not a valid patron/password`);
    }
    if (reply.chargedItems?.length !== loansEach) {
      throw new Invalid(`63 for ${barcode}: ${reply.chargedItems?.length ?? 0} charged items`);
    }
  };
  return [
    {
      name: '63 patron information, AD, charged (Sip2Pool.request)',
      roundTrips: '1',
      call: patronInformation(true),
    },
    ...(plain63
      ? [
          {
            name: '63 patron information, no AD, charged (Sip2Pool.request)',
            roundTrips: '1',
            call: patronInformation(false),
          },
        ]
      : []),
    {
      name: '29 renew (Sip2Pool.request)',
      roundTrips: '1',
      call: async () => {
        const p = randomPatron();
        const reply = parseRenewResponse(
          await pool.request(
            buildRenewRequest(
              {
                thirdPartyAllowed: false,
                noBlock: false,
                transactionDate: new Date(),
                nbDueDate: null,
                institutionId: BENCH_INSTITUTION,
                patronId: patronBarcode(p),
                patronPassword: BENCH_PIN,
                itemId: itemBarcode(p, randomLoan()),
              },
              BENCH_TZ,
            ),
            '30',
          ),
          BENCH_TZ,
        );
        if (!reply.ok || !reply.dueDate) {
          throw new Invalid(`29 refused: ${(reply.screenMessages ?? []).join(' ')}`);
        }
      },
    },
  ];
}

function connectorOperations(connector: Sip2Connector): Operation[] {
  return [
    {
      name: 'account() (Sip2Connector)',
      roundTrips: `1 + ${loansEach}`,
      call: async () => {
        const account = await connector.account({
          barcode: patronBarcode(randomPatron()),
          password: BENCH_PIN,
        });
        if (account.loans.length !== loansEach || account.loans.some((l) => !l.dueAt)) {
          throw new Invalid(`account: ${account.loans.length} loans`);
        }
      },
    },
    {
      name: 'renew() (Sip2Connector)',
      roundTrips: '1',
      call: async () => {
        const p = randomPatron();
        const [outcome] = await connector.renew(
          { barcode: patronBarcode(p), password: BENCH_PIN },
          [itemBarcode(p, randomLoan())],
        );
        if (!outcome?.ok) throw new Invalid(`renew refused: ${outcome?.code ?? 'no outcome'}`);
      },
    },
  ];
}

interface Result {
  readonly operation: string;
  readonly roundTrips: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly firstError: string | null;
  /** CPU seconds of the ACS process per 1,000 requests. */
  readonly acsCpuPerThousand: number;
  /** CPU seconds of this process (load generator, pool, parsing) per 1,000 requests. */
  readonly clientCpuPerThousand: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** `concurrency` callers, each calling again as soon as its call returns, for `forSeconds`. */
async function drive(
  operation: Operation,
  forSeconds: number,
): Promise<{ latencies: number[]; errors: number; firstError: string | null }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const until = performance.now() + forSeconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await operation.call();
          latencies.push(performance.now() - started);
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message;
        }
      }
    }),
  );
  return { latencies, errors, firstError };
}

async function measure(operation: Operation): Promise<Result> {
  process.stderr.write(`  ${operation.name}: warm-up ${warmup} s, ${seconds} s timed…\n`);
  await drive(operation, warmup);
  const acsBefore = cpuSeconds(acs.child.pid!);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const { latencies, errors, firstError } = await drive(operation, seconds);
  const elapsed = (performance.now() - started) / 1000;
  const acsCpu = cpuSeconds(acs.child.pid!) - acsBefore;
  const clientUsage = process.cpuUsage(clientBefore);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1e6;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  const perThousand = (cpu: number) => (requests > 0 ? (cpu / requests) * 1000 : 0);
  return {
    operation: operation.name,
    roundTrips: operation.roundTrips,
    requests,
    rps: Math.round(requests / elapsed),
    p50: Math.round(percentile(latencies, 50) * 100) / 100,
    p99: Math.round(percentile(latencies, 99) * 100) / 100,
    errors,
    firstError,
    acsCpuPerThousand: Math.round(perThousand(acsCpu) * 100) / 100,
    clientCpuPerThousand: Math.round(perThousand(clientCpu) * 100) / 100,
  };
}

// ---------------------------------------------------------------------------------------
// Run

const results: Result[] = [];
const loadBefore = loadavg();
try {
  const pool = new Sip2Pool({
    host: client.host,
    port: client.port,
    user: client.user,
    password: client.password,
    location: client.location,
    charset: client.charset,
    checksum: client.checksum,
    errorDetection: client.errorDetection,
    terminator: client.terminator,
    timeoutMs: client.timeoutMs,
    size: poolSize,
    timezone: BENCH_TZ,
    logger,
  });
  try {
    for (const operation of rawOperations(pool)) results.push(await measure(operation));
  } finally {
    await pool.close();
  }
  const connector = await Sip2Connector.open(client, { logger, timezone: BENCH_TZ });
  try {
    for (const operation of connectorOperations(connector)) {
      results.push(await measure(operation));
    }
  } finally {
    await connector.close();
  }
} finally {
  await stopAcs(acs);
  await cleanup();
}

const lines = [
  `# SIP2 round trips against the embedded ILS`,
  '',
  `- library: ${patrons.toLocaleString('en')} patrons × ${loansEach} loans (${library.loans.toLocaleString('en')} loans) on ${database.dialect}, generated in ${library.seconds} s`,
  `- ACS: Shulin's SIP2 server (connectorAcsHandler over the embedded ILS) in a separate process, loopback TCP, UTF-8, no error detection; renewal repeat window 0 (every renewal decides and writes)`,
  `- load: Sip2Pool of ${poolSize} connections, ${concurrency} concurrent callers, ${seconds} s per operation after ${warmup} s of warm-up; latency is per call, as the caller sees it (waiting for a pooled connection included)`,
  `- machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} at the start`,
  '',
  '| operation | round trips | requests | req/s | p50 ms | p99 ms | errors | ACS CPU s / 1k | client CPU s / 1k |',
  '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ...results.map(
    (r) =>
      `| ${r.operation} | ${r.roundTrips} | ${r.requests} | ${r.rps} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${r.acsCpuPerThousand.toFixed(2)} | ${r.clientCpuPerThousand.toFixed(2)} |`,
  ),
];
const failed = results.filter((r) => r.firstError);
for (const r of failed) lines.push('', `First error of ${r.operation}: ${r.firstError}`);
const report = `${lines.join('\n')}\n`;
process.stdout.write(report);

const out = join(here, 'results');
mkdirSync(out, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(join(out, `run-${stamp}.md`), report);
writeFileSync(
  join(out, `run-${stamp}.json`),
  `${JSON.stringify(
    {
      settings: {
        seconds,
        warmup,
        poolSize,
        concurrency,
        patrons,
        loansEach,
        dialect: database.dialect,
      },
      library,
      loadAverage: { start: loadBefore, end: loadavg() },
      results,
    },
    null,
    2,
  )}\n`,
);
