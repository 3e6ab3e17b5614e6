import type { FieldDef, FieldType } from '../../../../engine/schema/field.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/use-load.js';

/** A field as GET /api/fields answers it. */
export interface FieldInfo {
  readonly key: string;
  readonly label: string;
  readonly type: FieldType;
  readonly decimals: number | null;
  readonly builtin: boolean;
}

/** The engine's view of a field, for its condition words. */
export const toFieldDef = (f: FieldInfo): FieldDef => ({ key: f.key, label: f.label, type: f.type, decimals: f.decimals ?? undefined, builtin: f.builtin });

/** Every contact field, built-in and custom. */
export function useFields() {
  return useLoad(() => api<{ fields: FieldInfo[] }>('/fields').then((r) => r.fields), []);
}

/** A field's label by key (the key itself when unknown: a field deleted since, or a map pseudo-field). */
export function labelOf(fields: readonly FieldInfo[] | undefined, key: string): string {
  return fields?.find((f) => f.key === key)?.label ?? key;
}
