import { describe, expect, it } from 'vitest';
import type { BibRecord } from '../record.ts';
import type { ReadResult } from './errors.ts';
import { CN_BOOKS, cnIsbn, cnmarcFile, cnmarcRecord } from './fixtures/cnmarc.ts';
import { readIso2709 } from './iso2709.ts';
import { toBibRecord, trimIsbd } from './map.ts';
import { readMarcXml } from './marcxml.ts';
import type { DataField, MarcRecord } from './record.ts';
import { chunks, collect, fixture } from './testing.ts';

async function bibs(name: string): Promise<BibRecord[]> {
  const reader = name.endsWith('.xml')
    ? readMarcXml(chunks(fixture(name)))
    : readIso2709(chunks(fixture(name)));
  const results: ReadResult[] = await collect(reader);
  return results.flatMap((r) => (r.ok ? [toBibRecord(r.record)] : []));
}

function withoutMarc(bib: BibRecord): Omit<BibRecord, 'marc'> {
  const copy: Partial<BibRecord> = { ...bib };
  delete copy.marc;
  return copy as Omit<BibRecord, 'marc'>;
}

const df = (tag: string, ind: string, ...pairs: string[]): DataField => {
  const subfields = [];
  for (let i = 0; i < pairs.length; i += 2)
    subfields.push({ code: pairs[i]!, value: pairs[i + 1]! });
  return { tag, ind1: ind[0]!, ind2: ind[1]!, subfields };
};

describe('toBibRecord on MARC 21 (Library of Congress samples)', () => {
  it('maps the Sandburg record', async () => {
    const [bib] = await bibs('collection-sandburg-1.xml');
    expect(withoutMarc(bib!)).toEqual({
      controlNumber: '92005291',
      format: 'marc21',
      title: 'Arithmetic',
      subtitle: null,
      parallelTitles: [],
      titlePinyin: null,
      responsibility: 'Carl Sandburg ; illustrated as an anamorphic adventure by Ted Rand',
      authors: [
        { name: 'Sandburg, Carl', role: 'author' },
        { name: 'Rand, Ted', role: 'illustrator' },
      ],
      publisher: 'Harcourt Brace Jovanovich',
      place: 'San Diego',
      year: 1993,
      edition: '1st ed.',
      series: [],
      isbns: ['9780152038656'],
      isbn10s: ['0152038655'],
      issn: null,
      language: 'eng',
      subjects: [
        'Arithmetic -- Juvenile poetry',
        "Children's poetry, American",
        'Arithmetic -- Poetry',
        'American poetry',
        'Visual perception',
      ],
      clc: null,
      callNumber: 'PS3537.A618 A88 1993',
      summary: expect.stringMatching(/^A poem about numbers/) as string,
      materialType: 'book',
      items: [],
    });
    expect(bib!.marc.fields).toHaveLength(23);
  });

  it('maps the ISO 2709 sample: titles, serials, ISSN, LC call numbers', async () => {
    const all = await bibs('loc-sample-marc.mrc');
    expect(all).toHaveLength(24);
    expect(all[0]).toMatchObject({
      title: 'How to program a computer',
      authors: [{ name: 'Jack Collins' }],
    });
    expect(all[4]).toMatchObject({
      title: 'The Puget Sound Region',
      subtitle: 'a portfolio of thematic computer maps',
      series: ['Occasional paper - Center for Pacific Northwest Studies ; no. 3'],
    });
    expect(all[13]).toMatchObject({
      title: 'Internet world',
      materialType: 'serial',
      issn: '1064-3923',
    });
    expect(all[12]?.authors).toEqual([{ name: 'Smith, George Adam, Sir', role: 'author' }]);
    expect(all[15]).toMatchObject({ isbns: ['9781562827540'], year: 1993, edition: '1st ed.' });
    expect(all.every((b) => b.format === 'marc21' && b.controlNumber !== '')).toBe(true);
  });

  it('reads material types from leader/06-07', async () => {
    const two = await bibs('collection-2.xml');
    expect(two.map((b) => b.materialType)).toEqual(['audio', 'electronic']);
    // 26 language material (cam, nam) and 17 sound recordings (cjm, njm, nim).
    const opera = await bibs('collection-opera-43.xml');
    const count = (t: string) => opera.filter((b) => b.materialType === t).length;
    expect([count('book'), count('audio')]).toEqual([26, 17]);
    const scores = { ...opera[0]!.marc, leader: '00000ccm a2200000 a 4500' };
    expect(toBibRecord(scores).materialType).toBe('score');
  });
});

