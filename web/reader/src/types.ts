/**
 * The shapes the pages read from the REST API, as the server names them in each module's
 * `types.ts` (the reader's account, the library hours, the catalogue, purchase suggestions,
 * feedback): imported from there, types only, so nothing of the server reaches the bundle.
 * A few keep the shorter names the pages use (`Account`, `Loan`, `Me`, `Renewals` …).
 */
export type {
  AccountView as Account,
  Branch as BranchRef,
  Fine,
  HistoryPage,
  Hold,
  HoldPlacedAnswer,
  LoanView as Loan,
  MeAnswer as Me,
  PickupLocationsAnswer,
  RenewalOutcomeView as RenewalOutcome,
  RenewalsAnswer as Renewals,
} from '../../../server/modules/accounts/types.ts';

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

export type {
  BranchWeek,
  DayHours,
  Holiday,
  LibraryHours,
} from '../../../server/modules/library/types.ts';

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
