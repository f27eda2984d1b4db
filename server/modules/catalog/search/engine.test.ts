import { beforeAll, describe, expect, it } from 'vitest';
import { catalogAnalyzer } from './analyzer.ts';
import { CatalogIndex } from './engine.ts';
import type { SearchDocument, SearchRequest } from './types.ts';

let nextId = 1;
function doc(fields: Partial<SearchDocument> & { title: string }): SearchDocument {
  return {
    id: nextId++,
    authors: [],
    subjects: [],
    isbns: [],
    callNumbers: [],
    year: 2015,
    language: 'chi',
    materialType: 'book',
    branches: ['总馆'],
    availableItems: 1,
    totalItems: 1,
    addedAt: Date.UTC(2026, 0, 1) + nextId * 1000,
    ...fields,
  };
}

const BOOKS = {
  hongloumeng: doc({
    title: '红楼梦',
    authors: ['曹雪芹', '高鹗'],
    subjects: ['章回小说 -- 中国 -- 清代'],
    publisher: '人民文学出版社',
    year: 1996,
    isbns: ['9787020002207'],
    callNumbers: ['I242.4/1'],
    clc: 'I242.4',
  }),
  hongloumengStudy: doc({
    title: '红楼梦研究',
    authors: ['俞平伯'],
    subjects: ['《红楼梦》研究'],
    year: 2010,
    clc: 'I207.411',
  }),
  santi: doc({
    title: '三体',
    authors: ['刘慈欣'],
    subjects: ['科学幻想小说 -- 中国 -- 当代'],
    publisher: '重庆出版社',
    year: 2008,
    isbns: ['9787536692930'],
    callNumbers: ['I247.55/123'],
    clc: 'I247.55',
    branches: ['总馆', '理工分馆'],
    availableItems: 0,
    totalItems: 2,
  }),
  santiNew: doc({
    title: '三体',
    subtitle: '典藏版',
    authors: ['刘慈欣'],
    publisher: '重庆出版社',
    year: 2022,
    clc: 'I247.55',
  }),
  gaodengShuxue: doc({
    title: '高等数学（第七版）',
    authors: ['同济大学数学系'],
    subjects: ['高等数学 -- 高等学校 -- 教材'],
    publisher: '高等教育出版社',
    year: 2014,
    clc: 'O13',
    branches: ['理工分馆'],
  }),
  shuxueFenxi: doc({
    title: '数学分析',
    authors: ['华东师范大学数学系'],
    subjects: ['数学分析'],
    year: 2019,
    clc: 'O17',
  }),
  cLanguage: doc({
    title: 'C语言程序设计',
    authors: ['谭浩强'],
    subjects: ['C语言 -- 程序设计'],
    year: 2017,
    clc: 'TP312',
  }),
  network: doc({
    title: '计算机网络：自顶向下方法',
    authors: ['库罗斯', '罗斯'],
    subjects: ['计算机网络'],
    year: 2018,
    clc: 'TP393',
  }),
  fanren: doc({
    title: '平凡的世界',
    authors: ['路遥'],
    subjects: ['长篇小说 -- 中国 -- 当代'],
    year: 2012,
    clc: 'I247.57',
  }),
  historyOutline: doc({
    title: '中国近代史纲要',
    authors: ['本书编写组'],
    subjects: ['中国历史 -- 近代史'],
    year: 2021,
    clc: 'K25',
  }),
  python: doc({
    title: 'Learning Python',
    authors: ['Lutz, Mark'],
    subjects: ['Python (Computer program language)'],
    publisher: "O'Reilly",
    language: 'eng',
    year: 2013,
    isbns: ['9781449355739'],
    callNumbers: ['QA76.73.P98 L877 2013'],
    branches: ['理工分馆'],
  }),
  ml: doc({
    title: 'Machine Learning',
    subtitle: 'A Probabilistic Perspective',
    authors: ['Murphy, Kevin P.'],
    subjects: ['Machine learning', 'Probabilities'],
    language: 'eng',
    year: 2012,
    isbns: ['9780262018029'],
  }),
  learningMachines: doc({
    title: 'Learning Machines',
    authors: ['Nilsson, Nils J.'],
    subjects: ['Artificial intelligence'],
    language: 'eng',
    year: 1965,
    materialType: 'book',
  }),
  libraries: doc({
    title: 'Libraries in the Digital Age',
    authors: ['Café, Ana'],
    subjects: ['Digital libraries'],
    language: 'eng',
    year: 2020,
    materialType: 'electronic',
  }),
  pythonAuthorOnly: doc({
    title: 'Programming Tools',
    authors: ['Python, Monty'],
    language: 'eng',
    year: 2001,
  }),
  pythonSubjectOnly: doc({
    title: 'Scripting for Scientists',
    authors: ['Doe, Jane'],
    subjects: ['Python (Computer program language)'],
    language: 'eng',
    year: 2024,
  }),
};

