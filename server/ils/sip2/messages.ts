/**
 * Typed SIP2 messages, both directions: the SC (our connector) builds requests and
 * parses responses; the ACS (`Sip2Server`, the embedded ILS) parses requests and builds
 * responses. Layouts follow the 3M SIP2 2.00 spec as encoded by SIPServer, Koha and
 * FOLIO's edge-sip2; field order in built messages follows the spec's order.
 *
 * `build…` returns the message without the `AY…AZ…` trailer and terminator (the client
 * and server add those); `parse…` takes a body whose trailer is already removed. Dates are
 * `Date`s: built as wall-clock time in `timeZone`, parsed from it. A missing required
 * field parses as `''` rather than failing, since real ACSs leave some out.
 */
import type { FineType, ItemStatus } from '../types.ts';
import {
  BLANK_SIP2_DATE,
  Sip2ParseError,
  formatSip2Date,
  joinMessage,
  parseSip2Date,
  splitMessage,
  type Sip2Field,
} from './codec.ts';

// ---------------------------------------------------------------------------------------
// Code values

/** The 14 patron status flags of 24 and 64, in wire order. */
export const PATRON_STATUS_FLAGS = [
  'chargePrivilegesDenied',
  'renewalPrivilegesDenied',
  'recallPrivilegesDenied',
  'holdPrivilegesDenied',
  'cardReportedLost',
  'tooManyItemsCharged',
  'tooManyItemsOverdue',
  'tooManyRenewals',
  'tooManyClaimsOfItemsReturned',
  'tooManyItemsLost',
  'excessiveOutstandingFines',
  'excessiveOutstandingFees',
  'recallOverdue',
  'tooManyItemsBilled',
] as const;

export type PatronStatusFlag = (typeof PATRON_STATUS_FLAGS)[number];

/** Flags left out are not set. Parsed messages carry all 14. */
export type PatronStatus = Readonly<Partial<Record<PatronStatusFlag, boolean>>>;

/** The positions of the 63 summary field; an ACS lists the items of the one marked `Y`. */
export const SUMMARY_CATEGORIES = [
  'hold',
  'overdue',
  'charged',
  'fine',
  'recall',
  'unavailableHolds',
] as const;

export type SummaryCategory = (typeof SUMMARY_CATEGORIES)[number];

/** The `BX` positions of 98, in wire order. */
export const SUPPORTED_MESSAGES = [
  'patronStatus',
  'checkout',
  'checkin',
  'blockPatron',
  'acsStatus',
  'resend',
  'login',
  'patronInformation',
  'endSession',
  'feePaid',
  'itemInformation',
  'itemStatusUpdate',
  'patronEnable',
  'hold',
  'renew',
  'renewAll',
] as const;

export type Sip2MessageName = (typeof SUPPORTED_MESSAGES)[number];

/**
 * The messages a `BX` string says the ACS supports; null when the string is missing or
 * not a run of Y/N (then nothing can be concluded). Missing positions at the end are No.
 *
 * @example
 * parseSupportedMessages('YYYNYNYYYNYNNYYY')?.has('hold'); // true
 */
export function parseSupportedMessages(
  bx: string | undefined,
): ReadonlySet<Sip2MessageName> | null {
  if (!bx || !/^[YNyn ]+$/.test(bx)) return null;
  const set = new Set<Sip2MessageName>();
  SUPPORTED_MESSAGES.forEach((name, i) => {
    if (bx[i]?.toUpperCase() === 'Y') set.add(name);
  });
  return set;
}

/**
 * The `BX` string for a set of supported messages.
 *
 * @example
 * buildSupportedMessages(['login', 'acsStatus']); // 'NNNNYNYNNNNNNNNN'
 */
export function buildSupportedMessages(supported: Iterable<Sip2MessageName>): string {
  const set = new Set(supported);
  return SUPPORTED_MESSAGES.map((name) => (set.has(name) ? 'Y' : 'N')).join('');
}

/** Circulation status (18), `01`–`13`. */
export type CirculationStatus =
  '01' | '02' | '03' | '04' | '05' | '06' | '07' | '08' | '09' | '10' | '11' | '12' | '13';

const CIRCULATION_TO_STATUS: Record<CirculationStatus, ItemStatus> = {
  '01': 'unknown',
  '02': 'on-order',
  '03': 'available',
  '04': 'checked-out',
  '05': 'checked-out',
  '06': 'in-process',
  '07': 'checked-out',
  '08': 'on-hold-shelf',
  '09': 'awaiting-reshelving',
  '10': 'in-transit',
  '11': 'claimed-returned',
  '12': 'lost',
  '13': 'missing',
};

const STATUS_TO_CIRCULATION: Record<ItemStatus, CirculationStatus> = {
  available: '03',
  'checked-out': '04',
  'on-hold-shelf': '08',
  'in-transit': '10',
  'on-order': '02',
  'in-process': '06',
  'awaiting-reshelving': '09',
  'claimed-returned': '11',
  lost: '12',
  missing: '13',
  'not-for-loan': '01',
  withdrawn: '01',
  unknown: '01',
};

/**
 * The seam's item status for a circulation status code; codes outside 01–13 are unknown.
 *
 * @example
 * itemStatusOf('08'); // 'on-hold-shelf'
 */
export function itemStatusOf(code: string): ItemStatus {
  return CIRCULATION_TO_STATUS[code as CirculationStatus] ?? 'unknown';
}

/**
 * The circulation status code for an item status (`01` "other" where SIP2 has no word).
 *
 * @example
 * circulationStatusOf('available'); // '03'
 */
export function circulationStatusOf(status: ItemStatus): CirculationStatus {
  return STATUS_TO_CIRCULATION[status];
}

const FEE_TO_FINE: Record<string, FineType> = {
  '01': 'other',
  '02': 'other',
  '03': 'damage',
  '04': 'overdue',
  '05': 'processing',
  '06': 'other',
  '07': 'lost',
  '08': 'other',
  '09': 'hold',
};

const FINE_TO_FEE: Record<FineType, string> = {
  other: '01',
  damage: '03',
  overdue: '04',
  processing: '05',
  lost: '07',
  hold: '09',
};

/**
 * The seam's fine type for a SIP2 fee type (`BT`, 18's fee type); replacement is `lost`.
 *
 * @example
 * fineTypeOf('07'); // 'lost'
 */
export function fineTypeOf(feeType: string): FineType {
  return FEE_TO_FINE[feeType] ?? 'other';
}

/**
 * The SIP2 fee type for a fine type.
 *
 * @example
 * feeTypeOf('overdue'); // '04'
 */
export function feeTypeOf(type: FineType): string {
  return FINE_TO_FEE[type];
}

/** Y/N/U fields (magnetic media, desensitize): U is "unknown". */
export type YesNoUnknown = 'Y' | 'N' | 'U';

/** SIP2 language codes we name: `000` unknown, `001` English, `019` Chinese. */
export const LANGUAGE = { unknown: '000', english: '001', chinese: '019' } as const;

// ---------------------------------------------------------------------------------------
// Message types

interface Screen {
  /** `AF`, repeatable: text to show the patron. */
  readonly screenMessages?: readonly string[];
  /** `AG`, repeatable: text to print. */
  readonly printLines?: readonly string[];
}

interface Extensible {
  /** Fields this layout does not name (extensions such as `PA`, `CS`, `XI`), in order. */
  readonly extra?: readonly Sip2Field[];
}

export interface LoginRequest extends Extensible {
  readonly uidAlgorithm?: string;
  readonly pwdAlgorithm?: string;
  /** `CN` */
  readonly userId: string;
  /** `CO` */
  readonly password: string;
  /** `CP` */
  readonly locationCode?: string;
}

export interface LoginResponse {
  readonly ok: boolean;
}

export interface ScStatusRequest {
  /** 0 OK, 1 printer out of paper, 2 shutting down. */
  readonly statusCode: number;
  readonly maxPrintWidth: number;
  readonly protocolVersion: string;
}

export interface AcsStatusResponse extends Screen, Extensible {
  readonly online: boolean;
  readonly checkinOk: boolean;
  readonly checkoutOk: boolean;
  readonly renewalPolicy: boolean;
  readonly statusUpdateOk: boolean;
  readonly offlineOk: boolean;
  /** Tenths of a second; 0 means none. */
  readonly timeoutPeriod: number;
  /** 999 means unknown. */
  readonly retriesAllowed: number;
  readonly dateTimeSync?: Date | null;
  readonly protocolVersion: string;
  readonly institutionId: string;
  readonly libraryName?: string;
  /** `BX`, 16 Y/N; see `buildSupportedMessages`. */
  readonly supportedMessages: string;
  readonly terminalLocation?: string;
}

