import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MarcError, type ReadResult } from './errors.ts';
import {
  CN_BOOKS,
  cnmarcFile,
  cnmarcRecord,
  concat,
  encodeGbk,
  gbkCountedInCharacters,
} from './fixtures/cnmarc.ts';
import { decodeIso2709, parseIso2709, readIso2709 } from './iso2709.ts';
import { readMarcXml } from './marcxml.ts';
import { controlValue, field, formatField, subfield, type MarcRecord } from './record.ts';
import { chunks, collect, fixture, outcomes } from './testing.ts';
import { serializeIso2709 } from './write.ts';

function records(results: ReadResult[]): MarcRecord[] {
  return results.flatMap((r) => (r.ok ? [r.record] : []));
}

/** Field text without the leader: lengths differ between ISO 2709 and MARCXML copies. */
function text(record: MarcRecord): string[] {
  return record.fields.map(formatField);
}

describe('readIso2709 on the Library of Congress sample (idzebra-2.0-examples)', () => {
  it('reads all 24 records, MARC-8 and the danMARC2 Latin-1 one, at any chunk size', async () => {
    const bytes = fixture('loc-sample-marc.mrc');
    for (const size of [bytes.length, 4096, 7, 1]) {
      const results = await collect(readIso2709(chunks(bytes, size)));
      expect(outcomes(results)).toEqual(Array(24).fill('ok'));
      expect(results.map((r) => r.position)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    }
  });

  it('reports byte offsets that agree with the leaders', async () => {
    const results = await collect(readIso2709(chunks(fixture('loc-sample-marc.mrc'), 100)));
    let expected = 0;
    for (const r of results) {
      expect(r.offset).toBe(expected);
      if (r.ok) expected += Number(r.record.leader.slice(0, 5));
    }
  });

  it('decodes the DLC records as MARC-8 with their fields intact', async () => {
    const [first, , third] = records(
      await collect(readIso2709(chunks(fixture('loc-sample-marc.mrc')))),
    );
    expect(first?.leader).toBe('00366nam  22001698a 4500');
    expect(controlValue(first!, '001')).toBe('   11224466 ');
    expect(formatField(field(first!, '245')!)).toBe('245 10 $a How to program a computer');
    expect(subfield(field(third!, '650'), 'x')).toBe('Data processing');
    const all = await collect(readIso2709(chunks(fixture('loc-sample-marc.mrc'))));
    expect(
      all.slice(0, 23).every((r) => r.ok && r.charset === 'marc8' && r.warnings.length === 0),
    ).toBe(true);
  });

  it('reads the danMARC2 record as Latin-1 with a warning, and its 00X data fields', async () => {
    const last = (await collect(readIso2709(chunks(fixture('loc-sample-marc.mrc'))))).at(-1)!;
    expect(last.ok).toBe(true);
    if (!last.ok) return;
    expect(last.charset).toBe('latin1');
    expect(last.warnings.map((w) => w.code)).toEqual(['BAD_ENCODING']);
    expect(subfield(field(last.record, '245'), 'a')).toBe('Strækøvelser');
    expect(subfield(field(last.record, '260'), 'b')).toBe('Clausen bøger');
    // danMARC2 gives 001 indicators and subfields: kept as a data field.
    expect(formatField(field(last.record, '001')!)).toBe('001 00 $a D000015937');
  });

  it('reads it as Latin-1 without a warning when told to', async () => {
    const bytes = fixture('loc-sample-marc.mrc');
    const results = await collect(readIso2709(chunks(bytes), { charset: 'latin1' }));
    const last = results.at(-1)!;
    expect(last.ok && last.charset === 'latin1' && last.warnings.length === 0).toBe(true);
  });
});

describe('MARC-8 against independent copies of the same records', () => {
  it('decodes ANSEL diacritics to the NFC text of the MARCXML originals', async () => {
    // loc-namemrc-marc8.mrc is collection-namemrc.xml converted by yaz-marcdump to MARC-8.
    const xml = records(await collect(readMarcXml(chunks(fixture('collection-namemrc.xml')))));
    const marc8 = await collect(readIso2709(chunks(fixture('loc-namemrc-marc8.mrc'), 512)));
    expect(marc8).toHaveLength(20);
    expect(marc8.every((r) => r.ok && r.charset === 'marc8')).toBe(true);
    // MARC-8 has no ħ, Ħ or ʿ (U+0127, U+0126, U+02BF; LC's ayn is U+02BB): yaz drops
    // them when writing MARC-8, so the MARC-8 copy cannot have them.
    const expected = xml.map((r) => text(r).map((t) => t.normalize('NFC').replace(/[ħĦʿ]/g, '')));
    expect(records(marc8).map(text)).toEqual(expected);
    const all = records(marc8).flatMap(text);
    expect(all).toContain('670    $a Kåreland, L. Möte med barnlitteraturen, c1980.');
    expect(all.join('\n')).toContain('Museum of Comparative Zoölogy');
  });

  it('decodes EACC (CJK) escapes to the same text as the UTF-8 originals', async () => {
    const xml = records(await collect(readMarcXml(chunks(fixture('cn-marc21.xml')))));
    const marc8 = await collect(readIso2709(chunks(fixture('cn-marc21-marc8.mrc'), 300)));
    expect(marc8.every((r) => r.ok && r.charset === 'marc8' && r.warnings.length === 0)).toBe(true);
    expect(records(marc8).map(text)).toEqual(xml.map(text));
    expect(subfield(field(records(marc8)[8]!, '245'), 'a')).toBe('三体 /');
  });
});

describe('UNIMARC and CNMARC', () => {
  it('reads the BnF UNIMARC record from marcjs as UTF-8 (100 $a/26-27 = 50)', () => {
    const d = decodeIso2709(fixture('bnf-bib-one.mrc'));
    expect(d.flavour).toBe('unimarc');
    expect(d.charset).toBe('utf-8');
    expect(d.warnings).toEqual([]);
    expect(formatField(field(d.record, '200')!)).toBe(
      '200 1  $a Ici $b Texte imprimé $f Nathalie Sarraute',
    );
    expect(formatField(field(d.record, '517')!)).toBe('517 1  ');
    expect(subfield(field(d.record, '995'), 'f')).toBe('2000100014080');
  });

  it('reads yaz-written UNIMARC identically to its MARCXML source', async () => {
    const xml = records(await collect(readMarcXml(chunks(fixture('cn-unimarc.xml')))));
    const iso = records(await collect(readIso2709(chunks(fixture('cn-unimarc.mrc'), 64))));
    expect(iso).toHaveLength(12);
    expect(iso.map(text)).toEqual(xml.map(text));
  });

  it('reads CNMARC in UTF-8 and in undeclared GBK to the same records', async () => {
    const utf8 = await collect(readIso2709(chunks(cnmarcFile('utf-8'), 33)));
    const gbk = await collect(readIso2709(chunks(cnmarcFile('gbk'), 33)));
    expect(outcomes(utf8)).toEqual(Array(CN_BOOKS.length).fill('ok'));
    expect(outcomes(gbk)).toEqual(Array(CN_BOOKS.length).fill('ok'));
    expect(utf8.map((r) => r.ok && r.charset)).toEqual(Array(CN_BOOKS.length).fill('utf-8'));
    expect(gbk.map((r) => r.ok && r.charset)).toEqual(Array(CN_BOOKS.length).fill('gb18030'));
    const strip100 = (r: MarcRecord) => text(r).filter((t) => !t.startsWith('100'));
    expect(records(gbk).map(strip100)).toEqual(records(utf8).map(strip100));
    expect(subfield(field(records(gbk)[0]!, '200'), 'a')).toBe('红楼梦');
    expect(subfield(field(records(gbk)[3]!, '200'), 'a')).toBe('高等数学（第七版）');
  });
});

describe('broken input: the bad record is reported, the ones around it still come out', () => {
  const good = (i: number): Uint8Array => serializeIso2709(cnmarcRecord(CN_BOOKS[i]!, i + 1));
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  const patch = (bytes: Uint8Array, at: number, s: string): Uint8Array => {
    const out = Uint8Array.from(bytes);
    out.set(ascii(s), at);
    return out;
  };

  it('BAD_LEADER: a record length that is not digits', async () => {
    const file = concat([good(0), patch(good(1), 0, '0x7'), good(2)]);
    const results = await collect(readIso2709(chunks(file, 50)));
    expect(outcomes(results)).toEqual(['ok', '2:BAD_LEADER', 'ok']);
    expect(results[1]?.offset).toBe(good(0).length);
  });

  it('BAD_DIRECTORY: letters in a directory entry', async () => {
    const file = concat([good(0), patch(good(1), 24 + 12 + 3, '00x9'), good(2)]);
    const results = await collect(readIso2709(chunks(file)));
    expect(outcomes(results)).toEqual(['ok', '2:BAD_DIRECTORY', 'ok']);
    expect(!results[1]!.ok && results[1]!.error.message).toMatch(/not digits/);
  });

  it('BAD_DIRECTORY: an offset past the end of the record', async () => {
    const file = concat([good(0), patch(good(1), 24 + 7, '90000'), good(2)]);
    const results = await collect(readIso2709(chunks(file)));
    expect(outcomes(results)).toEqual(['ok', '2:BAD_DIRECTORY', 'ok']);
    expect(!results[1]!.ok && results[1]!.error.message).toMatch(/points past the record/);
  });

  it('LENGTH_MISMATCH: a GBK record whose lengths were counted in characters', async () => {
    const file = concat([good(0), gbkCountedInCharacters(CN_BOOKS[1]!, 2), good(2)]);
    const results = await collect(readIso2709(chunks(file, 100)));
    expect(outcomes(results)).toEqual(['ok', '2:LENGTH_MISMATCH', 'ok']);
    expect(!results[1]!.ok && results[1]!.error.message).toMatch(/field 200/);
  });

  it('TRUNCATED: the last record cut short', async () => {
    const file = concat([good(0), good(1), good(2).subarray(0, 200)]);
    const results = await collect(readIso2709(chunks(file, 64)));
    expect(outcomes(results)).toEqual(['ok', 'ok', '3:TRUNCATED']);
    expect(results[2]?.offset).toBe(good(0).length + good(1).length);
  });

  it('TRUNCATED: a record cut in the middle of a file does not take the next one with it', async () => {
    const file = concat([good(0), good(1).subarray(0, 150), good(2), good(3)]);
    const results = await collect(readIso2709(chunks(file, 64)));
    expect(outcomes(results)).toEqual(['ok', '2:TRUNCATED', 'ok', 'ok']);
    const third = results[2]!;
    expect(third.ok && subfield(field(third.record, '200'), 'a')).toBe('平凡的世界');
    expect(third.offset).toBe(good(0).length + 150);
  });

  it('BAD_ENCODING: GBK bytes in a record that declares UTF-8', async () => {
    const gbkDeclaredUtf8 = serializeIso2709(cnmarcRecord(CN_BOOKS[1]!, 2, '50  '), {
      encode: encodeGbk,
    });
    const results = await collect(readIso2709(chunks(concat([good(0), gbkDeclaredUtf8, good(2)]))));
    expect(outcomes(results)).toEqual(['ok', '2:BAD_ENCODING', 'ok']);
  });

  it('BAD_ENCODING: an explicit charset the bytes do not fit', async () => {
    const results = await collect(readIso2709(chunks(cnmarcFile('gbk')), { charset: 'utf-8' }));
    expect(outcomes(results)).toEqual(CN_BOOKS.map((_, i) => `${i + 1}:BAD_ENCODING`));
  });

  it('EMPTY: an empty file, or one with only blank lines', async () => {
    expect(outcomes(await collect(readIso2709(chunks(new Uint8Array()))))).toEqual(['1:EMPTY']);
    expect(outcomes(await collect(readIso2709(chunks(ascii('\r\n\r\n')))))).toEqual(['1:EMPTY']);
  });

  it('tolerates CRLF between records and a leader length that is off', async () => {
    const off = patch(good(1), 0, String(good(1).length + 3).padStart(5, '0'));
    const crlf = ascii('\r\n');
    const results = await collect(
      readIso2709(chunks(concat([good(0), crlf, off, crlf, good(2), crlf]), 40)),
    );
    expect(outcomes(results)).toEqual(['ok', 'ok', 'ok']);
    expect(results[1]!.ok && results[1]!.warnings.map((w) => w.code)).toEqual(['LENGTH_MISMATCH']);
    expect(results[2]!.offset).toBe(good(0).length + 2 + good(1).length + 2);
  });

  it('gives up on a record with no terminator within maxRecordBytes and goes on', async () => {
    const junk = new Uint8Array(5000).fill(0x41);
    junk.set(ascii('99999'), 0);
    const file = concat([good(0), junk, new Uint8Array([0x1d]), good(2)]);
    const results = await collect(readIso2709(chunks(file, 256), { maxRecordBytes: 1000 }));
    expect(outcomes(results)).toEqual(['ok', '2:LENGTH_MISMATCH', 'ok']);
  });

  it('says so when handed gzip or MARCXML instead of ISO 2709', async () => {
    const gz = await collect(readIso2709(chunks(gzipSync(good(0)))));
    expect(outcomes(gz)).toEqual(['1:BAD_LEADER']);
    expect(!gz[0]!.ok && gz[0]!.error.message).toMatch(/gzip/);
    const xml = await collect(readIso2709(chunks(fixture('collection-sandburg-1.xml'))));
    expect(!xml[0]!.ok && xml[0]!.error.message).toMatch(/MARCXML/);
  });
});

describe('parseIso2709', () => {
  it('throws a MarcError with a closed code', () => {
    expect(() => parseIso2709(new Uint8Array())).toThrowError(MarcError);
    try {
      parseIso2709(new TextEncoder().encode('00030nam  22000x7   4500'));
    } catch (e) {
      expect(e instanceof MarcError && e.code).toBe('BAD_LEADER');
    }
  });

  it('round-trips through serializeIso2709 in UTF-8 and GBK', () => {
    const record = cnmarcRecord(CN_BOOKS[2]!, 3);
    const back = parseIso2709(serializeIso2709(record));
    expect(back.fields).toEqual(record.fields);
    const gbk = parseIso2709(serializeIso2709(record, { encode: encodeGbk }), {
      charset: 'gb18030',
    });
    expect(gbk.fields).toEqual(record.fields);
  });
});
