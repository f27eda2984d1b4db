import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeForIndex,
  analyzeQuery,
  analyzeRecordForIndex,
  containsSequence,
  groupByField,
  INITIALS_PREFIX,
  phraseTokens,
  PINYIN_PREFIX,
  type QueryTerm,
} from './analyzer.ts';
import { chineseTitle, englishTitle, nastyText } from './arbitraries.test-util.ts';
import { pinyinSyllables } from './pinyin.ts';
import { cutRuns, hanRuns, segmentChinese } from './segment.ts';

/**
 * The matching rule the search engine implements, over one field's index terms: every
 * required clause has an alternative whose terms are all present, and a phrase's
 * sequence occurs in the field's phrase tokens.
 */
function matches(query: QueryTerm[], field: string, text: string): boolean {
  const terms = new Set(analyzeForIndex(field, text));
  return query
    .filter((clause) => clause.required)
    .every(
      (clause) =>
        clause.anyOf.some((alt) => alt.terms.every((t) => terms.has(t))) &&
        (clause.sequence === null || containsSequence(phraseTokens(text), clause.sequence)),
    );
}

const finds = (query: string, text: string, field = 'title'): boolean =>
  matches(analyzeQuery(query), field, text);

describe('the issue, bullet by bullet', () => {
  it('traditional and simplified fold: 紅樓夢 finds 红楼梦', () => {
    expect(analyzeForIndex('title', '紅樓夢')).toEqual(analyzeForIndex('title', '红楼梦'));
    expect(analyzeQuery('紅樓夢')).toEqual(analyzeQuery('红楼梦'));
    expect(finds('紅樓夢', '红楼梦')).toBe(true);
    expect(finds('红楼梦', '紅樓夢脂評本')).toBe(true);
  });

  it.each(['hongloumeng', 'hong lou meng', 'hlm', 'HongLouMeng', 'hóng lóu mèng'])(
    'pinyin %j finds 红楼梦',
    (query) => {
      expect(finds(query, '红楼梦')).toBe(true);
      expect(finds(query, '红楼梦研究')).toBe(true);
    },
  );

  it.each([
    ['三体', '三体'],
    ['三体', '三体Ⅱ：黑暗森林'],
    ['三体', '三体问题研究'], // jieba: 三体问题 / 研究, and 三体 is not a dictionary word
    ['数学', '高等数学（第七版）'],
    ['高等数学', '高等数学（第七版）'],
    ['红楼', '红楼梦'],
    ['马克思', '马克思主义基本原理概论'],
    ['马克思主义', '马克思主义基本原理概论'],
    ['真题', '大学英语四级考试真题'],
    ['人民共和国', '中华人民共和国民法典释义'],
    ['生物', '学生物理竞赛'], // jieba: 学生 / 物理 / 竞赛
    ['诗', '唐诗三百首'],
    ['计算机 网络', '计算机网络：自顶向下方法'],
    ['平凡的世界', '平凡的世界'],
  ])('two-character and sub-words: %s finds %s', (query, title) => {
    expect(finds(query, title)).toBe(true);
  });

  it('does not find what is not there', () => {
    expect(finds('三体', '三国演义')).toBe(false);
    expect(finds('红楼梦', '红楼')).toBe(false);
    expect(finds('hongloumeng', '三国演义')).toBe(false);
    expect(finds('数学 物理', '高等数学')).toBe(false);
  });

  it('full-width and half-width fold: ｃ语言 → c语言, Ｅｎｇｌｉｓｈ → english', () => {
    expect(analyzeForIndex('title', 'ｃ语言')).toEqual(analyzeForIndex('title', 'c语言'));
    expect(finds('ｃ语言', 'C语言程序设计')).toBe(true);
    expect(finds('c语言', 'Ｃ语言程序设计')).toBe(true);
    expect(analyzeForIndex('title', 'Ｅｎｇｌｉｓｈ')).toEqual(['english']);
    expect(finds('ENGLISH', 'Ｅｎｇｌｉｓｈ Grammar')).toBe(true);
  });

  it('English: case, diacritics and light stemming (Café → cafe, libraries ↔ library)', () => {
    expect(analyzeForIndex('title', 'Café')).toEqual(['cafe']);
    expect(finds('cafe', 'Le Café de Flore')).toBe(true);
    expect(finds('Libraries', 'The Academic Library')).toBe(true);
    expect(finds('library', 'Public Libraries')).toBe(true);
    expect(finds('programming', 'The Art of Computer Programs')).toBe(true);
    expect(finds("children's books", 'Books for Children')).toBe(true);
  });

  it.each([
    '978-7-5366-9293-0',
    '9787536692930',
    '978 7 5366 9293 0',
    '7536692935',
    '7-5366-9293-5',
    'ISBN 978-7-5366-9293-0',
    'EAN_13,9787536692930',
    'isbn:9787536692930',
    'isbn: 978 7 5366 9293 0',
    '９７８７５３６６９２９３０',
  ])('ISBN in any form: %s finds the record', (query) => {
    const clauses = analyzeQuery(query);
    expect(clauses).toHaveLength(1);
    expect(clauses[0]?.field).toBe('isbn');
    expect(matches(clauses, 'isbn', '978-7-5366-9293-0')).toBe(true);
    expect(matches(clauses, 'isbn', '7536692935 (平装)')).toBe(true);
  });

  it('call numbers are normalised and match by class prefix', () => {
    const indexed = 'TP312.8-43/45:2';
    expect(matches(analyzeQuery('call:TP312'), 'callnumber', indexed)).toBe(true);
    expect(matches(analyzeQuery('索书号：tp312.8－43'), 'callnumber', indexed)).toBe(true);
    expect(matches(analyzeQuery('callnumber:tp312.8-43/45:2'), 'callnumber', indexed)).toBe(true);
    expect(matches(analyzeQuery('call:TP31'), 'callnumber', 'TP391/1')).toBe(false);
    expect(matches(analyzeQuery('clc:I247.5'), 'class', 'I247.5')).toBe(true);
  });
});

