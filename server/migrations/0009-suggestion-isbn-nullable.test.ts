import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, dialects, type TestDatabase } from '../../test/support/databases.ts';
import { tablesOf } from '../platform/db/index.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { SuggestionsRepository, type SuggestionsTables } from '../modules/suggestions/index.ts';
import { SuggestionService } from '../modules/suggestions/service.ts';
import { suggestionIsbnNullable } from './0009-suggestion-isbn-nullable.ts';
import { migrations } from './index.ts';

const T0 = 1_774_000_000_000;
const ISBN = '9787536692930';
/** How 0007 stored a suggestion by title alone (the service's key of the time). */
const OLD_TITLE_ISBN = 'title:the dispossessed|ursula k. le guin';

describe.each(dialects)('migration 0009 (suggestions without an ISBN) on %s', (dialect) => {
  let tdb: TestDatabase;
  let db: Kysely<SuggestionsTables>;
  beforeEach(async () => {
    tdb = await createTestDatabase(dialect, { migrate: false });
    db = tablesOf<SuggestionsTables>(tdb.database.db);
    const before = migrations.slice(0, migrations.indexOf(suggestionIsbnNullable));
    expect(before.at(-1)?.name).toBe('0008-feedback-photos');
    await migrateToLatest(tdb.database, before);
  });
  afterEach(async () => {
    await tdb.cleanup();
  });

  /** Suggestions and supporters as 0007 and 0008 left them: one by title, one by ISBN. */
  async function seedBefore(): Promise<{ byTitle: number; byIsbn: number }> {
    const insert = (isbn13: string, title: string, author: string, supporters: number) =>
      db
        .insertInto('purchase_suggestions')
        .values({
          isbn13,
          title,
          author,
          publisher: null,
          status: 'ordered',
          supporters,
          created_at: T0,
          updated_at: T0 + 1,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const byTitle = Number(
      (await insert(OLD_TITLE_ISBN, 'The Dispossessed', 'Ursula K. Le Guin', 2)).id,
    );
    const byIsbn = Number((await insert(ISBN, '三体', '刘慈欣', 1)).id);
    await db
      .insertInto('purchase_suggestion_supporters')
      .values([
        {
          suggestion_id: byTitle,
          openid: 'o1',
          barcode: null,
          note: 'for the SF reading group',
          created_at: T0,
        },
        {
          suggestion_id: byTitle,
          openid: 'o2',
          barcode: '20260004',
          note: null,
          created_at: T0 + 1,
        },
        { suggestion_id: byIsbn, openid: 'o1', barcode: null, note: null, created_at: T0 + 2 },
      ])
      .execute();
    return { byTitle, byIsbn };
  }

  it('moves a suggestion stored under a title: key to its title key, keeping its supporters', async () => {
    const { byTitle, byIsbn } = await seedBefore();
    expect(await migrateToLatest(tdb.database, migrations)).toEqual({
      applied: ['0009-suggestion-isbn-nullable'],
    });

    const rows = await db.selectFrom('purchase_suggestions').selectAll().orderBy('id').execute();
    expect(rows.map((r) => ({ ...r, id: Number(r.id) }))).toEqual([
      {
        id: byTitle,
        isbn13: null,
        title_key: 'the dispossessed|ursula k. le guin',
        title: 'The Dispossessed',
        author: 'Ursula K. Le Guin',
        publisher: null,
        status: 'ordered',
        supporters: 2,
        created_at: T0,
        updated_at: T0 + 1,
      },
      {
        id: byIsbn,
        isbn13: ISBN,
        title_key: null,
        title: '三体',
        author: '刘慈欣',
        publisher: null,
        status: 'ordered',
        supporters: 1,
        created_at: T0,
        updated_at: T0 + 1,
      },
    ]);
    // Dropping the old table on SQLite must not have cascaded to the supporters.
    const supporters = await db
      .selectFrom('purchase_suggestion_supporters')
      .select(['suggestion_id', 'openid', 'note'])
      .orderBy('created_at')
      .execute();
    expect(supporters.map((s) => [Number(s.suggestion_id), s.openid, s.note])).toEqual([
      [byTitle, 'o1', 'for the SF reading group'],
      [byTitle, 'o2', null],
      [byIsbn, 'o1', null],
    ]);

    // The service's key for the same book finds the converted suggestion.
    const service = new SuggestionService({
      repository: new SuggestionsRepository(db),
      clock: { now: () => T0 + 5000 },
    });
    const third = await service.suggestTitle({
      title: 'THE DISPOSSESSED',
      author: 'Ursula K.  Le Guin',
      openid: 'o3',
      barcode: null,
    });
    expect(third).toMatchObject({
      created: false,
      added: true,
      suggestion: { id: byTitle, isbn13: null, supporters: 3, status: 'ordered' },
    });
    expect((await service.mine('o1')).map((s) => [s.id, s.isbn13, s.note])).toEqual([
      [byIsbn, ISBN, null],
      [byTitle, null, 'for the SF reading group'],
    ]);
  });

  it('leaves the table with its keys, constraints and foreign keys enforced', async () => {
    const { byTitle, byIsbn } = await seedBefore();
    await migrateToLatest(tdb.database, migrations);
    if (dialect === 'sqlite') {
      const { rows } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      expect(Number(rows[0]?.foreign_keys)).toBe(1);
    }
    const row = { title: null, author: null, publisher: null, created_at: T0, updated_at: T0 };
    const insert = (key: { isbn13?: string | null; title_key?: string | null }) =>
      db
        .insertInto('purchase_suggestions')
        .values({ ...row, ...key })
        .execute();
    await expect(insert({ isbn13: ISBN })).rejects.toThrow();
    await expect(insert({ title_key: 'the dispossessed|ursula k. le guin' })).rejects.toThrow();
    // Exactly one of the two keys.
    await expect(insert({})).rejects.toThrow();
    await expect(insert({ isbn13: '9787020002207', title_key: 'x|' })).rejects.toThrow();
    await insert({ isbn13: '9787020002207' });
    await insert({ title_key: '球状闪电|刘慈欣' });

    await expect(
      db
        .insertInto('purchase_suggestion_supporters')
        .values({ suggestion_id: 999_999, openid: 'o9', barcode: null, created_at: T0 })
        .execute(),
    ).rejects.toThrow();
    await db.deleteFrom('purchase_suggestions').where('id', '=', byIsbn).execute();
    const left = await db
      .selectFrom('purchase_suggestion_supporters')
      .select('suggestion_id')
      .execute();
    expect(left.map((s) => Number(s.suggestion_id))).toEqual([byTitle, byTitle]);
  });
});
