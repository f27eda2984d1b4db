/**
 * Character sets of MARC data. ISO 2709 readers slice fields by byte offset first and
 * decode afterwards with these functions; the choice of set is made once per record
 * (`chooseCharset`) because real files mix records from different systems.
 *
 * MARC-8 coverage: every set MARC 21 defines — ASCII and ANSEL (the defaults), Greek
 * symbols, subscripts and superscripts (ESC g/b/p … ESC s), Basic/Extended Cyrillic,
 * Basic/Extended Arabic, Hebrew, Greek (ISO 2022 designations to G0/G1) and EACC, the
 * 15,738-code CJK set (ESC $ 1). Tables come from YAZ via gen-marc8-tables.ts. Combining
 * marks are moved after their base and the text is NFC-normalised. An EACC code missing
 * from the table becomes 〓 with a BAD_ENCODING warning; an undefined single byte makes
 * the record fail (or, in 'auto', makes MARC-8 lose to another set).
 * Not covered: UNIMARC's ISO 5426/6937 sets (100 $a/26-29 '01'–'03'): such records are
 * sniffed like undeclared ones.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { MarcError, type Charset } from './errors.ts';
import { EACC_PACKED, SINGLE_BYTE_SETS } from './marc8-tables.ts';

export type CharsetOption = Charset | 'auto';

/** What a record says about itself (MARC 21 leader/09, UNIMARC 100 $a/26-29), if anything. */
export type DeclaredCharset = 'utf-8' | 'marc8' | null;

const gb18030 = new TextDecoder('gb18030', { fatal: true });

/**
 * A Buffer view over the same memory (no copy): Buffer's native decoders are the fast path.
 *
 * @example
 * asBuffer(new Uint8Array([0x41])).toString('latin1'); // 'A'
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** True when every byte is 7-bit and there is no ESC (which would start a MARC-8 escape). */
function isPlainAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    if (b >= 0x80 || b === 0x1b) return false;
  }
  return true;
}

function hasHighBytes(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((buf[i] as number) >= 0x80) return true;
  return false;
}

/**
 * Decodes one byte range in a given set. Throws MarcError('BAD_ENCODING') when the bytes
 * are invalid in that set, so a wrong guess never becomes mojibake.
 *
 * @example
 * decodeBytes(Buffer.from([0xba, 0xec]), 0, 2, 'gb18030'); // '红'
 */
export function decodeBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  charset: Charset,
  warnings?: string[],
): string {
  const buf = asBuffer(bytes);
  switch (charset) {
    case 'latin1':
      return buf.toString('latin1', start, end);
    case 'utf-8':
      // Validity is checked once per record by chooseCharset/assertValid; this is the hot path.
      return buf.toString('utf8', start, end);
    case 'gb18030':
      if (isPlainAscii(buf, start, end)) return buf.toString('latin1', start, end);
      try {
        return gb18030.decode(buf.subarray(start, end));
      } catch {
        throw new MarcError('BAD_ENCODING', 'bytes are not valid GB18030/GBK');
      }
    case 'marc8': {
      if (isPlainAscii(buf, start, end)) return buf.toString('latin1', start, end);
      const result = decodeMarc8(buf, start, end);
      if (result.undefinedBytes > 0) {
        throw new MarcError('BAD_ENCODING', 'bytes undefined in MARC-8');
      }
      if (result.unmappedEacc > 0) {
        warnings?.push(`${result.unmappedEacc} EACC code(s) not in the table, shown as 〓`);
      }
      return result.text;
    }
  }
}

// ---------------------------------------------------------------- MARC-8

type SetName = keyof typeof SINGLE_BYTE_SETS | 'ascii' | 'eacc';

interface SetTable {
  slots: string[];
  combining: boolean[];
}

const tables = new Map<SetName, SetTable>();
function table(name: Exclude<SetName, 'ascii' | 'eacc'>): SetTable {
  let t = tables.get(name);
  if (!t) {
    const def = SINGLE_BYTE_SETS[name];
    const slots = [...def.slots];
    const combining = slots.map((_, i) => (def.combining as readonly number[]).includes(i + 0x21));
    t = { slots, combining };
    tables.set(name, t);
  }
  return t;
}

