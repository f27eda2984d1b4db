import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** OAI-PMH harvests: where each source was last harvested up to. */
export const oaiHarvests: ShulinMigration = {
  name: '0005-oai-harvests',
  async up(_db: Kysely<unknown>, _dialect: Dialect) {},
  async down(_db: Kysely<unknown>) {},
};
