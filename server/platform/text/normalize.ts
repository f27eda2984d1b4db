/**
 * Character-level normalisation shared by indexing and querying. Everything the
 * analyzer does starts here, so index and query see the same characters: a reader's
 * 紅樓夢 typed on a Hong Kong phone and the catalogue's 红楼梦 become one string.
 */
import OpenCC from 'opencc-js/t2cn';
import { to as openccTargets } from 'opencc-js/preset/t2cn';

const NON_ASCII = /[\u0080-\uffff]/;
const HAN = /\p{Script=Han}/u;

/**
 * Folds full-width ASCII, the ideographic space and other compatibility forms to their
 * plain equivalents (Unicode NFKC).
 *
 * NFKC is safe for search over the whole string: its compatibility mappings are the ones a
 * searcher wants (full/half width, ligatures, circled and Roman numerals, Kangxi radicals,
 * CJK compatibility ideographs, half-width katakana) and it never changes unified Han
 * characters or kana beyond width. It only costs time, so pure ASCII skips it.
 *
 * @example
 * foldWidth('Ｃ语言程序设计（第２版）'); // 'C语言程序设计(第2版)'
 */
export function foldWidth(s: string): string {
  return NON_ASCII.test(s) ? s.normalize('NFKC') : s;
}

/**
 * True when the string holds at least one Han character (any CJK block, 〇 and 々 included).
 *
 * @example
 * containsHan('C语言'); // true
 */
export function containsHan(s: string): boolean {
  return HAN.test(s);
}

type Converter = (s: string) => string;
// opencc-js's .d.ts files import './core' without an extension, which NodeNext resolution
// cannot follow, so its converter types degrade to errors; this is its documented signature.
const makeConverter = OpenCC.Converter as unknown as (options: {
  from: string;
  to: string;
}) => Converter;
let t2cn: Converter | undefined;

/**
 * OpenCC's traditional→mainland converter, built on first use. A module-level lazy
 * singleton on purpose: it is immutable once built (a dictionary and a pure function),
 * costs ~15 ms to build, and every caller needs the very same mapping.
 */
function converter(): Converter {
  t2cn ??= makeConverter({ from: 't', to: 'cn' });
  return t2cn;
}

// OpenCC maps 薴 → 苧 but 苧 → 苎, the only single character (of all CJK blocks) whose
// conversion is not idempotent; finishing the chain keeps normalizeText idempotent.
const AFTER_OPENCC_RE = /苧/g;

type Dictionary = string | readonly (readonly [string, string])[];

/** Characters some t→cn dictionary entry changes: a BMP bitmap plus the astral ones. */
interface Convertible {
  bmp: Uint8Array;
  astral: ReadonlySet<number>;
}
let convertible: Convertible | undefined;

/**
 * Every character some t→cn dictionary entry changes (for a phrase entry, the characters
 * where source and target differ, e.g. 著 in 看著 → 看着). Text without any of them converts
 * to itself, so most simplified text (the bulk of a Chinese catalogue) skips the
 * converter's dictionary walk. A lookup table, not a regex: a character class of ~4,000
 * code points was slower than the conversion it was meant to save. Built lazily from the
 * converter's own dictionaries, then immutable, like the converter.
 */
function convertibleChars(): Convertible {
  if (convertible) return convertible;
  // Same unresolvable-import problem as the converter: the preset's types are errors.
  const targets = openccTargets as unknown as Record<string, readonly (readonly Dictionary[])[]>;
  const bmp = new Uint8Array(0x10000);
  const astral = new Set<number>();
  const mark = (c: number): void => {
    if (c < 0x10000) bmp[c] = 1;
    else astral.add(c);
  };
  for (const group of targets.cn ?? []) {
    for (const dictionary of group) {
      const entries =
        typeof dictionary === 'string'
          ? dictionary.split('|').map((entry) => entry.split(' '))
          : dictionary;
      for (const [source = '', target = ''] of entries) {
        const from = Array.from(source);
        const to = Array.from(target);
        from.forEach((c, i) => {
          if (from.length !== to.length || c !== to[i]) mark(c.codePointAt(0) ?? 0);
        });
      }
    }
  }
  // The CJK compatibility ideographs (豈 U+F900) convert too, though no entry names them.
  for (let c = 0xf900; c <= 0xfaff; c++) mark(c);
  for (let c = 0x2f800; c <= 0x2fa1f; c++) mark(c);
  convertible = { bmp, astral };
  return convertible;
}

