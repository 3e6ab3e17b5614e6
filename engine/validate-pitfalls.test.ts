import { describe, expect, it } from 'vitest';
import { validateMap } from './validate.js';
import { decayedFields, nearestKnownEvent } from './validate-pitfalls.js';
import { mapFieldRegistry } from './validate.js';
import type { MapDocument } from './schema/map.js';
import { BUILTIN_FIELDS, FieldRegistry } from './schema/field.js';
import type { Element } from './elements/index.js';

const known = new FieldRegistry(BUILTIN_FIELDS);

/** Ontraport's recipe: points for a click, a daily decay loop, and a reset after 30 quiet days. */
const recipe = (changes: Record<string, Partial<Element>> = {}): MapDocument => ({
  name: 'Custom Lead Score',
  fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }],
  elements: ([
    { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'add5' },
    { id: 'quiet', kind: 'trigger', label: 'Quiet for 30 days', on: { type: 'date_reached', field: 'last_activity_at', offset: { days: 30 } }, ifOnMap: 'move_here', next: 'reset' },
    { id: 'reset', kind: 'update_field', field: 'custom_lead_score', value: '0', next: 'wait' },
    { id: 'add5', kind: 'update_field', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'wait' },
    { id: 'wait', kind: 'wait', label: 'Wait a day', for: { days: 1 }, next: 'decay' },
    { id: 'decay', kind: 'update_field', label: 'Decay', field: 'custom_lead_score', value: 'max(0, [Custom Lead Score] - 2)', next: 'loop' },
    { id: 'loop', kind: 'goto', label: 'Again', target: 'wait' },
  ] as Element[]).map((el) => ({ ...el, ...changes[el.id] }) as Element),
});
const warnings = (doc: MapDocument) => validateMap(doc, known).filter((p) => p.severity === 'warning');

