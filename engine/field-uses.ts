import { kindOf } from './elements/index.js';
import type { CheckContext } from './elements/types.js';
import { forEachTest, type Condition } from './schema/condition.js';
import { FieldRegistry, type FieldDef } from './schema/field.js';
import type { MapDocument } from './schema/map.js';
import type { ScoringModel } from './scoring/model.js';
import { compileExpression } from './expression/index.js';
import { bracketField } from './scoring/run.js';

/** A registry that remembers the key of every field it resolves. */
class RecordingRegistry extends FieldRegistry {
  readonly used = new Set<string>();
  override resolve(ref: string): FieldDef | undefined {
    const f = super.resolve(ref);
    if (f) this.used.add(f.key);
    return f;
  }
  override get(key: string): FieldDef | undefined {
    const f = super.get(key);
    if (f) this.used.add(f.key);
    return f;
  }
}

function conditionFields(c: Condition, fields: FieldRegistry): void {
  forEachTest(c, (t) => {
    if ('field' in t) fields.resolve(t.field);
  });
}

/**
 * The fields each element of a map reads or writes, by key, with the ids of the elements that name
 * them in document order. It asks every element kind's own check which fields it resolves (field
 * pickers, conditions, expressions, message templates), so a new kind is covered without a change
 * here. References that name no field are left out.
 */
export function mapFieldUses(doc: MapDocument, fields: FieldRegistry): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const el of doc.elements) {
    const rec = new RecordingRegistry(fields.all());
    const ctx: CheckContext = {
      fields: rec,
      field: (ref) => void rec.resolve(ref),
      condition: (c) => conditionFields(c, rec),
      expression: (source) => void compileExpression(source, rec),
      problem: () => undefined,
    };
    try {
      kindOf(el).check(el as never, ctx);
    } catch {
      // A malformed element names what it resolved before it failed; the rest is the validator's business.
    }
    for (const key of rec.used) {
      const list = uses.get(key) ?? [];
      if (!list.includes(el.id)) list.push(el.id);
      uses.set(key, list);
    }
  }
  return uses;
}

/** The fields a scoring model reads or writes: its score field, its bracket field, and those its rules test. */
export function modelFieldUses(model: ScoringModel, fields: FieldRegistry): Set<string> {
  const rec = new RecordingRegistry(fields.all());
  const score = rec.resolve(model.field);
  if (score && model.brackets?.length) rec.get(bracketField(score.key));
  for (const rule of model.rules) {
    const c = 'event' in rule.when ? rule.when.where : rule.when.if;
    if (c) conditionFields(c, rec);
  }
  return rec.used;
}
