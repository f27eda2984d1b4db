import { describe, expect, it } from 'vitest';
import { parseWeChatJson } from './json.ts';

describe('parseWeChatJson', () => {
  it('keeps a 64-bit msgid exact as a string', () => {
    const parsed = parseWeChatJson('{"errcode":0,"errmsg":"ok","msgid":4611686018427388905}');
    expect(parsed).toEqual({ errcode: 0, errmsg: 'ok', msgid: '4611686018427388905' });
    // What JSON.parse would have made of it:
    expect(String((JSON.parse('{"m":4611686018427388905}') as { m: number }).m)).not.toBe(
      '4611686018427388905',
    );
  });

  it('leaves safe integers, decimals and exponents as numbers', () => {
    expect(parseWeChatJson('[9007199254740991,-9007199254740991,200228332,1.5,1e30,0]')).toEqual([
      9007199254740991, -9007199254740991, 200228332, 1.5, 1e30, 0,
    ]);
  });

  it('quotes the first unsafe integers on both sides of the range', () => {
    expect(parseWeChatJson('[9007199254740992,-9007199254740993,18446744073709551615]')).toEqual([
      '9007199254740992',
      '-9007199254740993',
      '18446744073709551615',
    ]);
  });

  it('does not touch digits inside strings, escaped quotes included', () => {
    const text =
      '{"a":"12345678901234567890","b":"say \\"12345678901234567890\\" 9","c":12345678901234567890}';
    expect(parseWeChatJson(text)).toEqual({
      a: '12345678901234567890',
      b: 'say "12345678901234567890" 9',
      c: '12345678901234567890',
    });
  });

  it('handles nested arrays and objects, and whitespace around numbers', () => {
    const text =
      '{ "list": [ [ 12345678901234567890 , 1 ], { "id" : 98765432109876543210 } ], "n" : 3 }';
    expect(parseWeChatJson(text)).toEqual({
      list: [['12345678901234567890', 1], { id: '98765432109876543210' }],
      n: 3,
    });
  });

  it('keeps a backslash at the end of a string from hiding the next number', () => {
    expect(parseWeChatJson('["\\\\",12345678901234567890]')).toEqual([
      '\\',
      '12345678901234567890',
    ]);
  });

  it('does not turn malformed JSON into valid JSON', () => {
    expect(() => parseWeChatJson('{"a":012345678901234567}')).toThrow(SyntaxError);
    expect(() => parseWeChatJson('{"a":1234567890123456789')).toThrow(SyntaxError);
  });
});
