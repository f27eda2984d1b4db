/**
 * Wall-clock time in an IANA time zone, with nothing but `Intl`: the library's calendar
 * (due dates at the end of a local day) and SIP2's local-time dates both need it.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/**
 * What a clock in the zone shows at an instant (whole seconds).
 *
 * @example
 * wallClock(Date.parse('2026-09-30T16:30:00Z'), 'Asia/Shanghai');
 * // { year: 2026, month: 10, day: 1, hour: 0, minute: 30, second: 0 }
 */
export function wallClock(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The wall-clock reading taken as if it were UTC. */
export function utcOf(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/**
 * The instant a wall-clock time in a zone denotes (the earlier one in a daylight-saving
 * overlap; two passes settle the offset across a change).
 *
 * @example
 * zonedInstant({ year: 2026, month: 10, day: 1, hour: 0, minute: 0, second: 0 }, 'Asia/Shanghai');
 * // Date.parse('2026-09-30T16:00:00Z')
 */
export function zonedInstant(w: WallClock, timeZone: string): number {
  const guess = utcOf(w);
  const first = guess - (utcOf(wallClock(guess, timeZone)) - guess);
  return guess - (utcOf(wallClock(first, timeZone)) - first);
}
