/**
 * `shulin ils check`: what works between Shulin and the library's ILS, step by step, with
 * the reason when a step fails. Over SIP2 the first steps speak the protocol themselves on
 * one connection (connect, login 93, SC status 99, patron 63), so that each gets a timing
 * and a precise reason; the account is then fetched through the SIP2 connector, the code
 * the product runs. The embedded ILS gets its database and row counts checked, then the
 * same patron steps.
 *
 * Exit status: 0 when everything asked for works, 1 when a step failed, 2 when the
 * configuration is unusable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { pino, type Logger } from 'pino';
import { IlsConfigError, IlsRefusal } from '../ils/errors.ts';
import { openIls } from '../ils/index.ts';
import { decodeText, type Sip2Charset } from '../ils/sip2/charset.ts';
import {
  Sip2Framer,
  Sip2ParseError,
  appendErrorDetection,
  encodeFrame,
  stripErrorDetection,
} from '../ils/sip2/codec.ts';
import { Sip2Connector } from '../ils/sip2/connector.ts';
import {
  buildLoginRequest,
  buildPatronInformationRequest,
  buildScStatusRequest,
  parseAcsStatusResponse,
  parseLoginResponse,
  parsePatronInformationResponse,
  parseSupportedMessages,
  type Sip2MessageName,
} from '../ils/sip2/messages.ts';
import type { BlockCode, HoldStatus, IlsCapability, PatronAccount } from '../ils/types.ts';
import { systemClock } from '../platform/clock.ts';
import type { Config, Sip2ClientConfig } from '../platform/config.ts';
import { openDatabase, type Database } from '../platform/db/index.ts';
import type { CliIo } from './simulate.ts';

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exit: (code) => void (process.exitCode = code),
};

export interface IlsCheckOptions {
  /** A patron barcode: authenticate (with `password`) and fetch the account. */
  patron?: string;
  password?: string;
  json?: boolean;
}

export type CheckStepName =
  'database' | 'counts' | 'connect' | 'login' | 'status' | 'patron' | 'account';

export type CheckStepStatus = 'ok' | 'failed' | 'skipped';

export interface StatusData {
  readonly online: boolean;
  readonly protocolVersion: string;
  readonly institution: string;
  readonly libraryName: string | null;
  readonly checkinOk: boolean;
  readonly checkoutOk: boolean;
  readonly renewalPolicy: boolean;
  /** Null when the ACS sent no readable `BX`. */
  readonly supportedMessages: readonly Sip2MessageName[] | null;
  /** What the SIP2 connector offers readers with this ACS. */
  readonly capabilities: readonly IlsCapability[];
}

export interface PatronData {
  readonly barcode: string;
  readonly name: string;
  readonly validPatron: boolean | null;
  /** Null when no password was given (or the ACS did not say). */
  readonly validPassword: boolean | null;
}

export interface AccountData {
  readonly name: string;
  readonly patronType: string | null;
  readonly expiresOn: string | null;
  readonly loans: ReadonlyArray<{
    readonly itemBarcode: string;
    readonly title: string;
    readonly dueAt: string;
    readonly overdue: boolean;
  }>;
  readonly holds: ReadonlyArray<{
    readonly title: string;
    readonly status: HoldStatus;
    readonly queuePosition: number | null;
    readonly pickupBranch: string | null;
  }>;
  readonly fines: number;
  readonly finesTotal: number;
  readonly currency: string;
  readonly blocks: ReadonlyArray<{ readonly code: BlockCode; readonly message: string | null }>;
  readonly messages: readonly string[];
}

export interface CountsData {
  readonly branches: number;
  readonly patrons: number;
  readonly policies: number;
  /** Loans ever recorded (returned ones included). */
  readonly loans: number;
  /** Holds ever recorded (filled and cancelled ones included). */
  readonly holds: number;
  readonly fines: number;
}

