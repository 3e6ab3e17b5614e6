import { describe, expect, it } from 'vitest';
import { GARBAGE, setup } from './testing.js';

const engagement = { key: 'engagement', label: 'Engagement score', type: 'number', decimals: 2 };

describe('GET /api/fields', () => {
  it('lists the built-in fields in their documented order, then custom ones', async () => {
    const { send } = await setup();
    const r = await send('GET', '/api/fields');
    expect(r.status).toBe(200);
    expect(r.body.fields[0]).toEqual({ key: 'email', label: 'Email', type: 'text', decimals: null, default: null, builtin: true, formerLabels: [] });
    expect(r.body.fields.find((f: { key: string }) => f.key === 'score')).toEqual({ key: 'score', label: 'Score', type: 'number', decimals: 3, default: null, builtin: true, formerLabels: [] });
    expect(r.body.fields.map((f: { key: string }) => f.key)).toEqual([
      'email', 'first_name', 'last_name', 'job_title', 'company', 'industry', 'country', 'lifecycle_stage',
      'company_size', 'tags', 'created_at', 'last_activity_at', 'score', 'external_id', 'anonymous_id',
      'owner', 'qualification_status', 'qualification_reason',
    ]);
    await send('POST', '/api/fields', { key: 'vip', label: 'VIP', type: 'boolean', default: false });
    expect((await send('GET', '/api/fields')).body.fields.at(-1)).toEqual({ key: 'vip', label: 'VIP', type: 'boolean', decimals: null, default: false, builtin: false, formerLabels: [] });
  });
});

