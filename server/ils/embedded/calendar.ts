/**
 * The library's calendar: weekly opening hours per branch, and exceptions (holidays,
 * closed days, special hours) for one branch or for every branch. Due dates and hold-shelf
 * expiry are computed here so that both respect it; readers are shown the same hours.
 *
 * Days are local calendar dates in the library's time zone (`YYYY-MM-DD`); instants are
 * epoch milliseconds. A due date is the last millisecond of a local day.
 */

import { wallClock, zonedInstant } from '../../platform/time.ts';

/** One weekday's hours at a branch. A weekday without a row is a closed day. */
export interface WeeklyHours {
  readonly branch: string;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
  /** `HH:MM`, local time. */
  readonly opens: string;
  readonly closes: string;
}

/** A date that differs from the weekly hours: closed (a holiday) or open with other hours. */
export interface CalendarException {
  /** `null`: every branch. A branch's own exception wins over an all-branch one. */
  readonly branch: string | null;
  readonly date: string;
  readonly closed: boolean;
  /** Special hours when open; `null` keeps the weekly hours. */
  readonly opens: string | null;
  readonly closes: string | null;
  readonly note: string | null;
  readonly noteEn: string | null;
}

/** What a branch does on one date. */
export interface DayHours {
  readonly date: string;
  readonly weekday: number;
  readonly open: boolean;
  readonly opens: string | null;
  readonly closes: string | null;
  /** Why the day differs from the weekly hours (国庆节 …), when it does. */
  readonly note: string | null;
  readonly noteEn: string | null;
}