export interface PatronStatusRequest extends Extensible {
  readonly language?: string;
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly terminalPassword?: string;
  readonly patronPassword?: string;
}

export interface PatronStatusResponse extends Screen, Extensible {
  readonly patronStatus: PatronStatus;
  readonly language?: string;
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly personalName: string;
  /** `BL` */
  readonly validPatron?: boolean;
  /** `CQ` */
  readonly validPatronPassword?: boolean;
  readonly currency?: string;
  /** `BV` */
  readonly feeAmount?: number;
}

export interface PatronInformationRequest extends Extensible {
  readonly language?: string;
  readonly transactionDate?: Date | null;
  /** Which item list to send back; null for none. */
  readonly summary: SummaryCategory | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly terminalPassword?: string;
  readonly patronPassword?: string;
  /** `BP`, 1-based: the first item of the list to send. */
  readonly startItem?: number;
  /** `BQ`, 1-based, inclusive. */
  readonly endItem?: number;
}

export interface PatronItemCounts {
  readonly hold: number | null;
  readonly overdue: number | null;
  readonly charged: number | null;
  readonly fine: number | null;
  readonly recall: number | null;
  readonly unavailableHolds: number | null;
}

export interface PatronInformationResponse extends Screen, Extensible {
  readonly patronStatus: PatronStatus;
  readonly language?: string;
  readonly transactionDate?: Date | null;
  /** Blank counts parse as null; built as 0. */
  readonly counts: PatronItemCounts;
  readonly institutionId: string;
  readonly patronId: string;
  readonly personalName: string;
  readonly holdItemsLimit?: number;
  readonly overdueItemsLimit?: number;
  readonly chargedItemsLimit?: number;
  readonly validPatron?: boolean;
  readonly validPatronPassword?: boolean;
  readonly currency?: string;
  readonly feeAmount?: number;
  readonly feeLimit?: number;
  /** `AS` */
  readonly holdItems?: readonly string[];
  /** `AT` */
  readonly overdueItems?: readonly string[];
  /** `AU` */
  readonly chargedItems?: readonly string[];
  /** `AV` */
  readonly fineItems?: readonly string[];
  /** `BU` */
  readonly recallItems?: readonly string[];
  /** `CD` */
  readonly unavailableHoldItems?: readonly string[];
  readonly homeAddress?: string;
  readonly email?: string;
  readonly homePhone?: string;
}

export interface CheckoutRequest extends Extensible {
  readonly scRenewalPolicy: boolean;
  readonly noBlock: boolean;
  readonly transactionDate?: Date | null;
  /** A due date for an offline (no block) checkout; null: blank. */
  readonly nbDueDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly itemId: string;
  readonly terminalPassword?: string;
  readonly itemProperties?: string;
  readonly patronPassword?: string;
  readonly feeAcknowledged?: boolean;
  readonly cancel?: boolean;
}

/** 12 (checkout) and 30 (renew) share one layout. */
export interface CirculationResponse extends Screen, Extensible {
  readonly ok: boolean;
  readonly renewalOk: boolean;
  readonly magneticMedia: YesNoUnknown;
  readonly desensitize: YesNoUnknown;
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly itemId: string;
  readonly titleId: string;
  /** `AH`; null or absent: none given (or unreadable). */
  readonly dueDate?: Date | null;
  readonly feeType?: string;
  readonly securityInhibit?: boolean;
  readonly currency?: string;
  readonly feeAmount?: number;
  readonly mediaType?: string;
  readonly itemProperties?: string;
  readonly transactionId?: string;
}

export type CheckoutResponse = CirculationResponse;
export type RenewResponse = CirculationResponse;

export interface CheckinRequest extends Extensible {
  readonly noBlock: boolean;
  readonly transactionDate?: Date | null;
  readonly returnDate?: Date | null;
  /** `AP` */
  readonly currentLocation: string;
  readonly institutionId: string;
  readonly itemId: string;
  readonly terminalPassword?: string;
  readonly itemProperties?: string;
  readonly cancel?: boolean;
}

export interface CheckinResponse extends Screen, Extensible {
  readonly ok: boolean;
  readonly resensitize: boolean;
  readonly magneticMedia: YesNoUnknown;
  readonly alert: boolean;
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly itemId: string;
  /** `AQ` */
  readonly permanentLocation: string;
  readonly titleId?: string;
  readonly patronId?: string;
  readonly mediaType?: string;
  readonly itemProperties?: string;
  readonly sortBin?: string;
  /** `CS` (edge-sip2, Koha) */
  readonly callNumber?: string;
  /** `CV`: 01 hold for this library, 02 hold for another, 04 send to another library … */
  readonly alertType?: string;
  /** `CT`: where the item must go (the pickup library of a trapped hold). */
  readonly destinationLocation?: string;
  /** `CY`: the patron a trapped hold is for. */
  readonly holdPatronId?: string;
  /** `DA` */
  readonly holdPatronName?: string;
}

export interface RenewRequest extends Extensible {
  readonly thirdPartyAllowed: boolean;
  readonly noBlock: boolean;
  readonly transactionDate?: Date | null;
  readonly nbDueDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly patronPassword?: string;
  readonly itemId?: string;
  readonly titleId?: string;
  readonly terminalPassword?: string;
  readonly itemProperties?: string;
  readonly feeAcknowledged?: boolean;
}

export interface RenewAllRequest extends Extensible {
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly patronPassword?: string;
  readonly terminalPassword?: string;
  readonly feeAcknowledged?: boolean;
}

export interface RenewAllResponse extends Screen, Extensible {
  readonly ok: boolean;
  readonly renewedCount: number;
  readonly unrenewedCount: number;
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  /** `BM` */
  readonly renewedItems?: readonly string[];
  /** `BN` */
  readonly unrenewedItems?: readonly string[];
}

/** `+` place, `-` cancel, `*` change. */
export type HoldMode = '+' | '-' | '*';

export interface HoldRequest extends Extensible {
  readonly mode: HoldMode;
  readonly transactionDate?: Date | null;
  /** `BW`: when an unfilled hold lapses. */
  readonly expirationDate?: Date | null;
  /** `BS` */
  readonly pickupLocation?: string;
  /** `BY`: 1 other, 2 any copy of a title, 3 a specific copy, 4 any copy at one branch. */
  readonly holdType?: number;
  readonly institutionId: string;
  readonly patronId: string;
  readonly patronPassword?: string;
  readonly itemId?: string;
  readonly titleId?: string;
  readonly terminalPassword?: string;
  readonly feeAcknowledged?: boolean;
}

export interface HoldResponse extends Screen, Extensible {
  readonly ok: boolean;
  /** The item is available now (on the hold shelf or the shelf). */
  readonly available: boolean;
  readonly transactionDate?: Date | null;
  readonly expirationDate?: Date | null;
  /** `BR`, 1 = next. */
  readonly queuePosition?: number;
  readonly pickupLocation?: string;
  readonly institutionId: string;
  readonly patronId: string;
  readonly itemId?: string;
  readonly titleId?: string;
}

export interface ItemInformationRequest extends Extensible {
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly itemId: string;
  readonly terminalPassword?: string;
}

export interface ItemInformationResponse extends Screen, Extensible {
  /** `01`–`13`; see `itemStatusOf`. */
  readonly circulationStatus: string;
  /** `00` other, `01` none, `02` 3M tattle-tape, `03` 3M whisper tape. */
  readonly securityMarker: string;
  readonly feeType: string;
  readonly transactionDate?: Date | null;
  /** `CF` */
  readonly holdQueueLength?: number;
  readonly dueDate?: Date | null;
  /** `CJ` */
  readonly recallDate?: Date | null;
  /** `CM` */
  readonly holdPickupDate?: Date | null;
  readonly itemId: string;
  readonly titleId: string;
  readonly owner?: string;
  readonly currency?: string;
  readonly feeAmount?: number;
  readonly mediaType?: string;
  readonly permanentLocation?: string;
  readonly currentLocation?: string;
  readonly itemProperties?: string;
  /** `CS` (an extension most ILSs send) */
  readonly callNumber?: string;
}

