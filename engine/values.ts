import type { FieldValue } from './elements/types.js';
import { roundHalfAwayFromZero, type FieldDef } from './schema/field.js';

/** The largest epoch ms a JS Date holds (the year 275760). */
const MAX_DATE_MS = 8.64e15;

/**
 * Makes a value fit a field: numbers rounded to the field's decimals, text as text, dates as
 * epoch ms, booleans as booleans. Throws a readable Error when the value cannot fit.
 */
export function coerceForField(field: FieldDef, value: unknown): FieldValue {
  // An empty string clears a field, whatever its type: "" and null are both "empty".
  if (value === null || value === undefined || value === '') return null;
  switch (field.type) {
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw new Error(`${field.label} is a number field; ${JSON.stringify(value)} is not a number`);
      return roundHalfAwayFromZero(n, field.decimals ?? 0);
    }
    case 'text':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new Error(`${field.label} is a text field; it cannot hold ${JSON.stringify(value)}`);
    case 'date': {
      const t = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
      // Epoch ms past ±8.64e15 are no date a JS Date (or ISO-8601) can show.
      if (!Number.isFinite(t) || Math.abs(t) > MAX_DATE_MS) throw new Error(`${field.label} is a date field; ${JSON.stringify(value)} is not a date`);
      return Math.round(t);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1) return true;
      if (value === 'false' || value === 0) return false;
      throw new Error(`${field.label} is a yes/no field; ${JSON.stringify(value)} is neither`);
    case 'tags':
      if (Array.isArray(value) && value.every((t) => typeof t === 'string')) return [...new Set(value as string[])];
      throw new Error('Tags are a list of text');
  }
}

/** Whether two field values are the same (tags as sets). */
export function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = (a ?? []) as readonly string[];
    const y = (b ?? []) as readonly string[];
    return x.length === y.length && x.every((t) => y.includes(t));
  }
  return (a ?? null) === (b ?? null);
}
