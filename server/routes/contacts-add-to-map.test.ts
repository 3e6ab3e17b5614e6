import { describe, expect, it } from 'vitest';
import { createContacts } from '../runtime/contacts.js';
import { handMap, scoreMap, setup } from './testing.js';

/** Five contacts, three at Acme; a published map contacts are added to by hand. */
async function bench() {
  const b = await setup();
  await createContacts(b.rt, [
    { id: 'ann', fields: { email: 'ann@acme.example', company: 'Acme' } },
    { id: 'bob', fields: { email: 'bob@acme.example', company: 'ACME' } },
    { id: 'cid', fields: { email: 'cid@acme.example', company: 'Acme' } },
    { id: 'dee', fields: { email: 'dee@beta.example', company: 'Beta' } },
    { id: 'eve', fields: { email: 'eve@example.com' } },
  ], { api: true });
  const mapId = (await b.send('POST', '/api/maps', handMap())).body.map.id as string;
  const here = async () => (await b.send('GET', `/api/maps/${mapId}/stats`)).body.elements.hold.hereNow as number;
  return { ...b, mapId, here };
}

const acme = { field: 'company', op: 'eq', value: 'acme' };

describe('POST /api/contacts/add-to-map', () => {
  it('adds the contacts the filter matches, and every contact without one', async () => {
    const { send, mapId, here } = await bench();
    await send('POST', `/api/maps/${mapId}/publish`);
    const r = await send('POST', '/api/contacts/add-to-map', { mapId, filter: acme });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ added: 3 });
    expect(await here()).toBe(3);
    const onMap = async (id: string) => (await send('GET', `/api/contacts/${id}`)).body.maps.map((m: { mapId: string }) => m.mapId);
    expect(await onMap('bob')).toEqual([mapId]);
    expect(await onMap('dee')).toEqual([]);
    expect((await send('POST', '/api/contacts/add-to-map', { mapId })).body).toEqual({ added: 5 });
    expect(await here()).toBe(5);
  });

  it('refuses a draft, a paused map, a map without a manual trigger and a bad filter, changing nothing', async () => {
    const { send, mapId, here } = await bench();
    const draft = await send('POST', '/api/contacts/add-to-map', { mapId, filter: acme });
    expect(draft.status).toBe(409);
    expect(draft.body.error.message).toMatch(/publish it/);
    await send('POST', `/api/maps/${mapId}/publish`);

    const bad = await send('POST', '/api/contacts/add-to-map', { mapId, filter: { field: 'shoe', op: 'eq', value: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Unknown field "shoe"/);
    const crossing = await send('POST', '/api/contacts/add-to-map', { mapId, filter: { field: 'score', op: 'crossed_above', value: 5 } });
    expect(crossing.status).toBe(400);
    expect(crossing.body.error.message).toMatch(/not usable in a contacts filter/);
    expect((await send('POST', '/api/contacts/add-to-map', { filter: acme })).status).toBe(400);
    expect((await send('POST', '/api/contacts/add-to-map', { mapId: 'nope' })).status).toBe(404);
    expect(await here()).toBe(0);

    await send('POST', `/api/maps/${mapId}/pause`);
    const paused = await send('POST', '/api/contacts/add-to-map', { mapId });
    expect(paused.status).toBe(409);
    expect(paused.body.error.message).toMatch(/resume it/);

    const other = (await send('POST', '/api/maps', scoreMap())).body.map.id;
    await send('POST', `/api/maps/${other}/publish`);
    const noTrigger = await send('POST', '/api/contacts/add-to-map', { mapId: other });
    expect(noTrigger.status).toBe(409);
    expect(noTrigger.body.error.message).toMatch(/no "added by hand" trigger/);
  });
});

describe('GET /api/contacts sorted by a custom number field', () => {
  it('pages through the map\'s own score, highest first, empty ones last', async () => {
    const { send, rt } = await setup();
    await send('POST', '/api/fields', { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number' });
    await createContacts(rt, [
      { id: 'a', fields: { custom_lead_score: 5 } }, { id: 'b', fields: { custom_lead_score: 100 } },
      { id: 'c' }, { id: 'd', fields: { custom_lead_score: 40 } },
    ], { api: true });
    const first = await send('GET', '/api/contacts?sort=Custom%20Lead%20Score&limit=2');
    expect(first.body.contacts.map((c: { id: string }) => c.id)).toEqual(['b', 'd']);
    const next = await send('GET', `/api/contacts?sort=custom_lead_score&limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.contacts.map((c: { id: string }) => c.id)).toEqual(['a', 'c']);
  });
});