describe('POST /api/fields', () => {
  it('creates a field the engine knows at once', async () => {
    const { send, rt } = await setup();
    const r = await send('POST', '/api/fields', engagement);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ field: { ...engagement, default: null, builtin: false, formerLabels: [] } });
    expect(rt.world.fields.resolve('Engagement Score')?.key).toBe('engagement');
    // A map can use it without declaring it.
    const map = await send('POST', '/api/maps', { name: 'Uses it', elements: [
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'engagement', value: '[Engagement score] + 1.25', next: 'end' },
      { id: 'end', kind: 'end' },
    ] });
    expect(map.body.problems).toEqual([]);
    expect((await send('POST', `/api/maps/${map.body.map.id}/publish`)).status).toBe(200);
    await rt.ingest([{ contact: { email: 'ann@example.com' }, type: 'email_opened' }]);
    const [id] = (await rt.store.findIdsByEmail(['ann@example.com'])).values();
    expect((await rt.store.loadContacts([id])).get(id)!.fields.engagement).toBe(1.25);
  });

  it('answers 200 and changes nothing for the same key and type', async () => {
    const { send } = await setup();
    await send('POST', '/api/fields', engagement);
    const again = await send('POST', '/api/fields', { ...engagement, label: 'Another label', decimals: 0 });
    expect(again.status).toBe(200);
    expect(again.body.field).toMatchObject({ key: 'engagement', label: 'Engagement score', decimals: 2 });
    expect((await send('POST', '/api/fields', { key: 'score', label: 'Score', type: 'number' })).status).toBe(200);
  });

  it('refuses another type for a key, or a label in use, with 409 in words', async () => {
    const { send } = await setup();
    await send('POST', '/api/fields', engagement);
    const type = await send('POST', '/api/fields', { ...engagement, type: 'text', decimals: undefined });
    expect(type.status).toBe(409);
    expect(type.body.error.message).toBe('The field "engagement" already exists as a number field; pick another key for a text field');
    const label = await send('POST', '/api/fields', { key: 'points', label: ' SCORE ', type: 'number' });
    expect(label.status).toBe(409);
    expect(label.body.error.message).toBe('The label "SCORE" is already used by the field "score"; labels are unique (ignoring case)');
    expect((await send('POST', '/api/fields', { key: 'email', label: 'Email', type: 'boolean' })).status).toBe(409);
    // The built-in fields and engagement, nothing more.
    const { BUILTIN_FIELDS } = await import('../../engine/schema/field.js');
    expect((await send('GET', '/api/fields')).body.fields).toHaveLength(BUILTIN_FIELDS.length + 1);
  });

  it('refuses definitions that do not fit with 400', async () => {
    const { send } = await setup();
    const cases: [unknown, RegExp][] = [
      [{ key: 'Bad Key', label: 'x', type: 'number' }, /key/],
      [{ key: 'x', label: '', type: 'number' }, /label/],
      [{ key: 'x', label: 'X', type: 'tags' }, /type/],
      [{ key: 'x', label: 'X', type: 'number', decimals: 4 }, /decimals/],
      [{ key: 'x', label: 'X', type: 'text', decimals: 1 }, /Only number fields have decimals/],
      [{ key: 'x', label: 'X', type: 'number', default: 'ten' }, /default of a number field/],
      [{ key: 'x', label: 'X', type: 'date', default: 'someday' }, /not a date/],
      [{ key: 'x', label: 'X', type: 'number', color: 'red' }, /color/],
    ];
    for (const [body, message] of cases) {
      const r = await send('POST', '/api/fields', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await send('POST', '/api/fields', { key: 'renewal', label: 'Renewal', type: 'date', default: '2026-06-01T00:00:00Z' })).status).toBe(201);
  });

  it('answers garbage with a 4xx, never a 500, and needs the token', async () => {
    const { call } = await setup();
    for (const body of GARBAGE) {
      const r = await call('/api/fields', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, body.slice(0, 40)).toBe(400);
    }
    expect((await call('/api/fields', { method: 'POST', body: 'key=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await call('/api/fields', {}, null)).status).toBe(401);
    expect((await call('/api/fields', { method: 'POST', json: engagement }, 'wrong')).status).toBe(401);
  });

  it('refuses a body over the limit with 413', async () => {
    const { send } = await setup({ maxBodyBytes: 1024 });
    expect((await send('POST', '/api/fields', { ...engagement, label: 'x'.repeat(2000) })).status).toBe(413);
  });
});

describe('PATCH /api/fields/:key', () => {
  const adds = (field: string, value: string) => ({ name: 'Engagement', elements: [
    { id: 't', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, next: 'add' },
    { id: 'add', kind: 'update_field', label: 'Add a point', field, value, next: 'end' },
    { id: 'end', kind: 'end' },
  ] });
  const valueOf = async (rt: Awaited<ReturnType<typeof setup>>['rt'], email: string, key: string) => {
    const [id] = (await rt.store.findIdsByEmail([email])).values();
    return (await rt.store.loadContacts([id])).get(id)!.fields[key];
  };

  it('renames the label; a running map that names the field by its former label keeps working', async () => {
    const { send, rt } = await setup();
    await send('POST', '/api/fields', engagement);
    const map = await send('POST', '/api/maps', adds('engagement', '[Engagement score] + 1.25'));
    expect((await send('POST', `/api/maps/${map.body.map.id}/publish`)).status).toBe(200);
    const r = await send('PATCH', '/api/fields/engagement', { label: 'Engagement points' });
    expect(r.status).toBe(200);
    expect(r.body.field).toEqual({ ...engagement, label: 'Engagement points', default: null, builtin: false, formerLabels: ['Engagement score'] });
    expect(rt.world.fields.resolve('[Engagement points]'.slice(1, -1))?.key).toBe('engagement');
    await rt.ingest([{ contact: { email: 'ann@example.com' }, type: 'email_opened' }]);
    expect(await valueOf(rt, 'ann@example.com', 'engagement')).toBe(1.25);
    // The draft is still valid, and a new field cannot take the former label (the map would change meaning).
    expect((await send('POST', `/api/maps/${map.body.map.id}/validate`, { map: adds('engagement', '[Engagement score] + 1') })).body.problems).toEqual([]);
    const taken = await send('POST', '/api/fields', { key: 'other', label: 'engagement SCORE', type: 'number' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/was the label of the field "engagement"/);
    // Renaming back is allowed and forgets it as a former label.
    expect((await send('PATCH', '/api/fields/engagement', { label: 'Engagement score' })).body.field.formerLabels).toEqual(['Engagement points']);
  });

  it('sets decimals for the values written from then on, and the default', async () => {
    const { send, rt } = await setup();
    await send('POST', '/api/fields', { key: 'points', label: 'Points', type: 'number' });
    const map = await send('POST', '/api/maps', adds('points', '[Points] + 1.25'));
    await send('POST', `/api/maps/${map.body.map.id}/publish`);
    await rt.ingest([{ contact: { email: 'ann@example.com' }, type: 'email_opened' }]);
    expect(await valueOf(rt, 'ann@example.com', 'points')).toBe(1);
    const r = await send('PATCH', '/api/fields/points', { decimals: 2, default: 10 });
    expect(r.status).toBe(200);
    expect(r.body.field).toMatchObject({ decimals: 2, default: 10 });
    await rt.ingest([{ contact: { email: 'ann@example.com' }, type: 'email_opened' }]);
    expect(await valueOf(rt, 'ann@example.com', 'points')).toBe(2.25);
    expect((await send('PATCH', '/api/fields/points', { default: null })).body.field).toMatchObject({ decimals: 2, default: null });
    expect((await send('GET', '/api/fields')).body.fields.at(-1)).toMatchObject({ key: 'points', decimals: 2, default: null });
  });

  it('refuses a type change while the field is used, saying where, and changes nothing', async () => {
    const { send, rt } = await setup();
    await send('POST', '/api/fields', engagement);
    await send('POST', '/api/maps', adds('engagement', '[Engagement score] + 1'));
    await send('POST', '/api/scoring-models', { id: 'fit', name: 'Fit', field: 'score', rules: [
      { id: 'engaged', label: 'Engaged', when: { if: { field: 'engagement', op: 'gt', value: 5 } }, points: 10 },
    ] });
    const r = await send('PATCH', '/api/fields/engagement', { type: 'text' });
    expect(r.status).toBe(409);
    expect(r.body.error.message).toBe('"Engagement score" is a number field and cannot become a text field while it is in use: '
      + 'the map "Engagement" uses it (element "Add a point"); the scoring model "Fit" uses it. Create a new text field instead, or take it out of these first');
    expect(rt.world.fields.get('engagement')?.type).toBe('number');
    // Values held by contacts count too.
    await send('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'number' });
    await send('POST', '/api/contacts', { fields: { email: 'ann@example.com', plan: 3 } });
    const held = await send('PATCH', '/api/fields/plan', { type: 'text' });
    expect(held.status).toBe(409);
    expect(held.body.error.message).toMatch(/in use: 1 contact has a value in it\. /);
  });

  it('GET /api/fields/:key/uses says which maps, elements and models use a field, and how many contacts hold a value', async () => {
    const { send } = await setup();
    await send('POST', '/api/fields', engagement);
    const map = await send('POST', '/api/maps', adds('engagement', '[Engagement score] + 1'));
    await send('POST', '/api/scoring-models', { id: 'eng', name: 'Engagement model', field: 'engagement', rules: [] });
    await send('POST', '/api/contacts', { fields: { email: 'ann@example.com', engagement: 3 } });
    expect((await send('GET', '/api/fields/engagement/uses')).body).toEqual({
      maps: [{ id: map.body.map.id, name: 'Engagement', elements: ['Add a point'] }],
      models: [{ id: 'eng', name: 'Engagement model', writes: true }],
      contacts: 1,
    });
    expect((await send('GET', '/api/fields/company/uses')).body).toEqual({ maps: [], models: [], contacts: 0 });
    expect((await send('GET', '/api/fields/tags/uses')).body).toEqual({ maps: [], models: [], contacts: 0 });
    expect((await send('GET', '/api/fields/nope/uses')).status).toBe(404);
  });

  it('changes the type of a field nothing uses: the column takes the new kind of value', async () => {
    const { send } = await setup();
    await send('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'number', decimals: 1, default: 2 });
    const r = await send('PATCH', '/api/fields/plan', { type: 'text', default: 'basic' });
    expect(r.status).toBe(200);
    expect(r.body.field).toMatchObject({ type: 'text', decimals: null, default: 'basic' });
    const c = await send('POST', '/api/contacts', { fields: { email: 'ann@example.com', plan: 'pro' } });
    expect(c.status).toBe(201);
    expect((await send('GET', `/api/contacts/${c.body.id}`)).body.fields.plan).toBe('pro');
  });

  it('answers what it cannot do in words, changing nothing', async () => {
    const { send } = await setup();
    await send('POST', '/api/fields', engagement);
    await send('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'text' });
    const cases: [string, unknown, number, RegExp][] = [
      ['score', { label: 'Points' }, 400, /"Score" is a built-in field/],
      ['nope', { label: 'Points' }, 404, /No field "nope"/],
      ['engagement', { label: 'plan' }, 409, /already used by the field "plan"/],
      ['plan', { decimals: 2 }, 400, /Only number fields have decimals/],
      ['engagement', { default: 'high' }, 400, /default of a number field/],
      ['engagement', { type: 'tags' }, 400, /type/],
      ['engagement', { color: 'red' }, 400, /color/],
    ];
    for (const [key, body, status, message] of cases) {
      const r = await send('PATCH', `/api/fields/${key}`, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error.message).toMatch(message);
    }
    expect((await send('GET', '/api/fields')).body.fields.slice(-2)).toEqual([
      { ...engagement, default: null, builtin: false, formerLabels: [] },
      { key: 'plan', label: 'Plan', type: 'text', decimals: null, default: null, builtin: false, formerLabels: [] },
    ]);
  });
});
