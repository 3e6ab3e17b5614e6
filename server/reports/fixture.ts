import { setup, T0 } from '../routes/testing.js';

export const DAY = 86_400_000;
/** The report's moment T: ten days after the clocks start. */
export const T = T0 + 10 * DAY;
export const iso = (ms: number) => new Date(ms).toISOString();

/** The outcomes of the scenario: a purchase (an event), or becoming a customer (a field test). */
export const OUTCOMES = [
  { id: 'purchase', label: 'Bought', event: 'purchase' },
  { id: 'customer', label: 'Became a customer', field: { field: 'lifecycle_stage', op: 'eq', value: 'customer' } },
] as const;

/** A scoring model that only brackets the scores the scenario sets by hand. */
export const MODEL = { id: 'lead', name: 'Lead', field: 'score', rules: [], brackets: [{ name: 'High', min: 50 }, { name: 'Low', min: 0 }] };

type App = Awaited<ReturnType<typeof setup>>;

/**
 * A history built through the API with the manual clock (T = T0 + 10 days, window 30 days), where
 * each contact's score at T and its outcomes are known by hand:
 *
 * | contact | score at T            | outcome in (T, T+30d]                          |
 * |---------|-----------------------|------------------------------------------------|
 * | a       | 10                    | purchase at T+5d: yes                          |
 * | b       | 15 (5 from T+5d)      | none                                           |
 * | c       | 30 (60 only at T+1d)  | lifecycle_stage → "Customer" at T+2d: yes      |
 * | d       | 40                    | purchases at T−1d and T+31d: outside, no       |
 * | e       | 70 (90 until T−2d)    | purchase at T+30d, the window's last instant: yes |
 * | f       | 55                    | a customer since T0 (already true at T): no    |
 * | g       | none                  | purchase at T+3d: yes                          |
 * | i       | 50 (set exactly at T) | none                                           |
 * | h       | created at T+1d: not in the report (purchase at T+2d)                   |
 */
export async function scenario(): Promise<App> {
  const app = await setup();
  const { send, ok } = app;
  const to = (ms: number) => ok(send('POST', '/api/clock/advance', { to: iso(ms) }));
  const create = (id: string, fields: Record<string, unknown>) => ok(send('POST', '/api/contacts', { id, fields }));
  const patch = (id: string, fields: Record<string, unknown>) => ok(send('PATCH', `/api/contacts/${id}`, { fields }));
  const buy = (id: string) => ok(send('POST', '/api/events', { contact: { id }, type: 'purchase', props: { amount: 10, product: 'x' } }));

  // The model on `score` keeps `score_bracket` (High from 50, Low from 0); it has no rules of its own.
  await ok(send('POST', '/api/scoring-models', MODEL));
  for (const [id, score] of [['a', 10], ['b', 15], ['c', 30], ['d', 40], ['e', 90], ['i', 10]] as const) await create(id, { score });
  await create('f', { score: 55, lifecycle_stage: 'customer' });
  await create('g', {});
  await to(T - 2 * DAY);
  await patch('e', { score: 70 });
  await to(T - DAY);
  await buy('d');
  await to(T);
  await patch('i', { score: 50 });
  await to(T + DAY);
  await patch('c', { score: 60 });
  await create('h', { score: 80 });
  await to(T + 2 * DAY);
  await patch('c', { lifecycle_stage: 'Customer' });
  await buy('h');
  await to(T + 3 * DAY);
  await buy('g');
  await to(T + 5 * DAY);
  await buy('a');
  await patch('b', { score: 5 });
  await to(T + 30 * DAY);
  await buy('e');
  await to(T + 31 * DAY);
  await buy('d');
  return app;
}
