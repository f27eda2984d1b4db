import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** Bibliographic records (with their source MARC) and their items. */
export const catalogue: ShulinMigration = {
  name: '0002-catalogue',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    await db.schema
      .createTable('catalog_records')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
      // The record's control number (001) in its source: imports upsert by it.
      .addColumn('control_number', 'text', (c) => c.notNull().unique())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('year', 'integer')
      .addColumn('language', 'text')
      .addColumn('material_type', 'text', (c) => c.notNull())
      // The mapped record (BibRecord without items and MARC), as JSON.
      .addColumn('data', 'text', (c) => c.notNull())
      // The source MARC record, as JSON (leader and fields).
      .addColumn('marc', 'text', (c) => c.notNull())
      .addColumn('added_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('catalog_records_added')
      .on('catalog_records')
      .column('added_at')
      .execute();

    await db.schema
      .createTable('catalog_items')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
      .addColumn('record_id', 'bigint', (c) =>
        c.notNull().references('catalog_records.id').onDelete('cascade'),
      )
      .addColumn('barcode', 'text', (c) => c.notNull().unique())
      .addColumn('branch', 'text')
      .addColumn('location', 'text')
      .addColumn('call_number', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('loan_type', 'text')
      .addColumn('volume', 'text')
      .execute();
    await db.schema
      .createIndex('catalog_items_record')
      .on('catalog_items')
      .column('record_id')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('catalog_items').execute();
    await db.schema.dropTable('catalog_records').execute();
  },
};
