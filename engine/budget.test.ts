import { describe, expect, it } from 'vitest';
import { MAX_CAUSE_STEPS, processWork, type World } from './cascade.js';
import { compileMap } from './compile.js';
import { Effects } from './effects.js';
import { FieldRegistry } from './schema/field.js';
import { MapDocument } from './schema/map.js';
import type { ContactState } from './state.js';
import { mapFieldRegistry } from './validate.js';

/** One map: an event trigger, a chain of `length` changes, an end (length + 2 steps a pass). */
function chainWorld(length: number): World {
  const doc = MapDocument.parse({
    name: 'Chain',
    fields: [{ key: 'n', label: 'N', type: 'number' }],
    elements: [
      { id: 'go', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'c1' },
      ...Array.from({ length }, (_, i) => ({ id: `c${i + 1}`, kind: 'update_field', field: 'n', value: '[n] + 1', next: i === length - 1 ? 'done' : `c${i + 2}` })),
      { id: 'done', kind: 'end' },
    ],
  });
  const fields = mapFieldRegistry(doc, new FieldRegistry([]));
  return { maps: [compileMap({ id: 'chain', version: 1, doc }, fields)], fields };
}

const contact = (id: string): ContactState => ({ id, fields: {}, tags: [], positions: new Map() });
const go = (i: number) => ({ kind: 'event' as const, event: { id: `e${i}`, type: 'go', at: 0, props: {} } });

describe("a batch's step budget (a request's)", () => {
  it('counts every step of every cause, and stops each cause past it at the guard, with its own message', () => {
    const world = chainWorld(20); // 22 steps a pass
    const effects = new Effects({ stepBudget: 50 });
    const contacts = [0, 1, 2, 3].map((i) => contact(`k${i}`));
    contacts.forEach((c, i) => processWork(world, c, go(i), 0, effects));
    expect(effects.steps).toBe(50);
    // Two whole passes (44 steps), then six steps of the third: the trigger and five changes.
    expect(contacts.map((c) => c.fields.n ?? null)).toEqual([20, 20, 5, null]);
    expect(contacts[2].positions.get('chain')).toMatchObject({ elementId: 'c6', stuck: true });
    expect(contacts[3].positions.has('chain')).toBe(false); // refused at the trigger
    const stats = Object.fromEntries([...effects.stats.values()].map((s) => [s.elementId, s]));
    expect(stats.c6).toMatchObject({ errors: 1, lastError: 'Stopped: the request that caused this ran more than 50 steps in all: send its events in smaller requests' });
    expect(stats.go).toMatchObject({ wereHere: 3, errors: 1 });
  });

  it('is unlimited unless given, and a cause alone is held to MAX_CAUSE_STEPS', () => {
    const world = chainWorld(998); // 1,000 steps a pass: the most one move may take
    const effects = new Effects();
    for (let i = 0; i < 12; i++) processWork(world, contact(`k${i}`), go(i), 0, effects);
    expect(effects.steps).toBe(12 * 1_000);
    expect(effects.stepBudget).toBe(Infinity);
    expect([...effects.stats.values()].every((s) => s.errors === 0)).toBe(true);
    expect(MAX_CAUSE_STEPS).toBeGreaterThan(1_000);
  });
});
