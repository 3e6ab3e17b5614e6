import type { Kysely } from 'kysely';
import { BUILTIN_FIELDS, normalizeLabel } from '../../engine/schema/field.js';
import type { FieldDef, FieldDefinition, FieldType } from '../../engine/schema/field.js';
import { columnType, fieldColumn, fieldIndexName, isIndexed } from './columns.js';
import type { DB } from './schema.js';

/**
 * The fields the store knows, by key: which columns `contacts` has and how to convert their values.
 * Refreshed by `listFields` and `createFields`; a transaction works on a copy and hands it back on commit.
 */
export class FieldCatalog {
  constructor(public byKey: ReadonlyMap<string, FieldDef> = new Map()) {}

  /** The field with this key; throws a clear error for a key that is not a field. */
  require(key: string): FieldDef {
    const f = this.byKey.get(key);
    if (!f) throw new Error(`'${key}' is not a known field; create it first (POST /api/fields or the map's "fields")`);
    return f;
  }

  /** The columns of every field that has one, as [key, column, type]. */
  columns(): [string, `f_${string}`, FieldType][] {
    return [...this.byKey.values()].filter((f) => f.type !== 'tags').map((f) => [f.key, fieldColumn(f.key), f.type]);
  }

  /** A catalog of its own for a transaction. The map is shared: every change replaces `byKey`, none writes into it. */
  copy(): FieldCatalog {
    return new FieldCatalog(this.byKey);
  }
}

const BUILTIN_ORDER = new Map(BUILTIN_FIELDS.map((f, i) => [f.key, i]));

function toFieldDef(row: DB['fields']): FieldDef {
  return {
    key: row.key,
    label: row.label,
    type: row.type as FieldType,
    ...(row.decimals === null ? {} : { decimals: row.decimals }),
    ...(row.default_json === null ? {} : { default: JSON.parse(row.default_json) as number | string | boolean }),
    ...(row.builtin ? { builtin: true } : {}),
  };
}

/**
 * The meta key of the labels fields had before a rename (`{ key: [label, …] }`): expressions name
 * fields by label, so a map written before the rename keeps finding its field (see FieldRegistry).
 */
const FORMER_LABELS = 'field_former_labels';

async function readFormerLabels(db: Kysely<DB>): Promise<Map<string, string[]>> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', FORMER_LABELS).executeTakeFirst();
  // A Map, not an object: a field keyed "constructor" must not find Object's.
  return new Map(row ? Object.entries(JSON.parse(row.value) as Record<string, string[]>) : []);
}

/** Every field: the built-in ones in their documented order, then custom ones as they were created. */
export async function listFields(db: Kysely<DB>, catalog: FieldCatalog): Promise<FieldDef[]> {
  const rows = await db.selectFrom('fields').selectAll().orderBy('created_at').orderBy('key').execute();
  const former = await readFormerLabels(db);
  const order = (r: DB['fields']) => (r.builtin ? (BUILTIN_ORDER.get(r.key) ?? BUILTIN_ORDER.size) : Infinity);
  const defs = rows.sort((a, b) => order(a) - order(b)).map((r) => {
    const def = toFieldDef(r);
    const labels = former.get(r.key) ?? [];
    return labels.length ? { ...def, formerLabels: labels } : def;
  });
  catalog.byKey = new Map(defs.map((f) => [f.key, f]));
  return defs;
}

/** Adds a field's row, its column and (numbers, dates) its index. DDL: run inside a transaction. */
async function addField(db: Kysely<DB>, def: FieldDef, now: number): Promise<void> {
  if (def.type !== 'tags') {
    const column = fieldColumn(def.key);
    await db.schema.alterTable('contacts').addColumn(column, columnType(def.type)).execute();
    if (isIndexed(def.type)) await db.schema.createIndex(fieldIndexName(def.key)).on('contacts').column(column).execute();
  }
  await db
    .insertInto('fields')
    .values({
      key: def.key,
      label: def.label.trim(),
      label_norm: normalizeLabel(def.label),
      type: def.type,
      decimals: def.decimals ?? null,
      default_json: def.default === undefined ? null : JSON.stringify(def.default),
      builtin: def.builtin ? 1 : 0,
      created_at: now,
    })
    .execute();
}

/**
 * Creates custom fields. A key that exists with the same type is skipped; with another type, or a
 * label another field already has (ignoring case), it throws and creates nothing (in a transaction).
 */
