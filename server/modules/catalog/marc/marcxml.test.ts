import { describe, expect, it } from 'vitest';
import { MarcError } from './errors.ts';
import { encodeGbk } from './fixtures/cnmarc.ts';
import { parseMarcXmlRecord, readMarcXml } from './marcxml.ts';
import { controlValue, field, formatField, subfield } from './record.ts';
import { chunks, collect, fixture, outcomes } from './testing.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const REC = (title: string) =>
  `<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">${title}</controlfield>` +
  `<datafield tag="245" ind1="1" ind2="0"><subfield code="a">${title}</subfield></datafield></record>`;

describe('readMarcXml on the Library of Congress collections (idzebra-2.0-examples)', () => {
  it.each([
    ['collection-sandburg-1.xml', 1],
    ['collection-2.xml', 2],
    ['collection-namemrc.xml', 20],
    ['collection-opera-43.xml', 43],
  ])('%s: %i records at any chunk size', async (name, count) => {
    const bytes = fixture(name);
    for (const size of [bytes.length, 1000, 13]) {
      const results = await collect(readMarcXml(chunks(bytes, size)));
      expect(outcomes(results)).toEqual(Array(count).fill('ok'));
      expect(results.every((r) => r.ok && r.warnings.length === 0)).toBe(true);
    }
  });

  it('reads the Sandburg record field by field', async () => {
    const [r] = await collect(readMarcXml(chunks(fixture('collection-sandburg-1.xml'))));
    expect(r?.ok).toBe(true);
    if (!r?.ok) return;
    expect(r.record.leader).toBe('01142cam  2200301 a 4500');
    expect(controlValue(r.record, '001')).toBe('   92005291 ');
    expect(formatField(field(r.record, '245')!)).toBe(
      '245 10 $a Arithmetic / $c Carl Sandburg ; illustrated as an anamorphic adventure by Ted Rand.',
    );
    expect(r.record.fields).toHaveLength(23);
    // Offset of the '<' of <record>, in bytes.
    expect(fixture('collection-sandburg-1.xml').toString('latin1', r.offset, r.offset + 7)).toBe(
      '<record',
    );
  });

  it('reads the marc:-prefixed collection', async () => {
    const results = await collect(readMarcXml(chunks(fixture('collection-2.xml'), 100)));
    const titles = results.map((r) => r.ok && subfield(field(r.record, '245'), 'a'));
    expect(titles).toEqual(['The Great Ray Charles', 'The White House']);
  });

  it('reads UNIMARC in the MARC21/slim namespace (BnF records from marcjs)', async () => {
    const results = await collect(readMarcXml(chunks(fixture('bnf-bib-excerpt.xml'), 500)));
    expect(outcomes(results)).toEqual(['ok', 'ok']);
    const second = results[1]!;
    expect(second.ok && subfield(field(second.record, '200'), 'a')).toBe(
      "Histoire de l'imprimerie en France au 15e et au 16e siècle, par A. Claudin,...",
    );
  });
});

describe('readMarcXml on other shapes of input', () => {
  it('takes the innermost record of SRU and OAI-PMH wrappers', async () => {
    const sru =
      '<?xml version="1.0"?><zs:searchRetrieveResponse xmlns:zs="http://docs.oasis-open.org/ns/search-ws/sruResponse">' +
      '<zs:records><zs:record><zs:recordSchema>marcxml</zs:recordSchema><zs:recordData>' +
      REC('First').replace('<record>', '<record xmlns="http://www.loc.gov/MARC21/slim">') +
      '</zs:recordData><zs:recordPosition>1</zs:recordPosition></zs:record></zs:records></zs:searchRetrieveResponse>';
    const oai =
      '<OAI-PMH><ListRecords><record><header><identifier>oai:x:1</identifier></header><metadata>' +
      REC('Second')
        .replace(/record>/g, 'marc:record>')
        .replace('<record', '<marc:record') +
      '</metadata></record></ListRecords></OAI-PMH>';
    for (const xml of [sru, oai]) {
      const results = await collect(readMarcXml(chunks(utf8(xml), 17)));
      expect(outcomes(results)).toEqual(['ok']);
    }
  });

  it('reads concatenated documents, comments, CDATA and character references', async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<collection><!-- one --><record><leader>00000nam a2200000 a 4500</leader>' +
      '<datafield tag="245" ind1="1" ind2=" "><subfield code="a"><![CDATA[A < B & C]]> &amp; &#x4E09;&#20307;</subfield></datafield></record></collection>\n' +
      '<?xml version="1.0"?><collection>' +
      REC('Two') +
      '</collection>';
    const results = await collect(readMarcXml(chunks(utf8(xml), 5)));
    expect(outcomes(results)).toEqual(['ok', 'ok']);
    expect(results[0]!.ok && subfield(field(results[0]!.record, '245'), 'a')).toBe(
      'A < B & C & 三体',
    );
  });

  it('decodes a GBK document per its XML declaration', async () => {
    const xml =
      '<?xml version="1.0" encoding="GBK"?><collection>' + REC('平凡的世界') + '</collection>';
    const results = await collect(readMarcXml(chunks(encodeGbk(xml), 9)));
    expect(results[0]?.ok && results[0].charset).toBe('gb18030');
    expect(results[0]?.ok && controlValue(results[0].record, '001')).toBe('平凡的世界');
  });
});

