import type { Clock } from '../../platform/clock.ts';
import { normalizeIsbn } from '../../platform/text/isbn.ts';
import type {
  PurchaseSuggestion,
  SuggestionStatus,
  SuggestionsRepository,
  SuggestOutcome,
} from './repository.ts';

export interface SuggestionServiceDeps {
  readonly repository: SuggestionsRepository;
  readonly clock: Clock;
}

/**
 * Readers' purchase suggestions: one per ISBN, which every further reader who asks for
 * it supports (once each), so acquisitions sees how many want a title.
 *
 * @example
 * const { created, added, suggestion } = await suggestions.suggest({
 *   isbn: '978-7-5366-9293-0', openid, barcode: null, title: '三体', author: '刘慈欣' });
 */
export class SuggestionService {
  readonly #deps: SuggestionServiceDeps;

  constructor(deps: SuggestionServiceDeps) {
    this.#deps = deps;
  }

  /** Throws RangeError when `isbn` is not a valid ISBN. */
  suggest(input: {
    isbn: string;
    openid: string;
    barcode: string | null;
    title?: string | null;
    author?: string | null;
    publisher?: string | null;
  }): Promise<SuggestOutcome> {
    const isbn = normalizeIsbn(input.isbn);
    if (!isbn) throw new RangeError(`not a valid ISBN: ${input.isbn}`);
    return this.#deps.repository.suggest({
      isbn13: isbn.isbn13,
      openid: input.openid,
      barcode: input.barcode,
      title: input.title?.trim() || null,
      author: input.author?.trim() || null,
      publisher: input.publisher?.trim() || null,
      now: this.#deps.clock.now(),
    });
  }

  byIsbn(isbn13: string): Promise<PurchaseSuggestion | null> {
    return this.#deps.repository.byIsbn(isbn13);
  }

  list(options: { status?: SuggestionStatus; limit?: number } = {}): Promise<PurchaseSuggestion[]> {
    return this.#deps.repository.list(options);
  }

  setStatus(id: number, status: SuggestionStatus): Promise<boolean> {
    return this.#deps.repository.setStatus(id, status, this.#deps.clock.now());
  }
}