describe('analyzeForIndex', () => {
  it('gives words, bigrams, unigrams and pinyin for a title', () => {
    const terms = analyzeForIndex('title', '红楼梦研究');
    expect(terms).toEqual(
      expect.arrayContaining(['红楼梦', '研究', '红楼', '楼梦', '梦研', '红', '诗'].slice(0, 6)),
    );
    expect(terms).toEqual(
      expect.arrayContaining(['py:honglou', 'py:loumeng', 'py:yanjiu', 'pi:hlm', 'pi:hlmyj']),
    );
  });

  it('keeps pinyin apart from English words: the pinyin of 我们 is not the word "women"', () => {
    const terms = analyzeForIndex('title', '我们');
    expect(terms).toContain(`${PINYIN_PREFIX}women`);
    expect(terms).not.toContain('women');
    expect(finds('women', 'Women in Science')).toBe(true);
  });

  it('reads authors with surname readings', () => {
    expect(analyzeForIndex('author', '曾国藩著')).toContain(`${PINYIN_PREFIX}zengguo`);
    expect(finds('zeng guo fan', '曾国藩著', 'author')).toBe(true);
    expect(finds('liu cixin', '刘慈欣著', 'author')).toBe(true);
    expect(finds('lcx', '刘慈欣著', 'author')).toBe(true);
  });

  it('resolves polyphones by word: 重庆 chongqing, 银行 yinhang, 长安 chang an', () => {
    expect(finds('chongqing', '重庆出版社', 'title')).toBe(true);
    expect(finds('yinhang', '中国银行史', 'title')).toBe(true);
    expect(finds('chang an', '长安十二时辰', 'title')).toBe(true);
    expect(finds('jinanshi', '济南市志', 'title')).toBe(true);
  });

  it('leaves pinyin out of subject, publisher and summary, and unigrams out of authors', () => {
    expect(analyzeForIndex('subject', '红楼梦—研究').some((t) => t.startsWith('py:'))).toBe(false);
    expect(analyzeForIndex('summary', '红楼梦').some((t) => t.startsWith('pi:'))).toBe(false);
    expect(analyzeForIndex('author', '鲁迅著')).not.toContain('鲁');
    expect(finds('诗', '诗经', 'author')).toBe(false);
  });

  it('lets profiles be overridden', () => {
    const terms = analyzeForIndex('subject', '红楼梦', { profiles: { subject: { pinyin: true } } });
    expect(terms).toContain(`${INITIALS_PREFIX}hlm`);
  });

  it('summary uses cutForSearch sub-words without bigrams', () => {
    const terms = analyzeForIndex('summary', '计算机网络');
    expect(terms).toEqual(expect.arrayContaining(['计算机', '网络', '计算机网络']));
    expect(terms).not.toContain('机网');
  });

  it('treats kana and hangul with bigrams', () => {
    expect(finds('ノルウェイ', 'ノルウェイの森')).toBe(true);
    expect(finds('도서관', '국립중앙도서관')).toBe(true);
  });

  it('indexes every valid ISBN of an isbn field', () => {
    expect(analyzeForIndex('isbn', '7536692935 (pbk.) ; 978-0-306-40615-7')).toEqual([
      '9787536692930',
      '9780306406157',
    ]);
    expect(analyzeForIndex('isbn', 'not an isbn')).toEqual([]);
  });

  it('returns a fresh array each time (memoised values are not shared)', () => {
    const first = analyzeForIndex('publisher', '人民文学出版社');
    first.push('mutated');
    expect(analyzeForIndex('publisher', '人民文学出版社')).not.toContain('mutated');
  });
});