interface StepBase<N extends CheckStepName, D> {
  readonly name: N;
  readonly status: CheckStepStatus;
  /** Wall time of the step; null when it was skipped. */
  readonly ms: number | null;
  /** One line: what was seen, or why it failed or was skipped. */
  readonly detail: string;
  readonly data?: D;
}

export type CheckStep =
  | StepBase<'database', { readonly dialect: 'sqlite' | 'postgres'; readonly location: string }>
  | StepBase<'counts', CountsData>
  | StepBase<'connect', { readonly host: string; readonly port: number; readonly tls: boolean }>
  | StepBase<'login', { readonly user: string | null }>
  | StepBase<'status', StatusData>
  | StepBase<'patron', PatronData>
  | StepBase<'account', AccountData>;

export interface IlsCheckReport {
  /** True when no step failed. */
  readonly ok: boolean;
  readonly connector: 'embedded' | 'sip2';
  /** `host:port` of the ACS, or the database (without credentials). */
  readonly target: string;
  readonly steps: readonly CheckStep[];
}

/** A step that did not work, with the one-line reason readers of the report get. */
class StepFailure extends Error {}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** A database URL fit to print: no password. */
function databaseLocation(url: string): string {
  if (url.startsWith('sqlite:')) {
    const target = url.slice('sqlite:'.length);
    return target === '' || target === ':memory:' ? 'sqlite::memory:' : resolvePath(target);
  }
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@').replace(/\?.*$/, '');
}

class Steps {
  readonly list: CheckStep[] = [];

  /** Runs one step: its result becomes `ok`, an error `failed`; only IlsConfigError escapes. */
  async run<S extends CheckStep, T>(
    name: S['name'],
    fn: () => Promise<{ value: T; detail: string; data?: S['data']; failed?: string }>,
  ): Promise<T | undefined> {
    const started = performance.now();
    try {
      const { value, detail, data, failed } = await fn();
      this.list.push({
        name,
        status: failed ? 'failed' : 'ok',
        ms: round(performance.now() - started),
        detail: failed ?? detail,
        ...(data !== undefined ? { data } : {}),
      } as S);
      return failed ? undefined : value;
    } catch (error) {
      if (error instanceof IlsConfigError) throw error;
      this.list.push({
        name,
        status: 'failed',
        ms: round(performance.now() - started),
        // A reply that cannot be parsed is a finding about the ILS, not a crash of the check.
        detail:
          error instanceof Sip2ParseError
            ? `the reply could not be read as SIP2: ${error.message}`
            : (error as Error).message,
      });
      return undefined;
    }
  }

  skip(name: CheckStepName, detail: string): void {
    this.list.push({ name, status: 'skipped', ms: null, detail });
  }

  report(connector: IlsCheckReport['connector'], target: string): IlsCheckReport {
    return {
      ok: this.list.every((s) => s.status !== 'failed'),
      connector,
      target,
      steps: this.list,
    };
  }
}

// ---------------------------------------------------------------------------------------
// SIP2: one connection of our own for the first steps

const TLS_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function connectReason(error: NodeJS.ErrnoException, sip2: Sip2ClientConfig): string {
  const where = `${sip2.host}:${sip2.port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused: nothing listens on ${where} (SIP2_HOST, SIP2_PORT)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${sip2.host} not found (SIP2_HOST)`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable from here (routing or firewall)`;
    case 'ECONNRESET':
      return `${where} reset the connection${sip2.tls ? ' during the TLS handshake (is the port TLS? SIP2_TLS)' : ''}`;
    default:
      if (error.code && TLS_CERT_CODES.has(error.code)) {
        return `TLS: the ILS's certificate is not trusted (${error.message}); SIP2_TLS_CA names the CA that signed it`;
      }
      if (sip2.tls && /wrong version number|packet length too long|EPROTO/i.test(error.message)) {
        return `TLS handshake failed (${error.message}): the port may not speak TLS (SIP2_TLS)`;
      }
      return `cannot connect to ${where} (${error.message})`;
  }
}

