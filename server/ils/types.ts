/**
 * The ILS seam. Every circulation action Shulin offers (binding a card, loans,
 * renewals, holds, item look-ups) goes through an `IlsConnector`; the library's ILS
 * stays the system of record. Connectors declare what they can do and callers ask
 * (`connector.capabilities.has('placeHold')`) before offering an action.
 *
 * Words follow FOLIO: Loan, Request (here only holds), Item status, patron `barcode`.
 * Dates cross the seam as ISO 8601 strings (`2026-12-01T23:59:00.000Z`); calendar days
 * (card expiry) as `YYYY-MM-DD`.
 */
import type { RefusalCode } from './errors.ts';

export type IlsCapability =
  | 'authenticate'
  | 'account'
  | 'renew'
  | 'renewAll'
  | 'placeHold'
  | 'cancelHold'
  | 'itemInfo'
  | 'pickupLocations'
  | 'checkout'
  | 'checkin';

/** Who a call is made for. SIP2 ILSs may want the patron's password on every call. */
export interface PatronRef {
  readonly barcode: string;
  readonly password?: string;
}

/** What the ILS says about an item's whereabouts (SIP2 circulation status, FOLIO item status). */
export type ItemStatus =
  | 'available'
  | 'checked-out'
  | 'on-hold-shelf'
  | 'in-transit'
  | 'on-order'
  | 'in-process'
  | 'awaiting-reshelving'
  | 'claimed-returned'
  | 'lost'
  | 'missing'
  | 'not-for-loan'
  | 'withdrawn'
  | 'unknown';

export interface Branch {
  readonly code: string;
  readonly name: string;
  /** English name where the ILS knows one. */
  readonly nameEn?: string | null;
}

export interface PatronSummary {
  readonly barcode: string;
  readonly name: string;
  /** Patron type / group (学生, 教师 …) where the ILS says. */
  readonly patronType?: string | null;
  readonly email?: string | null;
  /** `YYYY-MM-DD`, when the card expires. */
  readonly expiresOn?: string | null;
}

export interface Loan {
  /** Stable within the connector: the loan id in the embedded ILS, the item barcode over SIP2. */
  readonly id: string;
  readonly itemBarcode: string;
  readonly title: string;
  readonly author?: string | null;
  readonly callNumber?: string | null;
  /** The catalogue control number, when the connector knows it. */
  readonly recordId?: string | null;
  readonly branch?: Branch | null;
  readonly loanedAt?: string | null;
  readonly dueAt: string;
  readonly overdue: boolean;
  readonly renewals?: number | null;
  readonly renewalsAllowed?: number | null;
  /**
   * Whether a renewal would succeed now, and if not why: known in the embedded ILS;
   * `null` over SIP2, where only trying tells.
   */
  readonly renewable: boolean | null;
  readonly renewBlockedBy?: RefusalCode | null;
  /** With `TOO_EARLY`: the first moment a renewal is possible. */
  readonly renewableFrom?: string | null;
}

export type HoldStatus = 'not-yet-filled' | 'in-transit' | 'awaiting-pickup';

export interface Hold {
  readonly id: string;
  readonly recordId?: string | null;
  readonly itemBarcode?: string | null;
  readonly title: string;
  readonly status: HoldStatus;
  /** 1 = next in line. `null` when the ILS does not say. */
  readonly queuePosition: number | null;
  readonly queueLength?: number | null;
  readonly pickupBranch: Branch | null;
  readonly placedAt?: string | null;
  /** Until when a hold that is awaiting pickup stays on the hold shelf. */
  readonly pickupBy?: string | null;
  /** When an unfilled hold lapses, if it does. */
  readonly expiresAt?: string | null;
}

export type FineType = 'overdue' | 'lost' | 'damage' | 'processing' | 'hold' | 'other';

export interface Fine {
  readonly id: string;
  /** In the currency's main unit (yuan), two decimals. */
  readonly amount: number;
  readonly type: FineType;
  readonly description?: string | null;
  readonly itemBarcode?: string | null;
  readonly title?: string | null;
  readonly createdAt?: string | null;
}

/** Why a patron cannot do everything; several may apply. */
export type BlockCode =
  | 'MANUAL'
  | 'CARD_EXPIRED'
  | 'CARD_LOST'
  | 'TOO_MANY_OVERDUE'
  | 'FINES_OVER_LIMIT'
  | 'CHARGE_DENIED'
  | 'RENEWAL_DENIED'
  | 'HOLD_DENIED';