export interface EndSessionRequest extends Extensible {
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
  readonly terminalPassword?: string;
  readonly patronPassword?: string;
}

export interface EndSessionResponse extends Screen, Extensible {
  readonly endSession: boolean;
  readonly transactionDate?: Date | null;
  readonly institutionId: string;
  readonly patronId: string;
}

// ---------------------------------------------------------------------------------------
// Helpers

/** Fixed-part lengths after the command code, by code. */
export const FIXED_LENGTHS: Readonly<Record<string, number>> = {
  '93': 2,
  '94': 1,
  '99': 8,
  '98': 34,
  '23': 21,
  '24': 35,
  '63': 31,
  '64': 59,
  '11': 38,
  '12': 22,
  '09': 37,
  '10': 22,
  '29': 38,
  '30': 22,
  '65': 18,
  '66': 27,
  '15': 19,
  '16': 20,
  '17': 18,
  '18': 24,
  '35': 18,
  '36': 19,
  '96': 0,
  '97': 0,
};

const SECRET_FIELDS = new Set(['AD', 'CO', 'AC']);

/**
 * A message safe to log: patron, login and terminal passwords (`AD`, `CO`, `AC`) are
 * replaced. Fields are found with the message's fixed length where the code is known, and
 * anywhere in the text otherwise.
 *
 * @example
 * redactSip2('9300CNuser|COsecret|'); // '9300CNuser|CO[redacted]|'
 */
export function redactSip2(text: string): string {
  const fixed = FIXED_LENGTHS[text.slice(0, 2)];
  if (fixed === undefined || text.length < 2 + fixed) {
    return text.replace(/(AD|CO|AC)[^|]*/g, '$1[redacted]');
  }
  const head = text.slice(0, 2 + fixed);
  const variable = text
    .slice(2 + fixed)
    .split('|')
    .map((segment) =>
      SECRET_FIELDS.has(segment.slice(0, 2)) && segment.length > 2
        ? `${segment.slice(0, 2)}[redacted]`
        : segment,
    )
    .join('|');
  return head + variable;
}

class Fields {
  readonly #fields: readonly Sip2Field[];
  readonly #known: ReadonlySet<string>;

  constructor(fields: readonly Sip2Field[], known: readonly string[]) {
    this.#fields = fields;
    this.#known = new Set(known);
  }

  one(code: string): string | undefined {
    for (const [c, v] of this.#fields) if (c === code) return v;
    return undefined;
  }

  required(code: string): string {
    return this.one(code) ?? '';
  }

  all(code: string): string[] {
    return this.#fields.filter(([c]) => c === code).map(([, v]) => v);
  }

  yes(code: string): boolean | undefined {
    const v = this.one(code);
    return v === undefined ? undefined : v.trim().toUpperCase() === 'Y';
  }

  int(code: string): number | undefined {
    const v = this.one(code)?.trim();
    return v && /^\d+$/.test(v) ? Number(v) : undefined;
  }

  amount(code: string): number | undefined {
    const v = this.one(code)?.trim();
    if (!v) return undefined;
    const n = Number(v.replace(/[^\d.-]/g, ''));
    return Number.isFinite(n) ? n : undefined;
  }

  date(code: string, timeZone: string): Date | null | undefined {
    const v = this.one(code);
    return v === undefined ? undefined : parseSip2Date(v, timeZone);
  }

  extra(): Sip2Field[] {
    return this.#fields.filter(([c]) => !this.#known.has(c));
  }
}

/** Collects variable fields; undefined values are left out. */
class FieldList {
  readonly list: Sip2Field[] = [];

  add(code: string, value: string | number | boolean | null | undefined): this {
    if (value === undefined || value === null) return this;
    const text = typeof value === 'boolean' ? (value ? 'Y' : 'N') : String(value);
    this.list.push([code, text]);
    return this;
  }

  many(code: string, values: readonly string[] | undefined): this {
    for (const value of values ?? []) this.list.push([code, value]);
    return this;
  }

  screen(msg: Screen): this {
    return this.many('AF', msg.screenMessages).many('AG', msg.printLines);
  }

