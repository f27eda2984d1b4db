/**
 * What `/api/v1/me/feedback` answers: types only, shared with the reader pages (whose
 * type check reads every file this one imports, so it imports nothing).
 */

/** One message of the reader's conversation with the library. */
export interface FeedbackMessageView {
  readonly id: number;
  /** Who wrote it: the reader, or staff answering. */
  readonly from: 'reader' | 'library';
  /** text, image, voice, video, link … */
  readonly kind: string;
  readonly text: string | null;
  /** A photo sent from the feedback page; `url` is relative to `/api/v1/me/feedback/`. */
  readonly photo: { readonly id: number; readonly url: string } | null;
  /** ISO 8601. */
  readonly at: string;
}

/** `GET /api/v1/me/feedback`: the reader's messages and staff's replies, oldest first. */
export interface FeedbackThreadAnswer {
  readonly messages: readonly FeedbackMessageView[];
  /** The reader wrote after the library's last answer (or there is none yet). */
  readonly awaitingReply: boolean;
}

/** `POST /api/v1/me/feedback` (201): the message as stored. */
export interface FeedbackSentAnswer {
  readonly message: { readonly id: number; readonly at: string };
}
