import { describe, expect, it } from 'vitest';
import { createContacts } from '../runtime/contacts.js';
import { handMap, scoreMap, setup } from './testing.js';

const DAY = 86_400_000;

/** An app with the score map published and two contacts, ann and bob. */
async function running() {
  const bench = await setup();
  const { send, rt } = bench;
  const id = (await send('POST', '/api/maps?id=score', scoreMap())).body.map.id as string;
  expect((await send('POST', `/api/maps/${id}/publish`)).body).toEqual({ version: 1, relocated: 0, removed: {} });
  await createContacts(rt, [{ id: 'ann', fields: { email: 'ann@example.com' } }, { id: 'bob' }], { api: true });
  const click = (contact: string) => rt.ingest([{ contact: { id: contact }, type: 'email_link_clicked' }]);
  const score = async (contact: string) => (await rt.store.loadContacts([contact])).get(contact)!.fields.custom_lead_score ?? null;
  const position = async (contact: string) => (await rt.store.loadContacts([contact])).get(contact)!.positions.get(id)?.elementId;
  return { ...bench, id, click, score, position };
}

describe('POST /api/maps/:id/publish', () => {
  it('publishes: events move contacts through the map, and stats count them', async () => {
    const { send, id, click, score, clock } = await running();
    await click('ann');
    await click('bob');
    await click('ann');
    expect(await score('ann')).toBe(10);
    const stats = await send('GET', `/api/maps/${id}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.version).toBe(1);
    expect(stats.body.elements.wait).toEqual({ hereNow: 2, wereHere: 3, errors: 0, lastError: null, lastErrorAt: null });
    expect(stats.body.elements.add5).toMatchObject({ hereNow: 0, wereHere: 3 });
    expect(stats.body.elements.decay).toMatchObject({ hereNow: 0, wereHere: 0 });
    expect(Object.keys(stats.body.elements)).toEqual(['clicked', 'add5', 'wait', 'decay', 'loop']);
    expect(stats.body.totals).toEqual({ hereNow: 2, wereHere: 9, errors: 0 });
    expect((await send('POST', '/api/clock/advance', { ms: DAY })).status).toBe(200);
    expect(clock.now()).toBe(Date.parse('2026-01-02T00:00:00Z'));
    expect(await score('ann')).toBe(8);
    expect(await score('bob')).toBe(3);
    expect((await send('GET', '/api/maps')).body.maps[0]).toMatchObject({ status: 'published', version: 1, contactsOnMap: 2, errors: 0 });
  });

  it('shows errors per element with the last one and its time', async () => {
    const { send, id, rt } = await running();
    await rt.store.bumpStats([{ mapId: id, elementId: 'decay', wereHere: 1, errors: 1, lastError: 'Too many steps', at: Date.parse('2026-01-01T05:00:00Z') }]);
    const stats = (await send('GET', `/api/maps/${id}/stats`)).body;
    expect(stats.elements.decay).toEqual({ hereNow: 0, wereHere: 1, errors: 1, lastError: 'Too many steps', lastErrorAt: '2026-01-01T05:00:00.000Z' });
    expect(stats.totals.errors).toBe(1);
    expect((await send('GET', '/api/maps/nope/stats')).status).toBe(404);
  });

  it('refuses a map with errors with 422 and the problems, and bad relocations', async () => {
    const { send, id } = await running();
    const broken = { ...scoreMap(), elements: scoreMap().elements.map((e) => (e.id === 'add5' ? { ...e, next: undefined } : e)) };
    await send('PUT', `/api/maps/${id}`, { rev: 1, map: broken });
    const r = await send('POST', `/api/maps/${id}/publish`);
    expect(r.status).toBe(422);
    expect(r.body.error.message).toBe('The map has 1 problem to fix before it can be published');
    expect(r.body.error.details.problems).toEqual([expect.objectContaining({ element: 'add5', path: 'next' })]);
    await send('PUT', `/api/maps/${id}`, { rev: 2, map: scoreMap() });
    const nowhere = await send('POST', `/api/maps/${id}/publish`, { relocate: { gone: 'nowhere' } });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.error.message).toMatch(/no such element/);
    expect((await send('POST', `/api/maps/${id}/publish`, { relocate: { 'bad id': 'wait' } })).status).toBe(400);
    expect((await send('POST', `/api/maps/${id}/publish`, { relocate: ['wait'] })).status).toBe(400);
    expect((await send('POST', `/api/maps/${id}/publish`, { move: {} })).status).toBe(400);
    expect((await send('POST', '/api/maps/nope/publish')).status).toBe(404);
  });

  it('previews and relocates contacts on removed elements; the rest leave the map', async () => {
    const { send, id, click, position } = await running();
    await click('ann');
    await click('bob');
    // v2 replaces the wait with a two-day one under another id.
    const v2 = scoreMap();
    v2.elements = v2.elements.map((e) => (e.id === 'wait' ? { ...e, id: 'wait2', for: { days: 2 } } : e.id === 'add5' ? { ...e, next: 'wait2' } : e.id === 'loop' ? { ...e, target: 'wait2' } : e));
    await send('PUT', `/api/maps/${id}`, { rev: 1, map: v2 });
    expect((await send('GET', `/api/maps/${id}/publish-preview`)).body).toEqual({ removed: { wait: 2 }, warnings: [] });
    const r = await send('POST', `/api/maps/${id}/publish`, { relocate: { wait: 'wait2' } });
    expect(r.body).toEqual({ version: 2, relocated: 2, removed: { wait: 2 } });
    expect(await position('ann')).toBe('wait2');
    expect((await send('GET', `/api/maps/${id}/stats`)).body.elements.wait2.hereNow).toBe(2);
    // v3 drops the wait altogether, with no relocation: both leave, recorded in history.
    const v3 = { ...scoreMap(), elements: [scoreMap().elements[0], { ...scoreMap().elements[1], next: 'end' }, { id: 'end', kind: 'end' }] };
    await send('PUT', `/api/maps/${id}`, { rev: 2, map: v3 });
    expect((await send('GET', `/api/maps/${id}/publish-preview`)).body).toEqual({ removed: { wait2: 2 }, warnings: [] });
    expect((await send('POST', `/api/maps/${id}/publish`)).body).toEqual({ version: 3, relocated: 0, removed: { wait2: 2 } });
    expect(await position('ann')).toBeUndefined();
    expect((await send('GET', `/api/maps/${id}/publish-preview`)).body).toEqual({ removed: {}, warnings: [] });
    expect((await send('GET', '/api/maps/nope/publish-preview')).status).toBe(404);
  });
});

describe('versions', () => {
  it('lists versions, reads one, and restores it into the draft', async () => {
    const { send, id } = await running();
    const v2 = { ...scoreMap(), name: 'Second' };
    await send('PUT', `/api/maps/${id}`, { rev: 1, map: v2 });
    await send('POST', `/api/maps/${id}/publish`);
    const list = await send('GET', `/api/maps/${id}/versions`);
    expect(list.body).toEqual({ versions: [
      { version: 1, publishedAt: '2026-01-01T00:00:00.000Z', current: false, author: 'the start-up token' },
      { version: 2, publishedAt: '2026-01-01T00:00:00.000Z', current: true, author: 'the start-up token' },
    ] });
    const one = await send('GET', `/api/maps/${id}/versions/1`);
    expect(one.body).toEqual({ version: 1, publishedAt: '2026-01-01T00:00:00.000Z', current: false, author: 'the start-up token', doc: scoreMap() });
    const restored = await send('POST', `/api/maps/${id}/versions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.map).toMatchObject({ rev: 3, name: 'Custom Lead Score', doc: scoreMap(), status: 'published', version: 2 });
    expect(restored.body.problems).toEqual([]);
    expect((await send('POST', `/api/maps/${id}/versions/2/restore`, { rev: 1 })).status).toBe(409);
    expect((await send('POST', `/api/maps/${id}/versions/2/restore`, { rev: 3 })).body.map).toMatchObject({ rev: 4, name: 'Second' });
    expect((await send('POST', `/api/maps/${id}/versions/2/restore`, { rev: 'x' })).status).toBe(400);
    expect((await send('GET', `/api/maps/${id}/versions/abc`)).status).toBe(400);
    expect((await send('GET', `/api/maps/${id}/versions/0`)).status).toBe(400);
    expect((await send('GET', `/api/maps/${id}/versions/9`)).status).toBe(404);
    expect((await send('POST', `/api/maps/${id}/versions/9/restore`)).status).toBe(404);
    expect((await send('GET', '/api/maps/nope/versions')).status).toBe(404);
  });
});

