import { describe, expect, it } from 'vitest';
import { createContacts } from '../runtime/contacts.js';
import { createMap, publishMap, saveDraft } from '../runtime/maps.js';
import { GARBAGE, setup } from './testing.js';
import { simulate } from '../simulate.js';

/** Each open adds `points` to the score. */
const opensMap = (points: number) => ({
  name: `Opens +${points}`,
  elements: [
    { id: 'opened', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, next: 'add' },
    { id: 'add', kind: 'update_field', field: 'score', value: `[Score] + ${points}`, next: 'done' },
    { id: 'done', kind: 'end' },
  ],
});

const scenario = (maps: unknown[], expected = 5) => ({
  start: '2026-01-01T00:00:00Z',
  until: '2026-01-02T00:00:00Z',
  maps,
  contacts: [{ id: 'ann', fields: { email: 'ann@example.com', job_title: 'CEO' } }],
  events: [{ contact: { id: 'ann' }, type: 'email_opened', at: '2026-01-01T10:00:00Z' }],
  expect: [{ contact: 'ann', at: '2026-01-01T11:00:00Z', field: 'Score', equals: expected }],
});

async function bench() {
  const b = await setup();
  // A real contact with the same id: the simulation must never touch it.
  await createContacts(b.rt, [{ id: 'ann', fields: { email: 'ann@example.com', score: 100 } }], { api: true });
  await createMap(b.rt, opensMap(5), 'opens');
  await publishMap(b.rt, 'opens');
  const rev = (await b.store.getMap('opens'))!.rev;
  await saveDraft(b.rt, 'opens', opensMap(7), rev);
  const simulate = (body: unknown) => b.send('POST', '/api/simulate', body);
  const untouched = async () => {
    expect(await b.store.contactCount()).toBe(1);
    expect((await b.store.loadContacts(['ann'])).get('ann')!.fields.score).toBe(100);
  };
  return { ...b, simulate, untouched };
}

