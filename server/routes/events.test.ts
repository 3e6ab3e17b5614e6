import { describe, expect, it } from 'vitest';
import { createMap, publishMap } from '../runtime/maps.js';
import { GARBAGE, T0, setup } from './testing.js';

/** Each open adds 5 to the score, then the contact waits a day on the map. */
const OPENS_MAP = {
  name: 'Opens',
  elements: [
    { id: 'opened', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, ifOnMap: 'move_here', next: 'add' },
    { id: 'add', kind: 'update_field', field: 'score', value: '[Score] + 5', next: 'wait' },
    { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'done' },
    { id: 'done', kind: 'end' },
  ],
};

async function bench() {
  const b = await setup();
  await createMap(b.rt, OPENS_MAP, 'opens');
  await publishMap(b.rt, 'opens');
  const post = (json: unknown) => b.send('POST', '/api/events', json);
  /** Everything a request could have changed: contacts, their fields and history, the events. */
  const snapshot = async () => {
    const ids = await b.store.contactIdsAfter(null, 1_000);
    const contacts = [...(await b.store.loadContacts(ids)).values()].map((c) => ({ ...c, positions: [...c.positions.values()] }));
    return { contacts, history: await b.store.historyAfter(0, 10_000), events: await b.store.existingEventIds(['e1', 'e2', 'e3', 'x1']) };
  };
  return { ...b, post, snapshot };
}

describe('POST /api/events', () => {
  it('takes one event, creating the contact its email names', async () => {
    const { post, store } = await bench();
    const r = await post({ contact: { email: 'Ann@Example.com' }, type: 'email_opened' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: 1, duplicates: 0, created: 1 });
    const [id] = await store.contactIdsAfter(null, 10);
    const ann = (await store.loadContacts([id])).get(id)!;
    expect(ann.fields).toMatchObject({ email: 'ann@example.com', score: 5, last_activity_at: T0 });
  });

  it('takes a list, and counts and ignores events whose id was accepted before', async () => {
    const { post, snapshot, store } = await bench();
    const events = [
      { id: 'e1', contact: { email: 'bob@example.com' }, type: 'email_opened', at: '2026-01-01T00:00:00Z' },
      { id: 'e2', contact: { email: 'bob@example.com' }, type: 'email_opened', props: { campaign: 'jan', n: 1, ok: true } },
      { id: 'e2', contact: { email: 'bob@example.com' }, type: 'email_opened' },
    ];
    const first = await post(events);
    expect(first.body).toEqual({ accepted: 2, duplicates: 1, created: 1 });
    const before = await snapshot();
    const again = await post(events);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 3, created: 0 });
    expect(await snapshot()).toEqual(before);
    const [id] = await store.contactIdsAfter(null, 10);
    expect((await store.loadContacts([id])).get(id)!.fields.score).toBe(10); // not 20
  });

  it('refuses an empty list (a client that meant to send something)', async () => {
    const { post } = await bench();
    const r = await post([]);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/send at least one event/);
  });

  it('refuses an event for an unknown contact id with 404, storing nothing of the request', async () => {
    const { post, snapshot } = await bench();
    const before = await snapshot();
    const r = await post([
      { id: 'e1', contact: { email: 'new@example.com' }, type: 'email_opened' },
      { id: 'e2', contact: { id: 'ghost' }, type: 'email_opened' },
    ]);
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/No contact with id "ghost"/);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses more than 10,000 events, asking to split them', async () => {
    const { post, snapshot } = await bench();
    const before = await snapshot();
    const r = await post(Array.from({ length: 10_001 }, () => ({ contact: { email: 'a@example.com' }, type: 'email_opened' })));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/at most 10,000 events in one request: split them/);
    expect(await snapshot()).toEqual(before);
  });

  it('takes 10,000 events in one request', async () => {
    const { post, store } = await bench();
    const events = Array.from({ length: 10_000 }, (_, i) => ({ id: `x${i}`, contact: { email: `u${i % 100}@example.com` }, type: 'page_visited', props: { url: '/p' } }));
    expect((await post(events)).body).toEqual({ accepted: 10_000, duplicates: 0, created: 100 });
    expect(await store.contactCount()).toBe(100);
  });

  it.each([
    ['an unknown event type spelling', { contact: { id: 'a' }, type: 'Email Opened' }, /type: an event type is a lower-case letter/],
    ['a contact named neither by id nor email', { contact: { name: 'Ann' }, type: 'email_opened' }, /contact: name the contact as \{ "id": "…" \} or \{ "email": "…" \}/],
    ['a malformed email', { contact: { email: 'not-an-email' }, type: 'email_opened' }, /contact/],
    ['a time without a zone', { contact: { id: 'a' }, type: 'email_opened', at: '2026-01-01 10:00' }, /at: /],
    ['nested props', { contact: { id: 'a' }, type: 'email_opened', props: { deep: { x: 1 } } }, /props\.deep/],
    ['an unknown key', { contact: { id: 'a' }, type: 'email_opened', when: 'now' }, /Unrecognized key: "when"/],
    ['a bad event inside a list', [{ contact: { id: 'a' }, type: 'email_opened' }, { contact: { id: 'a' } }], /1\.type/],
    ['a list of non-events', [1, 2], /0: /],
    ['a bare string', 'email_opened', /send one event/],
    ['null', null, /send one event/],
  ])('refuses %s with 400 in words', async (_name, body, message) => {
    const { post, snapshot } = await bench();
    const before = await snapshot();
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^The request body is not valid: /);
    expect(r.body.error.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('answers garbage and huge strings with a 4xx, changing nothing', async () => {
    const { snapshot, call } = await bench();
    const before = await snapshot();
    const texts = [...GARBAGE, JSON.stringify({ contact: { id: 'x'.repeat(100_000) }, type: 'email_opened' }), JSON.stringify({ contact: { email: 'a@b.co' }, type: 'e', props: { s: 'x'.repeat(20_000) } })];
    for (const body of texts) {
      const res = await call('/api/events', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const r = { status: res.status, body: await res.json() };
      expect(r.status, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(typeof r.body.error.message).toBe('string');
    }
    expect((await call('/api/events', { method: 'POST', body: '{"contact":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call('/api/events', { method: 'POST', body: 'type=email_opened', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses requests without the right token with 401', async () => {
    const { call } = await bench();
    const json = { contact: { email: 'a@example.com' }, type: 'email_opened' };
    expect((await call('/api/events', { method: 'POST', json }, null)).status).toBe(401);
    expect((await call('/api/events', { method: 'POST', json }, 'wrong')).status).toBe(401);
  });

  it('refuses a body over the size limit with 413', async () => {
    const { call } = await setup({ maxBodyBytes: 1024 });
    const events = Array.from({ length: 50 }, () => ({ contact: { email: 'a@example.com' }, type: 'email_opened' }));
    const r = await call('/api/events', { method: 'POST', json: events });
    expect(r.status).toBe(413);
    expect((await r.json()).error.message).toMatch(/smaller parts/);
  });
});
