import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Dialect } from '../../platform/db/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { IlsRefusal } from '../errors.ts';
import type {
  Branch,
  CirculationOutcome,
  Fine,
  FineType,
  Hold,
  HoldOutcome,
  HoldStatus,
  ItemInfo,
  ItemStatus,
  Loan,
  PatronAccount,
  PatronBlock,
  PatronSummary,
  PlaceHoldRequest,
  RenewOutcome,
} from '../types.ts';
import {
  LibraryCalendar,
  localDate,
  type CalendarException,
  type DayHours,
  type WeeklyHours,
} from './calendar.ts';
import {
  decideCheckout,
  decideRenewal,
  loanDueAt,
  overdueFine,
  patronRefusal,
  resolvePolicy,
  type LoanPolicy,
} from './policy.ts';
import {
  IlsRepository,
  type BranchRow,
  type CatalogueItem,
  type HoldRow,
  type HoldWithPatron,
  type IlsTables,
  type LoanWithItem,
  type PatronRow,
} from './repository.ts';

export interface EmbeddedIlsDeps {
  readonly db: Kysely<IlsTables>;
  readonly dialect: Dialect;
  readonly clock: Clock;
  /** The library's time zone (`config.timezone`): due dates end at local midnight. */
  readonly timezone: string;
  readonly logger: Logger;
  /** Told after each change of an item's status commits (keeps the catalogue's availability current). */
  readonly onItemStatusChange?: (barcode: string, status: ItemStatus) => void | Promise<void>;
  /** A renewal repeated within this time is the same renewal (double taps, retries). */
  readonly repeatWindowMs?: number;
}

/** A branch with what readers are shown about it. */
export interface BranchDetail extends Branch {
  readonly address: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  /** Holds can be collected here. */
  readonly pickup: boolean;
  readonly sortOrder: number;
}

export interface NewPatron {
  readonly barcode: string;
  readonly name: string;
  readonly patronType: string;
  readonly pin: string;
  readonly email?: string | null;
  /** `YYYY-MM-DD`. */
  readonly expiresOn?: string | null;
  readonly blocked?: boolean;
  readonly blockNote?: string | null;
}

export interface PatronChanges {
  readonly name?: string;
  readonly patronType?: string;
  readonly pin?: string;
  readonly email?: string | null;
  readonly expiresOn?: string | null;
  readonly blocked?: boolean;
  readonly blockNote?: string | null;
}

/** An existing loan brought in as it is (a migration from another system, the demo). */
export interface LoanImport {
  readonly patronBarcode: string;
  readonly itemBarcode: string;
  readonly loanedAt: number;
  readonly dueAt: number;
  readonly renewals?: number;
  readonly lastRenewedAt?: number | null;
  readonly branch?: string;
}

type StatusChange = readonly [barcode: string, status: ItemStatus];

/** Reference data read once per operation: branches, policies, the calendar. */
interface Reference {
  readonly branches: readonly BranchRow[];
  readonly policies: readonly LoanPolicy[];
  readonly calendar: LibraryCalendar;
}

const DEFAULT_REPEAT_WINDOW_MS = 60_000;
const HOLD_ID = /^\d{1,15}$/;

// Catalogue statuses that say where circulation put an item: the ILS's own rows decide
// those, so a stale copy in the catalogue does not count.
const CIRCULATION_STATUSES = new Set(['checked-out', 'on-hold-shelf', 'in-transit']);
const KNOWN_STATUSES = new Set<ItemStatus>([
  'available',
  'on-order',
  'in-process',
  'awaiting-reshelving',
  'claimed-returned',
  'lost',
  'missing',
  'not-for-loan',
  'withdrawn',
]);

