import { describe, expect, it } from 'vitest';
import { IlsConfigError } from '../errors.ts';
import { LibraryCalendar, endOfLocalDay, localTime, type WeeklyHours } from './calendar.ts';
import {
  decideCheckout,
  decideRenewal,
  loanDueAt,
  overdueFine,
  resolvePolicy,
  type CheckoutFacts,
  type LoanPolicy,
  type RenewalFacts,
} from './policy.ts';

const TZ = 'Asia/Shanghai';

// Open Monday to Saturday; closed on Sundays and for National Day.
const calendar = new LibraryCalendar(
  TZ,
  [1, 2, 3, 4, 5, 6].map((weekday): WeeklyHours => ({
    branch: 'MAIN',
    weekday,
    opens: '08:00',
    closes: '22:00',
  })),
  Array.from({ length: 7 }, (_, i) => ({
    branch: null,
    date: `2026-10-0${i + 1}`,
    closed: true,
    opens: null,
    closes: null,
    note: '国庆节',
    noteEn: 'National Day',
  })),
);

const base: LoanPolicy = {
  patronType: null,
  itemType: null,
  branch: null,
  loanable: true,
  loanDays: 30,
  renewalsAllowed: 2,
  renewalDays: 30,
  renewFrom: 'due',
  renewWindowDays: 7,
  hardDueDate: null,
  holdsBlockRenewal: true,
  overduesBlockRenewal: true,
  fineLimit: 1000,
  finePerDay: 10,
  fineGraceDays: 3,
  fineCap: 1000,
  holdShelfDays: 5,
  maxLoans: 20,
  maxHolds: 5,
  holdsAllowed: true,
};

const at = (iso: string) => Date.parse(iso);
// Tuesday 8 December 2026, 10:00 in Shanghai; the loan is due Saturday the 12th.
const NOW = at('2026-12-08T02:00:00Z');
const DUE = endOfLocalDay('2026-12-12', TZ);

function facts(overrides: Partial<RenewalFacts> = {}): RenewalFacts {
  return {
    now: NOW,
    calendar,
    loan: { dueAt: DUE, renewals: 0, branch: 'MAIN', itemState: null },
    patron: { blocked: false, expiresOn: '2027-07-31' },
    policy: base,
    holdsForOthers: 0,
    patronHasOverdues: false,
    finesOutstanding: 0,
    ...overrides,
  };
}

const refusal = (f: RenewalFacts) => {
  const decision = decideRenewal(f);
  return decision.ok ? 'ok' : decision.code;
};

describe('resolvePolicy', () => {
  const policies: LoanPolicy[] = [
    { ...base, name: 'fallback' },
    { ...base, name: 'undergraduate', patronType: '本科生' },
    { ...base, name: 'reference', itemType: 'reference' },
    { ...base, name: 'undergraduate reference', patronType: '本科生', itemType: 'reference' },
    { ...base, name: 'medical', branch: 'MED' },
    { ...base, name: 'faculty at medical', patronType: '教师', branch: 'MED' },
  ];
  const pick = (patronType: string | null, itemType: string | null, branch: string | null) =>
    resolvePolicy(policies, { patronType, itemType, branch }).name;

  it('takes the most specific matching row', () => {
    expect(pick('本科生', 'reference', 'MAIN')).toBe('undergraduate reference');
    expect(pick('本科生', 'book', 'MAIN')).toBe('undergraduate');
    expect(pick('研究生', 'reference', 'MAIN')).toBe('reference');
    expect(pick('研究生', 'book', 'MAIN')).toBe('fallback');
    expect(pick('教师', null, 'MED')).toBe('faculty at medical');
  });

  it('ranks as Koha does: branch, then patron type, then item type', () => {
    // A branch's row beats a patron type and item type row.
    expect(pick('本科生', 'reference', 'MED')).toBe('medical');
    // A patron type's row beats an item type's row.
    expect(
      resolvePolicy(policies.slice(0, 3), {
        patronType: '本科生',
        itemType: 'reference',
        branch: null,
      }).name,
    ).toBe('undergraduate');
  });

  it('matches a null request criterion only with rows that leave it open', () => {
    expect(pick('本科生', null, null)).toBe('undergraduate');
    expect(pick(null, null, null)).toBe('fallback');
  });

  it('requires the all-null fallback row', () => {
    expect(() =>
      resolvePolicy(policies.slice(1), { patronType: '研究生', itemType: null, branch: null }),
    ).toThrow(IlsConfigError);
  });
});

