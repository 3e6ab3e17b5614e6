import { describe, expect, it } from 'vitest';
import { setup, T0 } from '../routes/testing.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** The report's period: [FROM, TO). */
const FROM = T0 + 10 * DAY;
const TO = T0 + 20 * DAY;

/** Brackets the scores set by hand: High from 50, Low from 0. */
const MODEL = { id: 'lead', name: 'Lead', field: 'score', rules: [], brackets: [{ name: 'High', min: 50 }, { name: 'Low', min: 0 }] };

/** A rejected lead's score goes to 0 at the same instant as the verdict (its field_updated trigger fires). */
const RESET_ON_REJECT = {
  name: 'Reset rejected leads',
  elements: [
    { id: 'rejected', kind: 'trigger', on: { type: 'field_updated', field: 'qualification_status', where: { field: 'qualification_status', op: 'eq', value: 'rejected' } }, next: 'zero' },
    { id: 'zero', kind: 'update_field', field: 'score', value: '0', next: 'done' },
    { id: 'done', kind: 'end' },
  ],
};

type App = Awaited<ReturnType<typeof setup>>;

/**
 * Verdicts given through the API with the manual clock, each lead's score just before its verdict
 * known by hand (a rejection resets the score to 0 at the same instant: that must not count):
 *
 * | lead | score then      | verdicts                                                       | band     |
 * |------|-----------------|----------------------------------------------------------------|----------|
 * | a    | 80 (20 later)   | accepted "Good fit" at FROM+1d                                 | High     |
 * | b    | 30              | rejected "No budget" at FROM+1d                                | Low      |
 * | c    | 60              | rejected "No budget" at FROM+2d                                | High     |
 * | d    | 10              | accepted "Good fit" at FROM+2d, rejected "Wrong size" at FROM+3d | Low, Low |
 * | e    | none            | accepted "Referral" at FROM+4d                                 | no score |
 * | f    | 90              | accepted "Good fit" at FROM−1d: before the period              | —        |
 * | g    | 70              | accepted "Good fit" at FROM+5d, then cleared (no verdict)      | High     |
 * | h    | 40              | accepted "Good fit" at TO: the period's end is outside it      | —        |
 */
async function verdicts(): Promise<App> {
  const app = await setup();
  const { send, ok } = app;
  const to = (ms: number) => ok(send('POST', '/api/clock/advance', { to: iso(ms) }));
  const patch = (id: string, fields: Record<string, unknown>) => ok(send('PATCH', `/api/contacts/${id}`, { fields }));
  const judge = (id: string, status: string | null, reason: string | null) => patch(id, { qualification_status: status, qualification_reason: reason });

  await ok(send('POST', '/api/scoring-models', MODEL));
  const map = await ok(send('POST', '/api/maps', RESET_ON_REJECT));
  await ok(send('POST', `/api/maps/${(map.body as { map: { id: string } }).map.id}/publish`, {}));
  for (const [id, score] of [['a', 80], ['b', 30], ['c', 60], ['d', 10], ['f', 90], ['g', 70], ['h', 40]] as const) {
    await ok(send('POST', '/api/contacts', { id, fields: { score } }));
  }
  await ok(send('POST', '/api/contacts', { id: 'e', fields: {} }));
  await to(FROM - DAY);
  await judge('f', 'accepted', 'Good fit');
  await to(FROM + DAY);
  await judge('a', 'accepted', 'Good fit');
  await judge('b', 'rejected', 'No budget');
  await to(FROM + 2 * DAY);
  await patch('a', { score: 20 });
  await judge('c', 'rejected', 'No budget');
  await judge('d', 'accepted', 'Good fit');
  await to(FROM + 3 * DAY);
  await judge('d', 'rejected', 'Wrong size');
  await to(FROM + 4 * DAY);
  await judge('e', 'accepted', 'Referral');
  await to(FROM + 5 * DAY);
  await judge('g', 'accepted', 'Good fit');
  await judge('g', null, null);
  await to(TO);
  await judge('h', 'accepted', 'Good fit');
  return app;
}

