import type { ShulinMigration } from '../platform/db/migrate.ts';
import { foundation } from './0001-foundation.ts';
import { catalogue } from './0002-catalogue.ts';

/** Every migration, in order. Names sort in the order they must run. */
export const migrations: readonly ShulinMigration[] = [foundation, catalogue];
