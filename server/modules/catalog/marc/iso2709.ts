/**
 * ISO 2709 (`.mrc`, `.iso`) reading. Lengths and offsets in the leader and directory
 * are bytes, so fields are sliced as bytes and decoded afterwards — a GBK or UTF-8
 * record whose lengths were counted in characters is refused, never half-read.
 */
import {
  asBuffer,
  chooseCharset,
  decodeBytes,
  type CharsetOption,
  type DeclaredCharset,
} from './charset.ts';
import { detectContainer, detectFlavour, type Flavour } from './detect.ts';
import { MarcError, type Charset, type MarcWarning, type ReadResult } from './errors.ts';
import type { DataField, MarcField, MarcRecord, Subfield } from './record.ts';

const RECORD_TERMINATOR = 0x1d;
const FIELD_TERMINATOR = 0x1e;
const SUBFIELD_DELIMITER = 0x1f;

export interface Iso2709Options {
  /** Character set of the data; 'auto' (default) reads the record's declaration and sniffs. */
  charset?: CharsetOption;
  /** Flavour, which decides where the charset is declared; 'auto' (default) detects per record. */
  flavour?: Flavour | 'auto';
  /** Streaming only: give up on a record with no terminator after this many bytes (default 1 MB). */
  maxRecordBytes?: number;
}

export interface DecodedRecord {
  record: MarcRecord;
  flavour: Flavour | null;
  charset: Charset;
  warnings: MarcWarning[];
}

