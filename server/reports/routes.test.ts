import { describe, expect, it } from 'vitest';
import { scoreMap, setup, T0 } from '../routes/testing.js';
import { DAY, OUTCOMES, T, iso, scenario } from './fixture.js';

const HOUR = 3_600_000;
type App = Awaited<ReturnType<typeof setup>>;

/** Sets the scenario's two outcomes (revision 0 → 1). */
async function withOutcomes(app: App) {
  const r = await app.send('PUT', '/api/settings/outcomes', { outcomes: OUTCOMES, rev: 0 });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return app;
}

describe('GET and PUT /api/settings/outcomes', () => {
  it('keeps the outcomes with a revision; a stale revision, an unknown field or a duplicate id changes nothing', async () => {
    const { send } = await setup();
    expect((await send('GET', '/api/settings/outcomes')).body).toEqual({ outcomes: [], rev: 0 });
    const saved = await send('PUT', '/api/settings/outcomes', { outcomes: OUTCOMES, rev: 0 });
    expect(saved.body).toEqual({ outcomes: OUTCOMES, rev: 1 });

    const stale = await send('PUT', '/api/settings/outcomes', { outcomes: [], rev: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/changed since you read them \(revision 1, you sent 0\)/);
    const unknown = await send('PUT', '/api/settings/outcomes', { outcomes: [{ id: 'won', label: 'Won', field: { field: 'deal_stage', op: 'eq', value: 'won' } }], rev: 1 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toBe('Outcome "won": there is no field "deal_stage"');
    const twice = await send('PUT', '/api/settings/outcomes', { outcomes: [OUTCOMES[0], { ...OUTCOMES[0], label: 'Again' }], rev: 1 });
    expect(twice.status).toBe(422);
    expect(twice.body.error.message).toMatch(/Two outcomes have the id "purchase"/);
    const compare = await send('PUT', '/api/settings/outcomes', { outcomes: [{ id: 'x', label: 'X', field: { field: 'lifecycle_stage', op: 'gt', value: 'a' } }], rev: 1 });
    expect(compare.status).toBe(422);
    expect(compare.body.error.message).toMatch(/"gt" compares numbers and dates; "lifecycle_stage" is a text field/);
    const both = await send('PUT', '/api/settings/outcomes', { outcomes: [{ id: 'x', label: 'X', event: 'purchase', field: OUTCOMES[1].field }], rev: 1 });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/either an event type .* or a field test/);
    const extra = await send('PUT', '/api/settings/outcomes', { outcomes: [{ ...OUTCOMES[0], weight: 2 }], rev: 1 });
    expect(extra.status).toBe(400);

    expect((await send('GET', '/api/settings/outcomes')).body).toEqual({ outcomes: OUTCOMES, rev: 1 });
    expect((await send('PUT', '/api/settings/outcomes', { outcomes: [OUTCOMES[0]], rev: 1 })).body).toEqual({ outcomes: [OUTCOMES[0]], rev: 2 });
  });
});

describe('GET /api/reports/conversion', () => {
  it('answers the bands of the hand-computed scenario, by cut points and by a model\'s brackets, as JSON and CSV', async () => {
    const { send, call } = await withOutcomes(await scenario());
    const r = await send('GET', `/api/reports/conversion?field=score&at=${iso(T)}&window=30d&bands=20,50`);
    expect(r.status).toBe(200);
    // The arithmetic is in fixture.ts and conversion.test.ts: 8 contacts at T, a, c, e, g converted.
    expect(r.body).toEqual({
      field: 'score', at: iso(T), window: '30d', outcomes: ['purchase', 'customer'],
      total: { contacts: 8, converted: 4, rate: 0.5 },
      bands: [
        { band: '<20', min: null, max: 20, contacts: 2, converted: 1, rate: 0.5, lift: 1 },
        { band: '20–50', min: 20, max: 50, contacts: 2, converted: 1, rate: 0.5, lift: 1 },
        { band: '≥50', min: 50, max: null, contacts: 3, converted: 1, rate: 1 / 3, lift: 2 / 3 },
        { band: 'no score', min: null, max: null, contacts: 1, converted: 1, rate: 1, lift: 2 },
      ],
    });
    // By the model's brackets (its field by default), purchases only: Low = a, b, c, d (a bought), High = e, f, i (e bought).
    const brackets = await send('GET', `/api/reports/conversion?model=lead&at=${iso(T)}&outcomes=purchase`);
    expect(brackets.body.outcomes).toEqual(['purchase']);
    expect(brackets.body.total).toEqual({ contacts: 8, converted: 3, rate: 3 / 8 });
    expect(brackets.body.bands.map((b: { band: string; converted: number; contacts: number }) => [b.band, b.contacts, b.converted])).toEqual([
      ['Low', 4, 1], ['High', 3, 1], ['no score', 1, 1],
    ]);
    // No `at`: now − window. Now is T+31d, so T+1d: h (80, created then) joins and c is at 60, in High.
    const late = await send('GET', '/api/reports/conversion?field=score&bands=50');
    expect(late.body.at).toBe(iso(T + DAY));
    expect(late.body.total.contacts).toBe(9);

    const csv = await call(`/api/reports/conversion?field=score&at=${iso(T)}&bands=20,50&format=csv`, { method: 'GET' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="conversion-score-2026-01-11-30d.csv"');
    expect(await csv.text()).toBe([
      'band,min,max,contacts,converted,rate,lift',
      '<20,,20,2,1,0.5,1',
      '20–50,20,50,2,1,0.5,1',
      '≥50,50,,3,1,0.3333333333333333,0.6666666666666666',
      'no score,,,1,1,1,2',
      'total,,,8,4,0.5,1',
      '',
    ].join('\r\n'));
  });

  it('refuses in words what it cannot answer', async () => {
    const { send } = await setup();
    const message = async (query: string, status: number) => {
      const r = await send('GET', `/api/reports/conversion?${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      return r.body.error.message as string;
    };
    expect(await message('field=score', 422)).toMatch(/No outcomes are set yet: .*PUT \/api\/settings\/outcomes/);
    await withOutcomes({ send } as App);
    expect(await message('field=nope', 422)).toBe('There is no field "nope"');
    expect(await message('field=email', 422)).toBe('"Email" is a text field: reports of scores need a number field (like a scoring model\'s score)');
    expect(await message('', 400)).toMatch(/^Name the field/);
    expect(await message('field=score&window=thirty', 400)).toMatch(/"thirty" is not a duration: .*like 30d/);
    expect(await message('field=score&at=2027-01-01T00:00:00Z', 422)).toMatch(/"at" \(2027-01-01T00:00:00.000Z\) is in the future/);
    expect(await message('field=score&at=yesterday', 400)).toMatch(/"at" is not a time/);
    expect(await message('field=score&bands=50,20', 400)).toMatch(/"bands" must go up: 50 is followed by 20/);
    expect(await message('field=score&outcomes=won', 422)).toBe('There is no outcome "won"; the outcomes are "purchase", "customer"');
    expect(await message('model=nope', 422)).toBe('There is no scoring model "nope"');
  });
});

describe('GET /api/reports/bracket-flow', () => {
  it('counts the moves between the model\'s brackets in the period, with the median days each took', async () => {
    const { send, call } = await scenario();
    // At T0 six contacts entered Low (a, b, c, d, g, i) and two High (e 90, f 55). i moved Low → High at T
    // (10 days after T0), c at T+1d (11 days): median (10 + 11) / 2 = 10.5. h entered High at T+1d.
    const all = await send('GET', `/api/reports/bracket-flow?model=lead&from=${iso(T0)}`);
    expect(all.body).toEqual({
      model: 'lead', from: iso(T0), to: iso(T + 31 * DAY), brackets: ['High', 'Low'],
      moves: [
        { from: null, to: 'High', contacts: 3, medianDays: null },
        { from: null, to: 'Low', contacts: 6, medianDays: null },
        { from: 'Low', to: 'High', contacts: 2, medianDays: 10.5 },
      ],
    });
    // From T+12h: c's move and h's first bracket remain; c's time is still counted from T0.
    const part = await send('GET', `/api/reports/bracket-flow?model=lead&from=${iso(T + 12 * HOUR)}&to=${iso(T + 2 * DAY)}`);
    expect(part.body.moves).toEqual([{ from: null, to: 'High', contacts: 1, medianDays: null }, { from: 'Low', to: 'High', contacts: 1, medianDays: 11 }]);
    const csv = await call(`/api/reports/bracket-flow?model=lead&from=${iso(T0)}&format=csv`, { method: 'GET' });
    expect(await csv.text()).toBe('from,to,contacts,median_days\r\n,High,3,\r\n,Low,6,\r\nLow,High,2,10.5\r\n');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="bracket-flow-lead-2026-01-01-2026-02-11.csv"');
    const bad = await send('GET', `/api/reports/bracket-flow?model=lead&from=${iso(T)}&to=${iso(T - DAY)}`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/"from" \(2026-01-11T00:00:00.000Z\) must be before "to"/);
  });
});

describe('GET /api/reports/trends', () => {
  it('compares each contact\'s score now with its score N days ago', async () => {
    const { send, call } = await scenario();
    // Now is T+31d; 31 days ago is T. Eight contacts existed then; g has no score: 7 compared.
    // c 30 → 60 rose; b 15 → 5 fell; a, d, e, f, i stayed.
    expect((await send('GET', '/api/reports/trends?field=score&days=31')).body).toEqual({ field: 'score', days: 31, rose: 1, fell: 1, same: 5, contacts: 7 });
    // 40 days ago is T0+1d: also e 90 → 70 fell and i 10 → 50 rose.
    expect((await send('GET', '/api/reports/trends?field=score&days=40')).body).toEqual({ field: 'score', days: 40, rose: 2, fell: 2, same: 3, contacts: 7 });
    const csv = await call('/api/reports/trends?field=score&days=40&format=csv', { method: 'GET' });
    expect(await csv.text()).toBe('field,days,rose,fell,same,contacts\r\nscore,40,2,2,3,7\r\n');
    const bad = await send('GET', '/api/reports/trends?field=score&days=0');
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toBe('"days" is a whole number of days from 1 to 3650 (got "0")');
  });
});

describe('GET /api/reports/top-actions', () => {
  it('sums the points per rule and per map element in the period, with counts', async () => {
    const { send, call, rt } = await setup();
    const model = {
      id: 'eng', name: 'Engagement', field: 'score',
      rules: [
        { id: 'open', label: 'Opened an email', when: { event: 'email_opened' }, points: 5 },
        { id: 'visit', label: 'Visited pricing', when: { event: 'page_visited' }, points: 8 },
      ],
    };
    expect((await send('POST', '/api/scoring-models', model)).status).toBe(201);
    const map = (await send('POST', '/api/maps?id=clicks', scoreMap())).body.map.id as string;
    expect((await send('POST', `/api/maps/${map}/publish`)).status).toBe(200);
    for (const id of ['x', 'y']) expect((await send('POST', '/api/contacts', { id, fields: {} })).status).toBeLessThan(300);
    await send('POST', '/api/clock/advance', { to: iso(T0 + HOUR) });
    const events = [['x', 'email_opened'], ['x', 'page_visited'], ['y', 'email_opened'], ['x', 'email_link_clicked']];
    for (const [id, type] of events) expect((await send('POST', '/api/events', { contact: { id }, type, ...(type === 'page_visited' ? { props: { url: '/pricing' } } : {}) })).status).toBe(200);
    // The map waits a day after the click, then takes 2 points: at T0 + 1h + 1d.
    await send('POST', '/api/clock/advance', { to: iso(T0 + DAY + 2 * HOUR) });
    expect(await rt.store.loadContacts(['x']).then((m) => m.get('x')?.fields.custom_lead_score)).toBe(3);

    // The model's field: 5 + 5 from "open" (x and y), 8 from "visit".
    const scores = await send('GET', `/api/reports/top-actions?from=${iso(T0)}`);
    expect(scores.body).toEqual({
      from: iso(T0), to: iso(T0 + DAY + 2 * HOUR),
      rows: [
        { kind: 'rule', model: 'eng', rule: 'open', label: 'Opened an email', points: 10, count: 2 },
        { kind: 'rule', model: 'eng', rule: 'visit', label: 'Visited pricing', points: 8, count: 1 },
      ],
    });
    // The map's field: +5 at the click, −2 a day later.
    const elements = await send('GET', `/api/reports/top-actions?from=${iso(T0)}&field=custom_lead_score`);
    expect(elements.body.rows).toEqual([
      { kind: 'element', map: 'clicks', element: 'add5', label: "map 'Custom Lead Score': add5", points: 5, count: 1 },
      { kind: 'element', map: 'clicks', element: 'decay', label: "map 'Custom Lead Score': decay", points: -2, count: 1 },
    ]);
    // Before the decay: only the click.
    const early = await send('GET', `/api/reports/top-actions?from=${iso(T0)}&to=${iso(T0 + DAY)}&field=custom_lead_score`);
    expect(early.body.rows.map((r: { element: string; points: number }) => [r.element, r.points])).toEqual([['add5', 5]]);
    const csv = await call(`/api/reports/top-actions?from=${iso(T0)}&format=csv`, { method: 'GET' });
    expect(await csv.text()).toBe('kind,model,rule,map,element,label,points,count\r\nrule,eng,open,,,Opened an email,10,2\r\nrule,eng,visit,,,Visited pricing,8,1\r\n');
  });
});
