import type { Clock } from '../../platform/clock.ts';
import { normalizeIsbn } from '../../platform/text/isbn.ts';
import type {
  PurchaseSuggestion,
  ReaderSuggestion,
  SuggestionStatus,
  SuggestionsRepository,
  SuggestOutcome,
} from './repository.ts';

/**
 * What names a book suggested without an ISBN: its title and author folded (NFKC, lower
 * case, runs of spaces as one), so that spellings differing only in those meet.
 *
 * @example
 * titleKey('The  Dispossessed', 'Ursula K. Le Guin'); // → 'the dispossessed|ursula k. le guin'
 */
export function titleKey(title: string, author: string | null): string {
  const fold = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return `${fold(title)}|${fold(author ?? '')}`;
}

export interface SuggestionServiceDeps {
  readonly repository: SuggestionsRepository;
  readonly clock: Clock;
}

/**
 * Readers' purchase suggestions: one per ISBN (or per title and author, for a book asked
 * for without one), which every further reader who asks for it supports (once each), so
 * acquisitions sees how many want a title.
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
    note?: string | null;
  }): Promise<SuggestOutcome> {
    const isbn = normalizeIsbn(input.isbn);
    if (!isbn) throw new RangeError(`not a valid ISBN: ${input.isbn}`);
    return this.#deps.repository.suggest({
      key: { isbn13: isbn.isbn13 },
      openid: input.openid,
      barcode: input.barcode,
      title: input.title?.trim() || null,
      author: input.author?.trim() || null,
      publisher: input.publisher?.trim() || null,
      note: input.note?.trim() || null,
      now: this.#deps.clock.now(),
    });
  }

  /**
   * A suggestion by title (and author) when the reader knows no ISBN; its `isbn13` is null.
   * It is keyed by the folded title and author (`titleKey`), so readers asking for the same
   * book support one suggestion; acquisitions finds the edition. Throws RangeError for an
   * empty title.
   */
  suggestTitle(input: {
    title: string;
    author?: string | null;
    openid: string;
    barcode: string | null;
    note?: string | null;
  }): Promise<SuggestOutcome> {
    const title = input.title.trim();
    if (!title) throw new RangeError('a title is needed');
    const author = input.author?.trim() || null;
    return this.#deps.repository.suggest({
      key: { titleKey: titleKey(title, author) },
      openid: input.openid,
      barcode: input.barcode,
      title,
      author,
      publisher: null,
      note: input.note?.trim() || null,
      now: this.#deps.clock.now(),
    });
  }

  /** One reader's suggestions, the latest first. */
  mine(openid: string, limit?: number): Promise<ReaderSuggestion[]> {
    return this.#deps.repository.mine(openid, limit);
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
