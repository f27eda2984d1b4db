/**
 * The catalogue index's analysis, from the platform's Chinese/English analyzer:
 * index terms per field, query clauses, and the folding used for exact-title,
 * adjacency and phrase checks.
 */
import {
  analyzeForIndex,
  analyzeQuery,
  analyzeRecordForIndex,
  phraseTokens,
  type QueryTerm,
  type SearchField,
} from '../../../platform/text/analyzer.ts';
import { containsHan, normalizeText } from '../../../platform/text/normalize.ts';
import { toPinyin } from '../../../platform/text/pinyin.ts';
import type { FieldName } from './postings.ts';
import type { IndexAnalyzer, QueryClause } from './types.ts';

const FIELDS: Readonly<Record<SearchField, readonly FieldName[]>> = {
  title: ['title'],
  author: ['author'],
  subject: ['subject'],
  publisher: ['publisher'],
  isbn: ['identifier'],
  callnumber: ['identifier'],
  class: ['identifier'],
};

const SORT_CHARS = 4;
const syllables = new Map<string, string>();
function syllableOf(ch: string): string {
  let s = syllables.get(ch);
  if (s === undefined) {
    s = toPinyin(ch).joined || ch;
    syllables.set(ch, s);
  }
  return s;
}

// Punctuation and spaces do not make titles different: 计算机网络：自顶向下方法 = 计算机网络自顶向下方法.
const NOT_CONTENT = /[\s\p{P}\p{S}]+/gu;

function toClause(term: QueryTerm): QueryClause {
  return {
    text: term.text,
    required: term.required,
    ...(term.field ? { fields: FIELDS[term.field] } : {}),
    alternatives: term.anyOf.map((m) => ({ terms: m.terms, weight: m.weight })),
    sequence: term.sequence,
  };
}

/**
 * @example
 * const index = new CatalogIndex(catalogAnalyzer);
 */
export const catalogAnalyzer: IndexAnalyzer = {
  indexTerms: (field, text) => analyzeForIndex(field, text),
  indexRecord: (fields) => analyzeRecordForIndex(fields),
  parseQuery: (q) => analyzeQuery(q).map(toClause),
  fold: (text) => normalizeText(text).replace(NOT_CONTENT, ''),
  sortKey: (text) => {
    const normalized = normalizeText(text).replace(NOT_CONTENT, ' ').trim();
    if (!containsHan(normalized)) return normalized;
    // Chinese titles sort by pinyin, as readers and card catalogues expect. The first few
    // characters decide nearly every comparison; reading only those (from a per-character
    // cache) keeps a million-record import from spending seconds on sort keys.
    let key = '';
    let read = 0;
    for (const ch of normalized) {
      if (read === SORT_CHARS) break;
      key += (/\p{Script=Han}/u.test(ch) ? syllableOf(ch) : ch) + ' ';
      read++;
    }
    return `${key}\u0000${normalized}`;
  },
  phraseTokens: (text) => phraseTokens(text),
  pinyinKeys: (han) => toPinyin(han).syllables,
};
