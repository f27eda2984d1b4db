/**
 * Staff-defined keyword auto-replies (exact, contains, regular expression; priority;
 * text or one article), tried before anything else answers a reader's text.
 */
export { AutoRepliesRepository, type AutoRepliesTables } from './repository.ts';
export { autoReplyRoutes, type AutoReplyRoutesDeps } from './routes.ts';
export {
  AutoReplyRuleError,
  CompiledRules,
  MATCH_TYPES,
  MAX_MATCH_INPUT,
  foldForMatch,
  unsafeRegexReason,
  validateRule,
  type AutoReplyContent,
  type AutoReplyInput,
  type AutoReplyRule,
  type MatchType,
} from './rules.ts';
export { AutoReplyService, type AutoReplyServiceDeps } from './service.ts';
