/**
 * The SIP2 wire format below the message types: checksums and the `AY…AZ…` trailer,
 * 18-character dates, fixed and variable fields, and framing on CR or CRLF.
 *
 * Text is handled as JS strings everywhere except at the socket and in the byte-mode
 * checksum, which needs the bytes in the wire charset.
 */
import { utcOf, wallClock, zonedInstant, type WallClock } from '../../platform/time.ts';
import { Buffer } from 'node:buffer';
import { encodeText, type Sip2Charset } from './charset.ts';

/** A reply or request that cannot be read as SIP2. */
export class Sip2ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Sip2ParseError';
  }
}

export type ChecksumMode = 'bytes' | 'codepoints';

export interface ChecksumOptions {
  readonly charset: Sip2Charset;
  readonly checksum: ChecksumMode;
}

export type Sip2Terminator = 'cr' | 'crlf';

function toHex(sum: number): string {
  return (-sum & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The 16-bit two's complement of the sum of the values, as 4 upper-case hex digits.
 *
 * @example
 * sip2Checksum(Buffer.from('941AY0AZ')); // 'FDFD'
 */
export function sip2Checksum(values: Iterable<number>): string {
  let sum = 0;
  for (const value of values) sum = (sum + value) & 0xffff;
  return toHex(sum);
}

function codePoints(text: string): number[] {
  const points: number[] = [];
  for (const ch of text) points.push(ch.codePointAt(0) as number);
  return points;
}

/**
 * The checksum of a message from its first character through `AZ`, over the bytes in
 * the wire charset (the spec's reading) or over Unicode code points (what some ACSs do).
 * The two agree for ASCII.
 *
 * @example
 * checksumOf('9300CNuser_id|COpassw0rd|AY1AZ', { charset: 'utf-8', checksum: 'bytes' }); // 'F594'
 */
export function checksumOf(throughAz: string, options: ChecksumOptions): string {
  return options.checksum === 'bytes'
    ? sip2Checksum(encodeText(throughAz, options.charset))
    : sip2Checksum(codePoints(throughAz));
}

/**
 * Which reading of the checksum, if any, a received message satisfies. Either is
 * accepted: real ACSs use both, and the SC cannot know in advance which one a peer uses.
 *
 * @example
 * verifyChecksum('1812020120230316    145800AB0230200408766|AJAnam ċara :|AQYS|CRNONFICTR|BGYS|AH20230131    235900|AY3AZ', 'E5D1', 'utf-8');
 * // 'codepoints'
 */
export function verifyChecksum(
  throughAz: string,
  checksum: string,
  charset: Sip2Charset,
): ChecksumMode | false {
  const expected = checksum.toUpperCase();
  if (checksumOf(throughAz, { charset, checksum: 'bytes' }) === expected) return 'bytes';
  if (checksumOf(throughAz, { charset, checksum: 'codepoints' }) === expected) return 'codepoints';
  return false;
}

/**
 * Appends `AY<seq>AZ<checksum>`; `sequence` null leaves out `AY` (the bare `96`/`97`).
 *
 * @example
 * appendErrorDetection('941', 0, { charset: 'utf-8', checksum: 'bytes' }); // '941AY0AZFDFD'
 * appendErrorDetection('96', null, { charset: 'utf-8', checksum: 'bytes' }); // '96AZFEF6'
 */
export function appendErrorDetection(
  body: string,
  sequence: number | null,
  options: ChecksumOptions,
): string {
  const throughAz = sequence === null ? `${body}AZ` : `${body}AY${sequence % 10}AZ`;
  return throughAz + checksumOf(throughAz, options);
}

export interface SplitTrailer {
  /** The message without `AY…AZ…`. */
  readonly body: string;
  readonly sequence: number | null;
  readonly checksum: string | null;
  /** Everything the checksum covers (the body through `AZ`); null without a checksum. */
  readonly throughAz: string | null;
}

const TRAILER = /(?:AY(\d))?AZ([0-9A-Fa-f]{4})$/;
const SEQUENCE_ONLY = /AY(\d)$/;

/**
 * Separates the error-detection trailer from a received message. A message without one
 * comes back whole, with nulls.
 *
 * @example
 * stripErrorDetection('941AY3AZFDFA'); // { body: '941', sequence: 3, checksum: 'FDFA', throughAz: '941AY3AZ' }
 */
export function stripErrorDetection(message: string): SplitTrailer {
  const match = TRAILER.exec(message);
  if (match) {
    return {
      body: message.slice(0, match.index),
      sequence: match[1] === undefined ? null : Number(match[1]),
      checksum: (match[2] as string).toUpperCase(),
      throughAz: message.slice(0, message.length - 4),
    };
  }
  const seq = SEQUENCE_ONLY.exec(message);
  if (seq) {
    return {
      body: message.slice(0, seq.index),
      sequence: Number(seq[1]),
      checksum: null,
      throughAz: null,
    };
  }
  return { body: message, sequence: null, checksum: null, throughAz: null };
}

// ---------------------------------------------------------------------------------------
// Dates

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A SIP2 date, `YYYYMMDDZZZZHHMMSS`, as wall-clock time in the library's zone with ZZZZ
 * blank ("local time", which is what ACSs and self-check machines expect).
 *
 * @example
 * formatSip2Date(new Date('2026-03-01T02:03:04Z'), 'Asia/Shanghai'); // '20260301    100304'
 */
export function formatSip2Date(date: Date, timeZone: string): string {
  const w = wallClock(date.getTime(), timeZone);
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}    ${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** 18 spaces: an empty date field (no nb due date, no return date). */
export const BLANK_SIP2_DATE = ' '.repeat(18);

const UTC_ZONES = new Set(['Z', 'UTC', 'GMT', 'UT']);

function validWall(w: WallClock): boolean {
  return (
    w.month >= 1 &&
    w.month <= 12 &&
    w.day >= 1 &&
    w.day <= 31 &&
    w.hour <= 23 &&
    w.minute <= 59 &&
    w.second <= 60
  );
}

/**
 * Reads a SIP2 date, or null when blank or unreadable. Blank ZZZZ and named zones are
 * wall-clock time in `timeZone` (abbreviations such as `CST` are ambiguous, and the ACS
 * sits in the library); `   Z`, `UTC` and `GMT` are UTC. Due dates (`AH`) come in looser
 * shapes from some ILSs, so 14 digits, `YYYYMMDD` (end of that day) and ISO 8601 are read too.
 *
 * @example
 * parseSip2Date('20060102    084238', 'Asia/Shanghai')?.toISOString(); // '2006-01-02T00:42:38.000Z'
 * parseSip2Date('20180508   Z214544', 'Asia/Shanghai')?.toISOString(); // '2018-05-08T21:45:44.000Z'
 */
export function parseSip2Date(text: string, timeZone: string): Date | null {
  const value = text.trim();
  if (value === '') return null;
  let match = /^(\d{4})(\d{2})(\d{2})(.{4})(\d{2})(\d{2})(\d{2})$/.exec(text.trimStart());
  let w: WallClock | undefined;
  let utc = false;
  if (match) {
    w = {
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: Number(match[5]),
      minute: Number(match[6]),
      second: Number(match[7]),
    };
    utc = UTC_ZONES.has((match[4] as string).trim().toUpperCase());
  } else if ((match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value))) {
    w = {
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: Number(match[4]),
      minute: Number(match[5]),
      second: Number(match[6]),
    };
  } else if ((match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value))) {
    w = {
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: 23,
      minute: 59,
      second: 59,
    };
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : new Date(ms);
  }
  if (!w || !validWall(w)) return null;
  return new Date(utc ? utcOf(w) : zonedInstant(w, timeZone));
}

// ---------------------------------------------------------------------------------------
// Fields

/** A variable field: two-character code and value, in the order received. */
export type Sip2Field = readonly [code: string, value: string];

export interface RawMessage {
  /** The two-character command code (`63`, `64` …). */
  readonly code: string;
  /** The fixed-length part after the code. */
  readonly fixed: string;
  readonly fields: readonly Sip2Field[];
}

/**
 * Splits a message body (trailer already removed) into code, fixed part and variable
 * fields. Repeated fields stay in order; a missing final `|` and empty segments are
 * tolerated, since ACSs differ there.
 *
 * @example
 * splitMessage('36Y19980723    110658AOinst|AAP1|AFone|AFtwo', 19).fields;
 * // [['AO', 'inst'], ['AA', 'P1'], ['AF', 'one'], ['AF', 'two']]
 */
export function splitMessage(body: string, fixedLength: number): RawMessage {
  if (body.length < 2 + fixedLength) {
    throw new Sip2ParseError(
      `message ${JSON.stringify(body.slice(0, 40))} is shorter than its fixed part (${fixedLength} characters after the code)`,
    );
  }
  const fields: Sip2Field[] = [];
  const variable = body.slice(2 + fixedLength);
  if (variable !== '') {
    for (const segment of variable.split('|')) {
      if (segment.length >= 2) fields.push([segment.slice(0, 2), segment.slice(2)]);
      else if (segment !== '')
        throw new Sip2ParseError(`malformed field ${JSON.stringify(segment)}`);
    }
  }
  return { code: body.slice(0, 2), fixed: body.slice(2, 2 + fixedLength), fields };
}

/** Field values cannot hold the delimiter or a line end; they would break the frame. */
function clean(value: string): string {
  return value.replace(/[|\r\n]/g, ' ');
}

/**
 * Joins a message from its parts: each field becomes `XXvalue|`.
 *
 * @example
 * joinMessage('93', '00', [['CN', 'user_id'], ['CO', 'passw0rd']]); // '9300CNuser_id|COpassw0rd|'
 */
export function joinMessage(code: string, fixed: string, fields: readonly Sip2Field[]): string {
  let text = code + fixed;
  for (const [fieldCode, value] of fields) text += `${fieldCode}${clean(value)}|`;
  return text;
}

// ---------------------------------------------------------------------------------------
// Framing

const CR = 0x0d;
const LF = 0x0a;

/** 64 KB: far above any real SIP2 message; a peer sending more is broken or hostile. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Cuts a byte stream into messages at CR, LF or CRLF (whatever the peer writes), without
 * decoding: GBK, GB18030 and UTF-8 never use 0x0D or 0x0A inside a character.
 *
 * @example
 * const framer = new Sip2Framer();
 * framer.push(Buffer.from('941\r\n98YY')); // [<Buffer 39 34 31>]
 */
export class Sip2Framer {
  readonly #maxBytes: number;
  #pending: Buffer = Buffer.alloc(0);

  constructor(maxBytes: number = MAX_MESSAGE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** Complete messages in the data so far; throws Sip2ParseError when one grows too long. */
  push(chunk: Uint8Array): Buffer[] {
    const data =
      this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const messages: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      if (b === CR || b === LF) {
        if (i > start) messages.push(data.subarray(start, i));
        start = i + 1;
      }
    }
    this.#pending = data.subarray(start);
    if (this.#pending.length > this.#maxBytes) {
      this.#pending = Buffer.alloc(0);
      throw new Sip2ParseError(`a message exceeded ${this.#maxBytes} bytes without a terminator`);
    }
    for (const message of messages) {
      if (message.length > this.#maxBytes) {
        throw new Sip2ParseError(`a message exceeded ${this.#maxBytes} bytes`);
      }
    }
    return messages;
  }
}

/**
 * A message as bytes on the wire: encoded in the charset, terminated by CR or CRLF.
 *
 * @example
 * encodeFrame('9900302.00', 'utf-8', 'crlf'); // <Buffer 39 39 … 0d 0a>
 */
export function encodeFrame(
  message: string,
  charset: Sip2Charset,
  terminator: Sip2Terminator,
): Buffer {
  return Buffer.concat([
    encodeText(message, charset),
    Buffer.from(terminator === 'crlf' ? '\r\n' : '\r'),
  ]);
}
