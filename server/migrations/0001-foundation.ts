import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** Background jobs (in-process backend) and the WeChat message log. */
export const foundation: ShulinMigration = {
  name: '0001-foundation',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      // Idempotency: a second enqueue with the same key is the same job.
      .addColumn('key', 'text', (c) => c.unique())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_at', 'bigint', (c) => c.notNull())
      .addColumn('locked_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

    await db.schema
      .createTable('wechat_message_log')
      // An integer key appends in order; a random one would cost an index insert per push.
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
      // The push's dedupe key: a retried push is recorded once.
      .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
      .addColumn('openid', 'text', (c) => c.notNull())
      .addColumn('account', 'text', (c) => c.notNull())
      .addColumn('msg_type', 'text', (c) => c.notNull())
      .addColumn('event', 'text')
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('latency_ms', 'integer', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('reply_type', 'text')
      .addColumn('reply_summary', 'text')
      .addColumn('request_id', 'text')
      .execute();
    await db.schema
      .createIndex('wechat_message_log_openid')
      .on('wechat_message_log')
      .columns(['openid', 'received_at'])
      .execute();
    await db.schema
      .createIndex('wechat_message_log_received')
      .on('wechat_message_log')
      .column('received_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('wechat_message_log').execute();
    await db.schema.dropTable('jobs').execute();
  },
};
