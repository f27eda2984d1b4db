/**
 * What `/api/v1/library/…` answers: types only, shared with the reader pages.
 */
import type { DayHours } from '../../ils/embedded/calendar.ts';

export type { DayHours };

export interface BranchWeek {
  readonly code: string;
  readonly name: string;
  readonly nameEn: string | null;
  readonly address: string | null;
  readonly pickup: boolean;
  /** Open at this moment (only meaningful when the week starts today). */
  readonly openNow: boolean;
  readonly days: readonly DayHours[];
}

/** Consecutive days that differ from the weekly hours for the same reason. */
export interface Holiday {
  readonly from: string;
  readonly to: string;
  readonly closed: boolean;
  /** Special hours when open; null when closed or when they vary between branches. */
  readonly opens: string | null;
  readonly closes: string | null;
  readonly note: string | null;
  readonly noteEn: string | null;
  /** Branch codes, or null for every branch. */
  readonly branches: readonly string[] | null;
}

export interface LibraryHours {
  readonly timezone: string;
  /** Today in the library's time zone, `YYYY-MM-DD`. */
  readonly today: string;
  readonly from: string;
  readonly branches: readonly BranchWeek[];
  readonly holidays: readonly Holiday[];
}
