import { CompiledQuery, sql, type LogEvent } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldValue } from '../../engine/elements/types.js';
import { Store } from './store.js';

const NOW = Date.parse('2026-03-01T00:00:00Z');
const BRACKETS = [{ name: 'High', min: 70 }, { name: 'Medium', min: 40 }, { name: 'Low', min: 0 }];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** A store whose queries can be captured, with contacts `c0, c1, …` holding these scores (null: empty). */
async function withScores(scores: readonly (number | null)[], field = 'score') {
  let capture: CompiledQuery[] | null = null;
  const store = await Store.open(':memory:', { log: (e: LogEvent) => { if (e.level === 'query') capture?.push(e.query); } });
  stores.push(store);
  if (field !== 'score') await store.createFields([{ key: field, label: field, type: 'number', decimals: 3 }], NOW);
  const rows = scores.map((v, i) => ({ id: `c${i}`, fields: (v === null ? {} : { [field]: v }) as Record<string, FieldValue>, tags: [], createdAt: NOW }));
  await store.insertContacts(rows);
  /** Runs `fn`, then replays the queries it sent (all reads) and counts the rows they answer. */
  const rowsRead = async <T>(fn: () => Promise<T>): Promise<{ result: T; queries: CompiledQuery[]; rows: number }> => {
    capture = [];
    const result = await fn();
    const queries = capture;
    capture = null;
    let rows = 0;
    for (const q of queries) rows += (await store.db.executeQuery(q)).rows.length;
    return { result, queries, rows };
  };
  return { store, rowsRead };
}

/** The SPEC §5 formula, by brute force over all scores (empty is 0). */
function expectedRank(scores: readonly (number | null)[], mine: number | null): number {
  const v = mine ?? 0;
  return (100 * scores.filter((s) => (s ?? 0) <= v).length) / scores.length;
}

describe('percentRanks', () => {
  it('is 100 × (contacts with a score ≤ theirs) / contacts: the highest is 100, ties share, unrounded scores differ, empty is 0', async () => {
    const scores = [10, 20, 20, 70.0001, 70.0004, null];
    const { store } = await withScores(scores);
    const ranks = await store.percentRanks('score', ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'nobody']);
    expect(ranks.get('c4')).toBe(100);
    expect(ranks.get('c3')).toBeCloseTo((100 * 5) / 6, 10);
    expect(ranks.get('c1')).toBeCloseTo((100 * 4) / 6, 10);
    expect(ranks.get('c2')).toBe(ranks.get('c1'));
    expect(ranks.get('c0')).toBeCloseTo((100 * 2) / 6, 10);
    expect(ranks.get('c5')).toBeCloseTo(100 / 6, 10);
    expect(ranks.get('nobody')).toBeNull();
  });

  it('counts empty values as 0 below and above negative scores', async () => {
    const scores = [-10, null, 5, -10.5, 0];
    const { store } = await withScores(scores, 'engagement');
    const ranks = await store.percentRanks('engagement', ['c0', 'c1', 'c2', 'c3', 'c4']);
    expect([...ranks.values()]).toEqual(['c0', 'c1', 'c2', 'c3', 'c4'].map((_, i) => expectedRank(scores, scores[i])));
    expect(ranks.get('c1')).toBe(80); // empty = 0: ≤ it are -10, -10.5, itself and the real 0
  });

  it('answers scores as stored, and nothing for no contacts or no ids', async () => {
    const { store } = await withScores([12.345, null]);
    const r = await store.scoreRanks('score', ['c0', 'c1']);
    expect(r.get('c0')).toEqual({ score: 12.345, percentRank: 100 });
    expect(r.get('c1')).toEqual({ score: null, percentRank: 50 });
    expect((await store.scoreRanks('score', [])).size).toBe(0);
    const empty = await withScores([]);
    expect(await empty.store.percentRanks('score', ['x'])).toEqual(new Map([['x', null]]));
  });
});

