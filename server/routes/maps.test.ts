import { describe, expect, it } from 'vitest';
import { createContacts } from '../runtime/contacts.js';
import { GARBAGE, handMap, scoreMap, setup } from './testing.js';

type Send = Awaited<ReturnType<typeof setup>>['send'];

async function created(send: Send, doc: unknown = scoreMap(), query = ''): Promise<string> {
  const r = await send('POST', `/api/maps${query}`, doc);
  expect(r.status).toBe(201);
  return r.body.map.id;
}

describe('POST /api/maps', () => {
  it('creates a draft with a readable id, creates its fields and answers its problems', async () => {
    const { send, rt } = await setup();
    const r = await send('POST', '/api/maps', scoreMap());
    expect(r.status).toBe(201);
    expect(r.body.map).toMatchObject({ name: 'Custom Lead Score', status: 'draft', version: null, rev: 1, createdAt: '2026-01-01T00:00:00.000Z' });
    expect(r.body.map.id).toMatch(/^custom-lead-score-[0-9a-f]{4}$/);
    expect(r.body.map.doc).toEqual(scoreMap());
    expect(r.body.problems).toEqual([]);
    expect(rt.world.fields.get('custom_lead_score')?.decimals).toBe(3);
    const other = await send('POST', '/api/maps', scoreMap());
    expect(other.body.map.id).not.toBe(r.body.map.id);
  });

  it('makes an id from any name, and takes the id the client gives', async () => {
    const { send } = await setup();
    expect(await created(send, { ...handMap(), name: 'Été: Ünïcode & <stuff>!' })).toMatch(/^ete-unicode-stuff-[0-9a-f]{4}$/);
    expect(await created(send, { ...handMap(), name: '!!!' })).toMatch(/^map-[0-9a-f]{4}$/);
    expect(await created(send, handMap(), '?id=hand_picked-1')).toBe('hand_picked-1');
    const again = await send('POST', '/api/maps?id=hand_picked-1', handMap());
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already exists/);
    const bad = await send('POST', '/api/maps?id=no%20spaces', handMap());
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/id/);
  });

  it('saves a half-drawn draft with its errors and warnings naming the elements', async () => {
    const { send } = await setup();
    const doc = { name: 'Half', elements: [
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'page_visited' } },
      { id: 'lost', kind: 'end' },
    ] };
    const r = await send('POST', '/api/maps', doc);
    expect(r.status).toBe(201);
    expect(r.body.problems).toEqual([
      expect.objectContaining({ element: 't', severity: 'error', message: expect.stringMatching(/What happens next/) }),
      expect.objectContaining({ element: 'lost', severity: 'warning', message: expect.stringMatching(/can't be reached/) }),
    ]);
  });

  it('refuses a map not in the format with 422 and problems naming the element', async () => {
    const { send } = await setup();
    const r = await send('POST', '/api/maps', { name: 'x', elements: [{ id: 'pause', label: 'Wait a bit', kind: 'wait', for: { days: 'one' }, next: 'x' }] });
    expect(r.status).toBe(422);
    expect(r.body.error.details.problems).toEqual([expect.objectContaining({ element: 'pause', path: 'elements.0.for.days', message: expect.stringMatching(/^Element 'Wait a bit'/) })]);
    const clash = await send('POST', '/api/maps', { ...handMap(), fields: [{ key: 'score', label: 'Points', type: 'text' }] });
    expect(clash.status).toBe(422);
    expect(clash.body.error.message).toMatch(/"score" already exists as number/);
  });

  it('answers garbage on every POST and PUT with a 4xx, never a 500', async () => {
    const { call, send } = await setup();
    const id = await created(send);
    const paths: [string, string][] = [
      ['POST', '/api/maps'], ['POST', '/api/maps/import'], ['PUT', `/api/maps/${id}`], ['POST', `/api/maps/${id}/validate`],
      ['POST', `/api/maps/${id}/publish`], ['POST', `/api/maps/${id}/versions/1/restore`], ['POST', `/api/maps/${id}/contacts`],
    ];
    for (const [method, path] of paths) {
      for (const body of GARBAGE) {
        const r = await call(path, { method, body, headers: { 'content-type': 'application/json' } });
        // `{}` is a valid publish and restore: their settings are optional.
        if (body === '{}' && /publish|restore/.test(path)) continue;
        expect(r.status, `${method} ${path} ${body.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect((await r.json()).error.message).toEqual(expect.any(String));
      }
      expect((await call(path, { method, body: 'name=x', headers: { 'content-type': 'text/plain' } })).status).toBeLessThan(500);
      const broken = await call(path, { method, body: '{"name":', headers: { 'content-type': 'application/json' } });
      expect(broken.status).toBe(400);
    }
  });
});

describe('GET /api/maps and /api/maps/:id', () => {
  it('lists the maps with status, version, contacts on the map and errors', async () => {
    const { send, rt } = await setup();
    const a = await created(send);
    const b = await created(send, handMap());
    await send('POST', `/api/maps/${a}/publish`);
    await rt.store.bumpStats([{ mapId: a, elementId: 'add5', wereHere: 0, errors: 2, lastError: 'guard', at: 0 }]);
    const r = await send('GET', '/api/maps');
    expect(r.status).toBe(200);
    expect(r.body.maps).toEqual([
      { id: a, name: 'Custom Lead Score', status: 'published', version: 1, rev: 1, contactsOnMap: 0, errors: 2, unpublishedChanges: false, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
      expect.objectContaining({ id: b, status: 'draft', version: null, contactsOnMap: 0, errors: 0, unpublishedChanges: false }),
    ]);
  });

  it('says when the saved draft differs from the running version, until it is published or put back', async () => {
    const { send } = await setup();
    const id = await created(send);
    await send('POST', `/api/maps/${id}/publish`);
    const listed = async () => (await send('GET', '/api/maps')).body.maps[0];
    expect((await listed()).unpublishedChanges).toBe(false);
    const doc = scoreMap();
    const changed = { ...doc, elements: doc.elements.map((e) => (e.id === 'wait' ? { ...e, for: { days: 2 } } : e)) };
    expect((await send('PUT', `/api/maps/${id}`, { rev: 1, map: changed })).status).toBe(200);
    expect(await listed()).toMatchObject({ status: 'published', version: 1, unpublishedChanges: true });
    // Saving the running version's content again is no change, whatever the order of its keys.
    const reordered = { elements: doc.elements.map((e: object) => Object.fromEntries(Object.entries(e).reverse())), fields: doc.fields, description: doc.description, name: doc.name };
    expect((await send('PUT', `/api/maps/${id}`, { rev: 2, map: reordered })).status).toBe(200);
    expect((await listed()).unpublishedChanges).toBe(false);
    await send('PUT', `/api/maps/${id}`, { rev: 3, map: changed });
    await send('POST', `/api/maps/${id}/publish`);
    expect(await listed()).toMatchObject({ version: 2, unpublishedChanges: false });
  });

  it('reads the draft with rev, status, version and problems; 404 for an unknown id', async () => {
    const { send } = await setup();
    const id = await created(send);
    const r = await send('GET', `/api/maps/${id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ map: { id, rev: 1, status: 'draft', version: null, doc: scoreMap() }, problems: [] });
    const missing = await send('GET', '/api/maps/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('No map with id "nope"');
  });
});

describe('PUT /api/maps/:id', () => {
  it('saves the draft, bumps rev, and refuses a stale rev with 409', async () => {
    const { send } = await setup();
    const id = await created(send);
    const renamed = { ...scoreMap(), name: 'Renamed' };
    const r = await send('PUT', `/api/maps/${id}`, { rev: 1, map: renamed });
    expect(r.status).toBe(200);
    expect(r.body.map).toMatchObject({ id, name: 'Renamed', rev: 2, doc: renamed });
    expect(r.body.problems).toEqual([]);
    const stale = await send('PUT', `/api/maps/${id}`, { rev: 1, map: scoreMap() });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/Someone else changed this map/);
    expect((await send('GET', `/api/maps/${id}`)).body.map.name).toBe('Renamed');
  });

  it('answers warnings, refuses bad bodies, malformed maps and unknown ids', async () => {
    const { send } = await setup();
    const id = await created(send);
    const broken = { ...handMap(), elements: [...handMap().elements, { id: 'dangling', kind: 'goto' }] };
    const saved = await send('PUT', `/api/maps/${id}`, { rev: 1, map: broken });
    expect(saved.status).toBe(200);
    expect(saved.body.problems).toContainEqual(expect.objectContaining({ element: 'dangling', severity: 'error' }));
    expect((await send('PUT', `/api/maps/${id}`, { map: handMap() })).status).toBe(400);
    expect((await send('PUT', `/api/maps/${id}`, { rev: '2', map: handMap() })).status).toBe(400);
    expect((await send('PUT', `/api/maps/${id}`, { rev: 2 })).status).toBe(400);
    expect((await send('PUT', `/api/maps/${id}`, { rev: 2, map: handMap(), extra: 1 })).status).toBe(400);
    const malformed = await send('PUT', `/api/maps/${id}`, { rev: 2, map: { name: 'x', elements: [{ id: 'e', kind: 'teleport' }] } });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.details.problems[0]).toMatchObject({ element: 'e', message: expect.stringMatching(/teleport/) });
    const clash = await send('PUT', `/api/maps/${id}`, { rev: 2, map: { ...handMap(), fields: [{ key: 'custom_lead_score', label: 'CLS', type: 'date' }] } });
    expect(clash.status).toBe(422);
    expect((await send('PUT', '/api/maps/nope', { rev: 1, map: handMap() })).status).toBe(404);
  });
});

