/**
 * Test helpers shared by the SIP2 tests: a scripted little ACS (two patrons, a few
 * items, one renewable loan and one that is refused with a screen message), a logger that
 * keeps its lines, and raw sockets for speaking SIP2 byte by byte.
 */
/* eslint-disable @typescript-eslint/require-await -- the scripted ACS answers at once; real handlers await their ILS */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { decodeText, encodeText, type Sip2Charset } from './charset.ts';
import { Sip2Framer } from './codec.ts';
import {
  buildSupportedMessages,
  type AcsStatusResponse,
  type CheckinRequest,
  type CheckinResponse,
  type CheckoutRequest,
  type CheckoutResponse,
  type CirculationStatus,
  type EndSessionRequest,
  type EndSessionResponse,
  type HoldRequest,
  type HoldResponse,
  type ItemInformationRequest,
  type ItemInformationResponse,
  type PatronInformationRequest,
  type PatronInformationResponse,
  type PatronStatus,
  type PatronStatusRequest,
  type PatronStatusResponse,
  type RenewAllRequest,
  type RenewAllResponse,
  type RenewRequest,
  type RenewResponse,
  type ScStatusRequest,
  type Sip2MessageName,
} from './messages.ts';
import type { Sip2ClientConfig } from '../../platform/config.ts';
import type { Sip2AcsHandler } from './server.ts';

export const INSTITUTION = 'SHULIN';

/**
 * The settings of a connector to a test ACS on loopback `port`: no TLS, no SC login,
 * UTF-8, checksums over bytes, error detection off; `overrides` for what a test varies.
 */
export function loopbackSip2Config(
  port: number,
  overrides: Partial<Sip2ClientConfig> = {},
): Sip2ClientConfig {
  return {
    host: '127.0.0.1',
    port,
    tls: false,
    tlsCa: undefined,
    user: undefined,
    password: undefined,
    location: undefined,
    institution: INSTITUTION,
    charset: 'utf-8',
    checksum: 'bytes',
    errorDetection: false,
    terminator: 'cr',
    timeoutMs: 5000,
    poolSize: 2,
    ...overrides,
  };
}

interface ScriptedPatron {
  password: string;
  name: string;
  status: PatronStatus;
  loans: string[];
  holds: string[];
  unavailableHolds: string[];
  fines: string[];
  feeAmount: number;
  expires: string;
  screen: string[];
}

interface ScriptedItem {
  title: string;
  status: CirculationStatus;
  due: Date | null;
  /** Null: renewable; else the screen message of the refusal. */
  renewRefusal: string | null;
  callNumber?: string;
}

/** The patrons, items and rules of the scripted ACS. */
export function scriptedLibrary() {
  const patrons = new Map<string, ScriptedPatron>([
    [
      '1001',
      {
        password: 's3cr3t-pw',
        name: '张三',
        status: {},
        loans: ['B001', 'B002'],
        holds: ['B003'],
        unavailableHolds: ['rec-7'],
        fines: ['0.50 逾期罚款 红楼梦'],
        feeAmount: 0.5,
        expires: '20300630',
        screen: ['请按时还书'],
      },
    ],
    [
      '1002',
      {
        password: 'abcd',
        name: 'Li Si',
        status: { renewalPrivilegesDenied: true, excessiveOutstandingFines: true },
        loans: [],
        holds: [],
        unavailableHolds: [],
        fines: [],
        feeAmount: 12,
        expires: '20200101',
        screen: [],
      },
    ],
  ]);
  const items = new Map<string, ScriptedItem>([
    [
      'B001',
      {
        title: '红楼梦',
        status: '04',
        due: new Date('2026-04-01T15:59:59Z'),
        renewRefusal: null,
        callNumber: 'I242.4/C129',
      },
    ],
    [
      'B002',
      {
        title: '三体',
        status: '04',
        due: new Date('2026-03-20T15:59:59Z'),
        renewRefusal: '续借次数已达上限',
      },
    ],
    ['B003', { title: '三体Ⅱ：黑暗森林', status: '08', due: null, renewRefusal: null }],
    ['B004', { title: 'Perl 5 desktop reference', status: '03', due: null, renewRefusal: null }],
  ]);
  return { patrons, items };
}

