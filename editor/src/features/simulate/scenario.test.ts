import { describe, expect, it } from 'vitest';
import { exampleDraft, unknownField, type Draft } from './scenario.js';

const known = new Set(['score', 'job_title', 'job title', 'custom_lead_score', 'custom lead score', 'email']);
const draft = (patch: Partial<Draft>): Draft => ({ ...exampleDraft(Date.UTC(2026, 0, 1)), expect: [], ...patch });

describe('unknownField', () => {
  it('names the contact and the field it sets that does not exist, and which input to mark', () => {
    expect(unknownField(draft({ contacts: [{ id: 'ann', email: '', fields: 'job_title=CEO' }, { id: 'bob', email: '', fields: 'scroe=5' }] }), known))
      .toEqual({ spot: 'contact:1:fields', error: 'Contact "bob" sets "scroe", which is not a field: use a field\'s key or label, or create the field first.' });
  });
  it('marks an expectation of a field that does not exist; labels count, in any case', () => {
    const at = '2026-01-02T00:00:00Z';
    expect(unknownField(draft({ contacts: [{ id: 'ann', email: '', fields: 'Job Title=CEO' }], expect: [
      { contact: 'ann', at, field: 'Custom Lead Score', equals: '5', tolerance: '' },
      { contact: 'ann', at, field: 'lead_scroe', equals: '5', tolerance: '' },
    ] }), known)).toEqual({ spot: 'expect:1:field', error: 'Expectation 2 checks "lead_scroe", which is not a field: use a field\'s key or label.' });
    expect(unknownField(draft({ contacts: [{ id: 'ann', email: '', fields: '' }], expect: [{ contact: 'ann', at, field: 'score', equals: '1', tolerance: '' }] }), known)).toBeNull();
  });
});