let index: CatalogIndex;
const ids = (request: SearchRequest | string) =>
  index.search(typeof request === 'string' ? { q: request } : request).hits.map((h) => h.id);

beforeAll(() => {
  index = new CatalogIndex(catalogAnalyzer);
  for (const book of Object.values(BOOKS)) index.add(book);
});

describe('Chinese search', () => {
  it('finds two-character words inside titles (三体, 数学)', () => {
    expect(ids('三体')).toEqual(expect.arrayContaining([BOOKS.santi.id, BOOKS.santiNew.id]));
    expect(ids('数学')).toEqual(
      expect.arrayContaining([BOOKS.gaodengShuxue.id, BOOKS.shuxueFenxi.id]),
    );
  });

  it('folds traditional to simplified (紅樓夢 finds 红楼梦)', () => {
    expect(ids('紅樓夢')[0]).toBe(BOOKS.hongloumeng.id);
  });

  it('finds by pinyin, full and initials', () => {
    for (const q of ['hongloumeng', 'hong lou meng', 'hlm']) {
      expect(ids(q), q).toContain(BOOKS.hongloumeng.id);
    }
    expect(ids('liu cixin')).toEqual(expect.arrayContaining([BOOKS.santi.id, BOOKS.santiNew.id]));
  });

  it('folds full-width forms (ｃ语言)', () => {
    expect(ids('ｃ语言')).toContain(BOOKS.cLanguage.id);
  });

  it('puts the exact title first, then newer editions on a tie', () => {
    expect(ids('红楼梦')[0]).toBe(BOOKS.hongloumeng.id);
    expect(ids('红楼梦')).toContain(BOOKS.hongloumengStudy.id);
    // Two records titled 三体: the newer edition first.
    expect(ids('三体').slice(0, 2)).toEqual([BOOKS.santiNew.id, BOOKS.santi.id]);
  });

  it('ANDs words and ranks adjacent words in the title first', () => {
    expect(ids('三体 刘慈欣')).toEqual(expect.arrayContaining([BOOKS.santi.id, BOOKS.santiNew.id]));
    expect(ids('三体 路遥')).toEqual([]);
    expect(ids('计算机 网络')[0]).toBe(BOOKS.network.id);
  });

  it('limits a word to a field', () => {
    expect(ids('title:数学')).not.toContain(undefined);
    expect(ids('author:刘慈欣')).toEqual(
      expect.arrayContaining([BOOKS.santi.id, BOOKS.santiNew.id]),
    );
    expect(ids('author:三体')).toEqual([]);
  });
});

describe('English search', () => {
  it('folds case, stems lightly and ignores diacritics', () => {
    expect(ids('PYTHON')).toContain(BOOKS.python.id);
    expect(ids('library')).toContain(BOOKS.libraries.id);
    expect(ids('cafe')).toContain(BOOKS.libraries.id);
  });

  it('ranks title over author over subject', () => {
    const order = ids('python');
    expect(order.indexOf(BOOKS.python.id)).toBeLessThan(order.indexOf(BOOKS.pythonAuthorOnly.id));
    expect(order.indexOf(BOOKS.pythonAuthorOnly.id)).toBeLessThan(
      order.indexOf(BOOKS.pythonSubjectOnly.id),
    );
  });

  it('matches quoted phrases only in that order', () => {
    expect(ids('"machine learning"')).toContain(BOOKS.ml.id);
    expect(ids('"machine learning"')).not.toContain(BOOKS.learningMachines.id);
    expect(ids('machine learning')).toEqual(
      expect.arrayContaining([BOOKS.ml.id, BOOKS.learningMachines.id]),
    );
  });
});