describe('DELETE /api/maps/:id', () => {
  it('deletes the map and takes its contacts off it, recorded in history', async () => {
    const { send, rt, store } = await setup();
    const id = await created(send, handMap());
    await send('POST', `/api/maps/${id}/publish`);
    await createContacts(rt, [{ id: 'ann' }], { api: true });
    expect((await send('POST', `/api/maps/${id}/contacts`, { contactIds: ['ann'] })).body).toEqual({ added: 1 });
    const r = await send('DELETE', `/api/maps/${id}`);
    expect(r.status).toBe(204);
    expect(r.body).toBeNull();
    expect((await send('GET', `/api/maps/${id}`)).status).toBe(404);
    expect((await store.loadContacts(['ann'])).get('ann')!.positions.size).toBe(0);
    expect(rt.world.maps).toEqual([]);
    expect((await store.contactHistory('ann', { field: `map:${id}` }))[0]).toMatchObject({ from: 'hold', to: null, cause: { api: true } });
    expect((await send('DELETE', `/api/maps/${id}`)).status).toBe(404);
  });
});

describe('POST /api/maps/:id/validate', () => {
  it('validates the saved draft, or the map in the body', async () => {
    const { send } = await setup();
    const id = await created(send);
    expect((await send('POST', `/api/maps/${id}/validate`)).body).toEqual({ valid: true, problems: [] });
    const loop = { name: 'Loop', elements: [
      { id: 't', kind: 'trigger', on: { type: 'manual' }, next: 'a' },
      { id: 'a', kind: 'update_field', field: 'score', value: '[score] + 1', next: 'b' },
      { id: 'b', kind: 'goto', target: 'a' },
    ] };
    const r = await send('POST', `/api/maps/${id}/validate`, { map: loop });
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect(r.body.problems).toEqual([expect.objectContaining({ element: 'a', cycle: ['a', 'b'], message: expect.stringMatching(/Instant loop/) })]);
    const format = await send('POST', `/api/maps/${id}/validate`, { map: { name: 'x', elements: [{ id: 'w', kind: 'wait', for: 'soon' }] } });
    expect(format.body.valid).toBe(false);
    expect(format.body.problems).toEqual([expect.objectContaining({ element: 'w', path: 'elements.0.for' })]);
    expect((await send('POST', `/api/maps/${id}/validate`, { doc: loop })).status).toBe(400);
    expect((await send('POST', '/api/maps/nope/validate')).status).toBe(404);
  });
});

