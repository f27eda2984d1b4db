/**
 * Pinyin for Han text (index side) and pinyin recognition in Latin queries (query side),
 * so `hongloumeng`, `hong lou meng` and `hlm` all find 红楼梦.
 */
import { pinyin } from 'pinyin-pro';
import { foldWidth, stripDiacritics } from './normalize.ts';

/** Full pinyin of a Chinese string in the three forms readers type. */
export interface PinyinForms {
  /** One toneless syllable per Han character, `ü` written `v` (绿 → `lv`); non-Han dropped. */
  syllables: string[];
  /** The syllables joined with spaces: `hong lou meng`. */
  spaced: string;
  /** The syllables joined: `hongloumeng`. */
  joined: string;
  /** The first letter of each syllable: `hlm`. */
  initials: string;
}

const SYLLABLE_CHARS = /^[a-z]+$/;
const HAN_CHAR = /^\p{Script=Han}$/u;

// Per character: its toneless reading when it has exactly one (88% of the CJK Unified
// block: 好, 王, 书), or none (长 chang/zhang, 单 dan/shan, 行 xing/hang). A memo of a pure
// function, lazily filled and bounded by the Han repertoire itself, so it needs no
// eviction. BMP characters index a typed array (the hot path: no string hashing).
const SOLE_UNKNOWN = 0;
const SOLE_NONE = -1;
const soleIndex = new Int32Array(0x10000); // 0 unknown, -1 none, k > 0: READINGS[k - 1]
const soleAstral = new Map<number, string | null>();
const READINGS: string[] = [];
const readingIds = new Map<string, number>();

function lookUpSole(char: string): string | null {
  const all = HAN_CHAR.test(char)
    ? pinyin(char, { toneType: 'none', type: 'array', v: true, multiple: true })
    : [];
  const distinct = [...new Set(all)];
  const [only] = distinct;
  return distinct.length === 1 && only !== undefined && SYLLABLE_CHARS.test(only) ? only : null;
}

function soleReading(code: number): string | null {
  if (code >= 0x10000) {
    let reading = soleAstral.get(code);
    if (reading === undefined) {
      reading = lookUpSole(String.fromCodePoint(code));
      soleAstral.set(code, reading);
    }
    return reading;
  }
  let id = soleIndex[code] ?? SOLE_NONE;
  if (id === SOLE_UNKNOWN) {
    const reading = lookUpSole(String.fromCharCode(code));
    if (reading === null) {
      id = SOLE_NONE;
    } else {
      id = readingIds.get(reading) ?? READINGS.push(reading);
      readingIds.set(reading, id);
    }
    soleIndex[code] = id;
  }
  return id === SOLE_NONE ? null : (READINGS[id - 1] ?? null);
}

/**
 * The syllables of a string whose characters each have a single toneless reading, which
 * therefore needs no context (and no pinyin-pro call); null if any character has several
 * readings or none. `pinyinSyllables` tries this first.
 *
 * @example
 * unambiguousSyllables('图书馆'); // ['tu', 'shu', 'guan']
 * unambiguousSyllables('银行'); // null (行: xing or hang)
 */
export function unambiguousSyllables(text: string): string[] | null {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      code = text.codePointAt(i) ?? code;
      i++;
    }
    const reading = soleReading(code);
    if (reading === null) return null;
    out.push(reading);
  }
  return out;
}

/**
 * The toneless syllables of a Han string, in order, one per Han character; characters
 * pinyin-pro has no reading for (and anything not Han) are dropped.
 *
 * Polyphones are resolved by pinyin-pro's phrase dictionary, so convert whole words, not
 * characters: 重庆 → chong qing, 银行 → yin hang, 长安 → chang an. With `surname: true`
 * the first character is read as a surname (曾国藩 → zeng, 单田芳 → shan, 解缙 → xie): use it
 * for personal names, where the default reading is usually wrong.
 *
 * A word whose characters each have one reading needs no context, so it is spelled from
 * per-character memos; pinyin-pro (~4 µs a call) only sees words with a polyphone. That
 * matters for names, which rarely repeat and so miss the analyzer's word memo.
 *
 * @example
 * pinyinSyllables('红楼梦'); // ['hong', 'lou', 'meng']
 * pinyinSyllables('曾国藩', { surname: true }); // ['zeng', 'guo', 'fan']
 */
export function pinyinSyllables(text: string, options: { surname?: boolean } = {}): string[] {
  if (text.length === 0) return [];
  return unambiguousSyllables(text) ?? pinyinProSyllables(text, options);
}

