import { describe, expect, it } from 'vitest';
import type { MapDocument } from '../../../engine/schema/map.js';
import { insertIntoFlow, makeRoom, pasteElements, removeElements, setOutlet } from './doc-ops.js';

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

  it('a pasted go-to keeps jumping to its target while the target is on the map', () => {
    const taken = new Set(doc.elements.map((e) => e.id));
    const { doc: next } = pasteElements(doc, [doc.elements[3]], taken, { x: 40, y: 40 });
    expect(next.elements[4]).toMatchObject({ id: 'goto-1', kind: 'goto', target: 'wait' });
    const gone = removeElements(doc, ['wait']);
    const { doc: without } = pasteElements(gone, [doc.elements[3]], new Set(['clicked', 'decay', 'loop']), { x: 0, y: 0 });
    expect(without.elements[3]).not.toHaveProperty('target');
  });

  it('putting an element into the flow wires it between the element and what followed', () => {
    const next = insertIntoFlow(doc, 'wait', 'next', { id: 'add', kind: 'update_field', field: 'score', value: '1', position: { x: 0, y: 200 } });
    expect(next.elements.find((e) => e.id === 'wait')).toMatchObject({ next: 'add' });
    expect(next.elements.find((e) => e.id === 'add')).toMatchObject({ next: 'decay' });
    // An End has no outlet: what followed is left for the person to rewire.
    const ended = insertIntoFlow(doc, 'wait', 'next', { id: 'stop', kind: 'end' });
    expect(ended.elements.find((e) => e.id === 'stop')).not.toHaveProperty('next');
    // Dropped on a go-to's jump: the go-to jumps to it, and it goes on where the jump led.
    const trig = insertIntoFlow(doc, 'loop', 'target', { id: 'u', kind: 'update_field', field: 'score', value: '1' });
    expect(trig.elements.find((e) => e.id === 'u')).toMatchObject({ next: 'wait' });
  });

  it('making room moves down what is at or below a line, and nothing above it', () => {
    const next = makeRoom(doc, 200, 150, new Set(['loop']));
    expect(next.elements.map((e) => e.position?.y)).toEqual([0, 100, 350, 300]);
  });
});
