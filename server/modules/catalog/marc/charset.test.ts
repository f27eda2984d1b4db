import { describe, expect, it } from 'vitest';
import { chooseCharset, decodeBytes, decodeMarc8 } from './charset.ts';
import { MarcError } from './errors.ts';
import { encodeGbk } from './fixtures/cnmarc.ts';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const marc8 = (s: string): string => {
  const b = latin1(s);
  return decodeMarc8(b, 0, b.length).text;
};

describe('decodeMarc8', () => {
  it('moves ANSEL diacritics after their base and composes them (NFC)', () => {
    expect(marc8('Dvo\xe9rak')).toBe('Dvořak');
    expect(marc8('Caf\xe2e')).toBe('Café');
    // Two marks on one letter, in MARC-8 order: circumflex then acute → ế.
    expect(marc8('Vi\xe3\xe2et')).toBe('Viết');
    expect(marc8('Dvo\xe9rak').normalize('NFC')).toBe(marc8('Dvo\xe9rak'));
  });

  it('maps ANSEL spacing letters and symbols', () => {
    expect(marc8('\xb1\xb5\xc7\xa5\xa9\xc3')).toBe('łæßÆ♭©');
  });

  it('joins ligature halves the way YAZ does (one U+0361)', () => {
    expect(marc8('\xebt\xecs')).toBe('t\u0361s');
  });

  it('follows escapes to subscripts, superscripts, Greek symbols and back', () => {
    expect(marc8('H\x1bb2\x1bsO')).toBe('H₂O');
    expect(marc8('E=mc\x1bp2\x1bs')).toBe('E=mc²');
    expect(marc8('\x1bgab\x1bs-rays')).toBe('αβ-rays');
  });

  it('follows ISO 2022 designations to Greek, Cyrillic and EACC', () => {
    expect(marc8('\x1b(Sabg\x1b(B')).toBe('αβϛ');
    expect(marc8('\x1b(N\x6d\x4f\x53\x4b\x57\x41\x1b(B')).toBe('Москва');
    expect(marc8('\x1b$1\x21\x30\x21\x1b(B')).toBe('一');
  });

  it('counts what does not belong to MARC-8 instead of guessing', () => {
    const undefinedByte = decodeMarc8(latin1('ab\xff'), 0, 3);
    expect(undefinedByte.undefinedBytes).toBe(1);
    const dangling = decodeMarc8(latin1('x\xe2'), 0, 2);
    expect(dangling.undefinedBytes).toBe(1);
    const unmapped = decodeMarc8(latin1('\x1b$1\x21\x21\x21\x1b(B'), 0, 9);
    expect(unmapped).toMatchObject({ text: '〓', unmappedEacc: 1, undefinedBytes: 0 });
  });

  it('keeps non-sort markers as the LC code points', () => {
    expect(marc8('\x88The \x89end')).toBe('\u0098The \u009cend');
  });
});

describe('decodeBytes', () => {
  it('throws BAD_ENCODING rather than returning mojibake', () => {
    const gbk = encodeGbk('三体');
    expect(decodeBytes(gbk, 0, gbk.length, 'gb18030')).toBe('三体');
    expect(() => decodeBytes(new Uint8Array([0xba]), 0, 1, 'gb18030')).toThrowError(MarcError);
    expect(() => decodeBytes(latin1('ab\xff'), 0, 3, 'marc8')).toThrowError(/MARC-8/);
  });

  it('warns about unmapped EACC codes but keeps the Latin text', () => {
    const warnings: string[] = [];
    const b = latin1('Sanguo \x1b$1\x21\x21\x21\x1b(B');
    expect(decodeBytes(b, 0, b.length, 'marc8', warnings)).toBe('Sanguo 〓');
    expect(warnings).toHaveLength(1);
  });
});

describe('chooseCharset', () => {
  const all = (b: Uint8Array) => [b, 0, b.length] as const;

  it('trusts a UTF-8 declaration only when the bytes are UTF-8', () => {
    expect(chooseCharset(...all(Buffer.from('三体')), 'utf-8', 'auto')).toEqual({
      charset: 'utf-8',
    });
    expect(() => chooseCharset(...all(encodeGbk('三体')), 'utf-8', 'auto')).toThrowError(
      /declares UTF-8/,
    );
  });

  it('sniffs undeclared records: UTF-8, then GB18030 that looks Chinese, then Latin-1', () => {
    expect(chooseCharset(...all(Buffer.from('红楼梦')), null, 'auto').charset).toBe('utf-8');
    expect(chooseCharset(...all(encodeGbk('红楼梦 / 曹雪芹著')), null, 'auto').charset).toBe(
      'gb18030',
    );
    const danish = chooseCharset(...all(latin1('Stræk\xf8velser')), null, 'auto');
    expect(danish.charset).toBe('latin1');
    expect(danish.warning).toMatch(/ISO-8859-1/);
  });

  it('checks a MARC-8 declaration against the bytes', () => {
    expect(chooseCharset(...all(latin1('Dvo\xe9rak')), 'marc8', 'auto')).toEqual({
      charset: 'marc8',
    });
    expect(chooseCharset(...all(latin1('\x1b$1\x21\x30\x21\x1b(B')), 'marc8', 'auto').charset).toBe(
      'marc8',
    );
    const utf8 = chooseCharset(...all(Buffer.from('Dvořák')), 'marc8', 'auto');
    expect(utf8.charset).toBe('utf-8');
    expect(utf8.warning).toMatch(/leader\/09/);
  });

  it('lets an explicit option win, failing only when UTF-8 is impossible', () => {
    expect(chooseCharset(...all(Buffer.from('三体')), null, 'latin1')).toEqual({
      charset: 'latin1',
    });
    expect(() => chooseCharset(...all(encodeGbk('三体')), null, 'utf-8')).toThrowError(MarcError);
  });
});
