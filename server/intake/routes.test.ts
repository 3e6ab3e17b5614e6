import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';

/** An app with the recommended scoring model and an ingest key; `v1` posts as Segment's libraries do (HTTP Basic, key as user name). */
async function segment() {
  const t = await setup();
  expect((await t.send('POST', '/api/scoring-models', JSON.parse(readFileSync('maps/recommended-scoring.json', 'utf8')))).status).toBe(201);
  const key = (await t.send('POST', '/api/keys', { name: 'Segment', scope: 'ingest' })).body.secret as string;
  const v1 = async (route: string, body: unknown, init: { key?: string | null; headers?: Record<string, string>; raw?: BodyInit } = {}) => {
    const headers = new Headers(init.headers ?? { 'content-type': 'application/json' });
    const k = init.key === undefined ? key : init.key;
    if (k !== null) headers.set('authorization', `Basic ${Buffer.from(`${k}:`).toString('base64')}`);
    const r = await t.app.request(`/v1/${route}`, { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  const contacts = async () => (await t.send('GET', '/api/contacts?limit=100')).body.contacts as { id: string; fields: Record<string, unknown> }[];
  const contact = async (id: string) => (await t.send('GET', `/api/contacts/${id}`)).body;
  const byEmail = async (email: string) => (await contacts()).find((c) => c.fields.email === email);
  const events = async (contactId: string) => (await t.store.db.selectFrom('events').selectAll().where('contact_id', '=', contactId).orderBy('id').execute())
    .map((e) => ({ id: e.id, type: e.type, props: e.props_json ? JSON.parse(e.props_json) : null }));
  return { ...t, key, v1, contacts, contact, byEmail, events };
}

const pricing = (anonymousId: string, messageId: string) => ({
  type: 'page', anonymousId, messageId, name: 'Pricing',
  properties: { url: 'https://example.com/pricing', path: '/pricing', title: 'Pricing' },
});

describe('/v1: Segment\'s HTTP Tracking API', () => {
  it('takes a track call, answers { success: true } once committed, and the event scores', async () => {
    const t = await segment();
    const r = await t.v1('track', { userId: 'u-1', event: 'Email Link Clicked', properties: { link_url: 'https://example.com/x' }, context: { traits: { email: 'ann@example.com' } }, messageId: 'm-1' });
    expect(r).toEqual({ status: 200, body: { success: true } });
    const ann = (await t.byEmail('ann@example.com'))!;
    expect(ann.fields).toMatchObject({ external_id: 'u-1', email: 'ann@example.com', score: 5 });
    expect(await t.events(ann.id)).toEqual([{ id: 'm-1', type: 'email_link_clicked', props: { url: 'https://example.com/x', link_url: 'https://example.com/x' } }]);
  });

  it('counts a resent messageId once', async () => {
    const t = await segment();
    const call = { userId: 'u-1', event: 'Email Link Clicked', messageId: 'm-same' };
    for (let i = 0; i < 3; i++) expect((await t.v1('track', call)).status).toBe(200);
    expect((await t.v1('batch', { batch: [{ ...call, type: 'track' }, { ...call, type: 'track' }] })).status).toBe(200);
    const [only] = await t.contacts();
    expect(only.fields.score).toBe(5);
  });

  it('finds a person by userId, then email, then anonymousId, and creates one no call knew', async () => {
    const t = await segment();
    await t.v1('identify', { userId: 'u-7', traits: { email: 'bo@example.com', firstName: 'Bo', title: 'CTO', employees: 120 } });
    const bo = (await t.byEmail('bo@example.com'))!;
    expect(bo.fields).toMatchObject({ external_id: 'u-7', first_name: 'Bo', job_title: 'CTO', company_size: 120 });
    // By email: a call without the userId finds Bo.
    await t.v1('track', { anonymousId: 'a-bo', event: 'Demo Requested', context: { traits: { email: 'BO@example.com' } } });
    // By the anonymous id the last call taught.
    await t.v1('page', pricing('a-bo', 'p-1'));
    expect((await t.contacts()).length).toBe(1);
    const events = (await t.events(bo.id)).map((e) => e.type);
    expect(events.sort()).toEqual(['demo_requested', 'page_visited']);
    // Someone new.
    await t.v1('page', pricing('a-new', 'p-2'));
    const all = await t.contacts();
    expect(all.length).toBe(2);
    expect(all.find((c) => c.id !== bo.id)!.fields).toMatchObject({ anonymous_id: 'a-new', score: 9 });
  });

  it('puts anonymous page views before a form fill on the identified contact, with their points', async () => {
    const t = await segment();
    // Ann is known already (a CRM import), with 4 points of her own.
    await t.send('POST', '/api/events', { contact: { email: 'ann@example.com' }, type: 'page_visited', props: { url: '/features' } });
    const ann = (await t.byEmail('ann@example.com'))!;
    expect(ann.fields.score).toBe(9);
    // A visitor reads two pages, anonymously: a contact of their own with 18 points.
    await t.v1('batch', { batch: [pricing('a-1', 'p-1'), pricing('a-1', 'p-2')] });
    const visitor = (await t.contacts()).find((c) => c.fields.anonymous_id === 'a-1')!;
    expect(visitor.fields.score).toBe(18);
    // The form: the visitor is Ann.
    expect((await t.v1('identify', { anonymousId: 'a-1', traits: { email: 'ann@example.com', company: 'Acme' } })).status).toBe(200);
    const all = await t.contacts();
    expect(all.map((c) => c.id)).toEqual([ann.id]);
    expect(all[0].fields).toMatchObject({ email: 'ann@example.com', company: 'Acme', anonymous_id: 'a-1', score: 27 });
    expect((await t.send('GET', `/api/contacts/${visitor.id}`)).status).toBe(404);
    expect((await t.events(ann.id)).map((e) => e.id)).toEqual(expect.arrayContaining(['p-1', 'p-2']));
    // Later page views under the anonymous id go to Ann.
    await t.v1('page', pricing('a-1', 'p-3'));
    expect((await t.contacts()).map((c) => [c.id, c.fields.score])).toEqual([[ann.id, 36]]);
  });

  it('alias merges the contact known by previousId into the one known by userId', async () => {
    const t = await segment();
    await t.v1('page', pricing('anon-9', 'p-1'));
    await t.v1('identify', { userId: 'u-9', traits: { email: 'cy@example.com' } });
    expect((await t.contacts()).length).toBe(2);
    expect((await t.v1('alias', { previousId: 'anon-9', userId: 'u-9' })).status).toBe(200);
    const all = await t.contacts();
    expect(all.length).toBe(1);
    expect(all[0].fields).toMatchObject({ email: 'cy@example.com', external_id: 'u-9', score: 9 });
  });

  it('leaves an anonymous id seen on someone else (a shared computer) with them, and merges nobody', async () => {
    const t = await segment();
    await t.v1('identify', { anonymousId: 'shared', userId: 'u-1', traits: { email: 'one@example.com' } });
    await t.v1('identify', { anonymousId: 'shared', userId: 'u-2', traits: { email: 'two@example.com' } });
    const all = await t.contacts();
    expect(all.map((c) => c.fields.email).sort()).toEqual(['one@example.com', 'two@example.com']);
  });

  it('a second person on a shared browser: calls carrying their email go to them, not to the anonymous id\'s first owner', async () => {
    const t = await segment();
    await t.v1('identify', { anonymousId: 'shared', traits: { email: 'ann@example.com' } });
    // Eve fills the form on the same browser; the tracker then sends her email with every call.
    await t.v1('batch', { batch: [
      { type: 'identify', anonymousId: 'shared', traits: { email: 'eve@example.com' } },
      { type: 'track', anonymousId: 'shared', event: 'Demo Requested', messageId: 'd-1', context: { traits: { email: 'eve@example.com' } } },
    ] });
    const eve = (await t.byEmail('eve@example.com'))!;
    const ann = (await t.byEmail('ann@example.com'))!;
    expect((await t.events(eve.id)).map((e) => e.type)).toEqual(['demo_requested']);
    expect(await t.events(ann.id)).toEqual([]);
  });

  it('takes a gzipped body (RudderStack\'s SDK gzips), a text/plain one (a browser beacon) and writeKey in the body', async () => {
    const t = await segment();
    const gz = gzipSync(JSON.stringify({ batch: [{ type: 'track', userId: 'u-1', event: 'Trial Started', messageId: 'g-1' }] }));
    expect((await t.v1('batch', null, { raw: gz, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })).status).toBe(200);
    const beacon = JSON.stringify({ writeKey: t.key, batch: [{ type: 'track', userId: 'u-1', event: 'Demo Requested', messageId: 'b-1' }] });
    expect((await t.v1('batch', null, { key: null, raw: beacon, headers: { 'content-type': 'text/plain;charset=UTF-8' } })).status).toBe(200);
    const [c] = await t.contacts();
    const events = (await t.events(c.id)).map((e) => e.type);
    expect(events.sort()).toEqual(['demo_requested', 'trial_started']);
  });
});

describe('/v1 refuses in words and changes nothing', () => {
  it.each([
    ['no key', 'track', { userId: 'u', event: 'X' }, { key: null }, 401, 'Missing key'],
    ['a wrong key', 'track', { userId: 'u', event: 'X' }, { key: 'sm_nope' }, 401, 'Wrong key'],
    ['a bad batch item', 'batch', { batch: [{ type: 'track', userId: 'u', event: 'Fine' }, { type: 'track', userId: 'u' }] }, {}, 400, 'batch[1]'],
    ['no one named', 'track', { event: 'X' }, {}, 400, 'userId'],
    ['not JSON', 'track', null, { raw: '{"userId":', headers: { 'content-type': 'application/json' } }, 400, 'not valid JSON'],
    ['a bad gzip', 'track', null, { raw: 'not gzip', headers: { 'content-encoding': 'gzip' } }, 400, 'does not unzip'],
    ['a call over 32 KB', 'track', { userId: 'u', event: 'X', properties: { big: 'x'.repeat(40_000) } }, {}, 413, '32'],
    ['a batch over 500 KB', 'batch', { batch: [{ type: 'track', userId: 'u', event: 'X', properties: { big: 'x'.repeat(600_000) } }] }, {}, 413, '500'],
  ] as const)('%s', async (_what, route, body, init, status, words) => {
    const t = await segment();
    const r = await t.v1(route, body, init as never);
    expect(r.status).toBe(status);
    expect(JSON.stringify(r.body.error.message)).toContain(words);
    expect(await t.contacts()).toEqual([]);
  });

  it('a read key may not send (403), and an ingest key may not read contacts', async () => {
    const t = await segment();
    const read = (await t.send('POST', '/api/keys', { name: 'Dash', scope: 'read' })).body.secret;
    const r = await t.v1('track', { userId: 'u', event: 'X' }, { key: read });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('cannot send events');
    expect((await t.call('/api/contacts', {}, t.key)).status).toBe(403);
    expect(await t.contacts()).toEqual([]);
  });
});
