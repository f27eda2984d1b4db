/**
 * `shulin ils check` against real peers: Shulin's own SIP2 server in front of the embedded
 * ILS with the demo readers, on loopback; the embedded ILS on a real database; and ACSs
 * that misbehave (silent, refusing the login, speaking another charset).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShulin } from '../../test/support/cli.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { DEMO_PIN, seedDemoIls } from '../ils/embedded/demo.ts';
import { EmbeddedConnector } from '../ils/embedded/connector.ts';
import { insertCatalogue, type TestRecord } from '../ils/embedded/fixture.test-util.ts';
import type { IlsTables } from '../ils/embedded/repository.ts';
import { EmbeddedIls } from '../ils/embedded/service.ts';
import { connectorAcsHandler } from '../ils/sip2/acs-handler.ts';
import type { Sip2Charset } from '../ils/sip2/charset.ts';
import { Sip2Server } from '../ils/sip2/server.ts';
import type { PatronAccount } from '../ils/types.ts';
import { systemClock } from '../platform/clock.ts';
import { loadConfig } from '../platform/config.ts';
import { tablesOf } from '../platform/db/index.ts';
import { charsetSuspicion, checkIls, type CheckStep, type IlsCheckReport } from './ils.ts';

const TZ = 'Asia/Shanghai';
const SECRET_KEY = 'an-ils-check-test-secret-of-32-characters';
const SC = { user: 'selfcheck', password: 'sc-secret-42' };
const logger = pino({ level: 'silent' });

// Single copies at the main library, so the demo lends and holds them.
const TITLES = [
  '红楼梦',
  '三体',
  '活着',
  '围城',
  '平凡的世界',
  '白鹿原',
  '边城',
  '呐喊',
  '骆驼祥子',
  '长恨歌',
  '倾城之恋',
  '文化苦旅',
];
const catalogue: TestRecord[] = TITLES.map((title, i) => ({
  controlNumber: `SL${String(i + 1).padStart(8, '0')}`,
  title,
  items: [{ barcode: `10000000${String(i + 1).padStart(2, '0')}`, branch: '总馆' }],
}));

interface Library {
  tdb: TestDatabase;
  ils: EmbeddedIls;
  /** The DATABASE_URL a child process reaches the same database with. */
  url: string;
}

async function demoLibrary(dialect: 'sqlite' | 'postgres'): Promise<Library> {
  const tdb = await createTestDatabase(dialect);
  await insertCatalogue(tdb, catalogue);
  const ils = new EmbeddedIls({
    db: tablesOf<IlsTables>(tdb.database.db),
    dialect: tdb.database.dialect,
    clock: systemClock,
    timezone: TZ,
    logger,
  });
  await seedDemoIls(ils, logger);
  let url = tdb.url;
  if (tdb.searchPath) {
    const withPath = new URL(tdb.url);
    withPath.searchParams.set('options', `-c search_path=${tdb.searchPath}`);
    url = withPath.toString();
  }
  return { tdb, ils, url };
}

async function sip2Server(ils: EmbeddedIls, charset: Sip2Charset = 'utf-8'): Promise<Sip2Server> {
  const server = new Sip2Server({
    handler: connectorAcsHandler({
      connector: new EmbeddedConnector(ils),
      institutionId: 'SHULIN',
      libraryName: '书林大学图书馆',
      logger,
    }),
    logger,
    timezone: TZ,
    charset,
    credentials: SC,
  });
  await server.listen();
  return server;
}

const work = mkdtempSync(join(tmpdir(), 'shulin-ils-check-'));
/** `shulin …` in an empty folder, with only the environment given. */
const shulin = (args: string[], env: Record<string, string>) => runShulin(args, work, env);

const sip2Env = (port: number, extra: Record<string, string> = {}) => ({
  ILS_CONNECTOR: 'sip2',
  SIP2_HOST: '127.0.0.1',
  SIP2_PORT: String(port),
  SIP2_USER: SC.user,
  SIP2_PASSWORD: SC.password,
  SIP2_INSTITUTION: 'SHULIN',
  SECRET_KEY,
  ...extra,
});

