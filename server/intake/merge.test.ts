import { describe, expect, it } from 'vitest';
import { Effects } from '../../engine/effects.js';
import { MAX_REQUEST_STEPS, processWork } from '../../engine/cascade.js';
import { createMap, publishMap } from '../runtime/maps.js';
import { setup, T0 } from '../routes/testing.js';
import { findIdsByAnonymousId, recordAnonymousIds } from './identity.js';
import { mergeContacts, MERGE_HISTORY_FIELD } from './merge.js';

type Bench = Awaited<ReturnType<typeof setup>>;
const DAY = 86_400_000;

async function contact(b: Bench, id: string, fields: Record<string, unknown>, tags?: string[]) {
  const r = await b.send('POST', '/api/contacts', { id, fields, ...(tags ? { tags } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

async function events(b: Bench, list: { contact: string; type: string; id?: string }[]) {
  const r = await b.send('POST', '/api/events', list.map((e) => ({ contact: { id: e.contact }, type: e.type, ...(e.id ? { id: e.id } : {}) })));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

const merge = (b: Bench, into: string, body: unknown) => b.send('POST', `/api/contacts/${encodeURIComponent(into)}/merge`, body);

async function history(b: Bench, id: string) {
  const r = await b.send('GET', `/api/contacts/${id}/history?limit=500`);
  expect(r.status).toBe(200);
  return r.body.history as { field: string; from: unknown; to: unknown; cause: Record<string, unknown> }[];
}

/** Everything stored about contacts, to show a refused or dry merge changed nothing. */
async function snapshot(b: Bench) {
  const db = b.store.db;
  const ids = await b.store.contactIdsAfter(null, 1_000);
  const contacts = [...(await b.store.loadContacts(ids)).values()].map((c) => ({ ...c, positions: [...c.positions.values()], rules: [...(c.rules ?? [])] }));
  return {
    contacts,
    history: await db.selectFrom('history').selectAll().orderBy('id').execute(),
    events: await db.selectFrom('events').selectAll().orderBy('id').execute(),
    anonymous: await db.selectFrom('anonymous_ids').selectAll().orderBy('anonymous_id').execute(),
    timers: await db.selectFrom('date_timers').selectAll().orderBy('contact_id').orderBy('element_id').execute(),
    rules: await db.selectFrom('scoring_rule_states').selectAll().orderBy('contact_id').orderBy('rule_id').execute(),
    deliveries: await db.selectFrom('webhook_deliveries').select(['id', 'type', 'contact_id']).orderBy('seq').execute(),
  };
}

/** A model: 5 points a page visit, 10 for a CEO (a condition rule), within 0–100. */
const MODEL = {
  id: 'lead', name: 'Lead score', field: 'score',
  rules: [
    { id: 'visit', label: 'Visited a page', when: { event: 'page_visited' }, points: 5 },
    { id: 'ceo', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'ceo' } }, points: 10 },
  ],
};

describe('merging two contacts', () => {
  it('the master keeps its values and takes the other\'s where it has none, email and external id included; history says why', async () => {
    const b = await setup();
    await contact(b, 'ana', { first_name: 'Ana', company: 'Acme', country: '' });
    await contact(b, 'dup', { email: 'ana@example.com', external_id: 'u-42', first_name: 'Anna', company: 'Other Inc', country: 'PT', job_title: 'CTO' });
    const r = await merge(b, 'ana', { from: 'dup' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.contact.fields).toMatchObject({ first_name: 'Ana', company: 'Acme', email: 'ana@example.com', external_id: 'u-42', country: 'PT', job_title: 'CTO' });
    expect(r.body.merged.fields.map((f: { field: string }) => f.field).sort()).toEqual(['country', 'email', 'external_id', 'job_title']);
    expect(r.body.merged.fields).toContainEqual({ field: 'email', label: 'Email', value: 'ana@example.com' });
    expect(r.body.merged).toMatchObject({ from: 'dup', into: 'ana', anonymous: false });
    // Stored so, and the email finds the master now.
    const read = await b.send('GET', '/api/contacts/ana');
    expect(read.body.fields).toMatchObject({ email: 'ana@example.com', external_id: 'u-42', first_name: 'Ana' });
    expect(await b.store.findIdsByEmail(['ANA@example.com'])).toEqual(new Map([['ana@example.com', 'ana']]));
    const h = await history(b, 'ana');
    const cause = { merge: { from: 'dup', via: 'api' } };
    expect(h.find((e) => e.field === 'email' && e.cause.merge)).toMatchObject({ from: null, to: 'ana@example.com', cause });
    expect(h.find((e) => e.field === MERGE_HISTORY_FIELD)).toMatchObject({ from: 'dup', to: 'ana', cause });
    // A value the master had is never overwritten.
    expect(h.some((e) => e.cause.merge && (e.field === 'first_name' || e.field === 'company'))).toBe(false);
  });

  it('unites the tags, ignoring case', async () => {
    const b = await setup();
    await contact(b, 'ana', { email: 'ana@example.com' }, ['lead', 'VIP']);
    await contact(b, 'dup', { email: 'ana.work@example.com' }, ['vip', 'webinar']);
    const r = await merge(b, 'ana', { from: 'dup' });
    expect(r.body.merged.tagsAdded).toEqual(['webinar']);
    expect((await b.send('GET', '/api/contacts/ana')).body.tags).toEqual(['VIP', 'lead', 'webinar']);
  });

  it('moves the other\'s events and history to the master; the other\'s id answers 404', async () => {
    const b = await setup();
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'dup', { email: 'dup@example.com', job_title: 'CTO' });
    await events(b, [{ contact: 'dup', type: 'email_opened', id: 'e1' }, { contact: 'dup', type: 'page_visited', id: 'e2' }, { contact: 'ana', type: 'email_opened', id: 'e3' }]);
    const dupHistory = await history(b, 'dup');
    const r = await merge(b, 'ana', { from: 'dup' });
    expect(r.body.merged).toMatchObject({ eventsMoved: 2, historyMoved: dupHistory.length });
    const stored = await b.store.db.selectFrom('events').select(['id', 'contact_id']).orderBy('id').execute();
    expect(stored).toEqual([{ id: 'e1', contact_id: 'ana' }, { id: 'e2', contact_id: 'ana' }, { id: 'e3', contact_id: 'ana' }]);
    const h = await history(b, 'ana');
    // The other's rows are the master's now, with their own causes; the merge names who made it.
    const token = { kind: 'token', id: null, name: 'the start-up token' };
    expect(h.filter((e) => e.field === 'job_title').map((e) => [e.from, e.to, e.cause])).toEqual([
      [null, 'CTO', { merge: { from: 'dup', via: 'api', by: token } }],
      [null, 'CTO', { api: true, by: token, mergedFrom: 'dup' }],
    ]);
    // Every moved row says where it came from; the master's own rows do not.
    expect(h.filter((e) => e.cause.mergedFrom === 'dup')).toHaveLength(dupHistory.length);
    expect(h.filter((e) => e.field === 'email' && !e.cause.mergedFrom).map((e) => e.to)).toEqual(['ana@example.com']);
    expect(h.filter((e) => e.field === 'email').map((e) => e.to)).toEqual(['dup@example.com', 'ana@example.com']);

    for (const path of ['/api/contacts/dup', '/api/contacts/dup/history']) {
      const gone = await b.send('GET', path);
      expect(gone.status).toBe(404);
      expect(gone.body.error.message).toBe('No contact with id "dup"');
    }
    // An event id resent after the merge is still a duplicate: the event moved, it was not lost.
    const again = await b.send('POST', '/api/events', [{ id: 'e1', contact: { id: 'ana' }, type: 'email_opened' }]);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('moves the other\'s anonymous ids to the master', async () => {
    const b = await setup();
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'anon', { anonymous_id: 'a-1' });
    await recordAnonymousIds(b.store.db, [{ anonymousId: 'a-1', contactId: 'anon' }, { anonymousId: 'a-2', contactId: 'anon' }, { anonymousId: 'a-3', contactId: 'ana' }], T0);
    expect((await merge(b, 'ana', { from: 'anon' })).status).toBe(200);
    expect(await findIdsByAnonymousId(b.store.db, ['a-1', 'a-2', 'a-3'])).toEqual(new Map([['a-1', 'ana'], ['a-2', 'ana'], ['a-3', 'ana']]));
    expect((await b.send('GET', '/api/contacts/ana')).body.fields.anonymous_id).toBe('a-1');
  });

  it('Last activity is the later of the two', async () => {
    const b = await setup();
    await contact(b, 'ana', { email: 'ana@example.com', last_activity_at: '2025-12-01T00:00:00Z' });
    await contact(b, 'dup', { email: 'dup@example.com', last_activity_at: '2025-12-20T00:00:00Z' });
    await contact(b, 'old', { email: 'old@example.com', last_activity_at: '2025-11-01T00:00:00Z' });
    await merge(b, 'ana', { from: 'dup' });
    await merge(b, 'ana', { from: 'old' });
    expect((await b.send('GET', '/api/contacts/ana')).body.fields.last_activity_at).toBe('2025-12-20T00:00:00.000Z');
  });
});

describe('points in a merge', () => {
  it('an anonymous contact\'s points are added; its condition rules are worked out again on the master, not counted twice', async () => {
    const b = await setup();
    expect((await b.send('POST', '/api/scoring-models', MODEL)).status).toBe(201);
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'anon', { anonymous_id: 'a-1', job_title: 'CEO' });
    await events(b, [{ contact: 'ana', type: 'page_visited' }, { contact: 'anon', type: 'page_visited' }, { contact: 'anon', type: 'page_visited' }]);
    expect((await b.send('GET', '/api/contacts/ana')).body.fields.score).toBe(5);
    expect((await b.send('GET', '/api/contacts/anon')).body.fields.score).toBe(20);
    const r = await merge(b, 'ana', { from: 'anon' });
    expect(r.status).toBe(200);
    // 5 of her own, 10 the visitor earned by visiting, 10 for the job title she takes over.
    expect(r.body.merged.anonymous).toBe(true);
    expect(r.body.merged.score).toEqual({ field: 'score', label: 'Score', before: 5, after: 25, added: 10 });
    expect(r.body.contact.fields.score).toBe(25);
    const rules = await b.store.db.selectFrom('scoring_rule_states').select(['contact_id', 'rule_id', 'points']).execute();
    expect(rules.map((x) => [x.contact_id, x.rule_id, Number(x.points)])).toEqual([['ana', 'ceo', 10]]);
    const h = await history(b, 'ana');
    expect(h.filter((e) => e.field === 'score').slice(0, 2).map((e) => [e.from, e.to, e.cause])).toEqual([
      [15, 25, { scoringModel: 'lead', rule: 'ceo' }],
      [5, 15, { merge: { from: 'anon', via: 'api', by: { kind: 'token', id: null, name: 'the start-up token' } } }],
    ]);
  });

  it('a known contact\'s points are not added: the master keeps its score', async () => {
    const b = await setup();
    expect((await b.send('POST', '/api/scoring-models', MODEL)).status).toBe(201);
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'dup', { email: 'dup@example.com' });
    await contact(b, 'app', { external_id: 'u-7' });
    await events(b, [{ contact: 'ana', type: 'page_visited' }, { contact: 'dup', type: 'page_visited' }, { contact: 'app', type: 'page_visited' }]);
    const byEmail = await merge(b, 'ana', { from: 'dup' });
    expect(byEmail.body.merged).toMatchObject({ anonymous: false, score: { before: 5, after: 5, added: 0 } });
    // Known by an external id alone is known too.
    const byId = await merge(b, 'ana', { from: 'app' });
    expect(byId.body.merged).toMatchObject({ anonymous: false, score: { before: 5, after: 5, added: 0 } });
    expect((await b.send('GET', '/api/contacts/ana')).body.fields.score).toBe(5);
  });

  it('a merge by hand keeps the master\'s score, even of an empty one', async () => {
    const b = await setup();
    await contact(b, 'ana', { email: 'ana@example.com', score: 40 });
    await contact(b, 'dup', { email: 'dup@example.com', score: 70 });
    await contact(b, 'bo', { email: 'bo@example.com' });
    await contact(b, 'bo2', { email: 'bo2@example.com', score: 12 });
    expect((await merge(b, 'ana', { from: 'dup' })).body.merged.score).toEqual({ field: 'score', label: 'Score', before: 40, after: 40, added: 0 });
    expect((await merge(b, 'bo', { from: 'bo2' })).body.merged.score).toMatchObject({ before: null, after: null, added: 0 });
    expect((await b.send('GET', '/api/contacts/bo')).body.fields.score).toBeUndefined();
  });

  it('added points stay within the model\'s bounds', async () => {
    const b = await setup();
    expect((await b.send('POST', '/api/scoring-models', { ...MODEL, max: 30 })).status).toBe(201);
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'anon', { anonymous_id: 'a-1' });
    await events(b, [1, 2, 3, 4].map(() => ({ contact: 'ana', type: 'page_visited' })));
    await events(b, [1, 2, 3, 4].map(() => ({ contact: 'anon', type: 'page_visited' })));
    const r = await merge(b, 'ana', { from: 'anon' });
    expect(r.body.merged.score).toMatchObject({ before: 20, after: 30, added: 20 });
  });
});

describe('maps in a merge', () => {
  const waitMap = {
    name: 'Nurture',
    elements: [
      { id: 'visited', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'hold' },
      { id: 'hold', kind: 'wait', label: 'A day', for: { days: 1 }, next: 'tag' },
      { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['nurtured'], next: 'done' },
      { id: 'done', kind: 'end' },
    ],
  };
  const dateMap = {
    name: 'Quiet',
    elements: [
      { id: 'quiet', kind: 'trigger', on: { type: 'date_reached', field: 'last_activity_at', offset: { days: 30 } }, next: 'done' },
      { id: 'done', kind: 'end' },
    ],
  };

  it('the other\'s wait ends (recorded in the master\'s history) and its timers go; the master\'s own place stays and fires once', async () => {
    const b = await setup();
    const [nurture, quiet] = ['nurture', 'quiet'];
    await createMap(b.rt, waitMap, nurture);
    await createMap(b.rt, dateMap, quiet);
    for (const id of [nurture, quiet]) await publishMap(b.rt, id);
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'dup', { email: 'dup@example.com' });
    await events(b, [{ contact: 'ana', type: 'page_visited' }]);
    await b.send('POST', '/api/clock/advance', { ms: 3_600_000 });
    await events(b, [{ contact: 'dup', type: 'page_visited' }]);
    const stats = async () => (await b.send('GET', `/api/maps/${nurture}/stats`)).body.elements.hold;
    expect((await stats()).hereNow).toBe(2);
    const timersOf = async (id: string) => (await b.store.db.selectFrom('date_timers').select('contact_id').where('contact_id', '=', id).execute()).length;
    expect(await timersOf('dup')).toBe(1);

    const r = await merge(b, 'ana', { from: 'dup' });
    expect(r.body.merged.mapsLeft).toEqual([{ mapId: nurture, mapName: 'Nurture', element: 'hold', elementLabel: 'A day' }]);
    expect(r.body.contact.maps).toEqual([expect.objectContaining({ mapId: nurture, element: 'hold', since: '2026-01-01T00:00:00.000Z' })]);
    expect((await stats()).hereNow).toBe(1);
    expect(await timersOf('dup')).toBe(0);
    const left = (await history(b, 'ana')).find((e) => e.field === `map:${nurture}`);
    expect(left).toEqual(expect.objectContaining({ from: 'hold', to: null, cause: { merge: { from: 'dup', via: 'api', by: { kind: 'token', id: null, name: 'the start-up token' } } } }));

    // A day on: the master's wait fires once; nothing wakes for the merged-away contact.
    expect((await b.send('POST', '/api/clock/advance', { ms: 2 * DAY })).status).toBe(200);
    const after = await b.send('GET', '/api/contacts/ana');
    expect(after.body.tags).toEqual(['nurtured']);
    expect(after.body.maps).toEqual([]);
    expect((await b.send('GET', '/api/contacts/dup')).status).toBe(404);
    expect(await b.store.contactCount()).toBe(1);
    expect((await b.store.db.selectFrom('history').select('contact_id').where('contact_id', '=', 'dup').execute()).length).toBe(0);
  });

  it('a field the master takes over fires its field_updated triggers', async () => {
    const b = await setup();
    const doc = {
      name: 'Company known',
      elements: [
        { id: 'company', kind: 'trigger', on: { type: 'field_updated', field: 'company' }, next: 'stage' },
        { id: 'stage', kind: 'update_field', field: 'lifecycle_stage', value: '"Qualified"', next: 'done' },
        { id: 'done', kind: 'end' },
      ],
    };
    await createMap(b.rt, doc, 'company');
    await publishMap(b.rt, 'company');
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'dup', { email: 'dup@example.com' });
    // Written straight to the store: the other's own change fired nothing, the master's must.
    await b.store.writeContacts([{ id: 'dup', values: { company: 'Acme' } }], T0);
    const r = await merge(b, 'ana', { from: 'dup' });
    expect(r.body.contact.fields).toMatchObject({ company: 'Acme', lifecycle_stage: 'Qualified' });
    const h = await history(b, 'ana');
    expect(h.find((e) => e.field === 'lifecycle_stage')).toMatchObject({ to: 'Qualified', cause: { map: 'company', element: 'stage' } });
  });
});

