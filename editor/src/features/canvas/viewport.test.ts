import { describe, expect, it } from 'vitest';
import { READABLE_ZOOM, readableViewport } from './viewport.js';

describe('the readable fit', () => {
  it('shows a small map whole and centred, never enlarged past 100 %', () => {
    const v = readableViewport({ x: 0, y: 0, width: 300, height: 200 }, 1000, 700);
    expect(v.zoom).toBe(1);
    expect(v).toMatchObject({ x: 350, y: 250 });
  });

  it('shrinks a map to fit when it stays readable', () => {
    const v = readableViewport({ x: 0, y: 0, width: 1000, height: 400 }, 914, 700);
    expect(v.zoom).toBeCloseTo(0.85, 2);
  });

  it('stops at the readable scale and shows a wide, tall map from its top left', () => {
    const v = readableViewport({ x: 100, y: 50, width: 1700, height: 1200 }, 1040, 670);
    expect(v.zoom).toBe(READABLE_ZOOM);
    // The map's top left corner sits at the padding: the rest scrolls.
    expect(v.x + 100 * v.zoom).toBe(32);
    expect(v.y + 50 * v.zoom).toBe(32);
  });

  it('centres the axis that fits while the other starts at its edge', () => {
    const v = readableViewport({ x: 0, y: 0, width: 400, height: 2000 }, 1000, 700);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(v.x).toBe((1000 - 400 * READABLE_ZOOM) / 2);
    expect(v.y).toBe(32);
  });
});
