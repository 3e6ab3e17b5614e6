/** The contact fields on the server (GET, POST, PATCH /api/fields), and word of a field created here. */
import type { FieldDef, FieldType } from '../../../../engine/schema/field.js';
import { api } from '../../lib/api.js';

/** A field as /api/fields answers it. */
export interface FieldRow {
  readonly key: string;
  readonly label: string;
  readonly type: FieldType;
  readonly decimals: number | null;
  readonly default: number | string | boolean | null;
  readonly builtin: boolean;
  readonly formerLabels?: readonly string[];
}

/** The types a custom field can have. */
export type CustomType = 'number' | 'text' | 'date' | 'boolean';
export const CUSTOM_TYPES: readonly CustomType[] = ['number', 'text', 'date', 'boolean'];
export const TYPE_NAMES: Readonly<Record<FieldType, string>> = {
  number: 'Number', text: 'Text', date: 'Date', boolean: 'Yes / no', tags: 'Tags',
};

/** What the engine needs of a field row. */
export const rowToDef = (f: FieldRow): FieldDef => ({
  key: f.key, label: f.label, type: f.type, decimals: f.decimals ?? undefined, default: f.default ?? undefined,
  builtin: f.builtin, formerLabels: f.formerLabels,
});

export async function listFields(): Promise<FieldRow[]> {
  return (await api<{ fields: FieldRow[] }>('/fields')).fields;
}

export interface NewField {
  key: string;
  label: string;
  type: CustomType;
  decimals?: number;
  default?: number | string | boolean;
}

/** Creates a field and tells every open page (the map editor's registry, pickers) about it. */
export async function createField(def: NewField): Promise<FieldRow> {
  const { field } = await api<{ field: FieldRow }>('/fields', { method: 'POST', body: def });
  announce(field);
  return field;
}

/** Changes a custom field: what is left out stays; null clears decimals or the default. */
export async function updateField(key: string, patch: { label?: string; type?: CustomType; decimals?: number | null; default?: number | string | boolean | null }): Promise<FieldRow> {
  const { field } = await api<{ field: FieldRow }>(`/fields/${encodeURIComponent(key)}`, { method: 'PATCH', body: patch });
  announce(field);
  return field;
}

/** The event a window hears when a field was created or changed in this tab. */
export const FIELDS_CHANGED = 'scoremap:fields-changed';

/** Replaced, never changed in place: React compares snapshots by reference. */
let created: readonly FieldDef[] = [];
const listeners = new Set<() => void>();

function announce(field: FieldRow): void {
  created = [...created.filter((f) => f.key !== field.key), rowToDef(field)];
  for (const l of listeners) l();
  window.dispatchEvent(new CustomEvent(FIELDS_CHANGED, { detail: field }));
}

/** Fields created or changed in this tab since it opened (pickers offer them before their page reloads its list). */
export function fieldsMadeHere(): readonly FieldDef[] {
  return created;
}

/** Hears when a field is created or changed here. */
export function onFieldsMadeHere(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A field key from a label: "Custom Lead Score" → custom_lead_score, unique among `taken`. */
export function keyFromLabel(label: string, taken: ReadonlySet<string>): string {
  let base = label.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(base)) base = `f_${base}`.replace(/_+$/, '');
  base = base.slice(0, 60) || 'field';
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
  return key;
}