/** pinyin-pro's own reading of the whole string, in context. */
function pinyinProSyllables(text: string, options: { surname?: boolean }): string[] {
  const raw = pinyin(text, {
    toneType: 'none',
    type: 'array',
    v: true,
    nonZh: 'removed',
    ...(options.surname ? { surname: 'head' as const } : {}),
  });
  return raw.filter((s) => SYLLABLE_CHARS.test(s));
}

/**
 * Full pinyin, joined pinyin and initials of a Chinese string.
 *
 * @example
 * toPinyin('红楼梦'); // { syllables: ['hong','lou','meng'], spaced: 'hong lou meng', joined: 'hongloumeng', initials: 'hlm' }
 */
export function toPinyin(text: string, options: { surname?: boolean } = {}): PinyinForms {
  const syllables = pinyinSyllables(text, options);
  return {
    syllables,
    spaced: syllables.join(' '),
    joined: syllables.join(''),
    initials: syllables.map((s) => s[0] ?? '').join(''),
  };
}

// Every standard Mandarin syllable (toneless, ü as v), without the interjections m, n, ng,
// hm, hng: those would let consonant strings such as `hm` or `ng` pass as pinyin.
const SYLLABLE_TABLE = `
a o e ai ei ao ou an en ang eng er
yi ya yo ye yao you yan yin yang ying yong yu yue yuan yun
wu wa wo wai wei wan wen wang weng
ba bo bai bei bao ban ben bang beng bi bie biao bian bin bing bu
pa po pai pei pao pou pan pen pang peng pi pie piao pian pin ping pu
ma mo me mai mei mao mou man men mang meng mi mie miao miu mian min ming mu
fa fo fei fou fan fen fang feng fu
da de dai dei dao dou dan den dang deng dong di dia die diao diu dian ding du duo dui duan dun
ta te tai tei tao tou tan tang teng tong ti tie tiao tian ting tu tuo tui tuan tun
na ne nai nei nao nou nan nen nang neng nong ni nie niao niu nian nin niang ning nu nuo nuan nun nv nve nue
la le lo lai lei lao lou lan lang leng long li lia lie liao liu lian lin liang ling lu luo luan lun lv lve lue
ga ge gai gei gao gou gan gen gang geng gong gu gua guo guai gui guan gun guang
ka ke kai kei kao kou kan ken kang keng kong ku kua kuo kuai kui kuan kun kuang
ha he hai hei hao hou han hen hang heng hong hu hua huo huai hui huan hun huang
ji jia jie jiao jiu jian jin jiang jing jiong ju jue juan jun
qi qia qie qiao qiu qian qin qiang qing qiong qu que quan qun
xi xia xie xiao xiu xian xin xiang xing xiong xu xue xuan xun
zha zhe zhi zhai zhei zhao zhou zhan zhen zhang zheng zhong zhu zhua zhuo zhuai zhui zhuan zhun zhuang
cha che chi chai chao chou chan chen chang cheng chong chu chua chuo chuai chui chuan chun chuang
sha she shi shai shei shao shou shan shen shang sheng shu shua shuo shuai shui shuan shun shuang
re ri rao rou ran ren rang reng rong ru rua ruo rui ruan run
za ze zi zai zei zao zou zan zen zang zeng zong zu zuo zui zuan zun
ca ce ci cai cao cou can cen cang ceng cong cu cuo cui cuan cun
sa se si sai sao sou san sen sang seng song su suo sui suan sun
`;

/** The syllable inventory `splitPinyin` accepts (toneless, `ü` as `v`, plus `lue`/`nue`). */
export const PINYIN_SYLLABLES: ReadonlySet<string> = new Set(
  SYLLABLE_TABLE.split(/\s+/).filter((s) => s.length > 0),
);

// Readers write 略/虐 as lue/nue (the IME spelling) as often as lve/nve; the index has lve.
const SPELLING_VARIANTS: ReadonlyMap<string, string> = new Map([
  ['lue', 'lve'],
  ['nue', 'nve'],
]);
const MAX_SYLLABLE = 6; // zhuang, chuang, shuang

/**
 * Splits a toneless pinyin string into syllables: longest syllable first, backtracking
 * when the rest cannot be split. An apostrophe forces a boundary (`xi'an` → xi, an), and
 * without one the longer reading wins (`xian` → xian, `changan` → chang, an). `lue`/`nue`
 * come back as `lve`/`nve`. Returns null when the string is not entirely pinyin. Queries
 * use `pinyinSegmentations`, which also gives the other plausible splits.
 *
 * @example
 * splitPinyin('hongloumeng'); // ['hong', 'lou', 'meng']
 * splitPinyin('network'); // null
 */
