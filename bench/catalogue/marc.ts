/**
 * A small ISO 2709 writer and reader (UTF-8). Record length, base address and
 * directory lengths/offsets are counted in bytes, as the standard requires.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const FT = '\x1e'; // field terminator
export const RT = '\x1d'; // record terminator
export const SF = '\x1f'; // subfield delimiter

export type Subfields = ReadonlyArray<readonly [code: string, value: string]>;

export interface MarcField {
  tag: string;
  /** control field (00X) value */
  value?: string;
  /** two indicator characters for data fields */
  ind?: string;
  subfields?: Subfields;
}

const pad = (n: number, w: number): string => {
  const s = String(n);
  if (s.length > w) throw new Error(`ISO 2709: ${n} does not fit in ${w} digits`);
  return '0'.repeat(w - s.length) + s;
};

/**
 * Encodes one record. `leader` is 24 characters; positions 0-4 (record length)
 * and 12-16 (base address of data) are filled in here.
 */
export function encodeRecord(leader: string, fields: readonly MarcField[]): Buffer {
  if (leader.length !== 24) throw new Error('leader must be 24 characters');
  let dir = '';
  let data = '';
  let offset = 0;
  for (const f of fields) {
    let body: string;
    if (f.subfields) {
      body = f.ind ?? '  ';
      for (const [code, value] of f.subfields) body += SF + code + value;
    } else body = f.value ?? '';
    body += FT;
    const len = Buffer.byteLength(body, 'utf8');
    dir += f.tag + pad(len, 4) + pad(offset, 5);
    data += body;
    offset += len;
  }
  const base = 24 + dir.length + 1;
  const total = base + offset + 1;
  const head = pad(total, 5) + leader.slice(5, 12) + pad(base, 5) + leader.slice(17);
  const buf = Buffer.from(head + dir + FT + data + RT, 'utf8');
  if (buf.length !== total) throw new Error('ISO 2709: length mismatch (non-ASCII in leader?)');
  return buf;
}

export interface ParsedRecord {
  leader: string;
  fields: Array<{ tag: string; value: string }>;
}

/** Decodes one record (data fields keep indicators and the raw \x1f delimiters). */
export function decodeRecord(buf: Buffer): ParsedRecord {
  const leader = buf.toString('latin1', 0, 24);
  const base = Number(leader.slice(12, 17));
  const fields: ParsedRecord['fields'] = [];
  for (let p = 24; p + 12 <= base - 1; p += 12) {
    const entry = buf.toString('latin1', p, p + 12);
    const len = Number(entry.slice(3, 7));
    const start = Number(entry.slice(7, 12));
    fields.push({
      tag: entry.slice(0, 3),
      value: buf.toString('utf8', base + start, base + start + len - 1),
    });
  }
  return { leader, fields };
}

export function subfield(value: string, code: string): string | undefined {
  for (const part of value.split(SF).slice(1)) if (part[0] === code) return part.slice(1);
  return undefined;
}

/** Streams the raw records of an ISO 2709 file (each a Buffer), up to `limit`. */
export function* readMarcRecords(file: string, limit = Infinity): Generator<Buffer> {
  const fd = openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(8 << 20);
  let pending = Buffer.alloc(0);
  let n = 0;
  try {
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null);
      pending = pending.length
        ? Buffer.concat([pending, chunk.subarray(0, got)])
        : Buffer.from(chunk.subarray(0, got));
      let p = 0;
      while (p + 5 <= pending.length && n < limit) {
        const len = Number(pending.toString('latin1', p, p + 5));
        if (!Number.isInteger(len) || len < 26) throw new Error(`bad ISO 2709 length at ${p}`);
        if (p + len > pending.length) break;
        yield pending.subarray(p, p + len);
        n++;
        p += len;
      }
      pending = pending.subarray(p);
      if (n >= limit || got === 0) break;
    }
    if (n < limit && pending.length > 0) throw new Error('truncated ISO 2709 file');
  } finally {
    closeSync(fd);
  }
}

/** MARC21 has leader/20-23 '4500'; UNIMARC '450 '. */
export function isUnimarc(record: Buffer): boolean {
  return record[23] === 0x20;
}