describe('POST /api/maps/:id/pause and /resume', () => {
  it('pauses and resumes a published map; 409 when not in the right state', async () => {
    const { send } = await setup();
    const id = await created(send, handMap());
    const early = await send('POST', `/api/maps/${id}/pause`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/publish it first/);
    await send('POST', `/api/maps/${id}/publish`);
    expect((await send('POST', `/api/maps/${id}/resume`)).status).toBe(409);
    const paused = await send('POST', `/api/maps/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ id, status: 'paused', version: 1 });
    const twice = await send('POST', `/api/maps/${id}/pause`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe('The map is already paused');
    expect((await send('POST', `/api/maps/${id}/resume`)).body).toMatchObject({ status: 'published' });
    expect((await send('POST', `/api/maps/${id}/resume`)).status).toBe(409);
    expect((await send('POST', '/api/maps/nope/pause')).status).toBe(404);
    expect((await send('POST', '/api/maps/nope/resume')).status).toBe(404);
  });
});

describe('auth and limits', () => {
  it('every maps, templates and fields endpoint refuses a missing or wrong token with 401', async () => {
    const { call, ops } = await setup();
    const ours = ops.filter((o) => ['Maps', 'Templates', 'Fields'].includes(o.tag));
    expect(ours.length).toBe(23);
    for (const op of ours) {
      const path = op.fullPath.replace(':id', 'm').replace(':version', '1').replace(':name', 't').replace(':key', 'score');
      for (const token of [null, 'wrong']) {
        const r = await call(path, { method: op.method.toUpperCase(), json: op.method === 'get' || op.method === 'delete' ? undefined : {} }, token);
        expect(r.status, `${op.method} ${path}`).toBe(401);
      }
    }
  });

  it('refuses a body over the limit with 413', async () => {
    const { send } = await setup({ maxBodyBytes: 2048 });
    const big = { ...handMap(), description: 'x'.repeat(4000) };
    expect((await send('POST', '/api/maps', big)).status).toBe(413);
    expect((await send('PUT', '/api/maps/any', { rev: 1, map: big })).status).toBe(413);
    expect((await send('POST', '/api/maps', handMap())).status).toBe(201);
  });
});
