import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** Readers' accounts in Shulin: card bindings (openid ↔ barcode), reading history. */
export const accounts: ShulinMigration = {
  name: '0004-accounts',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    // The minimum a binding needs (DESIGN §8, privacy): who, which card, a name to greet
    // with, and the card password only when the ILS wants it on every call.
    await db.schema
      .createTable('reader_bindings')
      .addColumn('openid', 'text', (c) => c.primaryKey())
      .addColumn('barcode', 'text', (c) => c.notNull().unique())
      .addColumn('patron_name', 'text')
      // AES-256-GCM, versioned (accounts/crypto.ts); NULL unless the connector needs it.
      .addColumn('password_sealed', 'text')
      .addColumn('locale', 'text')
      // Written as 0/1: better-sqlite3 cannot bind booleans, and PostgreSQL reads '0'/'1'.
      .addColumn('history_opt_in', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('bound_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('reading_history')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
      .addColumn('openid', 'text', (c) =>
        c.notNull().references('reader_bindings.openid').onDelete('cascade'),
      )
      .addColumn('item_barcode', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('author', 'text')
      .addColumn('loaned_at', 'bigint', (c) => c.notNull())
      .addColumn('returned_at', 'bigint')
      .addUniqueConstraint('reading_history_loan', ['openid', 'item_barcode', 'loaned_at'])
      .execute();
    await db.schema
      .createIndex('reading_history_open')
      .on('reading_history')
      .columns(['openid', 'returned_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('reading_history').execute();
    await db.schema.dropTable('reader_bindings').execute();
  },
};
