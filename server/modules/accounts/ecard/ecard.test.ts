import { describe, expect, it } from 'vitest';
import { code128, code128Pattern, code128Symbols } from './code128.ts';
import { canEncodeCode39, code39, code39CheckCharacter } from './code39.ts';
import { renderEcard } from './index.ts';
import { qrMatrix } from './qr.ts';

// Module strings from the standards' figures, as published with zint's test suite.
const ISO_15417_FIGURE_1_AIM =
  '11010010000101000110001100010001010111011000101110110001100011101011';
const DIGITS_1234567890 =
  '110100111001011001110010001011000111000101101100001010011011110110100111100101100011101011';
const ISO_16388_FIGURE_1_1A = '100101101101011010010101101101010010110100101101101';
const CODE39_1A_WITH_CHECK = '1001011011010110100101011011010100101101011010010110100101101101';
const CODE39_FULL_SET =
  '10010110110101010011011010110100101011010110010101101101100101010101001101011011010011010101011001101010101001011011011010010110101011001011010110101001011010110100101101101101001010101011001011011010110010101011011001010101010011011011010100110101011010011010101011001101011010101001101011010100110110110101001010101101001101101011010010101101101001010101011001101101010110010101101011001010101101100101100101010110100110101011011001101010101001011010110110010110101010011011010101001010110110110010101101010011010110101001001001010100100101001010010100100101010010010010100101101101';
// MIL-STD-1189 (LOGMARS) Figure 1: Code 39 printed with a 3:1 wide-to-narrow ratio.
const LOGMARS_ABC =
  '1000101110111010111010100010111010111010001011101110111010001010100010111011101';

/** Reads a Code 128 module string back into symbol values (every symbol is 11 modules). */
function decode128(modules: string): number[] {
  const table = new Map<string, number>();
  for (let v = 0; v < 106; v += 1) table.set(code128Pattern(v), v);
  const values: number[] = [];
  for (let i = 0; i + 13 < modules.length; i += 11) {
    const value = table.get(modules.slice(i, i + 11));
    if (value === undefined) throw new Error(`no symbol at module ${i}`);
    values.push(value);
  }
  expect(modules.slice(-13)).toBe(code128Pattern(106));
  return values;
}

describe('Code 128', () => {
  it('encodes the ISO/IEC 15417 figure and an all-digit run exactly', () => {
    expect(code128('AIM')).toBe(ISO_15417_FIGURE_1_AIM);
    expect(code128('1234567890')).toBe(DIGITS_1234567890);
  });

  it('has 106 distinct symbols of 11 modules, three bars each with an even bar count', () => {
    const seen = new Set<string>();
    for (let v = 0; v < 106; v += 1) {
      const pattern = code128Pattern(v);
      expect(pattern).toHaveLength(11);
      expect(pattern.startsWith('1') && pattern.endsWith('0')).toBe(true);
      expect(pattern.match(/1+/g)).toHaveLength(3);
      expect(pattern.replace(/0/g, '').length % 2).toBe(0);
      seen.add(pattern);
    }
    expect(seen.size).toBe(106);
    expect(code128Pattern(106)).toBe('1100011101011');
  });

  it('packs digits in pairs with subset C where it shortens the symbol', () => {
    // Starts in C for four leading digits, back to B for letters.
    expect(code128Symbols('1234AB').slice(0, 5)).toEqual([105, 12, 34, 100, 33]);
    // Four digits at the end are worth a switch; an odd run leaves its first digit in B.
    expect(code128Symbols('AB12345').slice(0, 7)).toEqual([104, 33, 34, 17, 99, 23, 45]);
    // Four digits inside the text are not (the switch back would cost as much as it saves).
    expect(code128Symbols('A1234B').slice(1, 7)).toEqual([33, 17, 18, 19, 20, 34]);
    // Six are.
    expect(code128Symbols('A123456B').slice(1, 7)).toEqual([33, 99, 12, 34, 56, 100]);
    // An odd all-digit text: C for the pairs, the last digit in B.
    expect(code128Symbols('12345').slice(0, 5)).toEqual([105, 12, 34, 100, 21]);
  });

  it('ends with the modulo-103 check character and reads back to the text', () => {
    const values = code128Symbols('S2024001');
    const data = values.slice(0, -2);
    const weighted = data.reduce((sum, v, i) => sum + v * Math.max(i, 1), 0);
    expect(values.at(-2)).toBe(weighted % 103);
    expect(decode128(code128('S2024001'))).toEqual(values.slice(0, -1));
  });

  it('refuses what subset B cannot carry', () => {
    expect(() => code128('')).toThrow(RangeError);
    expect(() => code128('借书证')).toThrow(RangeError);
    expect(() => code128('a\tb')).toThrow(RangeError);
  });
});

describe('Code 39', () => {
  it('encodes the ISO/IEC 16388 figure, the whole character set and the check character', () => {
    expect(code39('1A', { wide: 2 })).toBe(ISO_16388_FIGURE_1_1A);
    expect(code39('1A', { wide: 2, checkCharacter: true })).toBe(CODE39_1A_WITH_CHECK);
    expect(code39('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%', { wide: 2 })).toBe(
      CODE39_FULL_SET,
    );
    expect(code39CheckCharacter('1A')).toBe('B');
    expect(code39CheckCharacter('Z1')).toBe('-');
  });

  it('draws wide elements three modules wide by default', () => {
    expect(code39('ABC')).toBe(LOGMARS_ABC);
  });

  it('knows what it cannot encode', () => {
    expect(canEncodeCode39('S2024001')).toBe(true);
    expect(canEncodeCode39('s2024001')).toBe(false);
    expect(canEncodeCode39('')).toBe(false);
    expect(() => code39('a')).toThrow(RangeError);
  });
});

describe('e-card SVG', () => {
  it('draws Code 128 black on white with a quiet zone and the barcode underneath', () => {
    const { svg, symbology } = renderEcard('S2024001', 'code128');
    expect(symbology).toBe('code128');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<rect width="100%" height="100%" fill="#fff"/>');
    expect(svg).toContain('fill="#000"');
    expect(svg).toContain('>S2024001</text>');
    // The first bar starts after ten quiet modules of 4 units.
    expect(svg).toMatch(/d="M40 12h8v/);
    // One path segment per bar run of the symbol.
    const runs = code128('S2024001').match(/1+/g)!.length;
    expect(svg.match(/M\d+ 12h/g)).toHaveLength(runs);
  });

  it('falls back to Code 128 when Code 39 cannot carry the barcode', () => {
    expect(renderEcard('S2024001', 'code39').symbology).toBe('code39');
    expect(renderEcard('s-2024/a', 'code39').symbology).toBe('code128');
  });

  it('draws QR codes with every dark module and escapes the caption', () => {
    const matrix = qrMatrix('S2024001');
    expect(matrix).toHaveLength(21);
    const dark = matrix.flat().filter(Boolean).length;
    const { svg } = renderEcard('A&B<1>', 'qr');
    expect(svg).toContain('>A&#38;B&#60;1&#62;</text>');
    expect(renderEcard('S2024001', 'qr').svg.match(/h12v12h-12z/g)).toHaveLength(dark);
  });
});
