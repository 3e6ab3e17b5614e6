import { describe, expect, it } from 'vitest';
import { backtestBench } from '../bench/backtest.js';
import { onPostgres } from '../server/store/testing.js';

// The backtest benchmark's code paths at a tiny size, so it cannot rot. No timing asserts. It builds
// its own SQLite file, so the PostgreSQL half of the suite would only run it again.
describe('the backtest benchmark', () => {
  it.skipIf(onPostgres)('builds stored events set-based and backtests a changed model over them', async () => {
    const r = await backtestBench(200, 5, 3);
    expect(r).toMatchObject({ contacts: 200, days: 5, events: 600 });
    for (const x of [r.setupMs, r.ms, r.eventsPerSecond, r.readMs, r.peakRssMb]) expect(Number.isFinite(x) && x > 0).toBe(true);
    // Clicks give 25 instead of 10 (and the model decays): the draft differs from the stored scores.
    expect(r.changed).toBeGreaterThan(0);
    expect(r.changed).toBeLessThanOrEqual(200);
  }, 60_000);
});
