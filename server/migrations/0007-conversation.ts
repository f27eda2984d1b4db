import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/**
 * What the Official Account's conversation keeps: staff-defined keyword auto-replies,
 * readers' purchase suggestions (one per ISBN, with the readers who support it), and
 * reader feedback as one conversation per reader with its messages.
 */
export const conversation: ShulinMigration = {
  name: '0007-conversation',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    const id = dialect === 'postgres' ? 'bigserial' : 'integer';

    await db.schema
      .createTable('auto_replies')
      .addColumn('id', id, (c) => c.primaryKey())
      // exact | contains | regex
      .addColumn('match_type', 'text', (c) => c.notNull())
      .addColumn('pattern', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      // text | news (one article)
      .addColumn('reply_type', 'text', (c) => c.notNull())
      .addColumn('content', 'text')
      .addColumn('article_title', 'text')
      .addColumn('article_description', 'text')
      .addColumn('article_url', 'text')
      .addColumn('article_pic_url', 'text')
      .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('purchase_suggestions')
      .addColumn('id', id, (c) => c.primaryKey())
      .addColumn('isbn13', 'text', (c) => c.notNull().unique())
      .addColumn('title', 'text')
      .addColumn('author', 'text')
      .addColumn('publisher', 'text')
      // open | ordered | declined: what acquisitions made of it
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
      .addColumn('supporters', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('purchase_suggestion_supporters')
      .addColumn('suggestion_id', 'bigint', (c) =>
        c.notNull().references('purchase_suggestions.id').onDelete('cascade'),
      )
      .addColumn('openid', 'text', (c) => c.notNull())
      // The card, when the reader had bound one: acquisitions may weigh faculty requests.
      .addColumn('barcode', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('purchase_suggestion_supporters_pk', ['suggestion_id', 'openid'])
      .execute();

    await db.schema
      .createTable('feedback_conversations')
      .addColumn('id', id, (c) => c.primaryKey())
      .addColumn('openid', 'text', (c) => c.notNull().unique())
      .addColumn('barcode', 'text')
      .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_message_at', 'bigint', (c) => c.notNull())
      .addColumn('last_inbound_at', 'bigint', (c) => c.notNull())
      // When staff last answered; the conversation awaits a reply while it is older
      // than the reader's last message.
      .addColumn('replied_at', 'bigint')
      // The customer-service window: WeChat accepts replies until 48 h after the
      // reader's last message.
      .addColumn('reply_by', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('feedback_conversations_inbox')
      .on('feedback_conversations')
      .columns(['last_inbound_at'])
      .execute();
    await db.schema
      .createTable('feedback_messages')
      .addColumn('id', id, (c) => c.primaryKey())
      .addColumn('conversation_id', 'bigint', (c) =>
        c.notNull().references('feedback_conversations.id').onDelete('cascade'),
      )
      // in: from the reader; out: from staff
      .addColumn('direction', 'text', (c) => c.notNull())
      // text | image | voice | video | link …
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('body', 'text')
      .addColumn('media_id', 'text')
      .addColumn('pic_url', 'text')
      .addColumn('msg_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('feedback_messages_conversation')
      .on('feedback_messages')
      .columns(['conversation_id', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('feedback_messages').execute();
    await db.schema.dropTable('feedback_conversations').execute();
    await db.schema.dropTable('purchase_suggestion_supporters').execute();
    await db.schema.dropTable('purchase_suggestions').execute();
    await db.schema.dropTable('auto_replies').execute();
  },
};
