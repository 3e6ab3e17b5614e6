import { kindOf, type Element } from './elements/index.js';
import type { Problem } from './elements/types.js';
import type { FieldRegistry } from './schema/field.js';
import type { MapDocument } from './schema/map.js';
import { MAX_CAUSE_STEPS } from './cascade.js';
import { elementName } from './validate.js';

/** A map as the fan-out check sees it. */
export interface FanOutMap {
  readonly id: string;
  readonly doc: MapDocument;
  readonly fields: FieldRegistry;
}

/** What one pass through a map (an entry, up to the next wait or end) can do at most. */
interface Pass {
  /** Steps one pass can run. */
  readonly steps: number;
  /** Per field key: how many times one pass can change it, and the elements that do. */
  readonly writes: ReadonlyMap<string, { times: number; elements: readonly Element[] }>;
  /** Field keys whose change opens this map (field_updated triggers), with the trigger. */
  readonly opens: ReadonlyMap<string, Element>;
}

/** The longest instant path from each element (no wait passed), by a score per element. */
function longestInstant(doc: MapDocument, score: (el: Element) => number): number {
  const byId = new Map(doc.elements.map((el) => [el.id, el]));
  const memo = new Map<string, number>();
  const onPath = new Set<string>();
  const from = (el: Element): number => {
    const known = memo.get(el.id);
    if (known !== undefined) return known;
    if (onPath.has(el.id)) return 0; // an instant loop: refused by validation on its own
    onPath.add(el.id);
    let best = 0;
    let outlets: { target?: string; instant: boolean }[] = [];
    try {
      outlets = kindOf(el).outlets(el);
    } catch {
      // an element too broken to read has its own error
    }
    for (const o of outlets) {
      const next = o.instant && o.target ? byId.get(o.target) : undefined;
      if (next) best = Math.max(best, from(next));
    }
    onPath.delete(el.id);
    const total = score(el) + best;
    memo.set(el.id, total);
    return total;
  };
  let max = 0;
  for (const el of doc.elements) max = Math.max(max, from(el));
  return max;
}

function passOf(m: FanOutMap): Pass {
  const key = (ref: string) => m.fields.resolve(ref)?.key;
  const writes = new Map<string, { times: number; elements: Element[] }>();
  const fieldsWritten = new Set<string>();
  for (const el of m.doc.elements) {
    if (el.kind !== 'update_field') continue;
    const k = key(el.field);
    if (k) fieldsWritten.add(k);
  }
  for (const k of fieldsWritten) {
    const times = longestInstant(m.doc, (el) => (el.kind === 'update_field' && key(el.field) === k ? 1 : 0));
    writes.set(k, { times, elements: m.doc.elements.filter((el) => el.kind === 'update_field' && key(el.field) === k) });
  }
  const opens = new Map<string, Element>();
  for (const el of m.doc.elements) {
    if (el.kind !== 'trigger' || el.on.type !== 'field_updated') continue;
    const k = key(el.on.field);
    if (k && !opens.has(k)) opens.set(k, el);
  }
  return { steps: longestInstant(m.doc, () => 1), writes, opens };
}

const count = (n: number) => Math.round(n).toLocaleString('en');

function elementList(els: readonly Element[]): string {
  const names = els.map(elementName);
  return names.length > 3 ? `${names[0]}, ${names[1]} … ${names[names.length - 1]}` : names.join(', ');
}

/**
 * Warns (before publish) about `field_updated` chains across maps that fan out: a map that can
 * change a field k times in one pass enters a map listening to that field k times, which may in
 * turn change another field k' times into a third: k × k' passes. When, for one entry into some
 * map, the steps such a chain can run pass the per-cause budget (MAX_CAUSE_STEPS, where the engine
 * stops the cause), `map` gets a warning naming the maps, the field and the elements — on its
 * trigger when it listens, else on the elements that write. `others` are the published maps
 * (without `map`'s own published version).
 */
export function fanOutWarnings(map: FanOutMap, others: readonly FanOutMap[], budget = MAX_CAUSE_STEPS): Problem[] {
  const maps = [map, ...others];
  const passes = maps.map(passOf);
  // The most steps one entry into map i can lead to, through every map its changes open.
  const memo = new Map<number, number>();
  const onPath = new Set<number>();
  const total = (i: number): number => {
    const known = memo.get(i);
    if (known !== undefined) return known;
    if (onPath.has(i)) return Infinity; // maps that open each other: only the depth guard ends it
    onPath.add(i);
    let steps = passes[i].steps;
    for (const [field, w] of passes[i].writes) {
      for (let j = 0; j < maps.length; j++) if (passes[j].opens.has(field)) steps += w.times * total(j);
    }
    onPath.delete(i);
    memo.set(i, steps);
    return steps;
  };

  // Which maps' changes lead into which (directly): for naming where the worst chain starts.
  const opensFrom = (i: number) => maps.flatMap((_, j) => ([...passes[i].writes.keys()].some((f) => passes[j].opens.has(f)) ? [j] : []));
  const leadsTo = (from: number, to: number): boolean => {
    const seen = new Set<number>([from]);
    const queue = [from];
    while (queue.length) {
      const v = queue.pop()!;
      if (v === to) return true;
      for (const w of opensFrom(v)) if (!seen.has(w)) (seen.add(w), queue.push(w));
    }
    return false;
  };

  const problems: Problem[] = [];
  const said = new Set<string>();
  // Each hop where a map that changes a field several times in one pass opens a map listening to
  // it, with `map` on one side of it, when some chain through the hop can pass the budget.
  for (let i = 0; i < maps.length; i++) {
    for (const [field, w] of passes[i].writes) {
      if (w.times < 2) continue;
      for (let j = 0; j < maps.length; j++) {
        const trigger = passes[j].opens.get(field);
        if (!trigger || (i !== 0 && j !== 0)) continue;
        // The worst chain through this hop: from whichever map leads into the writer.
        let start = i;
        for (let x = 0; x < maps.length; x++) if (total(x) > total(start) && leadsTo(x, i)) start = x;
        const worst = total(start);
        if (worst <= budget) continue;
        const where = j === 0 ? trigger.id : w.elements[0].id;
        if (said.has(`${where}\u0000${field}`)) continue;
        said.add(`${where}\u0000${field}`);
        const name = (x: number) => `'${maps[x].doc.name}'`;
        const fieldLabel = maps[i].fields.resolve(field)?.label ?? field;
        const listener = i === j ? `Map ${name(j)} opens itself and` : `Map ${name(j)}`;
        const from = start === i ? '' : ` (entering map ${name(start)})`;
        const reach = Number.isFinite(worst) ? `up to ${count(worst)} steps` : 'without end (the maps open each other)';
        problems.push({
          element: where,
          path: '',
          severity: 'warning',
          message: `${listener} runs ${count(w.times)} times for one pass of map ${name(i)}, which changes '${fieldLabel}' ${count(w.times)} times (elements ${elementList(w.elements)}): one event${from} could run ${reach} through these maps. The engine stops a cause after ${budget.toLocaleString('en')} steps and leaves the contact stuck: change the field once per pass (compute the value, then write it once), or listen to a field that is written once.`,
        });
      }
    }
  }
  return problems;
}
