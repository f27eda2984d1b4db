/**
 * The shapes the pages read from the REST API. Where the server has the type (the ILS
 * seam, the library hours), it is imported from there, types only; the rest are the
 * fields the pages use.
 */
import type {
  Branch,
  Fine as IlsFine,
  Hold as IlsHold,
  Loan as IlsLoan,
  PatronBlock,
} from '../../../server/ils/types.ts';

export interface Me {
  readonly authenticated: boolean;
  readonly inWeChat: boolean;
  readonly bound: boolean;
  readonly patron: { readonly barcode: string; readonly name: string | null } | null;
  readonly locale: 'zh-CN' | 'en';
  readonly historyOptIn: boolean;
  readonly capabilities: readonly string[];
  readonly ecard: { readonly symbology: string; readonly symbologies: readonly string[] };
}

export interface FacetValue {
  readonly value: string;
  readonly count: number;
}

export interface Hit {
  readonly id: number;
  readonly title: string;
  readonly subtitle: string | null;
  readonly authors: readonly string[];
  readonly publisher: string | null;
  readonly year: number | null;
  readonly materialType: string;
  readonly callNumber: string | null;
  readonly items: { readonly total: number; readonly available: number };
}

export type FacetName =
  'materialType' | 'language' | 'year' | 'branch' | 'availability' | 'subject' | 'clc';

export interface SearchResponse {
  readonly total: number;
  readonly hits: readonly Hit[];
  readonly facets: Readonly<Record<FacetName, readonly FacetValue[]>> | null;
  readonly suggestion: string | null;
  readonly page: number;
  readonly pageSize: number;
}

export interface Item {
  readonly barcode: string;
  readonly branch: string | null;
  readonly location: string | null;
  readonly callNumber: string | null;
  readonly status: string;
  readonly volume?: string | null;
}

export interface RecordDetail {
  readonly id: number;
  readonly controlNumber: string;
  readonly title: string;
  readonly subtitle: string | null;
  readonly responsibility: string | null;
  readonly authors: readonly { readonly name: string; readonly role: string | null }[];
  readonly publisher: string | null;
  readonly place: string | null;
  readonly year: number | null;
  readonly edition: string | null;
  readonly series: readonly string[];
  readonly isbns: readonly string[];
  readonly issn: string | null;
  readonly language: string | null;
  readonly subjects: readonly string[];
  readonly clc: string | null;
  readonly callNumber: string | null;
  readonly summary: string | null;
  readonly materialType: string;
  readonly items: readonly Item[];
  readonly availability: { readonly total: number; readonly available: number };
}

export type BranchRef = Branch;
export type Hold = IlsHold;
export type Fine = IlsFine;

/** A loan as `/api/v1/me/account` presents it: with the refusal in the reader's words. */
export type Loan = IlsLoan & { readonly renewBlockedText: string | null };

export interface Account {
  readonly patron: { readonly barcode: string; readonly name: string };
  readonly loans: readonly Loan[];
  readonly holds: readonly Hold[];
  readonly fines: readonly Fine[];
  readonly finesTotal: number;
  readonly currency: string;
  readonly blocks: readonly PatronBlock[];
  readonly messages: readonly string[];
}

export type RenewalOutcome =
  | {
      readonly ok: true;
      readonly itemBarcode: string;
      readonly title: string | null;
      readonly dueAt: string;
    }
  | {
      readonly ok: false;
      readonly itemBarcode: string;
      readonly title: string | null;
      readonly code: string;
      readonly text: string;
      readonly ilsMessage: string | null;
    };

export interface Renewals {
  readonly renewed: number;
  readonly refused: number;
  readonly outcomes: readonly RenewalOutcome[];
}

export type {
  BranchWeek,
  DayHours,
  Holiday,
  LibraryHours,
} from '../../../server/modules/library/types.ts';

export interface HistoryPage {
  readonly enabled: boolean;
  readonly total: number;
  readonly items: readonly {
    readonly itemBarcode: string;
    readonly recordId: string | null;
    readonly title: string;
    readonly author: string | null;
    readonly loanedAt: string;
    readonly returnedAt: string | null;
  }[];
}

export type SuggestionStatus = 'open' | 'ordered' | 'declined';

export interface Suggestion {
  readonly id: number;
  /** Null for a suggestion by title alone. */
  readonly isbn: string | null;
  readonly title: string | null;
  readonly author: string | null;
  readonly publisher: string | null;
  readonly status: SuggestionStatus;
  /** How many readers asked for it. */
  readonly supporters: number;
  readonly note: string | null;
  readonly suggestedAt: string;
  readonly updatedAt: string;
}

export interface SuggestAnswer {
  readonly created: boolean;
  readonly added: boolean;
  readonly message: string;
  readonly suggestion: Suggestion;
}

export interface FeedbackItem {
  readonly id: number;
  readonly from: 'reader' | 'library';
  readonly kind: string;
  readonly text: string | null;
  readonly photo: { readonly id: number; readonly url: string } | null;
  readonly at: string;
}
