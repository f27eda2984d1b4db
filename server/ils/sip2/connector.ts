/**
 * The SIP2 connector (`ILS_CONNECTOR=sip2`): the ILS seam over a pool of SIP2
 * connections, for Koha, Evergreen, FOLIO, Alma, Sierra and the Chinese ILSs that speak
 * SIP2 to their self-check machines.
 *
 * What SIP2 cannot say is left unsaid rather than guessed: loans carry `renewable: null`
 * (only trying tells), there are no pickup locations to list, and a refusal's reason is
 * read from the ILS's screen message only where the words are clear, else `ILS_REFUSED`
 * with the ILS's own text. Any failure to get a readable answer is an
 * `IlsUnavailableError`; every request is one SIP2 transaction, so nothing is half done.
 */
import { refusalCodeOfText } from '../texts.ts';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.ts';
import type { Sip2ClientConfig } from '../../platform/config.ts';
import { IlsConfigError, IlsRefusal, IlsUnavailableError, type RefusalCode } from '../errors.ts';
import type {
  Branch,
  CirculationOutcome,
  Fine,
  FineType,
  Hold,
  HoldOutcome,
  IlsCapability,
  IlsConnector,
  IlsHealth,
  ItemInfo,
  Loan,
  PatronAccount,
  PatronBlock,
  PatronRef,
  PatronSummary,
  PlaceHoldRequest,
  RenewOutcome,
} from '../types.ts';
import { Sip2Pool } from './client.ts';
import { parseSip2Date, type Sip2Field } from './codec.ts';
import {
  buildCheckinRequest,
  buildCheckoutRequest,
  buildHoldRequest,
  buildItemInformationRequest,
  buildPatronInformationRequest,
  buildPatronStatusRequest,
  buildRenewAllRequest,
  buildRenewRequest,
  itemStatusOf,
  parseCheckinResponse,
  parseCheckoutResponse,
  parseHoldResponse,
  parseItemInformationResponse,
  parsePatronInformationResponse,
  parsePatronStatusResponse,
  parseRenewAllResponse,
  parseRenewResponse,
  parseSupportedMessages,
  type AcsStatusResponse,
  type ItemInformationResponse,
  type PatronInformationResponse,
  type PatronStatus,
  type Sip2MessageName,
  type SummaryCategory,
} from './messages.ts';

export interface Sip2ConnectorDeps {
  readonly logger: Logger;
  /** The library's time zone: SIP2 dates are wall-clock time in it. */
  readonly timezone: string;
  readonly clock?: Clock;
}

const ALL_CAPABILITIES: readonly IlsCapability[] = [
  'authenticate',
  'account',
  'renew',
  'renewAll',
  'placeHold',
  'cancelHold',
  'itemInfo',
  'checkout',
  'checkin',
];

/** Which SIP2 messages each capability needs (any one of them). */
const NEEDS: Record<Exclude<IlsCapability, 'pickupLocations'>, readonly Sip2MessageName[]> = {
  authenticate: ['patronInformation', 'patronStatus'],
  account: ['patronInformation'],
  renew: ['renew'],
  renewAll: ['renewAll', 'renew'],
  placeHold: ['hold'],
  cancelHold: ['hold'],
  itemInfo: ['itemInformation'],
  checkout: ['checkout'],
  checkin: ['checkin'],
};

/** Title-level holds have ids of their own, so that cancelling knows to send `AJ`. */
const TITLE_HOLD = 'title:';

/** Pages of a 63 item list asked for at most, against ACSs that ignore BP/BQ. */
const MAX_PAGES = 50;

interface Pattern {
  readonly code: RefusalCode;
  readonly test: RegExp;
}

