import { describe, expect, it } from 'vitest';
import { mapFieldRegistry, validateMap } from './validate.js';
import type { MapDocument } from './schema/map.js';
import { BUILTIN_FIELDS, FieldRegistry } from './schema/field.js';
import type { Element } from './elements/index.js';

const known = new FieldRegistry(BUILTIN_FIELDS);

/** The sample map of SPEC §2. */
const sample = (): MapDocument => ({
  name: 'Custom Lead Score',
  fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }],
  elements: [
    { id: 'clicked', kind: 'trigger', label: 'Clicked a link in an email', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'add5' },
    { id: 'add5', kind: 'update_field', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'wait' },
    { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'decay' },
    { id: 'decay', kind: 'update_field', field: 'custom_lead_score', value: 'max(0, [Custom Lead Score] - 2)', next: 'loop' },
    { id: 'loop', kind: 'goto', target: 'wait' },
  ],
});

/** The sample with element `id` changed (or removed, with `null`) and `more` elements appended. */
function variant(changes: Record<string, Partial<Element> | null>, more: Element[] = []): MapDocument {
  const doc = sample();
  const elements = doc.elements
    .filter((el) => changes[el.id] !== null)
    .map((el) => ({ ...el, ...changes[el.id] }) as Element);
  return { ...doc, elements: [...elements, ...more] };
}
const validate = (doc: MapDocument, fields = known) => validateMap(doc, fields);
const errors = (doc: MapDocument) => validate(doc).filter((p) => p.severity === 'error');

