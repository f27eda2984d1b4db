/**
 * The one entry point for search text: `analyzeForIndex` turns a record's field into
 * index terms, `analyzeQuery` turns a reader's query into clauses over those terms. Both
 * run the same normalisation and tokenisation, so a query term is always spelled the way
 * the index spells it.
 *
 * Index terms live in three namespaces, all plain strings in the field's term list:
 * - words: Han words and sub-words (jieba), Han character bigrams, Han characters (where
 *   the profile asks), kana/hangul runs and bigrams, English stems, numbers;
 * - `py:` + two consecutive pinyin syllables (`py:honglou`, `py:loumeng`);
 * - `pi:` + pinyin initials of a word or of the whole field (`pi:hlm`).
 * The prefixes keep pinyin away from English: the pinyin of 我们 is `women`, and an English
 * query for women must not match it by accident — only through an explicit pinyin clause.
 */
import { callNumberPrefixes, normalizeCallNumber } from './callnumber.ts';
import { ENGLISH_STOPWORDS, type LatinToken, tokenizeLatin } from './english.ts';
import { normalizeIsbn, scanIsbns } from './isbn.ts';
import { BoundedMemo } from './memo.ts';
import { normalizeText } from './normalize.ts';
import { pinyinSyllables, readPinyin, unambiguousSyllables } from './pinyin.ts';
import { cutEachRun, hanBigrams, segmentChinese } from './segment.ts';

/** Namespace of full-pinyin terms: `py:` + two consecutive syllables. */
export const PINYIN_PREFIX = 'py:';
/** Namespace of pinyin-initials terms: `pi:` + the initials of a word or a whole field. */
export const INITIALS_PREFIX = 'pi:';

/** How a field is analysed for the index. */
export interface FieldProfile {
  /** `text`: words; `isbn`: ISBN-13s; `callnumber`: normalised call numbers and prefixes. */
  kind: 'text' | 'isbn' | 'callnumber';
  /** Index every Han character bigram (any 2-character query then matches). */
  bigrams: boolean;
  /** Index every Han character (single-character queries such as 诗 then match). */
  unigrams: boolean;
  /** Index pinyin syllable pairs and initials. */
  pinyin: boolean;
  /** Read the first character of each word as a surname for pinyin (曾 → zeng, 单 → shan). */
  surnames: boolean;
  /**
   * Values repeat across records (publishers, subject headings, authors): analyses of
   * values up to 32 characters are memoised. Only a speed setting; results are the same.
   */
  repeats: boolean;
}

const TEXT: Readonly<FieldProfile> = Object.freeze({
  kind: 'text',
  bigrams: true,
  unigrams: false,
  pinyin: false,
  surnames: false,
  repeats: false,
});

/**
 * The default profiles. Pinyin for title and author only: those are what readers type
 * from memory, often on a phone without a Chinese IME; subject headings and publishers are
 * picked from facets, and pinyin of a summary would only add noise. Han unigrams for the
 * title only (the single-character query 诗 is a title search; single characters are the
 * longest postings of all). No bigrams for long free text (summary, notes): they would
 * triple its postings for little gain over jieba's sub-words.
 */
export const DEFAULT_FIELD_PROFILES: Readonly<Record<string, Readonly<FieldProfile>>> =
  Object.freeze({
    title: profile({ unigrams: true, pinyin: true }),
    author: profile({ pinyin: true, surnames: true, repeats: true }),
    subject: profile({ repeats: true }),
    publisher: profile({ repeats: true }),
    series: profile({ repeats: true }),
    summary: profile({ bigrams: false }),
    notes: profile({ bigrams: false }),
    isbn: profile({ kind: 'isbn' }),
    callnumber: profile({ kind: 'callnumber' }),
    class: profile({ kind: 'callnumber' }),
  });

function profile(overrides: Partial<FieldProfile>): Readonly<FieldProfile> {
  return Object.freeze({ ...TEXT, ...overrides });
}

/** Options of `analyzeForIndex`. */
export interface IndexOptions {
  /** Per-field overrides of DEFAULT_FIELD_PROFILES; fields in neither are plain text. */
  profiles?: Readonly<Record<string, Partial<FieldProfile>>>;
}

