import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';

type App = Awaited<ReturnType<typeof setup>>;

/** A model writing `field`: 20 points a click, 5 for a CEO, 10 % a day of degradation, High from 20. */
const model = (id: string, field: string, over: Record<string, unknown> = {}) => ({
  id, name: `Model ${id.toUpperCase()}`, field,
  fields: [{ key: field, label: `Score ${id.toUpperCase()}`, type: 'number', decimals: 3 }],
  degradation: { percentPerDay: 10 },
  rules: [
    { id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 20 },
    { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 5 },
  ],
  brackets: [{ name: 'High', min: 20 }, { name: 'Low', min: 0 }],
  ...over,
});

/** Contacts enter when `score_b` changes and stay 30 days. */
const heardMap = {
  name: 'Hears Score B',
  elements: [
    { id: 'changed', kind: 'trigger', on: { type: 'field_updated', field: 'score_b' }, next: 'stay' },
    { id: 'stay', kind: 'wait', for: { days: 30 }, next: 'done' },
    { id: 'done', kind: 'end' },
  ],
};

/** New contacts wait until `score_b` is above 0 and below 15 (a score that decayed). */
const waitingMap = {
  name: 'Waits on Score B',
  elements: [
    { id: 'new', kind: 'trigger', on: { type: 'contact_created' }, next: 'cooled' },
    { id: 'cooled', kind: 'wait', until: { condition: { all: [{ field: 'score_b', op: 'gt', value: 0 }, { field: 'score_b', op: 'lt', value: 15 }] } }, next: 'done' },
    { id: 'done', kind: 'end' },
  ],
};

/** A subscription that hears `score_b` every way it can be heard. */
const listener = { name: 'B listener', url: 'http://127.0.0.1:9/hook', events: ['contact.updated', 'score.changed', 'bracket.changed'], fields: ['score_b'] };

async function ok(t: App, method: string, path: string, body?: unknown) {
  const r = await t.send(method, path, body);
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r.body;
}

async function publish(t: App, doc: unknown): Promise<string> {
  const id = (await ok(t, 'POST', '/api/maps', doc)).map.id as string;
  await ok(t, 'POST', `/api/maps/${id}/publish`);
  return id;
}

/** `[at, from, to]` of a contact's changes of one field, oldest first. */
async function changes(t: App, contact: string, field: string) {
  const rows = await t.store.db.selectFrom('history').select(['at', 'from_json', 'to_json']).where('contact_id', '=', contact).where('field', '=', field).orderBy('id').execute();
  return rows.map((r) => [Number(r.at), r.from_json, r.to_json]);
}

/** Deliveries queued, each as `type field` (the field its change names, or its model's bracket field). */
async function deliveries(t: App) {
  const rows = await t.store.db.selectFrom('webhook_deliveries').select(['type', 'payload_json']).orderBy('seq').execute();
  return rows.map((r) => {
    const p = JSON.parse(r.payload_json) as { change?: { field?: string; model?: string } };
    return `${r.type} ${p.change?.model ?? ''}${p.change?.field ?? ''}`;
  });
}

const positions = (t: App, mapId: string) => t.store.db.selectFrom('positions').select(['contact_id', 'element_id']).where('map_id', '=', mapId).orderBy('contact_id').execute();

/**
 * Model A (a champion) and model B (the same rules on `score_b`), with two maps and a webhook that
 * listen to `score_b`. With B in shadow (written straight into the store: the API refuses a
 * challenger that published maps use, tested below; the engine must hold anyway), B still scores
 * exactly as A does, and nothing hears it. The same run with B a champion is the control.
 */
