import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseMapDocument } from './parse.js';
import type { Problem } from './elements/types.js';

const sample = () => ({
  name: 'Custom Lead Score',
  fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }],
  elements: [
    { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'add5', position: { x: 0, y: 0 } },
    { id: 'add5', kind: 'update_field', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'wait' },
    { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'loop' },
    { id: 'loop', kind: 'goto', target: 'wait' },
  ] as Record<string, unknown>[],
});

function problemsOf(input: unknown): Problem[] {
  const r = parseMapDocument(input);
  if (r.ok) throw new Error('expected the input to be refused');
  return r.problems;
}
/** The sample with element `i` replaced. */
function withElement(i: number, el: unknown) {
  const doc = sample();
  doc.elements[i] = el as Record<string, unknown>;
  return doc;
}
const summary = (ps: Problem[]) => ps.map((p) => [p.element, p.path, p.message]);

describe('parseMapDocument', () => {
  it('reads a good map', () => {
    const r = parseMapDocument(sample());
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.doc.elements.map((e) => e.kind)).toEqual(['trigger', 'update_field', 'wait', 'goto']);
  });

  it('refuses what is not a map object', () => {
    for (const junk of [null, undefined, 'a map', 42, true, [], [sample()]]) {
      const ps = problemsOf(junk);
      expect(ps).toHaveLength(1);
      expect(ps[0]).toMatchObject({ element: null, path: '', severity: 'error' });
      expect(ps[0].message).toMatch(/^A map is a JSON object with a "name" and a list of "elements", not /);
    }
    expect(problemsOf('a map')[0].message).toContain('not "a map"');
  });

  it('names the element and says what is wrong with a property', () => {
    const doc = withElement(2, { id: 'wait', kind: 'wait', for: { days: 'one' }, next: 'loop' });
    expect(summary(problemsOf(doc))).toEqual([['wait', 'elements.2.for.days', 'Element \'wait\': "days" must be a number, not "one"']]);
  });

  it('names an element by its label when it has one', () => {
    const doc = withElement(2, { id: 'wait', label: 'Wait a day', kind: 'wait', for: { days: -1 } });
    expect(summary(problemsOf(doc))).toEqual([['wait', 'elements.2.for.days', 'Element \'Wait a day\': "days" can\'t be negative']]);
  });

  it('lists the kinds when a kind is unknown or missing', () => {
    expect(summary(problemsOf(withElement(1, { id: 'x', kind: 'pause' })))).toEqual([
      ['x', 'elements.1.kind', 'Element \'x\': unknown kind "pause" — use trigger, update_field, wait, condition, goto, end, webhook or assign_owner'],
    ]);
    expect(problemsOf(withElement(1, { id: 'x' }))[0].message).toBe(
      'Element \'x\': "kind" is missing — use trigger, update_field, wait, condition, goto, end, webhook or assign_owner',
    );
  });

  it('lists the trigger types when one is unknown', () => {
    const ps = problemsOf(withElement(0, { id: 'clicked', kind: 'trigger', on: { type: 'clicked' } }));
    expect(ps[0].message).toBe('Element \'clicked\': unknown trigger type "clicked" — use event, field_updated, contact_created, tag_added, tag_removed, date_reached, schedule or manual');
  });

  it('reports unexpected properties by name', () => {
    const doc = { ...sample(), colour: 'blue' };
    doc.elements[3] = { id: 'loop', kind: 'goto', target: 'wait', foo: 1 };
    doc.elements[2] = { id: 'wait', kind: 'wait', for: { days: 1, months: 1 } };
    expect(summary(problemsOf(doc))).toEqual([
      [null, 'colour', 'The map: unexpected property "colour"'],
      ['wait', 'elements.2.for.months', 'Element \'wait\': unexpected property "months" in "for"'],
      ['loop', 'elements.3.foo', 'Element \'loop\': unexpected property "foo"'],
    ]);
  });

  it('refuses bad ids, and names elements without a usable id by position', () => {
    expect(summary(problemsOf(withElement(3, { id: 'no spaces', kind: 'end' })))).toEqual([
      ['no spaces', 'elements.3.id', 'Element \'no spaces\': "id" is not valid — an element id is 1 to 64 letters, digits, "_" or "-"'],
    ]);
    expect(summary(problemsOf(withElement(3, { id: 7, kind: 'end' })))).toEqual([
      [null, 'elements.3.id', 'Element #4: "id" must be text, not 7'],
    ]);
    expect(summary(problemsOf(withElement(3, 'end')))).toEqual([[null, 'elements.3', 'Element #4 must be an object, not "end"']]);
  });

  it('explains broken conditions in words', () => {
    const cond = (c: unknown) => problemsOf(withElement(3, { id: 'check', kind: 'condition', if: c }));
    expect(summary(cond({ field: 'score', op: 'bigger', value: 1 }))[0]).toEqual([
      'check', 'elements.3.if.op',
      'Element \'check\': "op" can\'t be "bigger" — use eq, neq, gt, gte, lt, lte, contains, not_contains, starts_with, in, is_empty, not_empty, has_tag, on_or_before_days_ago, within_last_days, crossed_above or crossed_below',
    ]);
    expect(cond({ all: [{ field: 'score', op: 'eq', value: { n: 1 } }] })[0]).toMatchObject({
      path: 'elements.3.if.all.0.value',
      message: 'Element \'check\': "value" must be text, a number, true/false or a list, not an object',
    });
    expect(cond({ when: 'always' })[0].message).toMatch(/^Element 'check': "if" is not a condition — use \{ "all"/);
  });

  it('says which forms a wait "until" takes', () => {
    const ps = problemsOf(withElement(2, { id: 'wait', kind: 'wait', until: { at: 'noon' } }));
    expect(ps[0].message).toBe('Element \'wait\': "until" is not valid — it needs one of "field", "time" or "condition"');
  });

  it('uses the schema\'s own words for names, durations and fields', () => {
    const doc = { ...sample(), name: ' ', fields: [{ key: 'Bad Key', label: 'X', type: 'number' }] };
    doc.elements[2] = { id: 'wait', kind: 'wait', for: {}, next: 'loop' };
    expect(summary(problemsOf(doc))).toEqual([
      [null, 'name', 'The map: "name" is empty — a map needs a name'],
      [null, 'fields.0.key', 'Field "Bad Key": "key" is not valid — a field key is a lower-case letter followed by up to 63 lower-case letters, digits or underscores'],
      ['wait', 'elements.2.for', 'Element \'wait\': "for" is not valid — a duration needs at least one of minutes, hours, days or weeks'],
    ]);
    expect(problemsOf({ elements: [] })[0].message).toBe('The map: "name" is missing');
  });

  it('points into lists item by item', () => {
    const ps = problemsOf(withElement(1, { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['vip', 3] }));
    expect(summary(ps)).toEqual([['tag', 'elements.1.addTags.1', 'Element \'tag\': item 2 of "addTags" must be text, not 3']]);
  });

  it('refuses input nested deeper than the limit without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const ps = problemsOf({ name: 'deep', elements: deep });
    expect(ps).toHaveLength(1);
    expect(ps[0].message).toContain(`more than ${MAX_JSON_DEPTH} levels deep`);
    let obj: Record<string, unknown> = {};
    const root = obj;
    for (let i = 0; i < 100_000; i++) obj = (obj.not = {}) as Record<string, unknown>;
    expect(problemsOf(root)).toHaveLength(1);
  });

  it('accepts nesting right up to the limit', () => {
    // The map, the elements list, the element, its condition: four levels before the nest starts.
    let c: unknown = { field: 'score', op: 'gt', value: 1 };
    for (let i = 0; i < MAX_JSON_DEPTH - 4; i++) c = { not: c };
    const r = parseMapDocument(withElement(3, { id: 'check', kind: 'condition', if: c, then: 'wait', else: 'wait' }));
    expect(r.ok).toBe(true);
  });

  it('sums up a flood of problems instead of listing thousands', () => {
    const doc = sample();
    doc.elements = Array.from({ length: 500 }, (_, i) => ({ id: `e${i}`, kind: 'nope' }));
    const ps = problemsOf(doc);
    expect(ps).toHaveLength(100);
    expect(ps[99].message).toBe('…and 401 more problems');
  });

  it('never throws on hostile objects', () => {
    const trap = { name: 'x', get elements(): unknown { throw new Error('boom'); } };
    expect(problemsOf(trap)[0].message).toContain('could not be read');
  });
});
