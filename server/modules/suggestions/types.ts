/**
 * What `/api/v1/me/suggestions` answers: types only, shared with the reader pages (whose
 * type check reads every file this one imports, so it imports nothing).
 */

/** Where a suggestion stands; the same values as the repository's `SuggestionStatus`. */
export type SuggestionStatus = 'open' | 'ordered' | 'declined';

/** A purchase suggestion as the reader who made it sees it. */
export interface SuggestionView {
  readonly id: number;
  /** ISBN-13; null for a suggestion by title alone. */
  readonly isbn: string | null;
  readonly title: string | null;
  readonly author: string | null;
  readonly publisher: string | null;
  readonly status: SuggestionStatus;
  /** How many readers asked for it. */
  readonly supporters: number;
  /** What this reader wrote with it. */
  readonly note: string | null;
  /** When this reader asked, ISO 8601. */
  readonly suggestedAt: string;
  readonly updatedAt: string;
}

/** `GET /api/v1/me/suggestions`: the reader's suggestions, newest first. */
export interface SuggestionsAnswer {
  readonly suggestions: readonly SuggestionView[];
}

/**
 * `POST /api/v1/me/suggestions` (201 when the reader's support was counted now, 200 when
 * they had asked for the book before).
 */
export interface SuggestAnswer {
  /** This was the first request for the book. */
  readonly created: boolean;
  /** This reader had not asked for it before. */
  readonly added: boolean;
  /** Thanks, or "you asked already", in the reader's language. */
  readonly message: string;
  readonly suggestion: SuggestionView;
}