function profileFor(field: string, options: IndexOptions): FieldProfile {
  // Own properties only: a field named `constructor` or `__proto__` is plain text.
  const base = Object.hasOwn(DEFAULT_FIELD_PROFILES, field) ? DEFAULT_FIELD_PROFILES[field] : TEXT;
  const profiles = options.profiles;
  const override = profiles && Object.hasOwn(profiles, field) ? profiles[field] : undefined;
  return override ? { ...TEXT, ...base, ...override } : (base ?? TEXT);
}

// Text is split into runs of one script family; each family has its own path.
// Kana and hangul go through the bigram path (ー is Common script but belongs to katakana).
const KANA = String.raw`\p{Script=Hiragana}\p{Script=Katakana}\u30fc\p{Script=Hangul}`;
const HAN = String.raw`\p{Script=Han}`;
const CJK_RUNS = new RegExp(`([${HAN}]+)|[${KANA}]+`, 'gu');
// Latin stretches made only of spaces and punctuation have no terms; skip the tokenizer.
const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;

interface Run {
  kind: 'han' | 'kana' | 'latin';
  text: string;
}

function splitRuns(normalized: string): Run[] {
  const runs: Run[] = [];
  let last = 0;
  for (const m of normalized.matchAll(CJK_RUNS)) {
    if (m.index > last) pushLatin(normalized.slice(last, m.index), runs);
    runs.push({ kind: m[1] === undefined ? 'kana' : 'han', text: m[0] });
    last = m.index + m[0].length;
  }
  if (last < normalized.length) pushLatin(normalized.slice(last), runs);
  return runs;
}

function pushLatin(text: string, runs: Run[]): void {
  if (HAS_WORD_CHAR.test(text)) runs.push({ kind: 'latin', text });
}

// Pinyin of words with a polyphone, memoised: pinyin-pro costs ~4 µs a call, and
// catalogue vocabulary repeats heavily (words without one are spelled per character, see
// unambiguousSyllables). Module-level memos of pure functions: no result depends on them,
// and they are bounded (see BoundedMemo), so a long import cannot grow them without limit.
const pinyinMemo = new BoundedMemo<readonly string[]>(50_000);
const namePinyinMemo = new BoundedMemo<readonly string[]>(50_000);
const readWord = (word: string): readonly string[] => pinyinSyllables(word);
const readName = (word: string): readonly string[] => pinyinSyllables(word, { surname: true });

function wordSyllables(word: string, surname: boolean): readonly string[] {
  const plain = unambiguousSyllables(word);
  if (plain) return plain;
  return surname ? namePinyinMemo.get(word, readName) : pinyinMemo.get(word, readWord);
}

/** `py:` terms for each pair of consecutive syllables. */
function syllablePairs(syllables: readonly string[], into: Set<string>): void {
  for (let i = 0; i + 1 < syllables.length; i++) {
    into.add(`${PINYIN_PREFIX}${syllables[i]}${syllables[i + 1]}`);
  }
}

function initialsOf(syllables: readonly string[]): string {
  let out = '';
  for (const s of syllables) out += s[0] ?? '';
  return out;
}

/**
 * The inner 3-character substrings of a word of 4+ characters. With all bigrams also
 * indexed, cut words + these are a superset of jieba's cutForSearch (which adds only the
 * dictionary 2- and 3-grams inside each cut word) for one native call instead of two.
 */
