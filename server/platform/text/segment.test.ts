import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chineseTitle, nastyText } from './arbitraries.test-util.ts';
import { cutRuns, hanBigrams, hanRuns, segmentChinese } from './segment.ts';

describe('segmentChinese', () => {
  it('index mode gives words and their sub-words, without punctuation', () => {
    expect(segmentChinese('高等数学（第七版）', 'index')).toEqual([
      '高等',
      '数学',
      '高等数学',
      '第七',
      '第七版',
    ]);
    expect(segmentChinese('马克思主义基本原理概论', 'index')).toEqual(
      expect.arrayContaining(['马克思', '马克思主义', '主义', '基本原理', '原理']),
    );
  });

  it("query mode keeps the reader's words whole", () => {
    expect(segmentChinese('高等数学（第七版）', 'query')).toEqual(['高等数学', '第七版']);
    expect(segmentChinese('马克思主义', 'query')).toEqual(['马克思主义']);
  });

  it('keeps HMM words such as 三体 and 真题 whole', () => {
    expect(segmentChinese('三体', 'query')).toEqual(['三体']);
    expect(segmentChinese('大学英语四级考试真题', 'index')).toContain('真题');
  });

  it('keeps single characters', () => {
    expect(segmentChinese('诗', 'query')).toEqual(['诗']);
    expect(segmentChinese('平凡的世界', 'query')).toEqual(['平凡', '的', '世界']);
  });

  it('segments only the Han text; Latin, digits and spaces are for the English path', () => {
    expect(segmentChinese('C语言 程序设计 2019 abc', 'query')).toEqual(['语言', '程序设计']);
    expect(segmentChinese('Introduction', 'index')).toEqual([]);
  });

  it('plain cut words are always among the index words (cutForSearch ⊇ cut)', () => {
    fc.assert(
      fc.property(chineseTitle, (title) => {
        const index = new Set(segmentChinese(title, 'index'));
        for (const word of segmentChinese(title, 'query')) expect(index).toContain(word);
      }),
      { numRuns: 500 },
    );
  });

  it('returns only Han tokens and never throws', () => {
    fc.assert(
      fc.property(nastyText, fc.constantFrom('index' as const, 'query' as const), (s, mode) => {
        for (const t of segmentChinese(s, mode)) expect(t).toMatch(/^\p{Script=Han}+$/u);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('cutRuns', () => {
  it('groups the words of each Han run', () => {
    expect(cutRuns('红楼梦研究，曹雪芹 abc 三体')).toEqual([
      ['红楼梦', '研究'],
      ['曹雪芹'],
      ['三体'],
    ]);
    expect(cutRuns('abc')).toEqual([]);
  });
});

describe('hanRuns and hanBigrams', () => {
  it('finds the Han runs', () => {
    expect(hanRuns('三体Ⅱ：黑暗森林')).toEqual(['三体', '黑暗森林']);
  });

  it('makes overlapping bigrams by code point', () => {
    expect(hanBigrams('三体问题')).toEqual(['三体', '体问', '问题']);
    expect(hanBigrams('诗')).toEqual([]);
    expect(hanBigrams('𠀀𠀁红')).toEqual(['𠀀𠀁', '𠀁红']);
  });
});
