import { compileExpression, type Expr } from './expression/index.js';
import { Element, type TriggerElement } from './elements/index.js';
import type { FieldRegistry } from './schema/field.js';
import type { MapDocument } from './schema/map.js';
import type { TriggerType } from './elements/trigger.js';

/** A published map made ready to run: elements by id, triggers by what opens them, expressions parsed. */
export interface CompiledMap {
  readonly id: string;
  readonly version: number;
  readonly paused: boolean;
  readonly doc: MapDocument;
  readonly fields: FieldRegistry;
  readonly elements: ReadonlyMap<string, Element>;
  /** Triggers of each type, in document order. */
  readonly triggers: { readonly [T in TriggerType]: readonly (TriggerElement & { on: { type: T } })[] };
  /** Parsed expressions by source text. */
  readonly expressions: ReadonlyMap<string, Expr>;
  /** Whether any element is a wait (else no contact can be due on this map). */
  readonly hasWaits: boolean;
}

/**
 * Prepares a map for the engine. The map is assumed validated (publish refuses invalid maps);
 * an expression that still fails to parse is left out and reported by the element when it runs.
 */
export function compileMap(
  m: { id: string; version: number; paused?: boolean; doc: MapDocument },
  fields: FieldRegistry,
): CompiledMap {
  const elements = new Map<string, Element>();
  const triggers: Record<TriggerType, TriggerElement[]> = {
    event: [], field_updated: [], contact_created: [], tag_added: [], tag_removed: [],
    date_reached: [], schedule: [], manual: [],
  };
  const expressions = new Map<string, Expr>();
  for (const el of m.doc.elements) {
    elements.set(el.id, el);
    if (el.kind === 'trigger') triggers[el.on.type].push(el);
    if (el.kind === 'update_field' && el.value !== undefined && !expressions.has(el.value)) {
      const c = compileExpression(el.value, fields);
      if (c.ok) expressions.set(el.value, c.expr);
    }
  }
  return {
    id: m.id, version: m.version, paused: m.paused ?? false, doc: m.doc, fields, elements,
    triggers: triggers as CompiledMap['triggers'],
    expressions,
    hasWaits: m.doc.elements.some((el) => el.kind === 'wait'),
  };
}
