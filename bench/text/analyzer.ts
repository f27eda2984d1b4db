/**
 * Throughput of the text analyzer (not a timed test; prints its figures, in CPU time).
 *
 *   node --import tsx bench/text/analyzer.ts [records]
 *
 * Records are synthetic but shaped like the catalogue in research/perf-anchors.md §2:
 * title + author + subject + publisher, ~40 Chinese characters in all, vocabulary drawn
 * Zipf-like so words repeat as they do in a real catalogue; 30% English records. Queries
 * follow that benchmark's mix plus pinyin.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  analyzeForIndex,
  analyzeQuery,
  analyzeRecordForIndex,
} from '../../server/platform/text/analyzer.ts';
import { normalizeText } from '../../server/platform/text/normalize.ts';
import { segmentChinese } from '../../server/platform/text/segment.ts';

// Vocabulary as in perf-anchors §2: jieba's 2,000 most frequent nouns / verbal nouns /
// proper nouns / place names of 2–4 characters, drawn Zipf-like (s = 0.8).
const dictPath = createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
const WORDS = readFileSync(dictPath, 'utf8')
  .split('\n')
  .map((line) => line.split(' '))
  .filter(
    ([w, , tag]) => /^\p{Script=Han}{2,4}$/u.test(w ?? '') && /^(n|vn|nr|ns|nz)$/.test(tag ?? ''),
  )
  .sort((a, b) => Number(b[1]) - Number(a[1]))
  .slice(0, 2000)
  .map(([w]) => w ?? '');
const SUFFIXES =
  '研究 导论 概论 教程 基础 原理 史 论集 手册 概要 分析 新论 简史 十讲 读本 通论 实务 纲要 选编 评论'.split(
    ' ',
  );
const EDITIONS = ['', '', '', '（第二版）', '（修订本）', '（第3版）', '上册', '下册', '（上）'];
const PREFIXES = '中国 现代 当代 古代 西方 比较 实用 新编 简明 高等'.split(' ');
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单'.split(
    '',
  );
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华慈欣雪芹建国志红文玉兰凤云海波宇晨浩然子轩梓涵一诺欣怡博文俊杰佳琪思远振东晓光春梅秋菊冬雪'.split(
    '',
  );
const ROLES = ['著', '主编', '编著', '译', '等著', '编'];
const PUBLISHERS =
  '人民文学出版社 高等教育出版社 清华大学出版社 商务印书馆 中华书局 北京大学出版社 科学出版社 人民出版社 机械工业出版社 电子工业出版社 上海古籍出版社 三联书店 译林出版社 中信出版社 法律出版社 经济科学出版社 社会科学文献出版社 浙江大学出版社 复旦大学出版社 武汉大学出版社 南京大学出版社 中国人民大学出版社 人民邮电出版社 化学工业出版社 外语教学与研究出版社 作家出版社 重庆出版社 长江文艺出版社 上海人民出版社 中国社会科学出版社'.split(
    ' ',
  );
const EN = (
  'introduction data network system analysis theory history modern computer programming ' +
  'learning machine library science economics management language literature design policy ' +
  'development research methods engineering biology chemistry physics culture society law'
).split(' ');

// mulberry32: seeded, so every run analyses the same catalogue.
let seed = 42;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
// Zipf-like (s = 0.8) rank draw by inverse CDF of a continuous power law.
const zipf = <T>(list: readonly T[]): T => {
  const n = list.length;
  const u = random();
  const rank = Math.floor(((n ** 0.2 - 1) * u + 1) ** 5) - 1;
  return list[Math.min(n - 1, Math.max(0, rank))] as T;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

interface BenchRecord {
  title: string;
  author: string;
  subject: string;
  publisher: string;
}

function chineseTitle(): string {
  const a = zipf(WORDS);
  const b = zipf(WORDS);
  switch (Math.floor(random() * 5)) {
    case 0:
      return `${a}${b}${pick(SUFFIXES)}${pick(EDITIONS)}`;
    case 1:
      return `${a}与${b}：${zipf(WORDS)}${pick(SUFFIXES)}`;
    case 2:
      return `${pick(PREFIXES)}${a}${b}${pick(SUFFIXES)}${pick(EDITIONS)}`;
    case 3:
      return `${a}${b}：${zipf(WORDS)}${zipf(WORDS)}的视角`;
    default:
      return `${a}${b}${zipf(WORDS)}${pick(SUFFIXES)}`;
  }
}

// Subject headings come from a controlled vocabulary, so they repeat: 5,000 headings of
// two to four levels, used Zipf-like. Authors are left all but unique (the memo's worst case).
const FACETS = ['中国', '研究', '教材', '世界'];
const HEADINGS = Array.from({ length: 5000 }, () =>
  [zipf(WORDS), zipf(WORDS), ...(random() < 0.5 ? [zipf(WORDS)] : []), pick(FACETS)].join('—'),
);

function makeRecord(): BenchRecord {
  if (random() < 0.3) {
    const title = `${zipf(EN)} ${zipf(EN)} of ${zipf(EN)} ${zipf(EN)}s`;
    const author = `${pick(['Smith', 'Brown', 'Garcia', 'Lee'])}, ${pick(['John', 'Mary', 'Wei'])}`;
    return { title, author, subject: `${zipf(EN)} -- ${zipf(EN)}`, publisher: 'MIT Press' };
  }
  const name = (): string => `${pick(SURNAMES)}${pick(GIVEN)}${random() < 0.7 ? pick(GIVEN) : ''}`;
  const title = chineseTitle();
  return {
    // Most titles get a subtitle (CNMARC 200 $e), for records of about 40 characters.
    title: random() < 0.8 ? `${title}：${zipf(WORDS)}${zipf(WORDS)}${pick(SUFFIXES)}` : title,
    author: random() < 0.4 ? `${name()}，${name()}${pick(ROLES)}` : `${name()}${pick(ROLES)}`,
    subject: zipf(HEADINGS),
    publisher: zipf(PUBLISHERS),
  };
}

/**
 * Runs `fn` three times and prints the best and the median rate. CPU time of this
 * process, not wall time, and the best of three: on a shared machine other work inflates
 * every figure, so the best is the closest to the analyzer's own cost (it is
 * single-threaded).
 */
