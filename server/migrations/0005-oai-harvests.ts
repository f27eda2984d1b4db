import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/**
 * OAI-PMH harvests: where each source was last harvested up to, which OAI identifier
 * became which control number (a deleted record arrives as a bare identifier), and a
 * log of deleted records so that every server drops them from its index.
 */
export const oaiHarvests: ShulinMigration = {
  name: '0005-oai-harvests',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    const id = dialect === 'postgres' ? 'bigserial' : 'integer';
    await db.schema
      .createTable('catalog_harvests')
      .addColumn('id', id, (c) => c.primaryKey())
      .addColumn('base_url', 'text', (c) => c.notNull())
      // '' for the whole repository: NULLs would not be equal in the unique key.
      .addColumn('set_spec', 'text', (c) => c.notNull())
      .addColumn('metadata_prefix', 'text', (c) => c.notNull())
      .addColumn('granularity', 'text')
      .addColumn('earliest_datestamp', 'text')
      // The responseDate of the last completed harvest: the next harvest's `from`.
      .addColumn('response_date', 'text')
      .addColumn('records', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deletions', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('error', 'text')
      .addUniqueConstraint('catalog_harvests_source', ['base_url', 'set_spec', 'metadata_prefix'])
      .execute();

    await db.schema
      .createTable('catalog_oai_records')
      .addColumn('base_url', 'text', (c) => c.notNull())
      .addColumn('identifier', 'text', (c) => c.notNull())
      .addColumn('control_number', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('catalog_oai_records_pk', ['base_url', 'identifier'])
      .execute();

    await db.schema
      .createTable('catalog_deletions')
      .addColumn('id', id, (c) => c.primaryKey())
      .addColumn('record_id', 'bigint', (c) => c.notNull())
      .addColumn('control_number', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('catalog_deletions').execute();
    await db.schema.dropTable('catalog_oai_records').execute();
    await db.schema.dropTable('catalog_harvests').execute();
  },
};
