/**
 * The catalogue's search index: an in-memory inverted index over the records in
 * the database, with facet values in typed columns. See
 * docs/decisions/0002-catalogue-search-in-memory.md for why it is not FTS5 or
 * tsvector: ranked top-20 with facet counts over hundreds of thousands of
 * matches has to touch every match, and doing that in tight loops over typed
 * arrays is an order of magnitude faster than per-row SQL.
 *
 * The database stays the store: the index is built from it at start-up and
 * kept current by the catalogue service on every import.
 */
import {
  Field,
  MAX_DOCS,
  addPosting,
  allOf,
  anyOf,
  asList,
  documentFrequency,
  find,
  intersect,
  type FieldName,
  type Matches,
  type PostingList,
  type Postings,
} from './postings.ts';
import { containsSequence } from '../../../platform/text/analyzer.ts';
import type {
  AnalyzedField,
  FacetName,
  FacetValue,
  IndexAnalyzer,
  QueryClause,
  SearchDocument,
  SearchFilters,
  SearchHit,
  SearchRequest,
  SearchResult,
} from './types.ts';

/** Field weights: title > author > subject > the rest; identifiers typed exactly rank first. */
const WEIGHT: Record<FieldName, number> = {
  title: 10,
  author: 6,
  subject: 3,
  publisher: 1.5,
  identifier: 12,
  other: 0.5,
};

// The weight of a field combination: the best field, plus a little for each other one.
const MASK_WEIGHT = new Float64Array(64);
for (let mask = 1; mask < 64; mask++) {
  let best = 0;
  let rest = 0;
  for (const [name, bit] of Object.entries(Field) as Array<[FieldName, number]>) {
    if (mask & bit) {
      const w = WEIGHT[name];
      if (w > best) {
        rest += best;
        best = w;
      } else rest += w;
    }
  }
  MASK_WEIGHT[mask] = best + rest * 0.1;
}

/** The ranking field each analysed field counts as. */
const FIELD_OF: Readonly<Record<AnalyzedField, FieldName>> = {
  title: 'title',
  author: 'author',
  subject: 'subject',
  publisher: 'publisher',
  series: 'publisher',
  isbn: 'identifier',
  callnumber: 'identifier',
  class: 'identifier',
  summary: 'other',
};

const EXACT_TITLE_BONUS = 1000;
const ALL_IN_TITLE_BONUS = 20;
const ADJACENT_BONUS = 15;
/** How many of the best candidates get the (string-based) adjacency check. */
const RERANK_WINDOW = 200;
const CLC_CLASSES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const UNKNOWN = '';

/** Distinct values of a facet, numbered in the order first seen. */
class Dictionary {
  readonly values: string[] = [UNKNOWN];
  readonly #codes = new Map<string, number>([[UNKNOWN, 0]]);

  code(value: string | null | undefined): number {
    const v = value ?? UNKNOWN;
    let code = this.#codes.get(v);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(v);
      this.#codes.set(v, code);
    }
    return code;
  }

  find(value: string): number | undefined {
    return this.#codes.get(value);
  }
}

function grow<
  T extends Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float64Array,
>(array: T, size: number): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(
    Math.max(size, Math.ceil(array.length * 1.5)),
  );
  next.set(array);
  return next;
}

