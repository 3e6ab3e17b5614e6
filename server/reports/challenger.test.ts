import { describe, expect, it } from 'vitest';
import { setup, T0 } from '../routes/testing.js';

type App = Awaited<ReturnType<typeof setup>>;

const DAY = 86_400_000;
/** The report's moment T: ten days after the clocks start. */
const T = T0 + 10 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

/** A model with no rules (the scenario sets its scores by hand), High from 50, Low from 0. */
const model = (id: string, field: string, label: string, over: Record<string, unknown> = {}) => ({
  id, name: label, field, fields: [{ key: field, label, type: 'number', decimals: 3 }], rules: [],
  brackets: [{ name: 'High', min: 50 }, { name: 'Low', min: 0 }], ...over,
});

async function ok(t: App, method: string, path: string, body?: unknown) {
  const r = await t.send(method, path, body);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r.body;
}

/**
 * Six contacts at T with a champion score (`score_c`) and a challenger score (`score_x`, shadow),
 * and who bought in (T, T + 30d]:
 *
 * | contact | champion | challenger | bought in the window            |
 * |---------|----------|------------|---------------------------------|
 * | p1      | 80       | 90         | yes (T + 5d)                    |
 * | p2      | 50       | 70         | yes (T + 5d)                    |
 * | p3      | 20       | 30         | yes (T + 5d)                    |
 * | n1      | 50       | 30         | no (bought at T + 31d, outside) |
 * | n2      | 20       | 30         | no                              |
 * | n3      | 10       | none       | no                              |
 * | late    | created at T + 1d: not in the report (bought at T + 5d)        |
 */
async function scenario(): Promise<App> {
  const t = await setup();
  await ok(t, 'POST', '/api/scoring-models', model('champ', 'score_c', 'Champion score'));
  await ok(t, 'POST', '/api/scoring-models', model('chall', 'score_x', 'Challenger score', { shadow: true }));
  await ok(t, 'PUT', '/api/settings/outcomes', {
    rev: 0, outcomes: [
      { id: 'purchase', label: 'Bought', event: 'purchase' },
      { id: 'customer', label: 'Became a customer', field: { field: 'lifecycle_stage', op: 'eq', value: 'customer' } },
    ],
  });
  const scores: [string, number, number | null][] = [['p1', 80, 90], ['p2', 50, 70], ['p3', 20, 30], ['n1', 50, 30], ['n2', 20, 30], ['n3', 10, null]];
  for (const [id, c, x] of scores) await ok(t, 'POST', '/api/contacts', { id, fields: { score_c: c, ...(x === null ? {} : { score_x: x }) } });
  const to = (ms: number) => ok(t, 'POST', '/api/clock/advance', { to: iso(ms) });
  const buy = (id: string) => ok(t, 'POST', '/api/events', { contact: { id }, type: 'purchase', props: { amount: 10 } });
  await to(T + DAY);
  await ok(t, 'POST', '/api/contacts', { id: 'late', fields: { score_c: 99, score_x: 99 } });
  await to(T + 5 * DAY);
  for (const id of ['p1', 'p2', 'p3', 'late']) await buy(id);
  await to(T + 31 * DAY);
  await buy('n1');
  return t;
}

const query = (extra = '') => `/api/reports/challenger?champion=champ&challenger=chall&at=${iso(T)}&window=30d${extra}`;

