/**
 * fast-check generators shared by the text tests: hostile Unicode (lone surrogates,
 * combining marks, full-width forms, Extension B) and catalogue-like titles.
 */
import fc from 'fast-check';

const codeUnit = (from: number, to: number): fc.Arbitrary<string> =>
  fc.integer({ min: from, max: to }).map((c) => String.fromCharCode(c));
const codePoint = (from: number, to: number): fc.Arbitrary<string> =>
  fc.integer({ min: from, max: to }).map((c) => String.fromCodePoint(c));

/** One "character" that is likely to break text code. */
const nastyUnit = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  codeUnit(0xd800, 0xdfff), // lone surrogates
  codeUnit(0x0300, 0x036f), // combining diacritics
  codeUnit(0xff01, 0xff5e), // full-width ASCII
  codePoint(0x4e00, 0x9fff), // CJK unified
  codePoint(0x20000, 0x2a6df), // Extension B (surrogate pairs)
  codeUnit(0x3040, 0x30ff), // kana
  fc.constantFrom(
    ' ',
    '\u3000',
    '"',
    '“',
    '”',
    '「',
    ':',
    '：',
    '-',
    "'",
    '’',
    '#',
    '+',
    '.',
    'title:',
    'isbn:',
    '作者：',
    '9787536692930',
    '紅樓夢',
    'ß',
    'İ',
    'ﷺ',
  ),
);

/** Arbitrary strings, including lone surrogates and everything else that breaks text code. */
export const nastyText: fc.Arbitrary<string> = fc.string({ unit: nastyUnit, maxLength: 40 });

/** Common simplified words (2–4 characters), for catalogue-like titles. */
export const CHINESE_WORDS = (
  '红楼梦 三体 数学 高等 马克思主义 基本原理 概论 计算机 网络 系统 中华 人民 共和国 民法典 ' +
  '释义 机器 学习 实战 数据 结构 算法 分析 语言 描述 中国 近代史 纲要 大学 英语 四级 考试 真题 ' +
  '人工智能 现代 方法 深入 理解 平凡 世界 图书馆学 信息 检索 导论 唐诗 三百首 银行 重庆 长安 ' +
  '研究 历史 文化 经济 管理 教育 心理学 哲学 文学 艺术 物理 化学 生物 医学 法律 政治'
).split(' ');

const PUNCTUATION = ['', '', '', '：', '（第二版）', '·', '—', '与', '的', ' ', '，'];

/** Catalogue-like Chinese titles: words, connectives and punctuation, already simplified. */
export const chineseTitle: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...CHINESE_WORDS), fc.constantFrom(...PUNCTUATION)), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => parts.map(([w, p]) => w + p).join(''));

const ENGLISH_WORDS = (
  'the of and in on for to a an machine learning libraries library network networks ' +
  "programming introduction algorithms children's e-books c++ data analysis studies history " +
  'classes boxes churches running embedded theory modern science women china change'
).split(' ');

/** Catalogue-like English titles. */
export const englishTitle: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...ENGLISH_WORDS), { minLength: 1, maxLength: 6 })
  .map((words) => words.join(' '));