/** A bounded min-heap of the best `k` (score, doc) pairs. */
class TopK {
  readonly scores: Float64Array;
  readonly docs: Int32Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.docs = new Int32Array(k);
  }

  /** The lowest score kept, once full. */
  get floor(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  push(score: number, doc: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.#less(this.scores[parent]!, this.docs[parent]!, score, doc)) break;
        this.scores[i] = this.scores[parent]!;
        this.docs[i] = this.docs[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.docs[i] = doc;
      return;
    }
    if (!this.#less(this.scores[0]!, this.docs[0]!, score, doc)) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c =
        r < this.size && this.#less(this.scores[r]!, this.docs[r]!, this.scores[l]!, this.docs[l]!)
          ? r
          : l;
      if (this.#less(score, doc, this.scores[c]!, this.docs[c]!)) break;
      this.scores[i] = this.scores[c]!;
      this.docs[i] = this.docs[c]!;
      i = c;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
  }

  // Ties go to the newer document (higher number): newer records first.
  #less(sa: number, da: number, sb: number, db: number): boolean {
    return sa < sb || (sa === sb && da < db);
  }

  /** Best first. */
  sorted(): Array<{ score: number; doc: number }> {
    const out: Array<{ score: number; doc: number }> = [];
    for (let i = 0; i < this.size; i++) out.push({ score: this.scores[i]!, doc: this.docs[i]! });
    return out.sort((a, b) => b.score - a.score || b.doc - a.doc);
  }
}

/** A document's index terms by analysed field. */
export type DocumentTerms = Readonly<Partial<Record<AnalyzedField, readonly string[]>>>;

/**
 * The index terms of a document, as `CatalogIndex.add` indexes them: pure, so an import
 * can run it on another thread.
 *
 * @example
 * const terms = analyzeDocument(catalogAnalyzer, document);
 * index.add(document, terms);
 */
export function analyzeDocument(analyzer: IndexAnalyzer, document: SearchDocument): DocumentTerms {
  const fields: Partial<Record<AnalyzedField, string[]>> = {};
  const put = (analyzed: AnalyzedField, text: string | null | undefined) => {
    if (!text) return;
    const values = fields[analyzed];
    if (values) values.push(text);
    else fields[analyzed] = [text];
  };
  put('title', document.title);
  put('title', document.subtitle);
  for (const t of document.parallelTitles ?? []) put('title', t);
  for (const a of document.authors) put('author', a);
  for (const s of document.subjects) put('subject', s);
  put('publisher', document.publisher);
  for (const s of document.series ?? []) put('series', s);
  for (const isbn of document.isbns) put('isbn', isbn);
  put('isbn', document.issn);
  for (const c of document.callNumbers) put('callnumber', c);
  put('class', document.clc);
  put('summary', document.summary);
  if (analyzer.indexRecord) return analyzer.indexRecord(fields);
  const out: Partial<Record<AnalyzedField, readonly string[]>> = {};
  for (const [field, values] of Object.entries(fields) as Array<[AnalyzedField, string[]]>)
    out[field] = [...new Set(values.flatMap((v) => analyzer.indexTerms(field, v)))];
  return out;
}

/**
 * @example
 * const index = new CatalogIndex(analyzer);
 * index.add({ id: 1, title: '红楼梦', authors: ['曹雪芹'], … });
 * index.search({ q: '紅樓夢' }).hits[0]?.id; // 1
 */
export class CatalogIndex {
  readonly #analyzer: IndexAnalyzer;
  readonly #terms = new Map<string, Postings>();
  readonly #byId = new Map<number, number>();
  /** Folded title → the document with exactly that title, or the documents when several. */
  readonly #exactTitles = new Map<string, number | number[]>();
  readonly #materials = new Dictionary();
  readonly #languages = new Dictionary();
  readonly #branches = new Dictionary();
  readonly #subjects = new Dictionary();

  #count = 0;
  #live = 0;
  #ids = new Int32Array(1024);
  #deleted = new Uint8Array(1024);
  #year = new Int16Array(1024);
  #material = new Uint8Array(1024);
  #language = new Uint16Array(1024);
  #clc = new Uint8Array(1024);
  #available = new Uint8Array(1024);
  #branchMask = new Uint32Array(1024);
  #subject = new Int32Array(1024);
  #added = new Float64Array(1024);
  #titleFold: string[] = [];
  #title: string[] = [];
  #latin: Map<string, string[]> | null = null;
  #latinBuiltAt = 0;
  /** Documents in folded-title order (autocomplete); rebuilt after additions. */
  #prefixSorted: Int32Array | null = null;
  /** Subtitle and authors, for phrase checks with the title (empty: none). */
  #phraseRest: string[] = [];
  /** Title sort keys, made when a search first sorts by title, then kept with the titles. */
  #sortKey: string[] | null = null;
  /** Position of each document in title order; computed when first needed after a change. */
  #titleRank = new Int32Array(0);
  #titleRankDirty = true;

  constructor(analyzer: IndexAnalyzer) {
    this.#analyzer = analyzer;
  }

  get size(): number {
    return this.#live;
  }

  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /**
   * Adds a record, replacing an earlier version of it. `terms` are its index terms when
   * they were analysed elsewhere (`analyzeDocument`, on an import's worker thread).
   */
  add(document: SearchDocument, terms?: DocumentTerms): void {
    this.remove(document.id);
    if (this.#count >= MAX_DOCS)
      throw new Error(`The catalogue index holds at most ${MAX_DOCS} records`);
    const doc = this.#count++;
    this.#live++;
    this.#byId.set(document.id, doc);
    this.#ensure(doc + 1);
    this.#ids[doc] = document.id;
    this.#year[doc] = document.year ?? 0;
    this.#material[doc] = this.#materials.code(document.materialType);
    this.#language[doc] = this.#languages.code(document.language);
    const clc = document.clc?.trim().toUpperCase() ?? '';
    this.#clc[doc] = clc ? CLC_CLASSES.indexOf(clc[0]!) + 1 : 0;
    this.#available[doc] = document.availableItems > 0 ? 1 : 0;
    let mask = 0;
    for (const branch of document.branches) {
      const code = this.#branches.code(branch);
      if (code <= 32) mask |= 1 << (code - 1);
    }
    this.#branchMask[doc] = mask;
    const mainSubject = document.subjects[0]?.split(/\s*--\s*|—/)[0]?.trim();
    this.#subject[doc] = mainSubject ? this.#subjects.code(mainSubject) : 0;
    this.#added[doc] = document.addedAt;
    const title = document.title;
    const fold = this.#analyzer.fold(title);
    // One string when folding changes nothing (most Chinese titles), not two copies.
    const folded = fold === title ? title : fold;
    this.#titleFold[doc] = folded;
    this.#title[doc] = title;
    if (this.#sortKey) this.#sortKey[doc] = this.#analyzer.sortKey(title);
    this.#titleRankDirty = true;
    const exact = this.#exactTitles.get(folded);
    if (exact === undefined) this.#exactTitles.set(folded, doc);
    else if (typeof exact === 'number') this.#exactTitles.set(folded, [exact, doc]);
    else exact.push(doc);

    const analyzed = terms ?? analyzeDocument(this.#analyzer, document);
    const postings = this.#terms;
    for (const name of Object.keys(analyzed) as AnalyzedField[]) {
      const bit = Field[FIELD_OF[name]];
      for (const term of analyzed[name] ?? []) {
        const before = postings.get(term);
        // A list grows in place; a term's first and second postings replace its value.
        if (before === undefined || typeof before === 'number')
          postings.set(term, addPosting(before, doc, bit));
        else before.add(doc, bit);
      }
    }
    this.#phraseRest[doc] = [document.subtitle ?? '', ...document.authors].join(' | ');
  }

  /**
   * Gives back the room posting lists keep for growth (a quarter of them on average).
   * For the end of an import or of the start-up load; adding afterwards works as before.
   */
  trim(): void {
    for (const postings of this.#terms.values()) if (typeof postings !== 'number') postings.trim();
  }

  /** Removes a record; its postings stay but are skipped (compacted on rebuild). */
  remove(id: number): boolean {
    const doc = this.#byId.get(id);
    if (doc === undefined) return false;
    this.#byId.delete(id);
    this.#deleted[doc] = 1;
    this.#live--;
    const folded = this.#titleFold[doc]!;
    const exact = this.#exactTitles.get(folded);
    if (exact === doc) this.#exactTitles.delete(folded);
    else if (typeof exact === 'object') {
      const at = exact.indexOf(doc);
      if (at >= 0) exact.splice(at, 1);
    }
    return true;
  }

  search(request: SearchRequest): SearchResult {
    const offset = Math.max(0, request.offset ?? 0);
    const limit = Math.max(0, Math.min(request.limit ?? 20, 200));
    const clauses = this.#analyzer.parseQuery(request.q);
    const wantFacets = request.facets ?? true;
    const filter = this.#compileFilters(request.filters);
    const counter = wantFacets ? new FacetCounter(this) : null;
    const top = new TopK(offset + limit);
    const sort = request.sort ?? 'relevance';
    if (sort === 'title') this.#rankTitles();

    let total = 0;
    if (clauses.length === 0) {
      // No words: every record (browsing by facet, new arrivals).
      for (let d = 0; d < this.#count; d++) {
        if (this.#deleted[d] || (filter && !filter(d))) continue;
        total++;
        counter?.count(d);
        top.push(this.#sortScore(sort, d, 0), d);
      }
    } else {
      const required: Matches[] = [];
      const requiredIdf: number[] = [];
      const optional: Array<{ matches: Matches; idf: number; cursor: { at: number } }> = [];
      const phrases: Array<readonly string[]> = [];
      let impossible = false;
      for (const clause of clauses) {
        const matches = this.#clauseMatches(clause);
        const idf = Math.log(1 + this.#live / (1 + matches.length));
        if (clause.sequence && clause.sequence.length > 1) phrases.push(clause.sequence);
        if (clause.required) {
          if (matches.length === 0) {
            impossible = true;
            break;
          }
          required.push(matches);
          requiredIdf.push(idf);
        } else if (matches.length > 0) {
          optional.push({ matches, idf, cursor: { at: 0 } });
        }
      }
      if (!impossible && required.length > 0) {
        const found = intersect(required);
        const g = required.length;
        const titleBit = Field.title;
        for (let i = 0; i < found.length; i++) {
          const d = found.docs[i]!;
          if (this.#deleted[d] || (filter && !filter(d))) continue;
          if (phrases.length > 0 && !this.#hasPhrases(d, phrases)) continue;
          total++;
          counter?.count(d);
          let score = 0;
          let allTitle = true;
          for (let k = 0; k < g; k++) {
            const mask = found.fields[k]![i]!;
            const weights = found.weights[k];
            score += requiredIdf[k]! * MASK_WEIGHT[mask]! * (weights ? weights[i]! : 1);
            if ((mask & titleBit) === 0) allTitle = false;
          }
          for (const o of optional) {
            const at = find(o.matches, o.cursor, d);
            if (at >= 0) score += o.idf * MASK_WEIGHT[o.matches.fields[at]!]! * 0.5;
          }
          if (allTitle) score += ALL_IN_TITLE_BONUS;
          // Newer editions break ties (0 … 1.3 for 1900 … 2030).
          score += (this.#year[d]! > 1900 ? this.#year[d]! - 1900 : 0) * 0.01;
          const s = this.#sortScore(sort, d, score);
          // A tie with the floor may still get in: ties go to the newer document, as in
          // the heap's order, so a page of one hit agrees with a page of twenty.
          if (s >= top.floor) top.push(s, d);
        }
      }
    }

    let best = top.sorted();
    if (sort === 'relevance' && clauses.length > 0 && best.length > 0)
      best = this.#rerank(request.q, clauses, best, filter);
    const hits: SearchHit[] = best.slice(offset, offset + limit).map(({ score, doc }) => ({
      id: this.#ids[doc]!,
      score: Math.round(score * 1000) / 1000,
    }));
    const suggestion = total < 3 && clauses.length > 0 ? this.#suggest(clauses, total) : null;
    return { total, hits, facets: counter ? counter.result() : null, suggestion };
  }

  /** The documents satisfying one clause: any alternative, all of its terms. */
  #clauseMatches(clause: QueryClause): Matches {
    const fieldFilter = clause.fields ? clause.fields.reduce((m, f) => m | Field[f], 0) : 63;
    const alternatives: Array<{ matches: Matches; weight: number }> = [];
    for (const alternative of clause.alternatives) {
      const lists: PostingList[] = [];
      let missing = false;
      for (const term of alternative.terms) {
        const postings = this.#terms.get(term);
        if (postings === undefined) {
          missing = true;
          break;
        }
        lists.push(asList(postings));
      }
      if (missing || lists.length === 0) continue;
      alternatives.push({ matches: allOf(lists, fieldFilter), weight: alternative.weight });
    }
    return anyOf(alternatives);
  }

  /** Title, subtitle and authors, as phrase checks read them. */
  #phraseText(d: number): string {
    const rest = this.#phraseRest[d];
    return rest === undefined ? '' : `${this.#title[d]!} | ${rest}`;
  }

  #hasPhrases(d: number, phrases: ReadonlyArray<readonly string[]>): boolean {
    const tokens = this.#analyzer.phraseTokens(this.#phraseText(d));
    return phrases.every((sequence) => containsSequence(tokens, sequence));
  }

  /**
   * Exact-title matches first, then a bonus when the query's words stand
   * together in the title (adjacency), within the best candidates.
   */
  #rerank(
    q: string,
    clauses: readonly QueryClause[],
    best: Array<{ score: number; doc: number }>,
    filter: ((d: number) => boolean) | null,
  ): Array<{ score: number; doc: number }> {
    const folded = this.#analyzer.fold(q);
    const titled = this.#exactTitles.get(folded) ?? [];
    const exact = new Set(
      (typeof titled === 'number' ? [titled] : titled).filter(
        (d) => !this.#deleted[d] && (!filter || filter(d)),
      ),
    );
    const joined =
      clauses.length > 1 ? this.#analyzer.fold(clauses.map((c) => c.text).join('')) : null;
    const out = best.slice(0, RERANK_WINDOW).map(({ score, doc }) => {
      let s = score;
      if (exact.has(doc)) {
        s += EXACT_TITLE_BONUS;
        exact.delete(doc);
      } else if (joined && this.#titleFold[doc]!.includes(joined)) {
        s += ADJACENT_BONUS;
      }
      return { score: s, doc };
    });
    // Exact titles outside the window (a very common word) still come first.
    for (const doc of exact) out.push({ score: EXACT_TITLE_BONUS + this.#year[doc]! * 0.01, doc });
    out.sort((a, b) => b.score - a.score || b.doc - a.doc);
    return out.concat(best.slice(RERANK_WINDOW));
  }

  #sortScore(sort: SearchRequest['sort'], d: number, relevance: number): number {
    switch (sort) {
      case 'year':
        return this.#year[d]! * 1e6 + relevance;
      case 'year-asc':
        return (this.#year[d]! ? 3000 - this.#year[d] : 0) * 1e6 + relevance;
      case 'added':
        return this.#added[d]!;
      case 'title':
        return -this.#titleRank[d]!;
      default:
        return relevance;
    }
  }

  #rankTitles(): void {
    if (!this.#titleRankDirty) return;
    const order = Array.from({ length: this.#count }, (_, i) => i);
    // Most catalogues are never sorted by title: the keys are made the first time.
    const keys = (this.#sortKey ??= this.#title.map((t) => this.#analyzer.sortKey(t)));
    order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
    const rank = new Int32Array(this.#count);
    for (let i = 0; i < order.length; i++) rank[order[i]!] = i;
    this.#titleRank = rank;
    this.#titleRankDirty = false;
  }

  #compileFilters(filters: SearchFilters | undefined): ((d: number) => boolean) | null {
    if (!filters) return null;
    const tests: Array<(d: number) => boolean> = [];
    const codes = (dict: Dictionary, values: readonly string[] | undefined) => {
      if (!values || values.length === 0) return null;
      const set = new Set<number>();
      for (const v of values) {
        const c = dict.find(v);
        if (c !== undefined) set.add(c);
      }
      return set;
    };
    const materials = codes(this.#materials, filters.materialType);
    if (materials) tests.push((d) => materials.has(this.#material[d]!));
    const languages = codes(this.#languages, filters.language);
    if (languages) tests.push((d) => languages.has(this.#language[d]!));
    if (filters.yearFrom !== undefined) {
      const from = filters.yearFrom;
      tests.push((d) => this.#year[d]! >= from);
    }
    if (filters.yearTo !== undefined) {
      const to = filters.yearTo;
      tests.push((d) => this.#year[d]! !== 0 && this.#year[d]! <= to);
    }
    const branches = codes(this.#branches, filters.branch);
    if (branches) {
      let mask = 0;
      for (const c of branches) if (c <= 32) mask |= 1 << (c - 1);
      tests.push((d) => (this.#branchMask[d]! & mask) !== 0);
    }
    if (filters.available !== undefined) {
      const want = filters.available ? 1 : 0;
      tests.push((d) => this.#available[d] === want);
    }
    const subjects = codes(this.#subjects, filters.subject);
    if (subjects) tests.push((d) => subjects.has(this.#subject[d]!));
    if (filters.clc && filters.clc.length > 0) {
      const classes = new Set(
        filters.clc.map((c) => CLC_CLASSES.indexOf(c.toUpperCase()[0] ?? '') + 1),
      );
      tests.push((d) => classes.has(this.#clc[d]!));
    }
    if (tests.length === 0) return null;
    if (tests.length === 1) return tests[0]!;
    return (d) => {
      for (const t of tests) if (!t(d)) return false;
      return true;
    };
  }

  /** Did you mean: pinyin → 汉字, and near spellings of Latin words that are in the catalogue. */
  #suggest(clauses: readonly QueryClause[], total: number): string | null {
    let pinyin = false;
    let spelling = false;
    const words = clauses.map((clause) => {
      const text = clause.text;
      if (!/^[a-z][a-z ]*$/i.test(text)) return text;
      const key = text.toLowerCase().replace(/\s+/g, '');
      const chinese = this.#hanForPinyin(clause, key);
      if (chinese) {
        pinyin = true;
        return chinese;
      }
      if (this.#clauseMatches(clause).length > 0) return text;
      const near = this.#nearest(key);
      if (near) {
        spelling = true;
        return near;
      }
      return text;
    });
    if (!pinyin && !spelling) return null;
    const suggestion = words.join(' ');
    const found = this.search({ q: suggestion, limit: 0, facets: false, sort: 'relevance' }).total;
    // Pinyin shown as characters helps even with the same hits; a respelling must find more.
    return found > total || (pinyin && found > 0 && found >= total) ? suggestion : null;
  }

  /**
   * The characters a pinyin clause spells, read off the titles and names it
   * matched: the stretch of the best hits whose pinyin is the reader's.
   */
  #hanForPinyin(clause: QueryClause, key: string): string | null {
    const analyzer = this.#analyzer;
    if (!analyzer.pinyinKeys || key.length < 2) return null;
    const matches = this.#clauseMatches(clause);
    const seen = new Map<string, number>();
    for (let i = 0; i < Math.min(matches.length, 20); i++) {
      const d = matches.docs[i]!;
      if (this.#deleted[d]) continue;
      for (const text of this.#phraseText(d).split(' | ')) {
        const han = this.#analyzer.fold(text).replace(/[^\u3400-\u9fff]/g, '');
        const syllables = analyzer.pinyinKeys(han);
        if (syllables.length !== han.length) continue;
        for (let start = 0; start < syllables.length; start++) {
          let joined = '';
          for (let end = start; end < syllables.length && joined.length < key.length; end++) {
            joined += syllables[end];
            if (joined === key) {
              const word = han.slice(start, end + 1);
              seen.set(word, (seen.get(word) ?? 0) + 1);
            }
          }
        }
      }
    }
    let best: string | null = null;
    let count = 0;
    for (const [word, n] of seen) if (n > count) [best, count] = [word, n];
    return best;
  }

  /** The most frequent Latin term within edit distance 2 (1 for short words). */
  #nearest(word: string): string | null {
    if (word.length < 3 || word.length > 30) return null;
    const max = word.length <= 4 ? 1 : 2;
    const vocabulary = this.#latinVocabulary();
    let best: string | null = null;
    let bestDf = 0;
    let bestDistance = max + 1;
    // A misspelling rarely gets both of the first two letters wrong.
    for (const first of new Set([word[0]!, word[1]!])) {
      for (let length = word.length - max; length <= word.length + max; length++) {
        for (const term of vocabulary.get(`${first}${length}`) ?? []) {
          const distance = damerau(word, term, max);
          if (distance > max) continue;
          const df = documentFrequency(this.#terms.get(term));
          if (distance < bestDistance || (distance === bestDistance && df > bestDf)) {
            best = term;
            bestDf = df;
            bestDistance = distance;
          }
        }
      }
    }
    return best;
  }

  /** Latin index terms by first letter and length; rebuilt when the vocabulary has grown. */
  #latinVocabulary(): Map<string, string[]> {
    if (this.#latin && this.#terms.size < this.#latinBuiltAt * 1.05 + 100) return this.#latin;
    const buckets = new Map<string, string[]>();
    for (const term of this.#terms.keys()) {
      if (!/^[a-z]{3,32}$/.test(term)) continue;
      const key = `${term[0]}${term.length}`;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(term);
      else buckets.set(key, [term]);
    }
    this.#latin = buckets;
    this.#latinBuiltAt = this.#terms.size;
    return buckets;
  }

  /**
   * Titles starting with what the reader has typed (autocomplete): folded the same
   * way as the index, so 紅樓 completes 红楼梦 and ｐｙ completes Python. Titles shared
   * by many records (editions) come first.
   */
  complete(prefix: string, limit = 10): string[] {
    const p = this.#analyzer.fold(prefix);
    if (!p) return [];
    const sorted = this.#prefixOrder();
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#titleFold[sorted[mid]!]! < p) lo = mid + 1;
      else hi = mid;
    }
    const counts = new Map<string, { title: string; n: number }>();
    for (let i = lo; i < sorted.length && counts.size < 200; i++) {
      const d = sorted[i]!;
      const folded = this.#titleFold[d]!;
      if (!folded.startsWith(p)) break;
      if (this.#deleted[d]) continue;
      const known = counts.get(folded);
      if (known) known.n++;
      else counts.set(folded, { title: this.#title[d]!, n: 1 });
    }
    return [...counts.values()]
      .sort((a, b) => b.n - a.n || a.title.length - b.title.length)
      .slice(0, limit)
      .map((c) => c.title);
  }

  #prefixOrder(): Int32Array {
    if (this.#prefixSorted && this.#prefixSorted.length === this.#count) return this.#prefixSorted;
    const order = Int32Array.from({ length: this.#count }, (_, i) => i);
    const folds = this.#titleFold;
    order.sort((a, b) => (folds[a]! < folds[b]! ? -1 : folds[a]! > folds[b]! ? 1 : 0));
    this.#prefixSorted = order;
    return order;
  }

  /** Record ids of the most recently added records, optionally filtered. */
  newArrivals(limit = 20, filters?: SearchFilters): number[] {
    return this.search({
      q: '',
      sort: 'added',
      limit,
      facets: false,
      ...(filters ? { filters } : {}),
    }).hits.map((h) => h.id);
  }

  #ensure(size: number): void {
    if (size <= this.#ids.length) return;
    this.#ids = grow(this.#ids, size);
    this.#deleted = grow(this.#deleted, size);
    this.#year = grow(this.#year, size);
    this.#material = grow(this.#material, size);
    this.#language = grow(this.#language, size);
    this.#clc = grow(this.#clc, size);
    this.#available = grow(this.#available, size);
    this.#branchMask = grow(this.#branchMask, size);
    this.#subject = grow(this.#subject, size);
    this.#added = grow(this.#added, size);
  }

  /** @internal for FacetCounter */
  get columns() {
    return {
      year: this.#year,
      material: this.#material,
      language: this.#language,
      clc: this.#clc,
      available: this.#available,
      branchMask: this.#branchMask,
      subject: this.#subject,
      materials: this.#materials.values,
      languages: this.#languages.values,
      branches: this.#branches.values,
      subjects: this.#subjects.values,
    };
  }
}

/** Facet counts over the matches, straight into typed counters. */
class FacetCounter {
  readonly #c: CatalogIndex['columns'];
  readonly #material: Uint32Array;
  readonly #language: Uint32Array;
  readonly #clc = new Uint32Array(CLC_CLASSES.length + 1);
  readonly #decade = new Uint32Array(300);
  readonly #branch = new Uint32Array(33);
  readonly #subject: Uint32Array;
  /** Subject codes counted at least once: a catalogue has tens of thousands of subjects. */
  readonly #touched: number[] = [];
  #available = 0;
  #total = 0;

  constructor(index: CatalogIndex) {
    this.#c = index.columns;
    this.#material = new Uint32Array(this.#c.materials.length);
    this.#language = new Uint32Array(this.#c.languages.length);
    this.#subject = new Uint32Array(this.#c.subjects.length);
  }

  count(d: number): void {
    const c = this.#c;
    this.#total++;
    this.#material[c.material[d]!]!++;
    this.#language[c.language[d]!]!++;
    this.#clc[c.clc[d]!]!++;
    this.#decade[c.year[d]! > 0 ? (c.year[d]! / 10) | 0 : 0]!++;
    const s = c.subject[d]!;
    if (this.#subject[s]!++ === 0 && s !== 0) this.#touched.push(s);
    this.#available += c.available[d]!;
    let mask = c.branchMask[d]!;
    while (mask !== 0) {
      const bit = 31 - Math.clz32(mask);
      this.#branch[bit]!++;
      mask &= ~(1 << bit);
    }
  }

  result(): Record<FacetName, FacetValue[]> {
    const c = this.#c;
    const byCount = (a: FacetValue, b: FacetValue) =>
      b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
    const list = (counts: ArrayLike<number>, label: (i: number) => string, max = 50) => {
      const out: FacetValue[] = [];
      for (let i = 1; i < counts.length; i++)
        if (counts[i]! > 0) out.push({ value: label(i), count: counts[i]! });
      return out.sort(byCount).slice(0, max);
    };
    // The 20 commonest subjects among the touched ones, without sorting them all.
    const top = new TopK(20);
    for (const code of this.#touched) top.push(this.#subject[code]!, -code);
    const subjects = top
      .sorted()
      .map(({ score, doc }) => ({ value: c.subjects[-doc]!, count: score }))
      .sort(byCount);
    const branches: FacetValue[] = [];
    for (let bit = 0; bit < 32; bit++) {
      const name = c.branches[bit + 1];
      if (name !== undefined && this.#branch[bit]! > 0)
        branches.push({ value: name, count: this.#branch[bit]! });
    }
    branches.sort(byCount);
    const decades: FacetValue[] = [];
    for (let i = this.#decade.length - 1; i > 0; i--) {
      if (this.#decade[i]! > 0)
        decades.push({ value: `${i * 10}-${i * 10 + 9}`, count: this.#decade[i]! });
    }
    return {
      materialType: list(this.#material, (i) => c.materials[i]!),
      language: list(this.#language, (i) => c.languages[i]!),
      year: decades,
      branch: branches,
      availability: [
        { value: 'available', count: this.#available },
        { value: 'unavailable', count: this.#total - this.#available },
      ].filter((v) => v.count > 0),
      subject: subjects,
      clc: list(this.#clc, (i) => CLC_CLASSES[i - 1]!),
    };
  }
}

/** Optimal string alignment distance, giving up above `max`. */
function damerau(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = new Array<number>(m + 1).fill(0);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[m]!;
}