describe('a dry run and bad input', () => {
  async function pair() {
    const b = await setup();
    expect((await b.send('POST', '/api/scoring-models', MODEL)).status).toBe(201);
    expect((await b.send('POST', '/api/webhooks', { name: 'CRM', url: 'http://127.0.0.1:9/hook', events: ['contact.merged', 'contact.updated', 'contact.deleted'] })).status).toBe(201);
    await contact(b, 'ana', { email: 'ana@example.com', first_name: 'Ana' }, ['lead']);
    await contact(b, 'anon', { anonymous_id: 'a-1', company: 'Acme' }, ['webinar']);
    await recordAnonymousIds(b.store.db, [{ anonymousId: 'a-1', contactId: 'anon' }], T0);
    await events(b, [{ contact: 'ana', type: 'page_visited' }, { contact: 'anon', type: 'page_visited' }, { contact: 'anon', type: 'page_visited' }]);
    return b;
  }

  it('a dry run answers what the merge would do and changes nothing', async () => {
    const b = await pair();
    const before = await snapshot(b);
    const r = await merge(b, 'ana', { from: 'anon', dryRun: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.dryRun).toBe(true);
    expect(r.body.merged).toMatchObject({
      from: 'anon', into: 'ana', anonymous: true, tagsAdded: ['webinar'], eventsMoved: 2, mapsLeft: [],
      score: { before: 5, after: 15, added: 10 },
    });
    expect(r.body.merged.fields).toEqual([
      { field: 'company', label: 'Company', value: 'Acme' }, { field: 'anonymous_id', label: 'Anonymous id', value: 'a-1' },
    ]);
    expect(r.body.contact.fields).toMatchObject({ company: 'Acme', score: 15, first_name: 'Ana' });
    expect(await snapshot(b)).toEqual(before);
    // And the real merge does what the dry run said.
    const real = await merge(b, 'ana', { from: 'anon' });
    expect(real.body.merged).toEqual(r.body.merged);
    expect(real.body.dryRun).toBe(false);
  });

  it('writes a contact.merged delivery with the master as merged, in the merge\'s transaction', async () => {
    const b = await pair();
    await merge(b, 'ana', { from: 'anon' });
    const rows = await b.store.db.selectFrom('webhook_deliveries').select(['type', 'contact_id', 'payload_json']).where('type', '=', 'contact.merged').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].contact_id).toBe('ana');
    const payload = JSON.parse(rows[0].payload_json);
    expect(payload).toMatchObject({ type: 'contact.merged', at: '2026-01-01T00:00:00.000Z', merged: { from: 'anon' } });
    expect(payload.contact).toMatchObject({ id: 'ana', fields: { email: 'ana@example.com', company: 'Acme', score: 15 }, tags: ['lead', 'webinar'] });
    // The fields taken over are updates of the master; the other's end is the merge, not a deletion.
    const types = (await b.store.db.selectFrom('webhook_deliveries').select(['type', 'contact_id']).execute()).filter((d) => d.contact_id !== 'ana' || d.type !== 'contact.updated');
    expect(types.filter((d) => d.type === 'contact.deleted')).toEqual([]);
  });

  it('refuses unknown ids, a contact merged into itself and a body without "from", in words, changing nothing', async () => {
    const b = await pair();
    const before = await snapshot(b);
    const cases: [string, unknown, number, RegExp][] = [
      ['nobody', { from: 'anon' }, 404, /^No contact with id "nobody"$/],
      ['ana', { from: 'nobody' }, 404, /No contact with id "nobody" to merge/],
      ['ana', { from: 'ana' }, 400, /cannot be merged into itself/],
      ['ana', {}, 400, /"from" is missing/],
      ['ana', { from: 42 }, 400, /"from" is a contact id/],
      ['ana', { from: '' }, 400, /not empty/],
      ['ana', { from: 'anon', dryRun: 'yes' }, 400, /dryRun/],
      ['ana', { from: 'anon', into: 'x' }, 400, /into/],
    ];
    for (const [into, body, status, message] of cases) {
      const r = await merge(b, into, body);
      expect([r.status, r.body.error.message], JSON.stringify(body)).toEqual([status, expect.stringMatching(message)]);
    }
    expect(await snapshot(b)).toEqual(before);
  });

  it('is admin\'s: a read key is refused with 403', async () => {
    const b = await pair();
    const key = await b.send('POST', '/api/keys', { name: 'Dashboard', scope: 'read' });
    expect(key.status).toBe(201);
    const r = await b.call('/api/contacts/ana/merge', { method: 'POST', json: { from: 'anon' } }, key.body.secret);
    expect(r.status).toBe(403);
    expect((await b.send('GET', '/api/contacts/anon')).status).toBe(200);
  });

  it('is described in the OpenAPI document', async () => {
    const b = await setup();
    const doc = (await b.send('GET', '/api/openapi.json')).body;
    const op = doc.paths['/api/contacts/{id}/merge']?.post;
    expect(op?.summary).toBe('Merge a duplicate contact into this one');
  });
});