describe('toBibRecord on MARC 21 with 880 vernacular fields', () => {
  const record: MarcRecord = {
    leader: '00000cam a2200000 a 4500',
    fields: [
      { tag: '001', value: 'ocm71225012' },
      { tag: '008', value: '080101s2008    ch            000 1 chi d' },
      df('020', '  ', 'a', '9787536692930 (pbk.)'),
      df('020', '  ', 'z', '9787536692931'),
      df('084', '  ', 'a', 'I247.55', '2', 'clc'),
      df('100', '1 ', '6', '880-01', 'a', 'Liu, Cixin,', 'e', 'author.'),
      df('245', '10', '6', '880-02', 'a', 'San ti /', 'c', 'Liu Cixin zhu.'),
      df(
        '260',
        '  ',
        '6',
        '880-03',
        'a',
        'Chongqing :',
        'b',
        'Chongqing chu ban she,',
        'c',
        '2008.',
      ),
      df('650', ' 0', 'a', 'Science fiction, Chinese.'),
      df('880', '1 ', '6', '100-01/$1', 'a', '刘慈欣,', 'e', 'author.'),
      df('880', '10', '6', '245-02/$1', 'a', '三体 /', 'c', '刘慈欣著.'),
      df('880', '  ', '6', '260-03/$1', 'a', '重庆 :', 'b', '重庆出版社,', 'c', '2008.'),
      df(
        '852',
        '  ',
        'a',
        'UNIVLIB',
        'b',
        'Main',
        'c',
        'Stacks',
        'h',
        'PL2879.C54',
        'i',
        'S36 2008',
      ),
      df(
        '952',
        '  ',
        'a',
        'MAIN',
        'b',
        'EAST',
        'c',
        'CHI',
        'o',
        'I247.55/1688',
        'p',
        '30001',
        'y',
        'BOOK',
      ),
      df('952', '  ', 'a', 'MAIN', 'o', 'I247.55/1688', 'p', '30002', 'q', '2024-07-01'),
      df('952', '  ', 'a', 'MAIN', 'o', 'I247.55/1688', 'p', '30003', '1', '1'),
    ],
  };

  it('prefers the vernacular title and names and keeps the romanised forms', () => {
    const bib = toBibRecord(record, 'marc21');
    expect(bib).toMatchObject({
      title: '三体',
      parallelTitles: ['San ti'],
      titlePinyin: 'San ti',
      responsibility: '刘慈欣著',
      authors: [{ name: '刘慈欣', role: 'author', pinyin: 'Liu, Cixin' }],
      publisher: '重庆出版社',
      place: '重庆',
      year: 2008,
      language: 'chi',
      clc: 'I247.55',
      isbns: ['9787536692930'],
      isbn10s: ['7536692935'],
      callNumber: 'PL2879.C54 S36 2008',
      subjects: ['Science fiction, Chinese'],
    });
  });

  it('reads Koha 952 items with their status; 852 without a barcode is not an item', () => {
    expect(toBibRecord(record).items).toEqual([
      {
        barcode: '30001',
        branch: 'EAST',
        location: 'CHI',
        callNumber: 'I247.55/1688',
        status: 'available',
        loanType: 'BOOK',
        volume: null,
      },
      {
        barcode: '30002',
        branch: 'MAIN',
        location: null,
        callNumber: 'I247.55/1688',
        status: 'checked-out',
        loanType: null,
        volume: null,
      },
      {
        barcode: '30003',
        branch: 'MAIN',
        location: null,
        callNumber: 'I247.55/1688',
        status: 'lost',
        loanType: null,
        volume: null,
      },
    ]);
  });

  it('takes item fields from options', () => {
    const moved: MarcRecord = {
      ...record,
      fields: record.fields.map((f) => (f.tag === '952' ? { ...f, tag: '999' } : f)),
    };
    expect(toBibRecord(moved).items).toEqual([]);
    const bib = toBibRecord(moved, 'auto', { itemFields: { marc21: ['999'] } });
    expect(bib.items.map((i) => i.barcode)).toEqual(['30001', '30002', '30003']);
  });
});