function yuan(fen: number): number {
  return Math.round(fen) / 100;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function fineType(type: string): FineType {
  return (
    (['overdue', 'lost', 'damage', 'processing', 'hold', 'other'] as const).find(
      (t) => t === type,
    ) ?? 'other'
  );
}

/** The catalogue's own status of an item, as an ItemStatus (`available` for circulation's). */
function shelfStatus(item: CatalogueItem): ItemStatus {
  if (CIRCULATION_STATUSES.has(item.status)) return 'available';
  if (item.status === 'damaged') return 'not-for-loan';
  return KNOWN_STATUSES.has(item.status as ItemStatus) ? (item.status as ItemStatus) : 'unknown';
}

/**
 * The embedded ILS: a small, complete circulation system for libraries without one (and
 * for the demo and tests). Items come from the catalogue; patrons, loan policies, the
 * calendar, loans, holds and fines live in the `ils_` tables.
 *
 * Every reader-facing refusal is a `RefusalCode`. Operations are safe to repeat and safe
 * under concurrency: a renewal repeated within a minute reports the first one
 * (`alreadyRenewed`), decisions about a loan run on its locked row, and decisions about a
 * record's holds under a per-record lock.
 *
 * Transit: when a returned item is trapped for a hold collected at another branch, the
 * hold is `in-transit` until the item is checked in (or `receiveInTransit`) at that
 * branch; then it waits on the hold shelf until `pickupBy`.
 *
 * Policies are chosen by the patron's type, the item's `loan_type` in the catalogue and
 * the branch of the loan (the item's branch unless a checkout names another).
 */
export class EmbeddedIls {
  readonly #deps: EmbeddedIlsDeps;
  readonly #repo: IlsRepository;
  // Verified against when a barcode is unknown, so that a wrong barcode takes as long as a wrong PIN.
  #dummyHash: Promise<string> | undefined;

  constructor(deps: EmbeddedIlsDeps) {
    this.#deps = deps;
    this.#repo = new IlsRepository(deps.db, deps.dialect);
  }

  /** The library's time zone. */
  get timezone(): string {
    return this.#deps.timezone;
  }

  /** The ILS's current time (its clock), epoch milliseconds. */
  now(): number {
    return this.#deps.clock.now();
  }

  // Reference data

  async #reference(repo: IlsRepository = this.#repo): Promise<Reference> {
    const [branches, policies, hours, exceptions] = await Promise.all([
      repo.branches(),
      repo.policies(),
      repo.weeklyHours(),
      repo.calendarExceptions(),
    ]);
    return {
      branches,
      policies,
      calendar: new LibraryCalendar(this.#deps.timezone, hours, exceptions),
    };
  }

  /** The branch code an item belongs to: its catalogue branch read as a code or a name. */
  #branchOf(ref: Reference, raw: string | null): string {
    if (raw !== null) {
      const match = ref.branches.find((b) => b.code === raw || b.name === raw || b.name_en === raw);
      if (match) return match.code;
      return raw;
    }
    return ref.branches[0]?.code ?? '';
  }

  #branch(ref: Reference, code: string | null): Branch | null {
    if (code === null) return null;
    const row = ref.branches.find((b) => b.code === code);
    return row ? { code: row.code, name: row.name, nameEn: row.name_en } : { code, name: code };
  }

  #policy(ref: Reference, patronType: string, itemType: string | null, branch: string | null) {
    return resolvePolicy(ref.policies, { patronType, itemType, branch });
  }

  /** The patron-level policy (limits that are not about one item): no item type, no branch. */
  #patronPolicy(ref: Reference, patron: PatronRow): LoanPolicy {
    return resolvePolicy(ref.policies, {
      patronType: patron.patron_type,
      itemType: null,
      branch: null,
    });
  }

  #summary(patron: PatronRow): PatronSummary {
    return {
      barcode: patron.barcode,
      name: patron.name,
      patronType: patron.patron_type,
      email: patron.email,
      expiresOn: patron.expires_on,
    };
  }

  async #notify(changes: readonly StatusChange[]): Promise<void> {
    const callback = this.#deps.onItemStatusChange;
    for (const [barcode, status] of changes) {
      try {
        // The loan or hold has committed; the catalogue's copy of the status follows it.
        const changed = await this.#repo.setCatalogueItemStatus(
          barcode,
          status,
          this.#deps.clock.now(),
        );
        if (changed && callback) await callback(barcode, status);
      } catch (error) {
        this.#deps.logger.error({ err: error, barcode, status }, 'item status callback failed');
      }
    }
  }

  /** What a patron owes now: unpaid fines plus what each overdue loan has accrued. Fen. */
  #owed(
    ref: Reference,
    patron: PatronRow,
    loans: readonly LoanWithItem[],
    unpaidFen: number,
    now: number,
  ): { total: number; accruing: Map<number, number>; overdue: boolean } {
    const accruing = new Map<number, number>();
    let total = unpaidFen;
    let overdue = false;
    for (const loan of loans) {
      if (loan.due_at >= now) continue;
      overdue = true;
      const policy = this.#policy(ref, patron.patron_type, loan.loan_type, loan.branch);
      const amount = overdueFine(policy, loan.due_at, now, this.#deps.timezone);
      if (amount > 0) {
        accruing.set(Number(loan.id), amount);
        total += amount;
      }
    }
    return { total, accruing, overdue };
  }

  /** Open holds by others that an item of a record could fill. */
  #holdsForOthers(queue: readonly HoldRow[], patronId: number, barcode: string): number {
    return queue.filter(
      (h) =>
        h.status === 'not-yet-filled' &&
        Number(h.patron_id) !== patronId &&
        (h.item_barcode === null || h.item_barcode === barcode),
    ).length;
  }

  // Patrons

  /**
   * Checks a card's barcode and PIN. Throws `IlsRefusal('INVALID_CREDENTIALS')` for an
   * unknown barcode or a wrong PIN alike. A blocked patron or an expired card still
   * authenticates: their account shows why they cannot borrow (`blocks`).
   */
  async authenticate(barcode: string, pin: string): Promise<PatronSummary> {
    const patron = await this.#repo.patronByBarcode(barcode);
    if (!patron) {
      this.#dummyHash ??= hash('not a pin');
      await verify(await this.#dummyHash, pin).catch(() => false);
      throw new IlsRefusal('INVALID_CREDENTIALS');
    }
    const ok = await verify(patron.pin_hash, pin).catch(() => false);
    if (!ok) throw new IlsRefusal('INVALID_CREDENTIALS');
    return this.#summary(patron);
  }

  /** The patron with that barcode, or `null`. */
  async patron(barcode: string): Promise<PatronSummary | null> {
    const patron = await this.#repo.patronByBarcode(barcode);
    return patron ? this.#summary(patron) : null;
  }

  /** Registers a patron (PIN stored as an argon2id hash). A barcode that exists is left as it is. */
  async createPatron(input: NewPatron): Promise<{ created: boolean; patron: PatronSummary }> {
    const existing = await this.#repo.patronByBarcode(input.barcode);
    if (!existing) {
      await this.#repo.insertPatron({
        barcode: input.barcode,
        name: input.name,
        patron_type: input.patronType,
        pin_hash: await hash(input.pin),
        email: input.email ?? null,
        expires_on: input.expiresOn ?? null,
        blocked: input.blocked ? 1 : 0,
        block_note: input.blockNote ?? null,
        created_at: this.#deps.clock.now(),
      });
    }
    const patron = (await this.#repo.patronByBarcode(input.barcode))!;
    return { created: !existing, patron: this.#summary(patron) };
  }

  /** Changes a patron (a block and its note, the card's expiry, the PIN …). */
  async updatePatron(barcode: string, changes: PatronChanges): Promise<PatronSummary> {
    const patron = await this.#repo.patronByBarcode(barcode);
    if (!patron) throw new IlsRefusal('PATRON_NOT_FOUND');
    await this.#repo.updatePatron(Number(patron.id), {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.patronType !== undefined ? { patron_type: changes.patronType } : {}),
      ...(changes.pin !== undefined ? { pin_hash: await hash(changes.pin) } : {}),
      ...(changes.email !== undefined ? { email: changes.email } : {}),
      ...(changes.expiresOn !== undefined ? { expires_on: changes.expiresOn } : {}),
      ...(changes.blocked !== undefined ? { blocked: changes.blocked ? 1 : 0 } : {}),
      ...(changes.blockNote !== undefined ? { block_note: changes.blockNote } : {}),
    });
    return this.#summary((await this.#repo.patronByBarcode(barcode))!);
  }

  /**
   * Everything a reader sees of their account: loans (with whether each could be renewed
   * now and why not), holds with their place in the queue, fines including what overdue
   * loans are accruing, and blocks. Throws `IlsRefusal('PATRON_NOT_FOUND')`.
   */
  async account(barcode: string): Promise<PatronAccount> {
    const now = this.#deps.clock.now();
    const repo = this.#repo;
    const patron = await repo.patronByBarcode(barcode);
    if (!patron) throw new IlsRefusal('PATRON_NOT_FOUND');
    const patronId = Number(patron.id);
    const [ref, loans, holds, fines] = await Promise.all([
      this.#reference(),
      repo.openLoansOfPatron(patronId),
      repo.openHoldsOfPatron(patronId),
      repo.unpaidFines(patronId),
    ]);
    const records = [
      ...loans.map((l) => l.control_number).filter((c): c is string => c !== null),
      ...holds.map((h) => h.control_number),
    ];
    const [queues, titles] = await Promise.all([
      repo.openHoldsOfRecords(records),
      repo.titles([...records, ...fines.map((f) => f.control_number).filter((c) => c !== null)]),
    ]);
    const queueOf = (controlNumber: string | null) =>
      controlNumber === null ? [] : queues.filter((h) => h.control_number === controlNumber);

    const unpaid = fines.reduce((sum, f) => sum + f.amount, 0);
    const owed = this.#owed(ref, patron, loans, unpaid, now);

    const loanViews: Loan[] = loans.map((loan) => {
      const policy = this.#policy(ref, patron.patron_type, loan.loan_type, loan.branch);
      const decision = decideRenewal({
        now,
        calendar: ref.calendar,
        loan: {
          dueAt: loan.due_at,
          renewals: loan.renewals,
          branch: loan.branch,
          itemState: loan.item_state,
        },
        patron: { blocked: Boolean(patron.blocked), expiresOn: patron.expires_on },
        policy,
        holdsForOthers: this.#holdsForOthers(
          queueOf(loan.control_number),
          patronId,
          loan.item_barcode,
        ),
        patronHasOverdues: owed.overdue,
        finesOutstanding: owed.total,
      });
      return {
        id: String(loan.id),
        itemBarcode: loan.item_barcode,
        title: loan.title ?? loan.item_barcode,
        author: loan.author,
        callNumber: loan.call_number,
        recordId: loan.control_number,
        branch: this.#branch(ref, loan.branch),
        loanedAt: iso(loan.loaned_at),
        dueAt: iso(loan.due_at),
        overdue: loan.due_at < now,
        renewals: loan.renewals,
        renewalsAllowed: policy.renewalsAllowed,
        renewable: decision.ok,
        renewBlockedBy: decision.ok ? null : decision.code,
        renewableFrom:
          !decision.ok && decision.earliest !== undefined ? iso(decision.earliest) : null,
      };
    });

    const holdViews = holds.map((hold) =>
      this.#holdView(ref, hold, queueOf(hold.control_number), titles),
    );

    const fineViews: Fine[] = [
      ...fines.map((f) => ({
        id: String(f.id),
        amount: yuan(f.amount),
        type: fineType(f.type),
        description: f.description,
        itemBarcode: f.item_barcode,
        title: f.control_number ? (titles.get(f.control_number) ?? null) : null,
        createdAt: iso(f.created_at),
      })),
      ...loans
        .filter((loan) => owed.accruing.has(Number(loan.id)))
        .map((loan) => ({
          // Not a row yet: charged when the item comes back, at the amount reached then.
          id: `accruing-${loan.id}`,
          amount: yuan(owed.accruing.get(Number(loan.id)) ?? 0),
          type: 'overdue' as const,
          description: '超期罚款（未还，按日累计）',
          itemBarcode: loan.item_barcode,
          title: loan.title,
          createdAt: null,
        })),
    ];

    const blocks: PatronBlock[] = [];
    if (patron.blocked) blocks.push({ code: 'MANUAL', message: patron.block_note });
    if (
      patronRefusal(
        { blocked: false, expiresOn: patron.expires_on },
        localDate(now, this.#deps.timezone),
      )
    ) {
      blocks.push({ code: 'CARD_EXPIRED' });
    }
    const limit = this.#patronPolicy(ref, patron).fineLimit;
    if (limit !== null && owed.total > limit) blocks.push({ code: 'FINES_OVER_LIMIT' });

    return {
      patron: this.#summary(patron),
      loans: loanViews,
      holds: holdViews,
      fines: fineViews,
      finesTotal: yuan(owed.total),
      currency: 'CNY',
      blocks,
      messages: [],
    };
  }

  #holdView(
    ref: Reference,
    hold: HoldRow,
    queue: readonly HoldRow[],
    titles: ReadonlyMap<string, string>,
  ): Hold {
    // Computed, never stored: closing a hold moves everyone behind it up by itself.
    const index = queue.findIndex((h) => Number(h.id) === Number(hold.id));
    return {
      id: String(hold.id),
      recordId: hold.control_number,
      itemBarcode: hold.item_barcode,
      title: titles.get(hold.control_number) ?? hold.control_number,
      status: hold.status as HoldStatus,
      queuePosition: index >= 0 ? index + 1 : null,
      queueLength: queue.length,
      pickupBranch: this.#branch(ref, hold.pickup_branch),
      placedAt: iso(hold.placed_at),
      pickupBy: hold.pickup_by !== null ? iso(hold.pickup_by) : null,
      expiresAt: null,
    };
  }

  // Renewals

  /** Renews loans of the patron, one outcome per barcode, in order. */
  async renew(barcode: string, itemBarcodes: readonly string[]): Promise<RenewOutcome[]> {
    const patron = await this.#repo.patronByBarcode(barcode);
    if (!patron) {
      return itemBarcodes.map((itemBarcode) => ({
        ok: false,
        itemBarcode,
        code: 'PATRON_NOT_FOUND',
      }));
    }
    const out: RenewOutcome[] = [];
    for (const itemBarcode of itemBarcodes) {
      out.push(await this.#renewOne(Number(patron.id), itemBarcode));
    }
    return out;
  }

  /** Renews every open loan of the patron that can be renewed; one outcome per loan. */
  async renewAll(barcode: string): Promise<RenewOutcome[]> {
    const patron = await this.#repo.patronByBarcode(barcode);
    if (!patron) return [];
    const loans = await this.#repo.openLoansOfPatron(Number(patron.id));
    return this.renew(
      barcode,
      loans.map((l) => l.item_barcode),
    );
  }

  async #renewOne(patronId: number, itemBarcode: string): Promise<RenewOutcome> {
    const repeatWindow = this.#deps.repeatWindowMs ?? DEFAULT_REPEAT_WINDOW_MS;
    return this.#repo.transaction(async (tx): Promise<RenewOutcome> => {
      const now = this.#deps.clock.now();
      const loan = await tx.openLoanOfItem(itemBarcode, { lock: true });
      const patron = await tx.patronById(patronId);
      if (!loan || !patron || Number(loan.patron_id) !== patronId) {
        return { ok: false, itemBarcode, code: 'LOAN_NOT_FOUND' };
      }
      const item = await tx.item(itemBarcode);
      const title = item?.title ?? null;
      const repeated =
        loan.last_renewed_at !== null &&
        now >= loan.last_renewed_at &&
        now - loan.last_renewed_at < repeatWindow;
      if (repeated) {
        return {
          ok: true,
          itemBarcode,
          title,
          dueAt: iso(loan.due_at),
          renewals: loan.renewals,
          alreadyRenewed: true,
        };
      }
      const ref = await this.#reference(tx);
      const [loans, fines, queue] = await Promise.all([
        tx.openLoansOfPatron(patronId),
        tx.unpaidFines(patronId),
        loan.control_number ? tx.openHoldsOfRecords([loan.control_number]) : Promise.resolve([]),
      ]);
      const unpaid = fines.reduce((sum, f) => sum + f.amount, 0);
      const owed = this.#owed(ref, patron, loans, unpaid, now);
      const decision = decideRenewal({
        now,
        calendar: ref.calendar,
        loan: {
          dueAt: loan.due_at,
          renewals: loan.renewals,
          branch: loan.branch,
          itemState: loan.item_state,
        },
        patron: { blocked: Boolean(patron.blocked), expiresOn: patron.expires_on },
        policy: this.#policy(ref, patron.patron_type, item?.loanType ?? null, loan.branch),
        holdsForOthers: this.#holdsForOthers(queue, patronId, itemBarcode),
        patronHasOverdues: owed.overdue,
        finesOutstanding: owed.total,
      });
      if (!decision.ok) {
        return {
          ok: false,
          itemBarcode,
          title,
          code: decision.code,
          dueAt: iso(loan.due_at),
          ...(decision.earliest !== undefined ? { earliest: iso(decision.earliest) } : {}),
        };
      }
      if (!(await tx.renewLoan(Number(loan.id), loan.renewals, decision.dueAt, now))) {
        // Renewed in between (possible only without row locks): report that renewal.
        const current = await tx.loanById(Number(loan.id));
        return {
          ok: true,
          itemBarcode,
          title,
          dueAt: iso(current?.due_at ?? loan.due_at),
          renewals: current?.renewals ?? loan.renewals,
          alreadyRenewed: true,
        };
      }
      this.#deps.logger.info({ itemBarcode, dueAt: decision.dueAt }, 'loan renewed');
      return {
        ok: true,
        itemBarcode,
        title,
        dueAt: iso(decision.dueAt),
        renewals: loan.renewals + 1,
      };
    });
  }

  // Holds

  /**
   * Places a hold on a record (any copy) or on one copy. Refused when the patron cannot
   * borrow, the pickup branch is missing or not a pickup location, no copy may be held
   * under the policies, the patron has the title on loan or already on hold, their hold
   * limit is reached, or a copy is on the shelf to be borrowed now (`HOLD_NOT_ALLOWED`,
   * with a message saying so).
   */
  async placeHold(barcode: string, request: PlaceHoldRequest): Promise<HoldOutcome> {
    return this.#repo.transaction(async (tx): Promise<HoldOutcome> => {
      const now = this.#deps.clock.now();
      const patron = await tx.patronByBarcode(barcode);
      if (!patron) return { ok: false, code: 'PATRON_NOT_FOUND' };
      const patronId = Number(patron.id);
      const refusal = patronRefusal(
        { blocked: Boolean(patron.blocked), expiresOn: patron.expires_on },
        localDate(now, this.#deps.timezone),
      );
      if (refusal) return { ok: false, code: refusal };

      let controlNumber: string;
      let copy: CatalogueItem | null = null;
      if (request.itemBarcode) {
        copy = await tx.item(request.itemBarcode);
        if (!copy || (request.recordId && request.recordId !== copy.controlNumber)) {
          return { ok: false, code: 'ITEM_NOT_FOUND' };
        }
        controlNumber = copy.controlNumber;
      } else if (request.recordId) {
        if (!(await tx.record(request.recordId))) return { ok: false, code: 'ITEM_NOT_FOUND' };
        controlNumber = request.recordId;
      } else {
        return { ok: false, code: 'ITEM_NOT_FOUND' };
      }

      const ref = await this.#reference(tx);
      const pickups = ref.branches.filter((b) => b.pickup);
      let pickupBranch: string;
      if (request.pickupBranch) {
        if (!pickups.some((b) => b.code === request.pickupBranch)) {
          return { ok: false, code: 'PICKUP_LOCATION_INVALID' };
        }
        pickupBranch = request.pickupBranch;
      } else if (pickups.length === 1) {
        pickupBranch = pickups[0]!.code;
      } else if (pickups.length === 0) {
        return { ok: false, code: 'HOLD_NOT_ALLOWED' };
      } else {
        return { ok: false, code: 'PICKUP_LOCATION_REQUIRED' };
      }

      await tx.lockRecord(controlNumber);
      await tx.lockPatron(patronId);

      const items = copy ? [copy] : await tx.itemsOfRecord(controlNumber);
      const holdable = items.filter((item) => {
        const policy = this.#policy(
          ref,
          patron.patron_type,
          item.loanType,
          this.#branchOf(ref, item.branch),
        );
        const status = shelfStatus(item);
        return (
          policy.loanable &&
          policy.holdsAllowed &&
          !['lost', 'missing', 'withdrawn', 'not-for-loan'].includes(status)
        );
      });
      if (holdable.length === 0) return { ok: false, code: 'HOLD_NOT_ALLOWED' };

      const loans = await tx.openLoansOfPatron(patronId);
      if (loans.some((l) => l.control_number === controlNumber)) {
        return { ok: false, code: 'ALREADY_ON_LOAN_TO_PATRON' };
      }
      const own = await tx.openHoldsOfPatron(patronId);
      if (own.some((h) => h.control_number === controlNumber)) {
        return { ok: false, code: 'HOLD_ALREADY_PLACED' };
      }
      const maxHolds = this.#patronPolicy(ref, patron).maxHolds;
      if (maxHolds !== null && own.length >= maxHolds) {
        return { ok: false, code: 'HOLD_LIMIT_REACHED' };
      }
      const barcodes = holdable.map((i) => i.barcode);
      const [onLoan, trapped] = await Promise.all([
        tx.openLoansOfItems(barcodes),
        tx.trappedHoldsOfItems(barcodes),
      ]);
      const busy = new Set([
        ...onLoan.map((l) => l.item_barcode),
        ...trapped.map((h) => h.item_barcode ?? ''),
      ]);
      if (holdable.some((i) => !busy.has(i.barcode) && shelfStatus(i) === 'available')) {
        return {
          ok: false,
          code: 'HOLD_NOT_ALLOWED',
          message: '馆内有在架可借的复本，可直接借阅。',
        };
      }

      const id = await tx.insertHold({
        patron_id: patronId,
        control_number: controlNumber,
        item_barcode: copy?.barcode ?? null,
        pickup_branch: pickupBranch,
        status: 'not-yet-filled',
        placed_at: now,
      });
      if (id === null) return { ok: false, code: 'HOLD_ALREADY_PLACED' };
      const [queue, titles] = await Promise.all([
        tx.openHoldsOfRecords([controlNumber]),
        tx.titles([controlNumber]),
      ]);
      const hold = queue.find((h) => Number(h.id) === id)!;
      this.#deps.logger.info({ holdId: id, controlNumber }, 'hold placed');
      return { ok: true, hold: this.#holdView(ref, hold, queue, titles) };
    });
  }

  /**
   * Cancels one of the patron's open holds. A hold whose item was waiting for them (or on
   * its way) releases the item to the next in line, or back to the shelf.
   */
  async cancelHold(barcode: string, holdId: string): Promise<HoldOutcome> {
    const changes: StatusChange[] = [];
    const outcome = await this.#repo.transaction(async (tx): Promise<HoldOutcome> => {
      const now = this.#deps.clock.now();
      const patron = await tx.patronByBarcode(barcode);
      if (!patron) return { ok: false, code: 'PATRON_NOT_FOUND' };
      if (!HOLD_ID.test(holdId)) return { ok: false, code: 'HOLD_NOT_FOUND' };
      const first = await tx.holdById(Number(holdId));
      if (!first || Number(first.patron_id) !== Number(patron.id)) {
        return { ok: false, code: 'HOLD_NOT_FOUND' };
      }
      await tx.lockRecord(first.control_number);
      const hold = await tx.holdById(Number(holdId));
      const ref = await this.#reference(tx);
      const [queue, titles] = await Promise.all([
        tx.openHoldsOfRecords([first.control_number]),
        tx.titles([first.control_number]),
      ]);
      if (!hold || !(await tx.closeHold(Number(hold.id), 'cancelled', now))) {
        return { ok: false, code: 'HOLD_NOT_FOUND' };
      }
      const view = this.#holdView(ref, hold, queue, titles);
      if (hold.item_barcode !== null && hold.status !== 'not-yet-filled') {
        const item = await tx.item(hold.item_barcode);
        if (item)
          changes.push((await this.#trapNext(tx, ref, item, hold.pickup_branch, now)).change);
      }
      this.#deps.logger.info({ holdId }, 'hold cancelled');
      return { ok: true, hold: view };
    });
    await this.#notify(changes);
    return outcome;
  }

  /**
   * Gives an item that has just become free to the first unfilled hold it can fill (in
   * queue order; a copy-level hold only takes its copy): straight onto the hold shelf when
   * the item is at the pickup branch, else in transit. No hold: back to the shelf.
   */
  async #trapNext(
    tx: IlsRepository,
    ref: Reference,
    item: CatalogueItem,
    atBranch: string,
    now: number,
  ): Promise<{ change: StatusChange; hold: HoldWithPatron | null }> {
    const queue = await tx.openHoldsOfRecords([item.controlNumber]);
    const itemBranch = this.#branchOf(ref, item.branch);
    for (const hold of queue) {
      if (hold.status !== 'not-yet-filled') continue;
      if (hold.item_barcode !== null && hold.item_barcode !== item.barcode) continue;
      const policy = this.#policy(ref, hold.patron_type, item.loanType, itemBranch);
      if (!policy.loanable || !policy.holdsAllowed) continue;
      if (hold.pickup_branch === atBranch) {
        const pickupBy = ref.calendar.pickupBy(hold.pickup_branch, now, policy.holdShelfDays);
        await tx.trapHold(Number(hold.id), item.barcode, 'awaiting-pickup', now, pickupBy);
        return { change: [item.barcode, 'on-hold-shelf'], hold };
      }
      await tx.trapHold(Number(hold.id), item.barcode, 'in-transit', now, null);
      return { change: [item.barcode, 'in-transit'], hold };
    }
    return { change: [item.barcode, 'available'], hold: null };
  }

  /**
   * Ends holds whose time on the hold shelf has passed ('expired') and passes each item to
   * the next in line or back to the shelf. Meant to run as a periodic job; returns how
   * many holds expired.
   */
  async expireHolds(now: number = this.#deps.clock.now()): Promise<number> {
    let expired = 0;
    for (const candidate of await this.#repo.expiredShelfHolds(now)) {
      const changes: StatusChange[] = [];
      const done = await this.#repo.transaction(async (tx) => {
        await tx.lockRecord(candidate.control_number);
        const hold = await tx.holdById(Number(candidate.id));
        if (!hold || hold.status !== 'awaiting-pickup' || hold.pickup_by === null) return false;
        if (hold.pickup_by >= now || !(await tx.closeHold(Number(hold.id), 'expired', now))) {
          return false;
        }
        if (hold.item_barcode !== null) {
          const item = await tx.item(hold.item_barcode);
          const ref = await this.#reference(tx);
          if (item)
            changes.push((await this.#trapNext(tx, ref, item, hold.pickup_branch, now)).change);
        }
        return true;
      });
      if (done) expired++;
      await this.#notify(changes);
    }
    if (expired > 0) this.#deps.logger.info({ expired }, 'holds expired on the hold shelf');
    return expired;
  }

  // Circulation at the desk (SIP2 self-check, staff)

  /**
   * Lends an item. It must be on the shelf, or waiting on the hold shelf for this patron
   * (whose hold is then filled). `branch` is where the loan is made (default: the item's
   * branch); its calendar and policies apply.
   */
  async checkout(
    barcode: string,
    itemBarcode: string,
    options: { branch?: string } = {},
  ): Promise<CirculationOutcome> {
    const changes: StatusChange[] = [];
    const outcome = await this.#repo.transaction(async (tx): Promise<CirculationOutcome> => {
      const now = this.#deps.clock.now();
      const patron = await tx.patronByBarcode(barcode);
      if (!patron) return { ok: false, code: 'PATRON_NOT_FOUND' };
      const patronId = Number(patron.id);
      const item = await tx.item(itemBarcode);
      if (!item) return { ok: false, code: 'ITEM_NOT_FOUND' };
      await tx.lockRecord(item.controlNumber);
      await tx.lockPatron(patronId);
      const ref = await this.#reference(tx);
      const branch = options.branch ?? this.#branchOf(ref, item.branch);
      const policy = this.#policy(ref, patron.patron_type, item.loanType, branch);
      const [openLoan, trapped, loans, fines] = await Promise.all([
        tx.openLoanOfItem(itemBarcode, { lock: true }),
        tx.trappedHoldOfItem(itemBarcode),
        tx.openLoansOfPatron(patronId),
        tx.unpaidFines(patronId),
      ]);
      const owed = this.#owed(
        ref,
        patron,
        loans,
        fines.reduce((sum, f) => sum + f.amount, 0),
        now,
      );
      const refusal = decideCheckout({
        now,
        timeZone: this.#deps.timezone,
        patron: { blocked: Boolean(patron.blocked), expiresOn: patron.expires_on },
        policy,
        itemStatus: openLoan?.item_state ?? shelfStatus(item),
        onLoanTo: openLoan
          ? Number(openLoan.patron_id) === patronId
            ? 'this-patron'
            : 'other-patron'
          : null,
        trappedFor: trapped
          ? Number(trapped.patron_id) === patronId
            ? 'this-patron'
            : 'other-patron'
          : null,
        openLoans: loans.length,
        finesOutstanding: owed.total,
      });
      if (refusal) return { ok: false, code: refusal };

      const dueAt = loanDueAt(policy, ref.calendar, branch, now);
      const id = await tx.insertLoan({
        patron_id: patronId,
        item_barcode: itemBarcode,
        control_number: item.controlNumber,
        branch,
        loaned_at: now,
        due_at: dueAt,
        renewals: 0,
        last_renewed_at: null,
        item_state: null,
      });
      if (id === null) return { ok: false, code: 'ITEM_ALREADY_CHECKED_OUT' };
      changes.push([itemBarcode, 'checked-out']);

      // The patron's hold on this title is filled, whichever copy they took; a different
      // copy that was waiting for them goes to the next reader.
      const own = (await tx.openHoldsOfPatron(patronId)).find(
        (h) => h.control_number === item.controlNumber,
      );
      if (own) {
        await tx.closeHold(Number(own.id), 'filled', now);
        if (
          own.item_barcode !== null &&
          own.item_barcode !== itemBarcode &&
          own.status !== 'not-yet-filled'
        ) {
          const other = await tx.item(own.item_barcode);
          if (other)
            changes.push((await this.#trapNext(tx, ref, other, own.pickup_branch, now)).change);
        }
      }
      this.#deps.logger.info({ itemBarcode, loanId: id }, 'item checked out');
      return { ok: true, itemBarcode, title: item.title, dueAt: iso(dueAt) };
    });
    await this.#notify(changes);
    return outcome;
  }

  /**
   * Takes an item back at a branch (default: the item's own). Closes its loan, charges the
   * overdue fine, and traps the item for the first hold it can fill. An item in transit
   * checked in at its pickup branch is received there (see `receiveInTransit`).
   */
  async checkin(
    itemBarcode: string,
    options: { branch?: string } = {},
  ): Promise<CirculationOutcome> {
    const changes: StatusChange[] = [];
    const outcome = await this.#repo.transaction(async (tx): Promise<CirculationOutcome> => {
      const now = this.#deps.clock.now();
      const item = await tx.item(itemBarcode);
      if (!item) return { ok: false, code: 'ITEM_NOT_FOUND' };
      await tx.lockRecord(item.controlNumber);
      const ref = await this.#reference(tx);
      const atBranch = options.branch ?? this.#branchOf(ref, item.branch);
      const loan = await tx.openLoanOfItem(itemBarcode, { lock: true });
      if (!loan) {
        const trapped = await tx.trappedHoldOfItem(itemBarcode);
        if (trapped?.status === 'in-transit' && trapped.pickup_branch === atBranch) {
          changes.push(await this.#receive(tx, ref, trapped, now));
          return {
            ok: true,
            itemBarcode,
            title: item.title,
            holdFor: {
              patronBarcode: trapped.patron_barcode,
              pickupBranch: this.#branch(ref, trapped.pickup_branch)!,
            },
          };
        }
        return { ok: false, code: 'ITEM_NOT_CHECKED_OUT' };
      }
      if (!(await tx.closeLoan(Number(loan.id), now))) {
        return { ok: false, code: 'ITEM_NOT_CHECKED_OUT' };
      }
      const patron = await tx.patronById(Number(loan.patron_id));
      if (patron) {
        const policy = this.#policy(ref, patron.patron_type, item.loanType, loan.branch);
        const fine = overdueFine(policy, loan.due_at, now, this.#deps.timezone);
        if (fine > 0) {
          await tx.insertFine({
            patron_id: Number(patron.id),
            loan_id: Number(loan.id),
            type: 'overdue',
            amount: fine,
            description: `超期罚款：应还 ${localDate(loan.due_at, this.#deps.timezone)}，归还 ${localDate(now, this.#deps.timezone)}`,
            created_at: now,
          });
        }
      }
      const trap = await this.#trapNext(tx, ref, item, atBranch, now);
      changes.push(trap.change);
      this.#deps.logger.info(
        { itemBarcode, loanId: loan.id, status: trap.change[1] },
        'item checked in',
      );
      return {
        ok: true,
        itemBarcode,
        title: item.title,
        holdFor: trap.hold
          ? {
              patronBarcode: trap.hold.patron_barcode,
              pickupBranch: this.#branch(ref, trap.hold.pickup_branch)!,
            }
          : null,
      };
    });
    await this.#notify(changes);
    return outcome;
  }

  async #receive(
    tx: IlsRepository,
    ref: Reference,
    hold: HoldWithPatron,
    now: number,
  ): Promise<StatusChange> {
    const item = await tx.item(hold.item_barcode!);
    const policy = this.#policy(
      ref,
      hold.patron_type,
      item?.loanType ?? null,
      this.#branchOf(ref, item?.branch ?? null),
    );
    const pickupBy = ref.calendar.pickupBy(hold.pickup_branch, now, policy.holdShelfDays);
    await tx.trapHold(Number(hold.id), hold.item_barcode!, 'awaiting-pickup', now, pickupBy);
    return [hold.item_barcode!, 'on-hold-shelf'];
  }

  /**
   * An item in transit for a hold has arrived at its pickup branch: the hold waits on the
   * hold shelf from now. Same as checking the item in at that branch.
   */
  async receiveInTransit(itemBarcode: string): Promise<CirculationOutcome> {
    const trapped = await this.#repo.trappedHoldOfItem(itemBarcode);
    if (!trapped || trapped.status !== 'in-transit') {
      return { ok: false, code: 'ITEM_NOT_FOUND', message: 'not in transit' };
    }
    return this.checkin(itemBarcode, { branch: trapped.pickup_branch });
  }

  // Items and branches

  /** An item's whereabouts: status, due date when on loan, branch, and its record's hold queue. */
  async itemInfo(barcode: string): Promise<ItemInfo | null> {
    const item = await this.#repo.item(barcode);
    if (!item) return null;
    const [ref, loan, trapped, queue] = await Promise.all([
      this.#reference(),
      this.#repo.openLoanOfItem(barcode),
      this.#repo.trappedHoldOfItem(barcode),
      this.#repo.openHoldsOfRecords([item.controlNumber]),
    ]);
    let status: ItemStatus = shelfStatus(item);
    if (loan) {
      status =
        loan.item_state === 'lost' || loan.item_state === 'claimed-returned'
          ? loan.item_state
          : 'checked-out';
    } else if (trapped) {
      status = trapped.status === 'in-transit' ? 'in-transit' : 'on-hold-shelf';
    }
    return {
      barcode: item.barcode,
      title: item.title,
      recordId: item.controlNumber,
      status,
      dueAt: loan ? iso(loan.due_at) : null,
      branch: this.#branch(ref, this.#branchOf(ref, item.branch)),
      location: item.location,
      callNumber: item.callNumber,
      holdQueueLength: queue.length,
    };
  }

  /** Branches where holds can be collected. */
  async pickupLocations(): Promise<Branch[]> {
    const branches = await this.#repo.branches();
    return branches
      .filter((b) => b.pickup)
      .map((b) => ({ code: b.code, name: b.name, nameEn: b.name_en }));
  }

  /** Every branch, in display order. */
  async branches(): Promise<BranchDetail[]> {
    const branches = await this.#repo.branches();
    return branches.map((b) => ({
      code: b.code,
      name: b.name,
      nameEn: b.name_en,
      address: b.address,
      latitude: b.latitude,
      longitude: b.longitude,
      pickup: Boolean(b.pickup),
      sortOrder: b.sort_order,
    }));
  }

  /** The library calendar as it stands (hours, holidays). */
  async calendar(): Promise<LibraryCalendar> {
    return (await this.#reference()).calendar;
  }

  /** A branch's hours for seven days from `from` (default: today). */
  async week(branch: string, from?: string): Promise<DayHours[]> {
    const calendar = await this.calendar();
    return calendar.week(branch, from ?? localDate(this.#deps.clock.now(), this.#deps.timezone));
  }

  /** The loan policies, in the order they were made. */
  async policies(): Promise<LoanPolicy[]> {
    return this.#repo.policies();
  }

  /** A cheap round trip to the database. */
  async ping(): Promise<void> {
    await this.#repo.ping();
  }

  // Administration (the demo, tests, and staff tools later)

  /** Adds a branch or changes one (by code). */
  async addBranch(branch: {
    code: string;
    name: string;
    nameEn?: string | null;
    address?: string | null;
    latitude?: number | null;
    longitude?: number | null;
    pickup?: boolean;
    sortOrder?: number;
  }): Promise<void> {
    await this.#repo.upsertBranch({
      code: branch.code,
      name: branch.name,
      name_en: branch.nameEn ?? null,
      address: branch.address ?? null,
      latitude: branch.latitude ?? null,
      longitude: branch.longitude ?? null,
      pickup: branch.pickup === false ? 0 : 1,
      sort_order: branch.sortOrder ?? 0,
    });
  }

  /** Replaces a branch's weekly hours; weekdays left out are closed. */
  async setHours(branch: string, hours: readonly Omit<WeeklyHours, 'branch'>[]): Promise<void> {
    await this.#repo.transaction((tx) => tx.replaceHours(branch, hours));
  }

  /** Closes a branch (`null`: every branch) on a date, with a note (国庆节 / National Day). */
  async addClosedDay(day: {
    branch?: string | null;
    date: string;
    note?: string | null;
    noteEn?: string | null;
  }): Promise<void> {
    await this.setCalendarException({
      branch: day.branch ?? null,
      date: day.date,
      closed: true,
      opens: null,
      closes: null,
      note: day.note ?? null,
      noteEn: day.noteEn ?? null,
    });
  }

  /** Sets one date's exception (closed, or open with special hours), replacing any before. */
  async setCalendarException(exception: CalendarException): Promise<void> {
    await this.#repo.transaction((tx) => tx.putCalendarException(exception));
  }

  async removeCalendarException(branch: string | null, date: string): Promise<void> {
    await this.#repo.removeCalendarException(branch, date);
  }

  /** Adds a policy, or replaces the one with the same criteria. Returns its id. */
  async upsertPolicy(policy: LoanPolicy): Promise<number> {
    return this.#repo.transaction((tx) => tx.upsertPolicy(policy));
  }

  /**
   * Records a loan as it stands elsewhere (a migration, the demo): no policy checks, the
   * given dates. Refused when the patron or item is unknown or the item is on loan.
   */
  async importLoan(loan: LoanImport): Promise<CirculationOutcome> {
    const changes: StatusChange[] = [];
    const outcome = await this.#repo.transaction(async (tx): Promise<CirculationOutcome> => {
      const patron = await tx.patronByBarcode(loan.patronBarcode);
      if (!patron) return { ok: false, code: 'PATRON_NOT_FOUND' };
      const item = await tx.item(loan.itemBarcode);
      if (!item) return { ok: false, code: 'ITEM_NOT_FOUND' };
      const ref = await this.#reference(tx);
      const id = await tx.insertLoan({
        patron_id: Number(patron.id),
        item_barcode: item.barcode,
        control_number: item.controlNumber,
        branch: loan.branch ?? this.#branchOf(ref, item.branch),
        loaned_at: loan.loanedAt,
        due_at: loan.dueAt,
        renewals: loan.renewals ?? 0,
        last_renewed_at: loan.lastRenewedAt ?? null,
        item_state: null,
      });
      if (id === null) return { ok: false, code: 'ITEM_ALREADY_CHECKED_OUT' };
      changes.push([item.barcode, 'checked-out']);
      return { ok: true, itemBarcode: item.barcode, title: item.title, dueAt: iso(loan.dueAt) };
    });
    await this.#notify(changes);
    return outcome;
  }

  /** Declares the item of an open loan lost or claimed returned (renewals then stop). */
  async setLoanItemState(
    itemBarcode: string,
    state: 'lost' | 'claimed-returned' | null,
  ): Promise<boolean> {
    const loan = await this.#repo.openLoanOfItem(itemBarcode);
    if (!loan) return false;
    await this.#repo.setLoanItemState(Number(loan.id), state);
    await this.#notify([[itemBarcode, state ?? 'checked-out']]);
    return true;
  }

  /** Charges a patron (amount in yuan). Returns the fine's id. */
  async addFine(
    barcode: string,
    fine: { type: FineType; amount: number; description?: string | null },
  ): Promise<string> {
    const patron = await this.#repo.patronByBarcode(barcode);
    if (!patron) throw new IlsRefusal('PATRON_NOT_FOUND');
    const id = await this.#repo.insertFine({
      patron_id: Number(patron.id),
      loan_id: null,
      type: fine.type,
      amount: Math.round(fine.amount * 100),
      description: fine.description ?? null,
      created_at: this.#deps.clock.now(),
    });
    return String(id);
  }

  /** Marks a fine paid; false when it was paid already or does not exist. */
  async payFine(id: string): Promise<boolean> {
    if (!HOLD_ID.test(id)) return false;
    return this.#repo.payFine(Number(id), this.#deps.clock.now());
  }

  /** Row counts per table (status pages, the demo's idempotency). */
  async counts(): Promise<Record<string, number>> {
    return this.#repo.counts();
  }

  /** Items of single-copy records at the given branches, not on loan (the demo's picks). */
  async singleCopyItems(branches: readonly string[], limit: number): Promise<CatalogueItem[]> {
    return this.#repo.singleCopyItems(branches, limit);
  }
}
