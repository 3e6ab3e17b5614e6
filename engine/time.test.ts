import { describe, expect, it } from 'vitest';
import { nextTick } from './elements/trigger.js';
import {
  DAY, FROM, HOUR, MINUTE, SCAN_STEP, TO, ZONE_NAMES,
  changeDate, expected, expectedNext, middle, noonBefore, reading, scan, showInstant, showWall, type Change,
} from './time-reference.js';
import { localParts, nextMidnight, nextTimeOfDay, zonedTime } from './time.js';

/**
 * Clock times in every zone this runtime knows, around every offset change of 2024–2030, against
 * a reference made of `Intl.DateTimeFormat` readings only (./time-reference.ts). Issue 15: "until
 * 03:00" in New York on 2026-03-08 fired at 04:00, Sydney's midnight on 2026-04-05 came at 01:00.
 */
const ZONES = ZONE_NAMES.map((tz) => scan(tz, FROM, TO));
const QUARTER = 15 * MINUTE;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The date and time of a wall time, as `zonedTime` takes them. */
const fields = (wall: number) => {
  const d = new Date(wall);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()] as const;
};
const timeOfDay = (wall: number) => {
  const d = new Date(wall);
  return [d.getUTCHours(), d.getUTCMinutes()] as const;
};
const weekday = (wall: number) => new Date(wall).getUTCDay();

/** The wall times a change skips or repeats, with two hours either side, each quarter hour. */
function around(c: Change, step = QUARTER): number[] {
  const walls: number[] = [];
  const last = c.at + Math.max(c.before, c.after) + 2 * HOUR;
  for (let wall = Math.floor((c.at + Math.min(c.before, c.after) - 2 * HOUR) / step) * step; wall <= last; wall += step) walls.push(wall);
  return walls;
}

/** Fails with the first few of what went wrong, and how many. */
function none(wrong: string[]) {
  expect(wrong.length ? [`${wrong.length} wrong, the first:`, ...wrong.slice(0, 12)] : []).toEqual([]);
}

/** A repeatable sequence of numbers in [0, 1). */
function random(seed: number) {
  return () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
}

const schedule = (cron: string, timezone: string, after: number) => nextTick({ cron, timezone }, after);

describe('the reference', () => {
  it('reads clocks with Intl, and finds every offset change of every zone', () => {
    expect(showInstant(reading(Date.UTC(2026, 2, 8, 7), 'America/New_York'))).toBe('2026-03-08T03:00Z');
    expect(ZONES.length).toBeGreaterThan(400);
    expect(ZONES.map((z) => z.tz)).toEqual(expect.arrayContaining(['UTC', 'Asia/Kolkata', 'Europe/Kyiv', 'America/Nuuk']));
    expect(ZONES.reduce((n, z) => n + z.changes.length, 0)).toBeGreaterThan(1_500);
    const of = (tz: string) => ZONES.find((z) => z.tz === tz)!.changes;
    expect(of('America/New_York')).toHaveLength(14);
    expect(new Set(of('Australia/Lord_Howe').map((c) => (c.after - c.before) / MINUTE))).toEqual(new Set([30, -30]));
    expect(new Set(of('Antarctica/Troll').map((c) => (c.after - c.before) / HOUR))).toEqual(new Set([2, -2]));
    // The scan's samples find every change only if no offset lasts less than the time between them.
    const closest = Math.min(...ZONES.flatMap((z) => z.changes.slice(1).map((c, i) => c.at - z.changes[i].at)));
    expect(closest).toBeGreaterThan(2 * SCAN_STEP);
  });
});