function readCa(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new IlsConfigError(`SIP2_TLS_CA: cannot read ${value} (${(error as Error).message})`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const HAN = /\p{Script=Han}/u;

/**
 * Why the bytes of a reply look like another character set than SIP2_CHARSET, or null.
 * Valid UTF-8 with multi-byte characters is almost never GBK text by accident, and GBK
 * Chinese is almost never valid UTF-8, so each betrays the other.
 */
export function charsetSuspicion(bytes: Uint8Array, charset: Sip2Charset): string | null {
  if (bytes.every((b) => b < 0x80)) return null;
  const utf8 = isUtf8(bytes);
  const asGbk = decodeText(bytes, 'gb18030');
  const looksGbk = !asGbk.includes('\uFFFD') && HAN.test(asGbk);
  const hint = (name: string, value: string) =>
    `wrong charset suspected: the ILS's replies read as ${name}, not ${charset} (set SIP2_CHARSET=${value})`;
  switch (charset) {
    case 'utf-8':
      if (utf8) return null;
      return looksGbk
        ? hint('GBK', 'gbk')
        : `wrong charset suspected: the ILS's replies are not UTF-8 (SIP2_CHARSET: gbk, gb18030, latin1 or ibm850?)`;
    case 'gbk':
    case 'gb18030':
      if (utf8) return hint('UTF-8', 'utf-8');
      return decodeText(bytes, charset).includes('\uFFFD')
        ? `wrong charset suspected: the ILS's replies hold bytes that are not ${charset.toUpperCase()}`
        : null;
    default:
      if (utf8) return hint('UTF-8', 'utf-8');
      if (looksGbk) return hint('GBK', 'gbk');
      return null;
  }
}

interface Exchanged {
  readonly body: string;
  readonly bytes: Buffer;
}

/** The check's own SC connection: one request at a time, every failure a readable reason. */
class Sip2Probe {
  readonly #sip2: Sip2ClientConfig;
  readonly #socket: Socket;
  readonly #framer = new Sip2Framer();
  readonly #frames: Buffer[] = [];
  #closed: string | null = null;
  #wake: (() => void) | undefined;
  #sequence = 0;

  private constructor(sip2: Sip2ClientConfig, socket: Socket) {
    this.#sip2 = sip2;
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#frames.push(...this.#framer.push(chunk));
      } catch {
        this.#closed = 'the ACS sent a message over 64 KB (no CR at the end of its messages?)';
        socket.destroy();
      }
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed ??= 'the ACS closed the connection';
      this.#wake?.();
    });
  }

  static connect(sip2: Sip2ClientConfig): Promise<Sip2Probe> {
    const ca = readCa(sip2.tlsCa);
    return new Promise((resolve, reject) => {
      const { host, port, tls, timeoutMs } = sip2;
      const socket = tls
        ? tlsConnect({ host, port, ca, servername: isIP(host) ? undefined : host })
        : netConnect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new StepFailure(
            `no connection within ${timeoutMs} ms (SIP2_TIMEOUT_MS): a firewall dropping packets, or the wrong host?`,
          ),
        );
      }, timeoutMs);
      socket.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new StepFailure(connectReason(error, sip2)));
      });
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new Sip2Probe(sip2, socket));
      });
    });
  }

  /** Sends one message and waits for the reply, which must carry the `expect` code. */
  async exchange(body: string, expect: string, hint: string): Promise<Exchanged> {
    const { charset, checksum, errorDetection, terminator, timeoutMs } = this.#sip2;
    const command = body.slice(0, 2);
    if (this.#closed) throw new StepFailure(`${this.#closed} before ${command} was sent`);
    const wire = errorDetection
      ? appendErrorDetection(body, this.#sequence++ % 10, { charset, checksum })
      : body;
    this.#socket.write(encodeFrame(wire, charset, terminator));
    const bytes = await this.#next(timeoutMs, command, hint);
    const reply = stripErrorDetection(decodeText(bytes, charset)).body;
    if (reply.startsWith('96')) {
      throw new StepFailure(
        `the ACS asked for a resend (96): it does not accept our checksum; try SIP2_CHECKSUM=${checksum === 'bytes' ? 'codepoints' : 'bytes'} or SIP2_ERROR_DETECTION=${errorDetection ? 'off' : 'on'}`,
      );
    }
    if (!reply.startsWith(expect)) {
      throw new StepFailure(
        `expected a ${expect} reply to ${command}, got ${JSON.stringify(reply.slice(0, 30))}`,
      );
    }
    return { body: reply, bytes };
  }

  close(): void {
    this.#socket.destroy();
  }

  async #next(timeoutMs: number, command: string, hint: string): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.#frames.length === 0) {
      if (this.#closed) throw new StepFailure(`${this.#closed} instead of answering ${command}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        this.close();
        throw new StepFailure(
          `no reply to ${command} within ${timeoutMs} ms (SIP2_TIMEOUT_MS)${hint}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    return this.#frames.shift() as Buffer;
  }
}

const SILENT_HINT =
  ': an ACS that cannot read a message often stays silent (SIP2_TERMINATOR, SIP2_ERROR_DETECTION, SIP2_CHARSET)';

/** Undecodable characters in what the connector read: the charset is wrong. */
function garbled(texts: readonly string[], charset: Sip2Charset): string | null {
  return texts.some((t) => t.includes('\uFFFD'))
    ? `wrong charset suspected: names or titles hold undecodable bytes (SIP2_CHARSET=${charset})`
    : null;
}

function accountData(account: PatronAccount): AccountData {
  return {
    name: account.patron.name,
    patronType: account.patron.patronType ?? null,
    expiresOn: account.patron.expiresOn ?? null,
    loans: account.loans.map((l) => ({
      itemBarcode: l.itemBarcode,
      title: l.title,
      dueAt: l.dueAt,
      overdue: l.overdue,
    })),
    holds: account.holds.map((h) => ({
      title: h.title,
      status: h.status,
      queuePosition: h.queuePosition,
      pickupBranch: h.pickupBranch?.name ?? null,
    })),
    fines: account.fines.length,
    finesTotal: account.finesTotal,
    currency: account.currency,
    blocks: account.blocks.map((b) => ({ code: b.code, message: b.message ?? null })),
    messages: [...account.messages],
  };
}

function accountDetail(a: AccountData): string {
  const parts = [
    `${a.name}${a.patronType ? ` (${a.patronType})` : ''}`,
    `${a.loans.length} loan${a.loans.length === 1 ? '' : 's'}`,
    `${a.holds.length} hold${a.holds.length === 1 ? '' : 's'}`,
    `fines ${a.finesTotal.toFixed(2)} ${a.currency}`,
  ];
  if (a.blocks.length > 0) parts.push(`blocked: ${a.blocks.map((b) => b.code).join(', ')}`);
  return parts.join(', ');
}

async function checkSip2(
  config: Config,
  sip2: Sip2ClientConfig,
  options: IlsCheckOptions,
  logger: Logger,
): Promise<IlsCheckReport> {
  const steps = new Steps();
  const target = `${sip2.host}:${sip2.port}`;
  const probe = await steps.run<Extract<CheckStep, { name: 'connect' }>, Sip2Probe>(
    'connect',
    async () => ({
      value: await Sip2Probe.connect(sip2),
      detail: `${sip2.tls ? 'TLS' : 'TCP'} connection to ${target}`,
      data: { host: sip2.host, port: sip2.port, tls: sip2.tls },
    }),
  );
  const later: CheckStepName[] = [
    'login',
    'status',
    ...(options.patron ? (['patron', 'account'] as const) : []),
  ];
  if (!probe) {
    for (const name of later) steps.skip(name, 'not tried: no connection');
    return steps.report('sip2', target);
  }
  const connector = new Sip2Connector(sip2, { logger, timezone: config.timezone });
  try {
    let loggedIn: boolean | undefined = true;
    if (sip2.user) {
      loggedIn = await steps.run<Extract<CheckStep, { name: 'login' }>, boolean>(
        'login',
        async () => {
          const reply = await probe.exchange(
            buildLoginRequest({
              userId: sip2.user ?? '',
              password: sip2.password ?? '',
              locationCode: sip2.location,
            }),
            '94',
            SILENT_HINT,
          );
          const ok = parseLoginResponse(reply.body).ok;
          return {
            value: ok,
            detail: `user ${JSON.stringify(sip2.user)} accepted`,
            data: { user: sip2.user ?? null },
            ...(ok
              ? {}
              : {
                  failed: `login refused (940) for user ${JSON.stringify(sip2.user)}: check SIP2_USER and SIP2_PASSWORD`,
                }),
          };
        },
      );
    } else {
      steps.skip('login', 'not sent: SIP2_USER is not set (the ACS may not need a login)');
    }
    if (!loggedIn) {
      for (const name of later.slice(1)) steps.skip(name, 'not tried: the login failed');
      return steps.report('sip2', target);
    }

    // The connector reads the status on a pooled connection of its own and derives its
    // capabilities from BX as the running product will; done before the timed steps so
    // that they time round trips, not the pool's connection set-up.
    await connector.health();
    const status = await steps.run<Extract<CheckStep, { name: 'status' }>, StatusData>(
      'status',
      async () => {
        const reply = await probe.exchange(
          buildScStatusRequest({ statusCode: 0, maxPrintWidth: 80, protocolVersion: '2.00' }),
          '98',
          sip2.user ? '' : SILENT_HINT,
        );
        const acs = parseAcsStatusResponse(reply.body, config.timezone);
        const supported = parseSupportedMessages(acs.supportedMessages);
        const data: StatusData = {
          online: acs.online,
          protocolVersion: acs.protocolVersion.trim(),
          institution: acs.institutionId,
          libraryName: acs.libraryName?.trim() || null,
          checkinOk: acs.checkinOk,
          checkoutOk: acs.checkoutOk,
          renewalPolicy: acs.renewalPolicy,
          supportedMessages: supported ? [...supported] : null,
          capabilities: [...connector.capabilities],
        };
        const failed =
          charsetSuspicion(reply.bytes, sip2.charset) ??
          (acs.online ? undefined : 'the ACS says it is off-line (98 with N in on-line status)');
        const mismatch =
          acs.institutionId && acs.institutionId !== sip2.institution
            ? `; it names institution ${acs.institutionId}, SIP2_INSTITUTION is ${sip2.institution}`
            : '';
        return {
          value: data,
          detail: `on-line, protocol ${data.protocolVersion || '?'}, institution ${data.institution}${data.libraryName ? ` (${data.libraryName})` : ''}${mismatch}`,
          data,
          ...(failed ? { failed } : {}),
        };
      },
    );
    if (!options.patron) return steps.report('sip2', target);
    if (!status) {
      steps.skip('patron', 'not tried: no SC status');
      steps.skip('account', 'not tried: no SC status');
      return steps.report('sip2', target);
    }

    const barcode = options.patron;
    const password = options.password;
    const patron = await steps.run<Extract<CheckStep, { name: 'patron' }>, PatronData>(
      'patron',
      async () => {
        const reply = await probe.exchange(
          buildPatronInformationRequest(
            {
              transactionDate: new Date(),
              summary: null,
              institutionId: sip2.institution,
              patronId: barcode,
              patronPassword: password,
            },
            config.timezone,
          ),
          '64',
          '',
        );
        const info = parsePatronInformationResponse(reply.body, config.timezone);
        const data: PatronData = {
          barcode,
          name: info.personalName.trim(),
          validPatron: info.validPatron ?? null,
          validPassword: password === undefined ? null : (info.validPatronPassword ?? null),
        };
        const screen = (info.screenMessages ?? []).join(' ').trim();
        const said = screen ? ` — the ILS says: ${screen}` : '';
        let failed = charsetSuspicion(reply.bytes, sip2.charset) ?? undefined;
        if (info.validPatron === false) failed = `unknown patron ${barcode} (BL N)${said}`;
        else if (password !== undefined && info.validPatronPassword === false) {
          failed = `wrong password for patron ${barcode} (CQ N)${said}`;
        }
        const checked =
          password === undefined
            ? 'password not checked (no --password)'
            : info.validPatronPassword === true
              ? 'password accepted'
              : 'the ACS did not say whether the password is right (no CQ)';
        return {
          value: data,
          detail: `${barcode} ${data.name || '(no name)'}: ${info.validPatron === undefined ? 'the ACS did not say whether the patron exists (no BL)' : 'valid patron'}, ${checked}`,
          data,
          ...(failed ? { failed } : {}),
        };
      },
    );
    if (!patron) {
      steps.skip('account', 'not fetched: the patron step failed');
      return steps.report('sip2', target);
    }
    await steps.run<Extract<CheckStep, { name: 'account' }>, AccountData>('account', async () => {
      const data = await fetchAccount(() =>
        connector.account({ barcode, ...(password !== undefined ? { password } : {}) }),
      );
      const failed = garbled(
        [data.name, ...data.loans.map((l) => l.title), ...data.holds.map((h) => h.title)],
        sip2.charset,
      );
      return { value: data, detail: accountDetail(data), data, ...(failed ? { failed } : {}) };
    });
    return steps.report('sip2', target);
  } finally {
    probe.close();
    await connector.close();
  }
}

async function fetchAccount(fetch: () => Promise<PatronAccount>): Promise<AccountData> {
  try {
    return accountData(await fetch());
  } catch (error) {
    if (error instanceof IlsRefusal) {
      throw new StepFailure(
        `refused: ${error.code}${error.ilsMessage ? ` — the ILS says: ${error.ilsMessage}` : ''}`,
      );
    }
    throw new StepFailure((error as Error).message);
  }
}

// ---------------------------------------------------------------------------------------
// The embedded ILS

const MISSING_TABLE = /no such table|relation .* does not exist/i;

async function checkEmbedded(
  config: Config,
  options: IlsCheckOptions,
  logger: Logger,
): Promise<IlsCheckReport> {
  const steps = new Steps();
  const location = databaseLocation(config.database.url);
  const later: CheckStepName[] = [
    'counts',
    ...(options.patron ? (['patron', 'account'] as const) : []),
  ];
  const file = config.database.url.startsWith('sqlite:') ? location : null;
  let database: Database | undefined;
  try {
    database = await steps.run<Extract<CheckStep, { name: 'database' }>, Database>(
      'database',
      async () => {
        // Opening a SQLite file that is not there would create an empty one.
        if (file && file !== 'sqlite::memory:' && !existsSync(file)) {
          throw new StepFailure(
            `no database at ${file}: run \`shulin migrate\` or \`shulin serve\` (DATABASE_URL)`,
          );
        }
        const opened = openDatabase(config.database.url);
        try {
          await opened.ping();
        } catch (error) {
          await opened.close().catch(() => undefined);
          throw new StepFailure(`cannot reach the database: ${(error as Error).message}`);
        }
        return {
          value: opened,
          detail: `${opened.dialect} at ${location}`,
          data: { dialect: opened.dialect, location },
        };
      },
    );
    if (!database) {
      for (const name of later) steps.skip(name, 'not tried: no database');
      return steps.report('embedded', location);
    }
    const ils = await openIls(config, { database, clock: systemClock, logger });
    const counts = await steps.run<Extract<CheckStep, { name: 'counts' }>, CountsData>(
      'counts',
      async () => {
        let rows: Record<string, number>;
        try {
          rows = await ils.embedded.counts();
        } catch (error) {
          const message = (error as Error).message;
          throw new StepFailure(
            MISSING_TABLE.test(message)
              ? `the ILS's tables are missing: run \`shulin migrate\` (${message})`
              : message,
          );
        }
        const data: CountsData = {
          branches: rows.ils_branches ?? 0,
          patrons: rows.ils_patrons ?? 0,
          policies: rows.ils_loan_policies ?? 0,
          loans: rows.ils_loans ?? 0,
          holds: rows.ils_holds ?? 0,
          fines: rows.ils_fines ?? 0,
        };
        const empty =
          data.patrons === 0
            ? ' — no patrons yet (the demo library loads at the first `shulin serve` with SHULIN_DEMO on)'
            : data.policies === 0
              ? ' — no loan policy: nothing can be lent'
              : '';
        return {
          value: data,
          detail: `${data.branches} branches, ${data.patrons} patrons, ${data.policies} loan policies, ${data.loans} loans and ${data.holds} holds recorded${empty}`,
          data,
        };
      },
    );
    if (!options.patron) return steps.report('embedded', location);
    if (!counts) {
      steps.skip('patron', 'not tried: the ILS tables cannot be read');
      steps.skip('account', 'not tried: the ILS tables cannot be read');
      return steps.report('embedded', location);
    }
    const barcode = options.patron;
    const password = options.password;
    const patron = await steps.run<Extract<CheckStep, { name: 'patron' }>, PatronData>(
      'patron',
      async () => {
        if (password === undefined) {
          const found = await ils.embedded.patron(barcode);
          if (!found) throw new StepFailure(`unknown patron ${barcode}`);
          return {
            value: { barcode, name: found.name, validPatron: true, validPassword: null },
            detail: `${barcode} ${found.name}: valid patron, password not checked (no --password)`,
            data: { barcode, name: found.name, validPatron: true, validPassword: null },
          };
        }
        try {
          const summary = await ils.connector.authenticate(barcode, password);
          const data: PatronData = {
            barcode,
            name: summary.name,
            validPatron: true,
            validPassword: true,
          };
          return { value: data, detail: `${barcode} ${summary.name}: password accepted`, data };
        } catch (error) {
          if (!(error instanceof IlsRefusal)) throw error;
          // The embedded ILS does not tell an unknown card from a wrong PIN (readers must
          // not learn which barcodes exist); the check may, for the staff running it.
          const known = await ils.embedded.patron(barcode);
          throw new StepFailure(
            known ? `wrong password for patron ${barcode}` : `unknown patron ${barcode}`,
          );
        }
      },
    );
    if (!patron) {
      steps.skip('account', 'not fetched: the patron step failed');
      return steps.report('embedded', location);
    }
    await steps.run<Extract<CheckStep, { name: 'account' }>, AccountData>('account', async () => {
      const data = await fetchAccount(() => ils.connector.account({ barcode }));
      return { value: data, detail: accountDetail(data), data };
    });
    return steps.report('embedded', location);
  } finally {
    await database?.close();
  }
}

