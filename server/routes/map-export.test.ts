import { describe, expect, it } from 'vitest';
import { BUILTIN_FIELDS, FieldRegistry } from '../../engine/schema/field.js';
import { parseMapDocument } from '../../engine/parse.js';
import { validateMap } from '../../engine/validate.js';
import { setup } from './testing.js';

/** A map that reads and writes fields made through the API, not declared in the map. */
const usesApiFields = () => ({
  name: 'Custom Lead Score',
  elements: [
    { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'add5' },
    { id: 'add5', kind: 'update_field', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'renewal' },
    { id: 'renewal', kind: 'wait', until: { field: 'renewal_date' }, next: 'hot' },
    { id: 'hot', kind: 'condition', if: { all: [{ field: 'vip', op: 'eq', value: true }, { field: 'score', op: 'gt', value: 10 }] }, then: 'end', else: 'end' },
    { id: 'end', kind: 'end' },
  ],
});

describe('GET /api/maps/:id/export declares the custom fields the map uses', () => {
  it('adds every custom field the map reads or writes, so the file validates and publishes on an empty server', async () => {
    const { send, call } = await setup();
    await send('POST', '/api/fields', { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 });
    await send('POST', '/api/fields', { key: 'renewal_date', label: 'Renewal date', type: 'date' });
    await send('POST', '/api/fields', { key: 'vip', label: 'VIP', type: 'boolean', default: false });
    await send('POST', '/api/fields', { key: 'unused', label: 'Unused', type: 'text' });
    const created = await send('POST', '/api/maps', usesApiFields());
    expect(created.body.problems).toEqual([]);
    const file = await (await call(`/api/maps/${created.body.map.id}/export`)).json();
    expect(file.fields).toEqual([
      { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 },
      { key: 'renewal_date', label: 'Renewal date', type: 'date' },
      { key: 'vip', label: 'VIP', type: 'boolean', default: false },
    ]);
    expect(Object.keys(file)).toEqual(['name', 'fields', 'elements']);
    // What `scoremap validate` checks: only the built-in fields are known.
    const parsed = parseMapDocument(file);
    expect(parsed.ok && validateMap(parsed.doc, new FieldRegistry(BUILTIN_FIELDS)).filter((p) => p.severity === 'error')).toEqual([]);
    const elsewhere = await setup();
    const imported = await elsewhere.send('POST', '/api/maps/import', file);
    expect(imported.status).toBe(201);
    expect((await elsewhere.send('POST', `/api/maps/${imported.body.map.id}/publish`)).status).toBe(200);
    expect((await elsewhere.send('GET', '/api/fields')).body.fields.find((f: { key: string }) => f.key === 'custom_lead_score')).toMatchObject({ decimals: 3 });
  });

  it('keeps the declarations a map has as written and adds only the missing ones; a published version is exported likewise', async () => {
    const { send, call } = await setup();
    await send('POST', '/api/fields', { key: 'renewal_date', label: 'Renewal date', type: 'date' });
    await send('POST', '/api/fields', { key: 'vip', label: 'VIP', type: 'boolean' });
    const own = { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 2 };
    const created = await send('POST', '/api/maps', { ...usesApiFields(), fields: [own] });
    const id = created.body.map.id;
    expect((await send('POST', `/api/maps/${id}/publish`)).status).toBe(200);
    for (const path of [`/api/maps/${id}/export`, `/api/maps/${id}/export?version=1`]) {
      const file = await (await call(path)).json();
      expect(file.fields.map((f: { key: string }) => f.key)).toEqual(['custom_lead_score', 'renewal_date', 'vip']);
      expect(file.fields[0]).toEqual(own);
    }
  });
});
