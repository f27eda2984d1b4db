/**
 * MARCXML reading (MARC21/slim; UNIMARC uses the same schema). A byte-level scanner cuts
 * the stream into `<record>` elements — any prefix, any namespace, so SRU/OAI-PMH wrappers
 * and `marc:` prefixes all work — and each record is decoded and parsed on its own, so
 * memory stays at one record and a bad record costs only itself. No DTD is ever read:
 * a DOCTYPE or ENTITY declaration is refused.
 */
import { asBuffer } from './charset.ts';
import { detectFlavour } from './detect.ts';
import { MarcError, type Charset, type MarcWarning, type ReadResult } from './errors.ts';
import type { MarcField, MarcRecord, Subfield } from './record.ts';

const LT = 0x3c;

export interface MarcXmlOptions {
  /** Give up on a `<record>` that has not ended after this many bytes (default 4 MB). */
  maxRecordBytes?: number;
}

// ---------------------------------------------------------------- one record

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]{1,10});/g, (_, name: string) => {
    if (name.startsWith('#')) {
      const cp =
        name[1] === 'x' || name[1] === 'X'
          ? parseInt(name.slice(2), 16)
          : parseInt(name.slice(1), 10);
      if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw new MarcError('BAD_XML', `bad character reference &${name};`);
      }
      return String.fromCodePoint(cp);
    }
    const value = ENTITIES[name];
    if (value === undefined) throw new MarcError('BAD_XML', `undefined entity &${name};`);
    return value;
  });
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function parseAttributes(source: string): Map<string, string> {
  const attrs = new Map<string, string>();
  ATTR.lastIndex = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = ATTR.exec(source)) !== null) {
    if (source.slice(consumed, m.index).trim() !== '')
      throw new MarcError('BAD_XML', 'malformed attributes');
    attrs.set(localName(m[1] as string), unescape(m[2] ?? m[3] ?? ''));
    consumed = ATTR.lastIndex;
  }
  if (source.slice(consumed).trim() !== '') throw new MarcError('BAD_XML', 'malformed attributes');
  return attrs;
}

/**
 * Parses the text of one MARCXML `<record>` element (prefix and namespace ignored).
 * Throws MarcError('BAD_XML') when it is not well-formed, uses an undefined entity or
 * declares a DOCTYPE/ENTITY; MarcError('EMPTY') for a record with no leader and no field.
 *
 * @example
 * parseMarcXmlRecord('<record><leader>00000nam a2200000 a 4500</leader>' +
 *   '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Arithmetic</subfield></datafield></record>');
 */
