/**
 * Seeded catalogue generator for bench/catalogue.
 *
 *   node --import tsx bench/catalogue/generate.ts --records 1000000 --out DIR [--seed 20261129]
 *
 * Writes DIR/records.mrc (ISO 2709, UTF-8: ~70% CNMARC-style UNIMARC, ~30% MARC21),
 * DIR/records.ndjson (the same records as plain fields, for peers that do not
 * read MARC), DIR/queries.json (1,000 queries with a `kind` each) and DIR/meta.json
 * (counts, rate, sha256 of every file). Everything is streamed to disk.
 *
 * Determinism: one PRNG stream draws the records in order, so the first N
 * records of a larger set are byte-identical to a set generated with
 * --records N. Queries use their own stream; they are identical for every
 * --records >= 10,000 (ISBN queries point at records among the first 10,000).
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as OpenCC from 'opencc-js';
import { pinyin } from 'pinyin-pro';
import ISBN from 'isbn3';
import {
  intArg,
  log,
  parseArgs,
  pick,
  rng,
  zipf,
  type BenchQuery,
  type DataMeta,
  type PlainRecord,
  type Rng,
} from './common.ts';
import { encodeRecord, type MarcField } from './marc.ts';
import {
  BRANCHES,
  CLC,
  EN_FIRST,
  EN_LAST,
  EN_PROPER,
  EN_PUBLISHERS,
  EN_SERIES,
  EN_WORDS,
  FAMOUS_EN,
  FAMOUS_ZH,
  FOREIGN_ZH,
  ZH_GIVEN,
  ZH_PERIODS,
  ZH_PLACES_SUBJ,
  ZH_PUBLISHERS,
  ZH_ROLES,
  ZH_SERIES,
  ZH_SUBDIVISIONS,
  ZH_SURNAMES,
  ZH_TITLE_PREFIX,
  ZH_TITLE_SUFFIX,
  chineseVocabulary,
} from './vocab.ts';

export const DEFAULT_SEED = 20261129;
const ISBN_TARGET_WINDOW = 10_000;

// ---------- ISBNs ----------

function isbn13Check(d12: string): string {
  let s = 0;
  for (let i = 0; i < 12; i++) s += Number(d12[i]) * (i % 2 ? 3 : 1);
  return String((10 - (s % 10)) % 10);
}

/**
 * Hands out unique ISBN-13s per registrant prefix (a scrambled counter, so
 * numbers look random but never repeat until a prefix is full; then the next
 * prefix of the same publisher is used, and only when all are full do numbers
 * repeat).
 */
class IsbnAllocator {
  private readonly used = new Map<string, number>();
  next(prefixes: readonly string[], group: string): string {
    for (let round = 0; round < 2; round++) {
      for (const p of prefixes) {
        const digits = '978' + group + p.replace(/-/g, '');
        const width = 12 - digits.length;
        const cap = 10 ** width;
        const k = this.used.get(digits) ?? 0;
        if (round === 0 && k >= cap) continue;
        this.used.set(digits, k + 1);
        const offset = (Number(digits.slice(-6)) * 104729) % cap;
        const article = (((k % cap) * 7919 + offset) % cap).toString().padStart(width, '0');
        const d12 = digits + article;
        return d12 + isbn13Check(d12);
      }
    }
    throw new Error('no ISBN prefix');
  }
}

/** Fails fast if a registrant prefix in vocab.ts is not a valid range for isbn3. */
function checkPrefixes(): void {
  const a = new IsbnAllocator();
  for (const [name, , prefixes] of ZH_PUBLISHERS)
    for (const p of prefixes) {
      const parsed = ISBN.parse(a.next([p], '7'));
      if (!parsed || parsed.publisher !== p) throw new Error(`bad ISBN prefix 7-${p} for ${name}`);
    }
  for (const [name, , prefixes] of EN_PUBLISHERS)
    for (const p of prefixes) {
      const parsed = ISBN.parse(a.next([p], ''));
      if (!parsed || `${parsed.group}-${parsed.publisher}` !== p)
        throw new Error(`bad ISBN prefix ${p} for ${name}`);
    }
}

