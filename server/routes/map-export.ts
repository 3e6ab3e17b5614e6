import type { FieldDefinition, FieldRegistry } from '../../engine/schema/field.js';
import { mapFieldUses } from '../../engine/field-uses.js';
import { parseMapDocument } from '../../engine/parse.js';
import { mapFieldRegistry } from '../../engine/validate.js';

/**
 * A map document as a file for another server: it declares every custom field the map reads or
 * writes (SPEC §2: importing creates the missing ones), so `scoremap validate` and a publish
 * elsewhere find them. Declarations the map already has are kept as written; the others are added
 * after them from the fields this server knows. A document that does not parse is given as it is.
 */
export function exportDocument(raw: unknown, known: FieldRegistry): unknown {
  const parsed = parseMapDocument(raw);
  if (!parsed.ok || typeof raw !== 'object' || raw === null) return raw;
  const registry = mapFieldRegistry(parsed.doc, known);
  const declared = parsed.doc.fields ?? [];
  const added: FieldDefinition[] = [];
  for (const key of mapFieldUses(parsed.doc, registry).keys()) {
    const f = registry.get(key);
    if (!f || f.builtin || f.type === 'tags' || declared.some((d) => d.key === key)) continue;
    added.push({
      key: f.key, label: f.label, type: f.type,
      ...(f.type === 'number' && f.decimals !== undefined ? { decimals: f.decimals } : {}),
      ...(f.default === undefined ? {} : { default: f.default }),
    });
  }
  if (added.length === 0) return raw;
  const fields = [...((raw as { fields?: unknown[] }).fields ?? []), ...added];
  // `fields` where a reader looks for it: after the name and description, before the elements.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'elements' && !('fields' in out)) out.fields = fields;
    out[k] = k === 'fields' ? fields : v;
  }
  if (!('fields' in out)) out.fields = fields;
  return out;
}
