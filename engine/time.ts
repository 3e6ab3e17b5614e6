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

/**
 * The instant at which the wall clock in `timeZone` shows the given date and time.
 * A time skipped by a daylight-saving jump resolves to the instant just after the gap.
 */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let result = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(result, timeZone);
  if (second !== result) result = Math.max(result, second);
  return result;
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