function inner3grams(word: string, into: Set<string>): void {
  if (word.length < 4) return;
  if (!SURROGATE.test(word)) {
    for (let i = 0; i + 3 <= word.length; i++) into.add(word.slice(i, i + 3));
    return;
  }
  const chars = Array.from(word);
  for (let i = 0; i + 3 <= chars.length; i++) into.add(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
}

const SURROGATE = /[\ud800-\udfff]/;

/** A text field part-way through analysis: its own terms so far and its Han runs. */
interface Pending {
  profile: FieldProfile;
  terms: Set<string>;
  han: string[];
}

/** Everything but the Han words: normalisation, runs, English and kana terms. */
function prepare(profile: FieldProfile, text: string): Pending {
  const normalized = normalizeText(text);
  const terms = new Set<string>();
  const han: string[] = [];
  for (const run of splitRuns(normalized)) {
    if (run.kind === 'han') han.push(run.text);
    else if (run.kind === 'kana') indexKana(run.text, terms);
    else {
      for (const t of tokenizeLatin(run.text)) {
        for (const p of t.parts) terms.add(p);
        if (t.joined) terms.add(t.joined);
      }
    }
  }
  return { profile, terms, han };
}

/** Whether the field's Han words come from `cut` (else from cutForSearch, see indexHan). */
const needsCut = (p: Pending): boolean =>
  p.han.length > 0 && (p.profile.bigrams || p.profile.pinyin);

/**
 * The Han terms of a prepared field. `groups` is jieba's `cut` of each of its runs when
 * `needsCut`, segmented by the caller so a whole record takes one native call.
 */
function indexHan(p: Pending, groups: readonly string[][]): string[] {
  const { profile, terms, han } = p;
  // With bigrams, `cut` + bigrams + inner 3-grams cover cutForSearch (see inner3grams);
  // without, cutForSearch itself supplies the sub-words.
  if (profile.bigrams) {
    for (const words of groups) {
      for (const word of words) {
        terms.add(word);
        inner3grams(word, terms);
      }
    }
  } else if (han.length > 0) {
    for (const word of segmentChinese(han.join('\n'), 'index')) terms.add(word);
  }
  for (const run of han) {
    if (profile.bigrams) for (const g of hanBigrams(run)) terms.add(g);
    if (profile.unigrams) addChars(run, terms);
  }
  if (profile.pinyin) indexPinyin(groups, profile.surnames, terms);
  return [...terms];
}

function addChars(run: string, terms: Set<string>): void {
  if (SURROGATE.test(run)) for (const c of run) terms.add(c);
  else for (let i = 0; i < run.length; i++) terms.add(run.charAt(i));
}

/**
 * Pinyin per jieba word (polyphones need the word: 银行 is yin hang), concatenated in
 * reading order for the whole field, so syllable pairs also span word boundaries.
 */
function indexPinyin(groups: readonly string[][], surnames: boolean, terms: Set<string>): void {
  const field: string[] = [];
  for (const words of groups) {
    for (const word of words) {
      const syllables = wordSyllables(word, surnames);
      if (syllables.length >= 2) terms.add(INITIALS_PREFIX + initialsOf(syllables));
      for (const syllable of syllables) field.push(syllable);
    }
  }
  syllablePairs(field, terms);
  if (field.length >= 2) terms.add(INITIALS_PREFIX + initialsOf(field));
}

function indexKana(run: string, terms: Set<string>): void {
  terms.add(run);
  for (const g of hanBigrams(run)) terms.add(g);
}

/**
 * The index terms of one field of a record, distinct, in first-occurrence order.
 *
 * Text fields: `normalizeText`, then per script run —
 * - Han: jieba words and sub-words — with profile `bigrams`, the `cut` words, every
 *   character bigram and the inner 3-grams of words of 4+ characters (a superset of
 *   `cutForSearch`); without, `cutForSearch` — every character (profile `unigrams`), and
 *   for pinyin fields `py:` syllable pairs over the whole field plus `pi:` initials of each
 *   `cut` word and of the whole field;
 * - kana/hangul: the run and its bigrams;
 * - Latin/digits: English terms (stemmed, stopwords kept, hyphenated words also joined).
 * `isbn` fields give the ISBN-13 of each valid ISBN; `callnumber` fields give the
 * normalised call number and its prefixes (see `callNumberPrefixes`).
 *
 * Terms are distinct: term frequency means little with overlapping words, sub-words and
 * bigrams, so rank with field weights and matched-clause counts, not raw tf. To index a
 * whole record, `analyzeRecordForIndex` gives the same terms faster.
 *
 * @example
 * analyzeForIndex('title', '紅樓夢');
 * // ['红楼梦', '红楼', '楼梦', '红', '楼', '梦', 'py:honglou', 'py:loumeng', 'pi:hlm']
 */
export function analyzeForIndex(field: string, text: string, options: IndexOptions = {}): string[] {
  return analyzeRecordForIndex({ [field]: text }, options)[field] ?? [];
}

/**
 * The index terms of every field of a record: `{ field: terms }`, each exactly as
 * `analyzeForIndex(field, value)` would give them. A field may hold several values (two
 * authors, three subject headings): its terms are then the union, each value analysed on
 * its own (so initials of a whole value are per author, not of all authors run together).
 *
 * Faster than field by field: the Han text of the whole record goes to jieba in one
 * native call, and short values that repeat across records (profile `repeats`) are
 * memoised.
 *
 * @example
 * analyzeRecordForIndex({ title: '三体', author: ['刘慈欣著'], isbn: '978-7-5366-9293-0' });
 * // { title: ['三体', '三', '体', 'pi:st', 'py:santi'], author: ['刘慈欣', '著', …], isbn: ['9787536692930'] }
 */
export function analyzeRecordForIndex(
  record: Readonly<Record<string, string | readonly string[]>>,
  options: IndexOptions = {},
): Record<string, string[]> {
  // No prototype, so any field name (even `__proto__`) is just a key.
  const out = Object.create(null) as Record<string, string[]>;
  const pending: { field: string; key: string | null; p: Pending }[] = [];
  const multi: string[] = [];
  for (const [field, value] of Object.entries(record)) {
    const profile = profileFor(field, options);
    out[field] = [];
    if (typeof value !== 'string' && value.length > 1) multi.push(field);
    for (const text of typeof value === 'string' ? [value] : value) {
      if (profile.kind !== 'text') {
        addTerms(out, field, exactTerms(profile, text));
        continue;
      }
      // Only with default profiles, so the memo key needs no options; titles rarely
      // repeat, and a miss costs a key and two lookups.
      const memoizable =
        profile.repeats && options.profiles === undefined && text.length <= FIELD_MEMO_MAX_LENGTH;
      const key = memoizable ? `${field}\u0000${text}` : null;
      const hit = key === null ? undefined : fieldMemo.peek(key);
      if (hit) addTerms(out, field, [...hit]);
      else pending.push({ field, key, p: prepare(profile, text) });
    }
  }
  // One jieba call for every field that needs `cut`, then each gets its runs' words back.
  const cut = cutEachRun(pending.flatMap(({ p }) => (needsCut(p) ? p.han : [])));
  let next = 0;
  for (const { field, key, p } of pending) {
    const count = needsCut(p) ? p.han.length : 0;
    const terms = indexHan(p, count === 0 ? [] : cut.slice(next, next + count));
    next += count;
    if (key !== null) fieldMemo.set(key, terms);
    addTerms(out, field, key === null ? terms : [...terms]);
  }
  for (const field of multi) out[field] = [...new Set(out[field])];
  return out;
}

function addTerms(out: Record<string, string[]>, field: string, terms: string[]): void {
  const before = out[field];
  out[field] = before === undefined || before.length === 0 ? terms : before.concat(terms);
}

// Memo of analyses of short field values that repeat; like the pinyin memo, a bounded
// memo of a pure function. The key is `field NUL text`.
const FIELD_MEMO_MAX_LENGTH = 32;
const fieldMemo = new BoundedMemo<readonly string[]>(20_000);

function exactTerms(profile: FieldProfile, text: string): string[] {
  if (profile.kind === 'callnumber') return callNumberPrefixes(text);
  const direct = normalizeIsbn(text);
  const found = direct ? [direct] : scanIsbns(normalizeText(text));
  return [...new Set(found.map((i) => i.isbn13))];
}

/** What a query clause is. */
export type QueryTermKind = 'word' | 'phrase' | 'isbn' | 'callnumber';

/** One way to satisfy a clause: all of `terms` present in the field. */
export interface TermMatch {
  /**
   * `word`: the words as analysed; `grams`: the Han bigrams of a longer word (it was
   * segmented differently in the record); `pinyin`: `py:` syllable pairs; `initials`: a
   * `pi:` term; `exact`: an ISBN-13 or normalised call number.
   */
  via: 'word' | 'grams' | 'pinyin' | 'initials' | 'exact';
  /** Index terms, all required (AND). */
  terms: string[];
  /** Ranking weight relative to a direct word match (1). */
  weight: number;
}

/** One clause of a query: the record must satisfy one of `anyOf` (if `required`). */
export interface QueryTerm {
  kind: QueryTermKind;
  /** The field the reader named (`title:三体`), or null for every searchable field. */
  field: SearchField | null;
  /** The clause as the reader wrote it, normalised (for display and logs). */
  text: string;
  /**
   * False for single Han characters next to longer words (的 in 平凡的世界, 首 in
   * 唐诗三百首): they rank, but a record lacking them still matches.
   */
  required: boolean;
  /** Alternatives (OR); each alternative's terms are all required (AND). */
  anyOf: TermMatch[];
  /**
   * For a phrase: the tokens that must appear consecutively in `phraseTokens(field text)`.
   * The terms above find candidates; this sequence decides. Null for other kinds.
   */
  sequence: string[] | null;
}

/** The fields a query may name (`title:` …, or 题名： …). */
export type SearchField =
  'title' | 'author' | 'subject' | 'publisher' | 'isbn' | 'callnumber' | 'class';

const FIELD_NAMES: ReadonlyMap<string, SearchField> = new Map([
  ['title', 'title'],
  ['ti', 'title'],
  ['题名', 'title'],
  ['书名', 'title'],
  ['author', 'author'],
  ['au', 'author'],
  ['作者', 'author'],
  ['著者', 'author'],
  ['subject', 'subject'],
  ['su', 'subject'],
  ['主题', 'subject'],
  ['主题词', 'subject'],
  ['publisher', 'publisher'],
  ['pub', 'publisher'],
  ['出版社', 'publisher'],
  ['出版者', 'publisher'],
  ['isbn', 'isbn'],
  ['callnumber', 'callnumber'],
  ['call', 'callnumber'],
  ['索书号', 'callnumber'],
  ['class', 'class'],
  ['clc', 'class'],
  ['分类号', 'class'],
]);

// `field:` at a token start (the colon already width-folded from ：).
const FIELD_PREFIX = new RegExp(`^(${[...FIELD_NAMES.keys()].join('|')})\\s*:\\s*`);
const SPACED_ISBN = /^[\dXx](?:[- ]?[\dXx])*/;
const QUOTES: Readonly<Record<string, string>> = { '"': '"', '“': '”', '「': '」', '『': '』' };

/** Options of `analyzeQuery`. */
export interface QueryOptions {
  /** Parse `title:三体`-style field prefixes (default true); false treats them as text. */
  fields?: boolean;
}

interface Segment {
  field: SearchField | null;
  text: string;
  quoted: boolean;
}

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /\s/.test(c);
}

