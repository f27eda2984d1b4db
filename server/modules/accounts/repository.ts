import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';

export interface ReaderBindingsTable {
  openid: string;
  barcode: string;
  patron_name: string | null;
  password_sealed: string | null;
  locale: string | null;
  // SQLite answers 0/1, PostgreSQL true/false; both accept 0/1 on the way in.
  history_opt_in: ColumnType<number | boolean, number, number>;
  bound_at: number;
  updated_at: number;
}

export interface ReadingHistoryTable {
  id: Generated<number>;
  openid: string;
  item_barcode: string;
  record_id: string | null;
  title: string;
  author: string | null;
  loaned_at: number;
  returned_at: number | null;
}

export interface AccountsTables {
  reader_bindings: ReaderBindingsTable;
  reading_history: ReadingHistoryTable;
}

/** A reader's card binding as the services see it. */
export interface Binding {
  readonly openid: string;
  readonly barcode: string;
  readonly patronName: string | null;
  readonly passwordSealed: string | null;
  readonly locale: string | null;
  readonly historyOptIn: boolean;
  readonly boundAt: number;
  readonly updatedAt: number;
}

export interface HistoryEntry {
  readonly id: number;
  readonly itemBarcode: string;
  readonly recordId: string | null;
  readonly title: string;
  readonly author: string | null;
  readonly loanedAt: number;
  readonly returnedAt: number | null;
}

/** A loan as seen in an account fetch, reduced to what the history keeps. */
export interface SeenLoan {
  readonly itemBarcode: string;
  readonly recordId: string | null;
  readonly title: string;
  readonly author: string | null;
  /** When the ILS says it was lent; null when it does not (SIP2 often). */
  readonly loanedAt: number | null;
}

/** What `saveBinding` replaced, so callers can drop caches and tell the right people. */
export interface SavedBinding {
  readonly binding: Binding;
  /** The openid the card was bound to before, when it moved. */
  readonly movedFrom: string | null;
  /** The card this openid was bound to before, when it changed cards. */
  readonly replacedBarcode: string | null;
}

type BindingRow = Selectable<ReaderBindingsTable>;
type HistoryRow = Selectable<ReadingHistoryTable>;