describe('broken MARCXML: the bad record is reported, the ones around it still come out', () => {
  const collection = (...records: string[]) =>
    utf8(`<collection>${records.join('\n')}</collection>`);

  it('BAD_XML: a DOCTYPE inside a record', async () => {
    const bad =
      '<record><!DOCTYPE x [<!ENTITY e "boom">]><leader>00000nam a2200000 a 4500</leader></record>';
    const results = await collect(readMarcXml(chunks(collection(REC('A'), bad, REC('C')), 31)));
    expect(outcomes(results)).toEqual(['ok', '2:BAD_XML', 'ok']);
    expect(!results[1]!.ok && results[1]!.error.message).toMatch(/DOCTYPE/);
  });

  it('BAD_XML: a document with a DOCTYPE is refused before any entity could be used', async () => {
    const xml =
      '<?xml version="1.0"?>\n<!DOCTYPE collection [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<collection>' +
      REC('&xxe;') +
      '</collection>';
    const results = await collect(readMarcXml(chunks(utf8(xml))));
    expect(outcomes(results)).toEqual(['1:BAD_XML']);
  });

  it('BAD_XML: undefined entities and mismatched tags', async () => {
    const entity = REC('&nbsp;');
    const mismatched =
      '<record><leader>00000nam a2200000 a 4500</leader><datafield tag="245"></record>';
    const results = await collect(
      readMarcXml(chunks(collection(entity, REC('B'), mismatched, REC('D')))),
    );
    expect(outcomes(results)).toEqual(['1:BAD_XML', 'ok', '3:BAD_XML', 'ok']);
  });

  it('BAD_ENCODING: invalid UTF-8 in one record', async () => {
    const bytes = new Uint8Array([...collection(REC('A'), REC('ZZZ'), REC('C'))]);
    const at = Buffer.from(bytes).indexOf('ZZZ');
    bytes.set([0xc3, 0x28], at); // an invalid two-byte sequence
    const results = await collect(readMarcXml(chunks(bytes, 50)));
    expect(outcomes(results)).toEqual(['ok', '2:BAD_ENCODING', 'ok']);
  });

  it('TRUNCATED: the input ends inside the last record', async () => {
    const text = `<collection>${REC('A')}${REC('B').slice(0, 60)}`;
    const results = await collect(readMarcXml(chunks(utf8(text), 16)));
    expect(outcomes(results)).toEqual(['ok', '2:TRUNCATED']);
  });

  it('EMPTY: an empty input, a collection without records, an empty record', async () => {
    expect(outcomes(await collect(readMarcXml(chunks(new Uint8Array()))))).toEqual(['1:EMPTY']);
    expect(outcomes(await collect(readMarcXml(chunks(utf8('<collection/>')))))).toEqual([
      '1:EMPTY',
    ]);
    const results = await collect(readMarcXml(chunks(collection('<record/>', REC('B')))));
    expect(outcomes(results)).toEqual(['1:EMPTY', 'ok']);
  });
});

describe('parseMarcXmlRecord', () => {
  it('keeps blank indicators and pads a short leader with a warning', () => {
    const warnings: Parameters<typeof parseMarcXmlRecord>[1] = [];
    const record = parseMarcXmlRecord(
      '<marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:leader>00000nam</marc:leader>' +
        "<marc:datafield tag='650' ind1='' ind2='0'><marc:subfield code='a'>Jazz</marc:subfield>" +
        '<marc:subfield code="y">1951-1960.</marc:subfield></marc:datafield></marc:record>',
      warnings,
    );
    expect(record.leader).toBe('00000nam                ');
    expect(formatField(record.fields[0]!)).toBe('650  0 $a Jazz $y 1951-1960.');
    expect(warnings.map((w) => w.code)).toEqual(['BAD_LEADER']);
  });

  it('throws MarcError BAD_XML for markup it refuses', () => {
    expect(() => parseMarcXmlRecord('<record><leader>x</leader>')).toThrowError(MarcError);
  });
});
