/**
 * Call numbers (索书号): one normal form for matching, a sort key for shelf order, and the
 * prefixes a reader may search by (TP312 finds TP312.8-43/45:2).
 *
 * Three schemes are recognised:
 * - CLC (中图法), the default: class number, `/`, book number — `I247.5/123`,
 *   `TP312.8-43/45:2` (volume 2), `K825.6=76/12`.
 * - LC: `QA76.73.J38 S53 2019` — only when a Cutter number follows the class and there is
 *   no `/`, since a bare `TP312` is far likelier to be CLC in a Chinese library.
 * - Dewey: `005.133 S`.
 * Anything else sorts naturally (digit runs compared as numbers).
 */
import { foldWidth } from './normalize.ts';

/** The classification a call number is written in. */
export type CallNumberScheme = 'clc' | 'lc' | 'dewey' | 'other';

const DASHES = /[‐‑‒–—―−－]/g;

/**
 * The form call numbers are compared in: width-folded, uppercase, dashes and slashes
 * unified (— – ‐ → -, \ → /), whitespace collapsed, no spaces around `/ : - = ( )`, and
 * `QA76.73 .J38` written `QA76.73.J38`. Idempotent.
 *
 * @example
 * normalizeCallNumber(' tp312.8－43 / 45：2 '); // 'TP312.8-43/45:2'
 */
export function normalizeCallNumber(s: string): string {
  // Folded again after uppercasing: ß → SS can leave a combining mark NFKC must recompose.
  return foldWidth(foldWidth(s).toUpperCase())
    .replace(DASHES, '-')
    .replace(/\\/g, '/')
    .replace(/\s+/g, ' ')
    .replace(/ ?([/:\-=()]) ?/g, '$1')
    .replace(/ \.(?=[A-Z])/g, '.')
    .trim();
}

/**
 * Which scheme a (normalised or raw) call number is written in.
 *
 * @example
 * callNumberScheme('QA76.73.J38 S53 2019'); // 'lc'
 * callNumberScheme('TP312.8-43/45:2'); // 'clc'
 */
export function callNumberScheme(s: string): CallNumberScheme {
  const n = normalizeCallNumber(s);
  if (/^\d{3}(?:\.\d+)?(?:[ /]|$)/.test(n)) return 'dewey';
  if (!n.includes('/') && /^[A-Z]{1,3}\d{1,4}(?:\.\d+)?(?:\.| )?[A-Z]\d/.test(n)) return 'lc';
  if (/^[A-Z]{1,2}(?:\d|-|$)/.test(n)) return 'clc';
  return 'other';
}

// Sort characters for the symbols, all below '0' in ASCII so "TP312" < "TP312-43" <
// "TP312.1" (a class's subdivisions file before its longer class numbers), and the
// separator ' ' below them all so a shorter call number sorts first.
const SYMBOL_ORDER = '-(=")<>.:+,';
function symbolKey(c: string): string {
  const i = SYMBOL_ORDER.indexOf(c);
  return String.fromCharCode(0x21 + (i < 0 ? SYMBOL_ORDER.length : i));
}

const pad = (digits: string, width: number): string => digits.padStart(width, '0');

/** Letters as is, digit runs zero-padded (compared as integers), symbols by SYMBOL_ORDER. */
function naturalKey(s: string): string {
  return s.replace(/\d+|[^A-Z\d]/g, (m) =>
    /\d/.test(m) ? pad(m, 8) : m === ' ' ? ' ' : symbolKey(m),
  );
}

/** The Cutter-and-date tail of LC and Dewey numbers: Cutters as decimals, numbers as integers. */
function tailKey(rest: string): string {
  return rest
    .replace(/^[ .]+/, '')
    .split(/ |\.(?=[A-Z])/)
    .filter((t) => t.length > 0)
    .map((t) => (/^[A-Z]+\d+[A-Z]*$/.test(t) ? t : naturalKey(t)))
    .join(' ');
}