export async function createFields(db: Kysely<DB>, catalog: FieldCatalog, defs: readonly FieldDefinition[], now: number): Promise<void> {
  await listFields(db, catalog);
  const known = new Map(catalog.byKey);
  const labels = new Map([...known.values()].flatMap((f) => [f.label, ...(f.formerLabels ?? [])].map((l) => [normalizeLabel(l), f.key] as const)));
  for (const def of defs) {
    fieldColumn(def.key); // validates the key before anything reaches SQL
    const existing = known.get(def.key);
    if (existing) {
      if (existing.type !== def.type) {
        throw new Error(`field '${def.key}' already exists as a ${existing.type} field; it cannot be redefined as ${def.type}`);
      }
      continue;
    }
    const owner = labels.get(normalizeLabel(def.label));
    if (owner !== undefined) throw new Error(`the label '${def.label.trim()}' is already used by field '${owner}'; labels are unique (ignoring case)`);
    const field: FieldDef = {
      key: def.key,
      label: def.label.trim(),
      type: def.type,
      ...(def.decimals === undefined ? {} : { decimals: def.decimals }),
      ...(def.default === undefined ? {} : { default: def.default }),
    };
    await addField(db, field, now);
    known.set(field.key, field);
    labels.set(normalizeLabel(field.label), field.key);
  }
  await listFields(db, catalog);
}

/**
 * Adds built-in fields missing from an older database (a built-in added after it was created);
 * the first migration made the rest. Loads the catalog.
 */
export async function syncBuiltinFields(db: Kysely<DB>, catalog: FieldCatalog): Promise<void> {
  await listFields(db, catalog);
  const missing = BUILTIN_FIELDS.filter((f) => !catalog.byKey.has(f.key));
  if (missing.length === 0) return;
  for (const f of missing) await addField(db, f, 0);
  await listFields(db, catalog);
}

/** A change to a custom field: its label, its type (only while nothing uses it), its decimals and default. */
export interface FieldEdit {
  readonly label: string;
  readonly type: 'number' | 'text' | 'date' | 'boolean';
  readonly decimals: number | null;
  readonly default: number | string | boolean | null;
}

/**
 * Changes a custom field's row. A new type gets a fresh column (the caller has made sure no contact
 * holds a value); a new label keeps the old one as a former label. DDL: run inside a transaction.
 */
export async function updateField(db: Kysely<DB>, catalog: FieldCatalog, key: string, change: FieldEdit): Promise<void> {
  await listFields(db, catalog);
  const existing = catalog.require(key);
  if (existing.builtin) throw new Error(`'${key}' is a built-in field and cannot be changed`);
  if (existing.type !== change.type) {
    const column = fieldColumn(key);
    if (isIndexed(existing.type)) await db.schema.dropIndex(fieldIndexName(key)).ifExists().execute();
    await db.schema.alterTable('contacts').dropColumn(column).execute();
    await db.schema.alterTable('contacts').addColumn(column, columnType(change.type)).execute();
    if (isIndexed(change.type)) await db.schema.createIndex(fieldIndexName(key)).on('contacts').column(column).execute();
  }
  await db
    .updateTable('fields')
    .set({
      label: change.label.trim(),
      label_norm: normalizeLabel(change.label),
      type: change.type,
      decimals: change.decimals,
      default_json: change.default === null ? null : JSON.stringify(change.default),
    })
    .where('key', '=', key)
    .execute();
  if (normalizeLabel(existing.label) !== normalizeLabel(change.label)) {
    const former = await readFormerLabels(db);
    const list = [...(former.get(key) ?? []), existing.label].filter((l, i, all) =>
      normalizeLabel(l) !== normalizeLabel(change.label) && all.findIndex((x) => normalizeLabel(x) === normalizeLabel(l)) === i);
    former.set(key, list);
    const value = JSON.stringify(Object.fromEntries(former));
    await db.insertInto('meta').values({ key: FORMER_LABELS, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }
  await listFields(db, catalog);
}

/** How many contacts hold a value in a field (tags: how many have a tag). */
export async function countValues(db: Kysely<DB>, key: string): Promise<number> {
  const column = fieldColumn(key);
  const row = await db.selectFrom('contacts').select((eb) => eb.fn.countAll<number | string>().as('n')).where(column as never, 'is not', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}