describe('mergeContacts inside a batch', () => {
  it('takes over work the batch already did for the other contact: its rows are not written back, its history is the master\'s', async () => {
    const b = await setup();
    expect((await b.send('POST', '/api/scoring-models', MODEL)).status).toBe(201);
    await contact(b, 'ana', { email: 'ana@example.com' });
    await contact(b, 'anon', { anonymous_id: 'a-1' });
    const { rt } = b;
    const summary = await rt.lock.run(() => rt.transaction(async (s) => {
      const now = rt.clock.now();
      const states = await s.loadContacts(['ana', 'anon']);
      const effects = new Effects({ stepBudget: MAX_REQUEST_STEPS });
      // An event of the anonymous visitor earlier in the same batch, not written yet.
      processWork(rt.world, states.get('anon')!, { kind: 'event', event: { id: 'ev', type: 'page_visited', at: now, props: {} } }, now, effects);
      await s.insertEvents([{ id: 'ev', contactId: 'anon', type: 'page_visited', at: now, props: null, acceptedAt: now }]);
      const result = await mergeContacts(rt, s, states.get('ana')!, states.get('anon')!, now, effects, 'segment');
      states.delete('anon');
      await rt.flush(s, effects, now);
      return result;
    }));
    expect(summary).toMatchObject({ anonymous: true, eventsMoved: 1, score: { before: null, after: 5, added: 5 } });
    expect(await b.store.contactIdsAfter(null, 10)).toEqual(['ana']);
    const h = await history(b, 'ana');
    expect(h.filter((e) => e.field === 'score').map((e) => [e.from, e.to, e.cause])).toEqual([
      [null, 5, { merge: { from: 'anon', via: 'segment' } }],
      [null, 5, { scoringModel: 'lead', rule: 'visit', mergedFrom: 'anon' }],
    ]);
    expect((await b.store.db.selectFrom('contact_tags').select('contact_id').where('contact_id', '=', 'anon').execute())).toEqual([]);
  });
});
