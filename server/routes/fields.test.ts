import { describe, expect, it } from 'vitest';
import { GARBAGE, setup } from './testing.js';

const engagement = { key: 'engagement', label: 'Engagement score', type: 'number', decimals: 2 };

describe('GET /api/fields', () => {
  it('lists the built-in fields in their documented order, then custom ones', async () => {
    const { send } = await setup();
    const r = await send('GET', '/api/fields');
    expect(r.status).toBe(200);
    expect(r.body.fields[0]).toEqual({ key: 'email', label: 'Email', type: 'text', decimals: null, default: null, builtin: true });
    expect(r.body.fields.find((f: { key: string }) => f.key === 'score')).toEqual({ key: 'score', label: 'Score', type: 'number', decimals: 3, default: null, builtin: true });
    expect(r.body.fields.map((f: { key: string }) => f.key)).toEqual([
      'email', 'first_name', 'last_name', 'job_title', 'company', 'industry', 'country', 'lifecycle_stage',
      'company_size', 'tags', 'created_at', 'last_activity_at', 'score', 'external_id', 'anonymous_id',
    ]);
    await send('POST', '/api/fields', { key: 'vip', label: 'VIP', type: 'boolean', default: false });
    expect((await send('GET', '/api/fields')).body.fields.at(-1)).toEqual({ key: 'vip', label: 'VIP', type: 'boolean', decimals: null, default: false, builtin: false });
  });
});

describe('POST /api/fields', () => {
  it('creates a field the engine knows at once', async () => {
    const { send, rt } = await setup();
    const r = await send('POST', '/api/fields', engagement);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ field: { ...engagement, default: null, builtin: false } });
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
