/**
 * For tests only: what clocks read in every zone, from `Intl.DateTimeFormat` alone, and where a
 * wall time should fall — worked out without engine/time.ts, so its tests check it against
 * something it does not share (issue 15).
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * What the clock in `tz` reads at `t`, as the UTC instant with the same fields. Swedish writes
 * ISO-like "2026-03-08 03:00:00", read here by position (engine/time.ts reads American numbers).
 */
export function reading(t: number, tz: string): number {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone: tz, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formats.set(tz, f);
  }
  const s = f.format(t);
  return Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10), +s.slice(11, 13), +s.slice(14, 16), +s.slice(17, 19));
}

/** A change of a zone's offset: from `at` on, the clock reads `after` ahead of UTC instead of `before`. */
export interface Change { readonly at: number; readonly before: number; readonly after: number }

export interface Zone {
  readonly tz: string;
  /** Every change in the years scanned, in order. */
  readonly changes: readonly Change[];
  /** Every offset the zone had in those years. */
  readonly offsets: readonly number[];
  /** `expected` by wall time: each is worked out once. */
  readonly known: Map<number, number>;
}

/**
 * How far apart the scan samples a zone's offset. No zone keeps an offset for less than five weeks
 * in 2024–2030 (Morocco's Ramadan is the shortest), so two changes never fall between two samples;
 * the tests check that the changes found are more than two steps apart.
 */
export const SCAN_STEP = 14 * DAY;

/** A zone's offset changes from `from` to `to`: samples `SCAN_STEP` apart, then halving to the minute. */
export function scan(tz: string, from: number, to: number): Zone {
  const offset = (t: number) => reading(t, tz) - t;
  const changes: Change[] = [];
  let prev = offset(from);
  const offsets = new Set([prev]);
  for (let t = from + SCAN_STEP; t <= to; t += SCAN_STEP) {
    const o = offset(t);
    if (o === prev) continue;
    let lo = t - SCAN_STEP;
    let hi = t;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offset(mid) === prev) lo = mid;
      else hi = mid;
    }
    changes.push({ at: hi, before: prev, after: o });
    offsets.add(o);
    prev = o;
  }
  // Largest first: of the instants that read a wall time, the earliest is under the largest offset.
  return { tz, changes, offsets: [...offsets].sort((a, b) => b - a), known: new Map() };
}

/**
 * The instant a wall time should fall at: the earliest instant whose reading is `wall` (each such
 * instant is `wall` less one of the zone's offsets); when none reads it, the clock jumped over it,
 * and it falls at the jump, the first moment the clock reads it or later.
 */
export function expected(wall: number, zone: Zone): number {
  const known = zone.known.get(wall);
  if (known !== undefined) return known;
  let at = zone.offsets.map((o) => wall - o).find((t) => reading(t, zone.tz) === wall);
  if (at === undefined) {
    const jump = zone.changes.find((c) => c.at + c.before <= wall && wall < c.at + c.after);
    if (!jump) throw new Error(`${zone.tz}: no instant reads ${new Date(wall).toISOString()}, and no jump skips it`);
    at = jump.at;
  }
  zone.known.set(wall, at);
  return at;
}

/**
 * The first instant strictly after `now` at which `hh:mm` comes on one of `days` (0 = Sunday; any
 * day when not given): that time on each date from the day before today on, placed by `expected`,
 * until one is still to come; the next date's too, in case it came earlier.
 */
export function expectedNext(now: number, hh: number, mm: number, zone: Zone, days?: readonly number[]): number {
  const today = Math.floor(reading(now, zone.tz) / DAY) * DAY;
  let next = Infinity;
  for (let d = -1, last = 8; d <= last; d++) {
    const date = today + d * DAY;
    if (days && !days.includes(new Date(date).getUTCDay())) continue;
    const at = expected(date + hh * HOUR + mm * MINUTE, zone);
    if (at > now && at < next) {
      next = at;
      last = Math.min(last, d + 1);
    }
  }
  return next;
}

/**
 * Names IANA gives zones that ICU lists by their older ones (Asia/Calcutta, Europe/Kiev, …), and
 * a few other names people write: the ones this runtime accepts join the zones it lists.
 */
const OTHER_NAMES = [
  'Asia/Kolkata', 'Europe/Kyiv', 'America/Nuuk', 'Asia/Ho_Chi_Minh', 'Asia/Kathmandu', 'Asia/Yangon',
  'Pacific/Kanton', 'America/Argentina/Buenos_Aires', 'America/Indiana/Indianapolis', 'Atlantic/Faroe',
  'Pacific/Chuuk', 'Pacific/Pohnpei', 'Africa/Asmara', 'US/Eastern', 'US/Pacific', 'Etc/UTC', 'Etc/GMT+12', 'Etc/GMT-14',
];

const accepted = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Every zone this runtime knows (`Intl.supportedValuesOf`), UTC, and the other names above. */
export const ZONE_NAMES: readonly string[] = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone'), ...OTHER_NAMES.filter(accepted)])];

/** The years checked: 2024–2030. */
export const FROM = Date.UTC(2024, 0, 1);
export const TO = Date.UTC(2031, 0, 1);

/** The local date of a change (its wall time before it), and noon the day before as an instant. */
export const changeDate = (c: Change) => Math.floor((c.at + c.before) / DAY) * DAY;
export const noonBefore = (c: Change) => changeDate(c) - DAY + 12 * HOUR - c.before;

/**
 * A wall time in the middle of what a change skips (clocks go forward) or repeats (they go back),
 * on the quarter hour: 02:30 for New York, 03:15 for Chatham, 02:15 and 01:45 for Lord Howe.
 */
export function middle(c: Change): number {
  const start = c.at + Math.min(c.before, c.after);
  return start + Math.floor(Math.abs(c.after - c.before) / 2 / (15 * MINUTE)) * 15 * MINUTE;
}

/** A wall time as "2026-03-08 02:30", an instant as "2026-03-08T07:00Z": for messages. */
export const showWall = (wall: number) => new Date(wall).toISOString().slice(0, 16).replace('T', ' ');
export const showInstant = (t: number | null) => (t === null ? 'null' : `${new Date(t).toISOString().slice(0, 16)}Z`);