describe('validateMap', () => {
  it('passes the sample map of SPEC §2 without a single problem', () => {
    expect(validate(sample())).toEqual([]);
  });

  it('needs at least one trigger', () => {
    expect(validate(variant({ clicked: null }))).toEqual([
      { element: null, path: 'elements', severity: 'error', message: 'A map needs at least one trigger: add one to say who enters the map' },
    ]);
  });

  it('refuses duplicate element ids', () => {
    const dup: Element = { id: 'wait', kind: 'end' };
    expect(errors(variant({}, [dup]))).toEqual([
      { element: 'wait', path: 'id', severity: 'error', message: 'Element \'wait\': Another element already has the id "wait"; ids must be unique' },
    ]);
  });

  it('reports an empty "What happens next?", naming the element by label', () => {
    const p = errors(variant({ decay: { label: 'Subtract 2 points', next: undefined } }));
    expect(p).toEqual([{
      element: 'decay', path: 'next', severity: 'error',
      message: "Element 'Subtract 2 points': 'What happens next?' is empty — connect it or add an End",
    }]);
    expect(validate(variant({ decay: { label: 'Subtract 2 points', next: undefined } })).filter((x) => x.severity === 'warning')).toHaveLength(1); // loop is now unreachable
  });

  it('names the Yes and No branches of a condition, and a go-to with no target', () => {
    const check: Element = { id: 'check', kind: 'condition', if: { field: 'score', op: 'gt', value: 5 } };
    const p = errors(variant({ decay: { next: 'check' }, loop: { target: undefined } }, [check]));
    expect(p.map((x) => [x.element, x.path, x.message])).toEqual([
      ['loop', 'target', "Element 'loop': The go-to has no target — pick the element to continue at"],
      ['check', 'then', "Element 'check': The 'Yes' branch is empty — connect it or add an End"],
      ['check', 'else', "Element 'check': The 'No' branch is empty — connect it or add an End"],
    ]);
  });

  it('refuses a target that does not exist', () => {
    expect(errors(variant({ add5: { next: 'nowhere' } }))).toEqual([{
      element: 'add5', path: 'next', severity: 'error',
      message: 'Element \'add5\': \'What happens next?\' leads to "nowhere", which is not an element of this map',
    }]);
  });

  it('refuses a trigger as a target', () => {
    const p = errors(variant({ loop: { target: 'clicked' } }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ element: 'loop', path: 'target' });
    expect(p[0].message).toContain("a trigger can't be the target of the go-to; go to the element after it instead");
    expect(errors(variant({ add5: { next: 'clicked' } }))[0].message).toContain("'Clicked a link in an email' is a trigger");
  });

  it('warns about elements no trigger reaches', () => {
    const orphan: Element = { id: 'orphan', kind: 'end', label: 'Lost' };
    expect(validate(variant({}, [orphan]))).toEqual([{
      element: 'orphan', path: '', severity: 'warning',
      message: "Element 'Lost' can't be reached from any trigger — connect something to it, or delete it",
    }]);
  });

  it('finds an instant loop of go-tos and names its cycle', () => {
    const p = errors(variant({ loop: { target: 'decay' } }));
    expect(p).toEqual([{
      element: 'decay', path: 'next', severity: 'error', cycle: ['decay', 'loop'],
      message: 'Instant loop: decay → loop → decay never passes a Wait, so a contact would go round it forever. Add a Wait to the loop, or end it.',
    }]);
  });

  it('finds a go-to that targets itself', () => {
    const p = errors(variant({ loop: { target: 'loop' } }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ element: 'loop', cycle: ['loop'], path: 'target' });
  });

  it('a loop through a wait is fine', () => {
    expect(errors(sample())).toEqual([]);
  });

  it('refuses a wait or a timeout under a second: a loop through it would spin at one instant', () => {
    // { minutes: 1e-10 } is due the very moment it parks: publishing it hung the server in a loop that never let time pass.
    for (const short of [{ minutes: 1e-10 }, { minutes: 0.01 }, { hours: 0 }]) {
      expect(errors(variant({ wait: { for: short } })), JSON.stringify(short)).toEqual([
        expect.objectContaining({ element: 'wait', path: 'for', message: expect.stringMatching(/A wait under a second does not hold the contact/) }),
      ]);
    }
    expect(errors(variant({ wait: { for: { minutes: 1 / 60 } } }))).toEqual([]);
    const timeout = variant({ wait: { for: undefined, until: { condition: { field: 'score', op: 'gt', value: 5 } }, timeout: { minutes: 1e-10 }, timeoutNext: 'decay' } });
    expect(errors(timeout)).toEqual([expect.objectContaining({ element: 'wait', path: 'timeout', message: expect.stringMatching(/A timeout under a second/) })]);
  });

  it("finds a loop through a condition's No branch, labelled", () => {
    const check: Element = { id: 'check', kind: 'condition', label: 'Check score', if: { field: 'custom_lead_score', op: 'lte', value: 0 }, then: 'done', else: 'decay' };
    const done: Element = { id: 'done', kind: 'end' };
    const doc = variant({ decay: { label: 'Subtract 2 points', next: 'check' }, loop: null }, [check, done]);
    const p = errors(doc);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ element: 'decay', path: 'next', cycle: ['decay', 'check'] });
    expect(p[0].message).toBe(
      'Instant loop: Subtract 2 points → Check score → Subtract 2 points never passes a Wait, so a contact would go round it forever. Add a Wait to the loop, or end it.',
    );
    // The same loop through a wait is fine.
    expect(errors(variant({ decay: { next: 'check' }, loop: null }, [{ ...check, else: 'wait' }, done]))).toEqual([]);
  });

  it('reports each separate loop once, on its first element in document order', () => {
    const a: Element = { id: 'a', kind: 'goto', target: 'b' };
    const b: Element = { id: 'b', kind: 'goto', target: 'a' };
    const p = errors(variant({ loop: { target: 'decay' } }, [a, b]));
    expect(p.map((x) => x.cycle)).toEqual([['decay', 'loop'], ['a', 'b']]);
  });

  it('names a long loop by its start and its length', () => {
    const gotos: Element[] = Array.from({ length: 12 }, (_, i) => ({ id: `g${i}`, kind: 'goto', target: `g${(i + 1) % 12}` }));
    const p = errors(variant({ loop: { target: 'g0' } }, gotos));
    expect(p).toHaveLength(1);
    expect(p[0].cycle).toHaveLength(12);
    expect(p[0].message).toContain('g0 → g1 → g2 → g3 → g4 → g5 → g6 → g7 → … (12 elements in all) → g0 never passes a Wait');
  });

  it("checks each element's fields, conditions and expressions through its kind", () => {
    const bad = variant({
      add5: { value: '[Custom Lead Score] +' },
      decay: { field: 'custom_lead_score', value: '"two"' },
      wait: { for: undefined, until: { field: 'job_title' } } as Partial<Element>,
    });
    const p = errors(bad);
    expect(p.map((x) => [x.element, x.path])).toEqual([['add5', 'value'], ['wait', 'until.field'], ['decay', 'value']]);
    expect(p[0].message).toMatch(/^Element 'add5': .*character/);
    expect(p[1].message).toBe("Element 'wait': Wait until needs a date field; Job title is text");
    expect(p[2].message).toBe("Element 'decay': The value gives text, but the field needs a number");
  });

  it('reports unknown fields and conditions at their paths', () => {
    const trigger: Partial<Element> = {
      on: { type: 'event', event: 'page_visited', where: { all: [{ prop: 'url', op: 'contains', value: '/pricing' }, { field: 'Foo', op: 'eq', value: 1 }] } },
    } as Partial<Element>;
    const p = errors(variant({ clicked: trigger, add5: { field: 'nope' } }));
    expect(p.map((x) => [x.element, x.path, x.message])).toEqual([
      ['clicked', 'on.where.all.1', 'Element \'Clicked a link in an email\': Unknown field "Foo" — create it, or declare it in the map\'s fields'],
      ['add5', 'field', 'Element \'add5\': Unknown field "nope" — create it, or declare it in the map\'s fields'],
    ]);
  });

  it('allows crossing ops in a field_updated trigger only, props only where there is an event', () => {
    const cap: Element = { id: 'cap', kind: 'trigger', on: { type: 'field_updated', field: 'score', where: { field: 'score', op: 'crossed_above', value: 70 } }, next: 'wait' };
    expect(errors(variant({}, [cap]))).toEqual([]);
    const created: Element = { id: 'new', kind: 'trigger', on: { type: 'contact_created', where: { prop: 'url', op: 'is_empty' } }, next: 'wait' };
    expect(errors(variant({}, [created]))[0].message).toBe('Element \'new\': this condition has no event to read "url" from');
  });

  it('orders problems map-level first, then by element', () => {
    const doc = { ...variant({ clicked: null, loop: { target: 'x' } }), fields: [...sample().fields!, { key: 'score', label: 'Points', type: 'text' as const }] };
    expect(validate(doc).map((p) => p.path)).toEqual(['fields.1', 'elements', 'target']);
  });
});