let eaccTable: Map<number, string> | undefined;
/** Built on first use: most catalogues never contain EACC and should not pay for it. */
function eacc(): Map<number, string> {
  if (eaccTable) return eaccTable;
  eaccTable = new Map();
  for (let i = 0; i < EACC_PACKED.length;) {
    const code =
      (EACC_PACKED.charCodeAt(i) << 16) |
      (EACC_PACKED.charCodeAt(i + 1) << 8) |
      EACC_PACKED.charCodeAt(i + 2);
    const cp = EACC_PACKED.codePointAt(i + 3) as number;
    eaccTable.set(code, String.fromCodePoint(cp));
    i += cp > 0xffff ? 5 : 4;
  }
  return eaccTable;
}

/** Final bytes of ISO 2022 designations used by MARC-8 (LC, "Character Sets", Part 3). */
const FINALS: Record<number, SetName> = {
  0x42: 'ascii', // B
  0x45: 'ansel', // E, after '!'
  0x32: 'hebrew', // 2
  0x4e: 'cyrillic', // N
  0x51: 'extendedCyrillic', // Q
  0x33: 'arabic', // 3
  0x34: 'extendedArabic', // 4
  0x53: 'greek', // S
  0x67: 'greekSymbols', // g
  0x62: 'subscripts', // b
  0x70: 'superscripts', // p
  0x31: 'eacc', // 1, after '$'
};

/** C1 controls MARC-8 defines: non-sort begin/end and the zero-width joiners (LC mapping). */
const C1: Record<number, string> = {
  0x88: '\u0098',
  0x89: '\u009c',
  0x8d: '\u200d',
  0x8e: '\u200c',
};

export interface Marc8Result {
  /** NFC-normalised text with combining marks after their base characters. */
  text: string;
  /** Bytes or escapes with no meaning in MARC-8: the data is probably in another set. */
  undefinedBytes: number;
  /** EACC codes absent from the table (replaced by U+3013 GETA MARK). */
  unmappedEacc: number;
  /** Base + combining mark groups, and how many of them NFC composes into fewer code points. */
  combiningGroups: number;
  composedGroups: number;
}

/**
 * Decodes MARC-8: G0 ASCII / G1 ANSEL by default, escapes to Greek symbols, subscripts,
 * superscripts, Hebrew, Cyrillic, Arabic, Greek and EACC (CJK). MARC-8 writes combining
 * diacritics before their base; they are moved after it and the result is NFC-normalised.
 * Never throws: the counts let callers decide between "MARC-8" and "some other set".
 *
 * @example
 * decodeMarc8(Buffer.from('Dvo\xe9rak', 'latin1'), 0, 8).text; // 'Dvořak'
 */