describe('toBibRecord on UNIMARC and CNMARC', () => {
  it('maps 三体 from CNMARC field by field', () => {
    const bib = toBibRecord(cnmarcRecord(CN_BOOKS[1]!, 2));
    expect(withoutMarc(bib)).toEqual({
      controlNumber: 'CAL012024000002',
      format: 'unimarc',
      title: '三体',
      subtitle: null,
      parallelTitles: [],
      titlePinyin: 'San ti',
      responsibility: '刘慈欣著',
      authors: [{ name: '刘慈欣', role: 'author', pinyin: 'Liu Cixin' }],
      publisher: '重庆出版社',
      place: '重庆',
      year: 2008,
      edition: null,
      series: [],
      isbns: [cnIsbn(2)],
      isbn10s: [cnIsbn(2).slice(3, 12) + '6'],
      issn: null,
      language: 'chi',
      subjects: ['科学幻想小说 -- 长篇小说 -- 中国 -- 当代'],
      clc: 'I247.55',
      callNumber: 'I247.55/1688',
      summary: null,
      materialType: 'book',
      items: [
        {
          barcode: 'C0020001',
          branch: 'UNIVLIB',
          location: null,
          callNumber: 'I247.55/1688',
          status: 'available',
          loanType: null,
          volume: null,
        },
      ],
    });
  });

  it('maps every CNMARC fixture the same from UTF-8 and GBK files', async () => {
    const utf8 = (await collect(readIso2709(chunks(cnmarcFile('utf-8'))))).map(
      (r) => r.ok && toBibRecord(r.record),
    );
    const gbk = (await collect(readIso2709(chunks(cnmarcFile('gbk'))))).map(
      (r) => r.ok && toBibRecord(r.record),
    );
    const strip = (b: BibRecord | false) => (b ? withoutMarc(b) : b);
    expect(gbk.map(strip)).toEqual(utf8.map(strip));
    const [hongloumeng, , pingfan, gaoshu, wangluo] = utf8 as BibRecord[];
    expect(hongloumeng?.authors).toEqual([
      { name: '曹雪芹', role: 'author', pinyin: 'Cao Xueqin' },
      { name: '高鹗', role: 'author', pinyin: 'Gao E' },
    ]);
    expect(hongloumeng?.items.map((i) => [i.barcode, i.volume])).toEqual([
      ['C0012345', 'v.1'],
      ['C0012346', 'v.2'],
    ]);
    expect(pingfan).toMatchObject({ title: '平凡的世界', edition: '第2版', clc: 'I247.57' });
    expect(gaoshu).toMatchObject({
      title: '高等数学（第七版）. 上册',
      authors: [{ name: '同济大学数学系', role: 'editor' }],
      clc: 'O13',
    });
    // No 7XX: authors come from 200 $f with the nationality and relator words removed.
    expect(wangluo).toMatchObject({
      title: '计算机网络',
      subtitle: '自顶向下方法',
      authors: [
        { name: '詹姆斯·F. 库罗斯', role: 'author' },
        { name: '基思·W. 罗斯', role: 'author' },
        { name: '陈鸣', role: 'translator' },
      ],
    });
    // 010 $z (cancelled ISBN) never reaches isbns.
    expect(utf8.every((b) => b && b.isbns.length === 1)).toBe(true);
  });

  it('maps the BnF record from marcjs, with its Koha 995 item', async () => {
    const [bib] = await bibs('bnf-bib-one.mrc');
    expect(withoutMarc(bib!)).toMatchObject({
      controlNumber: '123456789',
      format: 'unimarc',
      title: 'Ici',
      responsibility: 'Nathalie Sarraute',
      authors: [{ name: 'Sarraute, Nathalie', role: 'author' }],
      publisher: 'Gallimard',
      place: '[Paris]',
      year: 1995,
      isbns: ['9782070742448'],
      isbn10s: ['207074244X'],
      language: 'fre',
      callNumber: 'R SAR',
      items: [
        {
          barcode: '2000100014080',
          branch: 'BEAU',
          location: 'a',
          callNumber: 'R SAR',
          status: 'available',
          loanType: 'LIVR',
          volume: null,
        },
      ],
    });
  });

  it('maps UNIMARC relator codes and does not take BnF $9 for pinyin', async () => {
    const [, histoire] = await bibs('bnf-bib-excerpt.xml');
    expect(histoire?.authors).toEqual([
      { name: 'Claudin, Anatole', role: 'author' },
      { name: 'Lacombe, Paul', role: 'author' },
      { name: 'Clément-Janin, Michel-Hilaire', role: 'author' },
      { name: 'Delisle, Léopold', role: 'editor' },
    ]);
    expect(histoire?.year).toBe(1900);
  });

  it('maps the synthetic Zebra CNMARC collection (relator words in $4)', async () => {
    const all = await bibs('cn-unimarc.xml');
    expect(all).toHaveLength(12);
    expect(all[1]).toMatchObject({
      title: '计算机网络',
      subtitle: '自顶向下方法',
      edition: '第7版',
      authors: [
        { name: '库罗斯', role: 'author' },
        { name: '罗斯', role: 'author' },
      ],
    });
  });
});

