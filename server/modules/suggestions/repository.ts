import { sql, type Generated, type Kysely, type Selectable } from 'kysely';

export interface PurchaseSuggestionsTable {
  id: Generated<number>;
  /** Null for a suggestion by title alone, which `title_key` names instead. */
  isbn13: string | null;
  /** The folded `title|author` of a suggestion without an ISBN; null when it has one. */
  title_key: string | null;
  title: string | null;
  author: string | null;
  publisher: string | null;
  status: Generated<string>;
  supporters: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface PurchaseSuggestionSupportersTable {
  suggestion_id: number;
  openid: string;
  barcode: string | null;
  note: string | null;
  created_at: number;
}

export interface SuggestionsTables {
  purchase_suggestions: PurchaseSuggestionsTable;
  purchase_suggestion_supporters: PurchaseSuggestionSupportersTable;
}

export type SuggestionStatus = 'open' | 'ordered' | 'declined';

/** A title readers asked the library to buy. */
export interface PurchaseSuggestion {
  readonly id: number;
  /** Null for a suggestion by title alone: acquisitions finds the edition. */
  readonly isbn13: string | null;
  readonly title: string | null;
  readonly author: string | null;
  readonly publisher: string | null;
  readonly status: SuggestionStatus;
  /** How many readers asked for it (each reader once). */
  readonly supporters: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * Which book a suggestion is for: its ISBN, or, when the reader knows none, the folded
 * title and author (`SuggestionService` folds them), so that readers who ask for the same
 * book alike support one suggestion.
 */
export type SuggestionKey = { readonly isbn13: string } | { readonly titleKey: string };

export interface SuggestInput {
  readonly key: SuggestionKey;
  readonly openid: string;
  readonly barcode: string | null;
  /** What the catalogue or the reader knows of the title; null: the ISBN alone. */
  readonly title: string | null;
  readonly author: string | null;
  readonly publisher: string | null;
  /** The reader's own words (why, which edition); kept with their support. */
  readonly note?: string | null;
  readonly now: number;
}

/** A suggestion as one reader sees it: with when they asked and what they wrote. */
export interface ReaderSuggestion extends PurchaseSuggestion {
  readonly note: string | null;
  readonly suggestedAt: number;
}

export interface SuggestOutcome {
  readonly suggestion: PurchaseSuggestion;
  /** This was the first request for the book. */
  readonly created: boolean;
  /** This reader had not asked for it before (their support was counted now). */
  readonly added: boolean;
}

function toSuggestion(row: Selectable<PurchaseSuggestionsTable>): PurchaseSuggestion {
  return {
    id: Number(row.id),
    isbn13: row.isbn13,
    title: row.title,
    author: row.author,
    publisher: row.publisher,
    status: row.status as SuggestionStatus,
    supporters: Number(row.supporters),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The SQL of purchase suggestions; portable between SQLite and PostgreSQL. */
export class SuggestionsRepository {
  constructor(private readonly db: Kysely<SuggestionsTables>) {}

  /**
   * Records a reader's request for a book in one transaction: the suggestion is made
   * on the first request, and each reader counts once however often they ask.
   */
  suggest(input: SuggestInput): Promise<SuggestOutcome> {
    const { key } = input;
    const [column, value] =
      'isbn13' in key ? (['isbn13', key.isbn13] as const) : (['title_key', key.titleKey] as const);
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('purchase_suggestions')
        .values({
          isbn13: 'isbn13' in key ? key.isbn13 : null,
          title_key: 'titleKey' in key ? key.titleKey : null,
          title: input.title,
          author: input.author,
          publisher: input.publisher,
          created_at: input.now,
          updated_at: input.now,
        })
        .onConflict((oc) => oc.column(column).doNothing())
        .executeTakeFirst();
      const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
      const { id } = await trx
        .selectFrom('purchase_suggestions')
        .select('id')
        .where(column, '=', value)
        .executeTakeFirstOrThrow();
      const supporter = await trx
        .insertInto('purchase_suggestion_supporters')
        .values({
          suggestion_id: Number(id),
          openid: input.openid,
          barcode: input.barcode,
          // Only when there is one: the chat never sends a note.
          ...(input.note ? { note: input.note } : {}),
          created_at: input.now,
        })
        .onConflict((oc) => oc.columns(['suggestion_id', 'openid']).doNothing())
        .executeTakeFirst();
      const added = Number(supporter.numInsertedOrUpdatedRows ?? 0) > 0;
      if (added) {
        await trx
          .updateTable('purchase_suggestions')
          .set({
            supporters: sql<number>`supporters + 1`,
            // A later reader may know more of the title than the first one did.
            title: sql<string | null>`coalesce(title, ${input.title})`,
            author: sql<string | null>`coalesce(author, ${input.author})`,
            publisher: sql<string | null>`coalesce(publisher, ${input.publisher})`,
            updated_at: input.now,
          })
          .where('id', '=', id)
          .execute();
      }
      const row = await trx
        .selectFrom('purchase_suggestions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return { suggestion: toSuggestion(row), created, added };
    });
  }

  async byIsbn(isbn13: string): Promise<PurchaseSuggestion | null> {
    const row = await this.db
      .selectFrom('purchase_suggestions')
      .selectAll()
      .where('isbn13', '=', isbn13)
      .executeTakeFirst();
    return row ? toSuggestion(row) : null;
  }

  /** Suggestions for acquisitions, most wanted first. */
  async list(
    options: { status?: SuggestionStatus; limit?: number } = {},
  ): Promise<PurchaseSuggestion[]> {
    let query = this.db.selectFrom('purchase_suggestions').selectAll();
    if (options.status) query = query.where('status', '=', options.status);
    const rows = await query
      .orderBy('supporters', 'desc')
      .orderBy('id')
      .limit(options.limit ?? 100)
      .execute();
    return rows.map(toSuggestion);
  }

  /** What one reader asked for, the latest first. */
  async mine(openid: string, limit = 100): Promise<ReaderSuggestion[]> {
    const rows = await this.db
      .selectFrom('purchase_suggestion_supporters as s')
      .innerJoin('purchase_suggestions as p', 'p.id', 's.suggestion_id')
      .selectAll('p')
      .select(['s.note', 's.created_at as suggested_at'])
      .where('s.openid', '=', openid)
      .orderBy('s.created_at', 'desc')
      .orderBy('p.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      ...toSuggestion(row),
      note: row.note,
      suggestedAt: Number(row.suggested_at),
    }));
  }

  /** The openids of the readers who asked for a suggestion, in the order they asked. */
  async supporters(suggestionId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('purchase_suggestion_supporters')
      .select('openid')
      .where('suggestion_id', '=', suggestionId)
      .orderBy('created_at')
      .orderBy('openid')
      .execute();
    return rows.map((r) => r.openid);
  }

  async setStatus(id: number, status: SuggestionStatus, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('purchase_suggestions')
      .set({ status, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
