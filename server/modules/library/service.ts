/**
 * The library as readers see it before they borrow anything: its branches, this week's
 * opening hours and the holidays ahead. Everything comes from the embedded ILS, which
 * keeps the calendar even when circulation runs over SIP2.
 */
import type { DayHours } from '../../ils/embedded/calendar.ts';
import { addDays, localDate } from '../../ils/embedded/calendar.ts';
import type { BranchDetail, EmbeddedIls } from '../../ils/embedded/service.ts';
import type { Clock } from '../../platform/clock.ts';
import type { BranchWeek, Holiday, LibraryHours } from './types.ts';

/** How far ahead holidays are listed. */
export const HOLIDAY_DAYS = 120;

export type { BranchWeek, Holiday, LibraryHours } from './types.ts';

export interface LibraryServiceDeps {
  readonly ils: Pick<EmbeddedIls, 'branches' | 'calendar'>;
  readonly clock: Clock;
  readonly timezone: string;
}

interface DayException {
  readonly date: string;
  readonly branch: string;
  readonly day: DayHours;
}

/** What makes two exception days part of one holiday. */
function reasonOf(day: DayHours): string {
  return JSON.stringify([day.open, day.note, day.noteEn]);
}

export class LibraryService {
  readonly #deps: LibraryServiceDeps;

  constructor(deps: LibraryServiceDeps) {
    this.#deps = deps;
  }

  /** Today's date in the library's time zone. */
  today(): string {
    return localDate(this.#deps.clock.now(), this.#deps.timezone);
  }

  async branches(): Promise<BranchDetail[]> {
    return this.#deps.ils.branches();
  }

  /**
   * Every branch's hours for seven days from `from` (default today), and the holidays
   * and special days from `from` on.
   */
  async hours(from?: string): Promise<LibraryHours> {
    const today = this.today();
    const start = from ?? today;
    const [branches, calendar] = await Promise.all([
      this.#deps.ils.branches(),
      this.#deps.ils.calendar(),
    ]);
    const now = this.#deps.clock.now();
    const weeks: BranchWeek[] = branches.map((b) => ({
      code: b.code,
      name: b.name,
      nameEn: b.nameEn ?? null,
      address: b.address,
      pickup: b.pickup,
      openNow: calendar.isOpenAt(b.code, now),
      days: calendar.week(b.code, start),
    }));

    // A day differs from the weekly hours exactly when the calendar gives a reason for it
    // or closes it against the branch's usual week.
    const exceptions: DayException[] = [];
    for (let i = 0; i < HOLIDAY_DAYS; i++) {
      const date = addDays(start, i);
      for (const b of branches) {
        const day = calendar.hours(b.code, date);
        if (day.note !== null || day.noteEn !== null)
          exceptions.push({ date, branch: b.code, day });
      }
    }
    return {
      timezone: this.#deps.timezone,
      today,
      from: start,
      branches: weeks,
      holidays: groupHolidays(
        exceptions,
        branches.map((b) => b.code),
      ),
    };
  }
}

/** Days with the same reason at the same branches, one after the other, become one entry. */
function groupHolidays(exceptions: readonly DayException[], allBranches: readonly string[]) {
  const byDate = new Map<string, DayException[]>();
  for (const e of exceptions) {
    const list = byDate.get(e.date) ?? [];
    list.push(e);
    byDate.set(e.date, list);
  }
  const holidays: Holiday[] = [];
  // The last entry for each reason and set of branches, to extend when the next day matches.
  const runs = new Map<string, number>();
  for (const [date, list] of byDate) {
    // One entry per reason on a date (a branch may close while another opens late).
    const reasons = new Map<string, DayException[]>();
    for (const e of list) {
      const key = reasonOf(e.day);
      reasons.set(key, [...(reasons.get(key) ?? []), e]);
    }
    for (const [reason, days] of reasons) {
      const first = days[0]!.day;
      const codes = days.map((d) => d.branch);
      const branches = codes.length === allBranches.length ? null : codes;
      const sameHours = days.every(
        (d) => d.day.opens === first.opens && d.day.closes === first.closes,
      );
      const key = `${reason}|${JSON.stringify(branches)}|${first.opens}|${first.closes}`;
      const index = runs.get(key);
      const run = index === undefined ? undefined : holidays[index];
      if (index !== undefined && run && addDays(run.to, 1) === date) {
        holidays[index] = { ...run, to: date };
        continue;
      }
      runs.set(key, holidays.length);
      holidays.push({
        from: date,
        to: date,
        closed: !first.open,
        opens: first.open && sameHours ? first.opens : null,
        closes: first.open && sameHours ? first.closes : null,
        note: first.note,
        noteEn: first.noteEn,
        branches,
      });
    }
  }
  return holidays;
}
