import type { FieldName } from './postings.ts';

/** What the search index keeps of a record: the searchable text and the facet values. */
export interface SearchDocument {
  /** The record's id in the database. */
  readonly id: number;
  readonly title: string;
  readonly subtitle?: string | null;
  readonly parallelTitles?: readonly string[];
  readonly titlePinyin?: string | null;
  readonly authors: readonly string[];
  readonly subjects: readonly string[];
  readonly publisher?: string | null;
  readonly series?: readonly string[];
  /** ISBN-13 digits (ISBN-10 forms are derived by the analysis). */
  readonly isbns: readonly string[];
  readonly issn?: string | null;
  readonly callNumbers: readonly string[];
  /** 中图法 class, e.g. `TP312`. */
  readonly clc?: string | null;
  readonly summary?: string | null;
  readonly year: number | null;
  readonly language: string | null;
  readonly materialType: string;
  /** Branches and locations holding items. */
  readonly branches: readonly string[];
  readonly locations?: readonly string[];
  readonly availableItems: number;
  readonly totalItems: number;
  /** When the library added the record (ms), for new arrivals. */
  readonly addedAt: number;
}

/** One way to satisfy a query clause: all of `terms` in the record. */
export interface QueryAlternative {
  readonly terms: readonly string[];
  /** Relative to a direct word match (1): pinyin and bigram readings count less. */
  readonly weight: number;
}

/** One clause of a query: satisfied by any of its alternatives. */
export interface QueryClause {
  /** The clause as the reader wrote it (normalised), for suggestions. */
  readonly text: string;
  /** Required clauses must match (AND); the others only rank. */
  readonly required: boolean;
  /** Fields the clause is limited to (a `title:` prefix), or all. */
  readonly fields?: readonly FieldName[];
  readonly alternatives: readonly QueryAlternative[];
  /** For a quoted phrase: tokens that must stand together in the title or an author. */
  readonly sequence?: readonly string[] | null;
}

/** The analysis a field gets: the analyzer's name for it. */
export type AnalyzedField =
  | 'title'
  | 'author'
  | 'subject'
  | 'publisher'
  | 'series'
  | 'summary'
  | 'isbn'
  | 'callnumber'
  | 'class';

/**
 * The analysis the index needs: the same rules at index and query time. The
 * catalogue module provides it from the platform's Chinese/English analyzer.
 */
export interface IndexAnalyzer {
  /** Index terms of one field's text. */
  indexTerms(field: AnalyzedField, text: string): readonly string[];
  /**
   * Index terms of a whole record's fields at once (each field may hold several values),
   * the same terms as `indexTerms` value by value, in fewer passes.
   */
  indexRecord?(
    fields: Readonly<Partial<Record<AnalyzedField, readonly string[]>>>,
  ): Readonly<Partial<Record<AnalyzedField, readonly string[]>>>;
  /** The query as clauses. */
  parseQuery(q: string): readonly QueryClause[];
  /** Folded text for exact-title and adjacency checks (width, case, 繁→简, no spaces). */
  fold(text: string): string;
  /** Key for sorting by title (pinyin for Chinese). */
  sortKey(text: string): string;
  /** Tokens in reading order, for phrase checks. */
  phraseTokens(text: string): readonly string[];
  /** One toneless pinyin syllable per Han character of `han`, for did-you-mean. */
  pinyinKeys?(han: string): readonly string[];
}

export type SortOrder = 'relevance' | 'year' | 'year-asc' | 'title' | 'added';

export interface SearchFilters {
  readonly materialType?: readonly string[];
  readonly language?: readonly string[];
  readonly yearFrom?: number;
  readonly yearTo?: number;
  readonly branch?: readonly string[];
  readonly available?: boolean;
  readonly subject?: readonly string[];
  readonly clc?: readonly string[];
}

export interface SearchRequest {
  readonly q: string;
  readonly filters?: SearchFilters;
  readonly sort?: SortOrder;
  readonly offset?: number;
  readonly limit?: number;
  /** Facet counts over all matches (default true). */
  readonly facets?: boolean;
}

export interface FacetValue {
  readonly value: string;
  readonly count: number;
}

export type FacetName =
  'materialType' | 'language' | 'year' | 'branch' | 'availability' | 'subject' | 'clc';

export interface SearchHit {
  readonly id: number;
  readonly score: number;
}

export interface SearchResult {
  readonly total: number;
  readonly hits: readonly SearchHit[];
  readonly facets: Readonly<Record<FacetName, readonly FacetValue[]>> | null;
  /** "Did you mean": a better query when there were no or few hits. */
  readonly suggestion: string | null;
}
