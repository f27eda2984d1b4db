import type { Generated, Kysely, Selectable } from 'kysely';
import type { BulkInserter } from '../../platform/db/index.ts';

export interface MessageLogTable {
  id: Generated<number>;
  dedupe_key: string;
  openid: string;
  account: string;
  msg_type: string;
  event: string | null;
  summary: string;
  mode: string;
  received_at: number;
  latency_ms: number;
  outcome: string;
  reply_type: string | null;
  reply_summary: string | null;
  request_id: string | null;
}

export interface MessageLogTables {
  wechat_message_log: MessageLogTable;
}

export type MessageLogRow = Selectable<MessageLogTable>;
export type NewMessageLogRow = Omit<MessageLogRow, 'id'>;

/** Every WeChat push and what Shulin answered, once per push (retries share a dedupe key). */
export class MessageLogRepository {
  constructor(
    private readonly db: Kysely<MessageLogTables>,
    /** The dialect's bulk path (one transaction of prepared inserts on SQLite); Kysely otherwise. */
    private readonly bulk?: BulkInserter,
  ) {}

  /** Inserts the rows in one transaction; rows whose push is already logged are skipped. */
  async insertMany(rows: readonly NewMessageLogRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    if (this.bulk) {
      return this.bulk.insertMany('wechat_message_log', rows, {
        ignoreConflictOn: 'dedupe_key',
      });
    }
    const result = await this.db
      .insertInto('wechat_message_log')
      .values([...rows])
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n);
  }

  async byOpenid(openid: string, limit = 50): Promise<MessageLogRow[]> {
    return this.db
      .selectFrom('wechat_message_log')
      .selectAll()
      .where('openid', '=', openid)
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute();
  }

  async recent(limit = 100): Promise<MessageLogRow[]> {
    return this.db
      .selectFrom('wechat_message_log')
      .selectAll()
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute();
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('wechat_message_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Counts by message type (event name for events) since a time: the content-mix view's raw data. */
  async countByType(since: number): Promise<Array<{ type: string; n: number }>> {
    const rows = await this.db
      .selectFrom('wechat_message_log')
      .select((eb) => [
        eb.fn.coalesce('event', 'msg_type').as('type'),
        eb.fn.countAll<number>().as('n'),
      ])
      .where('received_at', '>=', since)
      .groupBy((eb) => eb.fn.coalesce('event', 'msg_type'))
      .orderBy('n', 'desc')
      .execute();
    return rows.map((r) => ({ type: String(r.type), n: Number(r.n) }));
  }
}
