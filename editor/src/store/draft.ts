/** What the editor does to a draft as it arrives: positions for elements without one, checks, fields. */
import type { Problem } from '../../../engine/elements/types.js';
import { BUILTIN_FIELDS, FieldRegistry, type FieldDef, type FieldType } from '../../../engine/schema/field.js';
import type { MapDocument } from '../../../engine/schema/map.js';
import { validateMap } from '../../../engine/validate.js';
import * as ops from './doc-ops.js';
import { DEFAULT_NODE_SIZE, layoutPositions } from './layout.js';

/** A field as GET /api/fields answers it. */
export interface FieldView { key: string; label: string; type: FieldType; decimals: number | null; default: number | string | boolean | null; builtin: boolean; formerLabels?: readonly string[] }

/** Places elements without a position: all of them by auto-layout, or a few in a row below the rest. */
export function placeMissing(doc: MapDocument): MapDocument {
  const missing = doc.elements.filter((e) => !e.position);
  if (!missing.length) return doc;
  if (missing.length === doc.elements.length) return ops.moveElements(doc, layoutPositions(doc));
  const bottom = Math.max(...doc.elements.map((e) => (e.position ? e.position.y : -Infinity))) + DEFAULT_NODE_SIZE.height + 80;
  return ops.moveElements(doc, new Map(missing.map((e, i) => [e.id, { x: i * (DEFAULT_NODE_SIZE.width + 40), y: bottom }])));
}

const NO_NAME: Problem = { element: null, path: 'name', severity: 'error', message: 'The map needs a name: type one in the box at the top left' };

/** `validateMap`, plus what only the format check would say: a map needs a name. */
export function checkDraft(doc: MapDocument, known: FieldRegistry): Problem[] {
  const problems = validateMap(doc, known);
  return doc.name.trim() ? problems : [NO_NAME, ...problems];
}

export function toRegistry(fields: readonly FieldView[]): FieldRegistry {
  return new FieldRegistry([
    ...BUILTIN_FIELDS,
    ...fields.map((f): FieldDef => ({ key: f.key, label: f.label, type: f.type, decimals: f.decimals ?? undefined, default: f.default ?? undefined, builtin: f.builtin, formerLabels: f.formerLabels })),
  ]);
}