function isQuote(c: string | undefined): boolean {
  return c !== undefined && c in QUOTES;
}

/** A field prefix starting at `at` (only at the start of a word), or null. */
function fieldPrefixAt(q: string, at: number): RegExpExecArray | null {
  return at === 0 || isSpace(q[at - 1]) ? FIELD_PREFIX.exec(q.slice(at)) : null;
}

/** Reads the quoted phrase opening at `at` (to the closing quote or the end). */
function readQuoted(q: string, at: number, field: SearchField | null, out: Segment[]): number {
  const close = QUOTES[q[at] ?? ''] ?? '"';
  const end = q.indexOf(close, at + 1);
  const stop = end < 0 ? q.length : end;
  out.push({ field, text: q.slice(at + 1, stop), quoted: true });
  return stop + 1;
}

/**
 * Splits a normalised query into segments: quoted phrases, field-qualified values (the
 * next word or quoted phrase after `field:`) and the bare stretches between them. Bare
 * stretches keep their spaces, because `hong lou meng` reads as one pinyin word.
 */
function parseSegments(q: string, parseFields: boolean): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < q.length) {
    if (isSpace(q[i])) {
      i++;
      continue;
    }
    const prefix = parseFields ? fieldPrefixAt(q, i) : null;
    if (prefix) {
      const field = FIELD_NAMES.get(prefix[1] ?? '') ?? null;
      i += prefix[0].length;
      if (isQuote(q[i])) {
        i = readQuoted(q, i, field, out);
        continue;
      }
      // An ISBN may be written with single spaces (isbn:978 7 5366 9293 0).
      const spaced = field === 'isbn' ? SPACED_ISBN.exec(q.slice(i))?.[0] : undefined;
      let j = i + (spaced?.length ?? 0);
      while (j < q.length && !isSpace(q[j]) && !isQuote(q[j])) j++;
      if (j > i) out.push({ field, text: q.slice(i, j), quoted: false });
      i = j;
      continue;
    }
    if (isQuote(q[i])) {
      i = readQuoted(q, i, null, out);
      continue;
    }
    let j = i;
    while (j < q.length && !isQuote(q[j]) && !(parseFields && fieldPrefixAt(q, j))) j++;
    out.push({ field: null, text: q.slice(i, j), quoted: false });
    i = j;
  }
  return out;
}