describe('loan due dates', () => {
  it('lends for the loan period and moves a closed day to the next open day', () => {
    // 2026-09-05 + 30 days = 2026-10-05 (National Day): due Thursday the 8th.
    expect(loanDueAt(base, calendar, 'MAIN', at('2026-09-05T02:00:00Z'))).toBe(
      endOfLocalDay('2026-10-08', TZ),
    );
    // 2026-11-06 + 30 = 2026-12-06, a Sunday: due Monday the 7th.
    expect(loanDueAt(base, calendar, 'MAIN', at('2026-11-06T02:00:00Z'))).toBe(
      endOfLocalDay('2026-12-07', TZ),
    );
  });

  it('counts the loan period in local days (a loan made at 01:00 local belongs to that day)', () => {
    // 2026-11-06 01:00 in Shanghai is still 5 November in UTC.
    expect(loanDueAt(base, calendar, 'MAIN', at('2026-11-05T17:00:00Z'))).toBe(
      endOfLocalDay('2026-12-07', TZ),
    );
  });

  it('clamps to the hard due date', () => {
    const term = { ...base, hardDueDate: '2026-11-20' };
    expect(loanDueAt(term, calendar, 'MAIN', at('2026-11-06T02:00:00Z'))).toBe(
      endOfLocalDay('2026-11-20', TZ),
    );
  });
});

