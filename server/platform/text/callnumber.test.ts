import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nastyText } from './arbitraries.test-util.ts';
import {
  callNumberPrefixes,
  callNumberScheme,
  callNumberSortKey,
  normalizeCallNumber,
} from './callnumber.ts';

const shelfOrder = (list: string[]): string[] =>
  [...list].sort((a, b) => {
    const ka = callNumberSortKey(a);
    const kb = callNumberSortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });

describe('normalizeCallNumber', () => {
  it.each([
    [' tp312.8－43 / 45：2 ', 'TP312.8-43/45:2'],
    ['I247.5 / 123', 'I247.5/123'],
    ['ｉ２４７．５／１２３', 'I247.5/123'],
    ['K825.6=76\\12', 'K825.6=76/12'],
    ['TP312—43/45', 'TP312-43/45'],
    ['qa76.73 .j38  s53   2019', 'QA76.73.J38 S53 2019'],
    ['005.133 s', '005.133 S'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeCallNumber(input)).toBe(expected);
  });

  it('is idempotent and never throws', () => {
    fc.assert(
      fc.property(nastyText, (s) => {
        const once = normalizeCallNumber(s);
        expect(normalizeCallNumber(once)).toBe(once);
        callNumberSortKey(s);
        callNumberPrefixes(s);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('callNumberScheme', () => {
  it.each([
    ['I247.5/123', 'clc'],
    ['TP312.8-43/45:2', 'clc'],
    ['TP312', 'clc'],
    ['K825.6=76/12', 'clc'],
    ['QA76.73.J38 S53 2019', 'lc'],
    ['PL2727.S2 A2 1991', 'lc'],
    ['005.133 S', 'dewey'],
    ['895.1/2', 'dewey'],
    ['参考/123', 'other'],
  ])('%s is %s', (callNumber, scheme) => {
    expect(callNumberScheme(callNumber)).toBe(scheme);
  });
});

describe('callNumberSortKey', () => {
  it('orders CLC class numbers as decimals, book numbers as integers', () => {
    const shelf = [
      'TP3/1',
      'TP31/1',
      'TP311.1/5',
      'TP312/2',
      'TP312/10',
      'TP312-43/1',
      'TP312.8/1',
      'TP312.8-43/45',
      'TP312.8-43/45:2',
      'TP312.8-43/45:10',
      'TP313/1',
      'TP39/1',
      'TP4/1',
      'TQ1/1',
    ];
    expect(shelfOrder([...shelf].reverse())).toEqual(shelf);
  });

  it('puts a class number before its subdivisions and longer numbers', () => {
    expect(shelfOrder(['I247.57/1', 'I247.5/99', 'I247.5/123', 'I247/5'])).toEqual([
      'I247/5',
      'I247.5/99',
      'I247.5/123',
      'I247.57/1',
    ]);
  });

  it('orders LC numbers: class integer, decimals, Cutters as decimals, years', () => {
    const shelf = [
      'QA9.58 .K5 2000',
      'QA76 .A1 1990',
      'QA76.73.J38 S53 2019',
      'QA76.73.J38 S53 2020',
      'QA76.73.J4 A1 2001',
      'QA76.8 .B2 1999',
      'QA100 .C3 2010',
      'QB1 .A1 1900',
    ];
    expect(shelfOrder([...shelf].reverse())).toEqual(shelf);
  });

  it('orders Dewey numbers', () => {
    const shelf = ['005 A', '005.1 B', '005.133 S', '005.2 A', '100 Z'];
    expect(shelfOrder([...shelf].reverse())).toEqual(shelf);
  });

  it('gives the same key to the same call number written differently', () => {
    expect(callNumberSortKey(' tp312.8－43 / 45：2 ')).toBe(callNumberSortKey('TP312.8-43/45:2'));
  });
});

describe('callNumberPrefixes', () => {
  it('gives the CLC class hierarchy and each separated part', () => {
    expect(callNumberPrefixes('TP312.8-43/45:2')).toEqual([
      'T',
      'TP',
      'TP3',
      'TP31',
      'TP312',
      'TP312.8',
      'TP312.8-43',
      'TP312.8-43/45',
      'TP312.8-43/45:2',
    ]);
  });

  it('gives LC letters, the class integer and its decimals, then the Cutters', () => {
    expect(callNumberPrefixes('QA76.73.J38 S53 2019')).toEqual([
      'Q',
      'QA',
      'QA76',
      'QA76.7',
      'QA76.73',
      'QA76.73.J38',
      'QA76.73.J38 S53',
      'QA76.73.J38 S53 2019',
    ]);
  });

  it('gives nothing for an empty call number', () => {
    expect(callNumberPrefixes('  ')).toEqual([]);
  });
});
