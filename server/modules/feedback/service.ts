import type { Clock } from '../../platform/clock.ts';
import type {
  FeedbackConversation,
  FeedbackMessage,
  FeedbackPhoto,
  FeedbackRepository,
} from './repository.ts';

export interface FeedbackServiceDeps {
  readonly repository: FeedbackRepository;
  readonly clock: Clock;
}

/**
 * WeChat accepts customer-service messages to a reader for 48 hours after the reader's
 * last message; past that staff can no longer answer in the chat.
 */
export const REPLY_WINDOW_MS = 48 * 3600_000;

/**
 * Reader feedback: what the account could not answer, and pictures, kept as one
 * conversation per reader for staff to answer within WeChat's reply window.
 *
 * @example
 * await feedback.record({ openid, barcode: null, kind: 'text', body: '三楼空调太冷' });
 */
export class FeedbackService {
  readonly #deps: FeedbackServiceDeps;

  constructor(deps: FeedbackServiceDeps) {
    this.#deps = deps;
  }

  record(input: {
    openid: string;
    barcode: string | null;
    kind: string;
    body: string | null;
    mediaId?: string | null;
    picUrl?: string | null;
    msgId?: string | null;
    photo?: { mime: string; bytes: Uint8Array } | null;
  }): Promise<{ conversation: FeedbackConversation; message: FeedbackMessage }> {
    const now = this.#deps.clock.now();
    return this.#deps.repository.record({ ...input, now, replyBy: now + REPLY_WINDOW_MS });
  }

  /** Records staff's answer (sending it is the inbox's business); null without a conversation. */
  recordReply(openid: string, body: string): Promise<FeedbackMessage | null> {
    return this.#deps.repository.recordReply(openid, body, this.#deps.clock.now());
  }

  async conversation(
    openid: string,
  ): Promise<{ conversation: FeedbackConversation; messages: FeedbackMessage[] } | null> {
    const conversation = await this.#deps.repository.conversation(openid);
    if (!conversation) return null;
    return { conversation, messages: await this.#deps.repository.messages(conversation.id) };
  }

  /** A conversation with each message's photo id (null: none), for the reader's page. */
  async thread(openid: string): Promise<{
    conversation: FeedbackConversation;
    messages: (FeedbackMessage & { photoId: number | null })[];
  } | null> {
    const found = await this.conversation(openid);
    if (!found) return null;
    const photos = await this.#deps.repository.photoIds(found.conversation.id);
    return {
      conversation: found.conversation,
      messages: found.messages.map((m) => ({ ...m, photoId: photos.get(m.id) ?? null })),
    };
  }

  photo(id: number): Promise<FeedbackPhoto | null> {
    return this.#deps.repository.photo(id);
  }

  awaitingReply(limit?: number): Promise<FeedbackConversation[]> {
    return this.#deps.repository.awaitingReply(limit);
  }
}
