import { describe, expect, it } from 'vitest';
import { createMap, publishMap } from '../runtime/maps.js';
import { GARBAGE, T0, setup } from './testing.js';

const HOUR = 3_600_000;

/** Opens add 5 points and park the contact on a one-day wait; a "vip" tag sets the stage; company size doubles into score. */
const MAPS = [
  {
    name: 'Opens',
    elements: [
      { id: 'opened', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, ifOnMap: 'move_here', next: 'add' },
      { id: 'add', kind: 'update_field', label: 'Add 5', field: 'score', value: '[Score] + 5', next: 'wait' },
      { id: 'wait', kind: 'wait', label: 'One day', for: { days: 1 }, next: 'done' },
      { id: 'done', kind: 'end' },
    ],
  },
  {
    name: 'Tags and sizes',
    elements: [
      { id: 'tagged', kind: 'trigger', on: { type: 'tag_added', tag: 'vip' }, next: 'stage' },
      { id: 'stage', kind: 'update_field', field: 'lifecycle_stage', value: '"VIP"', next: 'end1' },
      { id: 'end1', kind: 'end' },
      { id: 'sized', kind: 'trigger', on: { type: 'field_updated', field: 'company_size' }, next: 'double' },
      { id: 'double', kind: 'update_field', field: 'score', value: '[Company size] * 2', next: 'end2' },
      { id: 'end2', kind: 'end' },
    ],
  },
];

async function bench() {
  const b = await setup();
  for (const [i, doc] of MAPS.entries()) {
    await createMap(b.rt, doc, `m${i + 1}`);
    await publishMap(b.rt, `m${i + 1}`);
  }
  const snapshot = async () => {
    const ids = await b.store.contactIdsAfter(null, 1_000);
    const contacts = [...(await b.store.loadContacts(ids)).values()].map((c) => ({ ...c, positions: [...c.positions.values()] }));
    return { contacts, history: await b.store.historyAfter(0, 10_000) };
  };
  return { ...b, snapshot };
}