  extra(msg: Extensible): this {
    for (const field of msg.extra ?? []) this.list.push(field);
    return this;
  }
}

const yn = (b: boolean | undefined): string => (b ? 'Y' : 'N');
const digit = (b: boolean): string => (b ? '1' : '0');
const num = (n: number | null | undefined, width: number): string =>
  String(Math.max(0, Math.trunc(n ?? 0)))
    .padStart(width, '0')
    .slice(-width);
const money = (n: number | undefined): string | undefined =>
  n === undefined ? undefined : n.toFixed(2);
const date = (d: Date | null | undefined, timeZone: string): string =>
  d === null ? BLANK_SIP2_DATE : formatSip2Date(d ?? new Date(), timeZone);
const optionalDate = (d: Date | null | undefined, timeZone: string): string | undefined =>
  d ? formatSip2Date(d, timeZone) : undefined;
const lang = (l: string | undefined): string => (l ?? LANGUAGE.unknown).padEnd(3, '0').slice(0, 3);
const tristate = (c: string | undefined): YesNoUnknown => (c === 'Y' || c === 'N' ? c : 'U');

function expectCode(body: string, code: string): void {
  if (body.slice(0, 2) !== code) {
    throw new Sip2ParseError(`expected a ${code} message, got ${JSON.stringify(body.slice(0, 2))}`);
  }
}

function raw(body: string, code: string): { fixed: string; fields: readonly Sip2Field[] } {
  expectCode(body, code);
  return splitMessage(body, FIXED_LENGTHS[code] as number);
}

function countOf(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

function buildPatronStatus(status: PatronStatus): string {
  return PATRON_STATUS_FLAGS.map((flag) => (status[flag] ? 'Y' : ' ')).join('');
}

function parsePatronStatus(text: string): Record<PatronStatusFlag, boolean> {
  const status = {} as Record<PatronStatusFlag, boolean>;
  PATRON_STATUS_FLAGS.forEach((flag, i) => {
    status[flag] = text[i]?.toUpperCase() === 'Y';
  });
  return status;
}

function parseSummary(text: string): SummaryCategory | null {
  const index = text.toUpperCase().indexOf('Y');
  return index >= 0 ? (SUMMARY_CATEGORIES[index] ?? null) : null;
}

function buildSummary(category: SummaryCategory | null): string {
  const index = category === null ? -1 : SUMMARY_CATEGORIES.indexOf(category);
  return Array.from({ length: 10 }, (_, i) => (i === index ? 'Y' : ' ')).join('');
}

const screenOf = (f: Fields): { screenMessages: string[]; printLines: string[] } => ({
  screenMessages: f.all('AF'),
  printLines: f.all('AG'),
});

// ---------------------------------------------------------------------------------------
// 93 / 94 Login

const LOGIN_FIELDS = ['CN', 'CO', 'CP'];

/**
 * @example
 * buildLoginRequest({ userId: 'user_id', password: 'passw0rd' }); // '9300CNuser_id|COpassw0rd|'
 */
export function buildLoginRequest(msg: LoginRequest): string {
  const f = new FieldList()
    .add('CN', msg.userId)
    .add('CO', msg.password)
    .add('CP', msg.locationCode)
    .extra(msg);
  return joinMessage('93', (msg.uidAlgorithm ?? '0') + (msg.pwdAlgorithm ?? '0'), f.list);
}

/**
 * @example
 * parseLoginRequest('9300CNuser_id|COpassw0rd|').userId; // 'user_id'
 */
export function parseLoginRequest(body: string): LoginRequest {
  const { fixed, fields } = raw(body, '93');
  const f = new Fields(fields, LOGIN_FIELDS);
  return {
    uidAlgorithm: fixed[0] ?? '0',
    pwdAlgorithm: fixed[1] ?? '0',
    userId: f.required('CN'),
    password: f.required('CO'),
    locationCode: f.one('CP'),
    extra: f.extra(),
  };
}

/**
 * @example
 * buildLoginResponse({ ok: true }); // '941'
 */
export function buildLoginResponse(msg: LoginResponse): string {
  return `94${digit(msg.ok)}`;
}

/**
 * @example
 * parseLoginResponse('940').ok; // false
 */
export function parseLoginResponse(body: string): LoginResponse {
  const { fixed } = raw(body, '94');
  return { ok: fixed === '1' };
}

// ---------------------------------------------------------------------------------------
// 99 / 98 SC and ACS status

/**
 * @example
 * buildScStatusRequest({ statusCode: 0, maxPrintWidth: 40, protocolVersion: '2.00' }); // '9900402.00'
 */
export function buildScStatusRequest(msg: ScStatusRequest): string {
  return `99${num(msg.statusCode, 1)}${num(msg.maxPrintWidth, 3)}${msg.protocolVersion.padEnd(4).slice(0, 4)}`;
}

/**
 * @example
 * parseScStatusRequest('9910302.00'); // { statusCode: 1, maxPrintWidth: 30, protocolVersion: '2.00' }
 */
export function parseScStatusRequest(body: string): ScStatusRequest {
  const { fixed } = raw(body, '99');
  return {
    statusCode: Number(fixed[0]) || 0,
    maxPrintWidth: Number(fixed.slice(1, 4).trim()) || 0,
    protocolVersion: fixed.slice(4, 8),
  };
}

const ACS_STATUS_FIELDS = ['AO', 'AM', 'BX', 'AN', 'AF', 'AG'];

/**
 * @example
 * buildAcsStatusResponse({ online: true, checkinOk: true, checkoutOk: true, renewalPolicy: true,
 *   statusUpdateOk: false, offlineOk: false, timeoutPeriod: 10, retriesAllowed: 3,
 *   protocolVersion: '2.00', institutionId: 'BR1', supportedMessages: 'YYYNYNYYYNYNNYYY' }, 'UTC');
 * // '98YYYYNN010003<date>2.00AOBR1|BXYYYNYNYYYNYNNYYY|'
 */
export function buildAcsStatusResponse(msg: AcsStatusResponse, timeZone: string): string {
  const fixed =
    yn(msg.online) +
    yn(msg.checkinOk) +
    yn(msg.checkoutOk) +
    yn(msg.renewalPolicy) +
    yn(msg.statusUpdateOk) +
    yn(msg.offlineOk) +
    num(msg.timeoutPeriod, 3) +
    num(msg.retriesAllowed, 3) +
    date(msg.dateTimeSync, timeZone) +
    msg.protocolVersion.padEnd(4).slice(0, 4);
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AM', msg.libraryName)
    .add('BX', msg.supportedMessages)
    .add('AN', msg.terminalLocation)
    .extra(msg)
    .screen(msg);
  return joinMessage('98', fixed, f.list);
}

/**
 * @example
 * parseAcsStatusResponse('98YYYNYN01000319960214    1447001.00AOID_21|AMCentral Library|', 'UTC').libraryName;
 * // 'Central Library'
 */
export function parseAcsStatusResponse(body: string, timeZone: string): AcsStatusResponse {
  const { fixed, fields } = raw(body, '98');
  const f = new Fields(fields, ACS_STATUS_FIELDS);
  return {
    online: fixed[0] === 'Y',
    checkinOk: fixed[1] === 'Y',
    checkoutOk: fixed[2] === 'Y',
    renewalPolicy: fixed[3] === 'Y',
    statusUpdateOk: fixed[4] === 'Y',
    offlineOk: fixed[5] === 'Y',
    timeoutPeriod: countOf(fixed.slice(6, 9)) ?? 0,
    retriesAllowed: countOf(fixed.slice(9, 12)) ?? 999,
    dateTimeSync: parseSip2Date(fixed.slice(12, 30), timeZone),
    protocolVersion: fixed.slice(30, 34),
    institutionId: f.required('AO'),
    libraryName: f.one('AM'),
    supportedMessages: f.required('BX'),
    terminalLocation: f.one('AN'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 23 / 24 Patron status

const PATRON_STATUS_REQUEST_FIELDS = ['AO', 'AA', 'AC', 'AD'];

/**
 * @example
 * buildPatronStatusRequest({ language: '001', transactionDate, institutionId: 'id_21',
 *   patronId: '104000000105', terminalPassword: '', patronPassword: '' }, 'UTC');
 * // '23001<date>AOid_21|AA104000000105|AC|AD|'
 */
export function buildPatronStatusRequest(msg: PatronStatusRequest, timeZone: string): string {
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AC', msg.terminalPassword ?? '')
    .add('AD', msg.patronPassword ?? '')
    .extra(msg);
  return joinMessage('23', lang(msg.language) + date(msg.transactionDate, timeZone), f.list);
}

/**
 * @example
 * parsePatronStatusRequest('2300120060101    084237AOBR1|AA999999|AD6789|AC|', 'UTC').patronPassword; // '6789'
 */
export function parsePatronStatusRequest(body: string, timeZone: string): PatronStatusRequest {
  const { fixed, fields } = raw(body, '23');
  const f = new Fields(fields, PATRON_STATUS_REQUEST_FIELDS);
  return {
    language: fixed.slice(0, 3),
    transactionDate: parseSip2Date(fixed.slice(3, 21), timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    terminalPassword: f.one('AC'),
    patronPassword: f.one('AD'),
    extra: f.extra(),
  };
}

const PATRON_STATUS_RESPONSE_FIELDS = ['AO', 'AA', 'AE', 'BL', 'CQ', 'BH', 'BV', 'AF', 'AG'];

/**
 * @example
 * buildPatronStatusResponse({ patronStatus: {}, institutionId: 'BR1', patronId: '999999',
 *   personalName: '张三', validPatron: true, validPatronPassword: true }, 'UTC');
 * // '24              000<date>AOBR1|AA999999|AE张三|BLY|CQY|'
 */
export function buildPatronStatusResponse(msg: PatronStatusResponse, timeZone: string): string {
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AE', msg.personalName)
    .add('BL', msg.validPatron)
    .add('CQ', msg.validPatronPassword)
    .add('BH', msg.currency)
    .add('BV', money(msg.feeAmount))
    .extra(msg)
    .screen(msg);
  const fixed =
    buildPatronStatus(msg.patronStatus) + lang(msg.language) + date(msg.transactionDate, timeZone);
  return joinMessage('24', fixed, f.list);
}

/**
 * @example
 * parsePatronStatusResponse('24 Y            00020180508    214544AOBR1|AA1|AEx|BLY|', 'UTC')
 *   .patronStatus.renewalPrivilegesDenied; // true
 */
export function parsePatronStatusResponse(body: string, timeZone: string): PatronStatusResponse {
  const { fixed, fields } = raw(body, '24');
  const f = new Fields(fields, PATRON_STATUS_RESPONSE_FIELDS);
  return {
    patronStatus: parsePatronStatus(fixed.slice(0, 14)),
    language: fixed.slice(14, 17),
    transactionDate: parseSip2Date(fixed.slice(17, 35), timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    personalName: f.required('AE'),
    validPatron: f.yes('BL'),
    validPatronPassword: f.yes('CQ'),
    currency: f.one('BH'),
    feeAmount: f.amount('BV'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 63 / 64 Patron information

const PATRON_INFO_REQUEST_FIELDS = ['AO', 'AA', 'AC', 'AD', 'BP', 'BQ'];

/**
 * @example
 * buildPatronInformationRequest({ language: '001', transactionDate, summary: 'hold',
 *   institutionId: 'InstitutionID', patronId: 'PatronID', startItem: 1, endItem: 5 }, 'UTC');
 * // '63001<date>Y         AOInstitutionID|AAPatronID|BP00001|BQ00005|'
 */
export function buildPatronInformationRequest(
  msg: PatronInformationRequest,
  timeZone: string,
): string {
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AC', msg.terminalPassword)
    .add('AD', msg.patronPassword)
    .add('BP', msg.startItem === undefined ? undefined : num(msg.startItem, 5))
    .add('BQ', msg.endItem === undefined ? undefined : num(msg.endItem, 5))
    .extra(msg);
  const fixed =
    lang(msg.language) + date(msg.transactionDate, timeZone) + buildSummary(msg.summary);
  return joinMessage('63', fixed, f.list);
}

/**
 * @example
 * parsePatronInformationRequest('6300020060329    201700          AOBR1|AA999999|', 'UTC').summary; // null
 */
export function parsePatronInformationRequest(
  body: string,
  timeZone: string,
): PatronInformationRequest {
  const { fixed, fields } = raw(body, '63');
  const f = new Fields(fields, PATRON_INFO_REQUEST_FIELDS);
  return {
    language: fixed.slice(0, 3),
    transactionDate: parseSip2Date(fixed.slice(3, 21), timeZone),
    summary: parseSummary(fixed.slice(21, 31)),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    terminalPassword: f.one('AC'),
    patronPassword: f.one('AD'),
    startItem: f.int('BP'),
    endItem: f.int('BQ'),
    extra: f.extra(),
  };
}

const PATRON_INFO_RESPONSE_FIELDS = [
  'AO', 'AA', 'AE', 'BZ', 'CA', 'CB', 'BL', 'CQ', 'BH', 'BV', 'CC', 'AS', 'AT', 'AU', 'AV', 'BU',
  'CD', 'BD', 'BE', 'BF', 'AF', 'AG',
]; // prettier-ignore

/**
 * @example
 * buildPatronInformationResponse({ patronStatus: {}, transactionDate,
 *   counts: { hold: 0, overdue: 0, charged: 1, fine: 0, recall: 0, unavailableHolds: 0 },
 *   institutionId: 'BR1', patronId: '999999', personalName: '张三', chargedItems: ['1565921879'] }, 'UTC');
 * // '64              000<date>000000000001000000000000AOBR1|AA999999|AE张三|AU1565921879|'
 */
export function buildPatronInformationResponse(
  msg: PatronInformationResponse,
  timeZone: string,
): string {
  const c = msg.counts;
  const fixed =
    buildPatronStatus(msg.patronStatus) +
    lang(msg.language) +
    date(msg.transactionDate, timeZone) +
    [c.hold, c.overdue, c.charged, c.fine, c.recall, c.unavailableHolds]
      .map((n) => num(n, 4))
      .join('');
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AE', msg.personalName)
    .add('BZ', msg.holdItemsLimit === undefined ? undefined : num(msg.holdItemsLimit, 4))
    .add('CA', msg.overdueItemsLimit === undefined ? undefined : num(msg.overdueItemsLimit, 4))
    .add('CB', msg.chargedItemsLimit === undefined ? undefined : num(msg.chargedItemsLimit, 4))
    .add('BL', msg.validPatron)
    .add('CQ', msg.validPatronPassword)
    .add('BH', msg.currency)
    .add('BV', money(msg.feeAmount))
    .add('CC', money(msg.feeLimit))
    .many('AS', msg.holdItems)
    .many('AT', msg.overdueItems)
    .many('AU', msg.chargedItems)
    .many('AV', msg.fineItems)
    .many('BU', msg.recallItems)
    .many('CD', msg.unavailableHoldItems)
    .add('BD', msg.homeAddress)
    .add('BE', msg.email)
    .add('BF', msg.homePhone)
    .extra(msg)
    .screen(msg);
  return joinMessage('64', fixed, f.list);
}

/**
 * @example
 * parsePatronInformationResponse('64              00020180711    185645000000000010000000000009AOLib|AA1381380|AEMr Joe Tester|', 'UTC')
 *   .counts.charged; // 10
 */
export function parsePatronInformationResponse(
  body: string,
  timeZone: string,
): PatronInformationResponse {
  const { fixed, fields } = raw(body, '64');
  const f = new Fields(fields, PATRON_INFO_RESPONSE_FIELDS);
  const count = (i: number) => countOf(fixed.slice(35 + i * 4, 39 + i * 4));
  return {
    patronStatus: parsePatronStatus(fixed.slice(0, 14)),
    language: fixed.slice(14, 17),
    transactionDate: parseSip2Date(fixed.slice(17, 35), timeZone),
    counts: {
      hold: count(0),
      overdue: count(1),
      charged: count(2),
      fine: count(3),
      recall: count(4),
      unavailableHolds: count(5),
    },
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    personalName: f.required('AE'),
    holdItemsLimit: f.int('BZ'),
    overdueItemsLimit: f.int('CA'),
    chargedItemsLimit: f.int('CB'),
    validPatron: f.yes('BL'),
    validPatronPassword: f.yes('CQ'),
    currency: f.one('BH'),
    feeAmount: f.amount('BV'),
    feeLimit: f.amount('CC'),
    holdItems: f.all('AS'),
    overdueItems: f.all('AT'),
    chargedItems: f.all('AU'),
    fineItems: f.all('AV'),
    recallItems: f.all('BU'),
    unavailableHoldItems: f.all('CD'),
    homeAddress: f.one('BD'),
    email: f.one('BE'),
    homePhone: f.one('BF'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 11 / 12 Checkout, 29 / 30 Renew

const CHECKOUT_FIELDS = ['AO', 'AA', 'AB', 'AC', 'CH', 'AD', 'BO', 'BI'];

/**
 * @example
 * buildCheckoutRequest({ scRenewalPolicy: true, noBlock: false, transactionDate, nbDueDate: null,
 *   institutionId: 'BR1', patronId: '999999', itemId: '1565921879', terminalPassword: '' }, 'UTC');
 * // '11YN<date>                  AOBR1|AA999999|AB1565921879|AC|'
 */
export function buildCheckoutRequest(msg: CheckoutRequest, timeZone: string): string {
  const fixed =
    yn(msg.scRenewalPolicy) +
    yn(msg.noBlock) +
    date(msg.transactionDate, timeZone) +
    (msg.nbDueDate ? formatSip2Date(msg.nbDueDate, timeZone) : BLANK_SIP2_DATE);
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AB', msg.itemId)
    .add('AC', msg.terminalPassword ?? '')
    .add('CH', msg.itemProperties)
    .add('AD', msg.patronPassword)
    .add('BO', msg.feeAcknowledged)
    .add('BI', msg.cancel)
    .extra(msg);
  return joinMessage('11', fixed, f.list);
}

/**
 * @example
 * parseCheckoutRequest('11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|', 'UTC').nbDueDate; // null
 */
export function parseCheckoutRequest(body: string, timeZone: string): CheckoutRequest {
  const { fixed, fields } = raw(body, '11');
  const f = new Fields(fields, CHECKOUT_FIELDS);
  return {
    scRenewalPolicy: fixed[0] === 'Y',
    noBlock: fixed[1] === 'Y',
    transactionDate: parseSip2Date(fixed.slice(2, 20), timeZone),
    nbDueDate: parseSip2Date(fixed.slice(20, 38), timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    itemId: f.required('AB'),
    terminalPassword: f.one('AC'),
    itemProperties: f.one('CH'),
    patronPassword: f.one('AD'),
    feeAcknowledged: f.yes('BO'),
    cancel: f.yes('BI'),
    extra: f.extra(),
  };
}

const CIRCULATION_RESPONSE_FIELDS = [
  'AO', 'AA', 'AB', 'AJ', 'AH', 'BT', 'CI', 'BH', 'BV', 'CK', 'CH', 'BK', 'AF', 'AG',
]; // prettier-ignore

function buildCirculationResponse(code: '12' | '30', msg: CirculationResponse, timeZone: string) {
  const fixed =
    digit(msg.ok) +
    yn(msg.renewalOk) +
    msg.magneticMedia +
    msg.desensitize +
    date(msg.transactionDate, timeZone);
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AB', msg.itemId)
    .add('AJ', msg.titleId)
    .add('AH', optionalDate(msg.dueDate, timeZone) ?? '')
    .add('BT', msg.feeType)
    .add('CI', msg.securityInhibit)
    .add('BH', msg.currency)
    .add('BV', money(msg.feeAmount))
    .add('CK', msg.mediaType)
    .add('CH', msg.itemProperties)
    .add('BK', msg.transactionId)
    .extra(msg)
    .screen(msg);
  return joinMessage(code, fixed, f.list);
}

function parseCirculationResponse(
  code: '12' | '30',
  body: string,
  timeZone: string,
): CirculationResponse {
  const { fixed, fields } = raw(body, code);
  const f = new Fields(fields, CIRCULATION_RESPONSE_FIELDS);
  return {
    ok: fixed[0] === '1',
    renewalOk: fixed[1] === 'Y',
    magneticMedia: tristate(fixed[2]),
    desensitize: tristate(fixed[3]),
    transactionDate: parseSip2Date(fixed.slice(4, 22), timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    itemId: f.required('AB'),
    titleId: f.required('AJ'),
    dueDate: f.date('AH', timeZone),
    feeType: f.one('BT'),
    securityInhibit: f.yes('CI'),
    currency: f.one('BH'),
    feeAmount: f.amount('BV'),
    mediaType: f.one('CK'),
    itemProperties: f.one('CH'),
    transactionId: f.one('BK'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

/**
 * @example
 * buildCheckoutResponse({ ok: true, renewalOk: false, magneticMedia: 'N', desensitize: 'Y',
 *   institutionId: 'BR1', patronId: '999999', itemId: '1565921879', titleId: '红楼梦', dueDate }, 'UTC');
 * // '121NNY<date>AOBR1|AA999999|AB1565921879|AJ红楼梦|AH<due>|'
 */
export function buildCheckoutResponse(msg: CheckoutResponse, timeZone: string): string {
  return buildCirculationResponse('12', msg, timeZone);
}

/**
 * @example
 * parseCheckoutResponse('120NUN20060329    203000AOBR1|AA999999|AB1|AJ|AH|AFItem not found|', 'UTC').ok; // false
 */
export function parseCheckoutResponse(body: string, timeZone: string): CheckoutResponse {
  return parseCirculationResponse('12', body, timeZone);
}

/**
 * @example
 * buildRenewResponse({ ok: true, renewalOk: true, magneticMedia: 'N', desensitize: 'N',
 *   institutionId: 'BR1', patronId: '999999', itemId: '1565921879', titleId: '三体', dueDate }, 'UTC');
 * // '301YNN<date>AOBR1|AA999999|AB1565921879|AJ三体|AH<due>|'
 */
export function buildRenewResponse(msg: RenewResponse, timeZone: string): string {
  return buildCirculationResponse('30', msg, timeZone);
}

/**
 * @example
 * parseRenewResponse('300NUN20060102    084236AOBR1|AA999999|AB1|AJ|AH|AFRenewal limit reached|', 'UTC').screenMessages;
 * // ['Renewal limit reached']
 */
export function parseRenewResponse(body: string, timeZone: string): RenewResponse {
  return parseCirculationResponse('30', body, timeZone);
}

const RENEW_FIELDS = ['AO', 'AA', 'AD', 'AB', 'AJ', 'AC', 'CH', 'BO'];

/**
 * @example
 * buildRenewRequest({ thirdPartyAllowed: false, noBlock: false, transactionDate, nbDueDate: null,
 *   institutionId: 'BR1', patronId: '999999', itemId: '1565921879' }, 'UTC');
 * // '29NN<date>                  AOBR1|AA999999|AB1565921879|'
 */
export function buildRenewRequest(msg: RenewRequest, timeZone: string): string {
  const fixed =
    yn(msg.thirdPartyAllowed) +
    yn(msg.noBlock) +
    date(msg.transactionDate, timeZone) +
    (msg.nbDueDate ? formatSip2Date(msg.nbDueDate, timeZone) : BLANK_SIP2_DATE);
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AD', msg.patronPassword)
    .add('AB', msg.itemId)
    .add('AJ', msg.titleId)
    .add('AC', msg.terminalPassword)
    .add('CH', msg.itemProperties)
    .add('BO', msg.feeAcknowledged)
    .extra(msg);
  return joinMessage('29', fixed, f.list);
}

/**
 * @example
 * parseRenewRequest('29NN20060102    084236                  AOBR1|AA999999|AB1565921879|', 'UTC').itemId; // '1565921879'
 */
export function parseRenewRequest(body: string, timeZone: string): RenewRequest {
  const { fixed, fields } = raw(body, '29');
  const f = new Fields(fields, RENEW_FIELDS);
  return {
    thirdPartyAllowed: fixed[0] === 'Y',
    noBlock: fixed[1] === 'Y',
    transactionDate: parseSip2Date(fixed.slice(2, 20), timeZone),
    nbDueDate: parseSip2Date(fixed.slice(20, 38), timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    patronPassword: f.one('AD'),
    itemId: f.one('AB'),
    titleId: f.one('AJ'),
    terminalPassword: f.one('AC'),
    itemProperties: f.one('CH'),
    feeAcknowledged: f.yes('BO'),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 09 / 10 Checkin

const CHECKIN_FIELDS = ['AP', 'AO', 'AB', 'AC', 'CH', 'BI'];

/**
 * @example
 * buildCheckinRequest({ noBlock: false, transactionDate, returnDate, currentLocation: 'Under the bed',
 *   institutionId: 'BR1', itemId: '1565921879', terminalPassword: 'terminal password' }, 'UTC');
 * // '09N<date><date>APUnder the bed|AOBR1|AB1565921879|ACterminal password|'
 */
export function buildCheckinRequest(msg: CheckinRequest, timeZone: string): string {
  const fixed =
    yn(msg.noBlock) +
    date(msg.transactionDate, timeZone) +
    (msg.returnDate ? formatSip2Date(msg.returnDate, timeZone) : BLANK_SIP2_DATE);
  const f = new FieldList()
    .add('AP', msg.currentLocation)
    .add('AO', msg.institutionId)
    .add('AB', msg.itemId)
    .add('AC', msg.terminalPassword ?? '')
    .add('CH', msg.itemProperties)
    .add('BI', msg.cancel)
    .extra(msg);
  return joinMessage('09', fixed, f.list);
}

/**
 * @example
 * parseCheckinRequest('09N20060102    08423620060113    084235APUnder the bed|AOBR1|AB1565921879|AC|', 'UTC').currentLocation;
 * // 'Under the bed'
 */
export function parseCheckinRequest(body: string, timeZone: string): CheckinRequest {
  const { fixed, fields } = raw(body, '09');
  const f = new Fields(fields, CHECKIN_FIELDS);
  return {
    noBlock: fixed[0] === 'Y',
    transactionDate: parseSip2Date(fixed.slice(1, 19), timeZone),
    returnDate: parseSip2Date(fixed.slice(19, 37), timeZone),
    currentLocation: f.required('AP'),
    institutionId: f.required('AO'),
    itemId: f.required('AB'),
    terminalPassword: f.one('AC'),
    itemProperties: f.one('CH'),
    cancel: f.yes('BI'),
    extra: f.extra(),
  };
}

const CHECKIN_RESPONSE_FIELDS = [
  'AO', 'AB', 'AQ', 'AJ', 'AA', 'CK', 'CH', 'CL', 'CS', 'CV', 'CT', 'CY', 'DA', 'AF', 'AG',
]; // prettier-ignore

/**
 * @example
 * buildCheckinResponse({ ok: true, resensitize: true, magneticMedia: 'N', alert: false,
 *   institutionId: 'BR1', itemId: '1565921879', permanentLocation: '总馆' }, 'UTC');
 * // '101YNN<date>AOBR1|AB1565921879|AQ总馆|'
 */
export function buildCheckinResponse(msg: CheckinResponse, timeZone: string): string {
  const fixed =
    digit(msg.ok) +
    yn(msg.resensitize) +
    msg.magneticMedia +
    yn(msg.alert) +
    date(msg.transactionDate, timeZone);
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AB', msg.itemId)
    .add('AQ', msg.permanentLocation)
    .add('AJ', msg.titleId)
    .add('AA', msg.patronId)
    .add('CK', msg.mediaType)
    .add('CH', msg.itemProperties)
    .add('CL', msg.sortBin)
    .add('CS', msg.callNumber)
    .add('CV', msg.alertType)
    .add('CT', msg.destinationLocation)
    .add('CY', msg.holdPatronId)
    .add('DA', msg.holdPatronName)
    .extra(msg)
    .screen(msg);
  return joinMessage('10', fixed, f.list);
}

/**
 * @example
 * parseCheckinResponse('101YNN19980821    085721AOInst|ABCheckInBook|AQLoc|AJTitle|', 'UTC').titleId; // 'Title'
 */
export function parseCheckinResponse(body: string, timeZone: string): CheckinResponse {
  const { fixed, fields } = raw(body, '10');
  const f = new Fields(fields, CHECKIN_RESPONSE_FIELDS);
  return {
    ok: fixed[0] === '1',
    resensitize: fixed[1] === 'Y',
    magneticMedia: tristate(fixed[2]),
    alert: fixed[3] === 'Y',
    transactionDate: parseSip2Date(fixed.slice(4, 22), timeZone),
    institutionId: f.required('AO'),
    itemId: f.required('AB'),
    permanentLocation: f.required('AQ'),
    titleId: f.one('AJ'),
    patronId: f.one('AA'),
    mediaType: f.one('CK'),
    itemProperties: f.one('CH'),
    sortBin: f.one('CL'),
    callNumber: f.one('CS'),
    alertType: f.one('CV'),
    destinationLocation: f.one('CT'),
    holdPatronId: f.one('CY'),
    holdPatronName: f.one('DA'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 65 / 66 Renew all

const RENEW_ALL_FIELDS = ['AO', 'AA', 'AD', 'AC', 'BO'];

/**
 * @example
 * buildRenewAllRequest({ transactionDate, institutionId: 'BR1', patronId: '999999' }, 'UTC');
 * // '65<date>AOBR1|AA999999|'
 */
export function buildRenewAllRequest(msg: RenewAllRequest, timeZone: string): string {
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AD', msg.patronPassword)
    .add('AC', msg.terminalPassword)
    .add('BO', msg.feeAcknowledged)
    .extra(msg);
  return joinMessage('65', date(msg.transactionDate, timeZone), f.list);
}

/**
 * @example
 * parseRenewAllRequest('6520060102    084236AOBR1|AA999999|', 'UTC').patronId; // '999999'
 */
export function parseRenewAllRequest(body: string, timeZone: string): RenewAllRequest {
  const { fixed, fields } = raw(body, '65');
  const f = new Fields(fields, RENEW_ALL_FIELDS);
  return {
    transactionDate: parseSip2Date(fixed, timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    patronPassword: f.one('AD'),
    terminalPassword: f.one('AC'),
    feeAcknowledged: f.yes('BO'),
    extra: f.extra(),
  };
}

const RENEW_ALL_RESPONSE_FIELDS = ['AO', 'BM', 'BN', 'AF', 'AG'];

/**
 * @example
 * buildRenewAllResponse({ ok: true, renewedCount: 1, unrenewedCount: 0, institutionId: 'BR1',
 *   renewedItems: ['1565921879'] }, 'UTC');
 * // '66100010000<date>AOBR1|BM1565921879|'
 */
export function buildRenewAllResponse(msg: RenewAllResponse, timeZone: string): string {
  const fixed =
    digit(msg.ok) +
    num(msg.renewedCount, 4) +
    num(msg.unrenewedCount, 4) +
    date(msg.transactionDate, timeZone);
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .many('BM', msg.renewedItems)
    .many('BN', msg.unrenewedItems)
    .extra(msg)
    .screen(msg);
  return joinMessage('66', fixed, f.list);
}

/**
 * @example
 * parseRenewAllResponse('6610001000020060102    084236AOBR1|BM1565921879|', 'UTC').renewedItems; // ['1565921879']
 */
export function parseRenewAllResponse(body: string, timeZone: string): RenewAllResponse {
  const { fixed, fields } = raw(body, '66');
  const f = new Fields(fields, RENEW_ALL_RESPONSE_FIELDS);
  return {
    ok: fixed[0] === '1',
    renewedCount: countOf(fixed.slice(1, 5)) ?? 0,
    unrenewedCount: countOf(fixed.slice(5, 9)) ?? 0,
    transactionDate: parseSip2Date(fixed.slice(9, 27), timeZone),
    institutionId: f.required('AO'),
    renewedItems: f.all('BM'),
    unrenewedItems: f.all('BN'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 15 / 16 Hold

const HOLD_FIELDS = ['BW', 'BS', 'BY', 'AO', 'AA', 'AD', 'AB', 'AJ', 'AC', 'BO'];

/**
 * @example
 * buildHoldRequest({ mode: '+', transactionDate, expirationDate, pickupLocation: 'Taylor',
 *   holdType: 2, institutionId: 'BR1', patronId: '999999', itemId: '1565921879' }, 'UTC');
 * // '15+<date>BW<date>|BSTaylor|BY2|AOBR1|AA999999|AB1565921879|'
 */
export function buildHoldRequest(msg: HoldRequest, timeZone: string): string {
  const f = new FieldList()
    .add('BW', optionalDate(msg.expirationDate, timeZone))
    .add('BS', msg.pickupLocation)
    .add('BY', msg.holdType)
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AD', msg.patronPassword)
    .add('AB', msg.itemId)
    .add('AJ', msg.titleId)
    .add('AC', msg.terminalPassword)
    .add('BO', msg.feeAcknowledged)
    .extra(msg);
  return joinMessage('15', msg.mode + date(msg.transactionDate, timeZone), f.list);
}

/**
 * @example
 * parseHoldRequest('15+20060415    110158BW20060815    110158|BSTaylor|BY2|AOBR1|AA999999|AB1565921879|', 'UTC').holdType; // 2
 */
export function parseHoldRequest(body: string, timeZone: string): HoldRequest {
  const { fixed, fields } = raw(body, '15');
  const f = new Fields(fields, HOLD_FIELDS);
  const mode = fixed[0];
  if (mode !== '+' && mode !== '-' && mode !== '*') {
    throw new Sip2ParseError(`hold mode ${JSON.stringify(mode)} is not +, - or *`);
  }
  return {
    mode,
    transactionDate: parseSip2Date(fixed.slice(1, 19), timeZone),
    expirationDate: f.date('BW', timeZone),
    pickupLocation: f.one('BS'),
    holdType: f.int('BY'),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    patronPassword: f.one('AD'),
    itemId: f.one('AB'),
    titleId: f.one('AJ'),
    terminalPassword: f.one('AC'),
    feeAcknowledged: f.yes('BO'),
    extra: f.extra(),
  };
}

const HOLD_RESPONSE_FIELDS = ['BW', 'BR', 'BS', 'AO', 'AA', 'AB', 'AJ', 'AF', 'AG'];

/**
 * @example
 * buildHoldResponse({ ok: true, available: false, queuePosition: 1, pickupLocation: 'Taylor',
 *   institutionId: 'BR1', patronId: '999999', titleId: '三体' }, 'UTC');
 * // '161N<date>BR1|BSTaylor|AOBR1|AA999999|AJ三体|'
 */
export function buildHoldResponse(msg: HoldResponse, timeZone: string): string {
  const f = new FieldList()
    .add('BW', optionalDate(msg.expirationDate, timeZone))
    .add('BR', msg.queuePosition)
    .add('BS', msg.pickupLocation)
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AB', msg.itemId)
    .add('AJ', msg.titleId)
    .extra(msg)
    .screen(msg);
  return joinMessage(
    '16',
    digit(msg.ok) + yn(msg.available) + date(msg.transactionDate, timeZone),
    f.list,
  );
}

/**
 * @example
 * parseHoldResponse('161N20060415    110158BR2|AOBR1|AA999999|', 'UTC').queuePosition; // 2
 */
export function parseHoldResponse(body: string, timeZone: string): HoldResponse {
  const { fixed, fields } = raw(body, '16');
  const f = new Fields(fields, HOLD_RESPONSE_FIELDS);
  return {
    ok: fixed[0] === '1',
    available: fixed[1] === 'Y',
    transactionDate: parseSip2Date(fixed.slice(2, 20), timeZone),
    expirationDate: f.date('BW', timeZone),
    queuePosition: f.int('BR'),
    pickupLocation: f.one('BS'),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    itemId: f.one('AB'),
    titleId: f.one('AJ'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 17 / 18 Item information

const ITEM_INFO_FIELDS = ['AO', 'AB', 'AC'];

/**
 * @example
 * buildItemInformationRequest({ transactionDate, institutionId: 'BR1', itemId: '1565921879' }, 'UTC');
 * // '17<date>AOBR1|AB1565921879|'
 */
export function buildItemInformationRequest(msg: ItemInformationRequest, timeZone: string): string {
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AB', msg.itemId)
    .add('AC', msg.terminalPassword)
    .extra(msg);
  return joinMessage('17', date(msg.transactionDate, timeZone), f.list);
}

/**
 * @example
 * parseItemInformationRequest('1720060110    215612AOBR1|AB1565921879|', 'UTC').itemId; // '1565921879'
 */
export function parseItemInformationRequest(
  body: string,
  timeZone: string,
): ItemInformationRequest {
  const { fixed, fields } = raw(body, '17');
  const f = new Fields(fields, ITEM_INFO_FIELDS);
  return {
    transactionDate: parseSip2Date(fixed, timeZone),
    institutionId: f.required('AO'),
    itemId: f.required('AB'),
    terminalPassword: f.one('AC'),
    extra: f.extra(),
  };
}

const ITEM_INFO_RESPONSE_FIELDS = [
  'CF', 'AH', 'CJ', 'CM', 'AB', 'AJ', 'BG', 'BH', 'BV', 'CK', 'AQ', 'AP', 'CH', 'CS', 'AF', 'AG',
]; // prettier-ignore

/**
 * @example
 * buildItemInformationResponse({ circulationStatus: '03', securityMarker: '02', feeType: '01',
 *   itemId: '1565921879', titleId: '红楼梦' }, 'UTC');
 * // '180302 01<date>AB1565921879|AJ红楼梦|'
 */
export function buildItemInformationResponse(
  msg: ItemInformationResponse,
  timeZone: string,
): string {
  const fixed =
    msg.circulationStatus.padStart(2, '0').slice(0, 2) +
    msg.securityMarker.padStart(2, '0').slice(0, 2) +
    msg.feeType.padStart(2, '0').slice(0, 2) +
    date(msg.transactionDate, timeZone);
  const f = new FieldList()
    .add('CF', msg.holdQueueLength)
    .add('AH', optionalDate(msg.dueDate, timeZone))
    .add('CJ', optionalDate(msg.recallDate, timeZone))
    .add('CM', optionalDate(msg.holdPickupDate, timeZone))
    .add('AB', msg.itemId)
    .add('AJ', msg.titleId)
    .add('BG', msg.owner)
    .add('BH', msg.currency)
    .add('BV', money(msg.feeAmount))
    .add('CK', msg.mediaType)
    .add('AQ', msg.permanentLocation)
    .add('AP', msg.currentLocation)
    .add('CH', msg.itemProperties)
    .add('CS', msg.callNumber)
    .extra(msg)
    .screen(msg);
  return joinMessage('18', fixed, f.list);
}

/**
 * @example
 * parseItemInformationResponse('1808000119980723    115615CF00000|ABItemBook|AJTitle For Item Book|', 'UTC').circulationStatus;
 * // '08'
 */
export function parseItemInformationResponse(
  body: string,
  timeZone: string,
): ItemInformationResponse {
  const { fixed, fields } = raw(body, '18');
  const f = new Fields(fields, ITEM_INFO_RESPONSE_FIELDS);
  return {
    circulationStatus: fixed.slice(0, 2),
    securityMarker: fixed.slice(2, 4),
    feeType: fixed.slice(4, 6),
    transactionDate: parseSip2Date(fixed.slice(6, 24), timeZone),
    holdQueueLength: f.int('CF'),
    dueDate: f.date('AH', timeZone),
    recallDate: f.date('CJ', timeZone),
    holdPickupDate: f.date('CM', timeZone),
    itemId: f.required('AB'),
    titleId: f.required('AJ'),
    owner: f.one('BG'),
    currency: f.one('BH'),
    feeAmount: f.amount('BV'),
    mediaType: f.one('CK'),
    permanentLocation: f.one('AQ'),
    currentLocation: f.one('AP'),
    itemProperties: f.one('CH'),
    callNumber: f.one('CS'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 35 / 36 End patron session

const END_SESSION_FIELDS = ['AO', 'AA', 'AC', 'AD'];

/**
 * @example
 * buildEndSessionRequest({ transactionDate, institutionId: 'BR1', patronId: '999999' }, 'UTC');
 * // '35<date>AOBR1|AA999999|'
 */
export function buildEndSessionRequest(msg: EndSessionRequest, timeZone: string): string {
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .add('AC', msg.terminalPassword)
    .add('AD', msg.patronPassword)
    .extra(msg);
  return joinMessage('35', date(msg.transactionDate, timeZone), f.list);
}

/**
 * @example
 * parseEndSessionRequest('3519980723    094014AOInst|AAPatronID|', 'UTC').patronId; // 'PatronID'
 */
export function parseEndSessionRequest(body: string, timeZone: string): EndSessionRequest {
  const { fixed, fields } = raw(body, '35');
  const f = new Fields(fields, END_SESSION_FIELDS);
  return {
    transactionDate: parseSip2Date(fixed, timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    terminalPassword: f.one('AC'),
    patronPassword: f.one('AD'),
    extra: f.extra(),
  };
}

const END_SESSION_RESPONSE_FIELDS = ['AO', 'AA', 'AF', 'AG'];

/**
 * @example
 * buildEndSessionResponse({ endSession: true, institutionId: 'BR1', patronId: '999999' }, 'UTC');
 * // '36Y<date>AOBR1|AA999999|'
 */
export function buildEndSessionResponse(msg: EndSessionResponse, timeZone: string): string {
  const f = new FieldList()
    .add('AO', msg.institutionId)
    .add('AA', msg.patronId)
    .extra(msg)
    .screen(msg);
  return joinMessage('36', yn(msg.endSession) + date(msg.transactionDate, timeZone), f.list);
}

/**
 * @example
 * parseEndSessionResponse('36Y19980723    110658AOInst|AAPatronID|AFBye|', 'UTC').endSession; // true
 */
export function parseEndSessionResponse(body: string, timeZone: string): EndSessionResponse {
  const { fixed, fields } = raw(body, '36');
  const f = new Fields(fields, END_SESSION_RESPONSE_FIELDS);
  return {
    endSession: fixed[0] === 'Y',
    transactionDate: parseSip2Date(fixed.slice(1, 19), timeZone),
    institutionId: f.required('AO'),
    patronId: f.required('AA'),
    ...screenOf(f),
    extra: f.extra(),
  };
}

// ---------------------------------------------------------------------------------------
// 96 / 97 Resend

/**
 * The ACS asking the SC to send its last message again (it arrived with a bad checksum).
 *
 * @example
 * buildRequestScResend(); // '96'
 */
export function buildRequestScResend(): string {
  return '96';
}

/**
 * The SC asking the ACS to send its last response again.
 *
 * @example
 * buildRequestAcsResend(); // '97'
 */
export function buildRequestAcsResend(): string {
  return '97';
}

// ---------------------------------------------------------------------------------------
// Requests as the ACS receives them

/** A request the ACS can act on, tagged by its command code. */
export type Sip2Request =
  | { readonly command: '93'; readonly message: LoginRequest }
  | { readonly command: '99'; readonly message: ScStatusRequest }
  | { readonly command: '23'; readonly message: PatronStatusRequest }
  | { readonly command: '63'; readonly message: PatronInformationRequest }
  | { readonly command: '11'; readonly message: CheckoutRequest }
  | { readonly command: '09'; readonly message: CheckinRequest }
  | { readonly command: '29'; readonly message: RenewRequest }
  | { readonly command: '65'; readonly message: RenewAllRequest }
  | { readonly command: '15'; readonly message: HoldRequest }
  | { readonly command: '17'; readonly message: ItemInformationRequest }
  | { readonly command: '35'; readonly message: EndSessionRequest }
  | { readonly command: '97'; readonly message: Record<string, never> };

/**
 * Parses any request the ACS side understands; throws Sip2ParseError for an unknown
 * command code or a malformed message.
 *
 * @example
 * parseRequest('1720060110    215612AOBR1|AB1565921879|', 'UTC').command; // '17'
 */
export function parseRequest(body: string, timeZone: string): Sip2Request {
  const command = body.slice(0, 2);
  switch (command) {
    case '93':
      return { command, message: parseLoginRequest(body) };
    case '99':
      return { command, message: parseScStatusRequest(body) };
    case '23':
      return { command, message: parsePatronStatusRequest(body, timeZone) };
    case '63':
      return { command, message: parsePatronInformationRequest(body, timeZone) };
    case '11':
      return { command, message: parseCheckoutRequest(body, timeZone) };
    case '09':
      return { command, message: parseCheckinRequest(body, timeZone) };
    case '29':
      return { command, message: parseRenewRequest(body, timeZone) };
    case '65':
      return { command, message: parseRenewAllRequest(body, timeZone) };
    case '15':
      return { command, message: parseHoldRequest(body, timeZone) };
    case '17':
      return { command, message: parseItemInformationRequest(body, timeZone) };
    case '35':
      return { command, message: parseEndSessionRequest(body, timeZone) };
    case '97':
      return { command, message: {} };
    default:
      throw new Sip2ParseError(`unknown command code ${JSON.stringify(command)}`);
  }
}

/** The response code each request code expects. */
export const RESPONSE_CODES: Readonly<Record<string, string>> = {
  '93': '94',
  '99': '98',
  '23': '24',
  '63': '64',
  '11': '12',
  '09': '10',
  '29': '30',
  '65': '66',
  '15': '16',
  '17': '18',
  '35': '36',
  '37': '38',
  '01': '24',
  '25': '26',
  '19': '20',
};
