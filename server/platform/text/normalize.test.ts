import fc from 'fast-check';
import OpenCC from 'opencc-js/t2cn';
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

  // toSimplified skips the converter for text it cannot change; it must agree with it.
  const opencc = (
    OpenCC.Converter as unknown as (options: { from: string; to: string }) => (s: string) => string
  )({ from: 't', to: 'cn' });
  const fixed = (s: string): string => opencc(s).replace(/苧/g, '苎');

  it('agrees with OpenCC on text mixing traditional, simplified and phrase entries', () => {
    const unit = fc.oneof(
      fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)),
      fc.constantFrom(
        '乾隆',
        '看著',
        '著名',
        '於是',
        '後來',
        '皇后',
        '頭髮',
        '發展',
        '瞭解',
        '鍾錶',
        'a',
        ' ',
      ),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (s) => {
        expect(toSimplified(s)).toBe(fixed(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('is idempotent and agrees with OpenCC on every single character of the CJK blocks', () => {
    const blocks: [number, number][] = [
      [0x3400, 0x4dbf],
      [0x4e00, 0x9fff],
      [0xf900, 0xfaff],
      [0x20000, 0x2a6df],
    ];
    const broken: string[] = [];
    for (const [from, to] of blocks) {
      for (let c = from; c <= to; c++) {
        const char = String.fromCodePoint(c);
        const once = toSimplified(char);
        if (toSimplified(once) !== once || once !== fixed(char)) broken.push(char);
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

  it('replaces lone surrogates, so removing a mark cannot join two into a character', () => {
    expect(normalizeText('\ud835\u0300\udc00')).toBe('\ufffd\ufffd');
    expect(normalizeText('𝐀')).toBe('a');
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
