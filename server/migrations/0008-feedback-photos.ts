import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/**
 * What the reader pages add to the conversation: photos sent with feedback (kept in the
 * database, so every instance serves them and a backup holds them) and the note a reader
 * may add to a purchase suggestion.
 */
export const feedbackPhotos: ShulinMigration = {
  name: '0008-feedback-photos',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    const id = dialect === 'postgres' ? 'bigserial' : 'integer';
    const bytes = dialect === 'postgres' ? 'bytea' : 'blob';

    await db.schema
      .createTable('feedback_photos')
      .addColumn('id', id, (c) => c.primaryKey())
      .addColumn('message_id', 'bigint', (c) =>
        c.notNull().unique().references('feedback_messages.id').onDelete('cascade'),
      )
      // image/jpeg | image/png | image/webp, from the file's first bytes
      .addColumn('mime', 'text', (c) => c.notNull())
      .addColumn('bytes', bytes, (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    // Each reader's own words on a suggestion; the suggestion itself is shared.
    await db.schema
      .alterTable('purchase_suggestion_supporters')
      .addColumn('note', 'text')
      .execute();
    await db.schema
      .createIndex('purchase_suggestion_supporters_reader')
      .on('purchase_suggestion_supporters')
      .columns(['openid', 'created_at'])
      .execute();
  },
};
