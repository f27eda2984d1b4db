import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** What 0007 stored in `isbn13` for a suggestion by title alone, before its folded title key. */
const OLD_TITLE_PREFIX = 'title:';

/** `isbn13` holds such a key; and the title key in it, after the prefix (SQL's `substr` counts from 1). */
const HOLDS_OLD_TITLE_KEY = sql`substr(isbn13, 1, ${sql.lit(OLD_TITLE_PREFIX.length)}) = ${sql.lit(OLD_TITLE_PREFIX)}`;
const OLD_TITLE_KEY = sql`substr(isbn13, ${sql.lit(OLD_TITLE_PREFIX.length + 1)})`;

/** A suggestion names its book by exactly one of the two keys. */
const ONE_KEY = sql`(isbn13 is null) <> (title_key is null)`;

/**
 * A purchase suggestion by title alone gets a column of its own: `isbn13` becomes nullable
 * and `title_key` (the folded title and author, unique) names such a book. Suggestions that
 * 0007 stored under a synthetic `title:<title>|<author>` ISBN move there, their supporters
 * kept.
 *
 * SQLite cannot drop a NOT NULL, so there the table is rebuilt in one transaction, with
 * foreign keys off meanwhile: dropping the old table would otherwise delete every
 * supporter through their `on delete cascade`.
 */
export const suggestionIsbnNullable: ShulinMigration = {
  name: '0009-suggestion-isbn-nullable',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    if (dialect === 'postgres') {
      // Kysely's migrator runs a PostgreSQL migration in a transaction already.
      await db.schema
        .alterTable('purchase_suggestions')
        .alterColumn('isbn13', (c) => c.dropNotNull())
        .execute();
      await db.schema.alterTable('purchase_suggestions').addColumn('title_key', 'text').execute();
      await sql`
        update purchase_suggestions
        set title_key = ${OLD_TITLE_KEY}, isbn13 = null
        where ${HOLDS_OLD_TITLE_KEY}
      `.execute(db);
      await db.schema
        .alterTable('purchase_suggestions')
        .addCheckConstraint('purchase_suggestions_one_key', ONE_KEY)
        .execute();
      await createTitleKeyIndex(db);
      return;
    }
    await rebuildOnSqlite(db);
  },
};

async function createTitleKeyIndex(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('purchase_suggestions_title_key')
    .unique()
    .on('purchase_suggestions')
    .column('title_key')
    .execute();
}

/** SQLite's way to change a column's constraints: a new table, the rows copied over. */
async function rebuildOnSqlite(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
  const enforced = Number(rows[0]?.foreign_keys ?? 0) === 1;
  // Only outside a transaction does SQLite honour this pragma.
  if (enforced) await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await trx.schema
        .createTable('purchase_suggestions_new')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        // null for a suggestion by title alone
        .addColumn('isbn13', 'text', (c) => c.unique())
        // the folded `title|author` of a suggestion without an ISBN (see its unique index)
        .addColumn('title_key', 'text')
        .addColumn('title', 'text')
        .addColumn('author', 'text')
        .addColumn('publisher', 'text')
        // open | ordered | declined: what acquisitions made of it
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
        .addColumn('supporters', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('purchase_suggestions_one_key', ONE_KEY)
        .execute();
      await sql`
        insert into purchase_suggestions_new
          (id, isbn13, title_key, title, author, publisher, status, supporters, created_at, updated_at)
        select
          id,
          case when ${HOLDS_OLD_TITLE_KEY} then null else isbn13 end,
          case when ${HOLDS_OLD_TITLE_KEY} then ${OLD_TITLE_KEY} end,
          title, author, publisher, status, supporters, created_at, updated_at
        from purchase_suggestions
      `.execute(trx);
      await trx.schema.dropTable('purchase_suggestions').execute();
      await trx.schema
        .alterTable('purchase_suggestions_new')
        .renameTo('purchase_suggestions')
        .execute();
      await createTitleKeyIndex(trx);
      // Every supporter still points at its suggestion (the ids were copied as they were).
      const dangling = await sql`pragma foreign_key_check`.execute(trx);
      if (dangling.rows.length > 0) {
        throw new Error(`foreign keys broken by the rebuild: ${JSON.stringify(dangling.rows)}`);
      }
    });
  } finally {
    if (enforced) await sql`pragma foreign_keys = on`.execute(db);
  }
}