describe('control numbers', () => {
  const base = cnmarcRecord(CN_BOOKS[0]!, 1);
  const without = (...tags: string[]): MarcRecord => ({
    ...base,
    fields: base.fields.filter((f) => !tags.includes(f.tag)),
  });

  it('falls back from 001 to 035, an ISBN, then a stable hash', () => {
    const with035 = {
      ...base,
      fields: [...without('001').fields, df('035', '  ', 'a', '(CALIS)012024000001')],
    };
    expect(toBibRecord(with035).controlNumber).toBe('(CALIS)012024000001');
    expect(toBibRecord(without('001')).controlNumber).toBe(`isbn:${cnIsbn(1)}`);
    const bare = without('001', '010');
    expect(toBibRecord(bare).controlNumber).toMatch(/^sha1:[0-9a-f]{20}$/);
    expect(toBibRecord(bare).controlNumber).toBe(toBibRecord(structuredClone(bare)).controlNumber);
  });
});

describe('trimIsbd', () => {
  it.each([
    ['How to program a computer /', 'How to program a computer'],
    ['Sandburg, Carl,', 'Sandburg, Carl'],
    ['Collins, Jack.', 'Collins, Jack'],
    ['Hardie, Edward T. L.', 'Hardie, Edward T. L.'],
    [
      'FEDLINK services directory for fiscal year ... /',
      'FEDLINK services directory for fiscal year ...',
    ],
    ['1st ed.', '1st ed.'],
    ['北京 :', '北京'],
    ['重庆出版社，', '重庆出版社'],
    [', 1465-1927, facsimiles', '1465-1927, facsimiles'],
  ])('%j → %j', (input, output) => {
    expect(trimIsbd(input)).toBe(output);
  });
});
