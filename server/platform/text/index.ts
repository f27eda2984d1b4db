/**
 * Search text analysis: one analyzer for the index and the query side, so whatever a
 * record is indexed under, a reader's query is spelled the same way. The contract for
 * search engines is in README.md beside this file.
 */
export {
  analyzeForIndex,
  analyzeQuery,
  analyzeRecordForIndex,
  containsSequence,
  DEFAULT_FIELD_PROFILES,
  groupByField,
  INITIALS_PREFIX,
  phraseTokens,
  PINYIN_PREFIX,
  type FieldProfile,
  type IndexOptions,
  type QueryOptions,
  type QueryTerm,
  type QueryTermKind,
  type SearchField,
  type TermMatch,
} from './analyzer.ts';
export {
  callNumberPrefixes,
  callNumberScheme,
  callNumberSortKey,
  normalizeCallNumber,
  type CallNumberScheme,
} from './callnumber.ts';
export { findIsbns, normalizeIsbn, scanIsbns, type NormalizedIsbn } from './isbn.ts';
export { normalizeText } from './normalize.ts';
export { looksLikePinyin, splitPinyin, toPinyin } from './pinyin.ts';