describe('POST /api/contacts', () => {
  it('creates a contact (201) with fields by key or label, tags, dates as ISO, history caused by the API', async () => {
    const { send } = await bench();
    const r = await send('POST', '/api/contacts', { id: 'ann', fields: { Email: 'Ann@Example.com', 'job title': 'CEO', last_activity_at: '2025-12-31T10:00:00Z' }, tags: ['lead'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: 'ann',
      fields: { email: 'Ann@Example.com', job_title: 'CEO', last_activity_at: '2025-12-31T10:00:00.000Z', created_at: '2026-01-01T00:00:00.000Z' },
      tags: ['lead'],
      maps: [],
    });
    const h = await send('GET', '/api/contacts/ann/history');
    expect(h.body.history.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'job_title', 'last_activity_at', 'tags']);
    expect(h.body.history.every((e: { cause: unknown }) => JSON.stringify(e.cause) === '{"api":true,"by":{"kind":"token","id":null,"name":"the start-up token"}}')).toBe(true);
  });

  it('generates an id when none is given', async () => {
    const { send } = await bench();
    const r = await send('POST', '/api/contacts', { fields: {} });
    expect(r.status).toBe(201);
    expect(r.body.id).toMatch(/^id-\d+$/);
  });

  it('updates the contact with the email (200), ignoring case, adding tags; the change fires triggers', async () => {
    const { send } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' }, tags: ['lead'] });
    const r = await send('POST', '/api/contacts', { fields: { email: ' ANN@example.com', company_size: 40 }, tags: ['VIP', 'LEAD'] });
    expect(r.status).toBe(200);
    expect(r.body.id).toBe('ann');
    expect(r.body.tags).toEqual(['VIP', 'lead']);
    // tag_added "vip" (tags match ignoring case) and field_updated company_size both ran.
    expect(r.body.fields).toMatchObject({ email: 'ann@example.com', company_size: 40, score: 80, lifecycle_stage: 'VIP' });
  });

  it('refuses an id that clashes with the email\'s contact, or an existing id, with 409', async () => {
    const { send, snapshot } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
    await send('POST', '/api/contacts', { id: 'bob', fields: {} });
    const before = await snapshot();
    const clash = await send('POST', '/api/contacts', { id: 'bob', fields: { email: 'ann@example.com', company: 'X' } });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toMatch(/belongs to the contact "ann", not to "bob"/);
    const taken = await send('POST', '/api/contacts', { id: 'bob', fields: { company: 'X' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/already exists/);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['an unknown field', { fields: { shoe_size: 42 } }, 400, /Unknown field "shoe_size"/],
    ['a value of the wrong type', { fields: { company_size: 'lots' } }, 400, /Company size is a number field/],
    ['a date that is no date', { fields: { last_activity_at: 'yesterday' } }, 400, /is not a date/],
    ['the system\'s Created field', { fields: { created_at: '2020-01-01T00:00:00Z' } }, 400, /set by the system/],
    ['an object as a value', { fields: { company: { name: 'X' } } }, 400, /fields\.company/],
    ['an unknown key', { fields: {}, extra: 1 }, 400, /Unrecognized key/],
    ['an empty tag', { fields: {}, tags: [' '] }, 400, /a tag is not empty/],
    ['a huge string', { fields: { company: 'x'.repeat(20_000) } }, 400, /at most 10,000 characters/],
    ['an id too long', { id: 'x'.repeat(201), fields: {} }, 400, /at most 200 characters/],
  ])('refuses %s', async (_name, body, status, message) => {
    const { send, snapshot } = await bench();
    const before = await snapshot();
    const r = await send('POST', '/api/contacts', body);
    expect(r.status).toBe(status);
    expect(r.body.error.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });
});

describe('GET, PATCH and DELETE /api/contacts/:id', () => {
  it('shows the maps a contact is on: map name, element, since, due', async () => {
    const { send, clock } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
    clock.set(T0 + HOUR);
    await send('POST', '/api/events', { contact: { id: 'ann' }, type: 'email_opened' });
    const r = await send('GET', '/api/contacts/ann');
    expect(r.status).toBe(200);
    expect(r.body.fields.score).toBe(5);
    expect(r.body.maps).toEqual([{
      mapId: 'm1', mapName: 'Opens', element: 'wait', elementLabel: 'One day',
      since: '2026-01-01T01:00:00.000Z', dueAt: '2026-01-02T01:00:00.000Z', stuck: false,
    }]);
  });

  it('refuses the ids "." and "..", which no URL can name (400)', async () => {
    const { send } = await bench();
    for (const id of ['.', '..']) {
      const r = await send('POST', '/api/contacts', { id, fields: { email: `${id.length}@example.com` } });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/a contact id cannot be "\." or "\.\."/);
    }
    expect((await send('POST', '/api/contacts', { id: '...', fields: {} })).status).toBe(201);
    expect((await send('GET', '/api/contacts/...')).status).toBe(200);
  });

  it('refuses a date past the year 275760 (400), and shows a wait due past it without breaking the contact\'s page', async () => {
    const { send } = await bench();
    await send('POST', '/api/fields', { key: 'renews_at', label: 'Renews', type: 'date' });
    const far = await send('POST', '/api/contacts', { id: 'far', fields: { email: 'far@example.com', renews_at: 1e20 } });
    expect(far.status).toBe(400);
    expect(far.body.error.message).toMatch(/Renews is a date field; 100000000000000000000 is not a date/);
    expect((await send('GET', '/api/contacts/far')).status).toBe(404);
    expect((await send('GET', '/api/contacts')).status).toBe(200);
    // The last day a JS Date holds is a date; a wait one day after it parks past every date.
    expect((await send('POST', '/api/contacts', { id: 'end', fields: { email: 'end@example.com', renews_at: 8.64e15 } })).status).toBe(201);
    await send('POST', '/api/maps?id=renewal', { name: 'Renewal', elements: [
      { id: 'opened', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, next: 'after' },
      { id: 'after', kind: 'wait', until: { field: 'renews_at', offset: { days: 1 } }, next: 'done' },
      { id: 'done', kind: 'end' },
    ] });
    expect((await send('POST', '/api/maps/renewal/publish')).status).toBe(200);
    await send('POST', '/api/events', { contact: { id: 'end' }, type: 'email_opened' });
    const r = await send('GET', '/api/contacts/end');
    expect(r.status).toBe(200);
    expect(r.body.fields.renews_at).toBe('+275760-09-13T00:00:00.000Z');
    expect(r.body.maps).toContainEqual(expect.objectContaining({ mapId: 'renewal', element: 'after', dueAt: null }));
  });

  it('answers 404 for an unknown contact on every route', async () => {
    const { send } = await bench();
    for (const [method, json] of [['GET'], ['PATCH', { fields: { company: 'X' } }], ['DELETE']] as const) {
      const r = await send(method, '/api/contacts/ghost', json);
      expect(r.status).toBe(404);
      expect(r.body.error.message).toBe('No contact with id "ghost"');
    }
    expect((await send('GET', '/api/contacts/ghost/history')).status).toBe(404);
  });

  it('keeps both of two tag changes sent at the same time', async () => {
    const { send } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
    const [one, two] = await Promise.all([
      send('PATCH', '/api/contacts/ann', { addTags: ['webinar'] }),
      send('PATCH', '/api/contacts/ann', { addTags: ['pricing'] }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect((await send('GET', '/api/contacts/ann')).body.tags).toEqual(['pricing', 'webinar']);
  });

  it('changes fields and tags, recording each change as caused by the API and firing triggers', async () => {
    const { send } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' }, tags: ['lead', 'cold'] });
    const r = await send('PATCH', '/api/contacts/ann', { fields: { 'Company size': 12, company: 'Acme' }, addTags: ['vip', 'LEAD'], removeTags: ['COLD'] });
    expect(r.status).toBe(200);
    expect(r.body.tags).toEqual(['lead', 'vip']);
    expect(r.body.fields).toMatchObject({ company: 'Acme', company_size: 12, score: 24, lifecycle_stage: 'VIP' });
    const h = await send('GET', '/api/contacts/ann/history?limit=5');
    const byToken = { api: true, by: { kind: 'token', id: null, name: 'the start-up token' } };
    expect(h.body.history.map((e: { field: string; from: unknown; to: unknown; cause: unknown }) => [e.field, e.from, e.to, e.cause])).toEqual([
      ['lifecycle_stage', null, 'VIP', { map: 'm2', version: 1, element: 'stage' }],
      ['score', null, 24, { map: 'm2', version: 1, element: 'double' }],
      ['tags', ['cold', 'lead'], ['lead', 'vip'], byToken],
      ['company', null, 'Acme', byToken],
      ['company_size', null, 12, byToken],
    ]);
  });

  it('clears a field with null and refuses tags given both ways, a taken email, and garbage', async () => {
    const { send, snapshot, call } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com', company: 'Acme' } });
    await send('POST', '/api/contacts', { id: 'bob', fields: { email: 'bob@example.com' } });
    expect((await send('PATCH', '/api/contacts/ann', { fields: { company: null } })).body.fields.company).toBeUndefined();
    const before = await snapshot();
    const both = await send('PATCH', '/api/contacts/ann', { fields: { tags: ['a'] }, addTags: ['b'] });
    expect(both.status).toBe(400);
    const taken = await send('PATCH', '/api/contacts/ann', { fields: { email: 'BOB@example.com' } });
    expect(taken.status).toBe(409);
    for (const body of [...GARBAGE, ...[{ fields: { company: 'x'.repeat(50_000) } }, { addTags: 'vip' }, { fields: { score: [1] } }].map((b) => JSON.stringify(b))]) {
      const r = await call('/api/contacts/ann', { method: 'PATCH', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, body.slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('deletes a contact (204) with its history', async () => {
    const { send, store } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
    const r = await send('DELETE', '/api/contacts/ann');
    expect(r.status).toBe(204);
    expect((await send('GET', '/api/contacts/ann')).status).toBe(404);
    expect(await store.contactHistory('ann')).toEqual([]);
    // The email is free again.
    expect((await send('POST', '/api/contacts', { fields: { email: 'ann@example.com' } })).status).toBe(201);
  });

  it('answers garbage bodies on POST with a 4xx and changes nothing', async () => {
    const { snapshot, call } = await bench();
    const before = await snapshot();
    for (const body of GARBAGE) {
      const r = await call('/api/contacts', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, body.slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect((await r.json()).error.message).toEqual(expect.any(String));
    }
    expect((await call('/api/contacts', { method: 'POST', body: 'email=a', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses requests without the right token with 401', async () => {
    const { call } = await bench();
    for (const path of ['/api/contacts', '/api/contacts/ann', '/api/contacts/ann/history']) {
      expect((await call(path, {}, null)).status).toBe(401);
      expect((await call(path, {}, 'wrong')).status).toBe(401);
    }
    expect((await call('/api/contacts', { method: 'POST', json: { fields: {} } }, null)).status).toBe(401);
  });
});

describe('GET /api/contacts/:id/history', () => {
  it('explains the score through a published map, newest first, paged, filtered by field', async () => {
    const { send, clock } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
    for (let i = 1; i <= 3; i++) {
      clock.set(T0 + i * HOUR);
      await send('POST', '/api/events', { id: `open-${i}`, contact: { id: 'ann' }, type: 'email_opened' });
    }
    const first = await send('GET', '/api/contacts/ann/history?field=Score&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.history.map((e: { at: string; from: number; to: number }) => [e.at, e.from, e.to])).toEqual([
      ['2026-01-01T03:00:00.000Z', 10, 15],
      ['2026-01-01T02:00:00.000Z', 5, 10],
    ]);
    expect(first.body.history[0].cause).toEqual({ map: 'm1', version: 1, element: 'add' });
    expect(first.body.history[0].id).toEqual(expect.any(Number));
    const second = await send('GET', `/api/contacts/ann/history?field=score&limit=2&before=${first.body.nextBefore}`);
    expect(second.body.history.map((e: { from: unknown; to: unknown }) => [e.from, e.to])).toEqual([[null, 5]]);
    expect(second.body.nextBefore).toBeUndefined();
    // Dates in history are ISO too, and events name themselves as the cause.
    const activity = await send('GET', '/api/contacts/ann/history?field=last_activity_at&limit=1');
    expect(activity.body.history[0]).toMatchObject({ to: '2026-01-01T03:00:00.000Z', cause: { event: { id: 'open-3', type: 'email_opened' } } });
  });

  it('refuses an unknown field, a bad limit and a bad page', async () => {
    const { send } = await bench();
    await send('POST', '/api/contacts', { id: 'ann', fields: {} });
    for (const q of ['field=nope', 'limit=0', 'limit=501', 'limit=ten', 'before=-1', 'colour=red']) {
      const r = await send('GET', `/api/contacts/ann/history?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.message).toEqual(expect.any(String));
    }
  });
});
