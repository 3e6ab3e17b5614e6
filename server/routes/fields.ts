import { z } from 'zod';
import { FieldDefinition, FieldType, normalizeLabel, type FieldDef } from '../../engine/schema/field.js';
import { coerceForField } from '../../engine/values.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { FieldRegistry } from '../../engine/schema/field.js';
import { mapFieldUses, modelFieldUses } from '../../engine/field-uses.js';
import { parseMapDocument } from '../../engine/parse.js';
import { ScoringModel } from '../../engine/scoring/model.js';
import { elementName } from '../../engine/validate.js';
import type { Runtime } from '../runtime/runtime.js';
import { recordAudit } from '../audit/log.js';
import { change, q } from '../audit/words.js';
import { actorOf } from '../people/actor.js';

const FieldView = z.object({
  key: z.string(), label: z.string(), type: FieldType,
  /** Places kept after the point: number fields only (0 when not set), null for the others. */
  decimals: z.number().nullable(),
  default: z.union([z.number(), z.string(), z.boolean()]).nullable(),
  builtin: z.boolean(),
  /** Labels it had before a rename: expressions that name it so still find it. */
  formerLabels: z.array(z.string()),
});

/** A change to a custom field; what is left out stays as it is (null clears decimals or the default). */
const FieldPatch = z.strictObject({
  label: FieldDefinition.shape.label.optional(),
  type: FieldDefinition.shape.type.optional(),
  decimals: z.number().int().min(0).max(3).nullable().optional(),
  default: z.union([z.number(), z.string(), z.boolean()]).nullable().optional(),
});

function fieldView(f: FieldDef): z.infer<typeof FieldView> {
  return {
    key: f.key, label: f.label, type: f.type,
    decimals: f.type === 'number' ? (f.decimals ?? 0) : null,
    default: f.default ?? null,
    builtin: f.builtin === true,
    formerLabels: [...(f.formerLabels ?? [])],
  };
}

/** Refuses settings that do not fit the type: decimals on a non-number, a default of the wrong kind. */
function checkDefinition(def: FieldDefinition): void {
  if (def.decimals !== undefined && def.type !== 'number') {
    throw badRequest(`Only number fields have decimals; "${def.key}" is a ${def.type} field`);
  }
  if (def.default === undefined) return;
  const ok = { number: 'number', text: 'string', boolean: 'boolean', date: 'string' }[def.type] === typeof def.default;
  try {
    if (!ok) throw new Error(`the default of a ${def.type} field must be ${def.type === 'date' ? 'an ISO date' : `a ${def.type === 'text' ? 'text' : def.type}`}`);
    coerceForField({ key: def.key, label: def.label, type: def.type }, def.default);
  } catch (e) {
    throw badRequest(`Field "${def.key}": ${(e as Error).message}`);
  }
}

const FieldUses = z.object({
  /** Maps whose draft or running version names the field, with those elements' names. */
  maps: z.array(z.object({ id: z.string(), name: z.string(), elements: z.array(z.string()) })),
  /** Scoring models that read or write it. */
  models: z.array(z.object({ id: z.string(), name: z.string(), writes: z.boolean() })),
  /** Contacts holding a value in it. */
  contacts: z.number(),
});
type FieldUses = z.infer<typeof FieldUses>;

/** Where a field is used: the maps (draft or running version) and elements that name it, the scoring models, the contacts with a value. */
async function fieldUses(rt: Runtime, key: string, fields: FieldRegistry): Promise<FieldUses> {
  const uses: FieldUses = { maps: [], models: [], contacts: 0 };
  for (const m of await rt.store.listMaps()) {
    const docs = [m.doc, m.version === null ? null : await rt.store.getVersion(m.id, m.version)];
    const names: string[] = [];
    for (const raw of docs) {
      const parsed = raw === null ? null : parseMapDocument(raw);
      if (!parsed?.ok) continue;
      for (const id of mapFieldUses(parsed.doc, fields).get(key) ?? []) {
        const name = elementName(parsed.doc.elements.find((e) => e.id === id)!);
        if (!names.includes(name)) names.push(name);
      }
    }
    if (names.length) uses.maps.push({ id: m.id, name: m.name, elements: names });
  }
  for (const r of await rt.store.listModels()) {
    const parsed = ScoringModel.safeParse(r.doc);
    if (parsed.success && modelFieldUses(parsed.data, fields).has(key)) {
      uses.models.push({ id: r.id, name: parsed.data.name, writes: fields.resolve(parsed.data.field)?.key === key });
    }
  }
  if (fields.get(key)?.type !== 'tags') uses.contacts = await rt.store.countFieldValues(key);
  return uses;
}

/** The uses in words, one phrase each. */
function usesInWords(uses: FieldUses): string[] {
  const quote = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
  return [
    ...uses.maps.map((m) => `the map "${m.name}" uses it (${m.elements.length === 1 ? 'element' : 'elements'} ${quote(m.elements)})`),
    ...uses.models.map((m) => `the scoring model "${m.name}" uses it`),
    ...(uses.contacts > 0 ? [`${uses.contacts} ${uses.contacts === 1 ? 'contact has a value' : 'contacts have a value'} in it`] : []),
  ];
}