describe('analyzeRecordForIndex', () => {
  it('gives each field the terms analyzeForIndex gives it', () => {
    const record = {
      title: '三体Ⅱ：黑暗森林',
      author: ['刘慈欣著', '（美）刘宇昆译'],
      subject: '科学幻想小说—长篇小说—中国—当代',
      publisher: '重庆出版社',
      isbn: '978-7-5366-9396-8',
      callnumber: 'I247.55/1234',
      notes: 'Hugo Award winner',
    };
    const out = analyzeRecordForIndex(record);
    for (const [field, value] of Object.entries(record)) {
      const values = typeof value === 'string' ? [value] : value;
      const expected = new Set(values.flatMap((v) => analyzeForIndex(field, v)));
      expect(new Set(out[field])).toEqual(expected);
      expect(out[field]).toHaveLength(expected.size);
    }
  });

  it('agrees with analyzeForIndex on arbitrary records', () => {
    const value = fc.oneof(chineseTitle, englishTitle, nastyText);
    fc.assert(
      fc.property(value, value, value, (title, author, subject) => {
        const out = analyzeRecordForIndex({ title, author: [author, title], subject });
        expect(out.title).toEqual(analyzeForIndex('title', title));
        expect(new Set(out.author)).toEqual(
          new Set([...analyzeForIndex('author', author), ...analyzeForIndex('author', title)]),
        );
        expect(out.subject).toEqual(analyzeForIndex('subject', subject));
      }),
      { numRuns: 500 },
    );
  });

  it('takes any field name, __proto__ included, as a plain text field', () => {
    const record = JSON.parse('{"__proto__": "三体", "constructor": "三体"}') as Record<
      string,
      string
    >;
    const out = analyzeRecordForIndex(record);
    expect(Object.keys(out)).toEqual(['__proto__', 'constructor']);
    expect(out.constructor).toEqual(analyzeForIndex('anything', '三体'));
  });
});

