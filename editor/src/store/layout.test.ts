import { describe, expect, it } from 'vitest';
import type { MapDocument } from '../../../engine/schema/map.js';
import { layoutPositions } from './layout.js';

const y = (p: Map<string, { x: number; y: number }>, id: string) => p.get(id)!.y;

describe('layoutPositions', () => {
  it('puts every trigger in the top row, even one that joins the flow late, and each element below what leads to it', () => {
    const doc: MapDocument = {
      name: 'Two doors',
      elements: [
        { id: 'a', kind: 'trigger', on: { type: 'manual' }, next: 'u1' },
        { id: 'u1', kind: 'update_field', field: 'score', value: '1', next: 'w' },
        { id: 'w', kind: 'wait', for: { days: 1 }, next: 'u2' },
        { id: 'u2', kind: 'update_field', field: 'score', value: '2', next: 'loop' },
        { id: 'loop', kind: 'goto', target: 'w' },
        { id: 'b', kind: 'trigger', on: { type: 'manual' }, next: 'u2' },
      ],
    };
    const p = layoutPositions(doc);
    expect(y(p, 'b')).toBe(y(p, 'a'));
    for (const [from, to] of [['a', 'u1'], ['u1', 'w'], ['w', 'u2'], ['u2', 'loop']]) expect(y(p, from)).toBeLessThan(y(p, to));
  });

  it('keeps a long chain straight when its side branches all fall on one side', () => {
    const elements: MapDocument['elements'] = [{ id: 'e0', kind: 'trigger', on: { type: 'manual' }, next: 'e1' }];
    for (let i = 1; i < 40; i++) {
      elements.push(i % 2
        ? { id: `e${i}`, kind: 'condition', if: { field: 'score', op: 'gt', value: i }, then: `e${i + 1}`, else: `x${i}` }
        : { id: `e${i}`, kind: 'wait', for: { hours: 1 }, next: `e${i + 1}` });
    }
    elements.push({ id: 'e40', kind: 'end' });
    for (let i = 1; i < 40; i += 2) elements.push({ id: `x${i}`, kind: 'end' });
    const p = layoutPositions({ name: 'Chain', elements });
    expect(p.get('e40')!.x).toBe(p.get('e0')!.x);
  });
});
