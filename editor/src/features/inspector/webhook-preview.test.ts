import { describe, expect, it } from 'vitest';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import { previewMessage, sampleValue } from './webhook-preview.js';

const fields = new FieldRegistry([
  ...BUILTIN_FIELDS,
  { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 },
  { key: 'plan', label: 'Plan', type: 'text', default: 'Free' },
  { key: 'trial_ends_at', label: 'Trial ends', type: 'date' },
]);

describe('the webhook message preview', () => {
  it('fills the message in for a sample contact, as the engine will for a real one', () => {
    expect(previewMessage('🔥 [First name] [Last name] reached [Score] — [Email]', fields)).toBe('🔥 Ann Lee reached 82 — ann.lee@example.com');
  });

  it('gives custom fields a value of their type, their default when they have one', () => {
    expect(previewMessage('[Custom Lead Score] on [Plan], trial ends [Trial ends]', fields)).toBe('42 on Free, trial ends 2026-02-02T14:30:00.000Z');
    expect(sampleValue({ key: 'x', label: 'Region', type: 'text' })).toBe('(Region)');
  });

  it('shows nothing for an empty message or one with a problem', () => {
    expect(previewMessage('  ', fields)).toBeNull();
    expect(previewMessage('Hi [Nobody]', fields)).toBeNull();
  });
});
