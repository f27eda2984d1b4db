import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../../platform/db/index.ts';
import type { CalendarException, WeeklyHours } from './calendar.ts';
import type { LoanPolicy } from './policy.ts';

export interface IlsBranchesTable {
  code: string;
  name: string;
  name_en: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  pickup: number;
  sort_order: number;
}

export interface IlsOpeningHoursTable {
  branch: string;
  weekday: number;
  opens: string;
  closes: string;
}

export interface IlsCalendarExceptionsTable {
  id: Generated<number>;
  branch: string | null;
  date: string;
  closed: number;
  opens: string | null;
  closes: string | null;
  note: string | null;
  note_en: string | null;
}

export interface IlsPatronsTable {
  id: Generated<number>;
  barcode: string;
  name: string;
  patron_type: string;
  pin_hash: string;
  email: string | null;
  expires_on: string | null;
  blocked: number;
  block_note: string | null;
  created_at: number;
}

export interface IlsLoanPoliciesTable {
  id: Generated<number>;
  name: string | null;
  patron_type: string | null;
  item_type: string | null;
  branch: string | null;
  loanable: number;
  loan_days: number;
  renewals_allowed: number | null;
  renewal_days: number | null;
  renew_from: string;
  renew_window_days: number | null;
  hard_due_date: string | null;
  holds_block_renewal: number;
  overdues_block_renewal: number;
  fine_limit: number | null;
  fine_per_day: number;
  fine_grace_days: number;
  fine_cap: number | null;
  hold_shelf_days: number;
  max_loans: number | null;
  max_holds: number | null;
  holds_allowed: number;
}

export interface IlsLoansTable {
  id: Generated<number>;
  patron_id: number;
  item_barcode: string;
  control_number: string | null;
  branch: string;
  loaned_at: number;
  due_at: number;
  renewals: number;
  last_renewed_at: number | null;
  returned_at: number | null;
  open_item: string | null;
  item_state: string | null;
}

export interface IlsHoldsTable {
  id: Generated<number>;
  patron_id: number;
  control_number: string;
  item_barcode: string | null;
  pickup_branch: string;
  status: string;
  placed_at: number;
  trapped_at: number | null;
  pickup_by: number | null;
  closed_at: number | null;
  open_key: string | null;
}

export interface IlsFinesTable {
  id: Generated<number>;
  patron_id: number;
  loan_id: number | null;
  type: string;
  amount: number;
  description: string | null;
  created_at: number;
  paid_at: number | null;
}

/** The catalogue's tables, as far as the ILS reads them (it never writes them). */
interface CatalogRecordsView {
  id: number;
  control_number: string;
  title: string;
  data: string;
  updated_at: number;
}

interface CatalogItemsView {
  id: number;
  record_id: number;
  barcode: string;
  branch: string | null;
  location: string | null;
  call_number: string | null;
  status: string;
  loan_type: string | null;
}

export interface IlsTables {
  ils_branches: IlsBranchesTable;
  ils_opening_hours: IlsOpeningHoursTable;
  ils_calendar_exceptions: IlsCalendarExceptionsTable;
  ils_patrons: IlsPatronsTable;
  ils_loan_policies: IlsLoanPoliciesTable;
  ils_loans: IlsLoansTable;
  ils_holds: IlsHoldsTable;
  ils_fines: IlsFinesTable;
  catalog_records: CatalogRecordsView;
  catalog_items: CatalogItemsView;
}

export type BranchRow = Selectable<IlsBranchesTable>;
export type PatronRow = Selectable<IlsPatronsTable>;
export type LoanRow = Selectable<IlsLoansTable>;
export type HoldRow = Selectable<IlsHoldsTable>;
export type FineRow = Selectable<IlsFinesTable>;

/** An item of the catalogue with what circulation needs of its record. */
export interface CatalogueItem {
  readonly barcode: string;
  /** As the catalogue has it: a branch code or a branch name. */
  readonly branch: string | null;
  readonly location: string | null;
  readonly callNumber: string | null;
  /** The catalogue's status (available, lost, withdrawn, not-for-loan …). */
  readonly status: string;
  /** The item type policies are chosen by. */
  readonly loanType: string | null;
  readonly controlNumber: string;
  readonly title: string;
  readonly author: string | null;
}

