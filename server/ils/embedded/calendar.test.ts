import { describe, expect, it } from 'vitest';
import {
  LibraryCalendar,
  addDays,
  daysBetween,
  endOfLocalDay,
  localDate,
  localTime,
  weekdayOf,
  type CalendarException,
  type WeeklyHours,
} from './calendar.ts';

const TZ = 'Asia/Shanghai';

function everyDay(branch: string, opens: string, closes: string, except: number[] = []) {
  return [0, 1, 2, 3, 4, 5, 6]
    .filter((d) => !except.includes(d))
    .map((weekday): WeeklyHours => ({ branch, weekday, opens, closes }));
}

function closed(date: string, branch: string | null = null, note = '休馆'): CalendarException {
  return { branch, date, closed: true, opens: null, closes: null, note, noteEn: 'Closed' };
}

const nationalDay = Array.from({ length: 7 }, (_, i) =>
  closed(`2026-10-0${i + 1}`, null, '国庆节'),
);

// MAIN opens every day; MED is closed on Sundays.
const calendar = new LibraryCalendar(
  TZ,
  [...everyDay('MAIN', '08:00', '22:00'), ...everyDay('MED', '08:00', '21:00', [0])],
  [
    ...nationalDay,
    { ...closed('2026-10-03', 'MAIN'), closed: false, opens: '09:00', closes: '17:00' },
    closed('2026-11-11', 'MED', '设备检修'),
  ],
);

describe('calendar dates', () => {
  it('adds days across months and years, and counts days between', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2026-02-27', '2026-03-02')).toBe(3);
    expect(daysBetween('2026-03-02', '2026-02-27')).toBe(-3);
  });

  it('knows the weekday (0 = Sunday)', () => {
    expect(weekdayOf('2026-10-01')).toBe(4);
    expect(weekdayOf('2026-10-04')).toBe(0);
    expect(() => weekdayOf('2026-1-4')).toThrow(RangeError);
  });

  it('reads the local date of an instant in the library time zone', () => {
    expect(localDate(Date.parse('2026-09-30T15:59:59.999Z'), TZ)).toBe('2026-09-30');
    expect(localDate(Date.parse('2026-09-30T16:00:00.000Z'), TZ)).toBe('2026-10-01');
    expect(localDate(Date.parse('2026-09-30T16:00:00.000Z'), 'UTC')).toBe('2026-09-30');
  });

  it('ends a local day at 23:59:59.999 local time', () => {
    expect(endOfLocalDay('2026-10-08', TZ)).toBe(Date.parse('2026-10-08T15:59:59.999Z'));
    expect(localTime('2026-10-08', TZ, '08:30')).toBe(Date.parse('2026-10-08T00:30:00.000Z'));
  });

  it('handles a daylight-saving change in zones that have one', () => {
    // New York moved to EDT (UTC-4) at 02:00 on 2026-03-08.
    expect(localTime('2026-03-08', 'America/New_York')).toBe(Date.parse('2026-03-08T05:00:00Z'));
    expect(endOfLocalDay('2026-03-08', 'America/New_York')).toBe(
      Date.parse('2026-03-09T03:59:59.999Z'),
    );
  });
});

describe('LibraryCalendar', () => {
  it('applies weekly hours, all-branch holidays and a branch’s own exceptions', () => {
    expect(calendar.hours('MAIN', '2026-09-30')).toMatchObject({
      open: true,
      opens: '08:00',
      closes: '22:00',
      note: null,
    });
    expect(calendar.hours('MED', '2026-10-02')).toMatchObject({ open: false, note: '国庆节' });
    // MAIN's own exception (special hours) wins over the all-branch holiday.
    expect(calendar.hours('MAIN', '2026-10-03')).toMatchObject({
      open: true,
      opens: '09:00',
      closes: '17:00',
    });
    expect(calendar.isOpen('MED', '2026-11-11')).toBe(false);
    expect(calendar.isOpen('MAIN', '2026-11-11')).toBe(true);
    // A weekday without hours is closed.
    expect(calendar.isOpen('MED', '2026-10-11')).toBe(false);
  });

  it('tells whether a branch is open at an instant', () => {
    expect(calendar.isOpenAt('MAIN', Date.parse('2026-09-30T01:00:00Z'))).toBe(true); // 09:00
    expect(calendar.isOpenAt('MAIN', Date.parse('2026-09-29T23:30:00Z'))).toBe(false); // 07:30
    expect(calendar.isOpenAt('MAIN', Date.parse('2026-09-30T14:00:00Z'))).toBe(false); // 22:00
    expect(calendar.isOpenAt('MED', Date.parse('2026-10-05T03:00:00Z'))).toBe(false); // holiday
  });

  it('moves a due date off closed days to the end of the next open day', () => {
    // Due on National Day: MED reopens on Thursday the 8th (Sunday the 11th is closed too).
    expect(calendar.dueAt('MED', '2026-10-01')).toBe(endOfLocalDay('2026-10-08', TZ));
    // MAIN is open on the 3rd with special hours, so that is the due date.
    expect(calendar.dueAt('MAIN', '2026-10-02')).toBe(endOfLocalDay('2026-10-03', TZ));
    // A Sunday at MED becomes Monday.
    expect(calendar.dueAt('MED', '2026-10-18')).toBe(endOfLocalDay('2026-10-19', TZ));
    expect(calendar.dueAt('MAIN', '2026-10-18')).toBe(endOfLocalDay('2026-10-18', TZ));
  });

  it('never passes a hard due date: a later date comes back to the last open day before it', () => {
    expect(calendar.dueAt('MED', '2026-12-20', '2026-12-15')).toBe(endOfLocalDay('2026-12-15', TZ));
    // The hard date is a Sunday, when MED is closed: Saturday the 13th.
    expect(calendar.dueAt('MED', '2026-12-20', '2026-12-13')).toBe(endOfLocalDay('2026-12-12', TZ));
    expect(calendar.dueAt('MED', '2026-12-10', '2026-12-15')).toBe(endOfLocalDay('2026-12-10', TZ));
  });

  it('counts only open days for the hold shelf', () => {
    // Trapped on Wednesday 30 September at MED: 1–7 October are closed, the 8th, 9th
    // and 10th are open, the 11th is a Sunday, the 12th is the fourth open day.
    const trapped = Date.parse('2026-09-30T06:00:00Z');
    expect(calendar.pickupBy('MED', trapped, 4)).toBe(endOfLocalDay('2026-10-12', TZ));
    // MAIN opens on the 3rd (special hours), then from the 8th: the 10th.
    expect(calendar.pickupBy('MAIN', trapped, 4)).toBe(endOfLocalDay('2026-10-10', TZ));
    expect(calendar.pickupBy('MAIN', Date.parse('2026-10-12T06:00:00Z'), 2)).toBe(
      endOfLocalDay('2026-10-14', TZ),
    );
  });

  it('shows a week of hours with the holidays’ notes', () => {
    const week = calendar.week('MED', '2026-09-29');
    expect(week.map((d) => d.date)).toEqual([
      '2026-09-29',
      '2026-09-30',
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
    ]);
    expect(week.map((d) => d.open)).toEqual([true, true, false, false, false, false, false]);
    expect(week[2]).toMatchObject({ note: '国庆节', noteEn: 'Closed', weekday: 4 });
  });

  it('leaves dates alone for a branch without any hours rather than searching forever', () => {
    expect(calendar.dueAt('NOWHERE', '2026-10-01')).toBe(endOfLocalDay('2026-10-01', TZ));
    expect(calendar.nextOpenDay('NOWHERE', '2026-10-01')).toBe('2026-10-01');
  });
});
