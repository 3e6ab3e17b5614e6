import { describe, expect, it } from 'vitest';
import type { Element } from './elements/index.js';
import { diffMaps, isLayoutOnly, isSameMap, sameJson } from './map-diff.js';
import type { MapDocument } from './schema/map.js';

/** The sample map of SPEC §2, placed on a canvas. */
const sample = (): MapDocument => ({
  name: 'Custom Lead Score',
  fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }],
  elements: [
    { id: 'clicked', kind: 'trigger', label: 'Clicked a link in an email', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'add5', position: { x: 0, y: 0 } },
    { id: 'add5', kind: 'update_field', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'wait', position: { x: 0, y: 120 } },
    { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'decay', position: { x: 0, y: 240 } },
    { id: 'decay', kind: 'update_field', field: 'custom_lead_score', value: 'max(0, [Custom Lead Score] - 2)', next: 'loop', position: { x: 0, y: 360 } },
    { id: 'loop', kind: 'goto', target: 'wait', position: { x: 0, y: 480 } },
  ],
});
const edit = (doc: MapDocument, id: string, patch: Record<string, unknown>): MapDocument =>
  ({ ...doc, elements: doc.elements.map((e) => (e.id === id ? { ...e, ...patch } as Element : e)) });

describe('diffMaps', () => {
  it('finds nothing between a map and a copy with its keys and elements in another order', () => {
    const a = sample();
    const b: MapDocument = JSON.parse(JSON.stringify({ elements: [...a.elements].reverse(), fields: a.fields, name: a.name }));
    b.elements[0] = Object.fromEntries(Object.entries(b.elements[0]).reverse()) as Element;
    const d = diffMaps(a, b);
    expect(isSameMap(d)).toBe(true);
  });

  it('names added, removed and changed elements and what changed in each', () => {
    const before = sample();
    let after = edit(before, 'add5', { value: '[Custom Lead Score] + 10', label: 'Add 10' });
    after = edit(after, 'decay', { next: 'end' });
    after = { ...after, elements: [...after.elements.filter((e) => e.id !== 'loop'), { id: 'end', kind: 'end' }] };
    const d = diffMaps(before, after);
    expect(d.added.map((e) => e.id)).toEqual(['end']);
    expect(d.removed.map((e) => e.id)).toEqual(['loop']);
    expect(d.changed.map((c) => [c.after.id, c.what])).toEqual([['add5', ['label', 'settings']], ['decay', ['connections']]]);
    expect(isSameMap(d)).toBe(false);
  });

  it('counts a move on the canvas as a layout-only change', () => {
    const d = diffMaps(sample(), edit(sample(), 'wait', { position: { x: 300, y: 240 } }));
    expect(d.moved).toEqual(['wait']);
    expect(d.changed).toEqual([]);
    expect(isSameMap(d)).toBe(false);
    expect(isLayoutOnly(d)).toBe(true);
  });

  it('does not count positions the editor gave a map that had none', () => {
    const bare: MapDocument = { ...sample(), elements: sample().elements.map(({ position: _p, ...e }) => e as Element) };
    expect(isSameMap(diffMaps(bare, sample()))).toBe(true);
  });

  it('sees the name, description and declared fields', () => {
    const before = sample();
    const after: MapDocument = {
      ...before, name: 'Renamed', description: 'Now described',
      fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 2 }, { key: 'fit', label: 'Fit', type: 'number' }],
    };
    const d = diffMaps(before, after);
    expect(d).toMatchObject({ name: true, description: true, fields: { added: ['fit'], removed: [], changed: ['custom_lead_score'] } });
    expect(isLayoutOnly(d)).toBe(false);
  });

  it('sees a change inside a condition or a wait setting', () => {
    const d = diffMaps(sample(), edit(sample(), 'wait', { for: { days: 2 } }));
    expect(d.changed.map((c) => c.what)).toEqual([['settings']]);
  });
});

describe('sameJson', () => {
  it('treats a key holding undefined as absent, and arrays in order', () => {
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: null }, {})).toBe(false);
  });
});