export function parseMarcXmlRecord(xml: string, warnings: MarcWarning[] = []): MarcRecord {
  let leader: string | null = null;
  let fields: MarcField[] = [];
  const stack: string[] = [];
  let depthOfRecord = -1; // stack depth at which the current <record> element sits
  let text = '';
  let capture = false;
  let current: { tag: string; ind1: string; ind2: string; subfields: Subfield[] } | null = null;
  let controlTag: string | null = null;
  let subCode: string | null = null;
  let done = false;

  let i = 0;
  while (i < xml.length && !done) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      if (xml.slice(i).trim() !== '') throw new MarcError('BAD_XML', 'text after the record');
      break;
    }
    if (capture) text += unescape(xml.slice(i, lt));
    if (xml.startsWith('<!--', lt)) {
      const e = xml.indexOf('-->', lt + 4);
      if (e < 0) throw new MarcError('BAD_XML', 'unterminated comment');
      i = e + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const e = xml.indexOf(']]>', lt + 9);
      if (e < 0) throw new MarcError('BAD_XML', 'unterminated CDATA section');
      if (capture) text += xml.slice(lt + 9, e);
      i = e + 3;
      continue;
    }
    if (xml.startsWith('<!', lt))
      throw new MarcError('BAD_XML', 'DOCTYPE/ENTITY declarations are refused');
    if (xml.startsWith('<?', lt)) {
      const e = xml.indexOf('?>', lt + 2);
      if (e < 0) throw new MarcError('BAD_XML', 'unterminated processing instruction');
      i = e + 2;
      continue;
    }
    const gt = findTagEnd(xml, lt + 1);
    if (gt < 0) throw new MarcError('BAD_XML', 'unterminated tag');
    i = gt + 1;
    if (xml[lt + 1] === '/') {
      const name = xml.slice(lt + 2, gt).trim();
      const open = stack.pop();
      if (open !== name) throw new MarcError('BAD_XML', `</${name}> closes <${open ?? ''}>`);
      if (depthOfRecord < 0) continue;
      const local = localName(name);
      const level = stack.length - depthOfRecord; // of the element just closed
      if (level === 0) {
        done = local === 'record';
      } else if (level === 1) {
        if (local === 'leader') leader = text;
        else if (local === 'controlfield' && controlTag !== null)
          fields.push({ tag: controlTag, value: text });
        else if (local === 'datafield' && current) {
          fields.push(current);
          current = null;
        }
      } else if (level === 2 && local === 'subfield' && current && subCode !== null) {
        current.subfields.push({ code: subCode, value: text });
      }
      capture = false;
      text = '';
      continue;
    }
    const selfClosing = xml[gt - 1] === '/';
    const inner = xml.slice(lt + 1, selfClosing ? gt - 1 : gt);
    const nameEnd = inner.search(/[\s]/);
    const name = nameEnd < 0 ? inner : inner.slice(0, nameEnd);
    if (name === '') throw new MarcError('BAD_XML', 'empty tag name');
    const local = localName(name);
    const attrs = nameEnd < 0 ? new Map<string, string>() : parseAttributes(inner.slice(nameEnd));
    if (local === 'record') {
      // A record inside a record is a wrapper's (SRU's zs:record around MARC's record):
      // the innermost one is the MARC record.
      leader = null;
      fields = [];
      current = null;
      if (selfClosing) {
        done = true;
        continue;
      }
      depthOfRecord = stack.length;
      stack.push(name);
      continue;
    }
    if (depthOfRecord < 0) {
      if (!selfClosing) stack.push(name);
      continue;
    }
    const level = stack.length - depthOfRecord; // 1: child of record; 2: child of datafield
    if (!selfClosing) stack.push(name);
    text = '';
    capture = false;
    if (level === 1) {
      if (local === 'leader') capture = true;
      else if (local === 'controlfield') {
        controlTag = attrs.get('tag') ?? null;
        if (controlTag === null)
          warnings.push({ code: 'BAD_XML', message: 'controlfield without tag dropped' });
        capture = true;
      } else if (local === 'datafield') {
        const tag = attrs.get('tag');
        if (tag === undefined) {
          warnings.push({ code: 'BAD_XML', message: 'datafield without tag dropped' });
          current = null;
        } else {
          current = {
            tag,
            ind1: indicator(attrs.get('ind1')),
            ind2: indicator(attrs.get('ind2')),
            subfields: [],
          };
          if (selfClosing) {
            fields.push(current);
            current = null;
          }
        }
      }
      if (selfClosing && capture) {
        // <leader/>, <controlfield tag="001"/>: empty values
        if (local === 'leader') leader = '';
        else if (controlTag !== null) fields.push({ tag: controlTag, value: '' });
        capture = false;
      }
    } else if (level === 2 && local === 'subfield' && current) {
      subCode = attrs.get('code') ?? null;
      if (subCode === null)
        warnings.push({ code: 'BAD_XML', message: `subfield without code in ${current.tag}` });
      if (selfClosing) {
        if (subCode !== null) current.subfields.push({ code: subCode, value: '' });
      } else {
        capture = true;
      }
    }
  }
  if (!done) throw new MarcError('BAD_XML', 'record element not closed');
  if (leader === null && fields.length === 0)
    throw new MarcError('EMPTY', 'record has no leader and no fields');
  if (leader === null) {
    warnings.push({ code: 'BAD_LEADER', message: 'no leader; blank leader used' });
    leader = '';
  }
  if (leader.length !== 24) {
    if (leader !== '')
      warnings.push({
        code: 'BAD_LEADER',
        message: `leader is ${leader.length} characters, not 24`,
      });
    leader = leader.padEnd(24, ' ').slice(0, 24);
  }
  return { leader, fields };
}

