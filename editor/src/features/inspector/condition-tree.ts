/** Pure edits of a Condition tree for the ConditionEditor: new tests, wrapping, and how deep groups may go. */
import { MAX_CONDITION_DEPTH, type Condition, type FieldTest } from '../../../../engine/schema/condition.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import type { Element } from '../../../../engine/elements/index.js';
import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import { firstOp, type OpOptions, type PropType } from './condition-ops.js';

/** How many group levels (`all`/`any`/`not`) a condition holds on its deepest path: a test is 0. */
export function groupHeight(c: Condition): number {
  if ('all' in c) return 1 + Math.max(0, ...c.all.map(groupHeight));
  if ('any' in c) return 1 + Math.max(0, ...c.any.map(groupHeight));
  if ('not' in c) return 1 + groupHeight(c.not);
  return 0;
}

/**
 * Whether a node at `depth` (the root is 1) may be wrapped in a new group — `not`, or `all`/`any` to
 * add a sibling — without nesting past what validation accepts (MAX_CONDITION_DEPTH).
 */
export function canWrap(c: Condition, depth: number): boolean {
  return depth + groupHeight(c) <= MAX_CONDITION_DEPTH;
}

/** Whether a group at `depth` may take a new group as a child. */
export function canAddGroup(depth: number): boolean {
  return depth + 1 <= MAX_CONDITION_DEPTH;
}

/** A new test to fill in: the map's first custom number field (usually its score), else Score. */
export function newTest(fields: FieldRegistry, opts: OpOptions = {}): FieldTest {
  const all = fields.all();
  const f = all.find((d) => !d.builtin && d.type === 'number') ?? fields.get('score') ?? all[0];
  const key = f?.key ?? 'score';
  return { field: key, op: firstOp({ kind: 'field', type: f?.type }, opts) };
}

/** The other kind of group: a new group inside `all` is an `any`, and the other way round. */
export function newGroup(parent: 'all' | 'any', fields: FieldRegistry, opts: OpOptions = {}): Condition {
  return parent === 'all' ? { any: [newTest(fields, opts)] } : { all: [newTest(fields, opts)] };
}

/**
 * The props an event trigger of this map may bring along: a condition reached from an event can test
 * them. Only a hint for the picker — any prop name may be typed.
 */
export function mapEventProps(elements: readonly Element[]): Record<string, PropType> {
  const props: Record<string, PropType> = {};
  for (const el of elements) {
    if (el.kind === 'trigger' && el.on.type === 'event') Object.assign(props, KNOWN_EVENTS[el.on.event]);
  }
  return props;
}

