import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nastyText } from './arbitraries.test-util.ts';
import { foldWidth, normalizeText, stripDiacritics, toSimplified } from './normalize.ts';

describe('foldWidth', () => {
  it.each([
    ['ｃ语言', 'c语言'],
    ['Ｅｎｇｌｉｓｈ', 'English'],
    ['高等数学（第７版）', '高等数学(第7版)'],
    ['红楼梦\u3000研究', '红楼梦 研究'],
    ['ＩＳＢＮ：９７８－７', 'ISBN:978-7'],
    ['⼀⼆', '一二'], // Kangxi radicals
    ['ｶﾞｲﾄﾞ', 'ガイド'], // half-width katakana
    ['三体Ⅱ', '三体II'],
  ])('%s → %s', (input, expected) => {
    expect(foldWidth(input)).toBe(expected);
  });

  it('leaves ASCII alone', () => {
    expect(foldWidth('Introduction to Algorithms')).toBe('Introduction to Algorithms');
  });
});

describe('toSimplified', () => {
  it.each([
    ['紅樓夢', '红楼梦'],
    ['計算機網絡', '计算机网络'],
    ['乾燥', '干燥'],
    ['乾隆', '乾隆'], // phrase-aware: the emperor keeps his name
    ['臺灣', '台湾'],
    ['红楼梦', '红楼梦'],
    ['English', 'English'],
  ])('%s → %s', (input, expected) => {
    expect(toSimplified(input)).toBe(expected);
  });

  it('is idempotent on every single character of the CJK blocks', () => {
    const blocks: [number, number][] = [
      [0x3400, 0x4dbf],
      [0x4e00, 0x9fff],
      [0xf900, 0xfaff],
      [0x20000, 0x2a6df],
    ];
    const broken: string[] = [];
    for (const [from, to] of blocks) {
      for (let c = from; c <= to; c++) {
        const once = toSimplified(String.fromCodePoint(c));
        if (toSimplified(once) !== once) broken.push(String.fromCodePoint(c));
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('stripDiacritics', () => {
  it.each([
    ['Café', 'Cafe'],
    ['Müller', 'Muller'],
    ['Łódź', 'Lodz'],
    ['straße', 'strasse'],
    ['Tiếng Việt', 'Tieng Viet'],
    ['Ørsted', 'Orsted'],
    ['hóng lóu mèng', 'hong lou meng'],
    ['Ελληνικά', 'Ελληνικα'],
  ])('%s → %s', (input, expected) => {
    expect(stripDiacritics(input)).toBe(expected);
  });

  it.each(['红楼梦', 'が', 'ガイド', 'हिन्दी', '한국어'])('keeps %s untouched', (input) => {
    expect(stripDiacritics(input)).toBe(input);
  });
});

describe('normalizeText', () => {
  it.each([
    ['紅樓夢', '红楼梦'],
    ['ｃ语言', 'c语言'],
    ['Ｅｎｇｌｉｓｈ', 'english'],
    ['Café', 'cafe'],
    ['İstanbul', 'istanbul'],
    ['紅樓夢 Ｃａｆé', '红楼梦 cafe'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('is idempotent and never throws, lone surrogates included', () => {
    fc.assert(
      fc.property(nastyText, (s) => {
        const once = normalizeText(s);
        expect(normalizeText(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});