const WEIGHT = { word: 1, grams: 0.9, pinyin: 0.6, initials: 0.4, exact: 1 } as const;

function wordClause(field: SearchField | null, text: string, anyOf: TermMatch[]): QueryTerm {
  return { kind: 'word', field, text, required: true, anyOf, sequence: null };
}

/** Clauses of consecutive Latin tokens: English words, with pinyin readings as alternatives. */
function latinClauses(latin: LatinToken[], field: SearchField | null, out: QueryTerm[]): void {
  for (const r of readPinyin(latin.map((t) => t.surface))) {
    const tokens = latin.slice(r.start, r.end);
    const text = tokens.map((t) => t.surface).join(' ');
    const words = tokens.flatMap((t) => t.parts);
    const anyOf: TermMatch[] = [{ via: 'word', terms: words, weight: WEIGHT.word }];
    const first = tokens[0];
    if (tokens.length === 1 && first?.joined) {
      anyOf.push({ via: 'word', terms: [first.joined], weight: WEIGHT.word });
    }
    for (const reading of r.readings) {
      const pairs = new Set<string>();
      syllablePairs(reading, pairs);
      anyOf.push({ via: 'pinyin', terms: [...pairs], weight: WEIGHT.pinyin });
    }
    if (r.initials) {
      const initials = INITIALS_PREFIX + r.initials;
      anyOf.push({ via: 'initials', terms: [initials], weight: WEIGHT.initials });
    }
    out.push(wordClause(field, text, anyOf));
  }
}