describe('pitfall warnings', () => {
  it('says nothing about the recipe built right', () => {
    expect(validateMap(recipe(), known)).toEqual([]);
  });

  it('warns on a field_updated trigger that asks for the date it watches to be days old', () => {
    const doc = recipe({
      quiet: { on: { type: 'field_updated', field: 'last_activity_at', where: { all: [{ field: 'Last activity', op: 'on_or_before_days_ago', value: 30 }] } } },
    });
    expect(warnings(doc)).toEqual([{
      element: 'quiet', path: 'on.where', severity: 'warning',
      message: 'Element \'Quiet for 30 days\': This trigger fires the moment Last activity changes, when it has just been set (to now, for every new activity), so "Last activity is 30 or more days ago" can\'t hold then and no one enters. To act 30 days after Last activity, use the trigger "A date is reached": 30 days after Last activity.',
    }]);
    // Within the last days holds right after the change: no warning.
    expect(warnings(recipe({ quiet: { on: { type: 'field_updated', field: 'last_activity_at', where: { field: 'last_activity_at', op: 'within_last_days', value: 30 } } } }))).toEqual([]);
    // Either of two tests may hold: not a sure miss.
    expect(warnings(recipe({
      quiet: { on: { type: 'field_updated', field: 'last_activity_at', where: { any: [{ field: 'last_activity_at', op: 'on_or_before_days_ago', value: 30 }, { field: 'custom_lead_score', op: 'gt', value: 5 }] } } },
    }))).toEqual([]);
  });

  it('warns on a trigger left at "Stay where they are" when contacts never leave the loop', () => {
    const w = warnings(recipe({ quiet: { ifOnMap: 'ignore' } }));
    expect(w).toEqual([{
      element: 'quiet', path: 'ifOnMap', severity: 'warning',
      message: 'Element \'Quiet for 30 days\': Contacts on this map go round the loop \'Wait a day\' → \'Decay\' → \'Again\' and never leave it, so with "Stay where they are" this trigger never takes them again once they are on the map. Choose "Start again here" for it to act on them.',
    }]);
    // The default is "Stay where they are" too.
    expect(warnings(recipe({ clicked: { ifOnMap: undefined } })).map((p) => p.element)).toEqual(['clicked']);
  });

  it('leaves "Stay where they are" alone when the loop has a way out', () => {
    const doc = recipe({ quiet: { ifOnMap: 'ignore' }, loop: { kind: 'condition', if: { field: 'custom_lead_score', op: 'gt', value: 0 }, then: 'wait', else: 'done' } as Partial<Element> });
    doc.elements.push({ id: 'done', kind: 'end' });
    expect(warnings(doc)).toEqual([]);
  });

  it('warns on a decrement of the field itself that can go below 0, naming the guard', () => {
    expect(warnings(recipe({ decay: { value: '[Custom Lead Score] - 2' } }))).toEqual([{
      element: 'decay', path: 'value', severity: 'warning',
      message: 'Element \'Decay\': [Custom Lead Score] - 2 can take Custom Lead Score below 0. To stop at 0, write max(0, [Custom Lead Score] - 2)',
    }]);
    expect(warnings(recipe({ decay: { value: 'round([custom_lead_score] + -2.5)' } })).map((p) => p.path)).toEqual(['value']);
    for (const guarded of ['max(0, [Custom Lead Score] - 2)', 'clamp([Custom Lead Score] - 2, 0, 100)', '[Custom Lead Score] * 0.9', '100 - [Custom Lead Score]']) {
      expect(warnings(recipe({ decay: { value: guarded } })), guarded).toEqual([]);
    }
  });

  it('warns on an event type one slip away from a known one', () => {
    expect(warnings(recipe({ clicked: { on: { type: 'event', event: 'page_visit' } } }))).toEqual([{
      element: 'clicked', path: 'on.event', severity: 'warning',
      message: 'Element \'clicked\': "page_visit" is not an event Scoremap knows: did you mean page_visited? An event type must match exactly, or this trigger never fires',
    }]);
    expect(nearestKnownEvent('email_link_click')).toBe('email_link_clicked');
    expect(nearestKnownEvent('form_submited')).toBe('form_submitted');
    // A custom event far from every known one is on purpose.
    expect(nearestKnownEvent('webinar_attended')).toBeUndefined();
    expect(nearestKnownEvent('page_visited')).toBeUndefined();
    expect(warnings(recipe({ clicked: { on: { type: 'event', event: 'webinar_attended' } } }))).toEqual([]);
  });
});

describe('decayedFields', () => {
  const decays = (doc: MapDocument) => Object.fromEntries([...decayedFields(doc, mapFieldRegistry(doc, known))].map(([k, els]) => [k, els.map((e) => e.id)]));
  it('finds a field lowered again and again in a loop, however it is lowered', () => {
    expect(decays(recipe())).toEqual({ custom_lead_score: ['decay'] });
    for (const value of ['[Custom Lead Score] * 0.9', 'round([Custom Lead Score] / 2)', 'clamp([Custom Lead Score] - 1, 0, 100)']) {
      expect(decays(recipe({ decay: { value } })), value).toEqual({ custom_lead_score: ['decay'] });
    }
    expect(decays(recipe({ decay: { value: '[Custom Lead Score] + 1' } }))).toEqual({});
  });
  it('leaves out a one-off subtraction, and finds one on a schedule', () => {
    const once = recipe({ loop: { kind: 'end' } as Partial<Element> });
    expect(decays(once)).toEqual({});
    const nightly: MapDocument = { ...once, elements: [
      { id: 'nightly', kind: 'trigger', on: { type: 'schedule', cron: '0 3 * * *' }, ifOnMap: 'move_here', next: 'decay' },
      { id: 'decay', kind: 'update_field', field: 'custom_lead_score', value: 'max(0, [Custom Lead Score] - 2)', next: 'done' },
      { id: 'done', kind: 'end' },
    ] };
    expect(decays(nightly)).toEqual({ custom_lead_score: ['decay'] });
  });
});
