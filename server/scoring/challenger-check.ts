import type { Problem } from '../../engine/elements/types.js';
import { mapFieldUses, modelFieldUses } from '../../engine/field-uses.js';
import type { CompiledMap } from '../../engine/compile.js';
import type { FieldRegistry } from '../../engine/schema/field.js';
import type { MapDocument } from '../../engine/schema/map.js';
import { ScoringModel } from '../../engine/scoring/model.js';
import { bracketField } from '../../engine/scoring/run.js';
import { challengerFields } from '../../engine/scoring/shadow.js';
import { elementName, mapFieldRegistry } from '../../engine/validate.js';

/**
 * The rule that keeps a challenger (a model with `shadow: true`, SPEC §11) from steering anyone:
 * its changes trigger nothing in the engine, and on top of that
 * - a published map may not read or write its score or bracket field (refused at publish, an error
 *   on validate): a map that read it would make decisions on the challenger's say;
 * - no scoring model's rule may test them (a champion's points would follow the challenger);
 * - a model becomes a challenger only while no published (or paused) map and no other model uses
 *   its fields.
 * A challenger promoted (`shadow: false`) triggers like any model from its next change on; the
 * switch itself changes no value, so nothing fires at it.
 */

const label = (fields: FieldRegistry, key: string) => fields.get(key)?.label ?? key;
const quote = (s: string) => `"${s}"`;

/** Each challenger field, by key, with the model it belongs to. */
export function challengerFieldOwners(models: readonly { readonly id: string; readonly name: string; readonly field: string; readonly shadow?: boolean; readonly brackets?: readonly unknown[] }[]): Map<string, { id: string; name: string }> {
  const owners = new Map<string, { id: string; name: string }>();
  for (const m of models) for (const key of challengerFields(m as Parameters<typeof challengerFields>[0])) owners.set(key, { id: m.id, name: m.name });
  return owners;
}

/** Parses stored model documents, leaving out any that no longer parse. */
export function parseModels(docs: readonly unknown[]): ScoringModel[] {
  return docs.flatMap((d) => {
    const parsed = ScoringModel.safeParse(d);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * A map that uses a challenger's field: one error per element that names it ("Element 'Hot?':
 * reads Score v2, the field of the challenger model …").
 */
export function challengerMapProblems(doc: MapDocument, known: FieldRegistry, models: readonly ScoringModel[]): Problem[] {
  const owners = challengerFieldOwners(models);
  if (!owners.size) return [];
  const fields = mapFieldRegistry(doc, known);
  const problems: Problem[] = [];
  for (const [key, elementIds] of mapFieldUses(doc, fields)) {
    const owner = owners.get(key);
    if (!owner) continue;
    for (const id of elementIds) {
      const el = doc.elements.find((e) => e.id === id);
      problems.push({
        element: id, path: '', severity: 'error',
        message: `Element '${el ? elementName(el) : id}': uses ${label(fields, key)}, a field of the challenger model ${quote(owner.name)}, which runs in shadow: a published map may not read or write a challenger's score or bracket (it would steer contacts on the challenger's say). Use the champion's field, or promote the challenger first (untick "Challenger" on the model)`,
      });
    }
  }
  return problems;
}

/**
 * Why a model cannot be saved as it is, given the published maps and the other models: a challenger
 * whose fields a map or another model uses, or a model whose rules test a challenger's fields.
 */
export function challengerModelProblems(model: ScoringModel, known: FieldRegistry, maps: readonly CompiledMap[], others: readonly ScoringModel[]): Problem[] {
  const problems: Problem[] = [];
  const say = (path: string, message: string) => problems.push({ element: null, path, severity: 'error', message });
  const rest = others.filter((m) => m.id !== model.id);
  // What its rules test (not the fields it writes): a challenger's field there is refused.
  const fields = known.with((model.fields ?? []).map((f) => ({ ...f })));
  const own = new Set([fields.resolve(model.field)?.key ?? model.field, bracketField(fields.resolve(model.field)?.key ?? model.field)]);
  const tested = [...modelFieldUses({ ...model, field: '', brackets: undefined }, fields)].filter((k) => !own.has(k) || model.shadow);
  const owners = challengerFieldOwners([...rest, ...(model.shadow ? [model] : [])]);
  for (const key of tested) {
    const owner = owners.get(key);
    if (owner) say('rules', `A rule tests ${label(fields, key)}, a field of the challenger model ${quote(owner.name)}: no model may score on a challenger's score or bracket (its points would follow the challenger). Test the champion's field instead`);
  }
  if (!model.shadow) return problems;
  const mine = new Set(challengerFields({ ...model, field: fields.resolve(model.field)?.key ?? model.field }));
  for (const map of maps) {
    const used = [...mapFieldUses(map.doc, map.fields).keys()].filter((k) => mine.has(k));
    if (used.length) {
      say('shadow', `The ${map.paused ? 'paused ' : ''}published map ${quote(map.doc.name)} uses ${used.map((k) => label(fields, k)).join(' and ')}: a challenger's fields may not be read or written by a published map (it would steer contacts on the challenger's say). Change the map to use another field and publish it, or keep this model a champion`);
    }
  }
  for (const other of rest) {
    const reads = [...modelFieldUses({ ...other, field: '', brackets: undefined }, fields)].filter((k) => mine.has(k));
    if (reads.length) say('shadow', `The scoring model ${quote(other.name)} tests ${reads.map((k) => label(fields, k)).join(' and ')} in its rules: a challenger's fields may not be scored on. Change that model's rules first, or keep this model a champion`);
  }
  return problems;
}
