import { describe, expect, it } from 'vitest';
import { normaliseIssn, parseIsbn, toIsbn13 } from './isbn.ts';

describe('parseIsbn', () => {
  it.each([
    ['7-02-000220-X (精装)', '9787020002207', '702000220X'],
    ['978-7-5366-9293-0 : CNY23.00', '9787536692930', '7536692935'],
    ['0201616416 (pbk.)', '9780201616415', '0201616416'],
    ['0-13-110362-8', '9780131103627', '0131103628'],
    ['ISBN 9787111544937', '9787111544937', '7111544935'],
    ['９７８７１１１５４４９３７', '9787111544937', '7111544935'],
    ['2-07-074244-x', '9782070742448', '207074244X'],
    ['9791032305690', '9791032305690', null],
  ])('%s', (value, isbn13, isbn10) => {
    expect(parseIsbn(value)).toEqual({ isbn13, isbn10 });
  });

  it.each(['7-02-000220-1', '9787536692931', '12345', 'CNY23.00', '', '978-7-5000-0000-1'])(
    'rejects %j',
    (value) => {
      expect(parseIsbn(value)).toBeNull();
    },
  );

  it('toIsbn13 is the ISBN-13 or null', () => {
    expect(toIsbn13('0-201-61641-6')).toBe('9780201616415');
    expect(toIsbn13('0-201-61641-7')).toBeNull();
  });
});

describe('normaliseIssn', () => {
  it('checks the check digit and writes NNNN-NNNN', () => {
    expect(normaliseIssn('1063-6625 (print)')).toBe('1063-6625');
    expect(normaliseIssn('10643923')).toBe('1064-3923');
    expect(normaliseIssn('1234-5678')).toBeNull();
  });
});
