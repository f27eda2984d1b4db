import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** Readers' accounts in Shulin: card bindings (openid ↔ barcode), reading history. */
export const accounts: ShulinMigration = {
  name: '0004-accounts',
  async up(_db: Kysely<unknown>, _dialect: Dialect) {},
  async down(_db: Kysely<unknown>) {},
};