export function splitPinyin(input: string): string[] | null {
  const out: string[] = [];
  for (const piece of input.toLowerCase().split(/['’]/)) {
    const split = piece.length === 0 ? null : greedySplit(piece);
    if (!split) return null;
    out.push(...split);
  }
  return out;
}

/** Longest syllable first, backtracking; `dead[i]` marks suffixes with no split at all. */
function greedySplit(s: string): string[] | null {
  const dead = new Uint8Array(s.length + 1);
  const path: string[] = [];
  return walkGreedy(s, 0, path, dead) ? path : null;
}

function walkGreedy(s: string, i: number, path: string[], dead: Uint8Array): boolean {
  if (i === s.length) return true;
  if (dead[i] === 1) return false;
  for (let len = Math.min(MAX_SYLLABLE, s.length - i); len >= 1; len--) {
    const candidate = s.slice(i, i + len);
    if (!PINYIN_SYLLABLES.has(candidate)) continue;
    path.push(SPELLING_VARIANTS.get(candidate) ?? candidate);
    if (walkGreedy(s, i + len, path, dead)) return true;
    path.pop();
  }
  dead[i] = 1;
  return false;
}

const VOWEL_INITIAL = /^[aoe]/;

/**
 * The most plausible ways (up to `limit`) to split a toneless pinyin string, best first.
 * Plausible means few syllables that start with a vowel after the first one — written
 * pinyin marks those with an apostrophe (xi'an), and they are rare — then few syllables.
 * So `xian` is xian before xi-an, and `jinanshi` (济南市) is ji-nan-shi before jin-an-shi.
 * A query tries them all, since the index only knows the right one.
 *
 * @example
 * pinyinSegmentations('xian'); // [['xian'], ['xi', 'an']]
 */
export function pinyinSegmentations(input: string, limit = 4): string[][] {
  let out: Scored[] = [{ cost: 0, syllables: [] }];
  for (const piece of input.toLowerCase().split(/['’]/)) {
    const splits = piece.length === 0 ? [] : bestSplits(piece, limit);
    const next: Scored[] = [];
    for (const head of out) {
      for (const tail of splits) {
        const syllables = [...head.syllables, ...tail.syllables];
        next.push({ cost: head.cost + tail.cost, syllables });
      }
    }
    out = next.sort((a, b) => a.cost - b.cost).slice(0, limit);
    if (out.length === 0) return [];
  }
  return out.map((x) => x.syllables);
}

interface Scored {
  cost: number;
  syllables: string[];
}

const VOWEL_PENALTY = 100;

/** k-best dynamic programme from the end of the string: best[i] splits s.slice(i). */
function bestSplits(s: string, k: number): Scored[] {
  const best: Scored[][] = new Array<Scored[]>(s.length + 1);
  best[s.length] = [{ cost: 0, syllables: [] }];
  for (let i = s.length - 1; i >= 0; i--) {
    const candidates: Scored[] = [];
    for (let len = Math.min(MAX_SYLLABLE, s.length - i); len >= 1; len--) {
      const syllable = s.slice(i, i + len);
      if (!PINYIN_SYLLABLES.has(syllable)) continue;
      const step = 1 + (i > 0 && VOWEL_INITIAL.test(syllable) ? VOWEL_PENALTY : 0);
      const spelled = SPELLING_VARIANTS.get(syllable) ?? syllable;
      for (const tail of best[i + len] ?? []) {
        candidates.push({ cost: step + tail.cost, syllables: [spelled, ...tail.syllables] });
      }
    }
    // Stable sort: equal costs keep longest-syllable-first order, as splitPinyin prefers.
    best[i] = candidates.sort((a, b) => a.cost - b.cost).slice(0, k);
  }
  return best[0] ?? [];
}

const INITIALS_ONLY = /^[bcdfghjklmnpqrstwxyz]{2,6}$/;
const MAX_READINGS = 4;

/** How one stretch of a Latin query reads as pinyin. */
export interface PinyinReading {
  /** Index of the first token of the stretch. */
  start: number;
  /** Index after the last token of the stretch. */
  end: number;
  /**
   * The ways the stretch splits into 2+ syllables, preferred first (at most 4); empty
   * when it is not read as full pinyin.
   */
  readings: string[][];
  /** The initials the token spells (`hlm`), or null. */
  initials: string | null;
}

/** Each token's splits (preferred first); null for initials or non-pinyin tokens. */
function tokenSplits(token: string): string[][] | null {
  if (INITIALS_ONLY.test(token)) return null;
  const splits = pinyinSegmentations(token, MAX_READINGS);
  return splits.length > 0 ? splits : null;
}

/** The readings of a stretch: each token's splits combined in order, 2+ syllables only. */
function combine(splits: readonly string[][][]): string[][] {
  let readings: string[][] = [[]];
  for (const options of splits) {
    const next: string[][] = [];
    for (const head of readings) {
      for (const tail of options) if (next.length < MAX_READINGS) next.push([...head, ...tail]);
    }
    readings = next;
  }
  return readings.filter((r) => r.length >= 2);
}

/**
 * Reads a sequence of Latin query tokens as pinyin. Each result covers a stretch of tokens:
 * - a token of 2–6 consonants (`hlm`, `sjjg`) reads as initials;
 * - a token whose preferred split has 2+ syllables (`hongloumeng`, `santi`) is a word;
 * - tokens of one syllable join their neighbours, because readers space syllables
 *   (`hong lou meng`, `liu cixin`, `chang an`): a run of them joins the next longer token,
 *   or the stretch before it when it ends the query;
 * - every split of every token counts (`jinanshi` is jin-an-shi or ji-nan-shi), so a lone
 *   `xian` still reads as xi-an (西安), but a lone `ma`, `an` or `he` is too ambiguous to
 *   read as pinyin: it gets no reading, and neither does anything that is not pinyin.
 *
 * @example
 * readPinyin(['hong', 'lou', 'meng']); // [{ start: 0, end: 3, readings: [['hong','lou','meng']], initials: null }]
 */
export function readPinyin(tokens: readonly string[]): PinyinReading[] {
  const out: PinyinReading[] = [];
  const splits = tokens.map(tokenSplits);
  let start = -1; // first token of the pending run of one-syllable tokens
  for (let i = 0; i <= tokens.length; i++) {
    const own = splits[i];
    const single = own?.[0]?.length === 1;
    if (own && single) {
      if (start < 0) start = i;
      continue;
    }
    if (own) {
      const from = start < 0 ? i : start;
      const readings = combine(splitsOf(splits, from, i + 1));
      out.push({ start: from, end: i + 1, readings, initials: null });
      start = -1;
      continue;
    }
    if (start >= 0) flushSingles(out, splits, start, i);
    start = -1;
    if (i < tokens.length) {
      const token = tokens[i] ?? '';
      const initials = INITIALS_ONLY.test(token) ? token : null;
      out.push({ start: i, end: i + 1, readings: [], initials });
    }
  }
  return out;
}

function splitsOf(splits: readonly (string[][] | null)[], from: number, to: number): string[][][] {
  return splits.slice(from, to).map((s) => s ?? []);
}

/** A run of one-syllable tokens: a word if 2+, else joined to the stretch before it, if any. */
function flushSingles(
  out: PinyinReading[],
  splits: readonly (string[][] | null)[],
  start: number,
  end: number,
): void {
  const previous = out[out.length - 1];
  if (end - start === 1 && previous && previous.readings.length > 0 && previous.end === start) {
    previous.readings = combine([previous.readings, ...splitsOf(splits, start, end)]);
    previous.end = end;
    return;
  }
  out.push({ start, end, readings: combine(splitsOf(splits, start, end)), initials: null });
}

/**
 * Whether a Latin query plausibly is pinyin, so search may add pinyin matching: every
 * token is part of a stretch `readPinyin` reads as 2+ syllables or as initials. A lone
 * single syllable (`ma`) answers false. English words made of pinyin syllables (`women`,
 * `china`, `change`) answer true: that is unavoidable without a lexicon, which is why the
 * analyzer only ever adds pinyin as a lower-weighted alternative to the English reading.
 *
 * @example
 * looksLikePinyin('hong lou meng'); // true
 * looksLikePinyin('programming'); // false
 */
export function looksLikePinyin(query: string): boolean {
  const folded = stripDiacritics(foldWidth(query).toLowerCase());
  if (/[^a-z'’\s]/.test(folded)) return false;
  const tokens = folded.match(/[a-z'’]+/g);
  if (!tokens) return false;
  return readPinyin(tokens).every((r) => r.readings.length > 0 || r.initials !== null);
}
