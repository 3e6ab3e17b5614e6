import { describe, expect, it } from 'vitest';
import { nextTick } from './elements/trigger.js';
import { nextMidnight, nextTimeOfDay, zonedTime } from './time.js';

/**
 * Clock times in every time zone this runtime knows, around every offset change of 2024–2030,
 * against a reference made only of `Intl.DateTimeFormat` readings (issue 15: "until 03:00" in New
 * York on 2026-03-08 fired at 04:00; Sydney's midnight on 2026-04-05 came at 01:00).
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const formats = new Map<string, Intl.DateTimeFormat>();
/** What a wall clock in `tz` reads at instant `t`, as the UTC instant of that reading. */
function reading(t: number, tz: string): number {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formats.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
}
const offset = (t: number, tz: string) => reading(t, tz) - t;

interface Transition { readonly at: number; readonly before: number; readonly after: number }

/** Every change of `tz`'s offset from `from` to `to`, to the minute (samples a day apart, then halving). */
function transitions(tz: string, from: number, to: number): Transition[] {
  const out: Transition[] = [];
  let prev = offset(from, tz);
  for (let t = from + DAY; t <= to; t += DAY) {
    const o = offset(t, tz);
    if (o === prev) continue;
    let lo = t - DAY;
    let hi = t;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offset(mid, tz) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, before: prev, after: offset(hi, tz) });
    prev = o;
  }
  return out;
}

/**
 * The expected instant for a wall time near a transition: of the instants the wall time would be
 * under either offset, the earliest whose reading is that wall time; none (a gap): the transition.
 */
function expected(wall: number, tr: Transition, tz: string): number {
  const found = [wall - tr.before, wall - tr.after].filter((t) => reading(t, tz) === wall).sort((a, b) => a - b);
  return found.length ? found[0] : tr.at;
}

const ZONES = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])];
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2031, 0, 1);
const ALL = ZONES.map((tz) => ({ tz, changes: transitions(tz, FROM, TO) }));
/**
 * Each test below checks every change of every zone: fixed work, a few seconds here. The limit is
 * generous for a loaded machine, since Intl's speed is the machine's.
 */
const LIMIT = 180_000;

/** The calendar date and time of a wall reading. */
const parts = (wall: number) => {
  const d = new Date(wall);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()] as const;
};