export type Sip2Calls = Record<string, number>;

/**
 * A Sip2AcsHandler over `scriptedLibrary()`: an ACS that lists one category per 63 and
 * renews by 30 days. `calls` counts the requests by handler method.
 */
export class ScriptedAcs implements Sip2AcsHandler {
  readonly library = scriptedLibrary();
  readonly calls: Sip2Calls = {};
  supported: readonly Sip2MessageName[] = [
    'patronStatus',
    'checkout',
    'checkin',
    'acsStatus',
    'resend',
    'login',
    'patronInformation',
    'endSession',
    'itemInformation',
    'hold',
    'renew',
    'renewAll',
  ];
  /** Items per 63 page at most (the ACS pages its lists). */
  pageSize = 100;
  /** Delay before answering 17, to play a slow ILS. */
  itemDelayMs = 0;

  #count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  #patron(id: string, password: string | undefined) {
    const patron = this.library.patrons.get(id);
    return {
      patron,
      valid: patron !== undefined,
      passwordOk: patron !== undefined && password === patron.password,
    };
  }

  async scStatus(_request: ScStatusRequest): Promise<AcsStatusResponse> {
    this.#count('scStatus');
    return {
      online: true,
      checkinOk: true,
      checkoutOk: true,
      renewalPolicy: true,
      statusUpdateOk: false,
      offlineOk: false,
      timeoutPeriod: 10,
      retriesAllowed: 3,
      dateTimeSync: new Date(),
      protocolVersion: '2.00',
      institutionId: INSTITUTION,
      libraryName: '书林大学图书馆',
      supportedMessages: buildSupportedMessages(this.supported),
    };
  }

  async patronStatus(request: PatronStatusRequest): Promise<PatronStatusResponse> {
    this.#count('patronStatus');
    const { patron, valid, passwordOk } = this.#patron(request.patronId, request.patronPassword);
    return {
      patronStatus: patron?.status ?? {},
      institutionId: INSTITUTION,
      patronId: request.patronId,
      personalName: patron?.name ?? '',
      validPatron: valid,
      validPatronPassword: passwordOk,
    };
  }

  async patronInformation(request: PatronInformationRequest): Promise<PatronInformationResponse> {
    this.#count('patronInformation');
    const { patron, valid, passwordOk } = this.#patron(request.patronId, request.patronPassword);
    const ok = valid && passwordOk;
    const page = (list: string[] | undefined, category: PatronInformationRequest['summary']) => {
      if (!ok || !list || request.summary !== category) return [];
      const start = (request.startItem ?? 1) - 1;
      const end = Math.min(request.endItem ?? list.length, start + this.pageSize);
      return list.slice(start, end);
    };
    return {
      patronStatus: patron?.status ?? {},
      counts: {
        hold: ok ? (patron?.holds.length ?? 0) : 0,
        overdue: 0,
        charged: ok ? (patron?.loans.length ?? 0) : 0,
        fine: ok ? (patron?.fines.length ?? 0) : 0,
        recall: 0,
        unavailableHolds: ok ? (patron?.unavailableHolds.length ?? 0) : 0,
      },
      institutionId: INSTITUTION,
      patronId: request.patronId,
      personalName: patron?.name ?? '',
      validPatron: valid,
      validPatronPassword: passwordOk,
      currency: ok ? 'CNY' : undefined,
      feeAmount: ok ? patron?.feeAmount : undefined,
      holdItems: page(patron?.holds, 'hold'),
      chargedItems: page(patron?.loans, 'charged'),
      fineItems: page(patron?.fines, 'fine'),
      unavailableHoldItems: page(patron?.unavailableHolds, 'unavailableHolds'),
      email: ok && patron ? 'reader@example.edu.cn' : undefined,
      screenMessages: ok ? patron?.screen : ['Invalid patron or password'],
      extra: ok && patron ? [['PA', patron.expires]] : [],
    };
  }

  async checkout(request: CheckoutRequest): Promise<CheckoutResponse> {
    this.#count('checkout');
    const item = this.library.items.get(request.itemId);
    const ok = item !== undefined && item.status === '03';
    if (ok) {
      item.status = '04';
      item.due = new Date('2026-04-15T15:59:59Z');
    }
    return {
      ok,
      renewalOk: false,
      magneticMedia: 'N',
      desensitize: ok ? 'Y' : 'N',
      institutionId: INSTITUTION,
      patronId: request.patronId,
      itemId: request.itemId,
      titleId: item?.title ?? '',
      dueDate: ok ? item.due : null,
      screenMessages: ok ? [] : [item ? 'Item already checked out' : 'Item not found'],
    };
  }

  async checkin(request: CheckinRequest): Promise<CheckinResponse> {
    this.#count('checkin');
    const item = this.library.items.get(request.itemId);
    const ok = item !== undefined && item.status === '04';
    if (ok) {
      item.status = '03';
      item.due = null;
    }
    return {
      ok,
      resensitize: ok,
      magneticMedia: 'N',
      alert: false,
      institutionId: INSTITUTION,
      itemId: request.itemId,
      permanentLocation: '总馆',
      titleId: item?.title,
      screenMessages: ok ? [] : ['Item not checked out'],
    };
  }

  async renew(request: RenewRequest): Promise<RenewResponse> {
    this.#count('renew');
    const { patron, passwordOk } = this.#patron(request.patronId, request.patronPassword);
    const item = request.itemId ? this.library.items.get(request.itemId) : undefined;
    const onLoan = Boolean(patron && item && patron.loans.includes(request.itemId ?? ''));
    const refusal = !passwordOk
      ? 'Invalid patron password'
      : !onLoan
        ? 'Item not checked out to you'
        : (item?.renewRefusal ?? null);
    if (refusal === null && item?.due) item.due = new Date(item.due.getTime() + 30 * 86_400_000);
    return {
      ok: refusal === null,
      renewalOk: refusal === null,
      magneticMedia: 'N',
      desensitize: 'N',
      institutionId: INSTITUTION,
      patronId: request.patronId,
      itemId: request.itemId ?? '',
      titleId: item?.title ?? '',
      dueDate: item?.due ?? null,
      screenMessages: refusal === null ? [] : [refusal],
    };
  }

  async renewAll(request: RenewAllRequest): Promise<RenewAllResponse> {
    this.#count('renewAll');
    const { patron } = this.#patron(request.patronId, request.patronPassword);
    const renewed: string[] = [];
    const unrenewed: string[] = [];
    for (const id of patron?.loans ?? []) {
      const item = this.library.items.get(id);
      if (item && item.renewRefusal === null) {
        if (item.due) item.due = new Date(item.due.getTime() + 30 * 86_400_000);
        renewed.push(id);
      } else {
        unrenewed.push(id);
      }
    }
    return {
      ok: true,
      renewedCount: renewed.length,
      unrenewedCount: unrenewed.length,
      institutionId: INSTITUTION,
      renewedItems: renewed,
      unrenewedItems: unrenewed,
      screenMessages: unrenewed.length > 0 ? ['部分图书续借次数已达上限'] : [],
    };
  }

  async hold(request: HoldRequest): Promise<HoldResponse> {
    this.#count('hold');
    const { patron, passwordOk } = this.#patron(request.patronId, request.patronPassword);
    const target = request.itemId ?? request.titleId ?? '';
    const base = { institutionId: INSTITUTION, patronId: request.patronId };
    if (!patron || !passwordOk) {
      return { ...base, ok: false, available: false, screenMessages: ['Invalid patron'] };
    }
    if (request.mode === '+') {
      if (patron.unavailableHolds.includes(target) || patron.holds.includes(target)) {
        return {
          ...base,
          ok: false,
          available: false,
          screenMessages: ['Patron already has a hold on this item'],
        };
      }
      patron.unavailableHolds.push(target);
      const item = request.itemId ? this.library.items.get(request.itemId) : undefined;
      return {
        ...base,
        ok: true,
        available: false,
        queuePosition: 1,
        pickupLocation: request.pickupLocation,
        itemId: request.itemId,
        titleId: item?.title ?? request.titleId,
      };
    }
    const index = patron.unavailableHolds.indexOf(target);
    if (index < 0)
      return { ...base, ok: false, available: false, screenMessages: ['No such hold'] };
    patron.unavailableHolds.splice(index, 1);
    return {
      ...base,
      ok: true,
      available: false,
      itemId: request.itemId,
      titleId: request.titleId,
    };
  }

  async itemInformation(request: ItemInformationRequest): Promise<ItemInformationResponse> {
    this.#count('itemInformation');
    if (this.itemDelayMs > 0) await new Promise((r) => setTimeout(r, this.itemDelayMs));
    const item = this.library.items.get(request.itemId);
    if (!item) {
      return {
        circulationStatus: '01',
        securityMarker: '01',
        feeType: '01',
        itemId: request.itemId,
        titleId: '',
        screenMessages: ['Item not found'],
      };
    }
    return {
      circulationStatus: item.status,
      securityMarker: '02',
      feeType: '01',
      dueDate: item.due,
      itemId: request.itemId,
      titleId: item.title,
      permanentLocation: '总馆',
      currentLocation: '总馆三楼',
      callNumber: item.callNumber,
      holdQueueLength: 0,
    };
  }

  async endSession(request: EndSessionRequest): Promise<EndSessionResponse> {
    this.#count('endSession');
    return { endSession: true, institutionId: INSTITUTION, patronId: request.patronId };
  }
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/**
 * A pino logger at debug level that keeps its lines (parsed) instead of printing them.
 *
 * @example
 * const { logger, lines } = capturingLogger();
 */