describe('map fields', () => {
  const withFields = (fields: MapDocument['fields']) => ({ ...sample(), fields });
  const existing = new FieldRegistry([...BUILTIN_FIELDS, { key: 'custom_lead_score', label: 'CLS', type: 'text' }]);

  it('joins the declared fields to the known ones', () => {
    const reg = mapFieldRegistry(sample(), known);
    expect(reg.resolve('Custom Lead Score')?.key).toBe('custom_lead_score');
    expect(reg.resolve('score')?.builtin).toBe(true);
  });

  it('refuses a declared key that exists with another type', () => {
    const p = validate(sample(), existing);
    expect(p[0]).toEqual({
      element: null, path: 'fields.0', severity: 'error',
      message: 'Field "custom_lead_score" already exists as text; this map declares it as number',
    });
    expect(mapFieldRegistry(sample(), existing).get('custom_lead_score')?.type).toBe('text');
  });

  it('refuses a built-in key redeclared with another type', () => {
    const p = validate(withFields([...sample().fields!, { key: 'score', label: 'Score', type: 'text' }]));
    expect(p).toEqual([{ element: null, path: 'fields.1', severity: 'error', message: 'Field "score" already exists as number; this map declares it as text' }]);
    expect(validate(withFields([...sample().fields!, { key: 'score', label: 'Score', type: 'number' }]))).toEqual([]);
  });

  it('refuses a field declared twice', () => {
    const p = validate(withFields([...sample().fields!, ...sample().fields!]));
    expect(p).toEqual([{ element: null, path: 'fields.1', severity: 'error', message: 'Field "custom_lead_score" is declared twice in this map; keep one' }]);
  });

  it('refuses a declared label another field already uses, ignoring case and spaces', () => {
    const p = validate(withFields([...sample().fields!, { key: 'points', label: '  custom lead  SCORE ', type: 'number' }]));
    expect(p).toEqual([{
      element: null, path: 'fields.1', severity: 'error',
      message: 'The label "  custom lead  SCORE " is already used by the field "custom_lead_score"; give "points" another label',
    }]);
    expect(validate(withFields([{ key: 'my_score', label: 'Score', type: 'number' }, ...sample().fields!]))[0].path).toBe('fields.0');
  });
});