/** Clauses of Han query text: jieba words; single characters next to longer words optional. */
function hanClauses(run: string, field: SearchField | null, out: QueryTerm[]): void {
  const words = segmentChinese(run, 'query');
  const hasLonger = words.some((w) => Array.from(w).length >= 2);
  for (const w of words) {
    const length = Array.from(w).length;
    const anyOf: TermMatch[] = [{ via: 'word', terms: [w], weight: WEIGHT.word }];
    // A word of 3+ characters that the record's segmentation split differently is still
    // found through its bigrams (人民共和国 in 中华人民共和国…); 2 characters are a bigram.
    if (length >= 3) anyOf.push({ via: 'grams', terms: hanBigrams(w), weight: WEIGHT.grams });
    out.push({ ...wordClause(field, w, anyOf), required: length >= 2 || !hasLonger });
  }
}

/** Clauses of one bare stretch of query text (no quotes, no field prefix of its own). */
function textClauses(normalized: string, field: SearchField | null): QueryTerm[] {
  const out: QueryTerm[] = [];
  let latin: LatinToken[] = [];
  for (const run of splitRuns(normalized)) {
    if (run.kind === 'latin') {
      latin.push(...tokenizeLatin(run.text));
      continue;
    }
    if (latin.length > 0) latinClauses(latin, field, out);
    latin = [];
    if (run.kind === 'han') {
      hanClauses(run.text, field, out);
    } else {
      const grams = hanBigrams(run.text);
      const anyOf: TermMatch[] = [{ via: 'word', terms: [run.text], weight: WEIGHT.word }];
      if (grams.length > 1) anyOf.push({ via: 'grams', terms: grams, weight: WEIGHT.grams });
      out.push(wordClause(field, run.text, anyOf));
    }
  }
  if (latin.length > 0) latinClauses(latin, field, out);
  return out;
}