describe('clock times in every zone, around every offset change of 2024–2030', () => {
  it('finds offset changes where there are some', () => {
    const changes = ALL.reduce((n, z) => n + z.changes.length, 0);
    expect(ZONES.length).toBeGreaterThan(300);
    expect(changes).toBeGreaterThan(1_000);
    expect(ALL.find((z) => z.tz === 'America/New_York')!.changes).toHaveLength(14);
  });

  it('zonedTime: each quarter hour within three hours of the change, under either offset', () => {
    const wrong: string[] = [];
    for (const { tz, changes } of ALL) {
      for (const tr of changes) {
        for (const base of new Set([tr.at + tr.before, tr.at + tr.after])) {
          for (let wall = base - 3 * HOUR; wall <= base + 3 * HOUR; wall += 15 * MINUTE) {
            const got = zonedTime(...parts(wall), tz);
            const want = expected(wall, tr, tz);
            if (got !== want) wrong.push(`${tz} ${new Date(wall).toISOString().slice(0, 16)} local: ${new Date(got).toISOString()}, expected ${new Date(want).toISOString()}`);
          }
        }
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  }, LIMIT);

  it('waits until a time of day, with and without weekdays, and the daily midnight, on the days around each change', () => {
    const wrong: string[] = [];
    for (const { tz, changes } of ALL) {
      for (const tr of changes) {
        // From noon the day before the change, for two days: the next 00:00, 01:30, 03:00 and 23:00.
        const noon = Math.floor((tr.at + tr.before) / DAY) * DAY - DAY + 12 * HOUR;
        for (let from = noon; from < noon + 2 * DAY; from += 9 * HOUR) {
          const now = from - tr.before;
          for (const [hh, mm] of [[0, 0], [1, 30], [3, 0], [23, 0]] as const) {
            // The reference: the first day on or after today's date whose wall time, placed near this change, is after now.
            let want = Infinity;
            let wantedDate = 0;
            for (let d = -1; d <= 2 && want === Infinity; d++) {
              const wall = Math.floor(reading(now, tz) / DAY) * DAY + d * DAY + hh * HOUR + mm * MINUTE;
              const t = expected(wall, tr, tz);
              if (t > now) [want, wantedDate] = [t, wall];
            }
            const got = nextTimeOfDay(now, hh, mm, tz);
            if (got !== want) wrong.push(`${tz} after ${new Date(now).toISOString()} until ${hh}:${mm}: ${new Date(got).toISOString()}, expected ${new Date(want).toISOString()}`);
            if (hh === 0 && mm === 0 && nextMidnight(now, tz) !== want) wrong.push(`${tz} midnight after ${new Date(now).toISOString()}`);
            // Weekdays: only the weekday of the date whose time it is (a time skipped late on a
            // Saturday runs just after the gap, early on Sunday: it is Saturday's).
            const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(wantedDate).getUTCDay()];
            if (nextTimeOfDay(now, hh, mm, tz, [weekday]) !== want) wrong.push(`${tz} after ${new Date(now).toISOString()} until ${hh}:${mm} on ${weekday}`);
          }
        }
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  }, LIMIT);

  it('cron ticks in a zone: a daily tick at every other hour on the day of every change, once a day, at the same moments as waits', () => {
    const wrong: string[] = [];
    for (const { tz, changes } of ALL) {
      for (const tr of changes) {
        const dayStart = Math.floor((tr.at + tr.before) / DAY) * DAY; // the local date of the change
        const now = dayStart - DAY + 12 * HOUR - tr.before; // noon the day before
        for (let hh = 0; hh < 24; hh += 2) {
          const tick = nextTick({ cron: `15 ${hh} * * *`, timezone: tz }, now);
          const wait = nextTimeOfDay(now, hh, 15, tz);
          if (tick !== wait) wrong.push(`${tz} ${hh}:15 after ${new Date(now).toISOString()}: cron ${tick === null ? null : new Date(tick).toISOString()}, wait ${new Date(wait).toISOString()}`);
        }
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  }, LIMIT);
});

describe('the cases the bug report named', () => {
  const local = (tz: string, y: number, mo: number, d: number, h: number, mi = 0) => new Date(zonedTime(y, mo, d, h, mi, tz)).toISOString();
  it('New York, 2026-03-08: 03:00 is 03:00 EDT, 02:30 (skipped) is the end of the gap', () => {
    expect(local('America/New_York', 2026, 3, 8, 3)).toBe('2026-03-08T07:00:00.000Z');
    expect(local('America/New_York', 2026, 3, 8, 5)).toBe('2026-03-08T09:00:00.000Z');
    expect(local('America/New_York', 2026, 3, 8, 2, 30)).toBe('2026-03-08T07:00:00.000Z');
  });
  it('Sydney, 2026-04-05: midnight at 00:00 AEDT, and "until 23:00" the evening before on the right day', () => {
    expect(new Date(nextMidnight(Date.parse('2026-04-04T06:00:00Z'), 'Australia/Sydney')).toISOString()).toBe('2026-04-04T13:00:00.000Z');
    expect(new Date(nextTimeOfDay(Date.parse('2026-04-04T06:00:00Z'), 23, 0, 'Australia/Sydney')).toISOString()).toBe('2026-04-04T12:00:00.000Z');
  });
  it('Berlin, 2026-10-25: "until 01:00" is 01:00 CEST; the repeated 02:30 is its first time', () => {
    expect(local('Europe/Berlin', 2026, 10, 25, 1)).toBe('2026-10-24T23:00:00.000Z');
    expect(local('Europe/Berlin', 2026, 10, 25, 2, 30)).toBe('2026-10-25T00:30:00.000Z');
  });
  it('Santiago and Havana, whose clocks skip midnight: the day starts at 01:00', () => {
    expect(local('America/Santiago', 2026, 9, 6, 0)).toBe('2026-09-06T04:00:00.000Z');
    expect(local('America/Havana', 2026, 3, 8, 0)).toBe('2026-03-08T05:00:00.000Z');
  });
  it('a daily cron tick skipped by the gap runs right after it; a repeated one runs once', () => {
    const ticks = (cron: string, tz: string, after: string, n: number) => {
      const out: string[] = [];
      for (let t = Date.parse(after), i = 0; i < n; i++) out.push(new Date((t = nextTick({ cron, timezone: tz }, t)!)).toISOString());
      return out;
    };
    expect(ticks('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(ticks('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });
});
