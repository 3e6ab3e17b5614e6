import { describe, expect, it } from 'vitest';
import { FieldRegistry } from './schema/field.js';
import { MapDocument } from './schema/map.js';
import { mapFieldRegistry } from './validate.js';
import { fanOutWarnings, type FanOutMap } from './validate-fan-out.js';

const num = (key: string) => ({ key, label: key, type: 'number' });
const fields = [num('a'), num('b'), num('c')];

/** A map opened by an event or by a change of `listens`, changing `writes` `times` times in one pass. */
function map(id: string, opts: { listens?: string; writes: string; times: number; wait?: boolean }): FanOutMap {
  const changes = Array.from({ length: opts.times }, (_, i) => ({
    id: `${id}${i + 1}`, kind: 'update_field', field: opts.writes, value: `[${opts.writes}] + 1`,
    next: i === opts.times - 1 ? 'done' : opts.wait && i === 0 ? 'pause' : `${id}${i + 2}`,
  }));
  const doc = MapDocument.parse({
    name: `Map ${id.toUpperCase()}`,
    fields,
    elements: [
      opts.listens
        ? { id: 'open', kind: 'trigger', on: { type: 'field_updated', field: opts.listens }, next: `${id}1` }
        : { id: 'open', kind: 'trigger', on: { type: 'event', event: 'go' }, next: `${id}1` },
      ...changes,
      ...(opts.wait ? [{ id: 'pause', kind: 'wait', for: { days: 1 }, next: `${id}2` }] : []),
      { id: 'done', kind: 'end' },
    ],
  });
  return { id, doc, fields: mapFieldRegistry(doc, new FieldRegistry([])) };
}

describe('fan-out warnings across maps', () => {
  it('warn the listening map when a chain through it can pass the per-cause budget, naming the maps, the field and the elements', () => {
    const a = map('a', { writes: 'a', times: 200 });
    const b = map('b', { listens: 'a', writes: 'b', times: 200 });
    const warnings = fanOutWarnings(b, [a]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ element: 'open', severity: 'warning' });
    // One pass of A: 202 steps, and 200 passes of B of 202 steps each.
    expect(warnings[0].message).toBe("Map 'Map B' runs 200 times for one pass of map 'Map A', which changes 'a' 200 times (elements a1, a2 … a200): one event could run up to 40,602 steps through these maps. The engine stops a cause after 10,000 steps and leaves the contact stuck: change the field once per pass (compute the value, then write it once), or listen to a field that is written once.");
    // The writing map is warned on its first writing element when it is the one checked.
    expect(fanOutWarnings(a, [b])).toEqual([expect.objectContaining({ element: 'a1' })]);
  });

  it('say nothing when the chain stays within the budget, a map writes once, or a wait splits the writes', () => {
    expect(fanOutWarnings(map('b', { listens: 'a', writes: 'b', times: 40 }), [map('a', { writes: 'a', times: 40 })])).toEqual([]);
    expect(fanOutWarnings(map('b', { listens: 'a', writes: 'b', times: 900 }), [map('a', { writes: 'a', times: 1 })])).toEqual([]);
    expect(fanOutWarnings(map('b', { listens: 'a', writes: 'b', times: 3 }), [map('a', { writes: 'a', times: 900, wait: true })])).toEqual([]);
    expect(fanOutWarnings(map('a', { writes: 'a', times: 900 }), [])).toEqual([]);
  });

  it('call maps that open each other through repeated changes endless', () => {
    const ping = map('p', { listens: 'b', writes: 'a', times: 2 });
    const pong = map('q', { listens: 'a', writes: 'b', times: 2 });
    const [w] = fanOutWarnings(pong, [ping]);
    expect(w.message).toContain('could run without end (the maps open each other) through these maps');
  });
});