describe('POST /api/simulate', () => {
  it('runs an inline scenario and answers history, final fields and expectations', async () => {
    const { simulate, untouched } = await bench();
    const r = await simulate(scenario([opensMap(5)]));
    expect(r.status).toBe(200);
    expect(r.body.final.ann).toMatchObject({ email: 'ann@example.com', score: 5, last_activity_at: '2026-01-01T10:00:00.000Z' });
    expect(r.body.expectations).toEqual([expect.objectContaining({ contact: 'ann', field: 'Score', equals: 5, actual: 5, pass: true })]);
    expect(r.body.history).toContainEqual({ contact: 'ann', at: '2026-01-01T10:00:00.000Z', field: 'score', from: null, to: 5, cause: { map: 'map-1', version: 1, element: 'add' } });
    expect(r.body.errors).toEqual([]);
    await untouched();
  });

  it('runs a saved map by id: its draft, or a published version', async () => {
    const { simulate, untouched } = await bench();
    const draft = await simulate(scenario([{ id: 'opens' }], 7));
    expect(draft.status).toBe(200);
    expect(draft.body.final.ann.score).toBe(7);
    expect(draft.body.expectations[0].pass).toBe(true);
    const v1 = await simulate(scenario([{ id: 'opens', version: 1 }], 7));
    expect(v1.body.final.ann.score).toBe(5);
    expect(v1.body.expectations[0]).toMatchObject({ actual: 5, pass: false });
    await untouched();
  });

  it.each([
    ['a map file', [{ file: 'maps/score-cap.json' }], 400, /Map 1: the server does not read files/],
    ['an unknown map id', [{ id: 'nope' }], 404, /Map 1: no map with id "nope"/],
    ['an unknown version', [{ id: 'opens', version: 9 }], 404, /has no published version 9/],
    ['a scoring model declaring a field with a taken label', [], 422, /^Scoring model 1: The label "Score" is already used/,
      [{ id: 'x', name: 'X', field: 'points', fields: [{ key: 'points', label: 'Score', type: 'number' }] }]],
    ['an inline map that cannot be published', [{ name: 'Broken', elements: [{ id: 't', kind: 'trigger', on: { type: 'manual' } }] }], 422, /^Map 1: /],
  ])('refuses %s', async (_name, maps, status, message, scoringModels?: unknown[]) => {
    const { simulate, untouched } = await bench();
    const r = await simulate({ ...scenario(maps), ...(scoringModels ? { scoringModels } : {}) });
    expect(r.status).toBe(status);
    expect(r.body.error.message).toMatch(message);
    await untouched();
  });

  it.each([
    ['a scenario without a start', { ...scenario([]), start: undefined }, /start/],
    ['an end before the start', { ...scenario([]), until: '2025-12-01T00:00:00Z' }, /"until" must not be before "start"/],
    ['an event before the start', { ...scenario([]), events: [{ contact: { id: 'ann' }, type: 'email_opened', at: '2025-01-01T00:00:00Z' }] }, /at or after "start"/],
    ['an unknown key', { ...scenario([]), speed: 2 }, /Unrecognized key: "speed"/],
    // Each would run a loop map for thousands of simulated years: the request would never end.
    ['a span over 10 years', { ...scenario([]), until: '9999-12-31T00:00:00Z' }, /until: "until" is at most 10 years after "start"/],
    ['an event after the end', { ...scenario([]), events: [{ contact: { id: 'ann' }, type: 'email_opened', at: '9999-01-01T00:00:00Z' }] }, /events\.0\.at: is after "until"/],
    ['a declared field with a built-in\'s label', { ...scenario([]), fields: [{ key: 'points', label: 'Score', type: 'number' }] }, /The label "Score" is already used by the field "score"/],
    ['a built-in field redeclared with another type', { ...scenario([]), fields: [{ key: 'score', label: 'Points', type: 'text' }] }, /Field "score" already exists as number/],
    ['an expectation after the end', { ...scenario([]), expect: [{ contact: 'ann', at: '2026-01-03T00:00:00Z', field: 'score', equals: 0 }] }, /expect\.0\.at: is after "until"/],
    ['a map reference with extra keys', scenario([{ id: 'opens', draft: true }]), /maps/],
  ])('refuses %s with 400 in words', async (_name, body, message) => {
    const { simulate, untouched } = await bench();
    const r = await simulate(body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
    await untouched();
  });

  it('answers garbage with a 4xx and touches nothing', async () => {
    const { untouched, call } = await bench();
    for (const body of [...GARBAGE, JSON.stringify({ ...scenario([]), name: 'x'.repeat(100_000) })]) {
      const r = await call('/api/simulate', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, body.slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(typeof (await r.json()).error.message).toBe('string');
    }
    expect((await call('/api/simulate', { method: 'POST', json: scenario([]) }, null)).status).toBe(401);
    expect((await call('/api/simulate', { method: 'POST', json: scenario([]) }, 'wrong')).status).toBe(401);
    await untouched();
  });
});

describe('simulations too large to run', () => {
  const loop = {
    name: 'Every second',
    fields: [{ key: 'ticks', label: 'Ticks', type: 'number' }],
    elements: [
      { id: 't', kind: 'trigger', on: { type: 'contact_created' }, next: 'w' },
      { id: 'w', kind: 'wait', for: { minutes: 1 / 60 }, next: 'u' },
      { id: 'u', kind: 'update_field', field: 'ticks', value: '[ticks] + 1', next: 'g' },
      { id: 'g', kind: 'goto', target: 'w' },
    ],
  };
  const scenario = { start: '2026-01-01T00:00:00Z', until: '2035-12-31T00:00:00Z', maps: [loop], contacts: [{ id: 'ann' }], events: [], expect: [] };

  it('stop at the due-work budget with a 422 in words, and let other work run meanwhile', async () => {
    let others = 0;
    const ticker = setInterval(() => others++, 0);
    try {
      await expect(simulate(scenario, undefined, 5_000)).rejects.toMatchObject({
        status: 422,
        message: expect.stringMatching(/^The scenario is too large to simulate: more than 5,000 steps of due work/),
      });
    } finally {
      clearInterval(ticker);
    }
    // The simulation gave the event loop a turn between its batches: timers ran while it did.
    expect(others).toBeGreaterThan(0);
  });
});