// Tag strings for the numeric tags, built once: creating 20 small strings per record adds up.
const TAGS: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Reads `len` ASCII digits at `at`; -1 if any is not a digit. */
function digits(b: Uint8Array, at: number, len: number): number {
  let n = 0;
  for (let i = at; i < at + len; i++) {
    const d = (b[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function tagAt(b: Uint8Array, at: number): string {
  const n = digits(b, at, 3);
  if (n >= 0) return TAGS[n] as string;
  return String.fromCharCode(b[at] ?? 0x20, b[at + 1] ?? 0x20, b[at + 2] ?? 0x20);
}

/**
 * Decodes one ISO 2709 record (with or without its trailing 0x1D) and reports the flavour,
 * the character set used and any recoverable oddities. Throws MarcError on a broken record.
 *
 * @example
 * const { record, charset, warnings } = decodeIso2709(bytes, { charset: 'auto' });
 */
export function decodeIso2709(bytes: Uint8Array, options: Iso2709Options = {}): DecodedRecord {
  const buf = asBuffer(bytes);
  const warnings: MarcWarning[] = [];
  let n = buf.length;
  if (n === 0) throw new MarcError('EMPTY', 'no bytes');
  if (n < 24) throw new MarcError('TRUNCATED', `record is ${n} bytes, shorter than a leader`);
  for (let i = 0; i < 24; i++) {
    const c = buf[i] as number;
    if (c < 0x20 || c > 0x7e) {
      throw new MarcError('BAD_LEADER', `leader byte ${i} is not printable ASCII`);
    }
  }
  const leader = buf.toString('latin1', 0, 24);
  const declaredLength = digits(buf, 0, 5);
  if (declaredLength < 0)
    throw new MarcError('BAD_LEADER', 'record length (leader/00-04) is not digits');
  const declaredBase = digits(buf, 12, 5);
  if (declaredBase < 0)
    throw new MarcError('BAD_LEADER', 'base address (leader/12-16) is not digits');

  const terminated = buf[n - 1] === RECORD_TERMINATOR;
  if (terminated) n--;
  else warnings.push({ code: 'TRUNCATED', message: 'no record terminator (0x1D) at the end' });
  if (declaredLength !== buf.length) {
    warnings.push({
      code: 'LENGTH_MISMATCH',
      message: `leader says ${declaredLength} bytes, record has ${buf.length}; directory used`,
    });
  }

  // The directory ends at the first field terminator: no directory byte can be 0x1E.
  const dirEnd = buf.indexOf(FIELD_TERMINATOR, 24);
  if (dirEnd < 0 || dirEnd >= n) {
    throw new MarcError(terminated ? 'BAD_DIRECTORY' : 'TRUNCATED', 'directory has no terminator');
  }
  if ((dirEnd - 24) % 12 !== 0) {
    throw new MarcError('BAD_DIRECTORY', `directory is ${dirEnd - 24} bytes, not a multiple of 12`);
  }
  const base = dirEnd + 1;
  if (declaredBase !== base) {
    warnings.push({
      code: 'BAD_DIRECTORY',
      message: `base address says ${declaredBase}, directory ends at ${base}; directory used`,
    });
  }

  const count = (dirEnd - 24) / 12;
  const tags = new Array<string>(count);
  const starts = new Array<number>(count);
  const ends = new Array<number>(count);
  for (let k = 0, at = 24; k < count; k++, at += 12) {
    const tag = tagAt(buf, at);
    const len = digits(buf, at + 3, 4);
    const off = digits(buf, at + 7, 5);
    if (len < 0 || off < 0) {
      throw new MarcError('BAD_DIRECTORY', `directory entry ${k + 1} (${tag}) is not digits`);
    }
    const start = base + off;
    const end = start + len;
    if (len === 0 || end > n) {
      if (!terminated && end > n) {
        throw new MarcError('TRUNCATED', `field ${tag} runs past the end of the data`);
      }
      throw new MarcError(
        'BAD_DIRECTORY',
        `field ${tag} (offset ${off}, length ${len}) points past the record`,
      );
    }
    if (buf[end - 1] !== FIELD_TERMINATOR) {
      throw new MarcError(
        'LENGTH_MISMATCH',
        `field ${tag}: ${len} bytes from offset ${off} do not end on a field terminator`,
      );
    }
    tags[k] = tag;
    starts[k] = start;
    ends[k] = end - 1;
  }
  if (count === 0) throw new MarcError('EMPTY', 'record has no fields');

  let flavour: Flavour | null =
    options.flavour && options.flavour !== 'auto' ? options.flavour : null;
  flavour ??= detectFlavour(tags, leader);
  const choice = chooseCharset(
    buf,
    base,
    n,
    declaredCharset(buf, leader, tags, starts, ends, flavour),
    options.charset ?? 'auto',
  );
  if (choice.warning) warnings.push({ code: 'BAD_ENCODING', message: choice.warning });
  const charset = choice.charset;

  const decodeWarnings: string[] = [];
  const fields: MarcField[] = new Array<MarcField>(count);
  // One decode for the whole data area, then fields are string slices: far fewer native
  // calls than a decode per field. Byte offsets become UTF-16 offsets through charIndex.
  // MARC-8 keeps its escape state per field, so it is decoded field by field.
  const whole = charset === 'marc8' ? null : decodeWhole(buf, base, n, charset);
  for (let k = 0; k < count; k++) {
    const tag = tags[k] as string;
    const start = starts[k] as number;
    const end = ends[k] as number;
    let text: string;
    let from: number;
    let to: number;
    if (whole) {
      text = whole.text;
      from = whole.index ? (whole.index[start - base] as number) : start - base;
      to = whole.index ? (whole.index[end - base] as number) : end - base;
    } else {
      text = decodeBytes(buf, start, end, charset, decodeWarnings);
      from = 0;
      to = text.length;
    }
    // danMARC2 gives 00X fields indicators and subfields; a delimiter at byte 2 tells.
    const isControl = tag < '010' && tag >= '000' && buf[start + 2] !== SUBFIELD_DELIMITER;
    fields[k] = isControl
      ? { tag, value: text.slice(from, to) }
      : dataField(tag, text, from, to, warnings);
  }
  for (const message of decodeWarnings) warnings.push({ code: 'BAD_ENCODING', message });
  return { record: { leader, fields }, flavour, charset, warnings };
}

/** A data field from `text[from, to)`: indicators, then 0x1F-delimited subfields. */
function dataField(
  tag: string,
  text: string,
  from: number,
  to: number,
  warnings: MarcWarning[],
): DataField {
  let ind1 = ' ';
  let ind2 = ' ';
  let p = from;
  if (p < to && text.charCodeAt(p) !== SUBFIELD_DELIMITER) {
    ind1 = text.charAt(p++);
    if (p < to && text.charCodeAt(p) !== SUBFIELD_DELIMITER) ind2 = text.charAt(p++);
  }
  const subfields: Subfield[] = [];
  let d = text.indexOf('\x1f', p);
  if (d < 0 || d > to) d = to;
  if (d > p && text.slice(p, d).trim() !== '') {
    warnings.push({
      code: 'BAD_DIRECTORY',
      message: `field ${tag}: text before the first subfield kept as $_`,
    });
    subfields.push({ code: '_', value: text.slice(p, d) });
  }
  while (d < to) {
    let next = text.indexOf('\x1f', d + 1);
    if (next < 0 || next > to) next = to;
    if (next > d + 1) subfields.push({ code: text.charAt(d + 1), value: text.slice(d + 2, next) });
    d = next;
  }
  return { tag, ind1, ind2, subfields };
}

let indexScratch = new Int32Array(1 << 14);

/**
 * Decodes `buf[start, end)` in one go. When characters and bytes differ, `index[i]` is the
 * UTF-16 offset of byte `start + i` (valid at character boundaries, which is where fields
 * start and end). Returns null if the count does not add up, so the caller never slices
 * at a wrong offset.
 */
function decodeWhole(
  buf: Buffer,
  start: number,
  end: number,
  charset: Exclude<Charset, 'marc8'>,
): { text: string; index: Int32Array | null } {
  const text =
    charset === 'gb18030'
      ? decodeBytes(buf, start, end, 'gb18030')
      : buf.toString(charset === 'latin1' ? 'latin1' : 'utf8', start, end);
  const length = end - start;
  if (text.length === length) {
    // Only ASCII (or Latin-1): one byte per UTF-16 unit.
    return { text, index: null };
  }
  if (indexScratch.length < length + 1) indexScratch = new Int32Array(length * 2 + 1);
  const index = indexScratch;
  let units = 0;
  if (charset === 'utf-8') {
    for (let i = 0; i < length; i++) {
      index[i] = units;
      const b = buf[start + i] as number;
      // Lead and ASCII bytes start a character; four-byte sequences are surrogate pairs.
      if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
    }
  } else {
    for (let i = 0; i < length;) {
      index[i] = units;
      const b = buf[start + i] as number;
      if (b < 0x80 || b === 0x80) {
        units++;
        i++;
        continue;
      }
      const t = buf[start + i + 1] ?? 0;
      if (t >= 0x30 && t <= 0x39) {
        // GB18030 four-byte form: lead bytes from 0x90 are outside the BMP.
        for (let j = 1; j < 4; j++) index[i + j] = units;
        units += b >= 0x90 ? 2 : 1;
        i += 4;
      } else {
        index[i + 1] = units;
        units++;
        i += 2;
      }
    }
  }
  index[length] = units;
  if (units !== text.length) {
    throw new MarcError('BAD_ENCODING', `bytes do not decode cleanly as ${charset}`);
  }
  return { text, index };
}

/** Where the record says what its character set is (MARC 21 leader/09, UNIMARC 100 $a/26-27). */
function declaredCharset(
  buf: Uint8Array,
  leader: string,
  tags: string[],
  starts: number[],
  ends: number[],
  flavour: Flavour | null,
): DeclaredCharset {
  if (flavour === 'marc21') {
    if (leader[9] === 'a') return 'utf-8';
    return leader[9] === ' ' ? 'marc8' : null;
  }
  if (flavour === 'unimarc') {
    const k = tags.indexOf('100');
    const start = starts[k] ?? 0;
    // 100 $a is fixed-length ASCII: ind1 ind2 0x1F 'a' then 36 characters.
    if (k >= 0 && buf[start + 2] === SUBFIELD_DELIMITER && buf[start + 3] === 0x61) {
      const at = start + 4 + 26;
      if (at + 2 <= (ends[k] ?? 0) && buf[at] === 0x35 && buf[at + 1] === 0x30) return 'utf-8';
    }
  }
  return null;
}

/**
 * Parses one ISO 2709 record into a MarcRecord; throws MarcError when it is broken.
 * Use decodeIso2709 to also see the charset and warnings.
 *
 * @example
 * const record = parseIso2709(readFileSync('one.mrc'));
 * subfield(field(record, '245'), 'a'); // 'How to program a computer /'
 */
export function parseIso2709(bytes: Uint8Array, options: Iso2709Options = {}): MarcRecord {
  return decodeIso2709(bytes, options).record;
}

// ---------------------------------------------------------------- streaming

function isJunk(b: number): boolean {
  // Newlines (often CRLF) between records, NUL padding, DOS EOF, stray blanks, and the
  // doubled record terminators some exporters write (the LoC sample ends with three).
  return (
    b === 0x0a || b === 0x0d || b === 0x00 || b === 0x1a || b === 0x20 || b === 0x09 || b === 0x1d
  );
}

/**
 * Whether a complete record starts at `at` and ends exactly at `limit` (the terminator
 * that ended the slice): used to split a cut record from the one that follows it. Its
 * length must land on that terminator and its base address on the directory's end, so
 * digits that happen to sit in the data do not pass.
 */
function recordStartsAt(b: Uint8Array, at: number, limit: number): boolean {
  const length = digits(b, at, 5);
  const base = digits(b, at + 12, 5);
  return (
    length >= 25 &&
    at + length === limit &&
    b[limit - 1] === RECORD_TERMINATOR &&
    base > 24 &&
    base < length &&
    (base - 25) % 12 === 0 &&
    b[at + base - 1] === FIELD_TERMINATOR
  );
}

/**
 * Reads ISO 2709 records from a byte stream with memory bounded by the largest record.
 * Records are split on 0x1D (the leader's length is used when it lands on one); junk
 * between records (CRLF, NUL padding) is skipped. A broken record is yielded as
 * `{ ok: false, position, offset, error }` and reading goes on with the next one.
 *
 * @example
 * for await (const r of readIso2709(createReadStream('export.mrc'))) {
 *   if (r.ok) index(r.record); else report(r.position, r.error.code, r.error.message);
 * }
 */
export async function* readIso2709(
  stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: Iso2709Options = {},
): AsyncGenerator<ReadResult> {
  const maxRecordBytes = options.maxRecordBytes ?? 1_000_000;
  let buf = Buffer.alloc(1 << 16);
  let start = 0; // first unread byte in buf
  let end = 0; // one past the last byte in buf
  let bufOffset = 0; // stream offset of buf[0]
  let position = 0;
  let skipping = false; // discarding up to the next 0x1D after an oversized record
  let first = true;

  const append = (chunk: Uint8Array): void => {
    const pending = end - start;
    if (end + chunk.length > buf.length) {
      if (pending + chunk.length <= buf.length && start >= buf.length >> 1) {
        buf.copy(buf, 0, start, end);
      } else {
        const next = Buffer.alloc(Math.max(buf.length * 2, pending + chunk.length));
        buf.copy(next, 0, start, end);
        buf = next;
      }
      bufOffset += start;
      start = 0;
      end = pending;
    }
    buf.set(chunk, end);
    end += chunk.length;
  };

  function* drain(eof: boolean): Generator<ReadResult> {
    for (;;) {
      if (skipping) {
        const t = buf.indexOf(RECORD_TERMINATOR, start);
        if (t < 0 || t >= end) {
          start = end;
          return;
        }
        start = t + 1;
        skipping = false;
      }
      while (start < end && isJunk(buf[start] as number)) start++;
      if (start >= end) return;
      const offset = bufOffset + start;
      let recEnd = -1;
      const declared = digits(buf, start, 5);
      if (
        declared >= 24 &&
        start + declared <= end &&
        buf[start + declared - 1] === RECORD_TERMINATOR
      ) {
        recEnd = start + declared;
      } else {
        const t = buf.indexOf(RECORD_TERMINATOR, start);
        if (t >= 0 && t < end) recEnd = t + 1;
      }
      if (recEnd < 0) {
        if (eof) {
          position++;
          const error = new MarcError(
            'TRUNCATED',
            `input ends inside a record (${end - start} bytes, no terminator)`,
          );
          start = end;
          yield { ok: false, position, offset, error };
          return;
        }
        if (end - start > maxRecordBytes) {
          position++;
          skipping = true;
          start = end;
          const error = new MarcError(
            'LENGTH_MISMATCH',
            `no record terminator within ${maxRecordBytes} bytes`,
          );
          yield { ok: false, position, offset, error };
          continue;
        }
        return; // wait for more bytes
      }
      position++;
      const result = parseSlice(buf, start, recEnd, options);
      if (result.ok) {
        const { record, charset, flavour, warnings } = result;
        // A copy as text: `buf` is reused for the following records.
        const source =
          charset === 'utf-8' && warnings.length === 0 && !buf.subarray(start, recEnd).includes(0)
            ? buf.toString('utf8', start, recEnd)
            : undefined;
        start = recEnd;
        yield {
          ok: true,
          record,
          position,
          offset,
          charset,
          flavour,
          warnings,
          ...(source === undefined ? {} : { source }),
        };
        continue;
      }
      // A record cut short swallows the next one up to its terminator; if a leader starts
      // inside, report the cut part and resume there so the next record is not lost.
      let resume = recEnd;
      for (let p = start + 1; p + 25 <= recEnd; p++) {
        if (recordStartsAt(buf, p, recEnd)) {
          resume = p;
          break;
        }
      }
      const error =
        resume < recEnd
          ? new MarcError(
              'TRUNCATED',
              `record cut short at offset ${bufOffset + resume} (${result.error.message})`,
            )
          : result.error;
      start = resume;
      yield { ok: false, position, offset, error };
    }
  }

  for await (const chunk of stream) {
    if (chunk.length === 0) continue;
    if (first) {
      first = false;
      const container = detectContainer(chunk);
      if (container === 'gzip' || container === 'marcxml') {
        const message =
          container === 'gzip'
            ? 'input is gzip-compressed; gunzip it first'
            : 'input is MARCXML, not ISO 2709';
        yield { ok: false, position: 1, offset: 0, error: new MarcError('BAD_LEADER', message) };
        return;
      }
    }
    append(chunk);
    yield* drain(false);
  }
  yield* drain(true);
  if (position === 0) {
    yield {
      ok: false,
      position: 1,
      offset: 0,
      error: new MarcError('EMPTY', 'input has no records'),
    };
  }
}

type SliceResult =
  | {
      ok: true;
      record: MarcRecord;
      charset: Charset;
      flavour: Flavour | null;
      warnings: MarcWarning[];
    }
  | { ok: false; error: MarcError };

function parseSlice(buf: Buffer, start: number, end: number, options: Iso2709Options): SliceResult {
  try {
    const d = decodeIso2709(buf.subarray(start, end), options);
    return { ok: true, ...d };
  } catch (e) {
    if (e instanceof MarcError) return { ok: false, error: e };
    throw e;
  }
}
