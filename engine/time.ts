/** Calendar arithmetic in IANA time zones, with nothing but Intl (no library, no Date.now()). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
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

export interface LocalParts {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock reading of an instant in a time zone. */
export function localParts(at: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) parts[p.type] = p.value;
  return {
    year: +parts.year, month: +parts.month, day: +parts.day,
    hour: +parts.hour, minute: +parts.minute, second: +parts.second,
    weekday: WEEKDAYS[parts.weekday] ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
function offsetAt(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/**
 * The instant at which the wall clock in `timeZone` shows the given date and time:
 * - a time that exists once: that instant;
 * - a time that exists twice (the hour repeated when clocks go back): the first;
 * - a time a daylight-saving jump skips: the first instant after the gap (New York, 2026-03-08
 *   02:30 → 03:00 EDT), the first moment the clock reads that time or later.
 */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets in force around that wall time: a day either side covers any zone's offset (±14 h)
  // and the transition between them, if there is one.
  const offsets = [...new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall, timeZone), offsetAt(wall + DAY_MS, timeZone)])];
  let best = Infinity;
  for (const o of offsets) {
    const t = wall - o;
    // The instant reads the wanted time only if the offset it computes with is the one in force then.
    if (t < best && offsetAt(t, timeZone) === o) best = t;
  }
  if (best !== Infinity) return best;
  // In a gap: the transition lies between the instants the wall time would be under the offsets
  // before and after it; find it to the second.
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  const before = offsetAt(lo, timeZone);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Weekday names as maps write them. */
export const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/**
 * The first moment strictly after `now` when the clock in `timeZone` reads `hh:mm`
 * on one of `weekdays` (any day when none are given).
 */
export function nextTimeOfDay(now: number, hh: number, mm: number, timeZone: string, weekdays?: readonly string[]): number {
  const allowed = weekdays?.length ? new Set(weekdays.map((d) => WEEKDAY_NAMES.indexOf(d as WeekdayName))) : null;
  const today = localParts(now, timeZone);
  // Walk calendar days in the zone; eight covers a full week plus today.
  for (let i = 0; i <= 8; i++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    if (allowed && !allowed.has(date.getUTCDay())) continue;
    const at = zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hh, mm, timeZone);
    if (at > now) return at;
  }
  throw new Error('no matching weekday'); // unreachable with a valid weekday list
}

/** The next local midnight strictly after `now` in `timeZone`. */
export function nextMidnight(now: number, timeZone: string): number {
  return nextTimeOfDay(now, 0, 0, timeZone);
}