/**
 * Checks the configured ILS, step by step. Steps after a failure that they depend on are
 * reported as skipped. Throws `IlsConfigError` only when the configuration cannot be used
 * at all (an unreadable SIP2_TLS_CA).
 *
 * @example
 * const report = await checkIls(config, { patron: '20260001', password: '123456' });
 * report.ok; // true when every step worked
 */
export async function checkIls(
  config: Config,
  options: Omit<IlsCheckOptions, 'json'> = {},
  deps: { logger?: Logger } = {},
): Promise<IlsCheckReport> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  if (config.ils.connector === 'sip2' && config.ils.sip2) {
    return checkSip2(config, config.ils.sip2, options, logger);
  }
  return checkEmbedded(config, options, logger);
}

const TITLES: Record<CheckStepName, string> = {
  database: 'database',
  counts: 'counts',
  connect: 'connect',
  login: 'login 93',
  status: 'SC status 99',
  patron: 'patron 63',
  account: 'account',
};

const MARKS: Record<CheckStepStatus, string> = { ok: '✓', failed: '✗', skipped: '–' };

const HOLD_STATUS: Record<HoldStatus, string> = {
  'not-yet-filled': 'waiting',
  'in-transit': 'in transit',
  'awaiting-pickup': 'ready for pickup',
};