describe('decideRenewal: each refusal', () => {
  it('LOAN_NOT_FOUND: no open loan of the item for this patron', () => {
    expect(refusal(facts({ loan: null }))).toBe('LOAN_NOT_FOUND');
  });

  it('PATRON_BLOCKED: a manual block', () => {
    expect(refusal(facts({ patron: { blocked: true, expiresOn: null } }))).toBe('PATRON_BLOCKED');
  });

  it('CARD_EXPIRED: valid through its last day, expired the day after', () => {
    expect(refusal(facts({ patron: { blocked: false, expiresOn: '2026-12-08' } }))).toBe('ok');
    expect(refusal(facts({ patron: { blocked: false, expiresOn: '2026-12-07' } }))).toBe(
      'CARD_EXPIRED',
    );
  });

  it('ITEM_LOST: the item was declared lost or claimed returned', () => {
    const loan = { dueAt: DUE, renewals: 0, branch: 'MAIN' };
    expect(refusal(facts({ loan: { ...loan, itemState: 'lost' } }))).toBe('ITEM_LOST');
    expect(refusal(facts({ loan: { ...loan, itemState: 'claimed-returned' } }))).toBe('ITEM_LOST');
  });

  it('LOAN_NOT_RENEWABLE: the policy allows no renewals', () => {
    expect(refusal(facts({ policy: { ...base, renewalsAllowed: 0 } }))).toBe('LOAN_NOT_RENEWABLE');
  });

  it('RENEWAL_LIMIT_REACHED: as many renewals as allowed; unlimited never reaches it', () => {
    const loan = { dueAt: DUE, renewals: 2, branch: 'MAIN', itemState: null };
    expect(refusal(facts({ loan }))).toBe('RENEWAL_LIMIT_REACHED');
    expect(refusal(facts({ loan: { ...loan, renewals: 1 } }))).toBe('ok');
    expect(refusal(facts({ loan, policy: { ...base, renewalsAllowed: null } }))).toBe('ok');
  });

  it('ITEM_HAS_HOLD_FOR_OTHER: another reader is waiting, unless the policy lets holds be', () => {
    expect(refusal(facts({ holdsForOthers: 1 }))).toBe('ITEM_HAS_HOLD_FOR_OTHER');
    expect(
      refusal(facts({ holdsForOthers: 1, policy: { ...base, holdsBlockRenewal: false } })),
    ).toBe('ok');
  });

  it('PATRON_HAS_OVERDUES: when the policy says overdues block renewals', () => {
    expect(refusal(facts({ patronHasOverdues: true }))).toBe('PATRON_HAS_OVERDUES');
    expect(
      refusal(facts({ patronHasOverdues: true, policy: { ...base, overduesBlockRenewal: false } })),
    ).toBe('ok');
  });

  it('FINES_OVER_LIMIT: more owed than the limit (the limit itself is fine)', () => {
    expect(refusal(facts({ finesOutstanding: 1000 }))).toBe('ok');
    expect(refusal(facts({ finesOutstanding: 1001 }))).toBe('FINES_OVER_LIMIT');
    expect(refusal(facts({ finesOutstanding: 99_999, policy: { ...base, fineLimit: null } }))).toBe(
      'ok',
    );
  });

  it('TOO_EARLY: before the renewal window opens, with the first possible moment', () => {
    const decision = decideRenewal(facts({ now: at('2026-12-04T02:00:00Z') }));
    expect(decision).toEqual({
      ok: false,
      code: 'TOO_EARLY',
      earliest: localTime('2026-12-05', TZ),
    });
    expect(refusal(facts({ now: localTime('2026-12-05', TZ) }))).toBe('ok');
    expect(
      refusal(
        facts({ now: at('2026-11-01T02:00:00Z'), policy: { ...base, renewWindowDays: null } }),
      ),
    ).toBe('ok');
  });

  it('DUE_DATE_UNCHANGED: the hard due date is reached already', () => {
    expect(refusal(facts({ policy: { ...base, hardDueDate: '2026-12-12' } }))).toBe(
      'DUE_DATE_UNCHANGED',
    );
    expect(refusal(facts({ policy: { ...base, hardDueDate: '2026-12-10' } }))).toBe(
      'DUE_DATE_UNCHANGED',
    );
  });

  it('DUE_DATE_UNCHANGED: renewing from today would not move a far due date', () => {
    const policy = { ...base, renewFrom: 'now' as const, renewalDays: 3, renewWindowDays: null };
    expect(refusal(facts({ policy }))).toBe('DUE_DATE_UNCHANGED');
  });

  it('reports the first failing check, in the documented order', () => {
    const everything = facts({
      patron: { blocked: true, expiresOn: '2020-01-01' },
      loan: { dueAt: DUE, renewals: 5, branch: 'MAIN', itemState: 'lost' },
      holdsForOthers: 3,
      patronHasOverdues: true,
      finesOutstanding: 50_000,
      now: at('2026-11-01T02:00:00Z'),
    });
    expect(refusal(everything)).toBe('PATRON_BLOCKED');
    expect(refusal({ ...everything, patron: { blocked: false, expiresOn: '2020-01-01' } })).toBe(
      'CARD_EXPIRED',
    );
    const valid = { blocked: false, expiresOn: null };
    expect(refusal({ ...everything, patron: valid })).toBe('ITEM_LOST');
    const kept = { dueAt: DUE, renewals: 5, branch: 'MAIN', itemState: null };
    expect(refusal({ ...everything, patron: valid, loan: kept })).toBe('RENEWAL_LIMIT_REACHED');
    const fresh = { ...kept, renewals: 0 };
    expect(refusal({ ...everything, patron: valid, loan: fresh })).toBe('ITEM_HAS_HOLD_FOR_OTHER');
    expect(refusal({ ...everything, patron: valid, loan: fresh, holdsForOthers: 0 })).toBe(
      'PATRON_HAS_OVERDUES',
    );
    expect(
      refusal({
        ...everything,
        patron: valid,
        loan: fresh,
        holdsForOthers: 0,
        patronHasOverdues: false,
      }),
    ).toBe('FINES_OVER_LIMIT');
    expect(
      refusal({
        ...everything,
        patron: valid,
        loan: fresh,
        holdsForOthers: 0,
        patronHasOverdues: false,
        finesOutstanding: 0,
      }),
    ).toBe('TOO_EARLY');
  });
});