// Screen messages vary by ILS and by library; only unmistakable wording is mapped.
const RENEW_PATTERNS: readonly Pattern[] = [
  { code: 'TOO_EARLY', test: /too (soon|early)|not yet renewable|未到.*续借|过早/i },
  {
    code: 'RENEWAL_LIMIT_REACHED',
    test: /too many renewals|renewal limit|(max(imum)?|no more) renewals|renewals? (limit|exceeded)|续借次数|续借.*(上限|已满)|超过.*续借/i,
  },
  {
    code: 'ITEM_HAS_HOLD_FOR_OTHER',
    test: /on hold|reserved|hold (for|by) another|has (a )?holds?|recalled|已被.*预约|有.*预约|预约/i,
  },
  { code: 'CARD_EXPIRED', test: /card (has )?expired|expired card|证.*过期|过期.*证/i },
  { code: 'FINES_OVER_LIMIT', test: /fines?|fees?|owes?|欠款|罚款|欠费/i },
  { code: 'PATRON_HAS_OVERDUES', test: /overdue|超期|逾期/i },
  { code: 'ITEM_LOST', test: /\blost\b|claimed returned|丢失|遗失/i },
  { code: 'LOAN_NOT_FOUND', test: /not (checked|charged) out|not on loan|no such loan|未借/i },
  {
    code: 'ITEM_NOT_FOUND',
    test: /item not found|unknown item|no such item|invalid item|无此.*(书|条码)/i,
  },
  {
    code: 'LOAN_NOT_RENEWABLE',
    test: /not renewable|cannot be renewed|can't be renewed|不可续借|不能续借|不允许续借/i,
  },
  { code: 'PATRON_BLOCKED', test: /blocked|suspended|barred|debarred|停用|冻结|暂停/i },
];

const CHECKOUT_PATTERNS: readonly Pattern[] = [
  {
    code: 'ITEM_ALREADY_CHECKED_OUT',
    test: /already (checked|charged) out|checked out to another|已借出/i,
  },
  {
    code: 'LOAN_LIMIT_REACHED',
    test: /too many (items|loans|checkouts)|(loan|checkout) limit|maximum (items|loans)|借阅.*(上限|已满)|超过.*册/i,
  },
  {
    code: 'ITEM_NOT_FOUND',
    test: /item not found|unknown item|no such item|invalid item|无此.*(书|条码)/i,
  },
  {
    code: 'ITEM_NOT_LOANABLE',
    test: /not for loan|not loanable|cannot be (checked|loaned)|不外借|不可外借/i,
  },
  { code: 'ITEM_HAS_HOLD_FOR_OTHER', test: /on hold for another|reserved for another|已被.*预约/i },
  { code: 'CARD_EXPIRED', test: /card (has )?expired|expired card|证.*过期|过期.*证/i },
  { code: 'FINES_OVER_LIMIT', test: /fines?|fees?|欠款|罚款|欠费/i },
  { code: 'PATRON_BLOCKED', test: /blocked|suspended|barred|debarred|停用|冻结|暂停/i },
];

const CHECKIN_PATTERNS: readonly Pattern[] = [
  { code: 'ITEM_NOT_CHECKED_OUT', test: /not (checked|charged) out|not on loan|未借出/i },
  {
    code: 'ITEM_NOT_FOUND',
    test: /item not found|unknown item|no such item|invalid item|无此.*(书|条码)/i,
  },
];

const HOLD_PATTERNS: readonly Pattern[] = [
  {
    code: 'HOLD_ALREADY_PLACED',
    test: /already (has a |have a )?(hold|request|reserv)|duplicate|已预约|重复预约/i,
  },
  {
    code: 'HOLD_LIMIT_REACHED',
    test: /too many (holds|requests|reserves)|(hold|request) limit|maximum holds|预约.*(上限|已满)/i,
  },
  {
    code: 'ALREADY_ON_LOAN_TO_PATRON',
    test: /already (checked|charged) out to (you|patron)|already on loan to/i,
  },
  { code: 'HOLD_NOT_FOUND', test: /no (such )?hold|hold not found|not found|没有.*预约/i },
  { code: 'PICKUP_LOCATION_INVALID', test: /pickup|pick-up|取书地点/i },
  { code: 'ITEM_NOT_FOUND', test: /item not found|unknown item|no such item|invalid item/i },
  {
    code: 'HOLD_NOT_ALLOWED',
    test: /not (allowed|permitted|holdable)|cannot be (placed|held)|不允许|不可预约/i,
  },
  { code: 'CARD_EXPIRED', test: /card (has )?expired|expired card|证.*过期|过期.*证/i },
  { code: 'PATRON_BLOCKED', test: /blocked|suspended|barred|停用|冻结/i },
];

function guess(patterns: readonly Pattern[], text: string): RefusalCode {
  if (text === '') return 'ILS_REFUSED';
  return refusalCodeOfText(text) ?? patterns.find((p) => p.test.test(text))?.code ?? 'ILS_REFUSED';
}