describe('identifiers', () => {
  it('finds an ISBN in any form', () => {
    for (const q of [
      '9787536692930',
      '978-7-5366-9293-0',
      '7-5366-9293-5',
      '7536692935',
      'EAN_13,9787536692930',
      'isbn 978 7 5366 9293 0',
    ]) {
      expect(ids(q)[0], q).toBe(BOOKS.santi.id);
    }
  });

  it('finds a call number', () => {
    expect(ids('call:I247.55/123')).toEqual([BOOKS.santi.id]);
    expect(ids('call:QA76.73.P98')).toContain(BOOKS.python.id);
  });
});

describe('facets, filters, sorting and paging', () => {
  it('counts facets over all matches', () => {
    const result = index.search({ q: '中国' });
    expect(result.total).toBeGreaterThan(0);
    const facets = result.facets!;
    expect(facets.language).toEqual([{ value: 'chi', count: result.total }]);
    expect(facets.clc.map((f) => f.value)).toContain('I');
    const all = index.search({ q: '' });
    expect(all.total).toBe(Object.keys(BOOKS).length);
    expect(all.facets!.language.find((f) => f.value === 'eng')?.count).toBe(6);
    expect(all.facets!.branch.find((f) => f.value === '理工分馆')?.count).toBe(3);
    expect(all.facets!.availability).toEqual([
      { value: 'available', count: Object.keys(BOOKS).length - 1 },
      { value: 'unavailable', count: 1 },
    ]);
    expect(all.facets!.year[0]?.value).toBe('2020-2029');
  });

  it('filters by facet values and year range', () => {
    expect(ids({ q: '', filters: { language: ['eng'], yearFrom: 2015 } }).sort()).toEqual(
      [BOOKS.libraries.id, BOOKS.pythonSubjectOnly.id].sort(),
    );
    expect(ids({ q: '三体', filters: { available: true } })).toEqual([BOOKS.santiNew.id]);
    expect(ids({ q: '', filters: { clc: ['O'] } }).sort()).toEqual(
      [BOOKS.gaodengShuxue.id, BOOKS.shuxueFenxi.id].sort(),
    );
    expect(ids({ q: '', filters: { branch: ['理工分馆'], materialType: ['book'] } })).toHaveLength(
      3,
    );
  });

  it('sorts by year and title, and pages', () => {
    const byYear = index.search({ q: '', sort: 'year', limit: 3 }).hits.map((h) => h.id);
    expect(byYear[0]).toBe(BOOKS.pythonSubjectOnly.id);
    const byTitle = index
      .search({ q: '', filters: { language: ['eng'] }, sort: 'title' })
      .hits.map((h) => h.id);
    expect(byTitle.slice(0, 2)).toEqual([BOOKS.learningMachines.id, BOOKS.python.id]);
    const first = index.search({ q: '', sort: 'title', limit: 5 }).hits.map((h) => h.id);
    const second = index
      .search({ q: '', sort: 'title', offset: 5, limit: 5 })
      .hits.map((h) => h.id);
    expect(new Set([...first, ...second]).size).toBe(10);
  });
});

describe('did you mean, autocomplete, new arrivals', () => {
  it('suggests a near spelling for a Latin word with no hits', () => {
    const result = index.search({ q: 'pyhton' });
    expect(result.total).toBe(0);
    expect(result.suggestion).toBe('python');
  });

  it('suggests the Chinese word for pinyin', () => {
    expect(index.search({ q: 'pingfandeshijie' }).suggestion).toBe('平凡的世界');
  });

  it('completes titles from their start, folded like the index', () => {
    expect(index.complete('紅樓')).toEqual(['红楼梦', '红楼梦研究']);
    expect(index.complete('三')).toEqual(['三体']);
    expect(index.complete('learn')).toEqual(['Learning Python', 'Learning Machines']);
    expect(index.complete('')).toEqual([]);
  });

  it('lists new arrivals newest first', () => {
    expect(index.newArrivals(2)).toEqual([BOOKS.pythonSubjectOnly.id, BOOKS.pythonAuthorOnly.id]);
  });

  it('removes and replaces records', () => {
    const extra = new CatalogIndex(catalogAnalyzer);
    extra.add(BOOKS.santi);
    expect(extra.search({ q: '三体' }).total).toBe(1);
    extra.add({ ...BOOKS.santi, title: '球状闪电' });
    expect(extra.search({ q: '三体' }).total).toBe(0);
    expect(extra.search({ q: '球状闪电' }).hits.map((h) => h.id)).toEqual([BOOKS.santi.id]);
    extra.remove(BOOKS.santi.id);
    expect(extra.search({ q: '球状闪电' }).total).toBe(0);
    expect(extra.size).toBe(0);
  });
});