function localDay(iso: string, timeZone: string): string {
  if (!iso) return '?';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat('en-CA', { timeZone }).format(date);
}

/** The report as the terminal shows it: one line a step, the details indented below. */
export function formatIlsCheck(report: IlsCheckReport, timeZone: string): string {
  const lines = [`ILS check: ${report.connector} at ${report.target}`];
  // The message numbers only mean something over SIP2.
  const title = (name: CheckStepName) =>
    report.connector === 'sip2' ? TITLES[name] : TITLES[name].replace(/ \d+$/, '');
  const width = Math.max(...report.steps.map((s) => title(s.name).length));
  for (const step of report.steps) {
    const ms =
      step.ms === null ? '' : `${step.ms < 10 ? step.ms.toFixed(1) : Math.round(step.ms)} ms`;
    lines.push(
      `${MARKS[step.status]} ${title(step.name).padEnd(width)}  ${ms.padStart(7)}  ${step.detail}`,
    );
    const indent = ' '.repeat(width + 13);
    if (step.name === 'status' && step.data) {
      const d = step.data;
      lines.push(
        `${indent}supports: ${d.supportedMessages ? d.supportedMessages.join(', ') : 'not said (no readable BX)'}`,
      );
      lines.push(`${indent}offers readers: ${d.capabilities.join(', ') || 'nothing'}`);
    }
    if (step.name === 'account' && step.data) {
      const d = step.data;
      for (const loan of d.loans) {
        lines.push(
          `${indent}loan  ${loan.itemBarcode}  ${loan.title}  due ${localDay(loan.dueAt, timeZone)}${loan.overdue ? ' (overdue)' : ''}`,
        );
      }
      for (const hold of d.holds) {
        const queue = hold.queuePosition !== null ? `, #${hold.queuePosition} in the queue` : '';
        const where = hold.pickupBranch ? ` at ${hold.pickupBranch}` : '';
        lines.push(`${indent}hold  ${hold.title}  ${HOLD_STATUS[hold.status]}${where}${queue}`);
      }
      if (d.fines > 0) {
        lines.push(`${indent}fines ${d.finesTotal.toFixed(2)} ${d.currency} (${d.fines})`);
      }
      for (const block of d.blocks) {
        lines.push(`${indent}block ${block.code}${block.message ? `: ${block.message}` : ''}`);
      }
      for (const message of d.messages) lines.push(`${indent}says  ${message}`);
    }
  }
  const failed = report.steps.filter((s) => s.status === 'failed').length;
  lines.push(
    report.ok ? 'Everything asked for works.' : `${failed} step${failed === 1 ? '' : 's'} failed.`,
  );
  return `${lines.join('\n')}\n`;
}

/** `shulin ils check`; resolves to the exit status (0 all works, 1 a step failed, 2 misused). */
export async function ilsCheckCommand(
  config: Config,
  options: IlsCheckOptions,
  io: CliIo = processIo,
): Promise<number> {
  const done = (code: number) => {
    io.exit(code);
    return code;
  };
  if (options.password !== undefined && !options.patron) {
    io.err('--password needs --patron: whose password is it?\n');
    return done(2);
  }
  let report: IlsCheckReport;
  try {
    report = await checkIls(config, {
      ...(options.patron ? { patron: options.patron } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
    });
  } catch (error) {
    if (error instanceof IlsConfigError) {
      io.err(`${error.message}\n`);
      return done(2);
    }
    throw error;
  }
  io.out(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : formatIlsCheck(report, config.timezone),
  );
  return done(report.ok ? 0 : 1);
}
