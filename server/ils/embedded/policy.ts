/**
 * Loan policies and the decisions made with them: which policy governs a loan, when a
 * loan is due, whether a renewal may happen (and if not, the one reason readers are
 * told), and what an overdue return costs. Pure: callers gather the facts.
 *
 * Money is integer fen (0.01 元) here and in the database; yuan only at the seam.
 */
import { IlsConfigError, type RefusalCode } from '../errors.ts';
import { addDays, daysBetween, localDate, localTime, type LibraryCalendar } from './calendar.ts';

export interface LoanPolicy {
  readonly id?: number;
  /** A label for staff (本科生 …). */
  readonly name?: string | null;
  /** Criteria; `null` matches any. */
  readonly patronType: string | null;
  readonly itemType: string | null;
  readonly branch: string | null;
  /** False: the item does not leave the library (reference, 工具书). */
  readonly loanable: boolean;
  readonly loanDays: number;
  /** `null`: unlimited. 0: never renewable. */
  readonly renewalsAllowed: number | null;
  /** `null`: the loan period again. */
  readonly renewalDays: number | null;
  /** The new due date counts from the old due date or from the day of the renewal. */
  readonly renewFrom: 'due' | 'now';
  /** The earliest renewal is this many days before the due date; `null`: any time. */
  readonly renewWindowDays: number | null;
  /** `YYYY-MM-DD`: no loan under this policy is due after this day (end of term). */
  readonly hardDueDate: string | null;
  readonly holdsBlockRenewal: boolean;
  readonly overduesBlockRenewal: boolean;
  /** Fen; outstanding fines above this block renewals and checkouts. `null`: no limit. */
  readonly fineLimit: number | null;
  readonly finePerDay: number;
  readonly fineGraceDays: number;
  /** Fen; the most one overdue loan can cost. `null`: no cap. */
  readonly fineCap: number | null;
  /** Open days a trapped item waits on the hold shelf. */
  readonly holdShelfDays: number;
  /** `null`: no limit. */
  readonly maxLoans: number | null;
  readonly maxHolds: number | null;
  readonly holdsAllowed: boolean;
}

export interface PolicyCriteria {
  readonly patronType: string | null;
  readonly itemType: string | null;
  readonly branch: string | null;
}

function specificity(policy: LoanPolicy): number {
  // Koha's order: a branch's rule beats a patron type's, which beats an item type's.
  return (
    (policy.branch !== null ? 4 : 0) +
    (policy.patronType !== null ? 2 : 0) +
    (policy.itemType !== null ? 1 : 0)
  );
}

/**
 * The policy for a patron type × item type × branch: among the rows whose criteria all
 * match (a `null` criterion matches anything), the most specific, ranked as Koha ranks
 * them (branch, then patron type, then item type). A `null` in the request matches only
 * rows that leave that criterion open. The all-`null` fallback row must exist.
 *
 * @example
 * resolvePolicy(policies, { patronType: '本科生', itemType: null, branch: 'MAIN' });
 */
export function resolvePolicy(
  policies: readonly LoanPolicy[],
  criteria: PolicyCriteria,
): LoanPolicy {
  let best: LoanPolicy | undefined;
  for (const policy of policies) {
    if (policy.patronType !== null && policy.patronType !== criteria.patronType) continue;
    if (policy.itemType !== null && policy.itemType !== criteria.itemType) continue;
    if (policy.branch !== null && policy.branch !== criteria.branch) continue;
    if (!best || specificity(policy) > specificity(best)) best = policy;
  }
  if (!best) {
    throw new IlsConfigError(
      'The embedded ILS has no fallback loan policy (a row with no patron type, item type or branch)',
    );
  }
  return best;
}

/**
 * When a loan made now is due: the loan period in days from today, on an open day of the
 * branch, no later than the hard due date.
 */
export function loanDueAt(
  policy: LoanPolicy,
  calendar: LibraryCalendar,
  branch: string,
  now: number,
): number {
  const today = localDate(now, calendar.timeZone);
  return calendar.dueAt(branch, addDays(today, policy.loanDays), policy.hardDueDate);
}

/** A patron as the decisions need them. */
export interface PatronFacts {
  readonly blocked: boolean;
  /** `YYYY-MM-DD`; the card is valid through that day. */
  readonly expiresOn: string | null;
}

/** Why this patron may do nothing at all now, if anything: a manual block, then an expired card. */
export function patronRefusal(patron: PatronFacts, today: string): RefusalCode | null {
  if (patron.blocked) return 'PATRON_BLOCKED';
  if (patron.expiresOn !== null && patron.expiresOn < today) return 'CARD_EXPIRED';
  return null;
}

/** Statuses of an item on loan that stop it being renewed. */
const LOST_STATES = new Set(['lost', 'claimed-returned', 'missing']);

export interface RenewalFacts {
  readonly now: number;
  readonly calendar: LibraryCalendar;
  /** `null` when the patron has no open loan of the item. */
  readonly loan: {
    readonly dueAt: number;
    readonly renewals: number;
    /** Where the loan was made: its calendar decides the new due date. */
    readonly branch: string;
    /** 'lost', 'claimed-returned' … when declared; `null` otherwise. */
    readonly itemState: string | null;
  } | null;
  readonly patron: PatronFacts;
  readonly policy: LoanPolicy;
  /** Unfilled holds by other patrons that this item could fill. */
  readonly holdsForOthers: number;
  readonly patronHasOverdues: boolean;
  /** Fen: unpaid fines plus what overdue loans have accrued so far. */
  readonly finesOutstanding: number;
}