const screenText = (messages: readonly string[] | undefined): string =>
  (messages ?? [])
    .map((m) => m.trim())
    .filter(Boolean)
    .join(' ');

const orNull = (text: string | undefined): string | null => {
  const value = text?.trim();
  return value ? value : null;
};

/** The barcode in an item list entry: ILSs may append the title after a space. */
const barcodeOf = (entry: string): string => entry.trim().split(/\s+/)[0] ?? '';

function extraOf(extra: readonly Sip2Field[] | undefined, code: string): string | undefined {
  return extra?.find(([c]) => c === code)?.[1];
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function blocksOf(status: PatronStatus, message: string | null): PatronBlock[] {
  const codes = new Set<PatronBlock['code']>();
  if (status.cardReportedLost) codes.add('CARD_LOST');
  if (status.chargePrivilegesDenied || status.tooManyItemsCharged) codes.add('CHARGE_DENIED');
  if (status.renewalPrivilegesDenied || status.tooManyRenewals) codes.add('RENEWAL_DENIED');
  if (status.holdPrivilegesDenied) codes.add('HOLD_DENIED');
  if (status.tooManyItemsOverdue || status.recallOverdue) codes.add('TOO_MANY_OVERDUE');
  if (status.excessiveOutstandingFines || status.excessiveOutstandingFees) {
    codes.add('FINES_OVER_LIMIT');
  }
  if (
    status.recallPrivilegesDenied ||
    status.tooManyClaimsOfItemsReturned ||
    status.tooManyItemsLost ||
    status.tooManyItemsBilled
  ) {
    codes.add('MANUAL');
  }
  return [...codes].map((code) => ({ code, message }));
}

function fineTypeFromText(text: string): FineType {
  if (/overdue|逾期|超期/i.test(text)) return 'overdue';
  if (/lost|replace|丢失|遗失|赔/i.test(text)) return 'lost';
  if (/damage|损/i.test(text)) return 'damage';
  if (/hold|预约/i.test(text)) return 'hold';
  if (/process|加工/i.test(text)) return 'processing';
  return 'other';
}

const LIST_OF: Record<SummaryCategory, (r: PatronInformationResponse) => readonly string[]> = {
  hold: (r) => r.holdItems ?? [],
  overdue: (r) => r.overdueItems ?? [],
  charged: (r) => r.chargedItems ?? [],
  fine: (r) => r.fineItems ?? [],
  recall: (r) => r.recallItems ?? [],
  unavailableHolds: (r) => r.unavailableHoldItems ?? [],
};

function readCa(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new IlsConfigError(`SIP2_TLS_CA: cannot read ${value} (${(error as Error).message})`);
  }
}

/**
 * The ILS seam over SIP2.
 *
 * @example
 * const ils = await Sip2Connector.open(config.ils.sip2!, { logger, timezone: config.timezone });
 * const patron = await ils.authenticate('20231234', '123456');
 * const account = await ils.account({ barcode: '20231234', password: '123456' });
 */
export class Sip2Connector implements IlsConnector {
  readonly name = 'sip2';
  readonly needsPatronPassword = true;
  readonly #config: Sip2ClientConfig;
  readonly #log: Logger;
  readonly #tz: string;
  readonly #clock: Clock;
  readonly #pool: Sip2Pool;
  #supported: ReadonlySet<Sip2MessageName> | null = null;
  #capabilities: ReadonlySet<IlsCapability> = new Set(ALL_CAPABILITIES);