// ---------- buffered, hashed output ----------

class Sink {
  private fd: number;
  private parts: Array<string | Buffer> = [];
  private size = 0;
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }
  write(x: string | Buffer): void {
    this.parts.push(x);
    this.size += x.length;
    if (this.size >= 4 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.concat(
      this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)),
    );
    writeSync(this.fd, buf);
    this.hash.update(buf);
    this.bytes += buf.length;
    this.parts = [];
    this.size = 0;
  }
  close(): string {
    this.flush();
    closeSync(this.fd);
    return this.hash.digest('hex');
  }
}

// ---------- the generator ----------

const cap1 = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const enWordCase = (w: string): string => (EN_PROPER.has(w) ? cap1(w) : w);

interface Item {
  branch: string;
  location: string;
  callNumber: string;
  barcode: string;
  cls: string;
  bookNo: string;
}

export class CatalogueGenerator {
  readonly zhVocab: string[];
  private readonly r: Rng;
  private readonly zhWord: (r: Rng) => string;
  private readonly enWord: (r: Rng) => string;
  private readonly zhSurname: (r: Rng) => string;
  private readonly enLast: (r: Rng) => string;
  private readonly zhPub: (r: Rng) => (typeof ZH_PUBLISHERS)[number];
  private readonly enPub: (r: Rng) => (typeof EN_PUBLISHERS)[number];
  private readonly clcTotal: number;
  private readonly isbns = new IsbnAllocator();
  private readonly pinyinCache = new Map<string, string>();
  private barcode = 0;
  /** ISBN-13 of records whose ids were chosen as ISBN-query targets. */
  readonly isbnTargets = new Map<number, string>();

  constructor(
    seed: number,
    readonly targetIds: ReadonlySet<number> = new Set(),
  ) {
    this.r = rng(seed);
    this.zhVocab = chineseVocabulary(3000);
    this.zhWord = zipf(this.zhVocab, 0.9);
    this.enWord = zipf(EN_WORDS, 0.8);
    this.zhSurname = zipf(ZH_SURNAMES, 0.7);
    this.enLast = zipf(EN_LAST, 0.8);
    this.zhPub = zipf(ZH_PUBLISHERS, 0.9);
    this.enPub = zipf(EN_PUBLISHERS, 0.7);
    this.clcTotal = CLC.reduce((a, c) => a + c[1], 0);
  }

  zhName(r: Rng = this.r): string {
    return this.zhSurname(r) + pick(r, ZH_GIVEN) + (r() < 0.6 ? pick(r, ZH_GIVEN) : '');
  }

  /** Pinyin syllables of a string, lower case, space separated (cached per part). */
  pinyinOf(part: string): string {
    let p = this.pinyinCache.get(part);
    if (p === undefined) {
      p = pinyin(part, { toneType: 'none', nonZh: 'removed', v: true, type: 'array' })
        .filter((s) => /[a-z]/.test(s))
        .join(' ');
      this.pinyinCache.set(part, p);
    }
    return p;
  }

  private year(): number {
    return 2026 - Math.floor(Math.pow(this.r(), 2) * 77);
  }

  private clc(): string {
    let x = this.r() * this.clcTotal;
    for (const [, w, nums] of CLC) {
      if (x < w) return pick(this.r, nums);
      x -= w;
    }
    return 'Z8';
  }

  private items(lang: 'chi' | 'eng', clc: string, bookNo: () => string): Item[] {
    const r = this.r;
    const n = r() < 0.55 ? 1 : r() < 0.67 ? 2 : 3;
    const out: Item[] = [];
    const no = bookNo();
    for (let i = 0; i < n; i++) {
      let b: (typeof BRANCHES)[number];
      const top = clc.charAt(0);
      if (top === 'R' && r() < 0.6) b = BRANCHES[2]!;
      else if ('NOPQSTUVX'.includes(top) && r() < 0.5) b = BRANCHES[1]!;
      else {
        let x = r() * 100;
        b = BRANCHES[0]!;
        for (const cand of BRANCHES) {
          if (x < cand[2]) {
            b = cand;
            break;
          }
          x -= cand[2];
        }
      }
      this.barcode++;
      out.push({
        branch: b[0],
        location: pick(r, lang === 'chi' ? b[3] : b[4]),
        callNumber: `${clc}/${no}`,
        barcode: b[1] + pad(this.barcode, 9),
        cls: clc,
        bookNo: no,
      });
    }
    return out;
  }

