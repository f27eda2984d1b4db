import type { ShulinMigration } from '../platform/db/migrate.ts';
import { foundation } from './0001-foundation.ts';
import { catalogue } from './0002-catalogue.ts';
import { ils } from './0003-ils.ts';
import { accounts } from './0004-accounts.ts';
import { oaiHarvests } from './0005-oai-harvests.ts';
import { conversation } from './0007-conversation.ts';
import { feedbackPhotos } from './0008-feedback-photos.ts';
import { suggestionIsbnNullable } from './0009-suggestion-isbn-nullable.ts';

/** Every migration, in order. Names sort in the order they must run. */
export const migrations: readonly ShulinMigration[] = [
  foundation,
  catalogue,
  ils,
  accounts,
  oaiHarvests,
  conversation,
  feedbackPhotos,
  suggestionIsbnNullable,
];
