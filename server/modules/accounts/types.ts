/**
 * What `/api/v1/me`, `/api/v1/me/account`, `/api/v1/me/renewals…`, `/api/v1/me/history`,
 * `/api/v1/me/holds` and `/api/v1/pickup-locations` answer: types only, shared with the
 * reader pages. The pages' type check reads every file this one imports, so it imports
 * types only, and only from the ILS seam (`../../ils/types.ts`): the language and the
 * e-card symbologies are written out here rather than taken from `../../i18n` or `./ecard`.
 */
import type {
  Branch,
  Fine,
  Hold,
  IlsCapability,
  Loan,
  PatronAccount,
  PatronBlock,
  PatronSummary,
  RenewOutcome,
} from '../../ils/types.ts';

export type { Branch, Fine, Hold, IlsCapability, Loan, PatronBlock, PatronSummary };

/**
 * Why the ILS refused: the closed set of `../../ils/errors.ts` (`RefusalCode`), reached
 * through the ILS seam's types so that this file imports nothing else.
 */
type RefusalCode = Extract<RenewOutcome, { readonly ok: false }>['code'];

/** A language the reader pages speak; the same values as `Locale` in `server/i18n/`. */
export type ReaderLocale = 'zh-CN' | 'en';

/** How the e-card draws the barcode; the same values as `Symbology` in `./ecard/`. */
export type EcardSymbology = 'code128' | 'code39' | 'qr';

/** `GET /api/v1/me`: who the session belongs to and what the pages may offer them. */
export interface MeAnswer {
  /** Always true: without a session `/me` answers 401 `UNAUTHENTICATED`. */
  readonly authenticated: true;
  /** The session came through WeChat OAuth (it has an openid). */
  readonly inWeChat: boolean;
  /** The WeChat user has bound a library card. */
  readonly bound: boolean;
  /** The card behind the session; null before binding or signing in. */
  readonly patron: { readonly barcode: string; readonly name: string | null } | null;
  /** The session's language, else the binding's, else `Accept-Language`'s. */
  readonly locale: ReaderLocale;
  /** The reader keeps a reading history (`/me/history`). */
  readonly historyOptIn: boolean;
  /** What the library's ILS connector can do, sorted. */
  readonly capabilities: readonly IlsCapability[];
  /** The library's default symbology and those `/me/ecard.svg?symbology=` accepts. */
  readonly ecard: {
    readonly symbology: EcardSymbology;
    readonly symbologies: readonly EcardSymbology[];
  };
}

/** A loan as `/api/v1/me/account` presents it: the ILS's loan and why it cannot renew. */
export interface LoanView extends Loan {
  /** `renewBlockedBy` in the reader's words (with the first renewal day for `TOO_EARLY`). */
  readonly renewBlockedText: string | null;
}

/** `GET /api/v1/me/account`: the reader's account as the ILS (or the short cache) tells it. */
export interface AccountView extends Omit<PatronAccount, 'loans'> {
  readonly loans: readonly LoanView[];
  /** When the ILS answered, ISO 8601. */
  readonly fetchedAt: string;
  /** The answer came from the short cache rather than the ILS. */
  readonly cached: boolean;
}

/** One item of a renewal request: renewed until `dueAt`, or refused with a reason. */
export type RenewalOutcomeView =
  | {
      readonly ok: true;
      readonly itemBarcode: string;
      readonly title: string | null;
      /** The new due date, ISO 8601. */
      readonly dueAt: string;
      /** Renewals so far, when the ILS says. */
      readonly renewals: number | null;
      /** A repeat of a renewal that had just happened (a double tap). */
      readonly alreadyRenewed: boolean;
      /** The ILS's own words, when it gave any. */
      readonly ilsMessage: string | null;
    }
  | {
      readonly ok: false;
      readonly itemBarcode: string;
      readonly title: string | null;
      readonly code: RefusalCode;
      /** `code` in the reader's words. */
      readonly text: string;
      /** `TOO_EARLY`: the first moment a renewal is possible, ISO 8601. */
      readonly earliest: string | null;
      /** The unchanged due date, when the ILS says. */
      readonly dueAt: string | null;
      /** The ILS's own words, when it gave any. */
      readonly ilsMessage: string | null;
    };

/** `POST /api/v1/me/renewals` and `POST /api/v1/me/renewals/all`. */
export interface RenewalsAnswer {
  readonly renewed: number;
  readonly refused: number;
  readonly outcomes: readonly RenewalOutcomeView[];
}

/** One loan of the reader's history. */
export interface HistoryEntryView {
  readonly itemBarcode: string;
  readonly recordId: string | null;
  readonly title: string;
  readonly author: string | null;
  /** ISO 8601. */
  readonly loanedAt: string;
  /** ISO 8601; null while the item is still on loan. */
  readonly returnedAt: string | null;
}

/** `GET /api/v1/me/history`: one page of the reader's history, newest first. */
export interface HistoryPage {
  /** The reader keeps a history; when false, `total` is 0 and `items` empty. */
  readonly enabled: boolean;
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly items: readonly HistoryEntryView[];
}

/** `POST /api/v1/me/holds` (201): the hold as the ILS placed it. */
export interface HoldPlacedAnswer {
  readonly hold: Hold;
  /** The ILS's own words, when it gave any. */
  readonly ilsMessage: string | null;
}

/** `GET /api/v1/pickup-locations`: where the reader may collect a hold. */
export interface PickupLocationsAnswer {
  readonly locations: readonly Branch[];
}