export function decodeMarc8(bytes: Uint8Array, start: number, end: number): Marc8Result {
  let g0: SetName = 'ascii';
  let g1: SetName = 'ansel';
  let out = '';
  let pending = '';
  let undefinedBytes = 0;
  let unmappedEacc = 0;
  let combiningGroups = 0;
  let composedGroups = 0;
  let sawCombining = false;

  const emit = (ch: string): void => {
    if (pending) {
      const group = ch + pending;
      combiningGroups++;
      if (group.normalize('NFC').length < group.length) composedGroups++;
      out += group;
      pending = '';
    } else {
      out += ch;
    }
  };
  const flushDangling = (): void => {
    // A mark with no base before a delimiter is a cataloguing slip in real MARC-8, but in
    // text from another set it is the norm; it counts against the MARC-8 guess.
    if (pending) {
      undefinedBytes++;
      out += pending;
      pending = '';
    }
  };
  const fromSet = (set: SetName, code7: number): void => {
    if (set === 'ascii') return emit(String.fromCharCode(code7));
    if (set === 'eacc') return; // handled by the caller (three bytes)
    // ANSEL's ligature/double-tilde right halves: the left half already became U+0361/U+0360.
    if (set === 'ansel' && (code7 === 0x6c || code7 === 0x7b)) return;
    const t = table(set);
    const ch = t.slots[code7 - 0x21];
    if (ch === undefined || ch === '\0') {
      undefinedBytes++;
      return;
    }
    if (t.combining[code7 - 0x21]) {
      pending += ch;
      sawCombining = true;
    } else {
      emit(ch);
    }
  };
  const designate = (final: number, setter: (s: SetName) => void, i: number): number => {
    // '!' 'E' is ANSEL's two-byte final; everything else is one byte.
    if (final === 0x21 && bytes[i + 1] === 0x45) {
      setter('ansel');
      return i + 2;
    }
    const set = FINALS[final];
    if (set === undefined || set === 'eacc' || set === 'ansel') {
      undefinedBytes++;
      return i + 1;
    }
    setter(set);
    return i + 1;
  };

  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    if (b === 0x1b) {
      const n = bytes[i + 1];
      if (n === 0x67 || n === 0x62 || n === 0x70) {
        g0 = FINALS[n] as SetName; // technique 1: ESC g / ESC b / ESC p
        i += 2;
      } else if (n === 0x73) {
        g0 = 'ascii'; // ESC s
        i += 2;
      } else if (n === 0x28 || n === 0x2c) {
        i = designate(bytes[i + 2] ?? 0, (s) => (g0 = s), i + 2);
      } else if (n === 0x29 || n === 0x2d) {
        i = designate(bytes[i + 2] ?? 0, (s) => (g1 = s), i + 2);
      } else if (n === 0x24) {
        // ESC $ 1, ESC $ ( 1, ESC $ , 1 → G0; ESC $ ) 1, ESC $ - 1 → G1.
        let j = i + 2;
        let toG1 = false;
        const m = bytes[j];
        if (m === 0x28 || m === 0x2c) j++;
        else if (m === 0x29 || m === 0x2d) {
          toG1 = true;
          j++;
        }
        if (bytes[j] === 0x31) {
          if (toG1) g1 = 'eacc';
          else g0 = 'eacc';
        } else {
          undefinedBytes++;
        }
        i = j + 1;
      } else {
        undefinedBytes++;
        i += 1;
      }
      continue;
    }
    if (b < 0x20 || b === 0x7f) {
      flushDangling();
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    if (b === 0x20) {
      emit(' ');
      i++;
      continue;
    }
    if (b >= 0x80 && b <= 0xa0) {
      const c1 = C1[b];
      if (c1 !== undefined) out += c1;
      else undefinedBytes++;
      i++;
      continue;
    }
    if (b === 0xff) {
      undefinedBytes++;
      i++;
      continue;
    }
    const set = b < 0x80 ? g0 : g1;
    if (set === 'eacc') {
      if (i + 3 > end) {
        undefinedBytes++;
        i = end;
        continue;
      }
      const code =
        ((b & 0x7f) << 16) |
        (((bytes[i + 1] as number) & 0x7f) << 8) |
        ((bytes[i + 2] as number) & 0x7f);
      const ch = eacc().get(code);
      if (ch === undefined) {
        unmappedEacc++;
        emit('〓');
      } else {
        emit(ch);
      }
      i += 3;
      continue;
    }
    fromSet(set, b & 0x7f);
    i++;
  }
  flushDangling();
  return {
    text: sawCombining ? out.normalize('NFC') : out,
    undefinedBytes,
    unmappedEacc,
    combiningGroups,
    composedGroups,
  };
}

// ---------------------------------------------------------------- choosing a set

/**
 * Whether bytes that decode as GB18030 look like Chinese rather than Latin-1 letters
 * that happen to pair up ("æk" is a valid GBK pair). Real GBK text is mostly in the
 * GB2312 block, where both bytes are ≥ 0xA1; accented Latin-1 text almost never is.
 */
