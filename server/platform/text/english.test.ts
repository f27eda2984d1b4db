import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nastyText } from './arbitraries.test-util.ts';
import { analyzeEnglish, stemEnglish, tokenizeLatin } from './english.ts';

describe('tokenizeLatin', () => {
  it.each([
    ["children's", ['children'], null],
    ["students'", ['student'], null],
    ['O’Neill', ['oneill'], null],
    ["don't", ['dont'], null],
    ['e-books', ['e', 'book'], 'ebook'],
    ['COVID-19', ['covid', '19'], 'covid19'],
    ['1949-2019', ['1949', '2019'], null],
    ['C++', ['c++'], null],
    ['C#', ['c#'], null],
    ['issue#5', ['issue'], null],
    ['3.14', ['3.14'], null],
    ['Python3', ['python3'], null],
  ])('%s → %j (joined %j)', (input, parts, joined) => {
    const [first] = tokenizeLatin(input);
    expect(first?.parts).toEqual(parts);
    expect(first?.joined).toBe(joined);
  });

  it('splits on spaces and punctuation and lowercases', () => {
    expect(tokenizeLatin('Hello, World! (2nd ed.)').flatMap((t) => t.parts)).toEqual([
      'hello',
      'world',
      '2nd',
      'ed',
    ]);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(nastyText, (s) => {
        tokenizeLatin(s);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('stemEnglish', () => {
  it.each([
    ['libraries', 'library'],
    ['library', 'library'],
    ['books', 'book'],
    ['networks', 'network'],
    ['studies', 'study'],
    ['classes', 'class'],
    ['boxes', 'box'],
    ['churches', 'church'],
    ['dishes', 'dish'],
    ['cases', 'case'],
    ['shoes', 'shoe'],
    ['ties', 'tie'],
    ['movies', 'movie'],
    ['heroes', 'hero'],
    ['programming', 'program'],
    ['learning', 'learn'],
    ['running', 'run'],
    ['buildings', 'build'],
    ['studied', 'study'],
    ['embedded', 'embed'],
    ['spelled', 'spell'],
    ['learned', 'learn'],
  ])('%s → %s', (word, stem) => {
    expect(stemEnglish(word)).toBe(stem);
  });

  it.each([
    'news',
    'series',
    'analysis',
    'status',
    'class',
    'bus',
    'gas',
    'this',
    'string',
    'bring',
    'thing',
    'during',
    'morning',
    'need',
    'proceed',
    'red',
    'united',
  ])('leaves %s alone', (word) => {
    expect(stemEnglish(word)).toBe(word);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,14}$/), (word) => {
        const once = stemEnglish(word);
        expect(stemEnglish(once)).toBe(once);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('analyzeEnglish', () => {
  it('drops query stopwords, keeps them in the index', () => {
    expect(analyzeEnglish('The Lord of the Rings', 'query')).toEqual(['lord', 'ring']);
    expect(analyzeEnglish('The Lord of the Rings', 'index')).toEqual([
      'the',
      'lord',
      'of',
      'the',
      'ring',
    ]);
  });

  it('keeps stopwords when the query is nothing else', () => {
    expect(analyzeEnglish('The', 'query')).toEqual(['the']);
  });

  it('adds the joined form of hyphenated words to the index only', () => {
    expect(analyzeEnglish('e-books', 'index')).toEqual(['e', 'book', 'ebook']);
    expect(analyzeEnglish('e-books', 'query')).toEqual(['e', 'book']);
  });

  it('is idempotent on its own index terms', () => {
    const word = fc.constantFrom(
      'libraries',
      "children's",
      'e-books',
      'c++',
      '3.14',
      'programming',
      'the',
      'classes',
      'Café',
      'COVID-19',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (words) => {
        const terms = analyzeEnglish(words.join(' '), 'index');
        expect(new Set(analyzeEnglish(terms.join(' '), 'index'))).toEqual(new Set(terms));
      }),
    );
  });
});