function toBinding(row: BindingRow): Binding {
  return {
    openid: row.openid,
    barcode: row.barcode,
    patronName: row.patron_name,
    passwordSealed: row.password_sealed,
    locale: row.locale,
    historyOptIn: Boolean(Number(row.history_opt_in)),
    boundAt: Number(row.bound_at),
    updatedAt: Number(row.updated_at),
  };
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    id: Number(row.id),
    itemBarcode: row.item_barcode,
    recordId: row.record_id,
    title: row.title,
    author: row.author,
    loanedAt: Number(row.loaned_at),
    returnedAt: row.returned_at === null ? null : Number(row.returned_at),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

/** The SQL of card bindings and reading history; portable between SQLite and PostgreSQL. */
export class AccountsRepository {
  constructor(private readonly db: Kysely<AccountsTables>) {}

  async bindingByOpenid(openid: string): Promise<Binding | null> {
    const row = await this.db
      .selectFrom('reader_bindings')
      .selectAll()
      .where('openid', '=', openid)
      .executeTakeFirst();
    return row ? toBinding(row) : null;
  }

  async bindingByBarcode(barcode: string): Promise<Binding | null> {
    const row = await this.db
      .selectFrom('reader_bindings')
      .selectAll()
      .where('barcode', '=', barcode)
      .executeTakeFirst();
    return row ? toBinding(row) : null;
  }

  /**
   * Binds `barcode` to `openid` in one transaction: the card leaves any other openid
   * (that binding and its history go), and this openid's previous card is replaced
   * (its history goes with it). Re-binding the same card keeps the history choice.
   */
  async saveBinding(input: {
    openid: string;
    barcode: string;
    patronName: string | null;
    passwordSealed: string | null;
    locale: string | null;
    now: number;
  }): Promise<SavedBinding> {
    try {
      return await this.#saveBinding(input);
    } catch (error) {
      // Two readers binding at the same moment: the loser's insert hits a unique key.
      // Once more sees the winner's row and moves or replaces it like any other.
      if (!isUniqueViolation(error)) throw error;
      return this.#saveBinding(input);
    }
  }

  #saveBinding(input: {
    openid: string;
    barcode: string;
    patronName: string | null;
    passwordSealed: string | null;
    locale: string | null;
    now: number;
  }): Promise<SavedBinding> {
    return this.db.transaction().execute(async (trx) => {
      const holder = await trx
        .selectFrom('reader_bindings')
        .select('openid')
        .where('barcode', '=', input.barcode)
        .where('openid', '<>', input.openid)
        .executeTakeFirst();
      if (holder) {
        await trx.deleteFrom('reading_history').where('openid', '=', holder.openid).execute();
        await trx.deleteFrom('reader_bindings').where('openid', '=', holder.openid).execute();
      }
      const current = await trx
        .selectFrom('reader_bindings')
        .selectAll()
        .where('openid', '=', input.openid)
        .executeTakeFirst();
      const sameCard = current?.barcode === input.barcode;
      if (current && !sameCard) {
        await trx.deleteFrom('reading_history').where('openid', '=', input.openid).execute();
      }
      const locale = input.locale ?? current?.locale ?? null;
      if (current) {
        await trx
          .updateTable('reader_bindings')
          .set({
            barcode: input.barcode,
            patron_name: input.patronName,
            password_sealed: input.passwordSealed,
            locale,
            history_opt_in: sameCard && Boolean(Number(current.history_opt_in)) ? 1 : 0,
            bound_at: sameCard ? Number(current.bound_at) : input.now,
            updated_at: input.now,
          })
          .where('openid', '=', input.openid)
          .execute();
      } else {
        await trx
          .insertInto('reader_bindings')
          .values({
            openid: input.openid,
            barcode: input.barcode,
            patron_name: input.patronName,
            password_sealed: input.passwordSealed,
            locale,
            history_opt_in: 0,
            bound_at: input.now,
            updated_at: input.now,
          })
          .execute();
      }
      const saved = await trx
        .selectFrom('reader_bindings')
        .selectAll()
        .where('openid', '=', input.openid)
        .executeTakeFirstOrThrow();
      return {
        binding: toBinding(saved),
        movedFrom: holder?.openid ?? null,
        replacedBarcode: current && !sameCard ? current.barcode : null,
      };
    });
  }

  /** Deletes the binding and its history; returns what was deleted, if anything. */
  async deleteBinding(openid: string): Promise<Binding | null> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('reader_bindings')
        .selectAll()
        .where('openid', '=', openid)
        .executeTakeFirst();
      if (!row) return null;
      // Explicit rather than trusting the cascade: SQLite enforces it only with the pragma on.
      await trx.deleteFrom('reading_history').where('openid', '=', openid).execute();
      await trx.deleteFrom('reader_bindings').where('openid', '=', openid).execute();
      return toBinding(row);
    });
  }

  async setLocale(openid: string, locale: string, now: number): Promise<void> {
    await this.db
      .updateTable('reader_bindings')
      .set({ locale, updated_at: now })
      .where('openid', '=', openid)
      .execute();
  }

  /** Turns the history on or off; off deletes what was kept. False when there is no binding. */
  async setHistoryOptIn(openid: string, enabled: boolean, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('reader_bindings')
        .set({ history_opt_in: enabled ? 1 : 0, updated_at: now })
        .where('openid', '=', openid)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (!enabled) await trx.deleteFrom('reading_history').where('openid', '=', openid).execute();
      return true;
    });
  }

  /**
   * Brings the history in line with the loans an account fetch saw: new loans are
   * added, loans no longer there are marked returned at `now`. A loan without a date
   * from the ILS keeps the moment it was first seen.
   */
  async recordLoans(openid: string, loans: readonly SeenLoan[], now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const open = await trx
        .selectFrom('reading_history')
        .select(['id', 'item_barcode', 'loaned_at'])
        .where('openid', '=', openid)
        .where('returned_at', 'is', null)
        .execute();
      const stillOut = new Set<number>();
      const fresh: SeenLoan[] = [];
      for (const loan of loans) {
        const match = open.find(
          (row) =>
            row.item_barcode === loan.itemBarcode &&
            (loan.loanedAt === null || Number(row.loaned_at) === loan.loanedAt),
        );
        if (match) stillOut.add(Number(match.id));
        else fresh.push(loan);
      }
      const returned = open.map((row) => Number(row.id)).filter((id) => !stillOut.has(id));
      if (returned.length > 0) {
        await trx
          .updateTable('reading_history')
          .set({ returned_at: now })
          .where('id', 'in', returned)
          .execute();
      }
      if (fresh.length > 0) {
        await trx
          .insertInto('reading_history')
          .values(
            fresh.map((loan) => ({
              openid,
              item_barcode: loan.itemBarcode,
              record_id: loan.recordId,
              title: loan.title,
              author: loan.author,
              loaned_at: loan.loanedAt ?? now,
              returned_at: null,
            })),
          )
          .onConflict((oc) => oc.columns(['openid', 'item_barcode', 'loaned_at']).doNothing())
          .execute();
      }
    });
  }

  /** Newest loans first. */
  async history(
    openid: string,
    page: { offset: number; limit: number },
  ): Promise<{ total: number; entries: HistoryEntry[] }> {
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom('reading_history')
        .selectAll()
        .where('openid', '=', openid)
        .orderBy('loaned_at', 'desc')
        .orderBy('id', 'desc')
        .offset(page.offset)
        .limit(page.limit)
        .execute(),
      this.db
        .selectFrom('reading_history')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('openid', '=', openid)
        .executeTakeFirstOrThrow(),
    ]);
    return { total: Number(count.n), entries: rows.map(toHistoryEntry) };
  }
}
