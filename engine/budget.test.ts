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

/**
 * Issue 15: map A (opened by the event `go`) changes `a` `length` times, map B (opened by each change
 * of `a`) changes `b` as often, map C (by `b`) changes `c`. With `waiter`, map W holds contacts at a
 * wait until `c` ≥ 1, re-checked at every change.
 */
function chainedWorld(length: number, waiter = false): World {
  const fields = ['a', 'b', 'c'].map((key) => ({ key, label: key.toUpperCase(), type: 'number' }));
  const chain = (p: string) => Array.from({ length }, (_, i) => ({ id: `${p}${i + 1}`, kind: 'update_field', field: p, value: `[${p}] + 1`, next: i === length - 1 ? 'done' : `${p}${i + 2}` }));
  const onChange = (field: string, next: string) => ({ id: 'on', kind: 'trigger', on: { type: 'field_updated', field }, next });
  const docs = [
    { name: 'A', fields, elements: [{ id: 'on', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'a1' }, ...chain('a'), { id: 'done', kind: 'end' }] },
    { name: 'B', fields, elements: [onChange('a', 'b1'), ...chain('b'), { id: 'done', kind: 'end' }] },
    { name: 'C', fields, elements: [onChange('b', 'c1'), ...chain('c'), { id: 'done', kind: 'end' }] },
    ...(waiter ? [{ name: 'W', fields, elements: [
      { id: 'on', kind: 'trigger', on: { type: 'event', event: 'hold' }, next: 'until' },
      { id: 'until', kind: 'wait', until: { condition: { field: 'c', op: 'gte', value: 1 } }, next: 'done' },
      { id: 'done', kind: 'end' },
    ] }] : []),
  ].map((d) => MapDocument.parse(d));
  const registry = mapFieldRegistry(docs[0], new FieldRegistry([]));
  return { maps: docs.map((doc) => compileMap({ id: doc.name, version: 1, doc }, registry)), fields: registry };
}

const contact = (id: string): ContactState => ({ id, fields: {}, tags: [], positions: new Map() });
const go = (i: number) => ({ kind: 'event' as const, event: { id: `e${i}`, type: 'go', at: 0, props: {} } });

describe("a cause's step budget", () => {
  it('stops three chained maps of long chains after MAX_CAUSE_STEPS steps, in the middle of a pass, reported once', () => {
    const world = chainedWorld(997); // 999 steps a pass
    const effects = new Effects();
    const ann = contact('ann');
    processWork(world, ann, go(0), 0, effects);
    expect(effects.steps).toBe(MAX_CAUSE_STEPS);
    // A's pass, nine of B's, then B's trigger and nine changes: the tenth pass stops at b10; C never ran.
    expect(ann.fields).toMatchObject({ a: 997, b: 9 * 997 + 9 });
    expect(ann.fields.c).toBeUndefined();
    expect(effects.changes).toHaveLength(997 + 9 * 997 + 9 + 1); // and last activity
    expect([...ann.positions.values()]).toEqual([expect.objectContaining({ mapId: 'B', elementId: 'b10', stuck: true, dueAt: null })]);
    // The 987 changes of `a` and the 8,982 of `b` left in the queue (first caused, first run) open
    // no map: the cause is reported once, where it stopped.
    const errors = [...effects.stats.values()].filter((s) => s.errors);
    expect(errors).toEqual([expect.objectContaining({
      mapId: 'B', elementId: 'b10', errors: 1,
      lastError: `Stopped: one cause ran more than ${MAX_CAUSE_STEPS.toLocaleString('en')} steps across all maps (do field changes trigger maps over and over?)`,
    })]);
    expect([...effects.stats.values()].some((s) => s.mapId === 'C')).toBe(false);
  });

  it('leaves the contact waiting where a stopped cause would have re-checked its wait', () => {
    const world = chainedWorld(997, true);
    const effects = new Effects();
    const ann = contact('ann');
    processWork(world, ann, { kind: 'event', event: { id: 'h', type: 'hold', at: 0, props: {} } }, 0, effects);
    processWork(world, ann, go(1), 0, effects);
    // Holding: the trigger, the wait, its re-check at the change of last activity. Then each change
    // re-checked W's wait (a step each) until the budget was spent; after that, nothing more.
    expect(effects.steps).toBe(3 + MAX_CAUSE_STEPS);
    expect(ann.positions.get('W')).toMatchObject({ elementId: 'until', stuck: false, onCondition: true });
    expect([...effects.stats.values()].reduce((n, s) => n + s.errors, 0)).toBe(1);
  });
});

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

  it('holds a request of runaway events to its budget: each cause stopped once, the history bounded', () => {
    const world = chainedWorld(997); // 999 steps a pass
    const effects = new Effects({ stepBudget: 25_000 });
    const contacts = [0, 1, 2, 3].map((i) => contact(`k${i}`));
    contacts.forEach((c, i) => processWork(world, c, go(i), 0, effects));
    expect(effects.steps).toBe(25_000);
    // Two causes stopped by their own budget at b10; the third after 5,000 steps (A's pass, four of
    // B's, B's trigger and four changes) at b5; the fourth refused at A's trigger.
    expect(contacts.map((c) => [c.fields.a ?? null, c.fields.b ?? null])).toEqual([[997, 8982], [997, 8982], [997, 4 * 997 + 4], [null, null]]);
    expect(effects.changes).toHaveLength(2 * (997 + 8982) + (997 + 4 * 997 + 4) + 4); // and last activity, four times
    const errors = [...effects.stats.values()].filter((s) => s.errors).map((s) => [s.mapId, s.elementId, s.errors, s.lastError]).sort();
    const request = 'Stopped: the request that caused this ran more than 25,000 steps in all: send its events in smaller requests';
    expect(errors).toEqual([
      ['A', 'on', 1, request],
      ['B', 'b10', 2, `Stopped: one cause ran more than ${MAX_CAUSE_STEPS.toLocaleString('en')} steps across all maps (do field changes trigger maps over and over?)`],
      ['B', 'b5', 1, request],
    ]);
    expect(contacts[3].positions.size).toBe(0);
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
