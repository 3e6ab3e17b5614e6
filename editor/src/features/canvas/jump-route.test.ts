import { describe, expect, it } from 'vitest';
import { jumpRoute } from './JumpEdge.js';

const box = (left: number, top: number, w = 240, h = 90) => ({ left, top, right: left + w, bottom: top + h });

describe('the route of a go-to\'s jump', () => {
  it('runs just right of both ends when nothing is in the way', () => {
    expect(jumpRoute({ x: 240, y: 600 }, { x: 240, y: 245, top: 200 }, [box(0, 400)])).toEqual({ lane: 268, arrive: 245 });
  });

  it('moves its lane right of an element it would cross', () => {
    const r = jumpRoute({ x: 240, y: 600 }, { x: 240, y: 245, top: 200 }, [box(100, 400)]);
    expect(r.lane).toBe(368);
  });

  it('comes in along the gap above the target\'s row when an element sits beside the target', () => {
    // The go-to and the target in one row, an End between them.
    const r = jumpRoute({ x: 1000, y: 245 }, { x: 240, y: 245, top: 200 }, [box(400, 210)]);
    expect(r.arrive).toBeLessThan(200);
    expect(r.lane).toBe(1028);
  });
});