  private dates(year: number): { d005: string; entered: string } {
    const r = this.r;
    const ey = Math.max(year, 2000 + Math.floor(r() * 27));
    const entered = `${ey}${pad(1 + Math.floor(r() * 12), 2)}${pad(1 + Math.floor(r() * 28), 2)}`;
    const d005 = `${entered}${pad(Math.floor(r() * 24), 2)}${pad(Math.floor(r() * 60), 2)}${pad(Math.floor(r() * 60), 2)}.0`;
    return { d005, entered };
  }

  /** One record: the ISO 2709 bytes and the plain fields. */
  record(i: number): { marc: Buffer; plain: PlainRecord } {
    const id = `SL${pad(i, 8)}`;
    const rec = this.r() < 0.7 ? this.chinese(id) : this.english(id);
    if (this.targetIds.has(i)) this.isbnTargets.set(i, rec.plain.isbns[0]!);
    return rec;
  }

  private zhTitle(): { parts: string[]; sub: string[] } {
    const r = this.r;
    const w = (): string => this.zhWord(r);
    const t = r();
    if (t < 0.22) return { parts: [w(), w(), pick(r, ZH_TITLE_SUFFIX)], sub: [] };
    if (t < 0.34) return { parts: [w(), '与', w()], sub: [] };
    if (t < 0.46) {
      const parts = [pick(r, ZH_TITLE_PREFIX), w(), w()];
      if (r() < 0.5) parts.push(pick(r, ZH_TITLE_SUFFIX));
      return { parts, sub: [] };
    }
    if (t < 0.56)
      return { parts: r() < 0.5 ? [w(), '的', w(), '与', w()] : [w(), '的', w()], sub: [] };
    if (t < 0.68) {
      const s = r();
      const sub =
        s < 0.4 ? [w(), w(), '的视角'] : s < 0.7 ? ['以', w(), '为例'] : [w(), '理论与实践'];
      return { parts: [w(), w()], sub };
    }
    if (t < 0.8) return { parts: [w(), w(), w()], sub: [] };
    if (t < 0.88) return { parts: [w(), pick(r, ZH_TITLE_SUFFIX)], sub: [] };
    return { parts: [w(), w(), pick(r, ZH_TITLE_SUFFIX)], sub: [w(), '与', w()] };
  }