function mayConvert(s: string): boolean {
  const { bmp, astral } = convertibleChars();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (bmp[c] === 1) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      if (astral.has(s.codePointAt(i) ?? c)) return true;
      i++;
    }
  }
  return false;
}

/**
 * Converts Traditional Chinese to Simplified (OpenCC `t` → `cn`, phrase-aware, so 乾隆 stays
 * 乾隆 while 乾燥 becomes 干燥). Text with no character OpenCC would change — anything
 * without Han, and most simplified text — is returned without calling the converter.
 *
 * @example
 * toSimplified('紅樓夢'); // '红楼梦'
 */
export function toSimplified(s: string): string {
  if (!containsHan(s) || !mayConvert(s)) return s;
  const out = converter()(s);
  return out.includes('苧') ? out.replace(AFTER_OPENCC_RE, '苎') : out;
}

// Only the diacritic blocks: stripping every \p{M} would also delete the kana voicing marks
// that NFD splits off (が → か) and the vowel signs of Indic scripts.
// eslint-disable-next-line no-misleading-character-class -- escapes only, nothing combines
const DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
// Precomposed Latin, Greek and Cyrillic letters, combining marks and LATIN_SPECIALS: a
// string with none of these has nothing to strip, and Chinese text skips NFD/NFC entirely.
// eslint-disable-next-line no-misleading-character-class -- escapes only, nothing combines
const MAYBE_MARKED = /[\u00c0-\u04ff\u1ab0-\u1aff\u1dc0-\u1fff\u20d0-\u20ff\ufe20-\ufe2f]/;
// Latin letters that carry their "diacritic" in the base letter, so NFD cannot split them.
const LATIN_SPECIALS: ReadonlyMap<string, string> = new Map([
  ['ß', 'ss'],
  ['ẞ', 'SS'],
  ['æ', 'ae'],
  ['Æ', 'AE'],
  ['œ', 'oe'],
  ['Œ', 'OE'],
  ['ø', 'o'],
  ['Ø', 'O'],
  ['đ', 'd'],
  ['Đ', 'D'],
  ['ð', 'd'],
  ['Ð', 'D'],
  ['þ', 'th'],
  ['Þ', 'TH'],
  ['ł', 'l'],
  ['Ł', 'L'],
  ['ı', 'i'],
]);
const LATIN_SPECIALS_RE = /[ßẞæÆœŒøØđĐðÐþÞłŁı]/g;

/**
 * Removes Latin/Greek/Cyrillic diacritics (NFD, drop combining diacritical marks, NFC) and
 * folds the few letters NFD cannot split (ß → ss, ø → o, ł → l …). CJK text is untouched:
 * only the combining-diacritic blocks are removed, never kana voicing marks.
 *
 * @example
 * stripDiacritics('Café Müller, hóng lóu mèng'); // 'Cafe Muller, hong lou meng'
 */
export function stripDiacritics(s: string): string {
  if (!MAYBE_MARKED.test(s)) return s;
  const stripped = s.normalize('NFD').replace(DIACRITICS, '').normalize('NFC');
  return stripped.replace(LATIN_SPECIALS_RE, (c) => LATIN_SPECIALS.get(c) ?? c);
}

// A lone surrogate is not text; worse, stripping a mark between two of them would join
// them into a new character (and break idempotence), so they become U+FFFD first.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The normalisation applied to every indexed field and every query before tokenising:
 * lone surrogates → U+FFFD, width fold → lowercase → diacritics → simplified Chinese.
 * Idempotent.
 *
 * @example
 * normalizeText('紅樓夢 Ｃａｆé'); // '红楼梦 cafe'
 */
export function normalizeText(s: string): string {
  const wellFormed = NON_ASCII.test(s) ? s.replace(LONE_SURROGATE, '\ufffd') : s;
  return toSimplified(stripDiacritics(foldWidth(wellFormed).toLowerCase()));
}
