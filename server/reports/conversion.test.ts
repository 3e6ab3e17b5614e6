import { describe, expect, it } from 'vitest';
import { conversionByBand, scoredOutcomes, type ConversionOptions } from './conversion.js';
import { DAY, OUTCOMES, T, scenario } from './fixture.js';
import type { Outcome } from './outcomes.js';

const options = (over: Partial<ConversionOptions> = {}): ConversionOptions => ({
  field: 'score', at: T, windowMs: 30 * DAY, outcomes: OUTCOMES as unknown as Outcome[], bands: { kind: 'ranges', edges: [20, 50] }, ...over,
});

describe('conversionByBand', () => {
  it('counts each band from the scores at T and the outcomes in (T, T + window]', async () => {
    const { rt } = await scenario();
    const report = await conversionByBand(rt.store.db, options());
    // Eight contacts existed at T (h came later); a, c, e and g converted: 4 / 8 = 0.5.
    expect(report.total).toEqual({ contacts: 8, converted: 4, rate: 0.5 });
    expect(report).toMatchObject({ field: 'score', at: '2026-01-11T00:00:00.000Z', window: '30d', outcomes: ['purchase', 'customer'] });
    expect(report.bands).toEqual([
      // a (10, bought at T+5d) and b (15): 1 / 2 = 0.5, lift 0.5 / 0.5 = 1.
      { band: '<20', min: null, max: 20, contacts: 2, converted: 1, rate: 0.5, lift: 1 },
      // c (30 at T; became a customer at T+2d) and d (40; bought before T and after the window): 1 / 2.
      { band: '20–50', min: 20, max: 50, contacts: 2, converted: 1, rate: 0.5, lift: 1 },
      // e (70; bought at T+30d), f (55; a customer before T), i (50 set at T): 1 / 3, lift (1/3) / 0.5 = 2/3.
      { band: '≥50', min: 50, max: null, contacts: 3, converted: 1, rate: 1 / 3, lift: 2 / 3 },
      // g had no score and bought at T+3d: 1 / 1, lift 1 / 0.5 = 2.
      { band: 'no score', min: null, max: null, contacts: 1, converted: 1, rate: 1, lift: 2 },
    ]);
  });

  it('counts one kind of outcome at a time, and a shorter window', async () => {
    const { rt } = await scenario();
    const events = await conversionByBand(rt.store.db, options({ outcomes: [OUTCOMES[0] as unknown as Outcome] }));
    // Purchases only: a, e, g (c became a customer but bought nothing).
    expect(events.bands.map((b) => [b.band, b.converted])).toEqual([['<20', 1], ['20–50', 0], ['≥50', 1], ['no score', 1]]);
    const field = await conversionByBand(rt.store.db, options({ outcomes: [OUTCOMES[1] as unknown as Outcome] }));
    // Becoming a customer only: c (f was one already at T).
    expect(field.total).toEqual({ contacts: 8, converted: 1, rate: 0.125 });
    // Four days: a (T+5d) and e (T+30d) fall outside; c (T+2d) and g (T+3d) remain: 2 / 8.
    const short = await conversionByBand(rt.store.db, options({ windowMs: 4 * DAY }));
    expect(short.window).toBe('4d');
    expect(short.total).toEqual({ contacts: 8, converted: 2, rate: 0.25 });
  });

  it('bands by the brackets of a scoring model', async () => {
    const app = await scenario();
    const report = await conversionByBand(app.rt.store.db, options({ bands: { kind: 'brackets', model: 'lead' } }));
    expect(report.bands).toEqual([
      // Low holds a, b, c, d: a and c converted, 2 / 4 = 0.5, lift 1.
      { band: 'Low', min: 0, max: 50, contacts: 4, converted: 2, rate: 0.5, lift: 1 },
      { band: 'High', min: 50, max: null, contacts: 3, converted: 1, rate: 1 / 3, lift: 2 / 3 },
      { band: 'no score', min: null, max: null, contacts: 1, converted: 1, rate: 1, lift: 2 },
    ]);
  });

  it('restricts to the contacts given, and gives each contact\'s score and outcome as SQL', async () => {
    const { rt } = await scenario();
    const only = await conversionByBand(rt.store.db, options({ contacts: ['a', 'b', 'h'] }));
    // h did not exist at T: a and b remain.
    expect(only.total).toEqual({ contacts: 2, converted: 1, rate: 0.5 });
    const rows = await scoredOutcomes(rt.store.db, options()).orderBy('contact_id').execute();
    expect(rows.map((r) => [r.contact_id, r.score === null ? null : Number(r.score), Number(r.converted)])).toEqual([
      ['a', 10, 1], ['b', 15, 0], ['c', 30, 1], ['d', 40, 0], ['e', 70, 1], ['f', 55, 0], ['g', null, 1], ['i', 50, 0],
    ]);
  });

  it('reads the value before a later change when older history is gone, and lift is null when nobody converted', async () => {
    const { rt } = await scenario();
    // History up to T pruned for c (its first value, 30 at T0).
    await rt.store.db.deleteFrom('history').where('contact_id', '=', 'c').where('field', '=', 'score').where('at', '<=', T).execute();
    const rows = await rt.store.db.selectFrom(scoredOutcomes(rt.store.db, options()).as('s')).selectAll().where('s.contact_id', '=', 'c').execute();
    // c's only row left is 30 → 60 at T+1d: at T it held 30.
    expect(Number(rows[0].score)).toBe(30);
    const none = await conversionByBand(rt.store.db, options({ outcomes: [] }));
    expect(none.total.rate).toBe(0);
    expect(none.bands.every((b) => b.lift === null && b.converted === 0)).toBe(true);
  });
});