function time(label: string, n: number, unit: string, fn: () => void): number {
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    rates.push(n / ((used.user + used.system) / 1e6));
  }
  rates.sort((a, b) => b - a);
  const [best = 0, median = 0] = rates;
  const show = (rate: number): string => Math.round(rate).toLocaleString('en').padStart(9);
  const each = (1e6 / best).toFixed(2).padStart(7);
  const line = `best ${show(best)} ${unit}/s (${each} µs), median ${show(median)}`;
  console.log(`${label.padEnd(46)} ${line}`);
  return best;
}

const total = Number(process.argv[2] ?? 100_000);
const records = Array.from({ length: total }, makeRecord);
const zh = records.filter((r) => /\p{Script=Han}/u.test(r.title));
const length = (r: BenchRecord): number =>
  r.title.length + r.author.length + r.subject.length + r.publisher.length;
const chars = zh.reduce((n, r) => n + length(r), 0);
console.log(
  `${total} records (${zh.length} Chinese, avg ${(chars / zh.length).toFixed(1)} chars/record)`,
);

// Any profiles option bypasses the memo of repeated short values: the all-distinct case.
const uncached = { profiles: {} };
const byField = (r: BenchRecord, options = {}): number =>
  analyzeForIndex('title', r.title, options).length +
  analyzeForIndex('author', r.author, options).length +
  analyzeForIndex('subject', r.subject, options).length +
  analyzeForIndex('publisher', r.publisher, options).length;
const byRecord = (r: BenchRecord, options = {}): number => {
  const out = analyzeRecordForIndex({ ...r }, options);
  return Object.values(out).reduce((n, terms) => n + terms.length, 0);
};

// Warm-up also loads the jieba dictionary and the OpenCC converter.
for (const r of records.slice(0, 5000)) byField(r, uncached);
const distinct = (k: keyof BenchRecord): number => new Set(zh.map((r) => r[k])).size;
const fields = ['title', 'author', 'subject', 'publisher'] as const;
console.log(
  `distinct among Chinese records: ${fields.map((f) => `${f} ${distinct(f)}`).join(', ')}`,
);

let termCount = 0;
time('analyzeRecordForIndex, no memo (all)', total, 'records', () => {
  for (const r of records) termCount += byRecord(r, uncached);
});
console.log(`terms per record: ${(termCount / total / 3).toFixed(1)}`);
time('analyzeRecordForIndex, no memo (Chinese)', zh.length, 'records', () => {
  for (const r of zh) byRecord(r, uncached);
});
time('analyzeRecordForIndex, memo (all)', total, 'records', () => {
  for (const r of records) byRecord(r);
});
time('analyzeForIndex x4 fields, no memo (Chinese)', zh.length, 'records', () => {
  for (const r of zh) byField(r, uncached);
});
time('  normalizeText x4 (Chinese)', zh.length, 'records', () => {
  for (const r of zh) {
    normalizeText(r.title);
    normalizeText(r.author);
    normalizeText(r.subject);
    normalizeText(r.publisher);
  }
});
time('  jieba cut x4 (Chinese)', zh.length, 'records', () => {
  for (const r of zh) {
    segmentChinese(r.title, 'query');
    segmentChinese(r.author, 'query');
    segmentChinese(r.subject, 'query');
    segmentChinese(r.publisher, 'query');
  }
});

const queries = [
  '红楼梦',
  '三体',
  '数学',
  '马克思主义',
  '中国 经济',
  '计算机网络 设计',
  '刘慈欣',
  '曹雪芹',
  'network',
  'machine learning',
  'Smith',
  'hongloumeng',
  'hong lou meng',
  'hlm',
  'title:三体 author:刘慈欣',
  '"data analysis"',
  '978-7-5366-9293-0',
];
for (let i = 0; i < 2000; i++) for (const q of queries) analyzeQuery(q);
const rounds = 20_000;
time('analyzeQuery (mixed set)', rounds * queries.length, 'queries', () => {
  for (let i = 0; i < rounds; i++) for (const q of queries) analyzeQuery(q);
});
for (const q of queries) {
  time(`  ${q}`, rounds, 'queries', () => {
    for (let i = 0; i < rounds; i++) analyzeQuery(q);
  });
}
