/**
 * MARC → BibRecord. One mapping table per flavour (research/library-systems.md §3.3):
 * MARC 21 (with 880 vernacular fields) and UNIMARC/CNMARC (with 690 CLC, 905 holdings,
 * pinyin subfields). Cataloguing punctuation and relator words are removed here so that
 * search and display never see "Collins, Jack." or "刘慈欣著".
 */
import { createHash } from 'node:crypto';
import type { Author, BibRecord, Item, MaterialType } from '../record.ts';
import { detectFlavour, type Flavour } from './detect.ts';
import { parseIsbn, normaliseIssn } from './isbn.ts';
import { isDataField, type DataField, type MarcField, type MarcRecord } from './record.ts';

export interface MapOptions {
  /** Which fields hold items (holdings/copies). Defaults: MARC 21 852/949/952, UNIMARC 905/995. */
  itemFields?: { marc21?: string[]; unimarc?: string[] };
}

const DEFAULT_ITEM_FIELDS = { marc21: ['852', '949', '952'], unimarc: ['905', '995'] };

// ---------------------------------------------------------------- text helpers

const HAN = /[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]/u;

/** Drops MARC non-sort markers (NSB/NSE) and collapses whitespace. */
function clean(s: string): string {
  return s
    .replace(/[\u0098\u009c]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Punctuation and blanks trimIsbd removes at either end (the period is handled apart). */
function isStrip(c: number): boolean {
  switch (c) {
    case 0x20: // space
    case 0x2c: // ,
    case 0x2f: // /
    case 0x3a: // :
    case 0x3b: // ;
    case 0x3d: // =
    case 0xff0c: // ，
    case 0xff0f: // ／
    case 0xff1a: // ：
    case 0xff1b: // ；
      return true;
    default:
      return c < 0x20 || c === 0x3000 || c === 0xa0;
  }
}

const NEEDS_CLEAN = /[\u0098\u009c\t\n\r\f\v\u00a0\u3000]| {2}/;
/** Words whose final period is part of the word, not ISBD punctuation. */
const KEEPS_PERIOD = /^(?:[A-Z]|[A-Z]\.[A-Z]|Jr|Sr|etc|Inc|Ltd|Co|Bros|al|ed|eds|ca|Mr|Mrs|Dr|St)$/;

/**
 * Removes ISBD punctuation at the ends: " /", " :", " ;", " =", ",", "." and their
 * full-width forms. A final period stays after an initial ("Smith, J.") or an
 * abbreviation ("Jr.", "etc.") and in an ellipsis, where it is part of the text.
 *
 * @example
 * trimIsbd('Sandburg, Carl,'); // 'Sandburg, Carl'
 * trimIsbd('北京 :'); // '北京'
 */
export function trimIsbd(value: string): string {
  // Runs for every title, name and heading of an import: index arithmetic, no regex
  // replaces, and one slice at the end.
  const s = NEEDS_CLEAN.test(value) ? clean(value) : value;
  let a = 0;
  let z = s.length;
  for (;;) {
    while (a < z && isStrip(s.charCodeAt(a))) a++;
    while (z > a && isStrip(s.charCodeAt(z - 1))) z--;
    if (z <= a) return '';
    const last = s.charCodeAt(z - 1);
    if (last === 0x3002 || last === 0xff0e) {
      z--; // 。．
      continue;
    }
    if (last !== 0x2e) break;
    if (z - a >= 3 && s.charCodeAt(z - 2) === 0x2e && s.charCodeAt(z - 3) === 0x2e) break;
    let w = z - 1;
    while (w > a && s.charCodeAt(w - 1) !== 0x20) w--;
    if (KEEPS_PERIOD.test(s.slice(w, z - 1))) break;
    z--;
  }
  return a === 0 && z === s.length ? s : s.slice(a, z);
}

/** trimIsbd over a list, dropping what ends up empty. */
function trimAll(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const t = trimIsbd(v);
    if (t !== '') out.push(t);
  }
  return out;
}

/** The first value of a subfield, ISBD-trimmed; null when missing or empty. */
function val(f: DataField, code: string): string | null {
  return nonEmpty(sub(f, code));
}

/** The first values of two subfields joined by a space (call number parts), or null. */
function joined(f: DataField, first: string, second: string): string | null {
  const x = sub(f, first);
  const y = sub(f, second);
  return nonEmpty(x !== undefined && y !== undefined ? `${x} ${y}` : (x ?? y));
}

function nonEmpty(s: string | null | undefined): string | null {
  if (s === undefined || s === null) return null;
  const t = trimIsbd(s);
  return t === '' ? null : t;
}

function uniq(values: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const key = v.toLowerCase();
    if (v !== '' && !seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

function sub(f: DataField | undefined, code: string): string | undefined {
  if (!f) return undefined;
  for (const s of f.subfields) if (s.code === code) return s.value;
  return undefined;
}

function subs(f: DataField | undefined, codes: string): string[] {
  if (!f) return [];
  const out: string[] = [];
  for (const s of f.subfields) if (codes.includes(s.code)) out.push(s.value);
  return out;
}

const YEAR = /(?<![0-9])(1[0-9]{3}|20[0-9]{2})(?![0-9])/;

function firstYear(value: string | undefined | null): number | null {
  if (!value) return null;
  const m = YEAR.exec(value);
  return m ? Number(m[1]) : null;
}

/** Fields bucketed by tag once, so the mapping does not rescan the record per element. */
class Fields {
  readonly data = new Map<string, DataField[]>();
  readonly control = new Map<string, string>();
  constructor(record: MarcRecord) {
    for (const f of record.fields) {
      if (isDataField(f)) {
        const list = this.data.get(f.tag);
        if (list) list.push(f);
        else this.data.set(f.tag, [f]);
      } else if (!this.control.has(f.tag)) {
        this.control.set(f.tag, f.value);
      }
    }
  }
  all(...tags: string[]): DataField[] {
    if (tags.length === 1) return this.data.get(tags[0] as string) ?? [];
    const out: DataField[] = [];
    for (const t of tags) {
      const list = this.data.get(t);
      if (list) out.push(...list);
    }
    return out;
  }
  first(tag: string): DataField | undefined {
    return this.data.get(tag)?.[0];
  }
}

// ---------------------------------------------------------------- roles

/** MARC relator codes (id.loc.gov/vocabulary/relators) for the roles readers care about. */
const MARC_RELATORS: Record<string, string> = {
  aut: 'author',
  edt: 'editor',
  trl: 'translator',
  ill: 'illustrator',
  com: 'compiler',
  ctb: 'contributor',
  aui: 'author of introduction',
  cmp: 'composer',
  prf: 'performer',
  pht: 'photographer',
  nrt: 'narrator',
  drt: 'director',
  ann: 'annotator',
  adp: 'adapter',
  ths: 'thesis advisor',
  // AACR2-era relator terms and abbreviations seen in $e ('ill.' doubles as a code).
  ed: 'editor',
  eds: 'editor',
  tr: 'translator',
  trans: 'translator',
  comp: 'compiler',
  'joint author': 'author',
  'joint ed': 'editor',
};

/** UNIMARC relator codes (Appendix C). */
const UNIMARC_RELATORS: Record<string, string> = {
  '005': 'actor',
  '010': 'adapter',
  '020': 'annotator',
  '070': 'author',
  '072': 'author in quotations',
  '075': 'author of afterword',
  '080': 'author of introduction',
  '205': 'contributor',
  '212': 'commentator',
  '220': 'compiler',
  '230': 'composer',
  '340': 'editor',
  '440': 'illustrator',
  '600': 'photographer',
  '651': 'publishing director',
  '727': 'thesis advisor',
  '730': 'translator',
};

/**
 * Chinese relator words, longest first so "编著" wins over "著". 编著 (compiled and written)
 * counts as authorship; 主编/编 as editing; 编译 as translation.
 */
const CHINESE_RELATORS: Array<[string, string]> = [
  ['等编著', 'author'],
  ['等主编', 'editor'],
  ['原著', 'author'],
  ['编著', 'author'],
  ['著作', 'author'],
  ['撰文', 'author'],
  ['等著', 'author'],
  ['主编', 'editor'],
  ['编写', 'editor'],
  ['编辑', 'editor'],
  ['选编', 'editor'],
  ['等编', 'editor'],
  ['编译', 'translator'],
  ['翻译', 'translator'],
  ['等译', 'translator'],
  ['合译', 'translator'],
  ['译注', 'translator'],
  ['绘图', 'illustrator'],
  ['插图', 'illustrator'],
  ['改编', 'adapter'],
  ['校注', 'annotator'],
  ['著', 'author'],
  ['撰', 'author'],
  ['编', 'editor'],
  ['译', 'translator'],
  ['绘', 'illustrator'],
  ['注', 'annotator'],
];

/** Splits a trailing Chinese relator word off a name: "刘慈欣著" → ["刘慈欣", "author"]. */
function splitChineseRelator(name: string): [string, string | null] {
  const s = name.trim();
  if (!HAN.test(s)) return [s, null];
  for (const [word, role] of CHINESE_RELATORS) {
    if (s.length > word.length && s.endsWith(word)) {
      return [s.slice(0, -word.length).replace(/等$/, '').trim(), role];
    }
  }
  return [s.replace(/(?<=.)等$/, ''), null];
}

function roleFromRelator(text: string | undefined, table: Record<string, string>): string | null {
  if (text === undefined) return null;
  const t = trimIsbd(text).replace(/\.$/, '').toLowerCase();
  if (t === '') return null;
  const coded = table[t];
  if (coded) return coded;
  const chinese = CHINESE_RELATORS.find(([w]) => w === t);
  if (chinese) return chinese[1];
  return t;
}

/** Nationality/dynasty markers before Chinese names: "[美]", "(清)", "（英）". */
const NATIONALITY = /^\s*[[(（【〔][^\])）】〕]{1,6}[\])）】〕]\s*/;

/**
 * Authors from a Chinese statement of responsibility, for records with no 7XX:
 * "库罗斯, 罗斯著 ; 陈鸣译" → 库罗斯 (author), 罗斯 (author), 陈鸣 (translator).
 */
function authorsFromStatement(statement: string): Author[] {
  const authors: Author[] = [];
  for (const segment of statement.split(/\s*[;；]\s*/)) {
    let s = trimIsbd(segment);
    while (NATIONALITY.test(s)) s = s.replace(NATIONALITY, '');
    const [names, role] = splitChineseRelator(s);
    for (const raw of names.split(/\s*[,，、]\s*/)) {
      let name = raw.replace(NATIONALITY, '').replace(/(?<=.)等$/, '');
      name = trimIsbd(name);
      if (name !== '') authors.push({ name, role });
    }
  }
  return authors;
}

function dedupeAuthors(authors: Author[]): Author[] {
  const seen = new Set<string>();
  return authors.filter((a) => {
    const key = `${a.name}\u0000${a.role ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------- material type

function materialType(leader: string, flavour: Flavour): MaterialType {
  const type = leader[6] ?? ' ';
  const level = leader[7] ?? ' ';
  const serial = level === 's' || level === 'i' || (flavour === 'marc21' && level === 'b');
  switch (type) {
    case 'a':
      return serial ? 'serial' : 'book';
    case 'b': // UNIMARC: manuscript text (MARC 21: obsolete archival code)
      return flavour === 'unimarc' ? (serial ? 'serial' : 'book') : 'other';
    case 't': // MARC 21: manuscript language material
      return flavour === 'marc21' ? (serial ? 'serial' : 'book') : 'other';
    case 'c':
    case 'd':
      return 'score';
    case 'e':
    case 'f':
      return 'map';
    case 'g':
      return 'video';
    case 'i':
    case 'j':
      return 'audio';
    case 'l': // UNIMARC: electronic resource
      return flavour === 'unimarc' ? 'electronic' : 'other';
    case 'm': // MARC 21: computer file; UNIMARC: multimedia
      return flavour === 'marc21' ? 'electronic' : 'mixed';
    case 'o':
    case 'p':
      return 'mixed';
    default:
      return 'other';
  }
}

// ---------------------------------------------------------------- items

function flag(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '' && value.trim() !== '0';
}

function itemFrom(
  f: DataField,
  flavour: Flavour,
): { item: Item | null; callNumber: string | null } {
  let barcode: string | null;
  let branch: string | null;
  let location: string | null;
  let callNumber: string | null;
  let loanType: string | null = null;
  let volume: string | null = null;
  let status = 'available';
  if (f.tag === '852') {
    // MARC 21 holdings: $b sublocation, $c shelving location, $h/$i call number, $p piece id.
    barcode = val(f, 'p');
    branch = val(f, 'b') ?? val(f, 'a');
    location = val(f, 'c');
    callNumber = joined(f, 'h', 'i');
    volume = val(f, '3') ?? val(f, 't');
  } else if (f.tag === '905') {
    // CNMARC holdings: $a library, $b barcode, $c location (varies by system),
    // $d class part, $e book (种次) number → "d/e", $f volume.
    barcode = val(f, 'b');
    branch = val(f, 'a');
    location = val(f, 'c');
    const cls = val(f, 'd');
    const book = val(f, 'e');
    callNumber = cls && book ? `${cls}/${book}` : (cls ?? book);
    volume = val(f, 'f');
  } else if (flavour === 'unimarc') {
    // Koha UNIMARC 995: $b owner, $c holding branch, $e location, $f barcode, $k call
    // number, $r item type, $n due date (on loan), $o not for loan, $2 lost.
    barcode = val(f, 'f');
    branch = val(f, 'c') ?? val(f, 'b');
    location = val(f, 'e');
    callNumber = val(f, 'k');
    loanType = val(f, 'r');
    if (flag(sub(f, '2'))) status = 'lost';
    else if (flag(sub(f, 'n'))) status = 'checked-out';
    else if (flag(sub(f, 'o'))) status = 'not-for-loan';
  } else {
    // Koha MARC 21 952 (and 949 in the same layout): $a home / $b holding branch,
    // $c location, $o call number, $p barcode, $y item type, $h volume; $0 withdrawn,
    // $1 lost, $4 damaged, $7 not for loan, $q due date (on loan).
    barcode = val(f, 'p');
    branch = val(f, 'b') ?? val(f, 'a');
    location = val(f, 'c');
    callNumber = val(f, 'o');
    loanType = val(f, 'y');
    volume = val(f, 'h');
    if (flag(sub(f, '0'))) status = 'withdrawn';
    else if (flag(sub(f, '1'))) status = 'lost';
    else if (flag(sub(f, 'q'))) status = 'checked-out';
    else if (flag(sub(f, '4'))) status = 'damaged';
    else if (flag(sub(f, '7'))) status = 'not-for-loan';
  }
  // Without a barcode there is nothing to lend or place a hold on; the call number still
  // tells readers where the book stands, so it feeds the record's callNumber.
  const item: Item | null = barcode
    ? { barcode, branch, location, callNumber, status, loanType, volume }
    : null;
  return { item, callNumber };
}

function items(
  fields: Fields,
  tags: string[],
  flavour: Flavour,
): { items: Item[]; callNumbers: string[] } {
  const out: Item[] = [];
  const callNumbers: string[] = [];
  for (const f of fields.all(...tags)) {
    const { item, callNumber } = itemFrom(f, flavour);
    if (item) out.push(item);
    if (callNumber) callNumbers.push(callNumber);
  }
  return { items: out, callNumbers };
}

// ---------------------------------------------------------------- shared

function controlNumber(fields: Fields, record: MarcRecord, isbns: string[]): string {
  // danMARC-style records carry 001 as a data field ($a).
  const f001 = (fields.control.get('001') ?? sub(fields.first('001'), 'a'))?.trim();
  if (f001) return f001;
  const f035 = nonEmpty(sub(fields.first('035'), 'a'));
  if (f035) return f035;
  if (isbns[0]) return `isbn:${isbns[0]}`;
  const hash = createHash('sha1').update(JSON.stringify(record.fields)).digest('hex');
  return `sha1:${hash.slice(0, 20)}`;
}

function collectIsbns(values: string[]): { isbns: string[]; isbn10s: string[] } {
  const isbns: string[] = [];
  const isbn10s: string[] = [];
  for (const value of values) {
    const parsed = parseIsbn(value);
    if (!parsed) continue;
    isbns.push(parsed.isbn13);
    if (parsed.isbn10) isbn10s.push(parsed.isbn10);
  }
  return { isbns: uniq(isbns), isbn10s: uniq(isbn10s) };
}

function subjectHeading(f: DataField, main: string, subdivisions: string): string | null {
  const head: string[] = [];
  const parts: string[] = [];
  for (const s of f.subfields) {
    const value = trimIsbd(s.value);
    if (value === '') continue;
    if (main.includes(s.code) && parts.length === 0) head.push(value);
    else if (subdivisions.includes(s.code)) parts.push(value);
  }
  if (head.length === 0 && parts.length === 0) return null;
  return [head.join(', '), ...parts].filter((p) => p !== '').join(' -- ');
}

function joinName(f: DataField, codes: string, separator: string): string {
  return trimAll(subs(f, codes)).join(separator);
}

// ---------------------------------------------------------------- MARC 21

interface Linked {
  /** 880 fields by "TAG-NN" occurrence, from their $6. */
  byLink: Map<string, DataField>;
}

function linked880(fields: Fields): Linked {
  const byLink = new Map<string, DataField>();
  for (const f of fields.all('880')) {
    const six = sub(f, '6');
    const m = six ? /^(\d{3})-(\d{2})/.exec(six) : null;
    if (m) byLink.set(`${m[1]}-${m[2]}`, f);
  }
  return { byLink };
}

const UNREPEATED = new Set(['100', '110', '111', '245', '250', '260']);

/** The 880 holding the vernacular form of a field, via "$6 880-NN" on the romanised side. */
function vernacular(f: DataField | undefined, links: Linked): DataField | undefined {
  if (!f) return undefined;
  const six = sub(f, '6');
  const m = six ? /^880-(\d{2})/.exec(six) : null;
  if (m) return links.byLink.get(`${f.tag}-${m[1]}`);
  // "TAG-00" marks an 880 with no romanised partner; it can only be matched to a field
  // that occurs once, or every repeated 700 would get the same vernacular name.
  return UNREPEATED.has(f.tag) ? links.byLink.get(`${f.tag}-00`) : undefined;
}

function marc21Title(f: DataField | undefined): string {
  if (!f) return '';
  // $a title, $n/$p number and name of part: "Title. Part 2, Name".
  const parts = trimAll(subs(f, 'anp'));
  return parts.join('. ');
}

function marc21Name(f: DataField): string {
  const tag = f.tag.slice(1);
  // Personal: "$a Smith, George Adam, $c Sir." keeps its inner commas.
  if (tag === '00') return trimIsbd(subs(f, 'abc').join(' '));
  if (tag === '10') return joinName(f, 'ab', '. ');
  return joinName(f, 'a', ' ');
}

function marc21Authors(fields: Fields, links: Linked): Author[] {
  const authors: Author[] = [];
  for (const tag of ['100', '110', '111', '700', '710', '711']) {
    for (const f of fields.all(tag)) {
      const roman = marc21Name(f);
      if (roman === '') continue;
      const v = vernacular(f, links);
      const vname = v ? marc21Name(v) : '';
      const [name, wordRole] = splitChineseRelator(vname || roman);
      const relator = tag.endsWith('11') ? sub(f, 'j') : sub(f, 'e');
      const role =
        roleFromRelator(relator, MARC_RELATORS) ??
        roleFromRelator(sub(f, '4'), MARC_RELATORS) ??
        wordRole ??
        (tag === '100' ? 'author' : null);
      const author: Author = { name, role };
      if (vname) author.pinyin = roman;
      authors.push(author);
    }
  }
  return dedupeAuthors(authors);
}

function lcCallNumber(f: DataField | undefined): string | null {
  return f ? joined(f, 'a', 'b') : null;
}

function marc21(record: MarcRecord, fields: Fields, itemTags: string[]): BibRecord {
  const links = linked880(fields);
  const f245 = fields.first('245');
  const v245 = vernacular(f245, links);
  const romanTitle = marc21Title(f245);
  const parallelTitles: string[] = [];
  let title = romanTitle;
  let titlePinyin: string | null = null;
  const vTitle = marc21Title(v245);
  if (vTitle) {
    title = vTitle;
    if (romanTitle) parallelTitles.push(romanTitle);
    const script = sub(v245, '6') ?? '';
    if (script.includes('/$1') || HAN.test(vTitle)) titlePinyin = romanTitle || null;
  }
  for (const f of fields.all('246')) {
    const t = nonEmpty(subs(f, 'ab').join(' : '));
    if (t) parallelTitles.push(t);
    const v = vernacular(f, links);
    const vt = v ? nonEmpty(subs(v, 'ab').join(' : ')) : null;
    if (vt) parallelTitles.push(vt);
  }
  if (!title) {
    title =
      parallelTitles.shift() ??
      nonEmpty(sub(fields.first('130') ?? fields.first('240'), 'a')) ??
      '';
  }

  // Publication: RDA 264 with ind2 1 (publication) first, then AACR2 260, then any 264.
  const pub =
    fields.all('264').find((f) => f.ind2 === '1') ?? fields.first('260') ?? fields.first('264');
  const vpub = vernacular(pub, links);
  const f008 = fields.control.get('008') ?? '';
  const year =
    firstYear(sub(pub, 'c')) ??
    firstYear(
      fields
        .all('264')
        .map((f) => sub(f, 'c') ?? '')
        .join(' '),
    ) ??
    firstYear(f008.slice(7, 11));

  const { isbns, isbn10s } = collectIsbns(fields.all('020').flatMap((f) => subs(f, 'a')));
  const issnRaw = sub(fields.first('022'), 'a');
  const lang008 = f008.slice(35, 38).toLowerCase();
  const language =
    /^[a-z]{3}$/.test(lang008) && lang008 !== 'und'
      ? lang008
      : (nonEmpty(sub(fields.first('041'), 'a'))
          ?.slice(0, 3)
          .toLowerCase() ?? null);

  const subjects: string[] = [];
  for (const f of fields.all('600', '610', '611', '630', '650', '651')) {
    const main =
      f.tag === '600' ? 'abcdqt' : f.tag === '610' ? 'abt' : f.tag === '611' ? 'acdnt' : 'ab';
    const h = subjectHeading(f, main, 'vxyz');
    if (h) subjects.push(h);
  }
  for (const f of fields.all('653')) for (const a of subs(f, 'a')) subjects.push(trimIsbd(a));

  const clcField = fields.all('084').find((f) => /^clc/i.test(sub(f, '2') ?? ''));
  const held = items(fields, itemTags, 'marc21');

  const series = uniq(
    [...fields.all('490'), ...fields.all('830'), ...fields.all('440')]
      .map((f) => nonEmpty(trimAll(subs(f, 'anp')).join('. ')))
      .filter((s): s is string => s !== null),
  );

  const responsibility = nonEmpty(sub(v245, 'c') ?? sub(f245, 'c'));
  return {
    controlNumber: controlNumber(fields, record, isbns),
    format: 'marc21',
    title,
    subtitle: nonEmpty(sub(v245, 'b') ?? sub(f245, 'b')),
    parallelTitles: uniq(parallelTitles.filter((t) => t !== title)),
    titlePinyin,
    responsibility,
    authors: marc21Authors(fields, links),
    publisher: nonEmpty(sub(vpub, 'b') ?? sub(pub, 'b')),
    place: nonEmpty(sub(vpub, 'a') ?? sub(pub, 'a')),
    year,
    edition: nonEmpty(subs(fields.first('250'), 'ab').join(' ')),
    series,
    isbns,
    isbn10s,
    issn: issnRaw ? normaliseIssn(issnRaw) : null,
    language,
    subjects: uniq(subjects),
    clc: nonEmpty(sub(clcField, 'a')),
    // First $a (class) and first $b (item); a repeated $a is an alternative number.
    callNumber:
      lcCallNumber(fields.first('090')) ??
      lcCallNumber(fields.first('050')) ??
      held.callNumbers[0] ??
      null,
    summary: nonEmpty(
      fields
        .all('520')
        .map((f) => subs(f, 'ab').join(' '))
        .join('\n'),
    ),
    materialType: materialType(record.leader, 'marc21'),
    items: held.items,
    marc: record,
  };
}

// ---------------------------------------------------------------- UNIMARC / CNMARC

function unimarcTitle(f: DataField | undefined): string {
  if (!f) return '';
  const a = trimAll(subs(f, 'a'));
  const parts = [a.join(' ; ')];
  // $h number of part, $i name of part: "高等数学. 上册".
  for (const s of subs(f, 'hi')) {
    const t = trimIsbd(s);
    if (t) parts.push(t);
  }
  return parts.filter((p) => p !== '').join('. ');
}

function unimarcName(f: DataField): string {
  if (f.tag.startsWith('70')) {
    const a = trimIsbd(sub(f, 'a') ?? '');
    const b = trimIsbd(sub(f, 'b') ?? '');
    return b ? `${a}, ${b}` : a;
  }
  return joinName(f, 'ab', '. ');
}

function unimarcAuthors(fields: Fields): Author[] {
  const authors: Author[] = [];
  for (const tag of ['700', '701', '702', '710', '711', '712']) {
    for (const f of fields.all(tag)) {
      const [name, wordRole] = splitChineseRelator(unimarcName(f));
      if (name === '') continue;
      const role =
        roleFromRelator(sub(f, '4'), UNIMARC_RELATORS) ??
        wordRole ??
        (tag === '702' || tag === '712' ? null : 'author');
      const author: Author = { name, role };
      // $9/$A is pinyin in CNMARC (NLC/CALIS) but local data elsewhere (BnF links): only
      // a Chinese name gets one.
      const pinyin = HAN.test(name) ? nonEmpty(sub(f, '9') ?? sub(f, 'A')) : null;
      if (pinyin) author.pinyin = pinyin;
      authors.push(author);
    }
  }
  return dedupeAuthors(authors);
}

function unimarc(record: MarcRecord, fields: Fields, itemTags: string[]): BibRecord {
  const f200 = fields.first('200');
  const responsibilityParts = trimAll(subs(f200, 'fg'));
  const responsibility = responsibilityParts.length > 0 ? responsibilityParts.join(' ; ') : null;
  let authors = unimarcAuthors(fields);
  if (authors.length === 0 && responsibility && HAN.test(responsibility)) {
    authors = dedupeAuthors(authorsFromStatement(responsibility));
  }

  const parallelTitles = trimAll(subs(f200, 'd'));
  for (const f of fields.all('510')) parallelTitles.push(...trimAll(subs(f, 'a')));

  const pub = fields.first('210') ?? fields.first('214');
  const f100 = sub(fields.first('100'), 'a') ?? '';
  const year = firstYear(sub(pub, 'd')) ?? firstYear(f100.slice(9, 13));

  const { isbns, isbn10s } = collectIsbns(fields.all('010').flatMap((f) => subs(f, 'a')));
  const issnRaw = sub(fields.first('011'), 'a');

  const subjects: string[] = [];
  for (const f of fields.all('600', '601', '602', '604', '605', '606', '607')) {
    const h = subjectHeading(f, f.tag === '600' || f.tag === '601' ? 'ab' : 'a', 'jxyz');
    if (h) subjects.push(h);
  }
  for (const f of fields.all('610')) for (const a of subs(f, 'a')) subjects.push(trimIsbd(a));

  const series = uniq(
    [
      ...fields.all('225').map((f) => sub(f, 'a')),
      ...fields.all('410').map((f) => sub(f, 't') ?? sub(f, 'a')),
    ]
      .map((s) => nonEmpty(s))
      .filter((s): s is string => s !== null),
  );

  const held = items(fields, itemTags, 'unimarc');
  const title = unimarcTitle(f200) || parallelTitles.shift() || '';
  const subtitle = nonEmpty(trimAll(subs(f200, 'e')).join(' : '));
  return {
    controlNumber: controlNumber(fields, record, isbns),
    format: 'unimarc',
    title,
    subtitle,
    parallelTitles: uniq(parallelTitles.filter((t) => t !== title)),
    titlePinyin: HAN.test(title) ? nonEmpty(sub(f200, '9') ?? sub(f200, 'A')) : null,
    responsibility,
    authors,
    publisher: nonEmpty(sub(pub, 'c')),
    place: nonEmpty(sub(pub, 'a')),
    year,
    edition: nonEmpty(sub(fields.first('205'), 'a')),
    series,
    isbns,
    isbn10s,
    issn: issnRaw ? normaliseIssn(issnRaw) : null,
    language:
      nonEmpty(sub(fields.first('101'), 'a'))
        ?.slice(0, 3)
        .toLowerCase() ?? null,
    subjects: uniq(subjects.filter((s) => s !== '')),
    clc: nonEmpty(sub(fields.first('690'), 'a')),
    callNumber: held.callNumbers[0] ?? null,
    summary: nonEmpty(
      fields
        .all('330')
        .flatMap((f) => subs(f, 'a'))
        .join('\n'),
    ),
    materialType: materialType(record.leader, 'unimarc'),
    items: held.items,
    marc: record,
  };
}

/**
 * Maps a MARC record to the catalog's BibRecord. `flavour` 'auto' detects it from the
 * tags (MARC 21 when nothing tells). Item fields are configurable per flavour because
 * every ILS puts copies somewhere else.
 *
 * @example
 * const bib = toBibRecord(record, 'unimarc');
 * bib.title; // '三体'
 * bib.authors; // [{ name: '刘慈欣', role: 'author', pinyin: 'Liu Cixin' }]
 * bib.clc; // 'I247.55'
 */
export function toBibRecord(
  marc: MarcRecord,
  flavour: Flavour | 'auto' = 'auto',
  options: MapOptions = {},
): BibRecord {
  const resolved: Flavour =
    flavour === 'auto'
      ? (detectFlavour(
          marc.fields.map((f: MarcField) => f.tag),
          marc.leader,
        ) ?? 'marc21')
      : flavour;
  const fields = new Fields(marc);
  const itemTags = options.itemFields?.[resolved] ?? DEFAULT_ITEM_FIELDS[resolved];
  return resolved === 'marc21' ? marc21(marc, fields, itemTags) : unimarc(marc, fields, itemTags);
}