describe('analyzeQuery', () => {
  it('makes pinyin an alternative to the English reading', () => {
    const [clause] = analyzeQuery('hongloumeng');
    expect(clause?.anyOf).toEqual([
      { via: 'word', terms: ['hongloumeng'], weight: 1 },
      { via: 'pinyin', terms: ['py:honglou', 'py:loumeng'], weight: 0.6 },
    ]);
    expect(analyzeQuery('hlm')[0]?.anyOf.map((a) => a.via)).toEqual(['word', 'initials']);
    expect(analyzeQuery('network')[0]?.anyOf.map((a) => a.via)).toEqual(['word']);
    expect(analyzeQuery('ma')[0]?.anyOf.map((a) => a.via)).toEqual(['word']);
  });

  it('keeps query words whole, with bigrams as the fallback for longer words', () => {
    const [clause] = analyzeQuery('马克思主义');
    expect(clause?.anyOf).toEqual([
      { via: 'word', terms: ['马克思主义'], weight: 1 },
      { via: 'grams', terms: ['马克', '克思', '思主', '主义'], weight: 0.9 },
    ]);
  });

  it('makes single characters next to longer words optional', () => {
    const clauses = analyzeQuery('平凡的世界');
    expect(clauses.map((c) => [c.text, c.required])).toEqual([
      ['平凡', true],
      ['的', false],
      ['世界', true],
    ]);
    expect(analyzeQuery('诗')[0]?.required).toBe(true);
  });

  it('parses quoted phrases, ASCII and Chinese quotes', () => {
    const [en] = analyzeQuery('"machine learning"');
    expect(en).toMatchObject({ kind: 'phrase', sequence: ['machine', 'learn'] });
    expect(finds('"machine learning"', 'Machine Learning in Action')).toBe(true);
    expect(finds('"machine learning"', 'Learning Machine Design')).toBe(false);
    expect(finds('machine learning', 'Learning Machine Design')).toBe(true);
    const [zh] = analyzeQuery('“红楼梦”');
    expect(zh).toMatchObject({ kind: 'phrase', sequence: ['红', '楼', '梦'] });
    expect(finds('「三体」', '三体Ⅱ：黑暗森林')).toBe(true);
    expect(finds('“楼梦研”', '红楼梦研究')).toBe(true);
    expect(finds('“梦红”', '红学红楼梦')).toBe(false);
  });

  it('keeps stopwords in phrases, drops them elsewhere unless nothing else is left', () => {
    expect(analyzeQuery('the lord of the rings').map((c) => c.text)).toEqual(['lord', 'rings']);
    expect(analyzeQuery('"the lord of the rings"')[0]?.sequence).toEqual([
      'the',
      'lord',
      'of',
      'the',
      'ring',
    ]);
    expect(analyzeQuery('the')[0]?.anyOf[0]?.terms).toEqual(['the']);
  });

  it('parses field prefixes, English and Chinese', () => {
    const groups = groupByField(analyzeQuery('title:三体 author:刘慈欣 科幻'));
    expect(groups.map((g) => [g.field, g.terms.map((t) => t.text)])).toEqual([
      ['title', ['三体']],
      ['author', ['刘慈欣']],
      [null, ['科幻']],
    ]);
    const zh = analyzeQuery('题名：紅樓夢 作者： 曹雪芹 出版社:人民文学出版社');
    expect(zh.map((c) => [c.field, c.text])).toEqual([
      ['title', '红楼梦'],
      ['author', '曹雪芹'],
      ['publisher', '人民文学出版社'],
    ]);
    expect(analyzeQuery('TITLE:"machine learning"')[0]).toMatchObject({
      kind: 'phrase',
      field: 'title',
    });
  });

  it('treats field prefixes as text when asked to', () => {
    const clauses = analyzeQuery('title:三体', { fields: false });
    expect(clauses.map((c) => [c.field, c.text])).toEqual([
      [null, 'title'],
      [null, '三体'],
    ]);
  });

  it('finds ISBNs inside a message and analyses the rest', () => {
    const clauses = analyzeQuery('有没有 978-7-5366-9293-0 三体');
    expect(clauses.map((c) => [c.kind, c.field, c.anyOf[0]?.terms])).toEqual([
      ['word', null, ['有没有']],
      ['isbn', 'isbn', ['9787536692930']],
      ['word', null, ['三体']],
    ]);
  });

  it('leaves numbers inside quoted phrases to the phrase', () => {
    expect(analyzeQuery('"三体 9787536692930"')[0]).toMatchObject({
      kind: 'phrase',
      sequence: ['三', '体', '9787536692930'],
    });
  });

  it('gives an unmatchable clause for an invalid isbn: value rather than dropping it', () => {
    expect(analyzeQuery('isbn:978-7-5366-9293-1')[0]?.anyOf[0]?.terms).toEqual(['9787536692931']);
  });

  it('handles mixed Chinese and Latin', () => {
    expect(analyzeQuery('c语言程序设计').map((c) => c.text)).toEqual(['c', '语言', '程序设计']);
    expect(finds('hongloumeng 研究', '红楼梦研究')).toBe(true);
  });

  it('returns nothing for an empty or punctuation-only query', () => {
    expect(analyzeQuery('')).toEqual([]);
    expect(analyzeQuery('  ，。！ ')).toEqual([]);
  });
});

