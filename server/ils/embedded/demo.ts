/**
 * The demo library's circulation: three branches of a (fictional) university library in
 * Hangzhou with their hours and China's public holidays, loan policies for four patron
 * types, and demo readers whose accounts show every feature (loans due soon, overdue with
 * a fine accruing, a renewal refused because another reader is waiting, the renewal limit,
 * too early to renew, holds in a queue and on the hold shelf, a blocked reader, an
 * expired card, fines over the limit).
 *
 * Loaded into an empty embedded ILS after the demo catalogue, whose items it lends.
 */
import type { Logger } from 'pino';
import { addDays, localDate } from './calendar.ts';
import type { LoanPolicy } from './policy.ts';
import type { EmbeddedIls } from './service.ts';

export const DEMO_PIN = '123456';

export const DEMO_BRANCHES = [
  {
    code: 'MAIN',
    name: '总馆',
    nameEn: 'Main Library',
    address: '浙江省杭州市西湖区书林路 1 号',
    latitude: 30.2741,
    longitude: 120.1251,
    sortOrder: 1,
  },
  {
    code: 'SCI',
    name: '理工分馆',
    nameEn: 'Science & Engineering Library',
    address: '浙江省杭州市西湖区书林路 66 号 理工楼',
    latitude: 30.2792,
    longitude: 120.1198,
    sortOrder: 2,
  },
  {
    code: 'MED',
    name: '医学分馆',
    nameEn: 'Medical Library',
    address: '浙江省杭州市上城区医学院路 9 号',
    latitude: 30.2553,
    longitude: 120.1789,
    sortOrder: 3,
  },
] as const;

const days = (list: number[], opens: string, closes: string) =>
  list.map((weekday) => ({ weekday, opens, closes }));

/** Weekly hours (0 = Sunday). The medical library is closed on Sundays. */
export const DEMO_HOURS: Record<
  (typeof DEMO_BRANCHES)[number]['code'],
  Array<{ weekday: number; opens: string; closes: string }>
> = {
  MAIN: days([0, 1, 2, 3, 4, 5, 6], '08:00', '22:00'),
  SCI: [...days([1, 2, 3, 4, 5, 6], '08:00', '21:30'), ...days([0], '09:00', '17:00')],
  MED: [...days([1, 2, 3, 4, 5], '08:00', '21:00'), ...days([6], '09:00', '17:00')],
};

function span(from: string, count: number, note: string, noteEn: string, basis: HolidayBasis) {
  return Array.from({ length: count }, (_, i) => ({
    date: addDays(from, i),
    note,
    noteEn,
    basis,
  }));
}

/**
 * Where a closed day comes from: the State Council's published arrangement for the year
 * (国务院办公厅关于放假安排的通知, which adds bridge days), or only the statutory holidays
 * (全国年节及纪念日放假办法, as amended in 2024) while the year's arrangement is not yet
 * published. Make-up working days (调休上班) are ordinary open days here.
 */
export type HolidayBasis = 'arrangement' | 'statutory';

/** Every branch is closed on these days. */
export const DEMO_HOLIDAYS = [
  // 2026: the State Council's arrangement (published November 2025).
  ...span('2026-01-01', 3, '元旦', "New Year's Day", 'arrangement'),
  ...span('2026-02-15', 9, '春节', 'Spring Festival', 'arrangement'),
  ...span('2026-05-01', 5, '劳动节', 'Labour Day', 'arrangement'),
  ...span('2026-10-01', 7, '国庆节', 'National Day', 'arrangement'),
  // 2027: the statutory days (春节: New Year's Eve to the third day, 2027-02-05 to 02-08).
  ...span('2027-01-01', 1, '元旦', "New Year's Day", 'statutory'),
  ...span('2027-02-05', 4, '春节', 'Spring Festival', 'statutory'),
  ...span('2027-05-01', 2, '劳动节', 'Labour Day', 'statutory'),
  ...span('2027-10-01', 3, '国庆节', 'National Day', 'statutory'),
];

export const DEMO_PATRON_TYPES = [
  { code: '本科生', en: 'Undergraduate' },
  { code: '研究生', en: 'Postgraduate' },
  { code: '教师', en: 'Faculty' },
  { code: '校外读者', en: 'External reader' },
] as const;

const common: Omit<LoanPolicy, 'patronType' | 'name'> = {
  itemType: null,
  branch: null,
  loanable: true,
  loanDays: 30,
  renewalsAllowed: 1,
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
  maxLoans: 10,
  maxHolds: 5,
  holdsAllowed: true,
};

/** Loan policies: one per patron type, reference works (工具书) never lent, and the fallback. */
export const DEMO_POLICIES: readonly LoanPolicy[] = [
  { ...common, name: '默认', patronType: null },
  { ...common, name: '本科生', patronType: '本科生', renewalsAllowed: 2, maxLoans: 20 },
  {
    ...common,
    name: '研究生',
    patronType: '研究生',
    loanDays: 60,
    renewalsAllowed: 2,
    maxLoans: 30,
    maxHolds: 10,
  },
  {
    ...common,
    name: '教师',
    patronType: '教师',
    loanDays: 90,
    renewalsAllowed: 3,
    renewalDays: 90,
    overduesBlockRenewal: false,
    maxLoans: 50,
    maxHolds: 20,
  },
  {
    ...common,
    name: '校外读者',
    patronType: '校外读者',
    maxLoans: 5,
    maxHolds: 0,
    holdsAllowed: false,
  },
  // Koha's order ranks a patron type's rule above an item type's: each type needs its own.
  ...[null, '本科生', '研究生', '教师', '校外读者'].map((patronType): LoanPolicy => ({
    ...common,
    name: `${patronType ?? '默认'}·工具书`,
    patronType,
    itemType: 'reference',
    loanable: false,
    holdsAllowed: false,
  })),
];

