import type { CustomType } from './fields-api.js';

/** The value a default input holds, as the API takes it (undefined: no default). */
export type DefaultValue = number | string | boolean | undefined;

/** Text for a default value in a table cell. */
export function defaultText(type: string, value: number | string | boolean | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (type === 'boolean') return value ? 'Yes' : 'No';
  if (type === 'date' && typeof value === 'string') return value.slice(0, 10);
  return String(value);
}

/**
 * An input for a field's default, fitting its type: a number, a text, a date, or yes / no.
 * `raw` is what the person typed; `parseDefault` turns it into the API's value.
 */
export function DefaultInput({ id, type, raw, onRaw }: { id?: string; type: CustomType; raw: string; onRaw(raw: string): void }) {
  if (type === 'boolean') {
    return (
      <select id={id} value={raw} onChange={(e) => onRaw(e.target.value)}>
        <option value="">No default</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    );
  }
  return (
    <input id={id} type={type === 'number' ? 'number' : type === 'date' ? 'date' : 'text'} step="any" value={raw}
      placeholder={type === 'text' ? 'No default' : undefined} onChange={(e) => onRaw(e.target.value)} />
  );
}

/** The API's value for what was typed; throws words when a number is not one. */
export function parseDefault(type: CustomType, raw: string): DefaultValue {
  if (raw.trim() === '') return undefined;
  if (type === 'boolean') return raw === 'true';
  if (type === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`The default "${raw}" is not a number`);
    return n;
  }
  if (type === 'date') return new Date(`${raw}T00:00:00Z`).toISOString();
  return raw;
}

/** What a default input shows for a stored value. */
export function rawDefault(type: string, value: number | string | boolean | null): string {
  if (value === null) return '';
  if (type === 'date' && typeof value === 'string') return value.slice(0, 10);
  return String(value);
}
