import { sql, type Generated, type Kysely, type Selectable } from 'kysely';

export interface FeedbackConversationsTable {
  id: Generated<number>;
  openid: string;
  barcode: string | null;
  messages: Generated<number>;
  last_message_at: number;
  last_inbound_at: number;
  replied_at: number | null;
  reply_by: number;
  created_at: number;
}

export interface FeedbackMessagesTable {
  id: Generated<number>;
  conversation_id: number;
  direction: string;
  kind: string;
  body: string | null;
  media_id: string | null;
  pic_url: string | null;
  msg_id: string | null;
  created_at: number;
}

export interface FeedbackPhotosTable {
  id: Generated<number>;
  message_id: number;
  mime: string;
  bytes: Uint8Array;
  created_at: number;
}

export interface FeedbackTables {
  feedback_conversations: FeedbackConversationsTable;
  feedback_messages: FeedbackMessagesTable;
  feedback_photos: FeedbackPhotosTable;
}

/** A photo a reader sent from the feedback page. */
export interface FeedbackPhoto {
  readonly id: number;
  readonly messageId: number;
  /** The reader whose conversation it belongs to. */
  readonly openid: string;
  readonly mime: string;
  readonly bytes: Uint8Array;
}

/** One reader's feedback thread with the library. */
export interface FeedbackConversation {
  readonly id: number;
  readonly openid: string;
  readonly barcode: string | null;
  readonly messages: number;
  readonly lastMessageAt: number;
  readonly lastInboundAt: number;
  /** When staff last answered; null: never. */
  readonly repliedAt: number | null;
  /** Until when WeChat accepts a customer-service reply (48 h after the reader's last message). */
  readonly replyBy: number;
  /** The reader wrote after the last answer (or there is none yet). */
  readonly awaitingReply: boolean;
  readonly createdAt: number;
}

export type FeedbackDirection = 'in' | 'out';

export interface FeedbackMessage {
  readonly id: number;
  readonly conversationId: number;
  readonly direction: FeedbackDirection;
  /** text, image, voice, video, link … */
  readonly kind: string;
  readonly body: string | null;
  readonly mediaId: string | null;
  readonly picUrl: string | null;
  readonly msgId: string | null;
  readonly createdAt: number;
}

export interface InboundFeedback {
  readonly openid: string;
  readonly barcode: string | null;
  readonly kind: string;
  readonly body: string | null;
  readonly mediaId?: string | null;
  readonly picUrl?: string | null;
  readonly msgId?: string | null;
  /** A photo sent with the message, already checked. */
  readonly photo?: { readonly mime: string; readonly bytes: Uint8Array } | null;
  readonly now: number;
  /** `now` + the customer-service window. */
  readonly replyBy: number;
}

function toConversation(row: Selectable<FeedbackConversationsTable>): FeedbackConversation {
  const repliedAt = row.replied_at === null ? null : Number(row.replied_at);
  const lastInboundAt = Number(row.last_inbound_at);
  return {
    id: Number(row.id),
    openid: row.openid,
    barcode: row.barcode,
    messages: Number(row.messages),
    lastMessageAt: Number(row.last_message_at),
    lastInboundAt,
    repliedAt,
    replyBy: Number(row.reply_by),
    awaitingReply: repliedAt === null || repliedAt < lastInboundAt,
    createdAt: Number(row.created_at),
  };
}

function toMessage(row: Selectable<FeedbackMessagesTable>): FeedbackMessage {
  return {
    id: Number(row.id),
    conversationId: Number(row.conversation_id),
    direction: row.direction as FeedbackDirection,
    kind: row.kind,
    body: row.body,
    mediaId: row.media_id,
    picUrl: row.pic_url,
    msgId: row.msg_id,
    createdAt: Number(row.created_at),
  };
}

/** The SQL of reader feedback; portable between SQLite and PostgreSQL. */
export class FeedbackRepository {
  constructor(private readonly db: Kysely<FeedbackTables>) {}

