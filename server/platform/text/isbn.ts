/**
 * ISBNs in every form readers and scanners produce: hyphens, spaces, an `ISBN` prefix,
 * lowercase x, ISBN-10 or -13, WeChat's scanQRCode result `EAN_13,9787…`, full-width
 * digits. Both forms are validated by check digit; records are matched on ISBN-13.
 *
 * Check digits are computed here rather than with isbn3 on purpose: isbn3 also checks the
 * registration-group ranges, which would reject a correct ISBN from a range assigned
 * after the installed isbn3 was released. The tests cross-check the two.
 */
import { foldWidth } from './normalize.ts';

/** An ISBN in its two canonical forms (digits only, uppercase X). */
export interface NormalizedIsbn {
  /** The 13-digit form, the matching key. */
  isbn13: string;
  /** The 10-digit form; null for 979 ISBNs, which have none. */
  isbn10: string | null;
}

function isbn10CheckDigit(first9: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (10 - i) * (first9.charCodeAt(i) - 48);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

function isbn13CheckDigit(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * (first12.charCodeAt(i) - 48);
  return String((10 - (sum % 10)) % 10);
}

/** Validates a bare 10- or 13-character candidate and returns both forms, or null. */
function fromDigits(digits: string): NormalizedIsbn | null {
  if (/^\d{9}[\dX]$/.test(digits)) {
    if (isbn10CheckDigit(digits.slice(0, 9)) !== digits[9]) return null;
    const first12 = `978${digits.slice(0, 9)}`;
    return { isbn13: first12 + isbn13CheckDigit(first12), isbn10: digits };
  }
  if (/^97[89]\d{10}$/.test(digits)) {
    if (isbn13CheckDigit(digits.slice(0, 12)) !== digits[12]) return null;
    if (!digits.startsWith('978')) return { isbn13: digits, isbn10: null };
    const first9 = digits.slice(3, 12);
    return { isbn13: digits, isbn10: first9 + isbn10CheckDigit(first9) };
  }
  return null;
}

// `ISBN`, `ISBN-13:`, `ISBN10`, `EAN_13,` (WeChat scanQRCode), `EAN13:`, `EAN-13 `.
const PREFIX = /^\s*(?:isbn(?:[-_ ]?1[03])?|ean[-_ ]?13)\s*[:,]?\s*/i;

/**
 * Parses one ISBN written any common way; null unless it is exactly one valid ISBN.
 *
 * @example
 * normalizeIsbn('ISBN 978-7-5366-9293-0'); // { isbn13: '9787536692930', isbn10: '7536692935' }
 * normalizeIsbn('EAN_13,9791032305690'); // { isbn13: '9791032305690', isbn10: null }
 */
export function normalizeIsbn(input: string): NormalizedIsbn | null {
  const s = foldWidth(input).replace(PREFIX, '');
  // Only digits, X and the separators people type; anything else is not an ISBN.
  if (!/^[\dXx][\dXx\s-]*$/.test(s.trim())) return null;
  return fromDigits(s.replace(/[\s-]/g, '').toUpperCase());
}

/** An ISBN found in text, with where it was (UTF-16 offsets into the scanned text). */
export interface IsbnMatch extends NormalizedIsbn {
  start: number;
  end: number;
}

// A candidate: no letter/digit just before (0isbn:978… is the word 0isbn, then an ISBN),
// an optional prefix, then digit groups joined by single
// hyphens or spaces, and no letter/digit just after: a 16-digit card number holds no
// ISBN, nor do abc9787536692930 and o'9787536692930, which tokenize as one word. Han,
// kana and hangul around it are fine (有没有978…): the analyzer splits them from Latin.
const WORDISH = String.raw`(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{N}\p{M}]`;
const CANDIDATE = new RegExp(
  String.raw`(?<!${WORDISH}['’]?)(?:(?:isbn(?:[-_ ]?1[03])?|ean[-_ ]?13)\s*[:,]?\s*)?\d(?:[- ]?[\dXx])+(?!['’]?${WORDISH})`,
  'giu',
);

/**
 * Every valid ISBN in `text` with its offsets (a match includes its `ISBN`/`EAN_13,`
 * prefix), in order. Pass width-folded text: full-width digits are not digits here, and
 * folding first would shift the offsets. Within a longer digit sequence (two ISBNs
 * separated by a space), the longest valid form starting at each group wins.
 *
 * @example
 * scanIsbns('ISBN 7-5366-9293-5'); // [{ isbn13: '9787536692930', isbn10: '7536692935', start: 0, end: 18 }]
 */
export function scanIsbns(text: string): IsbnMatch[] {
  const out: IsbnMatch[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const whole = m[0];
    const prefixLength = whole.length - whole.replace(PREFIX, '').length;
    const base = (m.index ?? 0) + prefixLength;
    const body = whole.slice(prefixLength);
    // Groups with their offsets; an ISBN is a run of consecutive groups.
    const groups = [...body.matchAll(/[\dXx]+/g)].map((g) => ({
      text: g[0].toUpperCase(),
      start: g.index ?? 0,
    }));
    let i = 0;
    while (i < groups.length) {
      let found: { isbn: NormalizedIsbn; last: number } | null = null;
      let digits = '';
      for (let j = i; j < groups.length && digits.length < 13; j++) {
        digits += groups[j]?.text ?? '';
        if (digits.length === 10 || digits.length === 13) {
          const isbn = fromDigits(digits);
          if (isbn) found = { isbn, last: j };
        }
      }
      if (found) {
        const first = groups[i];
        const last = groups[found.last];
        const start = i === 0 ? base - prefixLength : base + (first?.start ?? 0);
        const end = base + (last?.start ?? 0) + (last?.text.length ?? 0);
        out.push({ ...found.isbn, start, end });
        i = found.last + 1;
      } else {
        i++;
      }
    }
  }
  return out;
}

/**
 * Every distinct valid ISBN in free text, such as a WeChat message.
 *
 * @example
 * findIsbns('有没有 978-7-5366-9293-0 这本书'); // [{ isbn13: '9787536692930', isbn10: '7536692935' }]
 */
export function findIsbns(text: string): NormalizedIsbn[] {
  const seen = new Set<string>();
  const out: NormalizedIsbn[] = [];
  for (const { isbn13, isbn10 } of scanIsbns(foldWidth(text))) {
    if (seen.has(isbn13)) continue;
    seen.add(isbn13);
    out.push({ isbn13, isbn10 });
  }
  return out;
}