/** MARCXML writes blank indicators as ' ' (sometimes '' or absent); keep one character. */
function indicator(value: string | undefined): string {
  return value && value.length > 0 ? (value[0] as string) : ' ';
}

/** Index of the '>' closing a tag that starts at `from`, skipping quoted attribute values. */
function findTagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
    else if (c === '<') return -1;
  }
  return -1;
}

// ---------------------------------------------------------------- streaming

const ENCODINGS: Record<string, Charset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  gb18030: 'gb18030',
  cp936: 'gb18030',
  'iso-8859-1': 'latin1',
  'iso8859-1': 'latin1',
  latin1: 'latin1',
};

/** The encoding an XML declaration names; null when it names one we cannot read. */
function declaredEncoding(head: string): Charset | null {
  const m = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(head);
  if (!m) return 'utf-8';
  return ENCODINGS[(m[1] as string).toLowerCase()] ?? null;
}

function decoderFor(charset: Charset): (b: Uint8Array) => string {
  if (charset === 'latin1') return (b) => asBuffer(b).toString('latin1');
  const d = new TextDecoder(charset === 'gb18030' ? 'gb18030' : 'utf-8', { fatal: true });
  return (b) => d.decode(b);
}

function isNameByte(b: number): boolean {
  return (
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x5f ||
    b === 0x2d ||
    b === 0x2e ||
    b >= 0x80
  );
}

const RECORD_END = Buffer.from('record>');

/**
 * Reads MARCXML records from a byte stream: `<collection>` files, bare `<record>`s,
 * concatenated documents, and SRU/OAI-PMH responses (the innermost `<record>` is taken).
 * Yields one ReadResult per record; a broken record is reported and skipped. A DOCTYPE
 * or ENTITY declaration outside a record stops the input with one BAD_XML result.
 *
 * @example
 * for await (const r of readMarcXml(createReadStream('collection.xml'))) {
 *   if (r.ok) index(r.record); else report(r.position, r.error.code);
 * }
 */