/**
 * The tokens of `text` in reading order, for phrase checks: each Han, kana or hangul
 * character on its own, each English term (stemmed, stopwords kept, hyphenated words as
 * their parts). A phrase matches a field when its `sequence` is a contiguous run of the
 * field's phrase tokens — for Chinese, a substring match that ignores punctuation.
 *
 * @example
 * phraseTokens('Machine Learning：红楼梦'); // ['machine', 'learn', '红', '楼', '梦']
 */
export function phraseTokens(text: string): string[] {
  const out: string[] = [];
  for (const run of splitRuns(normalizeText(text))) {
    if (run.kind === 'latin') for (const t of tokenizeLatin(run.text)) out.push(...t.parts);
    else out.push(...run.text);
  }
  return out;
}

/**
 * Whether `sequence` occurs contiguously in `tokens` (the phrase check).
 *
 * @example
 * containsSequence(phraseTokens('红楼梦研究'), ['红', '楼', '梦']); // true
 */
export function containsSequence(tokens: readonly string[], sequence: readonly string[]): boolean {
  if (sequence.length === 0) return true;
  outer: for (let i = 0; i + sequence.length <= tokens.length; i++) {
    for (let j = 0; j < sequence.length; j++) if (tokens[i + j] !== sequence[j]) continue outer;
    return true;
  }
  return false;
}

function phraseClause(field: SearchField | null, text: string): QueryTerm | null {
  const sequence = phraseTokens(text);
  if (sequence.length === 0) return null;
  // Candidates: every word of the phrase (stopwords kept) and, for Han, its bigrams.
  const words: string[] = [];
  const grams: string[] = [];
  for (const run of splitRuns(text)) {
    if (run.kind === 'latin') {
      const parts = tokenizeLatin(run.text).flatMap((t) => t.parts);
      words.push(...parts);
      grams.push(...parts);
    } else if (run.kind === 'kana') {
      words.push(run.text);
      grams.push(...(run.text.length > 1 ? hanBigrams(run.text) : [run.text]));
    } else {
      const ws = segmentChinese(run.text, 'query');
      const long = ws.filter((w) => Array.from(w).length >= 2);
      words.push(...(long.length > 0 ? long : ws));
      const g = hanBigrams(run.text);
      grams.push(...(g.length > 0 ? g : [run.text]));
    }
  }
  const anyOf: TermMatch[] = [{ via: 'word', terms: [...new Set(words)], weight: WEIGHT.word }];
  const gramSet = [...new Set(grams)];
  if (gramSet.join('\u0000') !== anyOf[0]?.terms.join('\u0000')) {
    anyOf.push({ via: 'grams', terms: gramSet, weight: WEIGHT.grams });
  }
  return { kind: 'phrase', field, text, required: true, anyOf, sequence };
}

function exactClause(
  kind: 'isbn' | 'callnumber',
  field: SearchField,
  text: string,
  term: string,
): QueryTerm {
  return {
    kind,
    field,
    text,
    required: true,
    anyOf: [{ via: 'exact', terms: [term], weight: WEIGHT.exact }],
    sequence: null,
  };
}

/**
 * Analyses a reader's query into clauses. Every required clause must be satisfied (AND);
 * a clause is satisfied by any of its `anyOf` alternatives (OR), an alternative by all of
 * its terms (AND) in the clause's field (or any searchable field when `field` is null).
 *
 * - Han text: jieba `cut` words; a word of 3+ characters may also match by its bigrams;
 *   single characters among longer words are optional.
 * - Latin text: English terms with stopwords (a, an, the, of, and, in, on, for, to)
 *   dropped unless the query is nothing else; a stretch that reads as pinyin
 *   (`hongloumeng`, `hong lou meng`, `liu cixin`) or initials (`hlm`) gets that reading as a
 *   lower-weighted alternative.
 * - `"machine learning"`, `“红楼梦”`, `「三体」`: a phrase, stopwords kept.
 * - ISBNs anywhere in the query (`978-7-5366-9293-0`, `EAN_13,978…`) become `isbn` clauses.
 * - `title:三体 author:刘慈欣` (also `ti: au: su: pub: isbn: call: clc:`, and 题名： 作者：
 *   主题： 出版社： 索书号： 分类号：) qualify the next word or quoted phrase; `isbn:` and
 *   `call:` values are normalised whole.
 *
 * @example
 * analyzeQuery('title:三体 liu cixin');
 * // [ { kind: 'word', field: 'title', text: '三体', anyOf: [{ via: 'word', terms: ['三体'] }] … },
 * //   { kind: 'word', field: null, text: 'liu cixin', anyOf: [{ via: 'word', terms: ['liu', 'cixin'] },
 * //       { via: 'pinyin', terms: ['py:liuci', 'py:cixin'] }] … } ]
 */
