import { describe, expect, it } from 'vitest';
import { ScoringModel } from '../../engine/scoring/model.js';
import { FROM, MINUTE, TO, ZONE_NAMES, expectedNext, noonBefore, scan, showInstant } from '../../engine/time-reference.js';
import { nextDecayAfter } from '../scoring/day-run.js';

/**
 * A model's daily degradation runs at 00:00 in its zone (SPEC §5), around every offset change of
 * 2024–2030 in every zone, against a reference made of `Intl.DateTimeFormat` readings only (issue
 * 15: a Sydney model degraded at 01:00 on 2026-04-05, the day its clocks went back).
 */
const model = (timezone?: string, degradation: { percentPerDay: number } | null = { percentPerDay: 3 }) =>
  ScoringModel.parse({ id: 'main', name: 'Main', timezone, degradation: degradation ?? undefined });

describe("a model's degradation", () => {
  it('comes at the next local midnight from noon the day before each change, just before it and just after it, in every zone', () => {
    const wrong: string[] = [];
    for (const z of ZONE_NAMES.map((tz) => scan(tz, FROM, TO))) {
      const m = model(z.tz);
      for (const c of z.changes) {
        for (const now of [noonBefore(c), c.at - MINUTE, c.at + MINUTE]) {
          const got = nextDecayAfter(m, now);
          const want = expectedNext(now, 0, 0, z);
          if (got !== want) wrong.push(`${z.tz} after ${showInstant(now)}: ${showInstant(got)}, expected ${showInstant(want)}`);
        }
      }
    }
    expect(wrong.slice(0, 12)).toEqual([]);
  });

  it('Sydney, 2026-04-05: at 00:00 AEDT (13:00Z), not 01:00; the next day at 00:00 AEST', () => {
    const sydney = model('Australia/Sydney');
    expect(new Date(nextDecayAfter(sydney, Date.parse('2026-04-04T06:00:00Z'))!).toISOString()).toBe('2026-04-04T13:00:00.000Z');
    expect(new Date(nextDecayAfter(sydney, Date.parse('2026-04-04T13:00:00Z'))!).toISOString()).toBe('2026-04-05T14:00:00.000Z');
  });

  it('Santiago and Havana, whose clocks skip midnight: at 01:00 that day', () => {
    expect(new Date(nextDecayAfter(model('America/Santiago'), Date.parse('2026-09-05T16:00:00Z'))!).toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(new Date(nextDecayAfter(model('America/Havana'), Date.parse('2026-03-07T17:00:00Z'))!).toISOString()).toBe('2026-03-08T05:00:00.000Z');
  });

  it('runs at midnight UTC without a zone, and never without a degradation', () => {
    expect(nextDecayAfter(model(), Date.parse('2026-03-08T07:00:00Z'))).toBe(Date.parse('2026-03-09T00:00:00Z'));
    expect(nextDecayAfter(model('Australia/Sydney', null), Date.parse('2026-03-08T07:00:00Z'))).toBe(null);
  });
});
