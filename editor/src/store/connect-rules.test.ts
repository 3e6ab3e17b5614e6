import { describe, expect, it } from 'vitest';
import type { Element } from '../../../engine/elements/index.js';
import { connectionRefusal } from './connect-rules.js';

const trigger: Element = { id: 't', kind: 'trigger', on: { type: 'manual' } };
const wait: Element = { id: 'w', kind: 'wait', for: { days: 1 } };
const goto: Element = { id: 'g', kind: 'goto' };
const end: Element = { id: 'e', kind: 'end' };

describe('connectionRefusal', () => {
  it('allows an outlet into an ordinary element, even when the outlet already leads elsewhere', () => {
    expect(connectionRefusal(trigger, 'next', wait)).toBeNull();
    expect(connectionRefusal({ ...trigger, next: 'e' } as Element, 'next', wait)).toBeNull();
    expect(connectionRefusal(goto, 'target', wait)).toBeNull();
  });

  it('refuses anything into a trigger, and says why for a go-to', () => {
    expect(connectionRefusal(wait, 'next', trigger)).toMatch(/into a trigger/);
    expect(connectionRefusal(goto, 'target', trigger)).toMatch(/go-to cannot jump to a trigger/);
  });

  it('refuses an element leading to itself', () => {
    expect(connectionRefusal(wait, 'next', wait)).toMatch(/itself/);
  });

  it('refuses outlets the kind does not have', () => {
    expect(connectionRefusal(end, 'next', wait)).toMatch(/no such outlet/);
    expect(connectionRefusal(wait, 'then', end)).toMatch(/no such outlet/);
  });
});
