/**
 * The Latin-script path: tokens, a conservative English stemmer and the query stopwords.
 * Runs on text already width-folded, lowercased and stripped of diacritics by
 * `normalizeText`, but lowercases again so it is safe to call on its own.
 */

/** A word of Latin (or other non-CJK) text. */
export interface LatinToken {
  /** The token as written, lowercased (apostrophes and hyphens kept): `children's`, `e-book`. */
  surface: string;
  /** The terms of its hyphen-separated parts, possessive removed and stemmed: `['e', 'book']`. */
  parts: string[];
  /** For a hyphenated word with letters, the parts written together (`ebook`), else null. */
  joined: string | null;
}

const A = String.raw`[\p{L}\p{N}\p{M}]`;
// A word: letters/digits, apostrophes inside (children's, o'neill), decimals after a digit
// (3.14, 2.0), and the programming-language suffixes that carry meaning (c++, c#, f#).
const WORD = String.raw`${A}+(?:['’]${A}+|(?<=\d)\.\d+)*(?:\+\+|#)?`;
const COMPOUND = new RegExp(String.raw`${WORD}(?:[-‐‑]${WORD})*`, 'gu');
const HYPHEN = /[-‐‑]/;
const ASCII_WORD = /^[a-z]+$/;
const HAS_LETTER = /\p{L}/u;
const LANGUAGE_SUFFIX = /(?:\+\+|#)$/;
const SINGLE_LETTER_LANGUAGE = /^\p{L}(?:\+\+|#)$/u;

/**
 * Splits Latin text into tokens with their index terms. `children's` → children,
 * `O'Neill` → oneill, `e-book` → parts e, book and joined ebook, `C++` → c++, `3.14` → 3.14.
 *
 * @example
 * tokenizeLatin("The children's e-books").map((t) => t.parts); // [['the'], ['children'], ['e', 'book']]
 */
export function tokenizeLatin(text: string): LatinToken[] {
  const out: LatinToken[] = [];
  for (const match of text.toLowerCase().matchAll(COMPOUND)) {
    const surface = match[0];
    const pieces = surface.split(HYPHEN);
    const parts = pieces.map(termOf).filter((p) => p.length > 0);
    if (parts.length === 0) continue;
    const joined =
      parts.length > 1 && HAS_LETTER.test(surface) ? termOf(pieces.join('')) || null : null;
    out.push({ surface, parts, joined });
  }
  return out;
}

/**
 * One word → its term: possessive off, apostrophes out, `++`/`#` kept only after a single
 * letter (c++, c#, but issue#5 → issue), stemmed when plain a–z.
 */
function termOf(word: string): string {
  let bare = word.replace(/['’]s$/, '').replace(/['’]/g, '');
  if (LANGUAGE_SUFFIX.test(bare) && !SINGLE_LETTER_LANGUAGE.test(bare)) {
    bare = bare.replace(LANGUAGE_SUFFIX, '');
  }
  return ASCII_WORD.test(bare) ? stemEnglish(bare) : bare;
}

/** Removed from queries (never from the index, never from phrases). */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'the',
  'of',
  'and',
  'in',
  'on',
  'for',
  'to',
]);

// Words the suffix rules would get wrong, with the stem they should have. Unlisted
// mistakes are harmless as long as they are consistent (index and query agree), so this
// only lists words where a wrong stem would merge unrelated words or split a singular
// from its plural in common catalogue vocabulary.
const STEM_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['news', 'news'],
  ['series', 'series'],
  ['species', 'species'],
  ['always', 'always'],
  ['perhaps', 'perhaps'],
  ['chaos', 'chaos'],
  ['atlas', 'atlas'],
  ['canvas', 'canvas'],
  ['bias', 'bias'],
  ['alias', 'alias'],
  ['lens', 'lens'],
  ['movies', 'movie'],
  ['cookies', 'cookie'],
  ['zombies', 'zombie'],
  ['calories', 'calorie'],
  ['rookies', 'rookie'],
  ['hippies', 'hippie'],
  ['prairies', 'prairie'],
  ['caches', 'cache'],
  ['niches', 'niche'],
  ['headaches', 'headache'],
  ['moustaches', 'moustache'],
  ['mustaches', 'mustache'],
  ['avalanches', 'avalanche'],
  ['cliches', 'cliche'],
  ['heroes', 'hero'],
  ['potatoes', 'potato'],
  ['tomatoes', 'tomato'],
  ['echoes', 'echo'],
  ['volcanoes', 'volcano'],
  ['during', 'during'],
  ['morning', 'morning'],
  ['evening', 'evening'],
  ['nothing', 'nothing'],
  ['something', 'something'],
  ['anything', 'anything'],
  ['everything', 'everything'],
  ['ceiling', 'ceiling'],
  ['sibling', 'sibling'],
  ['darling', 'darling'],
  ['pudding', 'pudding'],
  ['wedding', 'wedding'],
  ['viking', 'viking'],
  ['united', 'united'],
  ['hundred', 'hundred'],
  ['sacred', 'sacred'],
  ['naked', 'naked'],
  ['wicked', 'wicked'],
  ['kindred', 'kindred'],
]);