/**
 * A string whose plain code-unit order is shelf order. Compare keys with `<` in JS,
 * `COLLATE BINARY` in SQLite (the default) and `COLLATE "C"` in PostgreSQL — never a
 * locale collation, which ignores the punctuation the keys rely on.
 *
 * - CLC: the class number is a decimal fraction (the `.` after every three digits is only
 *   for reading), so its digits compare digit by digit: TP3 < TP31 < TP312 < TP312.8 <
 *   TP313 < TP39 < TP4. Zero-padding them as integers would put TP39 before TP311 and
 *   TP1000 after TP312, against shelf order. Auxiliary subdivisions (-43, =76, (2)) sort
 *   before longer class numbers. The book number after `/` (种次号) and volumes are
 *   integers: I247.5/99 < I247.5/123.
 * - LC: letters, the class integer (QA76 < QA100), its decimals digit by digit, then
 *   Cutters as decimals (.J38 < .J4) and years/volumes as integers.
 * - Dewey: the three-digit class, its decimals digit by digit, then the Cutter.
 *
 * @example
 * ['TP312/2', 'TP39/1', 'TP312/10', 'TP311.1/5'].sort((a, b) => (callNumberSortKey(a) < callNumberSortKey(b) ? -1 : 1));
 * // ['TP311.1/5', 'TP312/2', 'TP312/10', 'TP39/1']
 */
export function callNumberSortKey(s: string): string {
  const n = normalizeCallNumber(s);
  switch (callNumberScheme(n)) {
    case 'clc': {
      const slash = n.indexOf('/');
      const classPart = slash < 0 ? n : n.slice(0, slash);
      const book = slash < 0 ? '' : n.slice(slash + 1);
      const classKey = classPart.replace(/[^A-Z\d]/g, (m) => (m === '.' ? '' : symbolKey(m)));
      return `${classKey} ${naturalKey(book)}`;
    }
    case 'lc': {
      const m = /^([A-Z]{1,3})(\d{1,4})(?:\.(\d+))?(.*)$/.exec(n);
      if (!m) return naturalKey(n);
      return `${m[1] ?? ''} ${pad(m[2] ?? '', 4)}.${m[3] ?? ''} ${tailKey(m[4] ?? '')}`;
    }
    case 'dewey': {
      const m = /^(\d{3})(?:\.(\d+))?(.*)$/.exec(n);
      if (!m) return naturalKey(n);
      return `${m[1] ?? ''}.${m[2] ?? ''} ${tailKey((m[3] ?? '').replace(/^\//, ' '))}`;
    }
    default:
      return naturalKey(n);
  }
}

/**
 * The normalised call number and the prefixes of it a reader may search by, shortest
 * first: its class hierarchy (CLC: every letter and digit, TP → TP3 → TP31 → TP312 →
 * TP312.8; LC: letters, the whole integer, then each decimal digit; Dewey: each digit),
 * then every point before a separator (TP312.8-43, TP312.8-43/45), then the whole number.
 * Index these as exact terms and a normalised query call number matches by equality.
 *
 * @example
 * callNumberPrefixes('TP312.8-43/45:2');
 * // ['T', 'TP', 'TP3', 'TP31', 'TP312', 'TP312.8', 'TP312.8-43', 'TP312.8-43/45', 'TP312.8-43/45:2']
 */
export function callNumberPrefixes(s: string): string[] {
  const n = normalizeCallNumber(s);
  if (n.length === 0) return [];
  const out = new Set<string>();
  const scheme = callNumberScheme(n);
  const main = /^[A-Z]*[\d.]*/.exec(n)?.[0].replace(/\.+$/, '') ?? '';
  if (scheme === 'lc') {
    const m = /^([A-Z]+)(\d+)((?:\.\d+)?)/.exec(main);
    if (m) {
      const letters = m[1] ?? '';
      for (let i = 1; i <= letters.length; i++) out.add(letters.slice(0, i));
      const integer = letters + (m[2] ?? '');
      out.add(integer);
      const decimals = m[3] ?? '';
      for (let i = 2; i <= decimals.length; i++) out.add(integer + decimals.slice(0, i));
    }
  } else if (scheme === 'clc' || scheme === 'dewey') {
    for (let i = 1; i <= main.length; i++) {
      if (main[i - 1] !== '.') out.add(main.slice(0, i));
    }
  }
  for (let i = 1; i < n.length; i++) {
    if ('-/:=() ,'.includes(n[i] ?? '') && !'-/:=( ,'.includes(n[i - 1] ?? '')) {
      out.add(n.slice(0, i));
    }
  }
  out.add(n);
  return [...out];
}
