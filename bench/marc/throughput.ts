/**
 * Throughput check for the MARC readers and the mapping (a benchmark, not a test).
 * Builds N records in memory — CNMARC-style Chinese books and MARC 21 English ones, as in
 * research/perf-scripts/bench-marc.js — and times, per round:
 *   1. parseIso2709 on each record's bytes (static parse, the marcjs baseline's shape);
 *   2. readIso2709 streaming over 1 MiB chunks (split + parse);
 *   3. readIso2709 + toBibRecord (what an import does before writing);
 *   4. the same for the GBK copy of the Chinese records (TextDecoder path);
 *   5. readMarcXml + toBibRecord on the first 50k records written as MARCXML.
 *
 *   node --import tsx bench/marc/throughput.ts [N=200000] [rounds=3]
 */
import {
  CN_BOOKS,
  cnmarcRecord,
  encodeGbk,
} from '../../server/modules/catalog/marc/fixtures/cnmarc.ts';
import { parseIso2709, readIso2709 } from '../../server/modules/catalog/marc/iso2709.ts';
import { toBibRecord } from '../../server/modules/catalog/marc/map.ts';
import type { DataField, MarcRecord } from '../../server/modules/catalog/marc/record.ts';
import { readMarcXml } from '../../server/modules/catalog/marc/marcxml.ts';
import { serializeIso2709, serializeMarcXml } from '../../server/modules/catalog/marc/write.ts';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 3);

const WORDS = [
  'Computer',
  'networks',
  'History',
  'of',
  'modern',
  'China',
  'Data',
  'structures',
  'Physics',
  'the',
  'Library',
  'science',
  'Learning',
  'systems',
];
const HAN =
  '数据结构算法分析中国近代史纲要高等数学计算机网络图书馆学概论信息检索导论机器学习实战平凡的世界红楼梦研究三体';

function pick(n: number, k: number): number {
  return (n * 2654435761 + k * 40503) % 4294967296;
}

function df(tag: string, ind: string, ...pairs: string[]): DataField {
  const subfields = [];
  for (let i = 0; i < pairs.length; i += 2)
    subfields.push({ code: pairs[i] as string, value: pairs[i + 1] as string });
  return { tag, ind1: ind[0] as string, ind2: ind[1] as string, subfields };
}

function chinese(n: number): MarcRecord {
  const book = CN_BOOKS[n % CN_BOOKS.length]!;
  let title = '';
  for (let k = 0; k < 4 + (n % 8); k++) title += HAN[pick(n, k) % HAN.length];
  return cnmarcRecord({ ...book, id: `CAL${String(n).padStart(12, '0')}`, title }, (n % 9000) + 1);
}