export function capturingLogger(): { logger: Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('utf8');
      raw.push(text);
      for (const line of text.split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, destination), lines, text: () => raw.join('') };
}

/** A raw SC connection: write text in a charset, read whole messages back as text. */
export class RawSip2Socket {
  readonly socket: Socket;
  readonly #charset: Sip2Charset;
  readonly #framer = new Sip2Framer();
  readonly #messages: string[] = [];
  readonly #bytes: Buffer[] = [];
  #wake: (() => void) | undefined;
  closed = false;

  private constructor(socket: Socket, charset: Sip2Charset) {
    this.socket = socket;
    this.#charset = charset;
    socket.on('data', (chunk: Buffer) => {
      this.#bytes.push(chunk);
      for (const frame of this.#framer.push(chunk)) this.#messages.push(decodeText(frame, charset));
      this.#wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, charset: Sip2Charset = 'utf-8'): Promise<RawSip2Socket> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawSip2Socket(socket, charset);
  }

  /** Everything received so far, as bytes. */
  get received(): Buffer {
    return Buffer.concat(this.#bytes);
  }

  write(text: string, terminator = '\r'): void {
    this.socket.write(Buffer.concat([encodeText(text, this.#charset), Buffer.from(terminator)]));
  }

  writeBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next message, or null when the connection closes first (or after `ms`). */
  async next(ms = 3000): Promise<string | null> {
    const deadline = Date.now() + ms;
    while (this.#messages.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#messages.shift() ?? null;
  }

  /** Resolves once the server closed the connection (false if it did not within `ms`). */
  async waitClosed(ms = 3000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