  /** Adds a reader's message to their conversation (made on the first one), in one transaction. */
  record(
    input: InboundFeedback,
  ): Promise<{ conversation: FeedbackConversation; message: FeedbackMessage }> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('feedback_conversations')
        .values({
          openid: input.openid,
          barcode: input.barcode,
          messages: 1,
          last_message_at: input.now,
          last_inbound_at: input.now,
          replied_at: null,
          reply_by: input.replyBy,
          created_at: input.now,
        })
        .onConflict((oc) =>
          oc.column('openid').doUpdateSet({
            messages: sql<number>`feedback_conversations.messages + 1`,
            last_message_at: input.now,
            last_inbound_at: input.now,
            reply_by: input.replyBy,
            barcode: sql<string | null>`coalesce(${input.barcode}, feedback_conversations.barcode)`,
          }),
        )
        .execute();
      const conversation = await trx
        .selectFrom('feedback_conversations')
        .selectAll()
        .where('openid', '=', input.openid)
        .executeTakeFirstOrThrow();
      const message = await trx
        .insertInto('feedback_messages')
        .values({
          conversation_id: Number(conversation.id),
          direction: 'in',
          kind: input.kind,
          body: input.body,
          media_id: input.mediaId ?? null,
          pic_url: input.picUrl ?? null,
          msg_id: input.msgId ?? null,
          created_at: input.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.photo) {
        await trx
          .insertInto('feedback_photos')
          .values({
            message_id: Number(message.id),
            mime: input.photo.mime,
            bytes: input.photo.bytes,
            created_at: input.now,
          })
          .execute();
      }
      return { conversation: toConversation(conversation), message: toMessage(message) };
    });
  }

  /** Records staff's answer; null when the reader has no conversation. */
  recordReply(openid: string, body: string, now: number): Promise<FeedbackMessage | null> {
    return this.db.transaction().execute(async (trx) => {
      const conversation = await trx
        .selectFrom('feedback_conversations')
        .select('id')
        .where('openid', '=', openid)
        .executeTakeFirst();
      if (!conversation) return null;
      await trx
        .updateTable('feedback_conversations')
        .set({
          replied_at: now,
          last_message_at: now,
          messages: sql<number>`messages + 1`,
        })
        .where('id', '=', conversation.id)
        .execute();
      const message = await trx
        .insertInto('feedback_messages')
        .values({
          conversation_id: Number(conversation.id),
          direction: 'out',
          kind: 'text',
          body,
          media_id: null,
          pic_url: null,
          msg_id: null,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toMessage(message);
    });
  }

  async conversation(openid: string): Promise<FeedbackConversation | null> {
    const row = await this.db
      .selectFrom('feedback_conversations')
      .selectAll()
      .where('openid', '=', openid)
      .executeTakeFirst();
    return row ? toConversation(row) : null;
  }

  /** A conversation's messages, oldest first. */
  async messages(conversationId: number, limit = 200): Promise<FeedbackMessage[]> {
    const rows = await this.db
      .selectFrom('feedback_messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /** The photos of a conversation's messages: message id → photo id. */
  async photoIds(conversationId: number): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom('feedback_photos as f')
      .innerJoin('feedback_messages as m', 'm.id', 'f.message_id')
      .select(['f.id', 'f.message_id'])
      .where('m.conversation_id', '=', conversationId)
      .execute();
    return new Map(rows.map((r) => [Number(r.message_id), Number(r.id)]));
  }

  async photo(id: number): Promise<FeedbackPhoto | null> {
    const row = await this.db
      .selectFrom('feedback_photos as f')
      .innerJoin('feedback_messages as m', 'm.id', 'f.message_id')
      .innerJoin('feedback_conversations as c', 'c.id', 'm.conversation_id')
      .select(['f.id', 'f.message_id', 'f.mime', 'f.bytes', 'c.openid'])
      .where('f.id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    return {
      id: Number(row.id),
      messageId: Number(row.message_id),
      openid: row.openid,
      mime: row.mime,
      bytes: new Uint8Array(row.bytes),
    };
  }

  /** Conversations whose reader waits for an answer, longest waiting first. */
  async awaitingReply(limit = 100): Promise<FeedbackConversation[]> {
    const rows = await this.db
      .selectFrom('feedback_conversations')
      .selectAll()
      .where((eb) =>
        eb.or([eb('replied_at', 'is', null), eb('replied_at', '<', eb.ref('last_inbound_at'))]),
      )
      .orderBy('last_inbound_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toConversation);
  }
}
