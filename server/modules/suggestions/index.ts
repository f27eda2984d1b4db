/**
 * Readers' purchase suggestions (荐购): one per ISBN, or per title and author when the reader
 * knows no ISBN, supported by each reader once.
 */
export {
  SuggestionsRepository,
  type PurchaseSuggestion,
  type ReaderSuggestion,
  type SuggestInput,
  type SuggestionKey,
  type SuggestOutcome,
  type SuggestionStatus,
  type SuggestionsTables,
} from './repository.ts';
export { SuggestionService, type SuggestionServiceDeps } from './service.ts';
