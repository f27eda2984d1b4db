import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** The embedded ILS: branches and calendar, patrons, loan policies, loans, holds, fines. */
export const ils: ShulinMigration = {
  name: '0003-ils',
  async up(_db: Kysely<unknown>, _dialect: Dialect) {},
  async down(_db: Kysely<unknown>) {},
};