describe('GET /api/reports/challenger', () => {
  it('puts both models side by side with each one\'s AUC, worked out by hand with ties', async () => {
    const t = await scenario();
    const r = await ok(t, 'GET', query());
    expect(r.at).toBe(iso(T));
    expect(r.window).toBe('30d');
    // Champion, ranked from the lowest: n3 10 → 1; p3, n2 at 20 → ranks 2 and 3, 2.5 each;
    // p2, n1 at 50 → 4 and 5, 4.5 each; p1 80 → 6. Converters' rank sum R₁ = 6 + 4.5 + 2.5 = 13;
    // AUC = (R₁ − n₁(n₁ + 1)/2) / (n₁ · n₀) = (13 − 6) / (3 · 3) = 7/9.
    // By pairs: p1 beats all three (3), p2 ties n1 and beats two (2.5), p3 ties n2 and beats n3 (1.5): 7 of 9.
    expect(r.champion.model).toBe('champ');
    expect(r.champion.field).toBe('score_c');
    expect(r.champion.auc).toBeCloseTo(7 / 9, 12);
    // Challenger: n3 has no score (counts as 0) → 1; p3, n1, n2 at 30 → ranks 2, 3, 4, 3 each;
    // p2 70 → 5; p1 90 → 6. R₁ = 6 + 5 + 3 = 14; AUC = (14 − 6) / 9 = 8/9: it tells buyers apart better.
    expect(r.challenger.model).toBe('chall');
    expect(r.challenger.field).toBe('score_x');
    expect(r.challenger.auc).toBeCloseTo(8 / 9, 12);

    // Each side by its brackets (High from 50), the same six contacts and three buyers.
    expect(r.champion.conversion.total).toEqual({ contacts: 6, converted: 3, rate: 0.5 });
    expect(r.champion.conversion.bands).toEqual([
      { band: 'Low', min: 0, max: 50, contacts: 3, converted: 1, rate: 1 / 3, lift: 2 / 3 },
      { band: 'High', min: 50, max: null, contacts: 3, converted: 2, rate: 2 / 3, lift: 4 / 3 },
    ]);
    expect(r.challenger.conversion.total).toEqual({ contacts: 6, converted: 3, rate: 0.5 });
    expect(r.challenger.conversion.bands).toEqual([
      { band: 'Low', min: 0, max: 50, contacts: 3, converted: 1, rate: 1 / 3, lift: 2 / 3 },
      { band: 'High', min: 50, max: null, contacts: 2, converted: 2, rate: 1, lift: 2 },
      { band: 'no score', min: null, max: null, contacts: 1, converted: 0, rate: 0, lift: 0 },
    ]);
  });

  it('cuts both at the same points when asked, and answers no AUC when no one converted', async () => {
    const t = await scenario();
    const r = await ok(t, 'GET', query('&bands=25,75'));
    expect(r.champion.conversion.bands.map((b: { band: string; contacts: number; converted: number }) => [b.band, b.contacts, b.converted]))
      .toEqual([['<25', 3, 1], ['25–75', 2, 1], ['≥75', 1, 1]]);
    expect(r.challenger.conversion.bands.map((b: { band: string; contacts: number; converted: number }) => [b.band, b.contacts, b.converted]))
      .toEqual([['<25', 0, 0], ['25–75', 4, 2], ['≥75', 1, 1], ['no score', 1, 0]]);
    // The AUC does not depend on bands.
    expect(r.champion.auc).toBeCloseTo(7 / 9, 12);
    // No one became a customer: no converters, no AUC.
    const none = await ok(t, 'GET', query('&outcomes=customer'));
    expect(none.champion.auc).toBeNull();
    expect(none.challenger.auc).toBeNull();
    expect(none.challenger.conversion.total).toEqual({ contacts: 6, converted: 0, rate: 0 });
    // A window of 32 days holds n1's purchase (T + 31d) too, leaving two non-converters.
    const longer = await ok(t, 'GET', `/api/reports/challenger?champion=champ&challenger=chall&at=${iso(T)}&window=32d`);
    // Champion: converters p1 80, p2 50, p3 20, n1 50; others n2 20, n3 10. Pairs: 80 beats both (2),
    // 50 beats both twice (4), 20 ties n2 and beats n3 (1.5): 7.5 of 8.
    expect(longer.champion.auc).toBeCloseTo(7.5 / 8, 12);
  });

  it('downloads as CSV: each model\'s bands, then its total with its AUC', async () => {
    const t = await scenario();
    const r = await t.call(query('&format=csv'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="challenger-champ-vs-chall-2026-01-11-30d.csv"');
    const lines = (await r.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('role,model,field,band,min,max,contacts,converted,rate,lift,auc');
    expect(lines.slice(1)).toEqual([
      `champion,champ,score_c,Low,0,50,3,1,${1 / 3},${2 / 3},`,
      `champion,champ,score_c,High,50,,3,2,${2 / 3},${4 / 3},`,
      `champion,champ,score_c,total,,,6,3,0.5,1,${7 / 9}`,
      `challenger,chall,score_x,Low,0,50,3,1,${1 / 3},${2 / 3},`,
      'challenger,chall,score_x,High,50,,2,2,1,2,',
      'challenger,chall,score_x,no score,,,1,0,0,0,',
      `challenger,chall,score_x,total,,,6,3,0.5,1,${8 / 9}`,
    ]);
  });

  it('refuses what it cannot answer, in words', async () => {
    const t = await setup();
    await ok(t, 'POST', '/api/scoring-models', model('champ', 'score_c', 'Champion score'));
    const missing = await t.send('GET', '/api/reports/challenger?champion=champ');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('Name both models: ?champion=<model id>&challenger=<model id>');
    const unknown = await t.send('GET', '/api/reports/challenger?champion=champ&challenger=nope');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toContain('There is no scoring model "nope"');
    const same = await t.send('GET', '/api/reports/challenger?champion=champ&challenger=champ');
    expect(same.status).toBe(422);
    expect(same.body.error.message).toContain('name two different models');
    await ok(t, 'POST', '/api/scoring-models', model('chall', 'score_x', 'Challenger score', { shadow: true }));
    const noOutcomes = await t.send('GET', '/api/reports/challenger?champion=champ&challenger=chall');
    expect(noOutcomes.status).toBe(422);
    expect(noOutcomes.body.error.message).toContain('No outcomes are set yet');
  });
});
