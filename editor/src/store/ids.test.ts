import { describe, expect, it } from 'vitest';
import { newElementId } from './ids.js';

describe('newElementId', () => {
  it('starts at 1 for a kind the map does not use yet', () => {
    expect(newElementId('wait', [])).toBe('wait-1');
    expect(newElementId('update_field', ['wait-1'])).toBe('update-1');
  });

  it('counts a bare prefix as 1, so the decay loop\'s "wait" is followed by "wait-2"', () => {
    expect(newElementId('wait', ['clicked', 'wait', 'decay'])).toBe('wait-2');
  });

  it('goes one past the highest number, never filling a gap a deleted element left', () => {
    expect(newElementId('update_field', ['update-1', 'update-3'])).toBe('update-4');
  });

  it('ignores ids that only start like the prefix', () => {
    expect(newElementId('end', ['endless', 'end-x', 'the-end-9'])).toBe('end-1');
  });
});