describe('GET /api/reports/qualification', () => {
  it('counts the verdicts of the period by the band of each lead\'s score just before its verdict, and by reason, as JSON and CSV', async () => {
    const { send, call } = await verdicts();
    // The verdicts did reset the rejected leads' scores: the report must read the score before.
    expect((await send('GET', '/api/contacts/c')).body.fields.score).toBe(0);
    const r = await send('GET', `/api/reports/qualification?from=${iso(FROM)}&to=${iso(TO)}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // g was accepted at FROM+5d then cleared: the acceptance is a verdict; the clearing is not.
    expect(r.body).toEqual({
      model: 'lead', field: 'score', from: iso(FROM), to: iso(TO),
      total: { verdicts: 7, accepted: 4, rejected: 3, rate: 4 / 7 },
      bands: [
        { band: 'Low', min: 0, max: 50, verdicts: 3, accepted: 1, rejected: 2, rate: 1 / 3 },
        { band: 'High', min: 50, max: null, verdicts: 3, accepted: 2, rejected: 1, rate: 2 / 3 },
        { band: 'no score', min: null, max: null, verdicts: 1, accepted: 1, rejected: 0, rate: 1 },
      ],
      reasons: [
        { status: 'accepted', reason: 'Good fit', count: 3 },
        { status: 'accepted', reason: 'Referral', count: 1 },
        { status: 'rejected', reason: 'No budget', count: 2 },
        { status: 'rejected', reason: 'Wrong size', count: 1 },
      ],
    });

    // Cut points instead of brackets; a period that leaves out the first day.
    const cut = await send('GET', `/api/reports/qualification?modelId=lead&bands=25,75&from=${iso(FROM + 2 * DAY)}&to=${iso(TO)}`);
    expect(cut.body.bands).toEqual([
      { band: '<25', min: null, max: 25, verdicts: 2, accepted: 1, rejected: 1, rate: 0.5 },
      { band: '25–75', min: 25, max: 75, verdicts: 2, accepted: 1, rejected: 1, rate: 0.5 },
      { band: '≥75', min: 75, max: null, verdicts: 0, accepted: 0, rejected: 0, rate: null },
      { band: 'no score', min: null, max: null, verdicts: 1, accepted: 1, rejected: 0, rate: 1 },
    ]);

    const csv = await call(`/api/reports/qualification?from=${iso(FROM)}&to=${iso(TO)}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="sales-feedback-lead-2026-01-11-2026-01-21.csv"');
    expect((await csv.text()).split('\r\n')).toEqual([
      'row,band,min,max,status,reason,verdicts,accepted,rejected,rate',
      `band,Low,0,50,,,3,1,2,${1 / 3}`,
      `band,High,50,,,,3,2,1,${2 / 3}`,
      'band,no score,,,,,1,1,0,1',
      `total,,,,,,7,4,3,${4 / 7}`,
      'reason,,,,accepted,Good fit,3,3,0,',
      'reason,,,,accepted,Referral,1,1,0,',
      'reason,,,,rejected,No budget,2,0,2,',
      'reason,,,,rejected,Wrong size,1,0,1,',
      '',
    ]);
  });

  it('answers an empty report for a period without verdicts, and refuses an unknown model or a bad period in words', async () => {
    const { send } = await verdicts();
    const empty = await send('GET', `/api/reports/qualification?from=${iso(T0)}&to=${iso(T0 + DAY)}`);
    expect(empty.body.total).toEqual({ verdicts: 0, accepted: 0, rejected: 0, rate: null });
    expect(empty.body.bands.map((b: { band: string; verdicts: number }) => [b.band, b.verdicts])).toEqual([['Low', 0], ['High', 0]]);
    expect(empty.body.reasons).toEqual([]);

    const unknown = await send('GET', '/api/reports/qualification?modelId=nope');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toBe('There is no scoring model "nope"; the models are "lead"');
    const backwards = await send('GET', `/api/reports/qualification?from=${iso(TO)}&to=${iso(FROM)}`);
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.message).toMatch(/"from" .* must be before "to"/);
    const bands = await send('GET', '/api/reports/qualification?bands=50,20');
    expect(bands.status).toBe(400);
  });
});
