import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';
import type { AutoReplyContent, AutoReplyInput, AutoReplyRule, MatchType } from './rules.ts';

export interface AutoRepliesTable {
  id: Generated<number>;
  match_type: string;
  pattern: string;
  priority: number;
  reply_type: string;
  content: string | null;
  article_title: string | null;
  article_description: string | null;
  article_url: string | null;
  article_pic_url: string | null;
  // SQLite answers 0/1, PostgreSQL true/false; both accept 0/1 on the way in.
  enabled: ColumnType<number | boolean, number, number>;
  created_at: number;
  updated_at: number;
}

export interface AutoRepliesTables {
  auto_replies: AutoRepliesTable;
}

type Row = Selectable<AutoRepliesTable>;

function toRule(row: Row): AutoReplyRule {
  const reply: AutoReplyContent =
    row.reply_type === 'news'
      ? {
          type: 'news',
          title: row.article_title ?? '',
          description: row.article_description,
          url: row.article_url,
          picUrl: row.article_pic_url,
        }
      : { type: 'text', content: row.content ?? '' };
  return {
    id: Number(row.id),
    matchType: row.match_type as MatchType,
    pattern: row.pattern,
    priority: Number(row.priority),
    reply,
    enabled: Boolean(Number(row.enabled)),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function columns(input: AutoReplyInput) {
  const reply = input.reply;
  return {
    match_type: input.matchType,
    pattern: input.pattern.trim(),
    priority: input.priority,
    reply_type: reply.type,
    content: reply.type === 'text' ? reply.content : null,
    article_title: reply.type === 'news' ? reply.title : null,
    article_description: reply.type === 'news' ? reply.description : null,
    article_url: reply.type === 'news' ? reply.url : null,
    article_pic_url: reply.type === 'news' ? reply.picUrl : null,
    enabled: input.enabled === false ? 0 : 1,
  };
}

/** The SQL of auto-reply rules; portable between SQLite and PostgreSQL. */
export class AutoRepliesRepository {
  constructor(private readonly db: Kysely<AutoRepliesTables>) {}

  async list(): Promise<AutoReplyRule[]> {
    const rows = await this.db
      .selectFrom('auto_replies')
      .selectAll()
      .orderBy('priority', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toRule);
  }

  async get(id: number): Promise<AutoReplyRule | null> {
    const row = await this.db
      .selectFrom('auto_replies')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRule(row) : null;
  }

  async create(input: AutoReplyInput, now: number): Promise<AutoReplyRule> {
    const row = await this.db
      .insertInto('auto_replies')
      .values({ ...columns(input), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRule(row);
  }

  async update(id: number, input: AutoReplyInput, now: number): Promise<AutoReplyRule | null> {
    const row = await this.db
      .updateTable('auto_replies')
      .set({ ...columns(input), updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toRule(row) : null;
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('auto_replies').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