async function run(shadow: boolean) {
  const t = await setup();
  await ok(t, 'POST', '/api/scoring-models', model('a', 'score_a'));
  await ok(t, 'POST', '/api/scoring-models', model('b', 'score_b'));
  const heard = await publish(t, heardMap);
  const waiting = await publish(t, waitingMap);
  await ok(t, 'POST', '/api/webhooks', listener);
  if (shadow) {
    await t.rt.changeWorld(() => t.store.db.updateTable('scoring_models').set({ doc_json: JSON.stringify(model('b', 'score_b', { shadow: true })) }).where('id', '=', 'b').execute());
  }
  await ok(t, 'POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
  await ok(t, 'POST', '/api/contacts', { id: 'bob', fields: { email: 'bob@example.com', job_title: 'CEO' } });
  await ok(t, 'POST', '/api/events', { contact: { id: 'ann' }, type: 'email_link_clicked' });
  // Three midnights: 20 → 18 → 16.2 → 14.58, which the condition wait is waiting for.
  await ok(t, 'POST', '/api/clock/advance', { to: '2026-01-04T12:00:00Z' });
  return { t, heard, waiting };
}

describe.each([false, true])('model B with shadow: %s', (shadow) => {
  it(shadow
    ? 'scores exactly as the champion does, while a field_updated trigger, a condition wait and a webhook on its field hear nothing'
    : '(the control) is heard by the field_updated trigger, the condition wait and the webhook', async () => {
    const { t, heard, waiting } = await run(shadow);
    for (const who of ['ann', 'bob']) {
      const a = await changes(t, who, 'score_a');
      expect(a.length).toBeGreaterThan(0);
      expect(await changes(t, who, 'score_b')).toEqual(a);
      expect(await changes(t, who, 'score_b_bracket')).toEqual(await changes(t, who, 'score_a_bracket'));
    }
    expect(await changes(t, 'ann', 'score_b')).toEqual([
      [Date.parse('2026-01-01T00:00:00Z'), null, '20'],
      [Date.parse('2026-01-02T00:00:00Z'), '20', '18'],
      [Date.parse('2026-01-03T00:00:00Z'), '18', '16.2'],
      [Date.parse('2026-01-04T00:00:00Z'), '16.2', '14.58'],
    ]);
    const contact = await ok(t, 'GET', '/api/contacts/ann');
    expect(JSON.stringify(contact)).toContain('14.58');

    const sent = await deliveries(t);
    // Model A is heard either way (score.changed hears every model's field, bracket.changed every model).
    expect(sent).toContain('score.changed score_a');
    expect(sent).toContain('bracket.changed ascore_a');
    if (shadow) {
      expect(await positions(t, heard)).toEqual([]);
      // Ann still waits: the decay of score_b woke no one. (Bob's 5 was in the window when he
      // entered: a map that reads a challenger's field sees its value, which is why publishing one is refused.)
      expect(await positions(t, waiting)).toEqual([{ contact_id: 'ann', element_id: 'cooled' }]);
      expect(sent.filter((d) => d.includes('score_b') || d.includes(' b'))).toEqual([]);
    } else {
      expect(await positions(t, heard)).toEqual([{ contact_id: 'ann', element_id: 'stay' }, { contact_id: 'bob', element_id: 'stay' }]);
      // Ann's score decayed into the window (bob's 5 never left it: he went on when he was created).
      expect(await positions(t, waiting)).toEqual([]);
      expect(sent).toContain('contact.updated score_b');
      expect(sent).toContain('score.changed score_b');
      expect(sent).toContain('bracket.changed bscore_b');
    }
  });
});

describe('the rule that keeps a challenger from steering contacts', () => {
  async function withChallenger() {
    const t = await setup();
    await ok(t, 'POST', '/api/scoring-models', model('a', 'score_a'));
    await ok(t, 'POST', '/api/scoring-models', model('b', 'score_b', { shadow: true }));
    return t;
  }

  it('a map that reads a challenger\'s field saves as a draft with the error, and its publish is refused with 422 in words', async () => {
    const t = await withChallenger();
    const made = await t.send('POST', '/api/maps', heardMap);
    expect(made.status).toBe(201);
    const id = made.body.map.id as string;
    const v = await t.send('POST', `/api/maps/${id}/validate`);
    expect(v.body.valid).toBe(false);
    const refused = await t.send('POST', `/api/maps/${id}/publish`);
    expect(refused.status).toBe(422);
    const problem = refused.body.error.details.problems[0];
    expect(problem).toMatchObject({ element: 'changed', severity: 'error' });
    expect(problem.message).toContain('a field of the challenger model "Model B", which runs in shadow: a published map may not read or write a challenger\'s score or bracket');
    expect((await ok(t, 'GET', `/api/maps/${id}`)).map.status).toBe('draft');
    // Writing its bracket is refused the same way.
    const writes = await ok(t, 'POST', '/api/maps', {
      name: 'Writes B', elements: [
        { id: 'new', kind: 'trigger', on: { type: 'contact_created' }, next: 'set' },
        { id: 'set', kind: 'update_field', field: 'score_b_bracket', value: '"High"', next: 'done' },
        { id: 'done', kind: 'end' },
      ],
    });
    expect((await t.send('POST', `/api/maps/${writes.map.id}/publish`)).status).toBe(422);
    // The champion's field publishes.
    await publish(t, { ...heardMap, elements: heardMap.elements.map((e) => (e.id === 'changed' ? { ...e, on: { type: 'field_updated', field: 'score_a' } } : e)) });
  });

  it('a model turns challenger only while no published map and no other model uses its fields; no model scores on a challenger', async () => {
    const t = await setup();
    await ok(t, 'POST', '/api/scoring-models', model('a', 'score_a'));
    await ok(t, 'POST', '/api/scoring-models', model('b', 'score_b'));
    const mapId = await publish(t, waitingMap);
    const refused = await t.send('PUT', '/api/scoring-models/b', model('b', 'score_b', { shadow: true }));
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe('The published map "Waits on Score B" uses Score B: a challenger\'s fields may not be read or written by a published map (it would steer contacts on the challenger\'s say). Change the map to use another field and publish it, or keep this model a champion');
    expect((await ok(t, 'GET', '/api/scoring-models/b')).shadow).toBeUndefined();
    // The map moves to the champion's field: now B may become a challenger.
    const doc = (await ok(t, 'GET', `/api/maps/${mapId}`)).map;
    const moved = JSON.parse(JSON.stringify(waitingMap).replaceAll('score_b', 'score_a'));
    await ok(t, 'PUT', `/api/maps/${mapId}`, { rev: doc.rev, map: moved });
    await ok(t, 'POST', `/api/maps/${mapId}/publish`);
    await ok(t, 'PUT', '/api/scoring-models/b', model('b', 'score_b', { shadow: true }));
    // A model whose rule tests the challenger's bracket is refused.
    const reader = model('c', 'score_c', { rules: [{ id: 'hot', label: 'Hot on B', when: { if: { field: 'score_b_bracket', op: 'eq', value: 'High' } }, points: 5 }] });
    const r = await t.send('POST', '/api/scoring-models', reader);
    expect(r.status).toBe(422);
    expect(r.body.error.message).toContain('A rule tests Score B bracket, a field of the challenger model "Model B": no model may score on a challenger\'s score or bracket');
    // The list says which model is the challenger.
    const list = (await ok(t, 'GET', '/api/scoring-models')).models as { id: string; shadow: boolean }[];
    expect(list.map((m) => [m.id, m.shadow])).toEqual([['a', false], ['b', true]]);
  });

  it('promoted to champion (shadow: false), nothing fires at the switch; its next change triggers like any model', async () => {
    const t = await withChallenger();
    await ok(t, 'POST', '/api/webhooks', listener);
    await ok(t, 'POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
    await ok(t, 'POST', '/api/events', { contact: { id: 'ann' }, type: 'email_link_clicked' });
    expect((await deliveries(t)).filter((d) => d.includes('score_b'))).toEqual([]);
    const before = { history: await changes(t, 'ann', 'score_b'), deliveries: await deliveries(t) };
    expect(before.history).toEqual([[Date.parse('2026-01-01T00:00:00Z'), null, '20']]);

    await ok(t, 'PUT', '/api/scoring-models/b', model('b', 'score_b', { shadow: false }));
    // The switch itself: no history row, no delivery, the value stays.
    expect(await changes(t, 'ann', 'score_b')).toEqual(before.history);
    expect(await deliveries(t)).toEqual(before.deliveries);

    const heard = await publish(t, heardMap);
    await ok(t, 'POST', '/api/events', { contact: { id: 'ann' }, type: 'email_link_clicked' });
    expect(await positions(t, heard)).toEqual([{ contact_id: 'ann', element_id: 'stay' }]);
    expect((await deliveries(t)).filter((d) => d.includes('score_b'))).toEqual(['contact.updated score_b', 'score.changed score_b']);
  });
});
