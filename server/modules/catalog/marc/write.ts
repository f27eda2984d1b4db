/**
 * ISO 2709 writing: the inverse of iso2709.ts, used for exports, test fixtures and the
 * throughput check. Lengths are counted in the bytes of the chosen encoding.
 */
import { MarcError } from './errors.ts';
import { isDataField, type MarcRecord } from './record.ts';

export interface SerializeOptions {
  /** Encodes field text; UTF-8 by default. Delimiters are added as single bytes. */
  encode?: (text: string) => Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * Serialises a record to ISO 2709 bytes, recomputing the leader's record length and
 * base address (other leader positions are kept). Throws MarcError('LENGTH_MISMATCH')
 * when the record cannot fit ISO 2709's limits (99,999-byte record, 9,999-byte field).
 *
 * @example
 * const bytes = serializeIso2709({ leader: '00000nam0 2200000   450 ', fields: [{ tag: '001', value: 'cn1' }] });
 * parseIso2709(bytes).fields[0]; // { tag: '001', value: 'cn1' }
 */
export function serializeIso2709(record: MarcRecord, options: SerializeOptions = {}): Uint8Array {
  const encode = options.encode ?? ((s: string) => utf8.encode(s));
  const bodies: Uint8Array[] = [];
  for (const f of record.fields) {
    const text = isDataField(f)
      ? f.ind1 + f.ind2 + f.subfields.map((s) => '\x1f' + s.code + s.value).join('') + '\x1e'
      : f.value + '\x1e';
    const body = encode(text);
    if (body.length > 9999)
      throw new MarcError('LENGTH_MISMATCH', `field ${f.tag} is over 9999 bytes`);
    bodies.push(body);
  }
  const base = 24 + record.fields.length * 12 + 1;
  const dataLength = bodies.reduce((n, b) => n + b.length, 0);
  const total = base + dataLength + 1;
  if (total > 99_999)
    throw new MarcError('LENGTH_MISMATCH', `record is ${total} bytes, over 99999`);
  const out = new Uint8Array(total);
  const leader = (
    String(total).padStart(5, '0') +
    record.leader.padEnd(24, ' ').slice(5, 12) +
    String(base).padStart(5, '0') +
    record.leader.padEnd(24, ' ').slice(17, 24)
  ).slice(0, 24);
  for (let i = 0; i < 24; i++) out[i] = leader.charCodeAt(i) & 0xff;
  let dir = 24;
  let offset = 0;
  let data = base;
  record.fields.forEach((f, k) => {
    const body = bodies[k] as Uint8Array;
    const entry =
      f.tag.padEnd(3, ' ').slice(0, 3) +
      String(body.length).padStart(4, '0') +
      String(offset).padStart(5, '0');
    for (let i = 0; i < 12; i++) out[dir + i] = entry.charCodeAt(i) & 0xff;
    dir += 12;
    out.set(body, data);
    data += body.length;
    offset += body.length;
  });
  out[dir] = 0x1e;
  out[total - 1] = 0x1d;
  return out;
}

const XML_ESCAPES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
};

/** Control characters other than tab, LF and CR are not allowed in XML 1.0: dropped. */
function dropControls(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      let out = '';
      for (let j = 0; j < s.length; j++) {
        const d = s.charCodeAt(j);
        if (d >= 0x20 || d === 0x09 || d === 0x0a || d === 0x0d) out += s[j];
      }
      return out;
    }
  }
  return s;
}

function escapeXml(s: string): string {
  return dropControls(s).replace(/[<>&"]/g, (c) => XML_ESCAPES[c] as string);
}

/**
 * One record as a MARCXML `<record>` element (MARC21/slim namespace, used for UNIMARC
 * too), for SRU answers and exports; wrap several in `<collection>` yourself.
 *
 * @example
 * serializeMarcXml({ leader: '00000nam a2200000 a 4500', fields: [{ tag: '001', value: 'x' }] });
 * // '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>…</leader><controlfield tag="001">x</controlfield></record>'
 */
export function serializeMarcXml(record: MarcRecord): string {
  let out = `<record xmlns="http://www.loc.gov/MARC21/slim"><leader>${escapeXml(record.leader)}</leader>`;
  for (const f of record.fields) {
    if (!isDataField(f)) {
      out += `<controlfield tag="${escapeXml(f.tag)}">${escapeXml(f.value)}</controlfield>`;
      continue;
    }
    out += `<datafield tag="${escapeXml(f.tag)}" ind1="${escapeXml(f.ind1)}" ind2="${escapeXml(f.ind2)}">`;
    for (const s of f.subfields) {
      out += `<subfield code="${escapeXml(s.code)}">${escapeXml(s.value)}</subfield>`;
    }
    out += '</datafield>';
  }
  return out + '</record>';
}