describe('zonedTime in every zone', () => {
  it('each quarter hour around each change: the earliest instant reading it, or the end of the gap', () => {
    const wrong: string[] = [];
    for (const z of ZONES) {
      for (const c of z.changes) {
        for (const wall of around(c)) {
          const got = zonedTime(...fields(wall), z.tz);
          const want = expected(wall, z);
          if (got !== want) wrong.push(`${z.tz} ${showWall(wall)}: ${showInstant(got)}, expected ${showInstant(want)}`);
        }
      }
    }
    none(wrong);
  });

  it('on ordinary days, for zones with changes and without: the clock\'s reading, zonedTime, a wait until a time, a daily tick', () => {
    const wrong: string[] = [];
    const next = random(15);
    for (const z of ZONES) {
      for (let i = 0; i < 6; i++) {
        const now = FROM + 2 * DAY + Math.floor(next() * (TO - FROM - 4 * DAY) / QUARTER) * QUARTER;
        const wall = Math.floor(reading(now, z.tz) / QUARTER) * QUARTER + Math.floor(next() * 96) * QUARTER;
        const [hh, mm] = timeOfDay(wall);
        const day = Math.floor(next() * 7);
        const p = localParts(now, z.tz);
        const read = new Date(reading(now, z.tz));
        if (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) !== read.getTime() || p.weekday !== read.getUTCDay()) {
          wrong.push(`${z.tz} at ${showInstant(now)}: reads ${JSON.stringify(p)}, expected ${read.toISOString()}`);
        }
        const at = zonedTime(...fields(wall), z.tz);
        if (at !== expected(wall, z)) wrong.push(`${z.tz} ${showWall(wall)}: ${showInstant(at)}, expected ${showInstant(expected(wall, z))}`);
        const want = expectedNext(now, hh, mm, z, [day]);
        const waited = nextTimeOfDay(now, hh, mm, z.tz, [WEEKDAYS[day]]);
        if (waited !== want) wrong.push(`${z.tz} after ${showInstant(now)} until ${hh}:${mm} on ${WEEKDAYS[day]}: ${showInstant(waited)}, expected ${showInstant(want)}`);
        const tick = schedule(`${mm} ${hh} * * *`, z.tz, now);
        if (tick !== expectedNext(now, hh, mm, z)) wrong.push(`${z.tz} "${mm} ${hh} * * *" after ${showInstant(now)}: ${showInstant(tick)}`);
      }
    }
    none(wrong);
  });
});

describe('waits until a time of day, around every change of every zone', () => {
  it('00:00, 23:00 and the time a change skips or repeats from noon the day before; that time from just before and just after it; any day or on set weekdays', () => {
    const wrong: string[] = [];
    for (const z of ZONES) {
      for (const c of z.changes) {
        const date = changeDate(c);
        const [h, m] = timeOfDay(middle(c));
        // The day of the change, or the next and two days before: the walk stops on it or skips it.
        const lists = [[weekday(date)], [weekday(date + DAY), weekday(date - 2 * DAY)]];
        const cases: [number, number, number][] = [
          [noonBefore(c), 0, 0], [noonBefore(c), 23, 0], [noonBefore(c), h, m],
          [c.at - MINUTE, h, m], [c.at + MINUTE, h, m],
        ];
        cases.forEach(([now, hh, mm], i) => {
          const say = (got: number, want: number, on = '') =>
            got !== want && wrong.push(`${z.tz} after ${showInstant(now)} until ${hh}:${mm}${on}: ${showInstant(got)}, expected ${showInstant(want)}`);
          say(nextTimeOfDay(now, hh, mm, z.tz), expectedNext(now, hh, mm, z));
          const days = lists[i % 2];
          const names = days.map((d) => WEEKDAYS[d]);
          say(nextTimeOfDay(now, hh, mm, z.tz, names), expectedNext(now, hh, mm, z, days), ` on ${names}`);
        });
        const midnight = nextMidnight(noonBefore(c), z.tz);
        if (midnight !== expectedNext(noonBefore(c), 0, 0, z)) wrong.push(`${z.tz} midnight after ${showInstant(noonBefore(c))}: ${showInstant(midnight)}`);
      }
    }
    none(wrong);
  });
});

