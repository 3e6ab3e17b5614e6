import { describe, expect, it } from 'vitest';
import { TriggerOn } from '../../../../engine/elements/trigger.js';
import { WaitElement } from '../../../../engine/elements/wait.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import { compileExpression } from '../../../../engine/expression/index.js';
import { defaultOn, TRIGGER_TYPES, TRIGGER_WORDS } from './trigger-settings.js';
import { MODES, switchMode, waitMode } from './wait-modes.js';
import { checkExpression, fieldReference, insertAt } from './expression-check.js';

const fields = new FieldRegistry([...BUILTIN_FIELDS, { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number' }]);

describe('trigger settings', () => {
  it('offers every trigger type of the schema, each in words', () => {
    expect(TRIGGER_TYPES).toEqual(TriggerOn.options.map((o) => o.shape.type.value));
    for (const t of TRIGGER_TYPES) expect(TRIGGER_WORDS[t]).toMatch(/\w/);
  });

  it('switches to a type with settings the schema accepts, keeping the condition where the type has one', () => {
    const from = { type: 'event' as const, event: 'page_visited', where: { prop: 'url', op: 'contains' as const, value: '/pricing' } };
    for (const t of TRIGGER_TYPES) {
      const on = defaultOn(t, fields, from);
      if (on === null) continue;
      expect(TriggerOn.safeParse(on).success).toBe(true);
      expect('where' in on).toBe(t !== 'manual');
    }
    expect(defaultOn('field_updated', fields, from)).toMatchObject({ field: 'custom_lead_score' });
  });

  it('waits for a tag before switching to a tag trigger, and keeps one it has', () => {
    expect(defaultOn('tag_added', fields, { type: 'manual' })).toBeNull();
    expect(defaultOn('tag_removed', fields, { type: 'tag_added', tag: 'vip' })).toEqual({ type: 'tag_removed', tag: 'vip' });
  });
});

describe('wait modes', () => {
  it('switches to each mode with a wait the schema accepts and reads the mode back', () => {
    for (const mode of MODES) {
      const patch = switchMode(mode, fields);
      const el = Object.fromEntries(Object.entries({ id: 'w', kind: 'wait', ...patch }).filter(([, v]) => v !== undefined));
      const parsed = WaitElement.safeParse(el);
      expect(parsed.success).toBe(true);
      if (parsed.success) expect(waitMode(parsed.data)).toBe(mode);
    }
  });
});

describe('the expression input', () => {
  it('says the type of a valid expression', () => {
    expect(checkExpression('[Custom Lead Score] + 5', fields, 'number')).toMatchObject({ ok: true, words: 'Gives a number' });
  });

  it('points at the broken character', () => {
    const r = checkExpression('[Custom Lead Score] +', fields, 'number');
    expect(r).toMatchObject({ ok: false, position: 20 });
    const compiled = compileExpression('[Custom Lead Score] +', fields);
    expect(!compiled.ok && compiled.error.position).toBe(20);
  });

  it('refuses a value of the wrong type for the field, but a text field takes anything', () => {
    expect(checkExpression('"hot"', fields, 'number', 'Custom Lead Score')).toEqual({
      ok: false, position: null, message: 'This gives text, but Custom Lead Score needs a number',
    });
    expect(checkExpression('5', fields, 'text')).toMatchObject({ ok: true });
  });

  it('does not point a caret into an empty expression', () => {
    expect(checkExpression('', fields, 'number')).toMatchObject({ ok: false, position: null });
  });

  it('inserts a field reference at the cursor, replacing a selection', () => {
    expect(insertAt('max(0,  - 2)', 7, 7, '[Score]')).toEqual({ text: 'max(0, [Score] - 2)', cursor: 14 });
    expect(insertAt('1 + x', 4, 5, '[Score]')).toEqual({ text: '1 + [Score]', cursor: 11 });
    expect(insertAt('1 +', 3, 3, '[Score]')).toEqual({ text: '1 + [Score]', cursor: 11 });
    expect(insertAt('', 0, 0, '[Score]')).toEqual({ text: '[Score]', cursor: 7 });
    expect(fieldReference({ key: 'odd', label: 'A ] B' })).toBe('[odd]');
    expect(compileExpression(`${fieldReference(fields.get('custom_lead_score')!)} + 1`, fields).ok).toBe(true);
  });
});