describe('export and import', () => {
  it('exports the draft or a version as a file; importing it gives the same document', async () => {
    const { call, send, id } = await running();
    await send('PUT', `/api/maps/${id}`, { rev: 1, map: { ...scoreMap(), name: 'Draft name' } });
    const draft = await call(`/api/maps/${id}/export`);
    expect(draft.status).toBe(200);
    expect(draft.headers.get('content-disposition')).toBe('attachment; filename="draft-name.json"');
    expect(draft.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await draft.text();
    expect(JSON.parse(text)).toEqual({ ...scoreMap(), name: 'Draft name' });
    const v1 = await call(`/api/maps/${id}/export?version=1`);
    expect(v1.headers.get('content-disposition')).toBe('attachment; filename="draft-name-v1.json"');
    const v1doc = JSON.parse(await v1.text());
    expect(v1doc).toEqual(scoreMap());
    const imported = await call('/api/maps/import', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
    expect(imported.status).toBe(201);
    const copy = (await imported.json()).map.id;
    expect(copy).toMatch(/^draft-name-/);
    expect(await (await call(`/api/maps/${copy}/export`)).text()).toBe(text);
    expect((await send('POST', '/api/maps/import?id=score', v1doc)).status).toBe(409);
    expect((await send('POST', '/api/maps/import', { name: 'x', elements: {} })).status).toBe(422);
    expect((await send('GET', `/api/maps/${id}/export?version=abc`)).status).toBe(400);
    expect((await send('GET', `/api/maps/${id}/export?version=7`)).status).toBe(404);
    expect((await send('GET', '/api/maps/nope/export')).status).toBe(404);
  });
});

describe('POST /api/maps/:id/contacts', () => {
  it('adds contacts through the manual trigger', async () => {
    const { send, rt } = await setup();
    await createContacts(rt, [{ id: 'ann' }, { id: 'bob' }], { api: true });
    const id = (await send('POST', '/api/maps', handMap())).body.map.id;
    const draft = await send('POST', `/api/maps/${id}/contacts`, { contactIds: ['ann'] });
    expect(draft.status).toBe(409);
    expect(draft.body.error.message).toMatch(/publish it/);
    await send('POST', `/api/maps/${id}/publish`);
    expect((await send('POST', `/api/maps/${id}/contacts`, { contactIds: ['ann', 'bob', 'ann'] })).body).toEqual({ added: 2 });
    expect((await send('GET', `/api/maps/${id}/stats`)).body.elements.hold.hereNow).toBe(2);
    const unknown = await send('POST', `/api/maps/${id}/contacts`, { contactIds: ['ann', 'zed'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('No contact with id "zed"');
    expect((await send('POST', `/api/maps/${id}/contacts`, { contactIds: [] })).status).toBe(400);
    expect((await send('POST', `/api/maps/${id}/contacts`, { contactIds: [1] })).status).toBe(400);
    expect((await send('POST', `/api/maps/${id}/contacts`, { contactIds: Array.from({ length: 10_001 }, (_, i) => `c${i}`) })).status).toBe(400);
    expect((await send('POST', `/api/maps/${id}/contacts`, { ids: ['ann'] })).status).toBe(400);
    await send('POST', `/api/maps/${id}/pause`);
    expect((await send('POST', `/api/maps/${id}/contacts`, { contactIds: ['ann'] })).status).toBe(409);
    expect((await send('POST', '/api/maps/nope/contacts', { contactIds: ['ann'] })).status).toBe(404);
  });

  it('refuses a map without a manual trigger with 409', async () => {
    const { send, id } = await running();
    const r = await send('POST', `/api/maps/${id}/contacts`, { contactIds: ['ann'] });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/no "added by hand" trigger/);
  });

  it('accepts 10,000 contacts in one request', async () => {
    const { send, rt } = await setup();
    const ids = Array.from({ length: 10_000 }, (_, i) => `c${String(i).padStart(5, '0')}`);
    await createContacts(rt, ids.map((id) => ({ id })), { api: true });
    const id = (await send('POST', '/api/maps', handMap())).body.map.id;
    await send('POST', `/api/maps/${id}/publish`);
    expect((await send('POST', `/api/maps/${id}/contacts`, { contactIds: ids })).body).toEqual({ added: 10_000 });
    expect((await send('GET', '/api/maps')).body.maps[0].contactsOnMap).toBe(10_000);
  }, 30_000);
});
