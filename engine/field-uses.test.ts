import { describe, expect, it } from 'vitest';
import { mapFieldUses, modelFieldUses } from './field-uses.js';
import { parseMapDocument } from './parse.js';
import { BUILTIN_FIELDS, FieldRegistry } from './schema/field.js';
import { ScoringModel } from './scoring/model.js';

const fields = new FieldRegistry([
  ...BUILTIN_FIELDS,
  { key: 'lead_score', label: 'Lead Score', type: 'number', decimals: 3, formerLabels: ['Custom Lead Score'] },
  { key: 'renewal', label: 'Renewal', type: 'date' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'unused', label: 'Unused', type: 'text' },
]);

describe('mapFieldUses', () => {
  it('finds the fields every element kind names, by key, label or former label, with the elements naming them', () => {
    const parsed = parseMapDocument({ name: 'All kinds', elements: [
      { id: 'changed', kind: 'trigger', on: { type: 'field_updated', field: 'VIP', where: { field: 'company', op: 'not_empty' } }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'lead_score', value: '[Custom Lead Score] + [company_size]', next: 'wait' },
      { id: 'wait', kind: 'wait', until: { field: 'renewal' }, next: 'tell' },
      { id: 'tell', kind: 'webhook', url: 'https://hooks.example.com/x', message: 'Hot: [Email] at [Lead Score]', next: 'end' },
      { id: 'end', kind: 'end' },
    ] });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.fromEntries(mapFieldUses(parsed.doc, fields))).toEqual({
      vip: ['changed'], company: ['changed'], lead_score: ['add', 'tell'], company_size: ['add'], renewal: ['wait'], email: ['tell'],
    });
  });
});

describe('modelFieldUses', () => {
  it('names the score field, its bracket field and the fields its rules test', () => {
    const model = ScoringModel.parse({ id: 'm', name: 'M', field: 'lead_score', brackets: [{ name: 'High', min: 70 }], rules: [
      { id: 'vip', label: 'VIP', when: { if: { field: 'VIP', op: 'eq', value: true } }, points: 10 },
      { id: 'ceo', label: 'CEO', when: { event: 'form_submitted', where: { field: 'job_title', op: 'contains', value: 'CEO' } }, points: 5 },
    ] });
    const withBracket = fields.with([{ key: 'lead_score_bracket', label: 'Lead Score bracket', type: 'text' }]);
    expect([...modelFieldUses(model, withBracket)].sort()).toEqual(['job_title', 'lead_score', 'lead_score_bracket', 'vip']);
  });
});