/** `/api/fields` (SPEC §1, §6): the built-in and custom contact fields, and creating custom ones. */
export function fieldsRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api/fields', 'Fields')
    .op({ method: 'get', path: '/', summary: 'List the contact fields', response: z.object({ fields: z.array(FieldView) }) }, async (c) =>
      c.json({ fields: (await rt.store.listFields()).map(fieldView) }))
    .op({
      method: 'post', path: '/', summary: 'Create a custom field', body: FieldDefinition, status: 201, response: z.object({ field: FieldView }),
      description: 'A key that exists with the same type answers 200 and changes nothing; with another type, or a label another field has, 409.',
    }, async (c, { body }) => {
      checkDefinition(body);
      return rt.changeWorld(async () => {
        const fields = await rt.store.listFields();
        const existing = fields.find((f) => f.key === body.key);
        if (existing) {
          if (existing.type !== body.type) {
            throw conflict(`The field "${body.key}" already exists as a ${existing.type} field; pick another key for a ${body.type} field`);
          }
          return c.json({ field: fieldView(existing) }, 200);
        }
        labelFree(fields, body.key, body.label);
        // The engine resolves fields from its own registry: changeWorld reads it again before the next event.
        const now = rt.clock.now();
        await rt.store.transaction(async (s) => {
          await s.createFields([body], now);
          await recordAudit(s.db, actorOf(c), {
            action: 'field.add', targetType: 'field', targetId: body.key,
            summary: `Added the ${body.type} field ${q(body.label)} (${body.key})`, detail: { definition: body },
          }, now);
        });
        const created = (await rt.store.listFields()).find((f) => f.key === body.key)!;
        return c.json({ field: fieldView(created) }, 201);
      });
    })
    .op({
      method: 'get', path: '/:key/uses', summary: 'Where a field is used', response: FieldUses,
      description: 'The maps (draft or running version) and their elements that name the field, the scoring models that read or write it, and how many contacts hold a value in it.',
    }, async (c) => {
      const key = c.req.param('key') ?? '';
      const fields = new FieldRegistry(await rt.store.listFields());
      if (!fields.get(key)) throw notFound(`No field "${key}"; GET /api/fields lists them`);
      return c.json(await fieldUses(rt, key, fields));
    })
    .op({
      method: 'patch', path: '/:key', summary: 'Change a custom field', body: FieldPatch, response: z.object({ field: FieldView }),
      description: 'Renames the label (maps that name the field by its former label keep working), sets decimals (for values written from now on) '
        + 'and the default. The type changes only while no map, scoring model or contact uses the field: else 409, saying where it is used. '
        + 'Built-in fields cannot be changed.',
    }, async (c, { body }) => {
      const key = c.req.param('key') ?? '';
      return rt.changeWorld(async () => {
        const fields = await rt.store.listFields();
        const existing = fields.find((f) => f.key === key);
        if (!existing) throw notFound(`No field "${key}"; GET /api/fields lists them`);
        if (existing.builtin) throw badRequest(`"${existing.label}" is a built-in field: its label, type and settings cannot be changed`);
        const type = body.type ?? (existing.type as FieldChangeType);
        const sameType = type === existing.type;
        const next: FieldDefinition = {
          key,
          label: body.label ?? existing.label,
          type,
          ...pick('decimals', body.decimals, sameType ? existing.decimals : undefined),
          ...pick('default', body.default, sameType ? existing.default : undefined),
        };
        // Decimals belong to number fields: a type change away from number drops them.
        if (type !== 'number' && body.decimals === undefined) delete next.decimals;
        checkDefinition(next);
        labelFree(fields, key, next.label);
        if (!sameType) {
          const where = usesInWords(await fieldUses(rt, key, new FieldRegistry(fields)));
          if (where.length) {
            throw conflict(`"${existing.label}" is a ${existing.type} field and cannot become a ${type} field while it is in use: ${where.join('; ')}. `
              + `Create a new ${type} field instead, or take it out of these first`, { usedBy: where });
          }
        }
        const edit = { label: next.label, type, decimals: type === 'number' ? (next.decimals ?? null) : null, default: next.default ?? null };
        const was = { label: existing.label, type: existing.type, decimals: existing.type === 'number' ? (existing.decimals ?? null) : null, default: existing.default ?? null };
        const said = (Object.keys(edit) as (keyof typeof edit)[]).filter((k) => edit[k] !== was[k]).map((k) => change(k, was[k], edit[k]));
        await rt.store.transaction(async (s) => {
          await s.updateField(key, edit);
          // A patch that changes nothing is no change to log.
          if (said.length) {
            await recordAudit(s.db, actorOf(c), {
              action: 'field.change', targetType: 'field', targetId: key,
              summary: `Changed the field ${q(existing.label)}: ${said.join(', ')}`, detail: { before: was, after: edit },
            }, rt.clock.now());
          }
        });
        const changed = (await rt.store.listFields()).find((f) => f.key === key)!;
        return c.json({ field: fieldView(changed) }, 200);
      });
    });
}

type FieldChangeType = FieldDefinition['type'];

/** The value a patch gives (null: cleared), else the one kept; as a spreadable property. */
function pick<K extends 'decimals' | 'default', V>(name: K, given: V | null | undefined, kept: V | undefined): { [P in K]?: V } {
  const v = given === undefined ? kept : given === null ? undefined : given;
  return (v === undefined ? {} : { [name]: v }) as { [P in K]?: V };
}

/** Refuses a label another field has, or had before a rename (maps may still name that field by it). */
function labelFree(fields: readonly FieldDef[], key: string, label: string): void {
  const norm = normalizeLabel(label);
  const owner = fields.find((f) => f.key !== key && normalizeLabel(f.label) === norm);
  if (owner) throw conflict(`The label "${label.trim()}" is already used by the field "${owner.key}"; labels are unique (ignoring case)`);
  const former = fields.find((f) => f.key !== key && f.formerLabels?.some((l) => normalizeLabel(l) === norm));
  if (former) {
    throw conflict(`The label "${label.trim()}" was the label of the field "${former.key}" ("${former.label}" now), and maps may still name that field by it; pick another label`);
  }
}