function english(n: number): MarcRecord {
  const words: string[] = [];
  for (let k = 0; k < 3 + (n % 6); k++) words.push(WORDS[pick(n, k) % WORDS.length] as string);
  const year = String(1950 + (n % 75));
  return {
    leader: '00000cam a2200000 i 4500',
    fields: [
      { tag: '001', value: String(n) },
      { tag: '005', value: '20240601120000.0' },
      { tag: '008', value: `240601s${year}    nyu           001 0 eng d` },
      df('020', '  ', 'a', '9780201616415'),
      df('040', '  ', 'a', 'DLC', 'b', 'eng', 'c', 'DLC'),
      df('100', '1 ', 'a', `Author${n % 1000}, Jane,`, 'e', 'author.'),
      df('245', '10', 'a', `${words.join(' ')} /`, 'c', `Jane Author${n % 1000}.`),
      df('264', ' 1', 'a', 'New York :', 'b', 'Publisher,', 'c', year),
      df('300', '  ', 'a', `${100 + (n % 600)} pages ;`, 'c', '24 cm'),
      df('650', ' 0', 'a', 'Computer science', 'x', 'History.'),
      df('650', ' 0', 'a', 'Libraries', 'z', 'China.'),
      df('700', '1 ', 'a', `Editor${n % 500}, John,`, 'e', 'editor.'),
      df('852', '  ', 'a', 'UNIVLIB', 'h', `QA${n % 999}`),
      df('952', '  ', 'a', 'MAIN', 'b', 'MAIN', 'o', `QA${n % 999} .A1`, 'p', `B${n}`, 'y', 'BOOK'),
    ],
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

function* chunked(buf: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

function concat(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

// GBK exports do not declare UTF-8 in 100 $a/26-29: blank it, so the reader sniffs.
const undeclared = (r: MarcRecord): MarcRecord => ({
  ...r,
  fields: r.fields.map((f) =>
    f.tag === '100' && 'subfields' in f
      ? {
          ...f,
          subfields: f.subfields.map((x) => ({ ...x, value: x.value.replace('y50  ', 'y    ') })),
        }
      : f,
  ),
});

// Records are serialised as they are built and not kept: a heap full of 200k parsed
// records would make the timings about the garbage collector, not the reader.
const chineseShare = 0.7;
const parts: Uint8Array[] = [];
const gbkParts: Uint8Array[] = [];
for (let n = 0; n < N; n++) {
  if (pick(n, 99) % 100 < chineseShare * 100) {
    const r = chinese(n);
    parts.push(serializeIso2709(r));
    gbkParts.push(serializeIso2709(undeclared(r), { encode: encodeGbk }));
  } else {
    parts.push(serializeIso2709(english(n)));
  }
}
const file = concat(parts);
const gbkFile = concat(gbkParts);
// MARCXML of the first records, parsed back to build it (the writer needs MarcRecords).
const XML_N = Math.min(N, 50_000);
const xmlFile = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n' +
    parts
      .slice(0, XML_N)
      .map((p) => serializeMarcXml(parseIso2709(p)))
      .join('\n') +
    '\n</collection>\n',
);

const variants: Record<
  string,
  { records: number; bytes: number; run: () => Promise<number> | number }
> = {
  'parseIso2709 per record (static parse)': {
    records: N,
    bytes: file.length,
    run: () => {
      let n = 0;
      for (const p of parts) n += parseIso2709(p).fields.length > 0 ? 1 : 0;
      return n;
    },
  },
  'readIso2709 stream, 1 MiB chunks (parse)': {
    records: N,
    bytes: file.length,
    run: async () => {
      let n = 0;
      for await (const r of readIso2709(chunked(file, 1 << 20))) if (r.ok) n++;
      return n;
    },
  },
  'readIso2709 stream + toBibRecord (parse+map)': {
    records: N,
    bytes: file.length,
    run: async () => {
      let n = 0;
      for await (const r of readIso2709(chunked(file, 1 << 20)))
        if (r.ok && toBibRecord(r.record, r.flavour ?? 'auto').title) n++;
      return n;
    },
  },
  'readIso2709 + toBibRecord, GBK CNMARC only': {
    records: gbkParts.length,
    bytes: gbkFile.length,
    run: async () => {
      let n = 0;
      for await (const r of readIso2709(chunked(gbkFile, 1 << 20)))
        if (r.ok && toBibRecord(r.record, r.flavour ?? 'auto').title) n++;
      return n;
    },
  },
  'readMarcXml stream + toBibRecord (parse+map)': {
    records: XML_N,
    bytes: xmlFile.length,
    run: async () => {
      let n = 0;
      for await (const r of readMarcXml(chunked(xmlFile, 1 << 20)))
        if (r.ok && toBibRecord(r.record, r.flavour ?? 'auto').title) n++;
      return n;
    },
  },
};

console.log(
  `N=${N} records, ${(file.length / 1048576).toFixed(1)} MB, avg ${Math.round(file.length / N)} bytes, ` +
    `${Math.round(chineseShare * 100)}% CNMARC; node ${process.version}`,
);
// The machine may be shared: records per CPU-second (process.cpuUsage) is reported next to
// the wall-clock rate, and the best round next to the median.
const wall = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]]));
const cpu = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, v] of Object.entries(variants)) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const n = await v.run();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    if (n !== v.records) throw new Error(`${name}: ${n} of ${v.records} records`);
    wall[name]?.push(n / s);
    cpu[name]?.push(n / ((c.user + c.system) / 1e6));
  }
}
const fmt = (r: number) => Math.round(r).toLocaleString('en').padStart(9);
console.log(
  `${''.padEnd(46)} ${'wall median'.padStart(11)} ${'wall best'.padStart(9)} ${'per CPU-s'.padStart(9)}   MB/s`,
);
for (const [name, v] of Object.entries(variants)) {
  const w = wall[name] ?? [];
  const r = median(w);
  console.log(
    `${name.padEnd(46)} ${fmt(r).padStart(11)} ${fmt(Math.max(...w))} ${fmt(median(cpu[name] ?? []))}  ${((r * v.bytes) / v.records / 1048576).toFixed(1).padStart(5)}`,
  );
}
