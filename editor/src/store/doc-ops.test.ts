import { describe, expect, it } from 'vitest';
import type { MapDocument } from '../../../engine/schema/map.js';
import { pasteElements, removeElements, setOutlet } from './doc-ops.js';

const doc: MapDocument = {
  name: 'Loop',
  elements: [
    { id: 'clicked', kind: 'trigger', on: { type: 'manual' }, next: 'wait', position: { x: 0, y: 0 } },
    { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'decay', position: { x: 0, y: 100 } },
    { id: 'decay', kind: 'update_field', field: 'score', value: '[Score] - 2', next: 'loop', position: { x: 0, y: 200 } },
    { id: 'loop', kind: 'goto', target: 'wait', position: { x: 0, y: 300 } },
  ],
};

describe('document operations', () => {
  it('removing an element clears every outlet that led to it', () => {
    const next = removeElements(doc, ['wait']);
    expect(next.elements.map((e) => e.id)).toEqual(['clicked', 'decay', 'loop']);
    expect(next.elements[0]).not.toHaveProperty('next');
    expect(next.elements[2]).not.toHaveProperty('target');
    expect(doc.elements).toHaveLength(4); // the original is untouched: undo keeps it
  });

  it('connecting an outlet replaces where it led', () => {
    const next = setOutlet(doc, 'clicked', 'next', 'decay');
    expect(next.elements[0]).toMatchObject({ next: 'decay' });
    expect(setOutlet(doc, 'loop', 'next', 'decay')).toBe(doc); // a go-to has no "next"
  });

  it('pasting gives new ids, follows references inside the copy and drops those outside', () => {
    const taken = new Set(doc.elements.map((e) => e.id));
    const { doc: next, ids } = pasteElements(doc, doc.elements.slice(1, 3), taken, { x: 40, y: 40 });
    expect(ids).toEqual(['wait-2', 'update-1']);
    const [wait2, update1] = next.elements.slice(4);
    expect(wait2).toMatchObject({ id: 'wait-2', next: 'update-1', position: { x: 40, y: 140 } });
    expect(update1).toMatchObject({ id: 'update-1', value: '[Score] - 2' });
    expect(update1).not.toHaveProperty('next'); // "loop" was not copied
  });
});