describe('cron ticks in a zone, around every change of every zone', () => {
  it('every half hour: each wall time once, a skipped stretch once right after the jump, a repeated hour not again', () => {
    const wrong: string[] = [];
    for (const z of ZONES) {
      for (const c of z.changes) {
        const want = [...new Set(around(c, 30 * MINUTE).map((wall) => expected(wall, z)))].sort((a, b) => a - b);
        const got: number[] = [];
        for (let t: number | null = want[0] - 1; got.length < want.length && t !== null; ) {
          t = schedule('0,30 * * * *', z.tz, t);
          if (t !== null) got.push(t);
        }
        if (got.join() !== want.join()) wrong.push(`${z.tz} near ${showInstant(c.at)}: ${got.map(showInstant).join(' ')}, expected ${want.map(showInstant).join(' ')}`);
      }
    }
    none(wrong);
  });

  it('daily, weekly and twice-daily ticks at the times a change skips or repeats, at midnight and at 23:30: when waits come', () => {
    const wrong: string[] = [];
    for (const z of ZONES) {
      for (const c of z.changes) {
        const [h, m] = timeOfDay(middle(c));
        const [h0, m0] = timeOfDay(c.at + Math.min(c.before, c.after));
        const day = weekday(middle(c));
        const twice = `${m} ${h},${(h + 12) % 24} * * *`;
        const before = noonBefore(c);
        const just = c.at - MINUTE;
        const cases: [string, number, number][] = [
          [`${m} ${h} * * *`, before, expectedNext(before, h, m, z)],
          ['0 0 * * *', before, expectedNext(before, 0, 0, z)],
          ['30 23 * * *', before, expectedNext(before, 23, 30, z)],
          [`${m} ${h} * * ${day}`, before, expectedNext(before, h, m, z, [day])],
          [twice, before, Math.min(expectedNext(before, h, m, z), expectedNext(before, (h + 12) % 24, m, z))],
          // Just before the change, a tick it skips comes right after it (the first skipped minute
          // too), a tick it repeats came already.
          [`${m} ${h} * * *`, just, expectedNext(just, h, m, z)],
          [`${m0} ${h0} * * *`, just, expectedNext(just, h0, m0, z)],
          [twice, just, Math.min(expectedNext(just, h, m, z), expectedNext(just, (h + 12) % 24, m, z))],
        ];
        for (const [cron, now, want] of cases) {
          const got = schedule(cron, z.tz, now);
          if (got !== want) wrong.push(`${z.tz} "${cron}" after ${showInstant(now)}: ${showInstant(got)}, expected ${showInstant(want)}`);
        }
      }
    }
    none(wrong);
  });
});

