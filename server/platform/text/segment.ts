/**
 * Chinese word segmentation (jieba) and the character n-grams that back it up.
 *
 * jieba alone leaves holes a reader falls into (measured with @node-rs/jieba 2.0.3):
 * - 三体 is an HMM word, not a dictionary word, so in 三体问题研究 jieba emits 三体问题 and
 *   cutForSearch never emits 三体;
 * - 学生物理竞赛 is cut 学生/物理/竞赛, so 生物 is nowhere;
 * - cutForSearch only adds 2- and 3-character sub-words, so 人民共和国 is not a term of
 *   中华人民共和国民法典释义.
 * Indexing every Han character bigram closes all three: any 2-character query is a term of
 * every text containing it, and a longer query word that jieba segmented differently in
 * the record can still be matched by its bigrams (see `hanBigrams`).
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

/** `index`: every word and sub-word a reader might type; `query`: the reader's own words. */
export type SegmentMode = 'index' | 'query';

let jieba: Jieba | undefined;

/**
 * The segmenter with jieba's default dictionary, loaded on first use (~200–300 ms). A
 * module-level lazy singleton on purpose: the dictionary is immutable once loaded and far
 * too costly to build per caller.
 */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const HAN_RUN = /\p{Script=Han}+/gu;

/**
 * The maximal runs of Han characters in `s`, in order; everything else separates them.
 *
 * @example
 * hanRuns('三体Ⅱ：黑暗森林'); // ['三体', '黑暗森林']
 */
export function hanRuns(s: string): string[] {
  return s.match(HAN_RUN) ?? [];
}

/**
 * Segments the Han text of `s` with jieba (HMM on, so 三体 and 真题 stay words) and returns
 * Han-only tokens in order; Latin, digits, punctuation and whitespace are dropped (the
 * English path handles Latin). Each Han run is segmented on its own, in one jieba call.
 *
 * - `index`: `cutForSearch`, which is the plain `cut` words plus their dictionary 2- and
 *   3-character sub-words (计算机网络 → 计算/算机/网络/计算机/计算机网络). `cut` ⊆ `cutForSearch`
 *   (jieba builds the latter from the former), so one call gives both.
 * - `query`: `cut` only. A query's words must all match, so exploding 马克思主义 into 马克思
 *   and 主义 would only loosen it; the index side holds the sub-words instead.
 *
 * Single characters are kept (诗, 的); what to do with them is the analyzer's decision.
 *
 * @example
 * segmentChinese('高等数学（第七版）', 'index'); // ['高等', '数学', '高等数学', '第七', '第七版']
 * segmentChinese('高等数学（第七版）', 'query'); // ['高等数学', '第七版']
 */
export function segmentChinese(s: string, mode: SegmentMode): string[] {
  const runs = hanRuns(s);
  if (runs.length === 0) return [];
  // One native call for all runs: '\n' is a hard boundary for jieba and comes back as its
  // own token, the only token that is not Han (only Han runs go in).
  const joined = runs.join('\n');
  const tokens =
    mode === 'index' ? segmenter().cutForSearch(joined, true) : segmenter().cut(joined, true);
  return tokens.filter((t) => t !== '\n');
}

/**
 * jieba's `cut` (HMM on) of the Han runs of `s`, grouped per run: the analyzer needs the
 * word sequence of each run to build pinyin in reading order.
 *
 * @example
 * cutRuns('红楼梦研究，曹雪芹'); // [['红楼梦', '研究'], ['曹雪芹']]
 */
export function cutRuns(s: string): string[][] {
  return cutEachRun(hanRuns(s));
}

/**
 * jieba's `cut` (HMM on) of each given run of Han text, in one native call: the analyzer
 * segments all the runs of a whole record at once, since each call has a fixed cost.
 * Runs must be Han only (as `hanRuns` gives them), one word list per run comes back.
 *
 * @example
 * cutEachRun(['红楼梦研究', '曹雪芹']); // [['红楼梦', '研究'], ['曹雪芹']]
 */
export function cutEachRun(runs: readonly string[]): string[][] {
  if (runs.length === 0) return [];
  const groups: string[][] = [[]];
  for (const t of segmenter().cut(runs.join('\n'), true)) {
    if (t === '\n') groups.push([]);
    else groups[groups.length - 1]?.push(t);
  }
  return groups;
}

/**
 * The overlapping character bigrams of a Han string (by code point, so CJK Extension B
 * characters count as one). A run of one character has none.
 *
 * @example
 * hanBigrams('三体问题'); // ['三体', '体问', '问题']
 */
export function hanBigrams(run: string): string[] {
  const out: string[] = [];
  if (!SURROGATE.test(run)) {
    // The common case, all BMP: code units are characters, and slicing is cheapest.
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
    return out;
  }
  const chars = Array.from(run);
  for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
  return out;
}

const SURROGATE = /[\ud800-\udfff]/;