  /** Connects lazily; `Sip2Connector.open` connects and checks the login at once. */
  constructor(config: Sip2ClientConfig, deps: Sip2ConnectorDeps) {
    this.#config = config;
    this.#log = deps.logger.child({ ils: 'sip2' });
    this.#tz = deps.timezone;
    this.#clock = deps.clock ?? { now: () => Date.now() };
    this.#pool = new Sip2Pool({
      host: config.host,
      port: config.port,
      tls: config.tls,
      ca: readCa(config.tlsCa),
      user: config.user,
      password: config.password,
      location: config.location,
      charset: config.charset,
      checksum: config.checksum,
      errorDetection: config.errorDetection,
      terminator: config.terminator,
      timeoutMs: config.timeoutMs,
      size: config.poolSize,
      timezone: deps.timezone,
      logger: this.#log,
    });
    this.#pool.onAcsStatus((status) => this.#onAcsStatus(status));
  }

  /**
   * Connects, logs in and reads the ACS status. A refused login is a configuration error
   * and throws `IlsConfigError`; an ILS that is merely unreachable is logged and the
   * connector starts anyway, connecting when first needed.
   */
  static async open(config: Sip2ClientConfig, deps: Sip2ConnectorDeps): Promise<Sip2Connector> {
    const connector = new Sip2Connector(config, deps);
    try {
      await connector.#pool.scStatus();
    } catch (error) {
      if (error instanceof IlsConfigError) {
        await connector.close();
        throw error;
      }
      connector.#log.warn(
        { err: error, host: config.host, port: config.port },
        'SIP2 server not reachable at start-up; will connect when first needed',
      );
    }
    return connector;
  }

  /** All but pickup locations until the ACS's first status (`BX`) says otherwise. */
  get capabilities(): ReadonlySet<IlsCapability> {
    return this.#capabilities;
  }

  async authenticate(barcode: string, password: string): Promise<PatronSummary> {
    return this.#call('authenticate', async () => {
      const patron = { barcode, password };
      let valid: boolean | undefined;
      let validPassword: boolean | undefined;
      let screen: string;
      let summary: PatronSummary;
      if (this.#supports('patronInformation') || !this.#supports('patronStatus')) {
        const info = await this.#patronInformation(patron, null);
        valid = info.validPatron;
        validPassword = info.validPatronPassword;
        screen = screenText(info.screenMessages);
        summary = this.#summaryOf(
          barcode,
          info.patronId,
          info.personalName,
          info.email,
          info.extra,
        );
      } else {
        const status = await this.#patronStatus(patron);
        valid = status.validPatron;
        validPassword = status.validPatronPassword;
        screen = screenText(status.screenMessages);
        summary = this.#summaryOf(
          barcode,
          status.patronId,
          status.personalName,
          undefined,
          status.extra,
        );
      }
      if (valid !== true) throw new IlsRefusal('PATRON_NOT_FOUND', orNull(screen));
      if (validPassword !== true) throw new IlsRefusal('INVALID_CREDENTIALS', orNull(screen));
      return summary;
    });
  }

  async account(patron: PatronRef): Promise<PatronAccount> {
    return this.#call('account', async () => {
      const charged = await this.#itemList(patron, 'charged');
      const first = charged.first;
      if (first.validPatron === false) {
        throw new IlsRefusal('PATRON_NOT_FOUND', orNull(screenText(first.screenMessages)));
      }
      if (first.validPatronPassword === false) {
        throw new IlsRefusal('INVALID_CREDENTIALS', orNull(screenText(first.screenMessages)));
      }
      const [holdItems, unavailable, fineItems] = await Promise.all(
        (['hold', 'unavailableHolds', 'fine'] as const).map((category) =>
          this.#listFrom(first, patron, category),
        ),
      );
      const now = this.#clock.now();
      const overdueListed = new Set((first.overdueItems ?? []).map(barcodeOf));
      const loans = await mapLimit(charged.items, this.#config.poolSize, async (entry) => {
        const barcode = barcodeOf(entry);
        const item = await this.#itemInformation(barcode);
        const due = item.dueDate ?? null;
        const loan: Loan = {
          id: barcode,
          itemBarcode: barcode,
          title: orNull(item.titleId) ?? orNull(entry.slice(barcode.length)) ?? barcode,
          callNumber: orNull(item.callNumber),
          dueAt: due ? due.toISOString() : '',
          overdue: overdueListed.has(barcode) || (due !== null && due.getTime() < now),
          renewable: null,
        };
        return loan;
      });

      const holds = await this.#holdsOf(holdItems ?? [], unavailable ?? []);
      const fines = (fineItems ?? []).map((text, i): Fine => {
        const amount = /(\d+\.\d{1,2})/.exec(text);
        return {
          id: `fine-${i + 1}`,
          amount: amount ? Number(amount[1]) : 0,
          type: fineTypeFromText(text),
          description: text,
        };
      });
      const messages = [...(first.screenMessages ?? [])].map((m) => m.trim()).filter(Boolean);
      const expiry = this.#expiryOf(first.extra);
      const blocks = blocksOf(first.patronStatus, messages[0] ?? null);
      if (expiry && expiry < this.#day(now)) blocks.push({ code: 'CARD_EXPIRED', message: null });
      return {
        patron: this.#summaryOf(
          patron.barcode,
          first.patronId,
          first.personalName,
          first.email,
          first.extra,
        ),
        loans,
        holds,
        fines,
        finesTotal:
          first.feeAmount ?? Math.round(fines.reduce((sum, f) => sum + f.amount, 0) * 100) / 100,
        currency: orNull(first.currency) ?? 'CNY',
        blocks,
        messages,
      };
    });
  }

  async renew(patron: PatronRef, itemBarcodes: readonly string[]): Promise<RenewOutcome[]> {
    return this.#call('renew', async () => {
      const outcomes: RenewOutcome[] = [];
      // One at a time: ILSs recompute the patron's limits after each renewal.
      for (const barcode of itemBarcodes) outcomes.push(await this.#renewOne(patron, barcode));
      return outcomes;
    });
  }

  async renewAll(patron: PatronRef): Promise<RenewOutcome[]> {
    return this.#call('renewAll', async () => {
      if (!this.#supports('renewAll')) {
        const charged = await this.#itemList(patron, 'charged');
        const outcomes: RenewOutcome[] = [];
        for (const entry of charged.items) {
          outcomes.push(await this.#renewOne(patron, barcodeOf(entry)));
        }
        return outcomes;
      }
      const body = await this.#pool.request(
        buildRenewAllRequest(
          {
            transactionDate: this.#now(),
            institutionId: this.#config.institution,
            patronId: patron.barcode,
            patronPassword: patron.password,
          },
          this.#tz,
        ),
        '66',
      );
      const reply = parseRenewAllResponse(body, this.#tz);
      const message = orNull(screenText(reply.screenMessages));
      const renewed = (reply.renewedItems ?? []).map(barcodeOf).filter(Boolean);
      const unrenewed = (reply.unrenewedItems ?? []).map(barcodeOf).filter(Boolean);
      if (!reply.ok && renewed.length === 0 && unrenewed.length === 0) {
        throw new IlsRefusal(guess(RENEW_PATTERNS, message ?? ''), message);
      }
      const done = await mapLimit(renewed, this.#config.poolSize, async (barcode) => {
        const item = await this.#itemInformation(barcode);
        const outcome: RenewOutcome = {
          ok: true,
          itemBarcode: barcode,
          title: orNull(item.titleId),
          dueAt: item.dueDate?.toISOString() ?? '',
          message,
        };
        return outcome;
      });
      const refused = unrenewed.map((barcode): RenewOutcome => ({
        ok: false,
        itemBarcode: barcode,
        code: guess(RENEW_PATTERNS, message ?? ''),
        message,
      }));
      return [...done, ...refused];
    });
  }

  async placeHold(patron: PatronRef, request: PlaceHoldRequest): Promise<HoldOutcome> {
    if (!request.itemBarcode && !request.recordId) {
      throw new TypeError('placeHold needs a recordId or an itemBarcode');
    }
    return this.#call('placeHold', async () => {
      const copy = Boolean(request.itemBarcode);
      const reply = parseHoldResponse(
        await this.#pool.request(
          buildHoldRequest(
            {
              mode: '+',
              transactionDate: this.#now(),
              pickupLocation: request.pickupBranch,
              holdType: copy ? 3 : 2,
              institutionId: this.#config.institution,
              patronId: patron.barcode,
              patronPassword: patron.password,
              itemId: request.itemBarcode,
              titleId: copy ? undefined : request.recordId,
            },
            this.#tz,
          ),
          '16',
        ),
        this.#tz,
      );
      const message = orNull(screenText(reply.screenMessages));
      if (!reply.ok) return { ok: false, code: guess(HOLD_PATTERNS, message ?? ''), message };
      const pickup = orNull(reply.pickupLocation) ?? request.pickupBranch ?? null;
      const hold: Hold = {
        id: copy ? (request.itemBarcode as string) : TITLE_HOLD + (request.recordId as string),
        recordId: request.recordId ?? null,
        itemBarcode: request.itemBarcode ?? null,
        title: orNull(reply.titleId) ?? request.recordId ?? request.itemBarcode ?? '',
        status: reply.available ? 'awaiting-pickup' : 'not-yet-filled',
        queuePosition: reply.queuePosition ?? null,
        pickupBranch: pickup ? { code: pickup, name: pickup } : null,
        placedAt: this.#now().toISOString(),
        expiresAt: reply.expirationDate?.toISOString() ?? null,
      };
      return { ok: true, hold, message };
    });
  }

  async cancelHold(patron: PatronRef, holdId: string): Promise<HoldOutcome> {
    return this.#call('cancelHold', async () => {
      const titleLevel = holdId.startsWith(TITLE_HOLD);
      const target = titleLevel ? holdId.slice(TITLE_HOLD.length) : holdId;
      const reply = parseHoldResponse(
        await this.#pool.request(
          buildHoldRequest(
            {
              mode: '-',
              transactionDate: this.#now(),
              holdType: titleLevel ? 2 : 3,
              institutionId: this.#config.institution,
              patronId: patron.barcode,
              patronPassword: patron.password,
              itemId: titleLevel ? undefined : target,
              titleId: titleLevel ? target : undefined,
            },
            this.#tz,
          ),
          '16',
        ),
        this.#tz,
      );
      const message = orNull(screenText(reply.screenMessages));
      if (!reply.ok) return { ok: false, code: guess(HOLD_PATTERNS, message ?? ''), message };
      const hold: Hold = {
        id: holdId,
        recordId: titleLevel ? target : null,
        itemBarcode: titleLevel ? null : target,
        title: orNull(reply.titleId) ?? target,
        status: 'not-yet-filled',
        queuePosition: null,
        pickupBranch: null,
      };
      return { ok: true, hold, message };
    });
  }

  async itemInfo(barcode: string): Promise<ItemInfo | null> {
    return this.#call('itemInfo', async () => {
      const item = await this.#itemInformation(barcode);
      if (item.circulationStatus === '01' && !item.titleId.trim()) return null;
      const location = orNull(item.currentLocation) ?? orNull(item.permanentLocation);
      return {
        barcode: orNull(item.itemId) ?? barcode,
        title: item.titleId,
        status: itemStatusOf(item.circulationStatus),
        dueAt: item.dueDate?.toISOString() ?? null,
        location,
        callNumber: orNull(item.callNumber),
        holdQueueLength: item.holdQueueLength ?? null,
      };
    });
  }

  pickupLocations(): Promise<Branch[]> {
    return Promise.resolve([]);
  }

  async checkout(patron: PatronRef, itemBarcode: string): Promise<CirculationOutcome> {
    return this.#call('checkout', async () => {
      const now = this.#now();
      const reply = parseCheckoutResponse(
        await this.#pool.request(
          buildCheckoutRequest(
            {
              scRenewalPolicy: true,
              noBlock: false,
              transactionDate: now,
              nbDueDate: null,
              institutionId: this.#config.institution,
              patronId: patron.barcode,
              itemId: itemBarcode,
              terminalPassword: '',
              patronPassword: patron.password,
            },
            this.#tz,
          ),
          '12',
        ),
        this.#tz,
      );
      const message = orNull(screenText(reply.screenMessages));
      if (!reply.ok) return { ok: false, code: guess(CHECKOUT_PATTERNS, message ?? ''), message };
      return {
        ok: true,
        itemBarcode,
        title: orNull(reply.titleId),
        dueAt: reply.dueDate?.toISOString() ?? null,
        message,
      };
    });
  }

  async checkin(itemBarcode: string, branch?: string): Promise<CirculationOutcome> {
    return this.#call('checkin', async () => {
      const now = this.#now();
      const reply = parseCheckinResponse(
        await this.#pool.request(
          buildCheckinRequest(
            {
              noBlock: false,
              transactionDate: now,
              returnDate: now,
              currentLocation: branch ?? this.#config.location ?? '',
              institutionId: this.#config.institution,
              itemId: itemBarcode,
              terminalPassword: '',
            },
            this.#tz,
          ),
          '10',
        ),
        this.#tz,
      );
      const message = orNull(screenText(reply.screenMessages));
      if (!reply.ok) return { ok: false, code: guess(CHECKIN_PATTERNS, message ?? ''), message };
      const holdPatron = orNull(reply.holdPatronId);
      const destination = orNull(reply.destinationLocation) ?? orNull(reply.permanentLocation);
      return {
        ok: true,
        itemBarcode,
        title: orNull(reply.titleId),
        holdFor: holdPatron
          ? {
              patronBarcode: holdPatron,
              pickupBranch: { code: destination ?? '', name: destination ?? '' },
            }
          : null,
        message,
      };
    });
  }

  async health(): Promise<IlsHealth> {
    const started = performance.now();
    try {
      const status = await this.#pool.scStatus();
      const latencyMs = Math.round(performance.now() - started);
      return status.online
        ? { ok: true, connector: this.name, latencyMs }
        : { ok: false, connector: this.name, latencyMs, detail: 'the ACS says it is off-line' };
    } catch (error) {
      return { ok: false, connector: this.name, detail: (error as Error).message };
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  // -------------------------------------------------------------------------------------

  async #call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof IlsRefusal) throw error;
      if (error instanceof IlsUnavailableError) {
        this.#log.warn({ action, err: error }, 'SIP2 request failed');
        throw error;
      }
      if (error instanceof IlsConfigError) {
        this.#log.error({ action, err: error }, 'SIP2 connector misconfigured');
        throw new IlsUnavailableError(error.message, { cause: error });
      }
      this.#log.warn({ action, err: error }, 'SIP2 reply could not be read');
      throw new IlsUnavailableError(
        `SIP2 ${action}: the reply could not be read (${(error as Error).message})`,
        { cause: error },
      );
    }
  }

  #onAcsStatus(status: AcsStatusResponse): void {
    const supported = parseSupportedMessages(status.supportedMessages);
    this.#supported = supported;
    if (!supported) {
      this.#capabilities = new Set(ALL_CAPABILITIES);
      return;
    }
    this.#capabilities = new Set(
      ALL_CAPABILITIES.filter((capability) =>
        NEEDS[capability as keyof typeof NEEDS].some((name) => supported.has(name)),
      ),
    );
  }

  #supports(name: Sip2MessageName): boolean {
    return this.#supported === null || this.#supported.has(name);
  }

  #now(): Date {
    return new Date(this.#clock.now());
  }

  /** `YYYY-MM-DD` of an instant in the library's zone. */
  #day(ms: number): string {
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.#tz }).format(new Date(ms));
  }

  #expiryOf(extra: readonly Sip2Field[] | undefined): string | null {
    const raw = extraOf(extra, 'PA');
    const date = raw ? parseSip2Date(raw, this.#tz) : null;
    return date ? this.#day(date.getTime()) : null;
  }

  #summaryOf(
    barcode: string,
    patronId: string,
    name: string,
    email: string | undefined,
    extra: readonly Sip2Field[] | undefined,
  ): PatronSummary {
    return {
      barcode: orNull(patronId) ?? barcode,
      name: name.trim(),
      patronType: orNull(extraOf(extra, 'PC')),
      email: orNull(email),
      expiresOn: this.#expiryOf(extra),
    };
  }

  async #patronInformation(
    patron: PatronRef,
    summary: SummaryCategory | null,
    range?: { start: number; end: number },
  ): Promise<PatronInformationResponse> {
    const body = await this.#pool.request(
      buildPatronInformationRequest(
        {
          transactionDate: this.#now(),
          summary,
          institutionId: this.#config.institution,
          patronId: patron.barcode,
          patronPassword: patron.password,
          startItem: range?.start,
          endItem: range?.end,
        },
        this.#tz,
      ),
      '64',
    );
    return parsePatronInformationResponse(body, this.#tz);
  }

  async #patronStatus(patron: PatronRef) {
    const body = await this.#pool.request(
      buildPatronStatusRequest(
        {
          transactionDate: this.#now(),
          institutionId: this.#config.institution,
          patronId: patron.barcode,
          patronPassword: patron.password ?? '',
          terminalPassword: '',
        },
        this.#tz,
      ),
      '24',
    );
    return parsePatronStatusResponse(body, this.#tz);
  }

  /**
   * One category's item list, in as many 63 round trips as the ACS needs: some send the
   * whole list, some a page at a time (asked for with BP/BQ), some ignore BP/BQ.
   */
  async #itemList(
    patron: PatronRef,
    category: SummaryCategory,
  ): Promise<{ first: PatronInformationResponse; items: string[] }> {
    const first = await this.#patronInformation(patron, category);
    const items = [...LIST_OF[category](first)];
    const total = first.counts[category];
    for (let page = 0; total !== null && items.length < total && page < MAX_PAGES; page++) {
      const next = LIST_OF[category](
        await this.#patronInformation(patron, category, { start: items.length + 1, end: total }),
      );
      // An ACS that ignores BP/BQ starts from the top again: nothing more to get.
      if (next.length === 0 || next[0] === items[0]) break;
      items.push(...next);
    }
    return { first, items };
  }

  /** A category's list: from a response already in hand when it is complete there. */
  async #listFrom(
    first: PatronInformationResponse,
    patron: PatronRef,
    category: SummaryCategory,
  ): Promise<readonly string[]> {
    const count = first.counts[category];
    if (count === 0) return [];
    const listed = LIST_OF[category](first);
    if (count !== null && listed.length >= count) return listed;
    return (await this.#itemList(patron, category)).items;
  }

  async #itemInformation(barcode: string): Promise<ItemInformationResponse> {
    const body = await this.#pool.request(
      buildItemInformationRequest(
        { transactionDate: this.#now(), institutionId: this.#config.institution, itemId: barcode },
        this.#tz,
      ),
      '18',
    );
    return parseItemInformationResponse(body, this.#tz);
  }

  async #holdsOf(available: readonly string[], unavailable: readonly string[]): Promise<Hold[]> {
    const waiting = new Set(available.map((e) => e.trim()).filter(Boolean));
    const pending = new Set(unavailable.map((e) => e.trim()).filter(Boolean));
    for (const entry of pending) waiting.delete(entry);
    const entries = [
      ...[...waiting].map((entry) => ({ entry, ready: true })),
      ...[...pending].map((entry) => ({ entry, ready: false })),
    ];
    return mapLimit(entries, this.#config.poolSize, async ({ entry, ready }): Promise<Hold> => {
      const barcode = barcodeOf(entry);
      const item = this.#supports('itemInformation') ? await this.#itemInformation(barcode) : null;
      const known = item !== null && !(item.circulationStatus === '01' && !item.titleId.trim());
      if (!known) {
        return {
          id: TITLE_HOLD + entry,
          title: entry,
          status: ready ? 'awaiting-pickup' : 'not-yet-filled',
          queuePosition: null,
          pickupBranch: null,
        };
      }
      const inTransit = item.circulationStatus === '10';
      return {
        id: barcode,
        itemBarcode: barcode,
        title: orNull(item.titleId) ?? entry,
        status: inTransit ? 'in-transit' : ready ? 'awaiting-pickup' : 'not-yet-filled',
        queuePosition: null,
        queueLength: item.holdQueueLength ?? null,
        pickupBranch: null,
        pickupBy: item.holdPickupDate?.toISOString() ?? null,
      };
    });
  }

  async #renewOne(patron: PatronRef, barcode: string): Promise<RenewOutcome> {
    const reply = parseRenewResponse(
      await this.#pool.request(
        buildRenewRequest(
          {
            thirdPartyAllowed: false,
            noBlock: false,
            transactionDate: this.#now(),
            nbDueDate: null,
            institutionId: this.#config.institution,
            patronId: patron.barcode,
            patronPassword: patron.password,
            itemId: barcode,
          },
          this.#tz,
        ),
        '30',
      ),
      this.#tz,
    );
    const message = orNull(screenText(reply.screenMessages));
    const title = orNull(reply.titleId);
    if (!reply.ok) {
      return {
        ok: false,
        itemBarcode: barcode,
        title,
        code: guess(RENEW_PATTERNS, message ?? ''),
        message,
        dueAt: reply.dueDate?.toISOString() ?? null,
      };
    }
    let due = reply.dueDate ?? null;
    // Some ACSs leave AH out of 30; the item record has the new due date.
    if (!due) due = (await this.#itemInformation(barcode)).dueDate ?? null;
    return { ok: true, itemBarcode: barcode, title, dueAt: due?.toISOString() ?? '', message };
  }
}