describe('scoreDistribution', () => {
  it('gives total, mean, median, 10-point bands (the last inclusive) and bracket counts', async () => {
    const { store } = await withScores([null, 5, 15, 15, 39.9995, 40, 72, 100]);
    const d = await store.scoreDistribution('score', BRACKETS, 0, 100);
    expect(d.total).toBe(8);
    expect(d.mean).toBeCloseTo(286.9995 / 8, 10);
    expect(d.median).toBeCloseTo((15 + 39.9995) / 2, 10);
    expect(d.bands.map((b) => [b.from, b.to, b.count])).toEqual([
      [0, 10, 2], [10, 20, 2], [20, 30, 0], [30, 40, 1], [40, 50, 1], [50, 60, 0], [60, 70, 0], [70, 80, 1], [80, 90, 0], [90, 100, 1],
    ]);
    expect(d.brackets).toEqual([{ name: 'High', min: 70, count: 2 }, { name: 'Medium', min: 40, count: 1 }, { name: 'Low', min: 0, count: 5 }]);
  });

  it('takes the median with empty values as 0 among negative ones, for odd and even counts', async () => {
    const odd = await withScores([-20, -5, null, null, 3], 'engagement');
    expect((await odd.store.scoreDistribution('engagement', undefined, -100, 100)).median).toBe(0);
    const even = await withScores([8, null, 3, -20], 'engagement');
    expect((await even.store.scoreDistribution('engagement', undefined, -100, 100)).median).toBe(1.5);
    const low = await withScores([-20, -10, null, 8], 'engagement');
    expect((await low.store.scoreDistribution('engagement', undefined, -100, 100)).median).toBe(-5);
    const one = await withScores([7]);
    expect((await one.store.scoreDistribution('score', undefined, 0, 100)).median).toBe(7);
  });

  it('cuts a range that is not a multiple of 10 short, puts scores outside it in the end bands, and leaves unbracketed scores out', async () => {
    const { store } = await withScores([25, 24.5, -3, 40, 0, null]);
    const d = await store.scoreDistribution('score', [{ name: 'Hot', min: 20 }], 0, 25);
    expect(d.bands).toEqual([{ from: 0, to: 10, count: 3 }, { from: 10, to: 20, count: 0 }, { from: 20, to: 25, count: 3 }]);
    expect(d.brackets).toEqual([{ name: 'Hot', min: 20, count: 3 }]);
    expect(d.bands.reduce((n, b) => n + b.count, 0)).toBe(d.total);
  });

  it('widens bands past 100 of them, and answers an empty set', async () => {
    const { store } = await withScores([]);
    const d = await store.scoreDistribution('score', BRACKETS, 0, 5_000);
    expect(d.bands.length).toBe(100);
    expect(d.bands[0]).toEqual({ from: 0, to: 50, count: 0 });
    expect(d).toMatchObject({ total: 0, mean: null, median: null });
    expect(d.brackets.map((b) => b.count)).toEqual([0, 0, 0]);
  });
});

describe('at 20,000 contacts', () => {
  const N = 20_000;
  // Unrounded, with ties and empty values.
  const scores = Array.from({ length: N }, (_, i) => (i % 17 === 0 ? null : ((i * 7_919) % 100_000) / 1_000));

  it('ranks a page and the distribution from a few rows, along the index, and right', async () => {
    const { store, rowsRead } = await withScores(scores);
    const top = (await store.db.selectFrom('contacts').select('id').orderBy(sql`f_score`, 'desc').orderBy('id').limit(50).execute()).map((r) => r.id);
    const middle = Array.from({ length: 50 }, (_, k) => `c${k * 397}`);
    for (const page of [top, middle]) {
      const { result, queries, rows } = await rowsRead(() => store.percentRanks('score', page));
      // The page's values (50 rows), the total, one count per distinct score: never the 20,000 contacts.
      expect(rows).toBeLessThanOrEqual(50 + 1 + 50 + 1);
      expect(queries.length).toBeLessThanOrEqual(53);
      for (const id of page) expect(result.get(id)).toBeCloseTo(expectedRank(scores, scores[Number(id.slice(1))]), 9);
      // The first count (above the page) and the gaps between its scores: a range of the index each.
      const counts = queries.filter((q) => q.sql.includes('f_score" >'));
      expect(counts.length).toBeGreaterThan(1);
      for (const q of counts.slice(0, 2)) {
        const plan = await store.db.executeQuery(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
        expect(JSON.stringify(plan.rows)).toMatch(/SEARCH contacts USING COVERING INDEX contacts_f_score_idx \(f_score>\?/);
      }
    }
    expect(await store.percentRanks('score', [top[0]])).toEqual(new Map([[top[0], 100]]));

    const { result: d, rows } = await rowsRead(() => store.scoreDistribution('score', BRACKETS, 0, 100));
    expect(rows).toBeLessThanOrEqual(1 + 10 + 3 + 2);
    const values = scores.map((s) => s ?? 0).sort((a, b) => a - b);
    expect(d.total).toBe(N);
    expect(d.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / N, 6);
    expect(d.median).toBe((values[N / 2 - 1] + values[N / 2]) / 2);
    expect(d.bands.map((b) => b.count)).toEqual(d.bands.map((b, i) => values.filter((v) => v >= b.from && (i === 9 ? v <= b.to : v < b.to)).length));
    expect(d.brackets.map((b) => b.count)).toEqual([
      values.filter((v) => v >= 70).length, values.filter((v) => v >= 40 && v < 70).length, values.filter((v) => v < 40).length,
    ]);
  });
});