describe('properties', () => {
  it('never throws on arbitrary Unicode, lone surrogates included', () => {
    const field = fc.constantFrom(
      'title',
      'author',
      'subject',
      'summary',
      'isbn',
      'callnumber',
      'anything',
      '__proto__',
      'constructor',
    );
    fc.assert(
      fc.property(nastyText, field, (s, f) => {
        analyzeForIndex(f, s);
        analyzeQuery(s);
        analyzeQuery(s, { fields: false });
        phraseTokens(s);
      }),
      { numRuns: 2000 },
    );
  });

  const selfMatch = (title: string): void => {
    const query = analyzeQuery(title, { fields: false }).filter((c) => c.kind !== 'isbn');
    expect(matches(query, 'title', title)).toBe(true);
    // The primary (word) reading alone already matches: nothing relies on a fallback.
    const terms = new Set(analyzeForIndex('title', title));
    for (const clause of query.filter((c) => c.kind === 'word')) {
      expect(clause.anyOf[0]?.terms.every((t) => terms.has(t))).toBe(true);
    }
  };

  it('a Chinese title finds itself (query terms ⊆ index terms)', () => {
    fc.assert(fc.property(chineseTitle, selfMatch), { numRuns: 500 });
  });

  it('an English title finds itself (query terms ⊆ index terms)', () => {
    fc.assert(fc.property(englishTitle, selfMatch), { numRuns: 500 });
  });

  it('any text finds itself in a title field', () => {
    fc.assert(
      fc.property(nastyText, (s) => {
        const query = analyzeQuery(s, { fields: false }).filter((c) => c.kind !== 'isbn');
        expect(matches(query, 'title', s)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('any substring of a Chinese title finds the title', () => {
    const titleAndSpan = chineseTitle.chain((title) => {
      const run = hanRuns(title).sort((a, b) => b.length - a.length)[0] ?? '';
      return fc
        .tuple(fc.nat(run.length - 1), fc.integer({ min: 1, max: run.length }))
        .map(([start, length]) => ({ title, sub: run.slice(start, start + length) }));
    });
    fc.assert(
      fc.property(titleAndSpan, ({ title, sub }) => {
        expect(finds(sub, title)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('the spaced full pinyin of a Chinese title finds it', () => {
    fc.assert(
      fc.property(chineseTitle, (title) => {
        const syllables = cutRuns(title)
          .flat()
          .flatMap((w) => pinyinSyllables(w));
        fc.pre(syllables.length >= 2);
        expect(finds(syllables.join(' '), title)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the joined full pinyin of each word of a Chinese title finds it', () => {
    // Joined pinyin is ambiguous (changan: chang-an or chan-gan); a word at a time, the
    // readings tried always include the right one.
    fc.assert(
      fc.property(chineseTitle, (title) => {
        const words = cutRuns(title).flat();
        const query = words.map((w) => pinyinSyllables(w).join('')).join(' ');
        fc.pre(words.every((w) => pinyinSyllables(w).length >= 2));
        expect(finds(query, title)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("with bigrams, a field's Han terms include all of jieba's cutForSearch", () => {
    fc.assert(
      fc.property(chineseTitle, fc.constantFrom('title', 'author', 'subject'), (title, field) => {
        const terms = new Set(analyzeForIndex(field, title));
        for (const word of segmentChinese(title, 'index')) expect(terms).toContain(word);
      }),
      { numRuns: 500 },
    );
  });

  it('English index analysis is idempotent on its own terms', () => {
    fc.assert(
      fc.property(englishTitle, (title) => {
        const terms = analyzeForIndex('subject', title);
        expect(new Set(analyzeForIndex('subject', terms.join(' ')))).toEqual(new Set(terms));
      }),
      { numRuns: 300 },
    );
  });

  it('normalised query text is stable: analysing it again gives the same clauses', () => {
    fc.assert(
      fc.property(fc.oneof(chineseTitle, englishTitle), (title) => {
        const once = analyzeQuery(title);
        const again = analyzeQuery(once.map((c) => c.text).join(' '));
        expect(again.flatMap((c) => c.anyOf[0]?.terms)).toEqual(
          once.flatMap((c) => c.anyOf[0]?.terms),
        );
      }),
      { numRuns: 300 },
    );
  });
});