// How far to look for an open day before concluding the branch has no hours at all.
const SEARCH_DAYS = 366;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(date: string): [number, number, number] {
  const m = DATE.exec(date);
  if (!m) throw new RangeError(`Not a YYYY-MM-DD date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function formatUtcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The date `days` calendar days after `date` (negative: before).
 *
 * @example
 * addDays('2026-12-31', 1); // '2027-01-01'
 */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parseDate(date);
  return formatUtcDate(Date.UTC(y, m - 1, d) + days * DAY_MS);
}

/**
 * Calendar days from `from` to `to` (negative when `to` is earlier).
 *
 * @example
 * daysBetween('2026-02-27', '2026-03-02'); // 3
 */
export function daysBetween(from: string, to: string): number {
  const [y1, m1, d1] = parseDate(from);
  const [y2, m2, d2] = parseDate(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / DAY_MS);
}

/**
 * 0 = Sunday … 6 = Saturday.
 *
 * @example
 * weekdayOf('2026-10-01'); // 4 (a Thursday)
 */
export function weekdayOf(date: string): number {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/**
 * The local calendar date of an instant.
 *
 * @example
 * localDate(Date.parse('2026-09-30T16:30:00Z'), 'Asia/Shanghai'); // '2026-10-01'
 */
export function localDate(ms: number, timeZone: string): string {
  const p = wallClock(ms, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * The instant a local date and time (`HH:MM`, default midnight) happens.
 *
 * @example
 * localTime('2026-10-01', 'Asia/Shanghai'); // Date.parse('2026-09-30T16:00:00Z')
 */
export function localTime(date: string, timeZone: string, time = '00:00'): number {
  const [year, month, day] = parseDate(date);
  const [hour, minute] = time.split(':').map(Number);
  return zonedInstant(
    { year, month, day, hour: hour ?? 0, minute: minute ?? 0, second: 0 },
    timeZone,
  );
}

/**
 * The last millisecond of a local day: when something due that day is due.
 *
 * @example
 * endOfLocalDay('2026-10-08', 'Asia/Shanghai'); // Date.parse('2026-10-08T15:59:59.999Z')
 */
export function endOfLocalDay(date: string, timeZone: string): number {
  return localTime(addDays(date, 1), timeZone) - 1;
}

/**
 * Opening hours and closed days for every branch, in the library's time zone. Built from
 * rows (`ils_opening_hours`, `ils_calendar_exceptions`); holds no state beyond them.
 */
export class LibraryCalendar {
  readonly #weekly = new Map<string, Map<number, WeeklyHours>>();
  readonly #exceptions = new Map<string, CalendarException>();

  constructor(
    readonly timeZone: string,
    hours: readonly WeeklyHours[],
    exceptions: readonly CalendarException[],
  ) {
    for (const row of hours) {
      let days = this.#weekly.get(row.branch);
      if (!days) this.#weekly.set(row.branch, (days = new Map<number, WeeklyHours>()));
      days.set(row.weekday, row);
    }
    for (const exception of exceptions) {
      this.#exceptions.set(`${exception.branch ?? '*'}|${exception.date}`, exception);
    }
  }

  /** The branch's hours on a date, exceptions applied. */
  hours(branch: string, date: string): DayHours {
    const weekday = weekdayOf(date);
    const regular = this.#weekly.get(branch)?.get(weekday);
    const exception =
      this.#exceptions.get(`${branch}|${date}`) ?? this.#exceptions.get(`*|${date}`);
    if (exception) {
      const opens = exception.closed ? null : (exception.opens ?? regular?.opens ?? null);
      const closes = exception.closed ? null : (exception.closes ?? regular?.closes ?? null);
      return {
        date,
        weekday,
        open: !exception.closed,
        opens,
        closes,
        note: exception.note,
        noteEn: exception.noteEn,
      };
    }
    return {
      date,
      weekday,
      open: regular !== undefined,
      opens: regular?.opens ?? null,
      closes: regular?.closes ?? null,
      note: null,
      noteEn: null,
    };
  }

  /** Whether the branch opens at all on a date. */
  isOpen(branch: string, date: string): boolean {
    return this.hours(branch, date).open;
  }

  /** Whether the branch is open at an instant (within the day's hours). */
  isOpenAt(branch: string, ms: number): boolean {
    const date = localDate(ms, this.timeZone);
    const day = this.hours(branch, date);
    if (!day.open) return false;
    if (!day.opens || !day.closes) return true;
    return (
      ms >= localTime(date, this.timeZone, day.opens) &&
      ms < localTime(date, this.timeZone, day.closes)
    );
  }

  /** Seven days of hours from a date, for showing a week. */
  week(branch: string, from: string): DayHours[] {
    return Array.from({ length: 7 }, (_, i) => this.hours(branch, addDays(from, i)));
  }

  /**
   * The first open day on or after `date`; `date` itself when the branch has no open
   * day in the coming year (no hours configured), so a missing calendar never blocks a loan.
   */
  nextOpenDay(branch: string, date: string): string {
    for (let i = 0; i < SEARCH_DAYS; i++) {
      const day = addDays(date, i);
      if (this.isOpen(branch, day)) return day;
    }
    return date;
  }

  /** The last open day on or before `date`; `date` itself when there is none in a year. */
  previousOpenDay(branch: string, date: string): string {
    for (let i = 0; i < SEARCH_DAYS; i++) {
      const day = addDays(date, -i);
      if (this.isOpen(branch, day)) return day;
    }
    return date;
  }

  /**
   * When something due on `date` is due at a branch: the end of that day, or of the next
   * open day when the branch is closed then. With a hard due date (`YYYY-MM-DD`) the
   * result never passes it: a later date is brought back to the last open day on or
   * before the hard date.
   */
  dueAt(branch: string, date: string, hardDueDate: string | null = null): number {
    let day = this.nextOpenDay(branch, date);
    if (hardDueDate !== null && day > hardDueDate) {
      day = this.previousOpenDay(branch, hardDueDate);
    }
    return endOfLocalDay(day, this.timeZone);
  }

  /**
   * How long a trapped item waits on the hold shelf: until the end of the `openDays`-th
   * open day after the day it was trapped (closed days do not count).
   */
  pickupBy(branch: string, trappedAt: number, openDays: number): number {
    let day = localDate(trappedAt, this.timeZone);
    let counted = 0;
    let guard = 0;
    while (counted < openDays && guard < SEARCH_DAYS) {
      day = addDays(day, 1);
      guard++;
      if (this.isOpen(branch, day)) counted++;
    }
    return endOfLocalDay(day, this.timeZone);
  }
}
