/**
 * The shapes the pages read from the REST API. Where the server names the type (the ILS
 * seam; each module's `types.ts`: the library hours, the catalogue, purchase suggestions,
 * feedback), it is imported from there, types only, so nothing of the server reaches the
 * bundle; the account's answers are still restated here, as the fields the pages use.
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

export type {
  AutocompleteAnswer,
  FacetName,
  FacetValue,
  HitView,
  Item,
  NewArrivalsAnswer,
  RecordView,
  SearchAnswer,
} from '../../../server/modules/catalog/types.ts';

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

export type {
  SuggestAnswer,
  SuggestionStatus,
  SuggestionsAnswer,
  SuggestionView,
} from '../../../server/modules/suggestions/types.ts';

export type {
  FeedbackMessageView,
  FeedbackSentAnswer,
  FeedbackThreadAnswer,
} from '../../../server/modules/feedback/types.ts';