const VOWEL = /[aeiouy]/;
// Doubled consonants that are part of the stem (spell, dress, buzz, staff) are kept.
const UNDOUBLE = /([b-dghj-kmnp-rtv-x])\1$/;

/**
 * A conservative English stemmer ("S-stemmer plus", after Lucene's
 * EnglishMinimalStemFilter), applied to plain a–z words and repeated until nothing changes,
 * so `stemEnglish(stemEnglish(w)) === stemEnglish(w)`. Rules, in order:
 * 1. exceptions (news, series, movies → movie, heroes → hero, during …);
 * 2. plurals, on words of 4+ letters: -ss/-us/-is unchanged (class, status, analysis);
 *    -ies → -y (libraries → library) unless it follows a/e or the word has 4 letters
 *    (ties → tie); -sses/-xes/-zzes/-ches/-shes → drop -es (classes, boxes, churches);
 *    any other -s → drop -s (books, cases, shoes);
 * 3. -ing and -ed, only when at least 4 letters with a vowel remain (so bring, string,
 *    need, red are safe), never after e (-eed: proceed, agreed), -ied → -y (studied →
 *    study), and a doubled final consonant is undoubled (programming → program,
 *    embedded → embed) except ll/ss/zz (spelled → spell).
 *
 * @example
 * stemEnglish('libraries'); // 'library'
 * stemEnglish('programming'); // 'program'
 */
export function stemEnglish(word: string): string {
  // Every step shortens the word or lands on an exception (a fixed point), so this ends.
  let current = word;
  for (;;) {
    const next = stemOnce(current);
    if (next === current) return current;
    current = next;
  }
}

function stemOnce(w: string): string {
  const exception = STEM_EXCEPTIONS.get(w);
  if (exception !== undefined) return exception;
  const n = w.length;
  if (n >= 4 && w.endsWith('s')) {
    if (/(?:ss|us|is)$/.test(w)) return w;
    if (w.endsWith('ies')) {
      const before = w[n - 4];
      return n > 4 && before !== 'a' && before !== 'e' ? `${w.slice(0, -3)}y` : w.slice(0, -1);
    }
    if (/(?:sses|xes|zzes|ches|shes)$/.test(w)) return w.slice(0, -2);
    return w.slice(0, -1);
  }
  if (w.endsWith('ing')) return stripVerbSuffix(w, 3);
  if (w.endsWith('ed') && !w.endsWith('eed')) {
    if (w.endsWith('ied') && n - 3 >= 3) return `${w.slice(0, -3)}y`;
    return stripVerbSuffix(w, 2);
  }
  return w;
}

function stripVerbSuffix(w: string, suffix: number): string {
  const stem = w.slice(0, -suffix);
  if (stem.length < 4 || !VOWEL.test(stem)) return w;
  return UNDOUBLE.test(stem) ? stem.slice(0, -1) : stem;
}

/**
 * The English terms of `text`. Index mode keeps everything (stopwords included, so
 * phrases still match) and adds the joined form of hyphenated words; query mode drops
 * the stopwords unless that would leave nothing.
 *
 * @example
 * analyzeEnglish('The Libraries of Cafes', 'query'); // ['library', 'cafe']
 */
export function analyzeEnglish(text: string, mode: 'index' | 'query'): string[] {
  const tokens = tokenizeLatin(text);
  const terms: string[] = [];
  for (const t of tokens) {
    terms.push(...t.parts);
    if (mode === 'index' && t.joined) terms.push(t.joined);
  }
  if (mode === 'index') return terms;
  const kept = terms.filter((t) => !ENGLISH_STOPWORDS.has(t));
  return kept.length > 0 ? kept : terms;
}