/** A loan with its item's catalogue details (which may be gone if the item was removed). */
export interface LoanWithItem extends LoanRow {
  readonly title: string | null;
  readonly author: string | null;
  readonly call_number: string | null;
  readonly loan_type: string | null;
}

export interface HoldWithPatron extends HoldRow {
  readonly patron_barcode: string;
  readonly patron_type: string;
}

export interface FineWithItem extends FineRow {
  readonly item_barcode: string | null;
  readonly control_number: string | null;
}

export const OPEN_HOLD_STATUSES = ['not-yet-filled', 'in-transit', 'awaiting-pickup'] as const;
const TRAPPED_STATUSES = ['in-transit', 'awaiting-pickup'] as const;

// The first half of the two-key advisory lock: keeps the ILS's locks apart from others'.
const RECORD_LOCK_SPACE = 0x494c53; // "ILS"

function authorOf(data: string | null): string | null {
  if (!data) return null;
  try {
    const parsed = JSON.parse(data) as { authors?: Array<{ name?: unknown }> };
    const name = parsed.authors?.[0]?.name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

function toPolicy(row: Selectable<IlsLoanPoliciesTable>): LoanPolicy {
  return {
    id: Number(row.id),
    name: row.name,
    patronType: row.patron_type,
    itemType: row.item_type,
    branch: row.branch,
    loanable: Boolean(row.loanable),
    loanDays: row.loan_days,
    renewalsAllowed: row.renewals_allowed,
    renewalDays: row.renewal_days,
    renewFrom: row.renew_from === 'now' ? 'now' : 'due',
    renewWindowDays: row.renew_window_days,
    hardDueDate: row.hard_due_date,
    holdsBlockRenewal: Boolean(row.holds_block_renewal),
    overduesBlockRenewal: Boolean(row.overdues_block_renewal),
    fineLimit: row.fine_limit,
    finePerDay: row.fine_per_day,
    fineGraceDays: row.fine_grace_days,
    fineCap: row.fine_cap,
    holdShelfDays: row.hold_shelf_days,
    maxLoans: row.max_loans,
    maxHolds: row.max_holds,
    holdsAllowed: Boolean(row.holds_allowed),
  };
}

function policyColumns(policy: LoanPolicy) {
  return {
    name: policy.name ?? null,
    patron_type: policy.patronType,
    item_type: policy.itemType,
    branch: policy.branch,
    loanable: policy.loanable ? 1 : 0,
    loan_days: policy.loanDays,
    renewals_allowed: policy.renewalsAllowed,
    renewal_days: policy.renewalDays,
    renew_from: policy.renewFrom,
    renew_window_days: policy.renewWindowDays,
    hard_due_date: policy.hardDueDate,
    holds_block_renewal: policy.holdsBlockRenewal ? 1 : 0,
    overdues_block_renewal: policy.overduesBlockRenewal ? 1 : 0,
    fine_limit: policy.fineLimit,
    fine_per_day: policy.finePerDay,
    fine_grace_days: policy.fineGraceDays,
    fine_cap: policy.fineCap,
    hold_shelf_days: policy.holdShelfDays,
    max_loans: policy.maxLoans,
    max_holds: policy.maxHolds,
    holds_allowed: policy.holdsAllowed ? 1 : 0,
  };
}

/**
 * The embedded ILS's SQL. Decisions are made by the service inside `transaction`, on rows
 * it has locked: on PostgreSQL a loan row (`FOR UPDATE`) and a per-record advisory lock
 * for holds; SQLite runs one write transaction at a time (`BEGIN IMMEDIATE` on Kysely's
 * single connection), which serialises the same decisions.
 */
export class IlsRepository {
  constructor(
    private readonly db: Kysely<IlsTables>,
    readonly dialect: Dialect,
  ) {}

  /** Runs `fn` in one transaction with a repository bound to it. */
  async transaction<T>(fn: (tx: IlsRepository) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') {
      return this.db.transaction().execute((trx) => fn(new IlsRepository(trx, this.dialect)));
    }
    // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that read
    // first could fail to upgrade while another connection (the log writer) writes.
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(new IlsRepository(conn, this.dialect));
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /**
   * Mirrors circulation into the catalogue: the item's status, and its record marked as
   * changed so that every server's search index (which polls for changes) shows the
   * availability readers see.
   */
  async setCatalogueItemStatus(barcode: string, status: string, now: number): Promise<boolean> {
    const item = await this.db
      .updateTable('catalog_items')
      .set({ status })
      .where('barcode', '=', barcode)
      .where('status', '<>', status)
      .returning('record_id')
      .executeTakeFirst();
    if (!item) return false;
    await this.db
      .updateTable('catalog_records')
      .set({ updated_at: now })
      .where('id', '=', item.record_id)
      .execute();
    return true;
  }

  /** Serialises decisions about one record's holds until the transaction ends (PostgreSQL). */
  async lockRecord(controlNumber: string): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(${sql.lit(RECORD_LOCK_SPACE)}, hashtext(${controlNumber}))`.execute(
      this.db,
    );
  }

  /** Serialises decisions about one patron's limits until the transaction ends (PostgreSQL). */
  async lockPatron(patronId: number): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await this.db
      .selectFrom('ils_patrons')
      .select('id')
      .where('id', '=', patronId)
      .forUpdate()
      .execute();
  }

  // Branches and calendar

  async branches(): Promise<BranchRow[]> {
    return this.db
      .selectFrom('ils_branches')
      .selectAll()
      .orderBy('sort_order')
      .orderBy('code')
      .execute();
  }

  async upsertBranch(row: BranchRow): Promise<void> {
    const { code: _code, ...rest } = row;
    await this.db
      .insertInto('ils_branches')
      .values(row)
      .onConflict((oc) => oc.column('code').doUpdateSet(rest))
      .execute();
  }

  async weeklyHours(): Promise<WeeklyHours[]> {
    return this.db
      .selectFrom('ils_opening_hours')
      .selectAll()
      .orderBy('branch')
      .orderBy('weekday')
      .execute();
  }

  async replaceHours(branch: string, hours: readonly Omit<WeeklyHours, 'branch'>[]): Promise<void> {
    await this.db.deleteFrom('ils_opening_hours').where('branch', '=', branch).execute();
    if (hours.length === 0) return;
    await this.db
      .insertInto('ils_opening_hours')
      .values(hours.map((h) => ({ branch, weekday: h.weekday, opens: h.opens, closes: h.closes })))
      .execute();
  }

  async calendarExceptions(): Promise<CalendarException[]> {
    const rows = await this.db
      .selectFrom('ils_calendar_exceptions')
      .selectAll()
      .orderBy('date')
      .execute();
    return rows.map((r) => ({
      branch: r.branch,
      date: r.date,
      closed: Boolean(r.closed),
      opens: r.opens,
      closes: r.closes,
      note: r.note,
      noteEn: r.note_en,
    }));
  }

  /** One exception per branch (or all branches) and date: a new one replaces the old. */
  async putCalendarException(exception: CalendarException): Promise<void> {
    await this.removeCalendarException(exception.branch, exception.date);
    await this.db
      .insertInto('ils_calendar_exceptions')
      .values({
        branch: exception.branch,
        date: exception.date,
        closed: exception.closed ? 1 : 0,
        opens: exception.opens,
        closes: exception.closes,
        note: exception.note,
        note_en: exception.noteEn,
      })
      .execute();
  }

  async removeCalendarException(branch: string | null, date: string): Promise<void> {
    await this.db
      .deleteFrom('ils_calendar_exceptions')
      .where('date', '=', date)
      .where((eb) => (branch === null ? eb('branch', 'is', null) : eb('branch', '=', branch)))
      .execute();
  }

  // Policies

  async policies(): Promise<LoanPolicy[]> {
    const rows = await this.db.selectFrom('ils_loan_policies').selectAll().orderBy('id').execute();
    return rows.map(toPolicy);
  }

  /** One policy per combination of criteria: a new one replaces the old. Returns its id. */
  async upsertPolicy(policy: LoanPolicy): Promise<number> {
    const match = (column: 'patron_type' | 'item_type' | 'branch', value: string | null) =>
      value === null
        ? sql<boolean>`${sql.ref(column)} is null`
        : sql<boolean>`${sql.ref(column)} = ${value}`;
    const existing = await this.db
      .selectFrom('ils_loan_policies')
      .select('id')
      .where(match('patron_type', policy.patronType))
      .where(match('item_type', policy.itemType))
      .where(match('branch', policy.branch))
      .executeTakeFirst();
    if (existing) {
      await this.db
        .updateTable('ils_loan_policies')
        .set(policyColumns(policy))
        .where('id', '=', existing.id)
        .execute();
      return Number(existing.id);
    }
    const inserted = await this.db
      .insertInto('ils_loan_policies')
      .values(policyColumns(policy))
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  // Patrons

  async patronByBarcode(barcode: string): Promise<PatronRow | undefined> {
    return this.db
      .selectFrom('ils_patrons')
      .selectAll()
      .where('barcode', '=', barcode)
      .executeTakeFirst();
  }

  async patronById(id: number): Promise<PatronRow | undefined> {
    return this.db.selectFrom('ils_patrons').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Inserts a patron unless the barcode exists; returns whether it did. */
  async insertPatron(row: Omit<PatronRow, 'id'>): Promise<boolean> {
    const result = await this.db
      .insertInto('ils_patrons')
      .values(row)
      .onConflict((oc) => oc.column('barcode').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async updatePatron(
    id: number,
    patch: Partial<Omit<PatronRow, 'id' | 'barcode' | 'created_at'>>,
  ): Promise<void> {
    if (Object.keys(patch).length === 0) return;
    await this.db.updateTable('ils_patrons').set(patch).where('id', '=', id).execute();
  }

  // The catalogue

  #items() {
    return this.db
      .selectFrom('catalog_items as i')
      .innerJoin('catalog_records as r', 'r.id', 'i.record_id')
      .select([
        'i.barcode',
        'i.branch',
        'i.location',
        'i.call_number',
        'i.status',
        'i.loan_type',
        'r.control_number',
        'r.title',
        'r.data',
      ]);
  }

  #toItem(row: {
    barcode: string;
    branch: string | null;
    location: string | null;
    call_number: string | null;
    status: string;
    loan_type: string | null;
    control_number: string;
    title: string;
    data: string;
  }): CatalogueItem {
    return {
      barcode: row.barcode,
      branch: row.branch,
      location: row.location,
      callNumber: row.call_number,
      status: row.status,
      loanType: row.loan_type,
      controlNumber: row.control_number,
      title: row.title,
      author: authorOf(row.data),
    };
  }

  async item(barcode: string): Promise<CatalogueItem | null> {
    const row = await this.#items().where('i.barcode', '=', barcode).executeTakeFirst();
    return row ? this.#toItem(row) : null;
  }

  async itemsOfRecord(controlNumber: string): Promise<CatalogueItem[]> {
    const rows = await this.#items()
      .where('r.control_number', '=', controlNumber)
      .orderBy('i.barcode')
      .execute();
    return rows.map((row) => this.#toItem(row));
  }

  async record(
    controlNumber: string,
  ): Promise<{ controlNumber: string; title: string; author: string | null } | null> {
    const row = await this.db
      .selectFrom('catalog_records')
      .select(['control_number', 'title', 'data'])
      .where('control_number', '=', controlNumber)
      .executeTakeFirst();
    return row
      ? { controlNumber: row.control_number, title: row.title, author: authorOf(row.data) }
      : null;
  }

  async titles(controlNumbers: readonly string[]): Promise<Map<string, string>> {
    if (controlNumbers.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('catalog_records')
      .select(['control_number', 'title'])
      .where('control_number', 'in', [...new Set(controlNumbers)])
      .execute();
    return new Map(rows.map((r) => [r.control_number, r.title]));
  }

  /**
   * Items of single-copy records at a branch (by code or name), none on loan, in barcode
   * order: what the demo lends and places holds on.
   */
  async singleCopyItems(branches: readonly string[], limit: number): Promise<CatalogueItem[]> {
    const rows = await this.#items()
      .where('i.branch', 'in', [...branches])
      .where('i.status', '=', 'available')
      .where(
        (eb) =>
          eb
            .selectFrom('catalog_items as other')
            .select(eb.fn.countAll().as('n'))
            .whereRef('other.record_id', '=', 'i.record_id'),
        '=',
        1,
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('ils_loans as l')
              .select('l.id')
              .whereRef('l.open_item', '=', 'i.barcode'),
          ),
        ),
      )
      .orderBy('i.barcode')
      .limit(limit)
      .execute();
    return rows.map((row) => this.#toItem(row));
  }

  // Loans

  async openLoanOfItem(
    barcode: string,
    options: { lock?: boolean } = {},
  ): Promise<LoanRow | undefined> {
    return this.db
      .selectFrom('ils_loans')
      .selectAll()
      .where('open_item', '=', barcode)
      .$if(Boolean(options.lock) && this.dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
  }

  async openLoansOfItems(barcodes: readonly string[]): Promise<LoanRow[]> {
    if (barcodes.length === 0) return [];
    return this.db
      .selectFrom('ils_loans')
      .selectAll()
      .where('open_item', 'in', [...barcodes])
      .execute();
  }

  async openLoansOfPatron(patronId: number): Promise<LoanWithItem[]> {
    const rows = await this.db
      .selectFrom('ils_loans as l')
      .leftJoin('catalog_items as i', 'i.barcode', 'l.item_barcode')
      .leftJoin('catalog_records as r', 'r.id', 'i.record_id')
      .selectAll('l')
      .select(['r.title', 'r.data', 'i.call_number', 'i.loan_type'])
      .where('l.patron_id', '=', patronId)
      .where('l.returned_at', 'is', null)
      .orderBy('l.due_at')
      .orderBy('l.id')
      .execute();
    return rows.map(({ data, ...row }) => ({ ...row, author: authorOf(data) }));
  }

  async loanById(id: number): Promise<LoanRow | undefined> {
    return this.db.selectFrom('ils_loans').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Inserts an open loan; `null` when the item already has one (the unique index said so). */
  async insertLoan(row: Omit<LoanRow, 'id' | 'open_item' | 'returned_at'>): Promise<number | null> {
    // ON CONFLICT rather than catching the violation: on PostgreSQL an error would abort
    // the whole transaction.
    const inserted = await this.db
      .insertInto('ils_loans')
      .values({ ...row, open_item: row.item_barcode, returned_at: null })
      .onConflict((oc) => oc.column('open_item').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted ? Number(inserted.id) : null;
  }

  /** Renews only if nobody renewed in between (`renewals` still as read). */
  async renewLoan(
    id: number,
    expectedRenewals: number,
    dueAt: number,
    now: number,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('ils_loans')
      .set({ due_at: dueAt, renewals: expectedRenewals + 1, last_renewed_at: now })
      .where('id', '=', id)
      .where('renewals', '=', expectedRenewals)
      .where('returned_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Closes an open loan; false when it was already closed. */
  async closeLoan(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('ils_loans')
      .set({ returned_at: now, open_item: null })
      .where('id', '=', id)
      .where('returned_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setLoanItemState(id: number, state: string | null): Promise<void> {
    await this.db
      .updateTable('ils_loans')
      .set({ item_state: state })
      .where('id', '=', id)
      .execute();
  }

  // Holds

  /** Open holds of records, in queue order (placed, then id), with their patrons. */
  async openHoldsOfRecords(controlNumbers: readonly string[]): Promise<HoldWithPatron[]> {
    if (controlNumbers.length === 0) return [];
    return this.db
      .selectFrom('ils_holds as h')
      .innerJoin('ils_patrons as p', 'p.id', 'h.patron_id')
      .selectAll('h')
      .select(['p.barcode as patron_barcode', 'p.patron_type'])
      .where('h.control_number', 'in', [...new Set(controlNumbers)])
      .where('h.status', 'in', [...OPEN_HOLD_STATUSES])
      .orderBy('h.placed_at')
      .orderBy('h.id')
      .execute();
  }

  async openHoldsOfPatron(patronId: number): Promise<HoldRow[]> {
    return this.db
      .selectFrom('ils_holds')
      .selectAll()
      .where('patron_id', '=', patronId)
      .where('status', 'in', [...OPEN_HOLD_STATUSES])
      .orderBy('placed_at')
      .orderBy('id')
      .execute();
  }

  async holdById(id: number): Promise<HoldRow | undefined> {
    return this.db.selectFrom('ils_holds').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The hold an item is trapped for (on its way to, or waiting on, a hold shelf). */
  async trappedHoldOfItem(barcode: string): Promise<HoldWithPatron | undefined> {
    return this.db
      .selectFrom('ils_holds as h')
      .innerJoin('ils_patrons as p', 'p.id', 'h.patron_id')
      .selectAll('h')
      .select(['p.barcode as patron_barcode', 'p.patron_type'])
      .where('h.item_barcode', '=', barcode)
      .where('h.status', 'in', [...TRAPPED_STATUSES])
      .executeTakeFirst();
  }

  async trappedHoldsOfItems(barcodes: readonly string[]): Promise<HoldRow[]> {
    if (barcodes.length === 0) return [];
    return this.db
      .selectFrom('ils_holds')
      .selectAll()
      .where('item_barcode', 'in', [...barcodes])
      .where('status', 'in', [...TRAPPED_STATUSES])
      .execute();
  }

  /** Inserts an open hold; `null` when the patron already has one on the record. */
  async insertHold(
    row: Omit<HoldRow, 'id' | 'open_key' | 'trapped_at' | 'pickup_by' | 'closed_at'>,
  ): Promise<number | null> {
    const inserted = await this.db
      .insertInto('ils_holds')
      .values({
        ...row,
        trapped_at: null,
        pickup_by: null,
        closed_at: null,
        open_key: `${row.patron_id}:${row.control_number}`,
      })
      .onConflict((oc) => oc.column('open_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted ? Number(inserted.id) : null;
  }

  async trapHold(
    id: number,
    barcode: string,
    status: 'in-transit' | 'awaiting-pickup',
    trappedAt: number,
    pickupBy: number | null,
  ): Promise<void> {
    await this.db
      .updateTable('ils_holds')
      .set({ item_barcode: barcode, status, trapped_at: trappedAt, pickup_by: pickupBy })
      .where('id', '=', id)
      .execute();
  }

  /** Closes an open hold; false when it was no longer open. */
  async closeHold(
    id: number,
    status: 'filled' | 'cancelled' | 'expired',
    now: number,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('ils_holds')
      .set({ status, closed_at: now, open_key: null })
      .where('id', '=', id)
      .where('status', 'in', [...OPEN_HOLD_STATUSES])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Holds whose time on the shelf has run out. */
  async expiredShelfHolds(now: number): Promise<HoldRow[]> {
    return this.db
      .selectFrom('ils_holds')
      .selectAll()
      .where('status', '=', 'awaiting-pickup')
      .where('pickup_by', '<', now)
      .orderBy('pickup_by')
      .execute();
  }

  // Fines

  async unpaidFines(patronId: number): Promise<FineWithItem[]> {
    return this.db
      .selectFrom('ils_fines as f')
      .leftJoin('ils_loans as l', 'l.id', 'f.loan_id')
      .selectAll('f')
      .select(['l.item_barcode', 'l.control_number'])
      .where('f.patron_id', '=', patronId)
      .where('f.paid_at', 'is', null)
      .orderBy('f.created_at')
      .orderBy('f.id')
      .execute();
  }

  async insertFine(row: Omit<FineRow, 'id' | 'paid_at'>): Promise<number> {
    const inserted = await this.db
      .insertInto('ils_fines')
      .values({ ...row, paid_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  async payFine(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('ils_fines')
      .set({ paid_at: now })
      .where('id', '=', id)
      .where('paid_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Row counts of the ILS's tables (the demo's idempotency check, status pages). */
  async counts(): Promise<Record<string, number>> {
    const tables = [
      'ils_branches',
      'ils_opening_hours',
      'ils_calendar_exceptions',
      'ils_patrons',
      'ils_loan_policies',
      'ils_loans',
      'ils_holds',
      'ils_fines',
    ] as const;
    const out: Record<string, number> = {};
    for (const table of tables) {
      const row = await this.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      out[table] = Number(row.n);
    }
    return out;
  }
}