export type RenewalDecision =
  | { readonly ok: true; readonly dueAt: number }
  | { readonly ok: false; readonly code: RefusalCode; readonly earliest?: number };

/**
 * Whether a loan may be renewed now and its new due date, checking in the order readers
 * find natural (research §4.4): the loan, the patron, the item, the renewal count, other
 * readers' holds, overdues, fines, the renewal window, and finally whether the due date
 * would move at all. The first failing check is the reason.
 *
 * @example
 * const decision = decideRenewal({ now, calendar, loan, patron, policy,
 *   holdsForOthers: 0, patronHasOverdues: false, finesOutstanding: 0 });
 * if (!decision.ok) decision.code; // 'TOO_EARLY', with decision.earliest
 */
export function decideRenewal(facts: RenewalFacts): RenewalDecision {
  const { loan, policy, calendar, now } = facts;
  if (!loan) return { ok: false, code: 'LOAN_NOT_FOUND' };
  const today = localDate(now, calendar.timeZone);
  const patron = patronRefusal(facts.patron, today);
  if (patron) return { ok: false, code: patron };
  if (loan.itemState !== null && LOST_STATES.has(loan.itemState)) {
    return { ok: false, code: 'ITEM_LOST' };
  }
  if (!policy.loanable || policy.renewalsAllowed === 0) {
    return { ok: false, code: 'LOAN_NOT_RENEWABLE' };
  }
  if (policy.renewalsAllowed !== null && loan.renewals >= policy.renewalsAllowed) {
    return { ok: false, code: 'RENEWAL_LIMIT_REACHED' };
  }
  if (policy.holdsBlockRenewal && facts.holdsForOthers > 0) {
    return { ok: false, code: 'ITEM_HAS_HOLD_FOR_OTHER' };
  }
  if (policy.overduesBlockRenewal && facts.patronHasOverdues) {
    return { ok: false, code: 'PATRON_HAS_OVERDUES' };
  }
  if (policy.fineLimit !== null && facts.finesOutstanding > policy.fineLimit) {
    return { ok: false, code: 'FINES_OVER_LIMIT' };
  }
  const dueDate = localDate(loan.dueAt, calendar.timeZone);
  if (policy.renewWindowDays !== null) {
    const earliest = localTime(addDays(dueDate, -policy.renewWindowDays), calendar.timeZone);
    if (now < earliest) return { ok: false, code: 'TOO_EARLY', earliest };
  }
  const from = policy.renewFrom === 'now' ? today : dueDate;
  const dueAt = calendar.dueAt(
    loan.branch,
    addDays(from, policy.renewalDays ?? policy.loanDays),
    policy.hardDueDate,
  );
  if (dueAt <= loan.dueAt) return { ok: false, code: 'DUE_DATE_UNCHANGED' };
  return { ok: true, dueAt };
}

export interface CheckoutFacts {
  readonly now: number;
  readonly timeZone: string;
  readonly patron: PatronFacts;
  readonly policy: LoanPolicy;
  /** The item's status before this checkout, as `itemStatus` in the service derives it. */
  readonly itemStatus: string;
  /** The patron's loan of the item, when they already have it. */
  readonly onLoanTo: 'this-patron' | 'other-patron' | null;
  /** The item waits on the hold shelf (or is on its way there) for someone. */
  readonly trappedFor: 'this-patron' | 'other-patron' | null;
  readonly openLoans: number;
  readonly finesOutstanding: number;
}

/**
 * Whether an item may be lent to a patron now: the patron, the item, then the patron's
 * limits. `null` means yes.
 */
export function decideCheckout(facts: CheckoutFacts): RefusalCode | null {
  const patron = patronRefusal(facts.patron, localDate(facts.now, facts.timeZone));
  if (patron) return patron;
  if (facts.onLoanTo !== null) return 'ITEM_ALREADY_CHECKED_OUT';
  if (facts.trappedFor === 'other-patron') return 'ITEM_HAS_HOLD_FOR_OTHER';
  if (facts.trappedFor === null) {
    if (facts.itemStatus === 'lost' || facts.itemStatus === 'missing') return 'ITEM_LOST';
    if (facts.itemStatus !== 'available') return 'ITEM_NOT_LOANABLE';
  }
  if (!facts.policy.loanable) return 'ITEM_NOT_LOANABLE';
  if (facts.policy.maxLoans !== null && facts.openLoans >= facts.policy.maxLoans) {
    return 'LOAN_LIMIT_REACHED';
  }
  if (facts.policy.fineLimit !== null && facts.finesOutstanding > facts.policy.fineLimit) {
    return 'FINES_OVER_LIMIT';
  }
  return null;
}

/**
 * What an overdue loan costs when returned at `at` (or has cost so far): the fine per day
 * for each calendar day late beyond the grace period, capped. Fen.
 *
 * @example
 * // due 2026-03-01, 0.10 元 a day after 3 days' grace, returned 2026-03-11: 7 days → 70 fen
 * overdueFine(policy, due, returned, 'Asia/Shanghai'); // 70
 */
export function overdueFine(
  policy: Pick<LoanPolicy, 'finePerDay' | 'fineGraceDays' | 'fineCap'>,
  dueAt: number,
  at: number,
  timeZone: string,
): number {
  if (at <= dueAt || policy.finePerDay <= 0) return 0;
  const late = daysBetween(localDate(dueAt, timeZone), localDate(at, timeZone));
  const charged = Math.max(0, late - policy.fineGraceDays) * policy.finePerDay;
  return policy.fineCap === null ? charged : Math.min(charged, policy.fineCap);
}
