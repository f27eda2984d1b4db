/** Readers' purchase suggestions (荐购): one per ISBN, supported by each reader once. */
export {
  SuggestionsRepository,
  type PurchaseSuggestion,
  type SuggestInput,
  type SuggestOutcome,
  type SuggestionStatus,
  type SuggestionsTables,
} from './repository.ts';
export { SuggestionService, type SuggestionServiceDeps } from './service.ts';