export interface PatronBlock {
  readonly code: BlockCode;
  /** The ILS's own words, when it gave any. */
  readonly message?: string | null;
}

export interface PatronAccount {
  readonly patron: PatronSummary;
  readonly loans: readonly Loan[];
  readonly holds: readonly Hold[];
  readonly fines: readonly Fine[];
  readonly finesTotal: number;
  /** ISO 4217, e.g. `CNY`. */
  readonly currency: string;
  readonly blocks: readonly PatronBlock[];
  /** Messages the ILS wants shown to the reader (SIP2 AF). */
  readonly messages: readonly string[];
}

export type RenewOutcome =
  | {
      readonly ok: true;
      readonly itemBarcode: string;
      readonly title?: string | null;
      readonly dueAt: string;
      readonly renewals?: number | null;
      /** True when this was a repeat of a renewal that had just happened (a double tap). */
      readonly alreadyRenewed?: boolean;
      readonly message?: string | null;
    }
  | {
      readonly ok: false;
      readonly itemBarcode: string;
      readonly title?: string | null;
      readonly code: RefusalCode;
      /** The ILS's own words (SIP2 AF), shown next to our text. */
      readonly message?: string | null;
      /** TOO_EARLY: the first moment a renewal is possible. */
      readonly earliest?: string | null;
      readonly dueAt?: string | null;
    };

export interface PlaceHoldRequest {
  /** The catalogue control number ("any copy of this title"). */
  readonly recordId?: string;
  /** A specific copy. */
  readonly itemBarcode?: string;
  /** Branch code; needed when the library has more than one pickup location. */
  readonly pickupBranch?: string;
}

export type HoldOutcome =
  | { readonly ok: true; readonly hold: Hold; readonly message?: string | null }
  | { readonly ok: false; readonly code: RefusalCode; readonly message?: string | null };

export interface ItemInfo {
  readonly barcode: string;
  readonly title: string;
  readonly recordId?: string | null;
  readonly status: ItemStatus;
  readonly dueAt?: string | null;
  readonly branch?: Branch | null;
  readonly location?: string | null;
  readonly callNumber?: string | null;
  readonly holdQueueLength?: number | null;
}

export type CirculationOutcome =
  | {
      readonly ok: true;
      readonly itemBarcode: string;
      readonly title?: string | null;
      readonly dueAt?: string | null;
      /** Checkin: the item is trapped for a hold and goes to this branch's hold shelf. */
      readonly holdFor?: { readonly patronBarcode: string; readonly pickupBranch: Branch } | null;
      readonly message?: string | null;
    }
  | { readonly ok: false; readonly code: RefusalCode; readonly message?: string | null };

export interface IlsHealth {
  readonly ok: boolean;
  readonly connector: string;
  readonly detail?: string;
  readonly latencyMs?: number;
}

export interface IlsConnector {
  /** `embedded`, `sip2`. */
  readonly name: string;
  readonly capabilities: ReadonlySet<IlsCapability>;
  /** True when later calls need the patron's password (then Shulin keeps it, encrypted). */
  readonly needsPatronPassword: boolean;

  /** Checks barcode and password; throws `IlsRefusal` (INVALID_CREDENTIALS, PATRON_BLOCKED …). */
  authenticate(barcode: string, password: string): Promise<PatronSummary>;
  account(patron: PatronRef): Promise<PatronAccount>;
  renew(patron: PatronRef, itemBarcodes: readonly string[]): Promise<RenewOutcome[]>;
  renewAll(patron: PatronRef): Promise<RenewOutcome[]>;
  placeHold(patron: PatronRef, request: PlaceHoldRequest): Promise<HoldOutcome>;
  cancelHold(patron: PatronRef, holdId: string): Promise<HoldOutcome>;
  /** `null` when the ILS does not know the barcode. */
  itemInfo(barcode: string): Promise<ItemInfo | null>;
  pickupLocations(): Promise<Branch[]>;
  checkout(patron: PatronRef, itemBarcode: string): Promise<CirculationOutcome>;
  checkin(itemBarcode: string, branch?: string): Promise<CirculationOutcome>;

  /** A cheap round trip for /healthz and `shulin ils check`. */
  health(): Promise<IlsHealth>;
  close(): Promise<void>;
}
