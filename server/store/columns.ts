import type { FieldDef, FieldType } from '../../engine/schema/field.js';
import type { FieldValue } from '../../engine/elements/types.js';

/** The column of `contacts` holding a field; one per field except `tags`. */
export type FieldColumn = `f_${string}`;

const FIELD_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The column for a field key. Dynamic identifiers reach SQL only through here, so the key is
 * checked against the field-key pattern first (the same one the schema enforces).
 */
export function fieldColumn(key: string): FieldColumn {
  if (!FIELD_KEY.test(key)) throw new Error(`'${key}' is not a valid field key (a lower-case letter followed by letters, digits or underscores)`);
  return `f_${key}`;
}

/** The name of the index on a field's column. */
export function fieldIndexName(key: string): string {
  return `contacts_${fieldColumn(key)}_idx`;
}

/**
 * The portable column type of a field type. Numbers are `double precision` (REAL affinity in
 * SQLite, float8 in PostgreSQL, where plain `real` would be a 4-byte float).
 */
export function columnType(type: FieldType): 'double precision' | 'text' | 'bigint' | 'integer' {
  switch (type) {
    case 'number':
      return 'double precision';
    case 'text':
      return 'text';
    case 'date':
      return 'bigint';
    case 'boolean':
      return 'integer';
    case 'tags':
      throw new Error('the tags field has no column: tags live in contact_tags');
  }
}

/** Whether a field type's column is indexed (numbers and dates: they are sorted and compared). */
export function isIndexed(type: FieldType): boolean {
  return type === 'number' || type === 'date';
}

/** A field value as its column stores it; throws when the value does not fit the field's type. */
export function toColumn(field: FieldDef, value: FieldValue): number | string | null {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'date':
      // Whole milliseconds: the column is a bigint.
      if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value);
      break;
    case 'text':
      if (typeof value === 'string') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value ? 1 : 0;
      break;
    case 'tags':
      throw new Error(`field 'tags' is not a column: write tags with addTags/removeTags`);
  }
  throw new Error(`field '${field.key}' is a ${field.type} field and cannot hold ${JSON.stringify(value)}`);
}

/** A column value as the engine sees it; null stays null (the caller omits it). */
export function fromColumn(type: FieldType | undefined, value: unknown): FieldValue {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return value !== 0 && value !== '0' && value !== false;
  if ((type === 'number' || type === 'date') && typeof value !== 'number') return Number(value);
  return value as FieldValue;
}

/** The normalized form of an email used for uniqueness: trimmed, lower-cased; blank is none. */
export function normalizeEmail(email: FieldValue | undefined): string | null {
  if (typeof email !== 'string') return null;
  const norm = email.trim().toLowerCase();
  return norm === '' ? null : norm;
}
