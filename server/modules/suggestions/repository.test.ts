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
