import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dialects,
  type TestDatabase,
} from '../../../test/support/databases.ts';
import { tablesOf } from '../../platform/db/index.ts';
import { SuggestionsRepository, type SuggestionsTables } from './repository.ts';
import { SuggestionService } from './service.ts';

const T0 = 1_774_000_000_000;
const ISBN = '9787536692930';

describe.each(dialects)('purchase suggestions on %s', (dialect) => {
  let tdb: TestDatabase;
  let repository: SuggestionsRepository;
  let service: SuggestionService;
  let now = T0;
  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    repository = new SuggestionsRepository(tablesOf<SuggestionsTables>(tdb.database.db));
    service = new SuggestionService({ repository, clock: { now: () => now } });
  });
  afterEach(async () => {
    await tdb.cleanup();
  });

  it('makes one suggestion per ISBN, counts each reader once, and keeps what was learnt of the title', async () => {
    const first = await service.suggest({ isbn: '978-7-5366-9293-0', openid: 'o1', barcode: null });
    expect(first).toMatchObject({ created: true, added: true });
    expect(first.suggestion).toMatchObject({
      isbn13: ISBN,
      title: null,
      supporters: 1,
      status: 'open',
    });
    now += 1000;
    const again = await service.suggest({ isbn: ISBN, openid: 'o1', barcode: null, title: '三体' });
    expect(again).toMatchObject({ created: false, added: false });
    expect(again.suggestion.supporters).toBe(1);
    const second = await service.suggest({
      isbn: '7536692935',
      openid: 'o2',
      barcode: '20260004',
      title: '三体',
      author: '刘慈欣',
    });
    expect(second).toMatchObject({ created: false, added: true });
    expect(second.suggestion).toMatchObject({
      supporters: 2,
      title: '三体',
      author: '刘慈欣',
      updatedAt: T0 + 1000,
    });
    expect(await repository.supporters(second.suggestion.id)).toEqual(['o1', 'o2']);
    expect(() => service.suggest({ isbn: '9787536692931', openid: 'o3', barcode: null })).toThrow(
      RangeError,
    );
  });

  it('holds under readers asking at the same time', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        service.suggest({ isbn: ISBN, openid: `o${i % 4}`, barcode: null }),
      ),
    );
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(outcomes.filter((o) => o.added)).toHaveLength(4);
    expect((await service.byIsbn(ISBN))?.supporters).toBe(4);
  });

  it('makes one suggestion of a title asked for without an ISBN, however readers spell it', async () => {
    const first = await service.suggestTitle({
      title: '  The Dispossessed ',
      author: 'Ursula K. Le Guin',
      openid: 'o1',
      barcode: null,
      note: 'for the SF reading group',
    });
    expect(first).toMatchObject({ created: true, added: true });
    expect(first.suggestion).toMatchObject({
      isbn13: null,
      title: 'The Dispossessed',
      author: 'Ursula K. Le Guin',
      supporters: 1,
    });
    now += 1000;
    const second = await service.suggestTitle({
      title: 'the  dispossessed',
      author: 'ＵＲＳＵＬＡ K. LE GUIN',
      openid: 'o2',
      barcode: '20260004',
    });
    expect(second).toMatchObject({ created: false, added: true });
    expect(second.suggestion).toMatchObject({
      id: first.suggestion.id,
      isbn13: null,
      // The first reader's spelling stays.
      title: 'The Dispossessed',
      supporters: 2,
    });
    const again = await service.suggestTitle({
      title: 'The Dispossessed',
      author: 'Ursula K. Le Guin',
      openid: 'o2',
      barcode: null,
    });
    expect(again).toMatchObject({ created: false, added: false, suggestion: { supporters: 2 } });
    expect(await repository.supporters(first.suggestion.id)).toEqual(['o1', 'o2']);
    // The same title by another author is another book.
    const other = await service.suggestTitle({
      title: 'The Dispossessed',
      openid: 'o1',
      barcode: null,
    });
    expect(other.created).toBe(true);
    expect(other.suggestion.id).not.toBe(first.suggestion.id);
    expect((await service.mine('o1')).map((s) => [s.title, s.author, s.note])).toEqual([
      ['The Dispossessed', null, null],
      ['The Dispossessed', 'Ursula K. Le Guin', 'for the SF reading group'],
    ]);
    expect(() => service.suggestTitle({ title: '  ', openid: 'o1', barcode: null })).toThrow(
      RangeError,
    );
  });

  it('keeps a suggestion by ISBN apart from one by title for the same book', async () => {
    const byIsbn = await service.suggest({
      isbn: ISBN,
      openid: 'o1',
      barcode: null,
      title: '三体',
      author: '刘慈欣',
    });
    const byTitle = await service.suggestTitle({
      title: '三体',
      author: '刘慈欣',
      openid: 'o2',
      barcode: null,
    });
    expect(byTitle).toMatchObject({ created: true, added: true });
    expect(byTitle.suggestion.id).not.toBe(byIsbn.suggestion.id);
    expect(byTitle.suggestion).toMatchObject({ isbn13: null, title: '三体', supporters: 1 });
    expect(await service.byIsbn(ISBN)).toMatchObject({ id: byIsbn.suggestion.id, supporters: 1 });
    // Equally wanted: the earlier first.
    expect((await service.list()).map((s) => [s.isbn13, s.title, s.supporters])).toEqual([
      [ISBN, '三体', 1],
      [null, '三体', 1],
    ]);
    // A title suggestion's ISBN is no key: several of them coexist.
    await service.suggestTitle({
      title: '球状闪电',
      author: '刘慈欣',
      openid: 'o1',
      barcode: null,
    });
    expect((await service.list()).filter((s) => s.isbn13 === null)).toHaveLength(2);
  });

  it('holds under readers asking for a title at the same time', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        service.suggestTitle({
          title: '三体',
          author: '刘慈欣',
          openid: `o${i % 4}`,
          barcode: null,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(outcomes.filter((o) => o.added)).toHaveLength(4);
    expect(new Set(outcomes.map((o) => o.suggestion.id)).size).toBe(1);
    expect((await service.list())[0]).toMatchObject({ isbn13: null, supporters: 4 });
  });

  it('lists the most wanted first and records what acquisitions decided', async () => {
    await service.suggest({ isbn: '9787020002207', openid: 'o1', barcode: null });
    for (const openid of ['o1', 'o2']) await service.suggest({ isbn: ISBN, openid, barcode: null });
    expect((await service.list()).map((s) => [s.isbn13, s.supporters])).toEqual([
      [ISBN, 2],
      ['9787020002207', 1],
    ]);
    const top = (await service.byIsbn(ISBN))!;
    expect(await service.setStatus(top.id, 'ordered')).toBe(true);
    expect((await service.list({ status: 'open' })).map((s) => s.isbn13)).toEqual([
      '9787020002207',
    ]);
  });
});