describe('decideRenewal: the new due date', () => {
  it('renews from the due date by the renewal period, skipping closed days', () => {
    // 12 December + 30 days = 11 January 2027, a Monday.
    expect(decideRenewal(facts())).toEqual({ ok: true, dueAt: endOfLocalDay('2027-01-11', TZ) });
    // 12 December + 15 = 27 December, a Sunday: Monday the 28th.
    expect(decideRenewal(facts({ policy: { ...base, renewalDays: 15 } }))).toEqual({
      ok: true,
      dueAt: endOfLocalDay('2026-12-28', TZ),
    });
  });

  it('renews from today when the policy says so', () => {
    // 8 December + 30 = 7 January 2027, a Thursday.
    expect(decideRenewal(facts({ policy: { ...base, renewFrom: 'now' } }))).toEqual({
      ok: true,
      dueAt: endOfLocalDay('2027-01-07', TZ),
    });
  });

  it('uses the loan period when no renewal period is set', () => {
    expect(decideRenewal(facts({ policy: { ...base, renewalDays: null, loanDays: 14 } }))).toEqual({
      ok: true,
      dueAt: endOfLocalDay('2026-12-26', TZ),
    });
  });

  it('clamps to the hard due date, brought back to an open day', () => {
    // The hard date 27 December is a Sunday: Saturday the 26th.
    expect(decideRenewal(facts({ policy: { ...base, hardDueDate: '2026-12-27' } }))).toEqual({
      ok: true,
      dueAt: endOfLocalDay('2026-12-26', TZ),
    });
  });

  it('renews an overdue loan from today when overdues do not block', () => {
    const overdue = facts({
      loan: {
        dueAt: endOfLocalDay('2026-11-30', TZ),
        renewals: 0,
        branch: 'MAIN',
        itemState: null,
      },
      policy: { ...base, overduesBlockRenewal: false, renewFrom: 'now', renewalDays: 10 },
      patronHasOverdues: true,
    });
    expect(decideRenewal(overdue)).toEqual({ ok: true, dueAt: endOfLocalDay('2026-12-18', TZ) });
  });
});

describe('decideCheckout', () => {
  const checkout = (overrides: Partial<CheckoutFacts> = {}) =>
    decideCheckout({
      now: NOW,
      timeZone: TZ,
      patron: { blocked: false, expiresOn: null },
      policy: base,
      itemStatus: 'available',
      onLoanTo: null,
      trappedFor: null,
      openLoans: 0,
      finesOutstanding: 0,
      ...overrides,
    });

  it('lends an item on the shelf, or one waiting for this patron', () => {
    expect(checkout()).toBeNull();
    expect(checkout({ trappedFor: 'this-patron', itemStatus: 'on-hold-shelf' })).toBeNull();
  });

  it('refuses with the reason', () => {
    expect(checkout({ patron: { blocked: true, expiresOn: null } })).toBe('PATRON_BLOCKED');
    expect(checkout({ patron: { blocked: false, expiresOn: '2026-01-01' } })).toBe('CARD_EXPIRED');
    expect(checkout({ onLoanTo: 'other-patron' })).toBe('ITEM_ALREADY_CHECKED_OUT');
    expect(checkout({ onLoanTo: 'this-patron' })).toBe('ITEM_ALREADY_CHECKED_OUT');
    expect(checkout({ trappedFor: 'other-patron' })).toBe('ITEM_HAS_HOLD_FOR_OTHER');
    expect(checkout({ itemStatus: 'lost' })).toBe('ITEM_LOST');
    expect(checkout({ itemStatus: 'withdrawn' })).toBe('ITEM_NOT_LOANABLE');
    expect(checkout({ policy: { ...base, loanable: false } })).toBe('ITEM_NOT_LOANABLE');
    expect(checkout({ openLoans: 20 })).toBe('LOAN_LIMIT_REACHED');
    expect(checkout({ openLoans: 19 })).toBeNull();
    expect(checkout({ finesOutstanding: 1001 })).toBe('FINES_OVER_LIMIT');
  });
});

describe('overdueFine', () => {
  const due = endOfLocalDay('2026-03-01', TZ);
  const returned = (date: string) => localTime(date, TZ, '10:00');

  it('charges per day after the grace period', () => {
    expect(overdueFine(base, due, returned('2026-03-11'), TZ)).toBe(70);
    expect(overdueFine(base, due, returned('2026-03-05'), TZ)).toBe(10);
  });

  it('charges nothing on time or within the grace period', () => {
    expect(overdueFine(base, due, due, TZ)).toBe(0);
    expect(overdueFine(base, due, returned('2026-03-01'), TZ)).toBe(0);
    expect(overdueFine(base, due, returned('2026-03-04'), TZ)).toBe(0);
  });

  it('stops at the cap; no cap, no limit', () => {
    expect(overdueFine(base, due, returned('2027-03-01'), TZ)).toBe(1000);
    expect(overdueFine({ ...base, fineCap: null }, due, returned('2027-03-01'), TZ)).toBe(3620);
  });

  it('counts local days: just after local midnight is a day late', () => {
    const grace0 = { ...base, fineGraceDays: 0 };
    expect(overdueFine(grace0, due, due + 1, TZ)).toBe(10);
    expect(overdueFine({ ...grace0, finePerDay: 0 }, due, returned('2026-04-01'), TZ)).toBe(0);
  });
});
