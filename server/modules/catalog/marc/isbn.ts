/**
 * ISBN clean-up for catalogue data: the forms seen in 020 $a / 010 $a ("7-02-000220-X",
 * "0201616416 (pbk.)", "ISBN 978-7-5366-9293-0 : CNY23.00") reduced to digits, with check
 * digits verified, by the platform's ISBN rules (the ones search queries use too).
 */
import { findIsbns } from '../../../platform/text/isbn.ts';

export interface Isbn {
  /** 13 digits. */
  isbn13: string;
  /** 10 characters (digits, last may be 'X'); null for 979- ISBNs, which have no ISBN-10. */
  isbn10: string | null;
}

/**
 * Parses one ISBN as catalogued; null when it has no 10/13-digit ISBN or its check digit
 * is wrong (such values belong in 020 $z / 010 $z, "cancelled/invalid").
 *
 * @example
 * parseIsbn('7-02-000220-X (精装)'); // { isbn13: '9787020002207', isbn10: '702000220X' }
 * parseIsbn('978-7-5366-9293-0 : CNY23.00'); // { isbn13: '9787536692930', isbn10: '7536692935' }
 * parseIsbn('7-02-000220-1'); // null (bad check digit)
 */
export function parseIsbn(value: string): Isbn | null {
  // The first valid ISBN in the field; qualifiers, prices and "ISBN" prefixes around it
  // are dropped. The same rules as search queries use, so an imported ISBN is found.
  return findIsbns(value)[0] ?? null;
}

/**
 * Normalises an ISBN to 13 digits, or null when invalid.
 *
 * @example
 * toIsbn13('0-201-61641-6'); // '9780201616415'
 */
export function toIsbn13(value: string): string | null {
  return parseIsbn(value)?.isbn13 ?? null;
}

/**
 * Normalises an ISSN to "NNNN-NNNC" after checking its check digit, or null.
 *
 * @example
 * normaliseIssn('1063-6625 (print)'); // '1063-6625'
 */
export function normaliseIssn(value: string): string | null {
  const m = /([0-9]{4})[- ]?([0-9]{3}[0-9Xx])/.exec(value);
  if (!m) return null;
  const digits = (m[1] as string) + (m[2] as string).toUpperCase();
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += (8 - i) * (digits.charCodeAt(i) - 48);
  const c = (11 - (sum % 11)) % 11;
  if ((c === 10 ? 'X' : String(c)) !== digits[7]) return null;
  return `${digits.slice(0, 4)}-${digits.slice(4)}`;
}