export function analyzeQuery(text: string, options: QueryOptions = {}): QueryTerm[] {
  const normalized = normalizeText(text);
  const clauses: QueryTerm[] = [];
  for (const segment of parseSegments(normalized, options.fields ?? true)) {
    const { field, quoted } = segment;
    if (field === 'isbn') {
      const isbn = normalizeIsbn(segment.text);
      const term = isbn?.isbn13 ?? segment.text.replace(/[\s-]/g, '').toUpperCase();
      clauses.push(exactClause('isbn', 'isbn', segment.text, term));
      continue;
    }
    if (field === 'callnumber' || field === 'class') {
      const term = normalizeCallNumber(segment.text);
      if (term.length > 0) clauses.push(exactClause('callnumber', field, segment.text, term));
      continue;
    }
    if (quoted) {
      const clause = phraseClause(field, segment.text);
      if (clause) clauses.push(clause);
      continue;
    }
    clauses.push(...bareClauses(segment.text, field));
  }
  return dropStopwords(clauses);
}

/**
 * Bare text: ISBNs first, as they would otherwise fall apart into numbers (a spaced
 * `978 7 5366 9293 0` too: bare stretches keep their spaces), then words.
 */
function bareClauses(text: string, field: SearchField | null): QueryTerm[] {
  const out: QueryTerm[] = [];
  let last = 0;
  for (const m of scanIsbns(text)) {
    out.push(...textClauses(text.slice(last, m.start), field));
    out.push(exactClause('isbn', 'isbn', text.slice(m.start, m.end), m.isbn13));
    last = m.end;
  }
  out.push(...textClauses(text.slice(last), field));
  return out;
}

/**
 * Removes English stopwords from word clauses (a clause of stopwords only goes entirely,
 * pinyin reading and all: `a an` is not 阿安), unless nothing else would be left.
 */
function dropStopwords(clauses: QueryTerm[]): QueryTerm[] {
  const trimmed: QueryTerm[] = [];
  for (const c of clauses) {
    if (c.kind !== 'word') {
      trimmed.push(c);
      continue;
    }
    const anyOf: TermMatch[] = [];
    let wordsLeft = false;
    for (const m of c.anyOf) {
      if (m.via !== 'word') {
        anyOf.push(m);
        continue;
      }
      const terms = m.terms.filter((t) => !ENGLISH_STOPWORDS.has(t));
      if (terms.length === 0) continue;
      wordsLeft = true;
      anyOf.push(terms.length === m.terms.length ? m : { ...m, terms });
    }
    if (wordsLeft) trimmed.push({ ...c, anyOf });
  }
  return trimmed.length > 0 ? trimmed : clauses;
}

/**
 * Groups clauses by the field they are qualified with, in first-appearance order.
 *
 * @example
 * groupByField(analyzeQuery('title:三体 author:刘慈欣')).map((g) => g.field); // ['title', 'author']
 */
export function groupByField(
  clauses: readonly QueryTerm[],
): { field: SearchField | null; terms: QueryTerm[] }[] {
  const groups = new Map<SearchField | null, QueryTerm[]>();
  for (const c of clauses) {
    const list = groups.get(c.field);
    if (list) list.push(c);
    else groups.set(c.field, [c]);
  }
  return [...groups].map(([field, terms]) => ({ field, terms }));
}