describe('the cases the bug report named', () => {
  const at = (iso: string) => Date.parse(iso);
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const until = (tz: string, from: string, hh: number, mm = 0, weekdays?: string[]) => iso(nextTimeOfDay(at(from), hh, mm, tz, weekdays));
  const local = (tz: string, y: number, mo: number, d: number, h: number, mi = 0) => iso(zonedTime(y, mo, d, h, mi, tz));
  const ticks = (cron: string, tz: string, from: string, n: number) => {
    const out: (string | null)[] = [];
    for (let t: number | null = at(from); out.length < n && t !== null; ) out.push(iso((t = schedule(cron, tz, t))));
    return out;
  };

  it('New York, 2026-03-08: "until 03:00" to "until 06:00" fire at 03:00 to 06:00 EDT, not an hour late', () => {
    const evening = '2026-03-08T04:00:00Z'; // 23:00 EST the day before
    expect([3, 4, 5, 6].map((h) => until('America/New_York', evening, h))).toEqual([
      '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z', '2026-03-08T09:00:00.000Z', '2026-03-08T10:00:00.000Z',
    ]);
  });

  it('Los Angeles, 2026-03-08: 03:00 to 09:00 are PDT', () => {
    expect([3, 4, 5, 6, 7, 8, 9].map((h) => until('America/Los_Angeles', '2026-03-08T07:00:00Z', h))).toEqual(
      [10, 11, 12, 13, 14, 15, 16].map((h) => `2026-03-08T${h}:00:00.000Z`),
    );
  });

  it('Sydney, Auckland and Chatham on the evening of 2026-04-04: 18:00 and "until 23:00" that evening, at its summer offset', () => {
    // From noon local time on the 4th; their clocks go back at 03:00 (Chatham 03:45) on the 5th.
    expect([18, 23].map((h) => until('Australia/Sydney', '2026-04-04T01:00:00Z', h))).toEqual(['2026-04-04T07:00:00.000Z', '2026-04-04T12:00:00.000Z']);
    expect([18, 23].map((h) => until('Pacific/Auckland', '2026-04-03T23:00:00Z', h))).toEqual(['2026-04-04T05:00:00.000Z', '2026-04-04T10:00:00.000Z']);
    expect([18, 23].map((h) => until('Pacific/Chatham', '2026-04-03T22:15:00Z', h))).toEqual(['2026-04-04T04:15:00.000Z', '2026-04-04T09:15:00.000Z']);
  });

  it('midnight on 2026-04-05 is 00:00 at the summer offset, not 01:00 (Sydney, Auckland, Chatham)', () => {
    expect(iso(nextMidnight(at('2026-04-04T01:00:00Z'), 'Australia/Sydney'))).toBe('2026-04-04T13:00:00.000Z');
    expect(iso(nextMidnight(at('2026-04-03T23:00:00Z'), 'Pacific/Auckland'))).toBe('2026-04-04T11:00:00.000Z');
    expect(iso(nextMidnight(at('2026-04-03T22:15:00Z'), 'Pacific/Chatham'))).toBe('2026-04-04T10:15:00.000Z');
  });

  it('Berlin, 2026-10-25: "until 01:00" fires at 01:00 CEST, not 02:00; the repeated 02:30 is its first time', () => {
    expect(until('Europe/Berlin', '2026-10-24T12:00:00Z', 1)).toBe('2026-10-24T23:00:00.000Z');
    expect(local('Europe/Berlin', 2026, 10, 25, 2, 30)).toBe('2026-10-25T00:30:00.000Z');
  });

  it('a time the clocks skip comes right after the gap: New York 02:30 at 03:00 EDT; Santiago and Havana start the day at 01:00', () => {
    expect(local('America/New_York', 2026, 3, 8, 2, 30)).toBe('2026-03-08T07:00:00.000Z');
    expect(local('America/Santiago', 2026, 9, 6, 0)).toBe('2026-09-06T04:00:00.000Z');
    expect(iso(nextMidnight(at('2026-09-05T16:00:00Z'), 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    expect(iso(nextMidnight(at('2026-03-07T17:00:00Z'), 'America/Havana'))).toBe('2026-03-08T05:00:00.000Z');
  });

  it('Lord Howe, whose clocks move half an hour: 02:15 is skipped to 02:30; a repeated 01:45 comes once', () => {
    expect(local('Australia/Lord_Howe', 2026, 10, 4, 2, 15)).toBe('2026-10-03T15:30:00.000Z');
    expect(local('Australia/Lord_Howe', 2026, 4, 5, 1, 45)).toBe('2026-04-04T14:45:00.000Z');
    // Just after the clocks went back (01:31 again): today's 01:45 came already.
    expect(until('Australia/Lord_Howe', '2026-04-04T15:01:00Z', 1, 45)).toBe('2026-04-05T15:15:00.000Z');
  });

  it('a time skipped late on a Saturday is Saturday\'s, though it comes on Sunday (Nuuk, 2026-03-28, 23:00 → 00:00)', () => {
    expect(until('America/Nuuk', '2026-03-28T12:00:00Z', 23, 30, ['sat'])).toBe('2026-03-29T01:00:00.000Z');
    expect(until('America/Nuuk', '2026-03-28T12:00:00Z', 23, 30, ['sun'])).toBe('2026-03-30T00:30:00.000Z');
  });

  it('a daily tick the clocks skip runs right after the gap, even past midnight; a repeated one runs once', () => {
    expect(ticks('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(ticks('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    // Croner left Saturday's 23:30 out: its gap ends on Sunday.
    expect(ticks('30 23 * * *', 'America/Nuuk', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('ticks at several times a day: not doubled when the clocks go back, not dropped when they go forward', () => {
    expect(ticks('0 1,13 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 3)).toEqual(['2026-10-31T17:00:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T18:00:00.000Z']);
    expect(ticks('30 2,14 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 3)).toEqual(['2026-03-07T19:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T18:30:00.000Z']);
  });

  it('every half hour or hour: once through the repeated hour, once at the end of the gap', () => {
    expect(ticks('*/30 * * * *', 'America/New_York', '2026-11-01T04:00:00Z', 5)).toEqual([
      '2026-11-01T04:30:00.000Z', '2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T07:30:00.000Z',
    ]);
    expect(ticks('*/30 * * * *', 'America/New_York', '2026-03-08T06:00:00Z', 3)).toEqual(['2026-03-08T06:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T07:30:00.000Z']);
    // Troll goes back two hours: 01:00 and 02:00 come once, then 03:00.
    expect(ticks('0 * * * *', 'Antarctica/Troll', '2026-10-24T22:30:00Z', 3)).toEqual(['2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T03:00:00.000Z']);
  });

  it('asked from inside the repeated hour, the next tick is the first time the clock has not shown yet', () => {
    // 01:10 EST, the second pass: 01:30 came at 05:30Z already.
    expect(ticks('*/30 * * * *', 'America/New_York', '2026-11-01T06:10:00Z', 1)).toEqual(['2026-11-01T07:00:00.000Z']);
    expect(ticks('30 * * * * *', 'America/New_York', '2026-11-01T06:10:00Z', 1)).toEqual(['2026-11-01T07:00:30.000Z']);
  });
});
