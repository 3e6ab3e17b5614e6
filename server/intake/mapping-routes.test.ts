import { describe, expect, it } from 'vitest';
import { GARBAGE, setup } from '../routes/testing.js';

/** An app with a custom `plan` field and an ingest key; `v1` posts as Segment's libraries do (HTTP Basic). */
async function intake() {
  const t = await setup();
  expect((await t.send('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'text' })).status).toBe(201);
  const key = (await t.send('POST', '/api/keys', { name: 'Segment', scope: 'ingest' })).body.secret as string;
  const v1 = async (route: string, body: unknown) => {
    const r = await t.app.request(`/v1/${route}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
    });
    return { status: r.status, body: await r.json() };
  };
  const events = async () => (await t.store.db.selectFrom('events').select(['id', 'type']).orderBy('id').execute()).map((e) => `${e.id}:${e.type}`);
  const contacts = async () => (await t.send('GET', '/api/contacts?limit=100')).body.contacts as { id: string; fields: Record<string, unknown> }[];
  return { ...t, key, v1, events, contacts };
}

const TABLE = { events: { 'Webinar Joined': 'webinar_attended', Heartbeat: '' }, traits: { plan_name: 'plan', 'company.tier': 'plan', nickname: '' } };

describe('/api/intake/mapping: the user\'s own names', () => {
  it('starts empty, says which fields no trait may write and which standard names need no row', async () => {
    const t = await intake();
    const r = await t.send('GET', '/api/intake/mapping');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ events: {}, traits: {}, problems: [], standardEvents: expect.objectContaining({ order_completed: 'purchase' }) });
    expect(r.body.protectedFields).toEqual(expect.arrayContaining(['score', 'external_id', 'anonymous_id', 'tags']));
    expect(r.body.rev).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is kept once saved, and /v1 records and writes by it at once', async () => {
    const t = await intake();
    const saved = await t.send('PUT', '/api/intake/mapping', { ...TABLE, events: { ...TABLE.events, '  Demo Booked ': 'demo_requested' } });
    expect(saved.status).toBe(200);
    const got = (await t.send('GET', '/api/intake/mapping')).body;
    expect(got).toMatchObject({ events: { 'Webinar Joined': 'webinar_attended', Heartbeat: '', 'Demo Booked': 'demo_requested' }, traits: TABLE.traits, rev: saved.body.rev, problems: [] });

    // Another spelling of a name in the table is caught by it too; an ignored event names its person and records nothing.
    expect((await t.v1('batch', { batch: [
      { type: 'track', userId: 'u-1', event: 'webinarJoined', messageId: 'm-1' },
      { type: 'track', userId: 'u-1', event: 'Heartbeat', messageId: 'm-2' },
      { type: 'track', userId: 'u-1', event: 'Demo Booked', messageId: 'm-3' },
      { type: 'identify', userId: 'u-1', traits: { email: 'ann@example.com', plan_name: 'Pro', nickname: 'Annie', first_name: 'Ann' }, messageId: 'm-4' },
    ] })).status).toBe(200);
    expect(await t.events()).toEqual(['m-1:webinar_attended', 'm-3:demo_requested']);
    const [ann] = await t.contacts();
    expect(ann.fields).toMatchObject({ external_id: 'u-1', email: 'ann@example.com', plan: 'Pro', first_name: 'Ann' });
    // A dotted path maps a nested trait.
    expect((await t.v1('identify', { userId: 'u-2', traits: { company: { tier: 'Gold' } } })).status).toBe(200);
    expect((await t.contacts()).find((c) => c.fields.external_id === 'u-2')!.fields.plan).toBe('Gold');

    // An emptied table: names go back to the defaults.
    expect((await t.send('PUT', '/api/intake/mapping', { events: {}, traits: {} })).status).toBe(200);
    await t.v1('track', { userId: 'u-1', event: 'Webinar Joined', messageId: 'm-5' });
    expect(await t.events()).toContain('m-5:webinar_joined');
  });

  it('refuses a bad table in words naming each row, and keeps the saved one', async () => {
    const t = await intake();
    const first = await t.send('PUT', '/api/intake/mapping', TABLE);
    const bad = await t.send('PUT', '/api/intake/mapping', {
      events: { 'Webinar Joined': 'Webinar Attended', 'Signed Up': 'signup', 'signed_up': 'signup_2', '': 'x' },
      traits: { plan: 'planz', tier: 'Plan', points: 'score', ok: 'plan', labels: 'tags' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^The mapping is not saved: Event "Webinar Joined" → "Webinar Attended": not an event type .*; write it as "webinar_attended" \(and 6 more\)$/);
    expect(bad.body.error.details.problems).toEqual([
      { table: 'events', name: 'Webinar Joined', message: expect.stringContaining('write it as "webinar_attended"') },
      { table: 'events', name: 'signed_up', message: 'Event "signed_up" is the same name as "Signed Up" (case, spaces and punctuation aside): keep one row' },
      { table: 'events', name: '', message: expect.stringContaining('Event row with no name') },
      { table: 'traits', name: 'plan', message: expect.stringContaining('there is no field "planz"') },
      { table: 'traits', name: 'tier', message: 'Trait "tier" → "Plan": that is a field\'s label; use its key "plan"' },
      { table: 'traits', name: 'points', message: expect.stringMatching(/^Trait "points" → "score": Score is kept by Scoremap and no trait writes it/) },
      { table: 'traits', name: 'labels', message: expect.stringContaining('is kept by Scoremap') },
    ]);
    const after = await t.send('GET', '/api/intake/mapping');
    expect(after.body).toMatchObject({ events: TABLE.events, traits: TABLE.traits, rev: first.body.rev });

    const many = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`Event ${i}`, `event_${i}`]));
    const tooMany = await t.send('PUT', '/api/intake/mapping', { events: many, traits: {} });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('The event table has 501 rows; it holds at most 500');
    expect((await t.send('PUT', '/api/intake/mapping', { events: Object.fromEntries(Object.entries(many).slice(0, 500)), traits: {} })).status).toBe(200);

    for (const body of [{ events: { a: 5 }, traits: {} }, { events: [], traits: {} }, { events: {}, traits: 'plan' }, { events: {}, traits: {}, extra: 1 }, { events: {} }]) {
      const r = await t.send('PUT', '/api/intake/mapping', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toMatch(/^The request body is not valid: /);
    }
    for (const raw of GARBAGE) {
      for (const path of ['/api/intake/mapping', '/api/intake/preview']) {
        const r = await t.call(path, { method: path.endsWith('mapping') ? 'PUT' : 'POST', body: raw, headers: { 'content-type': 'application/json' } });
        expect(r.status, `${path} ${raw.slice(0, 30)}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }
    }
    expect((await t.send('GET', '/api/intake/mapping')).body.events).toHaveProperty('Event 499', 'event_499');
  });

  it('does not overwrite a table saved by someone else since it was read (rev)', async () => {
    const t = await intake();
    const { rev } = (await t.send('GET', '/api/intake/mapping')).body;
    const mine = await t.send('PUT', '/api/intake/mapping', { events: { 'Webinar Joined': 'webinar_attended' }, traits: {}, rev });
    expect(mine.status).toBe(200);
    expect(mine.body.rev).not.toBe(rev);
    const theirs = await t.send('PUT', '/api/intake/mapping', { events: { 'Webinar Joined': 'webinar_seen' }, traits: {}, rev });
    expect(theirs.status).toBe(409);
    expect(theirs.body.error.message).toContain('changed by someone else since you read it');
    expect((await t.send('GET', '/api/intake/mapping')).body.events).toEqual({ 'Webinar Joined': 'webinar_attended' });
    // Two saves from the same rev at once: one is kept, the other told.
    const both = await Promise.all(['a_type', 'b_type'].map((type) => t.send('PUT', '/api/intake/mapping', { events: { X: type }, traits: {}, rev: mine.body.rev })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const kept = both.find((r) => r.status === 200)!.body.events.X;
    expect((await t.send('GET', '/api/intake/mapping')).body.events).toEqual({ X: kept });
  });

  it('is read by read keys, changed by admin keys only, and not seen by ingest keys', async () => {
    const t = await intake();
    const read = (await t.send('POST', '/api/keys', { name: 'Dashboard', scope: 'read' })).body.secret as string;
    expect((await t.call('/api/intake/mapping', {}, read)).status).toBe(200);
    const put = await t.call('/api/intake/mapping', { method: 'PUT', json: TABLE }, read);
    expect(put.status).toBe(403);
    expect((await put.json()).error.message).toBe('This read key cannot change anything: use an admin key for PUT /api/intake/mapping');
    expect((await t.call('/api/intake/preview', { method: 'POST', json: { call: { userId: 'u', event: 'X' } } }, read)).status).toBe(200);
    expect((await t.call('/api/intake/mapping', {}, t.key)).status).toBe(403);
    expect((await t.send('GET', '/api/intake/mapping')).body.events).toEqual({});
  });
});

describe('/api/intake/preview: what a call would become', () => {
  it('translates with the saved table or the one given, says where each type came from, and stores nothing', async () => {
    const t = await intake();
    await t.send('PUT', '/api/intake/mapping', TABLE);
    const call = { userId: 'u-1', event: 'Webinar Joined', properties: { webinar: { title: 'Scoring 101' } }, context: { traits: { email: 'Ann@Example.com', plan_name: 'Pro' } }, timestamp: '2026-01-02T10:00:00Z', messageId: 'm-1' };
    const r = await t.send('POST', '/api/intake/preview', { call });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      accepted: true, method: 'track',
      calls: [{
        where: '', method: 'track', at: '2026-01-02T10:00:00.000Z', who: { userId: 'u-1', email: 'Ann@Example.com' }, contact: null,
        eventName: 'Webinar Joined', typeFrom: 'mapping', event: { id: 'm-1', type: 'webinar_attended', props: { 'webinar.title': 'Scoring 101' } },
        fields: { email: 'Ann@Example.com', plan: 'Pro' },
      }],
    });
    // An unsaved table is tried instead; standard names and snake case say so.
    const tried = await t.send('POST', '/api/intake/preview', {
      mapping: { events: { 'Webinar Joined': '' } },
      call: { batch: [{ ...call, type: 'track' }, { type: 'track', userId: 'u-1', event: 'Order Completed', properties: { revenue: 20 } }, { type: 'track', userId: 'u-1', event: 'Signed Up' }] },
    });
    expect(tried.body.accepted).toBe(true);
    expect(tried.body.calls.map((c: { where: string; typeFrom: string; event?: { type: string } }) => [c.where, c.typeFrom, c.event?.type])).toEqual([
      ['batch[0]', 'mapping', undefined], ['batch[1]', 'standard', 'purchase'], ['batch[2]', 'snake_case', 'signed_up'],
    ]);
    expect(tried.body.calls[1].event.id).toBe('(a new id)');
    expect(await t.events()).toEqual([]);
    expect(await t.contacts()).toEqual([]);
    expect((await t.send('GET', '/api/intake/mapping')).body.events).toEqual(TABLE.events);

    // The table to try is checked as a save would be.
    const bad = await t.send('POST', '/api/intake/preview', { mapping: { traits: { points: 'score' } }, call });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^The mapping to try is not valid: Trait "points" → "score"/);
    expect(bad.body.error.details.problems).toHaveLength(1);
  });

  it('finds the contact a call is about, guesses the call from what it carries, and answers what /v1 would refuse', async () => {
    const t = await intake();
    await t.v1('identify', { userId: 'u-9', anonymousId: 'a-9', traits: { email: 'bo@example.com' } });
    const [bo] = await t.contacts();
    const preview = async (call: unknown, extra: object = {}) => (await t.send('POST', '/api/intake/preview', { call, ...extra })).body;
    expect((await preview({ userId: 'u-9', traits: { plan: 'Team' } })).calls[0]).toMatchObject({ method: 'identify', contact: { id: bo.id, by: 'userId' }, fields: { plan: 'Team' } });
    expect((await preview({ type: 'page', anonymousId: 'x', context: { traits: { email: 'BO@example.com' } } })).calls[0]).toMatchObject({ method: 'page', contact: { id: bo.id, by: 'email' }, event: { type: 'page_visited' } });
    expect((await preview({ anonymousId: 'a-9', groupId: 'g-1', traits: { name: 'Acme' } })).calls[0]).toMatchObject({ method: 'group', contact: { id: bo.id, by: 'anonymousId' }, groupId: 'g-1', fields: { company: 'Acme' } });
    expect((await preview({ previousId: 'a-1', userId: 'u-9' })).calls[0]).toMatchObject({ method: 'alias', alias: { previousId: 'a-1', userId: 'u-9' } });
    expect((await preview({ anonymousId: 'a-new', properties: { url: 'https://x.example/' } }, { method: 'screen' })).calls[0]).toMatchObject({ method: 'screen', contact: null });

    // What /v1 would answer 400 for: said with the path, and the calls that did translate.
    const refused = await preview({ batch: [{ type: 'track', userId: 'u-9', event: 'Ok' }, { type: 'track', userId: 'u-9' }] });
    expect(refused).toMatchObject({ accepted: false, method: 'batch', message: 'batch[1]: a track call needs an "event" name', problems: [{ path: 'batch[1]', message: 'a track call needs an "event" name' }] });
    expect((await preview({ userId: 'u', event: '!!!' })).message).toContain('the event name "!!!" gives no event type');
    const big = await preview({ userId: 'u', event: 'Big', properties: { text: 'x'.repeat(40_000) } });
    expect(big).toMatchObject({ accepted: false, calls: [] });
    expect(big.message).toContain('a call may be at most 32 KB');

    // A paste that is not a call is refused in words.
    for (const [call, words] of [
      [[{ type: 'track' }], 'wrap it as { "batch": [ … ] }'],
      ['track', 'paste a JSON object'],
      [{ userId: 'u' }, 'add "type": "track"'],
      [undefined, 'Give the Segment call to try as "call"'],
    ] as const) {
      const r = await t.send('POST', '/api/intake/preview', call === undefined ? {} : { call });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain(words);
    }
    expect(await t.contacts()).toHaveLength(1);
  });
});
