import { z } from 'zod';
import { FieldDefinition, FieldType, normalizeLabel, type FieldDef } from '../../engine/schema/field.js';
import { coerceForField } from '../../engine/values.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, conflict } from '../errors.js';

const FieldView = z.object({
  key: z.string(), label: z.string(), type: FieldType,
  /** Places kept after the point: number fields only (0 when not set), null for the others. */
  decimals: z.number().nullable(),
  default: z.union([z.number(), z.string(), z.boolean()]).nullable(),
  builtin: z.boolean(),
});

function fieldView(f: FieldDef): z.infer<typeof FieldView> {
  return {
    key: f.key, label: f.label, type: f.type,
    decimals: f.type === 'number' ? (f.decimals ?? 0) : null,
    default: f.default ?? null,
    builtin: f.builtin === true,
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
        const owner = fields.find((f) => normalizeLabel(f.label) === normalizeLabel(body.label));
        if (owner) throw conflict(`The label "${body.label}" is already used by the field "${owner.key}"; labels are unique (ignoring case)`);
        // The engine resolves fields from its own registry: changeWorld reads it again before the next event.
        await rt.store.createFields([body], rt.clock.now());
        const created = (await rt.store.listFields()).find((f) => f.key === body.key)!;
        return c.json({ field: fieldView(created) }, 201);
      });
    });
}