describe('the index as it grows', () => {
  // Postings change form as a term spreads: one record, a short list, a typed array.
  it('counts and ranks the same across every form of a posting list, trimmed or not', () => {
    const index = new CatalogIndex(catalogAnalyzer);
    const books = Array.from({ length: 60 }, (_, i) =>
      doc({
        title: i % 2 === 0 ? `图书馆学概论 第${i}版` : `信息检索 第${i}版`,
        authors: [i === 7 ? '孤本作者' : '王明'],
        year: 1960 + i,
      }),
    );
    const totals = (q: string) => index.search({ q, facets: false }).total;
    const seen: Array<[number, number, number]> = [];
    for (const [n, book] of books.entries()) {
      index.add(book);
      if ([1, 2, 24, 25, 26, 49, 60].includes(n + 1))
        seen.push([totals('图书馆学'), totals('王明'), totals('孤本作者')]);
    }
    expect(seen).toEqual([
      [1, 1, 0],
      [1, 2, 0],
      [12, 23, 1],
      [13, 24, 1],
      [13, 25, 1],
      [25, 48, 1],
      [30, 59, 1],
    ]);
    const before = index.search({ q: '图书馆学', limit: 40 });
    index.trim();
    expect(index.search({ q: '图书馆学', limit: 40 })).toEqual(before);
    // Newest edition first on equal relevance; the one-record term still finds its record.
    expect(before.hits[0]?.id).toBe(books[58]!.id);
    expect(index.search({ q: '孤本作者' }).hits.map((h) => h.id)).toEqual([books[7]!.id]);
    index.remove(books[7]!.id);
    expect(totals('孤本作者')).toBe(0);
    // A new version of a record replaces its postings' document.
    index.add({ ...books[8]!, title: '信息检索 新版' });
    expect([totals('信息检索'), totals('图书馆学')]).toEqual([30, 29]);
  });

  it('sorts by title once asked, and keeps sorting records added afterwards', () => {
    const index = new CatalogIndex(catalogAnalyzer);
    for (const title of ['数据结构', '操作系统', '编译原理']) index.add(doc({ title }));
    const titles = () =>
      index.search({ q: '', sort: 'title', facets: false }).hits.map((h) => h.id);
    const first = titles();
    expect(first).toHaveLength(3);
    const added = doc({ title: '操作系统概念' });
    index.add(added);
    const after = titles();
    // 编译 (bian) < 操作 (cao) < 操作系统概念 < 数据 (shu)
    expect(after.indexOf(added.id)).toBe(2);
    expect(after.filter((id) => id !== added.id)).toEqual(first);
  });
});

describe('paging', () => {
  it('gives the same order whatever the page size, ties included', () => {
    const tied = new CatalogIndex(catalogAnalyzer);
    const books = [
      doc({ title: 'Data sociology planning', language: 'eng', year: 2015 }),
      doc({ title: 'Data science', language: 'eng', year: 2015 }),
      doc({ title: 'Data and society', language: 'eng', year: 2015 }),
      doc({ title: 'Big data', language: 'eng', year: 2010 }),
    ];
    for (const book of books) tied.add(book);
    const all = tied.search({ q: 'data', limit: 20 }).hits.map((h) => h.id);
    expect(all).toHaveLength(4);
    for (let limit = 1; limit <= 4; limit++) {
      for (let offset = 0; offset + limit <= 4; offset++) {
        const page = tied.search({ q: 'data', limit, offset }).hits.map((h) => h.id);
        expect(page, `limit ${limit}, offset ${offset}`).toEqual(all.slice(offset, offset + limit));
      }
    }
  });
});