function looksLikeGb(buf: Uint8Array, start: number, end: number): boolean {
  let pairs = 0;
  let gb2312 = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    if (b < 0x80) continue;
    const t = buf[i + 1] ?? 0;
    if (t >= 0x30 && t <= 0x39) {
      pairs++; // four-byte GB18030 sequence: rare characters, count as Chinese
      gb2312++;
      i += 3;
      continue;
    }
    pairs++;
    if (b >= 0xa1 && t >= 0xa1) gb2312++;
    i++;
  }
  return pairs > 0 && gb2312 * 2 >= pairs;
}

function isGb18030(buf: Buffer, start: number, end: number): boolean {
  try {
    gb18030.decode(buf.subarray(start, end));
    return true;
  } catch {
    return false;
  }
}

/** MARC-8 is a fit when no byte is undefined and most diacritic groups compose (é, ř, ñ …). */
function looksLikeMarc8(buf: Uint8Array, start: number, end: number): boolean {
  const r = decodeMarc8(buf, start, end);
  if (r.undefinedBytes > 0) return false;
  return r.combiningGroups === 0 || r.composedGroups * 2 >= r.combiningGroups;
}

export interface CharsetChoice {
  charset: Charset;
  /** Set when the guess contradicted the record's own declaration, or fell back to Latin-1. */
  warning?: string;
}

/**
 * Picks the character set for one record's data bytes. An explicit option wins (and
 * invalid bytes then fail at decode time); 'auto' follows the record's declaration
 * where it is trustworthy and sniffs otherwise: valid UTF-8 → UTF-8; GB18030 that
 * looks Chinese → GB18030; else Latin-1. Throws MarcError('BAD_ENCODING') when the
 * record declares UTF-8 and the bytes are not, or an explicit UTF-8/GB18030 does not fit.
 *
 * @example
 * chooseCharset(bytes, 24, bytes.length, null, 'auto'); // { charset: 'gb18030' }
 */
export function chooseCharset(
  bytes: Uint8Array,
  start: number,
  end: number,
  declared: DeclaredCharset,
  option: CharsetOption,
): CharsetChoice {
  const buf = asBuffer(bytes);
  if (option !== 'auto') {
    if (option === 'utf-8' && !isUtf8(buf.subarray(start, end))) {
      throw new MarcError('BAD_ENCODING', 'bytes are not valid UTF-8');
    }
    return { charset: option };
  }
  if (isPlainAscii(buf, start, end)) return { charset: declared ?? 'utf-8' };
  if (!hasHighBytes(buf, start, end)) {
    // 7-bit with ESC: MARC-8 escapes to Greek, subscripts, EACC (all 7-bit in G0).
    if (declared === 'utf-8') return { charset: 'utf-8' };
    if (declared === 'marc8' || looksLikeMarc8(buf, start, end)) return { charset: 'marc8' };
    return { charset: 'utf-8' };
  }
  const utf8 = isUtf8(buf.subarray(start, end));
  if (declared === 'utf-8') {
    if (!utf8) throw new MarcError('BAD_ENCODING', 'record declares UTF-8 but its bytes are not');
    return { charset: 'utf-8' };
  }
  if (utf8) {
    return declared === 'marc8'
      ? { charset: 'utf-8', warning: 'leader/09 says MARC-8 but the bytes are UTF-8' }
      : { charset: 'utf-8' };
  }
  if (declared === 'marc8' && looksLikeMarc8(buf, start, end)) return { charset: 'marc8' };
  if (looksLikeGb(buf, start, end) && isGb18030(buf, start, end)) {
    return declared === 'marc8'
      ? { charset: 'gb18030', warning: 'leader/09 says MARC-8 but the bytes are GB18030' }
      : { charset: 'gb18030' };
  }
  return {
    charset: 'latin1',
    warning:
      declared === 'marc8'
        ? 'leader/09 says MARC-8 but the bytes do not fit; read as ISO-8859-1'
        : 'no character set fits better; read as ISO-8859-1',
  };
}