  private chinese(id: string): { marc: Buffer; plain: PlainRecord } {
    const r = this.r;
    let pub = this.zhPub(r);
    let titleParts: string[];
    let subParts: string[];
    let resp: string;
    const authors: string[] = [];
    const translators: string[] = [];
    if (r() < 0.01) {
      const f = pick(r, FAMOUS_ZH);
      titleParts = [f[0]];
      subParts = f[1] ? [f[1]] : [];
      authors.push(f[2]);
      resp = f[2] + f[3];
      pub = ZH_PUBLISHERS.find((p) => p[0] === f[4]) ?? pub;
    } else {
      ({ parts: titleParts, sub: subParts } = this.zhTitle());
      if (r() < 0.1) {
        const [nat, given, family] = pick(r, FOREIGN_ZH);
        const name = `${pick(r, given)}·${pick(r, family)}`;
        authors.push(name);
        translators.push(this.zhName());
        if (r() < 0.3) translators.push(this.zhName());
        resp = `(${nat})${name}著`;
      } else {
        const n = r() < 0.7 ? 1 : r() < 0.67 ? 2 : 3;
        for (let k = 0; k < n; k++) authors.push(this.zhName());
        const role = pick(r, ZH_ROLES);
        resp = n === 3 ? `${authors[0]}等${role.replace('等', '')}` : authors.join('，') + role;
      }
    }
    const title = titleParts.join('');
    const subtitle = subParts.join('');
    const year = this.year();
    const isbn = this.isbns.next(pub[2], '7');
    const clc = this.clc();
    const { d005, entered } = this.dates(year);
    const items = this.items('chi', clc, () => String(1 + Math.floor(r() * 3000)));

    // subjects: the first one often repeats a title word
    const subjects: string[] = [];
    const s606: MarcField[] = [];
    const nS = r() < 0.5 ? 1 : r() < 0.7 ? 2 : 3;
    for (let k = 0; k < nS; k++) {
      const topicSrc = k === 0 && r() < 0.6 ? titleParts.filter((p) => p.length >= 2) : [];
      const topic = topicSrc.length ? pick(r, topicSrc) : this.zhWord(r);
      const subs: Array<[string, string]> = [['a', topic]];
      if (r() < 0.4) subs.push(['x', r() < 0.5 ? pick(r, ZH_SUBDIVISIONS) : this.zhWord(r)]);
      if (r() < 0.45) subs.push(['y', pick(r, ZH_PLACES_SUBJ)]);
      if (r() < 0.1) subs.push(['z', pick(r, ZH_PERIODS)]);
      if (r() < 0.15) subs.push(['j', '教材']);
      s606.push({ tag: '606', ind: '0 ', subfields: subs });
      subjects.push(subs.map((s) => s[1]).join('—'));
    }

    const f: MarcField[] = [
      { tag: '001', value: id },
      { tag: '005', value: d005 },
      {
        tag: '010',
        ind: '  ',
        subfields: [
          ['a', ISBN.hyphenate(isbn)],
          ['d', `CNY${(19.8 + Math.floor(r() * 1100) / 10).toFixed(2)}`],
        ],
      },
      { tag: '100', ind: '  ', subfields: [['a', `${entered}d${year}    km y0chiy50      ea`]] },
      { tag: '101', ind: '0 ', subfields: [['a', 'chi']] },
      { tag: '102', ind: '  ', subfields: [['a', 'CN']] },
    ];
    const s200: Array<[string, string]> = [['a', title]];
    if (subtitle) s200.push(['e', subtitle]);
    s200.push(['f', resp]);
    if (translators.length) s200.push(['g', translators.join('，') + '译']);
    s200.push(['9', [...titleParts, ...subParts].map((p) => this.pinyinOf(p)).join(' ')]);
    f.push({ tag: '200', ind: '1 ', subfields: s200 });
    if (r() < 0.15)
      f.push({
        tag: '205',
        ind: '  ',
        subfields: [['a', r() < 0.2 ? '修订版' : `第${2 + Math.floor(Math.pow(r(), 2) * 8)}版`]],
      });
    f.push({
      tag: '210',
      ind: '  ',
      subfields: [
        ['a', pub[1]],
        ['c', pub[0]],
        ['d', String(year)],
      ],
    });
    const s215: Array<[string, string]> = [['a', `${80 + Math.floor(r() * 600)}页`]];
    if (r() < 0.4) s215.push(['c', '图']);
    s215.push(['d', `${pick(r, [21, 23, 24, 26])}cm`]);
    f.push({ tag: '215', ind: '  ', subfields: s215 });
    if (r() < 0.12) f.push({ tag: '225', ind: '2 ', subfields: [['a', pick(r, ZH_SERIES)]] });
    if (r() < 0.3) {
      const w = (): string => this.zhWord(r);
      let s = `本书${pick(r, ['系统介绍了', '全面论述了', '深入探讨了', '主要研究了'])}${w()}的${pick(r, ['基本理论', '基本原理', '主要方法', '发展历程', '最新进展'])}，内容包括${w()}、${w()}和${w()}等。`;
      if (r() < 0.5) s += `可作为高等院校相关专业的教材，也可供${w()}领域的研究人员参考。`;
      f.push({ tag: '330', ind: '  ', subfields: [['a', s]] });
    }
    f.push(...s606);
    f.push({
      tag: '690',
      ind: '  ',
      subfields: [
        ['a', clc],
        ['v', '5'],
      ],
    });
    for (const a of authors)
      f.push({
        tag: '701',
        ind: ' 0',
        subfields: [
          ['a', a],
          ['4', '070'],
        ],
      });
    for (const t of translators)
      f.push({
        tag: '702',
        ind: ' 0',
        subfields: [
          ['a', t],
          ['4', '730'],
        ],
      });
    f.push({
      tag: '801',
      ind: ' 0',
      subfields: [
        ['a', 'CN'],
        ['b', '书林大学图书馆'],
        ['c', entered],
      ],
    });
    for (const it of items)
      f.push({
        tag: '905',
        ind: '  ',
        subfields: [
          ['a', it.branch],
          ['b', it.barcode],
          ['c', it.location],
          ['d', it.cls],
          ['e', it.bookNo],
        ],
      });
    const marc = encodeRecord('00000nam0 2200000   450 ', f);
    return {
      marc,
      plain: {
        id,
        lang: 'chi',
        title,
        subtitle,
        authors: [...authors, ...translators],
        subjects,
        publisher: pub[0],
        year,
        isbns: [isbn],
        clc,
        items: items.map(({ branch, location, callNumber, barcode }) => ({
          branch,
          location,
          callNumber,
          barcode,
        })),
      },
    };
  }

