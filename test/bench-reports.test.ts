import { describe, expect, it } from 'vitest';
import { reports, reportsTable } from '../bench/reports.js';

// The reports benchmark's code paths at a tiny size, so it cannot rot. No timing asserts.
describe('the reports benchmark', () => {
  it('builds its data and asks every report, each answering', async () => {
    const r = await reports(200);
    expect(r).toMatchObject({ n: 200, historyRows: 2_000, events: 600 });
    expect(r.timings.map((t) => t.report)).toEqual([
      'Conversion by band (20, 50, 80)', 'Conversion by bracket', 'Conversion by band, CSV', 'Bracket flow, 30 days', 'Score trends, 30 days', 'Top scoring actions, 30 days',
    ]);
    for (const t of r.timings) expect(Number.isFinite(t.bestMs) && t.bestMs > 0 && t.cpuMs >= 0).toBe(true);
    expect(reportsTable(r)).toContain('Reports, 200 contacts, 2,000 history rows');
  });
});
