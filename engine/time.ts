/** Calendar arithmetic in IANA time zones, with nothing but Intl (no library, no Date.now()). */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Numbers only, read back by `wallTime`: `format` is about three times as fast as `formatToParts`. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether a time zone name is one this runtime knows ("UTC", "Europe/Paris"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** en-US writes "3/8/2026, 02:30:00": month, day, year, hour, minute, second, whatever the separators. */
const READING = /(\d+)\D+(\d+)\D+(\d+)\D+(\d+)\D+(\d+)\D+(\d+)/;

/**
 * What the wall clock in `timeZone` reads at instant `at`, to the second, written as the UTC
 * instant with the same calendar fields (a "wall time"): adding a day to it is calendar arithmetic.
 */
export function wallTime(at: number, timeZone: string): number {
  const text = formatter(timeZone).format(at);
  const m = READING.exec(text);
  if (!m) throw new Error(`Cannot read the clock in ${timeZone}: "${text}"`);
  return Date.UTC(+m[3], +m[1] - 1, +m[2], +m[4], +m[5], +m[6]);
}

export interface LocalParts {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/** The wall-clock reading of an instant in a time zone. */
export function localParts(at: number, timeZone: string): LocalParts {
  const d = new Date(wallTime(at, timeZone));
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(at: number, timeZone: string): number {
  return wallTime(at, timeZone) - Math.floor(at / 1000) * 1000;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The instant at which the wall clock in `timeZone` reads the wall time `wall` (see `wallTime`),
 * that is the first moment it reads that time or later:
 * - a time that exists once: that instant;
 * - a time that exists twice (the hour repeated when clocks go back): the first, the earlier;
 * - a time a daylight-saving jump skips: the first instant after the gap (New York, 2026-03-08
 *   02:30 → 03:00 EDT, 07:00Z; Santiago's skipped midnight → 01:00).
 * Later wall times never come at earlier instants, so "the next 09:00" can walk wall times in order.
 */
export function zonedInstant(wall: number, timeZone: string): number {
  // Whatever instant reads `wall` lies within 14 hours of it (no offset is larger), so the offsets in
  // force a day either side are every offset it can be read with, as no zone changes its offset twice
  // within two days (none has since 1970: this runtime's zone data sampled every 6 hours to 2040).
  const early = offsetAt(wall - DAY_MS, timeZone);
  const late = offsetAt(wall + DAY_MS, timeZone);
  // The larger offset first: its instant is the earlier. An instant reads `wall` only if the offset
  // it was computed with is the one in force then.
  for (const o of early === late ? [early] : [Math.max(early, late), Math.min(early, late)]) {
    if (offsetAt(wall - o, timeZone) === o) return wall - o;
  }
  // In a gap (clocks went forward, from `early` to `late`): the jump lies between the instants the
  // wall time would be under either offset; find it to the second.
  let lo = wall - late;
  let hi = wall - early;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === early) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** `zonedInstant` of a date and time of day: the instant the clock in `timeZone` reads them. */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  return zonedInstant(Date.UTC(year, month - 1, day, hour, minute), timeZone);
}

/** Weekday names as maps write them. */
export const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/**
 * The first moment strictly after `now` when the clock in `timeZone` reads `hh:mm` on one of
 * `weekdays` (any day when none are given), each day's `hh:mm` placed as `zonedInstant` does: a
 * time the clock shows twice counts the first time only, and a time it skips comes just after the
 * jump, still as its own day's (a Saturday 23:30 skipped by a jump to Sunday 00:00 is Saturday's).
 */
export function nextTimeOfDay(now: number, hh: number, mm: number, timeZone: string, weekdays?: readonly string[]): number {
  const allowed = weekdays?.length ? new Set(weekdays.map((d) => WEEKDAY_NAMES.indexOf(d as WeekdayName))) : null;
  // A time on an earlier date than the clock reads now came already, so the walk starts today.
  const today = Math.floor(wallTime(now, timeZone) / DAY_MS) * DAY_MS;
  // Eight days cover a full week plus today.
  for (let i = 0; i <= 8; i++) {
    const day = today + i * DAY_MS;
    if (allowed && !allowed.has(new Date(day).getUTCDay())) continue;
    const at = zonedInstant(day + hh * HOUR_MS + mm * MINUTE_MS, timeZone);
    if (at > now) return at;
  }
  throw new Error('no matching weekday'); // unreachable with a valid weekday list
}

/** The next local midnight strictly after `now` in `timeZone` (the end of the gap on a day whose midnight is skipped). */
export function nextMidnight(now: number, timeZone: string): number {
  return nextTimeOfDay(now, 0, 0, timeZone);
}

/** The local midnight that starts the day `at` falls on in `timeZone` (the end of the gap when that midnight is skipped). */
export function startOfDay(at: number, timeZone: string): number {
  const wall = Math.floor(wallTime(at, timeZone) / DAY_MS) * DAY_MS;
  // A skipped midnight is placed just after the jump, which is still at or before any moment of that day.
  return Math.min(zonedInstant(wall, timeZone), at);
}