  private enTitle(): { title: string; sub: string } {
    const r = this.r;
    const w = (): string => enWordCase(this.enWord(r));
    const t = r();
    let title: string;
    let sub = '';
    if (t < 0.18) title = `introduction to ${w()} ${w()}`;
    else if (t < 0.34) title = `${w()} and ${w()} in ${w()} ${w()}`;
    else if (t < 0.48) title = `the ${w()} of ${w()} ${w()}`;
    else if (t < 0.64) {
      title = `${w()} ${w()}`;
      sub = `${r() < 0.5 ? 'a ' : ''}${w()} ${pick(r, ['approach', 'perspective', 'handbook', 'introduction', 'reader', 'history'])}`;
    } else if (t < 0.78) title = `principles of ${w()} ${w()}`;
    else if (t < 0.88) title = `handbook of ${w()} ${w()}`;
    else title = `${w()} ${w()} ${w()}`;
    return { title: cap1(title), sub };
  }

  private english(id: string): { marc: Buffer; plain: PlainRecord } {
    const r = this.r;
    let pub = this.enPub(r);
    let title: string;
    let sub: string;
    const names: Array<[last: string, first: string]> = [];
    if (r() < 0.01) {
      const fm = pick(r, FAMOUS_EN);
      title = fm[0];
      sub = fm[1];
      names.push([fm[2], fm[3]]);
      pub = EN_PUBLISHERS.find((p) => p[0] === fm[4]) ?? pub;
    } else {
      ({ title, sub } = this.enTitle());
      const n = r() < 0.7 ? 1 : r() < 0.67 ? 2 : 3;
      for (let k = 0; k < n; k++) names.push([this.enLast(r), pick(r, EN_FIRST)]);
    }
    const year = this.year();
    const isbn = this.isbns.next(pub[2], '');
    const clc = this.clc();
    const { d005, entered } = this.dates(year);
    const first = names[0]!;
    const items = this.items('eng', clc, () => `${first[0].charAt(0)}${10 + Math.floor(r() * 90)}`);
    const subjects: string[] = [];
    const s650: MarcField[] = [];
    const nS = r() < 0.5 ? 1 : r() < 0.7 ? 2 : 3;
    for (let k = 0; k < nS; k++) {
      const topic = cap1(this.enWord(r) + (r() < 0.3 ? ' ' + enWordCase(this.enWord(r)) : ''));
      const subs: Array<[string, string]> = [['a', topic]];
      if (r() < 0.4)
        subs.push([
          'x',
          pick(r, [
            'History',
            'Research',
            'Study and teaching',
            'Social aspects',
            'Economic aspects',
            'Mathematical models',
            'Data processing',
          ]),
        ]);
      if (r() < 0.25)
        subs.push(['z', pick(r, ['China', 'United States', 'Europe', 'Great Britain'])]);
      const last = subs[subs.length - 1]!;
      s650.push({
        tag: '650',
        ind: ' 0',
        subfields: subs.map((s) => (s === last ? [s[0], s[1] + '.'] : s)),
      });
      subjects.push(subs.map((s) => s[1]).join(' -- '));
    }
    const place008 =
      {
        'New York': 'nyu',
        'Hoboken, NJ': 'nju',
        Cambridge: 'enk',
        Oxford: 'enk',
        London: 'enk',
        Amsterdam: 'ne ',
        Boston: 'mau',
        'Cambridge, MA': 'mau',
        'Boca Raton, FL': 'flu',
        'Princeton, NJ': 'nju',
        'Thousand Oaks, CA': 'cau',
        'New Haven': 'ctu',
        Chicago: 'ilu',
        'Sebastopol, CA': 'cau',
        Singapore: 'si ',
      }[pub[1]] ?? 'xxu';
    const d008 = `${entered.slice(2)}s${year}    ${place008}a   ${'  '}b    001 0 eng d`;
    const full = (n: [string, string]): string => `${n[1]} ${n[0]}`;
    const resp =
      names.length === 1
        ? full(first)
        : names.length === 2
          ? `${full(first)} and ${full(names[1]!)}`
          : `${full(first)} [and others]`;
    const nonfiling = title.startsWith('The ') ? '4' : '0';
    const s245: Array<[string, string]> = [['a', sub ? `${title} :` : `${title} /`]];
    if (sub) s245.push(['b', `${sub} /`]);
    s245.push(['c', `${resp}.`]);
    const f: MarcField[] = [
      { tag: '001', value: id },
      { tag: '005', value: d005 },
      { tag: '008', value: d008 },
      { tag: '020', ind: '  ', subfields: [['a', isbn]] },
      {
        tag: '040',
        ind: '  ',
        subfields: [
          ['a', 'DLC'],
          ['b', 'eng'],
          ['e', 'rda'],
          ['c', 'DLC'],
          ['d', 'SLU'],
        ],
      },
      {
        tag: '100',
        ind: '1 ',
        subfields: [
          ['a', `${first[0]}, ${first[1]},`],
          ['e', 'author.'],
        ],
      },
      { tag: '245', ind: '1' + nonfiling, subfields: s245 },
    ];
    if (r() < 0.15) {
      const n = 2 + Math.floor(Math.pow(r(), 2) * 8);
      f.push({
        tag: '250',
        ind: '  ',
        subfields: [['a', `${n}${n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'} edition.`]],
      });
    }
    f.push({
      tag: '264',
      ind: ' 1',
      subfields: [
        ['a', `${pub[1]} :`],
        ['b', `${pub[0]},`],
        ['c', `${year}.`],
      ],
    });
    const roman = pick(r, ['ix', 'xii', 'xv', 'xx', 'xxiv']);
    f.push({
      tag: '300',
      ind: '  ',
      subfields: [
        ['a', `${roman}, ${100 + Math.floor(r() * 700)} pages :`],
        ['b', 'illustrations ;'],
        ['c', `${pick(r, [23, 24, 25, 26])} cm`],
      ],
    });
    if (r() < 0.12) f.push({ tag: '490', ind: '0 ', subfields: [['a', pick(r, EN_SERIES)]] });
    if (r() < 0.3) {
      const w = (): string => enWordCase(this.enWord(r));
      f.push({
        tag: '520',
        ind: '  ',
        subfields: [
          [
            'a',
            `This book ${pick(r, ['provides an introduction to', 'examines', 'explores', 'offers a comprehensive account of'])} ${w()} and ${w()}, with ${pick(r, ['case studies', 'examples', 'exercises'])} from ${w()} ${w()}.`,
          ],
        ],
      });
    }
    f.push(...s650);
    for (const n of names.slice(1))
      f.push({
        tag: '700',
        ind: '1 ',
        subfields: [
          ['a', `${n[0]}, ${n[1]},`],
          ['e', 'author.'],
        ],
      });
    for (const it of items)
      f.push({
        tag: '852',
        ind: '  ',
        subfields: [
          ['a', 'SLU'],
          ['b', it.branch],
          ['c', it.location],
          ['h', it.callNumber],
          ['p', it.barcode],
        ],
      });
    const marc = encodeRecord('00000nam a2200000 i 4500', f);
    return {
      marc,
      plain: {
        id,
        lang: 'eng',
        title,
        subtitle: sub,
        authors: names.map((n) => `${n[0]}, ${n[1]}`),
        subjects,
        publisher: pub[0],
        year,
        isbns: [isbn],
        clc,
        items: items.map(({ branch, location, callNumber, barcode }) => ({
          branch,
          location,
          callNumber,
          barcode,
        })),
      },
    };
  }

