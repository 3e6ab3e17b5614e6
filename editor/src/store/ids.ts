import type { ElementKindName } from '../../../engine/elements/index.js';

/** The prefix of new element ids per kind: `trigger-1`, `update-3`, `wait-2`. */
export const ID_PREFIX: { readonly [K in ElementKindName]: string } = {
  trigger: 'trigger', update_field: 'update', wait: 'wait', condition: 'condition', goto: 'goto', end: 'end', webhook: 'webhook', assign_owner: 'assign',
};

/**
 * A fresh id for an element of `kind`: its prefix and one more than the highest number in use with
 * that prefix (a bare `wait` counts as 1, so the next is `wait-2`). `taken` should include the ids
 * of elements deleted during the session: a new element must not inherit an old id, because
 * contacts still sitting on the published element of that id would land on the new one.
 */
export function newElementId(kind: ElementKindName, taken: Iterable<string>): string {
  const prefix = ID_PREFIX[kind];
  const pattern = new RegExp(`^${prefix}(?:-(\\d+))?$`);
  let highest = 0;
  const all = new Set(taken);
  for (const id of all) {
    const m = pattern.exec(id);
    if (m) highest = Math.max(highest, m[1] === undefined ? 1 : Number(m[1]));
  }
  let n = highest + 1;
  // Numbers past 2^53 or ids past 64 characters cannot happen in a real map; the loop is a guard.
  while (all.has(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}