/** The demo readers: fixed barcodes, all with the PIN `DEMO_PIN`. */
export const DEMO_READERS = [
  {
    barcode: '20260001',
    name: '王小明',
    patronType: '本科生',
    shows:
      'a loan due in 3 days (renewable), one too early to renew, a hold waiting on the hold shelf, a hold second in a queue',
  },
  {
    barcode: '20260002',
    name: '李思雨',
    patronType: '研究生',
    shows: 'an overdue loan with its fine accruing; renewals refused for the overdue',
  },
  {
    barcode: '20260003',
    name: 'Emily Carter',
    patronType: '研究生',
    shows: 'a loan other readers hold (renewal refused), a loan at its renewal limit',
  },
  {
    barcode: '20260004',
    name: '张伟',
    patronType: '教师',
    shows: 'a long faculty loan; first in the queue for a book on loan',
  },
  {
    barcode: '20260005',
    name: '赵婷',
    patronType: '本科生',
    shows: 'a blocked reader (manual block with a note)',
    blocked: true,
    blockNote: '有逾期未还图书，请到总馆服务台办理。',
  },
  {
    barcode: '20260006',
    name: 'James Miller',
    patronType: '校外读者',
    shows: 'an expired card',
    expired: true,
  },
  {
    barcode: '20260007',
    name: '陈静',
    patronType: '本科生',
    shows: 'unpaid fines over the limit (a lost book); renewals refused',
  },
] as const;

type ReaderBarcode = (typeof DEMO_READERS)[number]['barcode'];

export interface DemoSeedSummary {
  readonly seeded: boolean;
  readonly loans: number;
  readonly holds: number;
}

/**
 * Loads the demo library into an empty embedded ILS (no branch and no patron yet):
 * branches, hours, holidays, policies, readers, and their loans and holds on items of
 * the catalogue (single-copy titles at the main library, so that holds make sense).
 * Does nothing when the ILS has branches or patrons, so a second call changes nothing.
 */
export async function seedDemoIls(ils: EmbeddedIls, logger: Logger): Promise<DemoSeedSummary> {
  const counts = await ils.counts();
  if ((counts.ils_branches ?? 0) > 0 || (counts.ils_patrons ?? 0) > 0) {
    return { seeded: false, loans: 0, holds: 0 };
  }

  for (const branch of DEMO_BRANCHES) await ils.addBranch(branch);
  for (const branch of DEMO_BRANCHES) await ils.setHours(branch.code, DEMO_HOURS[branch.code]);
  for (const holiday of DEMO_HOLIDAYS) await ils.addClosedDay({ branch: null, ...holiday });
  for (const policy of DEMO_POLICIES) await ils.upsertPolicy(policy);

  const now = ils.now();
  const today = localDate(now, ils.timezone);
  for (const reader of DEMO_READERS) {
    await ils.createPatron({
      barcode: reader.barcode,
      name: reader.name,
      patronType: reader.patronType,
      pin: DEMO_PIN,
      email: null,
      expiresOn: 'expired' in reader ? addDays(today, -30) : addDays(today, 3 * 365),
      blocked: 'blocked' in reader,
      blockNote: 'blockNote' in reader ? reader.blockNote : null,
    });
  }

  const items = await ils.singleCopyItems(['MAIN', '总馆'], 10);
  const calendar = await ils.calendar();
  const DAY = 86_400_000;
  let loans = 0;
  let holds = 0;
  let next = 0;
  // A loan due `due` days from today (negative: overdue) after `period` days on loan.
  const lend = async (
    patron: ReaderBarcode,
    due: number,
    period: number,
    renewals = 0,
  ): Promise<string | null> => {
    const item = items[next++];
    if (!item) return null;
    const dueAt = calendar.dueAt('MAIN', addDays(today, due));
    const outcome = await ils.importLoan({
      patronBarcode: patron,
      itemBarcode: item.barcode,
      loanedAt: now - (period - due) * DAY,
      dueAt,
      renewals,
      lastRenewedAt: renewals > 0 ? now - (30 - due) * DAY : null,
      branch: 'MAIN',
    });
    if (outcome.ok) loans++;
    return outcome.ok ? item.controlNumber : null;
  };
  const hold = async (patron: ReaderBarcode, recordId: string | null) => {
    if (!recordId) return;
    const outcome = await ils.placeHold(patron, { recordId, pickupBranch: 'MAIN' });
    if (outcome.ok) holds++;
  };

  await lend('20260001', 3, 30);
  await lend('20260001', 25, 30);
  await lend('20260002', -12, 60);
  await lend('20260002', 40, 60);
  const wanted = await lend('20260003', 5, 60);
  await lend('20260003', 4, 30, 2);
  await lend('20260004', 60, 90);
  await lend('20260005', -30, 30);
  await lend('20260007', 2, 30);
  // 张伟 first, 王小明 second in the queue for Emily Carter's book.
  await hold('20260004', wanted);
  await hold('20260001', wanted);
  // A book 张伟 returns today, trapped for 王小明: waiting on the hold shelf.
  const returning = items[next];
  const shelved = await lend('20260004', 10, 90);
  if (returning && shelved) {
    await hold('20260001', shelved);
    await ils.checkin(returning.barcode, { branch: 'MAIN' });
    loans--;
  }
  await ils.addFine('20260007', {
    type: 'lost',
    amount: 35,
    description: '遗失图书赔偿',
  });

  logger.info({ readers: DEMO_READERS.length, loans, holds }, 'demo circulation loaded');
  if (items.length < 10) {
    logger.warn(
      { items: items.length },
      'demo catalogue has few single-copy items: some demo loans skipped',
    );
  }
  return { seeded: true, loans, holds };
}