  // ---------- queries ----------

  /** Query kinds and how many of each (1,000 in all). */
  static readonly QUERY_MIX: ReadonlyArray<readonly [string, number]> = [
    ['zh1', 340],
    ['zh2', 180],
    ['zh-title', 50],
    ['zh-author', 60],
    ['zh-trad', 30],
    ['pinyin', 15],
    ['pinyin-initials', 15],
    ['en1', 160],
    ['en2', 100],
    ['en-author', 30],
    ['isbn', 20],
  ];

  /** The fixed query set, drawn with its own PRNG from the records' vocabularies. */
  queries(seed: number, isbnTargets: readonly string[]): BenchQuery[] {
    const q = rng(seed);
    // opencc-js ships extensionless ESM type imports that NodeNext cannot follow; type it here
    const converter = OpenCC.Converter as unknown as (o: {
      from: string;
      to: string;
    }) => (text: string) => string;
    const toTrad = converter({ from: 'cn', to: 'tw' });
    const famous = FAMOUS_ZH.map((f) => f[0]);
    const zhWord = (): string => this.zhWord(q);
    const out: BenchQuery[] = [];
    let isbnNo = 0;
    for (const [kind, count] of CatalogueGenerator.QUERY_MIX) {
      for (let k = 0; k < count; k++) {
        let text: string;
        switch (kind) {
          case 'zh1':
            text = zhWord();
            break;
          case 'zh2':
            text = `${zhWord()} ${zhWord()}`;
            break;
          case 'zh-title':
            text = pick(q, famous);
            break;
          case 'zh-author':
            text = this.zhName(q);
            break;
          case 'zh-trad': {
            text = '';
            for (let tries = 0; tries < 50; tries++) {
              const src =
                q() < 0.3 ? pick(q, famous) : q() < 0.6 ? zhWord() : `${zhWord()} ${zhWord()}`;
              const t = toTrad(src);
              if (t !== src) {
                text = t;
                break;
              }
            }
            if (!text) text = toTrad('计算机网络');
            break;
          }
          case 'pinyin':
          case 'pinyin-initials': {
            const src = q() < 0.3 ? pick(q, famous) : zhWord();
            const syl = this.pinyinOf(src).split(' ');
            text = kind === 'pinyin' ? syl.join('') : syl.map((s) => s.charAt(0)).join('');
            break;
          }
          case 'en1':
            text = this.enWord(q);
            break;
          case 'en2':
            text = `${this.enWord(q)} ${this.enWord(q)}`;
            break;
          case 'en-author':
            text = this.enLast(q);
            break;
          case 'isbn': {
            // mostly books we hold, in the forms readers type or scan; some we do not hold
            const held = isbnNo % 5 !== 4 && isbnTargets.length > 0;
            let isbn13: string;
            if (held) isbn13 = isbnTargets[isbnNo % isbnTargets.length]!;
            else {
              const d12 = `9787${pad(Math.floor(q() * 1e8), 8)}`;
              isbn13 = d12 + isbn13Check(d12);
            }
            const form = isbnNo % 5;
            isbnNo++;
            const parsed = ISBN.parse(isbn13);
            if (form === 0 || !parsed) text = isbn13;
            else if (form === 1) text = parsed.isbn13h;
            else if (form === 2) text = parsed.isbn10 ?? isbn13;
            else if (form === 3) text = `EAN_13,${isbn13}`;
            else text = parsed.isbn10h ?? parsed.isbn13h;
            break;
          }
          default:
            throw new Error(`unknown query kind ${kind}`);
        }
        out.push({ q: text, kind });
      }
    }
    // seeded Fisher-Yates shuffle so every prefix (e.g. the first 60) mixes the kinds
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(q() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

export interface GenerateResult {
  meta: DataMeta;
  dir: string;
}

/** Generates `records` records and the query set into `dir`. */
export function generate(records: number, dir: string, seed = DEFAULT_SEED): GenerateResult {
  checkPrefixes();
  mkdirSync(dir, { recursive: true });
  const t0 = process.hrtime.bigint();
  // ISBN-query targets: 16 record ids in the first 10,000 (own PRNG, independent of --records)
  const tr = rng(seed ^ 0x5eed);
  const window = Math.min(records, ISBN_TARGET_WINDOW);
  const targetIds = new Set<number>();
  for (let k = 0; k < 64 && targetIds.size < 16 && window > 0; k++)
    targetIds.add(1 + Math.floor(tr() * window));
  const gen = new CatalogueGenerator(seed, targetIds);
  const mrc = new Sink(join(dir, 'records.mrc'));
  const nd = new Sink(join(dir, 'records.ndjson'));
  const prefixHash = createHash('sha256');
  let chinese = 0;
  let items = 0;
  const every = Math.max(1, Math.floor(records / 10));
  for (let i = 1; i <= records; i++) {
    const { marc, plain } = gen.record(i);
    mrc.write(marc);
    if (i <= 100_000) prefixHash.update(marc);
    nd.write(JSON.stringify(plain) + '\n');
    if (plain.lang === 'chi') chinese++;
    items += plain.items.length;
    if (i % every === 0) log(`generated ${i.toLocaleString('en')} records`);
  }
  const mrcSha = mrc.close();
  const ndSha = nd.close();
  const targets = [...targetIds].sort((a, b) => a - b).map((id) => gen.isbnTargets.get(id)!);
  const queries = gen.queries(seed + 1, targets);
  const qText = JSON.stringify(queries, null, 0);
  writeFileSync(join(dir, 'queries.json'), qText);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  const meta: DataMeta = {
    records,
    seed,
    queries: queries.length,
    generatedSeconds: Number(seconds.toFixed(2)),
    recordsPerSecond: Math.round(records / seconds),
    files: {
      'records.mrc': { bytes: statSync(mrc.file).size, sha256: mrcSha },
      'records.ndjson': { bytes: statSync(nd.file).size, sha256: ndSha },
      'queries.json': { bytes: Buffer.byteLength(qText), sha256: sha(qText) },
    },
    mrcPrefix100kSha256: prefixHash.digest('hex'),
    chineseRecords: chinese,
    marc21Records: records - chinese,
    items,
  };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
  return { meta, dir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = parseArgs(process.argv.slice(2));
  const records = intArg(args, 'records', 100_000);
  const outArg = args.get('out');
  if (!outArg) throw new Error('--out DIR is required (the data is ~1.2 GB at 1M records)');
  const out = resolve(outArg);
  const seed = intArg(args, 'seed', DEFAULT_SEED);
  if (records < 1 || records > 99_999_999) throw new Error('--records must be 1..99,999,999');
  const { meta } = generate(records, out, seed);
  const kinds = new Map<string, number>();
  for (const [k, n] of CatalogueGenerator.QUERY_MIX) kinds.set(k, n);
  console.log(
    JSON.stringify(
      {
        out,
        records: meta.records,
        seconds: meta.generatedSeconds,
        recordsPerSecond: meta.recordsPerSecond,
        chinese: meta.chineseRecords,
        marc21: meta.marc21Records,
        items: meta.items,
        files: meta.files,
        mrcPrefix100kSha256: meta.mrcPrefix100kSha256,
        queryKinds: Object.fromEntries(kinds),
      },
      null,
      1,
    ),
  );
}