export async function* readMarcXml(
  stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: MarcXmlOptions = {},
): AsyncGenerator<ReadResult> {
  const maxRecordBytes = options.maxRecordBytes ?? 4_000_000;
  let buf = Buffer.alloc(1 << 16);
  let start = 0;
  let end = 0;
  let bufOffset = 0;
  let position = 0;
  let charset: Charset | undefined;
  let decode: (b: Uint8Array) => string = decoderFor('utf-8');
  let stopped = false;
  let sawElement = false;

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

  const at = (s: string, p: number): boolean => {
    for (let k = 0; k < s.length; k++) if (buf[p + k] !== s.charCodeAt(k)) return false;
    return true;
  };
  const find = (s: string, from: number): number => {
    const p = buf.indexOf(s, from, 'latin1');
    return p >= 0 && p + s.length <= end ? p : -1;
  };

  /** The end (exclusive) of the closing tag of the record whose start tag ends at `from`. */
  const findRecordEnd = (from: number): number => {
    let p = from;
    for (;;) {
      const q = buf.indexOf(RECORD_END, p);
      if (q < 0 || q + RECORD_END.length > end) return -1;
      let k = q - 1;
      if (buf[k] === 0x3a) {
        k--;
        while (k > from && isNameByte(buf[k] as number)) k--;
      }
      if (buf[k] === 0x2f && buf[k - 1] === LT) return q + RECORD_END.length;
      p = q + 1;
    }
  };

  function* drain(eof: boolean): Generator<ReadResult> {
    while (!stopped) {
      if (charset === undefined) {
        if (end - start < 200 && !eof) return;
        let s = start;
        if (buf[s] === 0xfe || buf[s] === 0xff) {
          stopped = true;
          yield fail('BAD_XML', 'UTF-16 MARCXML is not supported', bufOffset + s);
          return;
        }
        if (at('\xef\xbb\xbf', s)) s += 3;
        const found = declaredEncoding(buf.toString('latin1', s, Math.min(end, s + 200)));
        if (found === null) {
          stopped = true;
          yield fail('BAD_XML', 'unsupported XML encoding declaration', bufOffset + s);
          return;
        }
        charset = found;
        decode = decoderFor(found);
        start = s;
      }
      const lt = buf.indexOf(LT, start);
      if (lt < 0 || lt >= end) {
        start = end;
        return;
      }
      start = lt;
      // Top level: skip declarations, comments, end tags and non-record elements.
      if (at('<?', lt) || at('<!--', lt) || at('<![CDATA[', lt)) {
        const close = at('<?', lt) ? '?>' : at('<!--', lt) ? '-->' : ']]>';
        const e = find(close, lt + 2);
        if (e < 0) {
          if (eof) {
            stopped = true;
            yield fail('BAD_XML', 'input ends inside a declaration or comment', bufOffset + lt);
          }
          return;
        }
        start = e + close.length;
        continue;
      }
      if (at('<!', lt)) {
        stopped = true;
        yield fail('BAD_XML', 'DOCTYPE/ENTITY declarations are refused', bufOffset + lt);
        return;
      }
      let nameEnd = lt + 1;
      while (nameEnd < end && (isNameByte(buf[nameEnd] as number) || buf[nameEnd] === 0x3a))
        nameEnd++;
      if (nameEnd >= end && !eof) return;
      const name = buf.toString('latin1', lt + 1, nameEnd);
      // End tags at this level belong to wrappers (collection, SRU, OAI-PMH): skipped.
      const isRecord = name === 'record' || name.endsWith(':record');
      const gt = buf.indexOf(0x3e, nameEnd);
      if (gt < 0 || gt >= end) {
        if (eof) {
          stopped = true;
          yield failRecord('TRUNCATED', 'input ends inside a tag', bufOffset + lt);
        }
        return;
      }
      sawElement = true;
      if (!isRecord) {
        start = gt + 1;
        continue;
      }
      const recEnd = buf[gt - 1] === 0x2f ? gt + 1 : findRecordEnd(gt + 1);
      if (recEnd < 0) {
        if (eof) {
          stopped = true;
          yield failRecord('TRUNCATED', 'input ends inside a record', bufOffset + lt);
          return;
        }
        if (end - lt > maxRecordBytes) {
          // Give up on this record: skip past its start tag and look for the next one.
          start = gt + 1;
          yield failRecord(
            'LENGTH_MISMATCH',
            `record not closed within ${maxRecordBytes} bytes`,
            bufOffset + lt,
          );
          continue;
        }
        return;
      }
      const offset = bufOffset + lt;
      start = recEnd;
      let text: string;
      try {
        text = decode(buf.subarray(lt, recEnd));
      } catch {
        yield failRecord('BAD_ENCODING', `bytes are not valid ${charset}`, offset);
        continue;
      }
      position++;
      const warnings: MarcWarning[] = [];
      try {
        const record = parseMarcXmlRecord(text, warnings);
        const flavour = detectFlavour(
          record.fields.map((f) => f.tag),
          record.leader,
        );
        yield { ok: true, record, position, offset, charset, flavour, warnings };
      } catch (e) {
        if (!(e instanceof MarcError)) throw e;
        yield { ok: false, position, offset, error: e };
      }
    }
  }

  /** A failure of the input rather than of one record: reported at the next position. */
  function fail(code: MarcError['code'], message: string, offset: number): ReadResult {
    return { ok: false, position: position + 1, offset, error: new MarcError(code, message) };
  }
  function failRecord(code: MarcError['code'], message: string, offset: number): ReadResult {
    position++;
    return { ok: false, position, offset, error: new MarcError(code, message) };
  }

  for await (const chunk of stream) {
    if (stopped) break;
    if (chunk.length === 0) continue;
    append(chunk);
    yield* drain(false);
  }
  if (!stopped) yield* drain(true);
  if (!stopped && position === 0) {
    yield {
      ok: false,
      position: 1,
      offset: 0,
      error: new MarcError(
        'EMPTY',
        sawElement ? 'no <record> element in the input' : 'input has no XML',
      ),
    };
  }
}
