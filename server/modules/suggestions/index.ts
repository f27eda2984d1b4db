/** Readers' purchase suggestions (荐购): one per ISBN, supported by each reader once. */
export {
  SuggestionsRepository,
  type PurchaseSuggestion,
  type ReaderSuggestion,
  type SuggestInput,
  type SuggestOutcome,
  type SuggestionStatus,
  type SuggestionsTables,
} from './repository.ts';
export { isbnOf, SuggestionService, type SuggestionServiceDeps } from './service.ts';
