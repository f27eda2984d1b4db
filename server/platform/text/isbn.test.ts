import fc from 'fast-check';
import { parse } from 'isbn3';
import { describe, expect, it } from 'vitest';
import { nastyText } from './arbitraries.test-util.ts';
import { findIsbns, normalizeIsbn, scanIsbns } from './isbn.ts';

// 三体, 重庆出版社 2008.
const SANTI = { isbn13: '9787536692930', isbn10: '7536692935' };

describe('normalizeIsbn', () => {
  it.each([
    '978-7-5366-9293-0',
    '9787536692930',
    '978 7 5366 9293 0',
    'ISBN 978-7-5366-9293-0',
    'ISBN-13: 978-7-5366-9293-0',
    'isbn9787536692930',
    'ISBN：９７８－７－５３６６－９２９３－０',
    '７５３６６９２９３５',
    '7-5366-9293-5',
    'ISBN 7-5366-9293-5',
    'ISBN-10: 7536692935',
    'EAN_13,9787536692930',
    'EAN13:9787536692930',
    'ean-13 9787536692930',
    '  9787536692930  ',
  ])('%s → 9787536692930 / 7536692935', (input) => {
    expect(normalizeIsbn(input)).toEqual(SANTI);
  });

  it('takes an X check digit in either case', () => {
    const expected = { isbn13: '9780804429573', isbn10: '080442957X' };
    expect(normalizeIsbn('0-8044-2957-X')).toEqual(expected);
    expect(normalizeIsbn('080442957x')).toEqual(expected);
  });

  it('gives no ISBN-10 for 979 ISBNs', () => {
    expect(normalizeIsbn('979-10-90636-07-1')).toEqual({ isbn13: '9791090636071', isbn10: null });
  });

  it.each([
    ['a wrong ISBN-13 check digit', '978-7-5366-9293-1'],
    ['a wrong ISBN-10 check digit', '7-5366-9293-3'],
    ['an EAN that is not a book', '6901234567892'],
    ['12 digits', '978753669293'],
    ['an X inside', '97875366X2930'],
    ['letters', '978-7-5366-abcd'],
    ['nothing', ''],
    ['two ISBNs', '9787536692930 9787536692930'],
  ])('rejects %s', (_, input) => {
    expect(normalizeIsbn(input)).toBeNull();
  });

  it('finds the same record from ISBN-10 and ISBN-13', () => {
    expect(normalizeIsbn('7536692935')?.isbn13).toBe(normalizeIsbn('978-7-5366-9293-0')?.isbn13);
  });

  it('agrees with isbn3 on every valid ISBN isbn3 knows', () => {
    const digits9 = fc.stringMatching(/^[0-9]{9}$/);
    fc.assert(
      fc.property(digits9, fc.constantFrom('978', '979'), (body, prefix) => {
        // Make a valid ISBN-13 from 12 digits, then compare both libraries.
        const first12 = prefix + body;
        let sum = 0;
        for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(first12[i]);
        const isbn = first12 + String((10 - (sum % 10)) % 10);
        const theirs = parse(isbn);
        const ours = normalizeIsbn(isbn);
        expect(ours?.isbn13).toBe(isbn);
        if (theirs) {
          expect(ours).toEqual({ isbn13: theirs.isbn13, isbn10: theirs.isbn10 ?? null });
          if (theirs.isbn10) expect(normalizeIsbn(theirs.isbn10)).toEqual(ours);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on its own output and never throws', () => {
    fc.assert(
      fc.property(nastyText, (s) => {
        const isbn = normalizeIsbn(s);
        if (isbn) expect(normalizeIsbn(isbn.isbn13)).toEqual(isbn);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('findIsbns', () => {
  it('finds the ISBN in a WeChat message', () => {
    expect(findIsbns('有没有 978-7-5366-9293-0 这本书')).toEqual([SANTI]);
    expect(findIsbns('有没有978-7-5366-9293-0这本书？')).toEqual([SANTI]);
  });

  it('finds several, in order, once each, in any form', () => {
    expect(
      findIsbns('ISBN 7-5366-9293-5；0-306-40615-2 和 9787536692930 还有 EAN_13,9791090636071'),
    ).toEqual([
      SANTI,
      { isbn13: '9780306406157', isbn10: '0306406152' },
      { isbn13: '9791090636071', isbn10: null },
    ]);
  });

  it('separates ISBNs written next to each other with a space', () => {
    expect(findIsbns('9787536692930 9780306406157').map((i) => i.isbn13)).toEqual([
      '9787536692930',
      '9780306406157',
    ]);
  });

  it('ignores phone numbers, card numbers and invalid check digits', () => {
    expect(findIsbns('电话 13912345678，卡号 6222021234567890123，978-7-5366-9293-1')).toEqual([]);
  });

  it('reports offsets that cover the prefix and the number', () => {
    const text = '查 ISBN 978-7-5366-9293-0 谢谢';
    const [match] = scanIsbns(text);
    expect(match && text.slice(match.start, match.end)).toBe('ISBN 978-7-5366-9293-0');
  });

  it('takes a prefix only at the start of a word: 0isbn:978… is the word 0isbn, then the ISBN', () => {
    const text = '0isbn:9787536692930';
    const [match] = scanIsbns(text);
    expect(match && text.slice(match.start, match.end)).toBe('9787536692930');
  });

  it('never throws', () => {
    fc.assert(
      fc.property(nastyText, (s) => {
        findIsbns(s);
      }),
      { numRuns: 1000 },
    );
  });
});