const stepOf = <N extends CheckStep['name']>(report: IlsCheckReport, name: N) =>
  report.steps.find((s): s is Extract<CheckStep, { name: N }> => s.name === name);

const day = (iso: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(iso));

/** A port nothing listens on: bound by us a moment ago, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('shulin ils check over SIP2', () => {
  let library: Library;
  let server: Sip2Server;
  let wang: PatronAccount;
  beforeAll(async () => {
    library = await demoLibrary('sqlite');
    server = await sip2Server(library.ils);
    wang = await library.ils.account('20260001');
  });
  afterAll(async () => {
    await server?.close();
    await library?.tdb.cleanup();
  });

  it('goes through every step with a patron, printing the account with its Chinese titles', async () => {
    expect(wang.loans.length).toBe(2);
    const { code, stdout, stderr } = await shulin(
      ['ils', 'check', '--patron', '20260001', '--password', DEMO_PIN],
      sip2Env(server.port),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`ILS check: sip2 at 127.0.0.1:${server.port}\n`);
    expect(stdout).toMatch(/^✓ connect\s+\d+(\.\d)? ms {2}TCP connection to 127\.0\.0\.1:\d+$/m);
    expect(stdout).toMatch(/^✓ login 93\s.*user "selfcheck" accepted$/m);
    expect(stdout).toMatch(
      /^✓ SC status 99\s.*on-line, protocol 2\.00, institution SHULIN \(书林大学图书馆\)$/m,
    );
    expect(stdout).toMatch(/supports: patronStatus, checkout, checkin, acsStatus, login, /);
    expect(stdout).toMatch(/offers readers: authenticate, account, renew, renewAll, placeHold/);
    expect(stdout).toMatch(/^✓ patron 63\s.*20260001 王小明: valid patron, password accepted$/m);
    expect(stdout).toMatch(/^✓ account\s.*王小明, 2 loans, 2 holds, fines 0\.00 CNY$/m);
    for (const loan of wang.loans) {
      expect(stdout).toContain(
        `loan  ${loan.itemBarcode}  ${loan.title}  due ${day(loan.dueAt)}\n`,
      );
    }
    expect(stdout).toContain('ready for pickup');
    expect(stdout).toMatch(/Everything asked for works\.\n$/);
    expect(stdout).not.toContain(DEMO_PIN);
    expect(stdout).not.toContain(SC.password);
  });

  it('prints a structured report with --json', async () => {
    const { code, stdout } = await shulin(
      ['ils', 'check', '--patron', '20260001', '--password', DEMO_PIN, '--json'],
      sip2Env(server.port),
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as IlsCheckReport;
    const ms = expect.any(Number);
    expect(report).toEqual({
      ok: true,
      connector: 'sip2',
      target: `127.0.0.1:${server.port}`,
      steps: [
        {
          name: 'connect',
          status: 'ok',
          ms,
          detail: expect.any(String),
          data: { host: '127.0.0.1', port: server.port, tls: false },
        },
        { name: 'login', status: 'ok', ms, detail: expect.any(String), data: { user: SC.user } },
        {
          name: 'status',
          status: 'ok',
          ms,
          detail: expect.any(String),
          data: {
            online: true,
            protocolVersion: '2.00',
            institution: 'SHULIN',
            libraryName: '书林大学图书馆',
            checkinOk: true,
            checkoutOk: true,
            renewalPolicy: true,
            supportedMessages: expect.arrayContaining(['patronInformation', 'renew', 'hold']),
            capabilities: expect.arrayContaining(['authenticate', 'account', 'renew']),
          },
        },
        {
          name: 'patron',
          status: 'ok',
          ms,
          detail: expect.any(String),
          data: { barcode: '20260001', name: '王小明', validPatron: true, validPassword: true },
        },
        {
          name: 'account',
          status: 'ok',
          ms,
          detail: expect.any(String),
          data: {
            name: '王小明',
            patronType: null,
            expiresOn: wang.patron.expiresOn,
            loans: wang.loans.map((l) => ({
              itemBarcode: l.itemBarcode,
              title: l.title,
              // SIP2 dates have whole seconds.
              dueAt: new Date(Math.floor(Date.parse(l.dueAt) / 1000) * 1000).toISOString(),
              overdue: false,
            })),
            holds: expect.arrayContaining([
              expect.objectContaining({ status: 'awaiting-pickup' }),
              expect.objectContaining({ status: 'not-yet-filled' }),
            ]),
            fines: 0,
            finesTotal: 0,
            currency: 'CNY',
            blocks: [],
            messages: [],
          },
        },
      ],
    });
  });

  it('fails the patron step on a wrong password, skips the account, and exits 1', async () => {
    const { code, stdout } = await shulin(
      ['ils', 'check', '--patron', '20260001', '--password', 'wrong-pin-987'],
      sip2Env(server.port),
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✓ SC status 99/m);
    expect(stdout).toMatch(/^✗ patron 63\s.*wrong password for patron 20260001 \(CQ N\)/m);
    expect(stdout).toMatch(/^– account\s+not fetched: the patron step failed$/m);
    expect(stdout).toMatch(/1 step failed\.\n$/);
    expect(stdout).not.toContain('wrong-pin-987');
  });

  it('says when nothing listens, within the timeout, and exits 1', async () => {
    const port = await deadPort();
    const { code, stdout } = await shulin(
      ['ils', 'check', '--patron', '20260001', '--password', DEMO_PIN],
      sip2Env(port, { SIP2_TIMEOUT_MS: '3000' }),
    );
    expect(code).toBe(1);
    const failed =
      /^✗ connect\s+([\d.]+) ms {2}connection refused: nothing listens on 127\.0\.0\.1:(\d+)/m.exec(
        stdout,
      );
    expect(failed?.[2]).toBe(String(port));
    expect(Number(failed?.[1])).toBeLessThan(3000);
    for (const step of ['login 93', 'SC status 99', 'patron 63', 'account']) {
      expect(stdout).toMatch(new RegExp(`^– ${step}\\s+not tried: no connection$`, 'm'));
    }
  });

  it('refuses a configuration it cannot use with exit 2', async () => {
    const missing = await shulin(['ils', 'check'], { ILS_CONNECTOR: 'sip2', SECRET_KEY });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^\s+- SIP2_HOST: required when ILS_CONNECTOR=sip2$/m);
    const orphan = await shulin(['ils', 'check', '--password', 'x'], sip2Env(server.port));
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toBe('--password needs --patron: whose password is it?\n');
  });

  it('reports a refused login and tries nothing after it', async () => {
    const config = loadConfig(sip2Env(server.port, { SIP2_PASSWORD: 'not-the-password' }));
    const report = await checkIls(config, { patron: '20260001', password: DEMO_PIN });
    expect(report.ok).toBe(false);
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['connect', 'ok'],
      ['login', 'failed'],
      ['status', 'skipped'],
      ['patron', 'skipped'],
      ['account', 'skipped'],
    ]);
    expect(stepOf(report, 'login')?.detail).toBe(
      'login refused (940) for user "selfcheck": check SIP2_USER and SIP2_PASSWORD',
    );
  });

  it('checks without a password: the patron exists, the account comes without one', async () => {
    const config = loadConfig(sip2Env(server.port));
    const report = await checkIls(config, { patron: '20260003' });
    expect(report.ok).toBe(true);
    expect(stepOf(report, 'patron')).toMatchObject({
      status: 'ok',
      detail: '20260003 Emily Carter: valid patron, password not checked (no --password)',
      data: { validPatron: true, validPassword: null },
    });
    expect(stepOf(report, 'account')?.data?.loans).toHaveLength(2);
  });

  it('fails on an unknown patron', async () => {
    const config = loadConfig(sip2Env(server.port));
    const report = await checkIls(config, { patron: 'NO-SUCH-CARD', password: DEMO_PIN });
    expect(stepOf(report, 'patron')).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(/^unknown patron NO-SUCH-CARD \(BL N\)/),
    });
  });
});

describe('shulin ils check against ACSs that misbehave', () => {
  it('gives up on a silent ACS after SIP2_TIMEOUT_MS and says what to look at', async () => {
    // Accepts connections and reads everything, answering nothing.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const config = loadConfig(sip2Env(port, { SIP2_TIMEOUT_MS: '300' }));
      const report = await checkIls(config, {});
      expect(report.ok).toBe(false);
      const login = stepOf(report, 'login');
      expect(login?.status).toBe('failed');
      expect(login?.detail).toMatch(
        /^no reply to 93 within 300 ms \(SIP2_TIMEOUT_MS\): an ACS that cannot read a message often stays silent \(SIP2_TERMINATOR/,
      );
      expect(login?.ms).toBeLessThan(300 + 2000);
      expect(stepOf(report, 'status')?.status).toBe('skipped');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('reports a reply it cannot read as SIP2 as a failed step, not a crash', async () => {
    // Accepts any login, then answers the SC status with a 98 far too short.
    const garbling: Server = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        socket.write(chunk.toString('latin1').startsWith('93') ? '941\r' : '98YY\r');
      });
    });
    await new Promise<void>((r) => garbling.listen(0, '127.0.0.1', r));
    try {
      const { port } = garbling.address() as AddressInfo;
      const report = await checkIls(loadConfig(sip2Env(port, { SIP2_TIMEOUT_MS: '1000' })), {
        patron: '20260001',
      });
      expect(report.steps.map((s) => [s.name, s.status])).toEqual([
        ['connect', 'ok'],
        ['login', 'ok'],
        ['status', 'failed'],
        ['patron', 'skipped'],
        ['account', 'skipped'],
      ]);
      expect(stepOf(report, 'status')?.detail).toMatch(
        /^the reply could not be read as SIP2: message "98YY" is shorter than its fixed part/,
      );
    } finally {
      garbling.close();
    }
  });

  it('suspects the charset when a GBK ACS is read as UTF-8', async () => {
    const library = await demoLibrary('sqlite');
    const server = await sip2Server(library.ils, 'gbk');
    try {
      const config = loadConfig(sip2Env(server.port, { SIP2_CHARSET: 'utf-8' }));
      const report = await checkIls(config, { patron: '20260001', password: DEMO_PIN });
      expect(report.ok).toBe(false);
      // The library's name (AM) is Chinese: the status reply already betrays it.
      expect(stepOf(report, 'status')).toMatchObject({
        status: 'failed',
        detail:
          "wrong charset suspected: the ILS's replies read as GBK, not utf-8 (set SIP2_CHARSET=gbk)",
      });

      const right = await checkIls(loadConfig(sip2Env(server.port, { SIP2_CHARSET: 'gbk' })), {
        patron: '20260001',
        password: DEMO_PIN,
      });
      expect(right.ok).toBe(true);
      expect(stepOf(right, 'account')?.data?.loans.map((l) => l.title)).toEqual(
        (await library.ils.account('20260001')).loans.map((l) => l.title),
      );
    } finally {
      await server.close();
      await library.tdb.cleanup();
    }
  });

  it('reads the charset of reply bytes', () => {
    const gbk = Buffer.from([0xba, 0xec, 0xc2, 0xa5, 0xc3, 0xce]); // 红楼梦
    const utf8 = Buffer.from('红楼梦', 'utf8');
    expect(charsetSuspicion(Buffer.from('941'), 'utf-8')).toBeNull();
    expect(charsetSuspicion(utf8, 'utf-8')).toBeNull();
    expect(charsetSuspicion(gbk, 'gbk')).toBeNull();
    expect(charsetSuspicion(gbk, 'utf-8')).toMatch(/read as GBK.*SIP2_CHARSET=gbk/);
    expect(charsetSuspicion(utf8, 'gbk')).toMatch(/read as UTF-8.*SIP2_CHARSET=utf-8/);
    expect(charsetSuspicion(utf8, 'latin1')).toMatch(/SIP2_CHARSET=utf-8/);
    expect(charsetSuspicion(gbk, 'ibm850')).toMatch(/SIP2_CHARSET=gbk/);
    expect(charsetSuspicion(Buffer.from('Café', 'latin1'), 'latin1')).toBeNull();
  });
});

describe.each(dialects)('shulin ils check on the embedded ILS (%s)', (dialect) => {
  let library: Library;
  beforeAll(async () => {
    library = await demoLibrary(dialect);
  });
  afterAll(async () => {
    await library?.tdb.cleanup();
  });

  it('checks the database, counts the library and fetches an account', async () => {
    const { code, stdout, stderr } = await shulin(
      ['ils', 'check', '--patron', '20260002', '--password', DEMO_PIN],
      { DATABASE_URL: library.url },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^✓ database\\s.*${dialect} at `, 'm'));
    expect(stdout).toMatch(
      /^✓ counts\s.*3 branches, 7 patrons, \d+ loan policies, \d+ loans and 3 holds recorded$/m,
    );
    expect(stdout).toMatch(/^✓ patron\s.*20260002 李思雨: password accepted$/m);
    const li = await library.ils.account('20260002');
    for (const loan of li.loans) {
      expect(stdout).toContain(
        `loan  ${loan.itemBarcode}  ${loan.title}  due ${day(loan.dueAt)}${loan.overdue ? ' (overdue)' : ''}\n`,
      );
    }
    expect(stdout).toMatch(/\(overdue\)/);
    expect(stdout).not.toContain(DEMO_PIN);
  });

  // Only a PostgreSQL URL has a password to hide.
  if (dialect === 'postgres') {
    it('prints the database without its password', async () => {
      const url = new URL(library.url);
      url.password = 'hunter2';
      const report = await checkIls(loadConfig({ DATABASE_URL: url.toString() }));
      expect(report.ok).toBe(true);
      expect(report.target).toBe(`postgres://${url.username}:***@${url.host}${url.pathname}`);
      expect(JSON.stringify(report)).not.toContain('hunter2');
    });
  }

  it('tells a wrong password from an unknown patron', async () => {
    const config = loadConfig({ DATABASE_URL: library.url, LOG_LEVEL: 'silent' });
    const wrong = await checkIls(config, { patron: '20260002', password: '000000' });
    expect(stepOf(wrong, 'patron')).toMatchObject({
      status: 'failed',
      detail: 'wrong password for patron 20260002',
    });
    expect(stepOf(wrong, 'account')?.status).toBe('skipped');
    const unknown = await checkIls(config, { patron: '99999999' });
    expect(stepOf(unknown, 'patron')).toMatchObject({
      status: 'failed',
      detail: 'unknown patron 99999999',
    });
    const blocked = await checkIls(config, { patron: '20260005' });
    expect(blocked.ok).toBe(true);
    expect(stepOf(blocked, 'account')?.detail).toMatch(/blocked: MANUAL$/);
  });
});

describe('shulin ils check on a missing database', () => {
  it('fails the database step without creating the file', async () => {
    const file = join(work, 'nothing-here', 'shulin.db');
    const { code, stdout } = await shulin(['ils', 'check'], { DATABASE_URL: `sqlite:${file}` });
    expect(code).toBe(1);
    expect(stdout).toContain(`✗ database`);
    expect(stdout).toContain(`no database at ${file}: run \`shulin migrate\``);
    expect(stdout).toMatch(/^– counts\s+not tried: no database$/m);
    expect(existsSync(file)).toBe(false);
  });
});
