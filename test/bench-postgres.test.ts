import { describe, expect, it } from 'vitest';
import { concurrent } from '../bench/concurrent.js';
import { intakeOnPostgres } from '../bench/intake.js';
import { onPostgres, TEST_POSTGRES } from '../server/store/testing.js';

// The benchmark's PostgreSQL figures at a tiny size, so they cannot rot (`test/bench.test.ts` runs
// the rest on SQLite). No timing asserts.
describe.skipIf(!onPostgres)('the benchmark on PostgreSQL', () => {
  it('takes in batches of events and single requests', async () => {
    const r = await intakeOnPostgres(TEST_POSTGRES, 500, 0.2);
    expect(r).toMatchObject({ events: 500, contacts: 100 });
    for (const x of [r.engine, r.singleRequests]) expect(Number.isFinite(x) && x > 0).toBe(true);
  }, 120_000);

  it('serves many clients at once, grouped and a transaction a request', async () => {
    const r = await concurrent({ clients: 4, seconds: 0.3, contacts: 20, postgres: true }, { url: TEST_POSTGRES });
    const pg = r.postgres;
    if (!pg || 'skipped' in pg) throw new Error('the PostgreSQL figures did not run');
    for (const x of [pg.grouped.perSecond, pg.ungrouped.perSecond, pg.single, pg.grouped.p99]) expect(Number.isFinite(x) && x > 0).toBe(true);
    expect(pg.ungrouped.groupSize).toBe(1);
    expect(pg.grouped.fallbacks).toBe(0);
  }, 120_000);
});
