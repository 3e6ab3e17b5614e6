import { useState, useSyncExternalStore, type ReactNode, type SelectHTMLAttributes } from 'react';
import type { FieldDef, FieldRegistry, FieldType } from '../../../../engine/schema/field.js';
import { TYPE_WORDS } from '../../../../engine/conditions-check.js';
import { CUSTOM_TYPES, fieldsMadeHere, onFieldsMadeHere } from '../fields/fields-api.js';
import { NewFieldDialog } from '../fields/NewFieldDialog.js';
import { syncMapEditorFields } from '../fields/sync-map-editor.js';

syncMapEditorFields();

/** The option value that opens the "New field" dialog (no field key can look like it). */
const NEW_FIELD = '\u0000new';

export interface FieldPickerProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> {
  /** The field as the map names it: a key or a label. */
  readonly value: string | undefined;
  onChange(key: string): void;
  readonly fields: FieldRegistry;
  /** Offer only fields of these types (default: all). */
  readonly types?: readonly FieldType[];
  /** Keys never to offer (`created_at` cannot be updated). */
  readonly exclude?: readonly string[];
  /** More options after the fields (an event's props)… */
  readonly children?: ReactNode;
  /** …and their values, which are not unknown fields. */
  readonly childValues?: readonly string[];
  /** The option shown when nothing is chosen yet. */
  readonly placeholder?: string;
  /** Labels only, for a narrow row (a condition's test, where the comparisons already tell the type). */
  readonly compact?: boolean;
  /** Offer "New field…" at the end (default true), for a type the picker takes. */
  readonly allowNew?: boolean;
}

/** The fields a picker offers, split built-in / custom, each group in the registry's order. */
export function pickableFields(fields: FieldRegistry, types?: readonly FieldType[], exclude?: readonly string[]): { builtin: FieldDef[]; custom: FieldDef[] } {
  const fit = fields.all().filter((f) => (!types || types.includes(f.type)) && !exclude?.includes(f.key));
  return { builtin: fit.filter((f) => f.builtin), custom: fit.filter((f) => !f.builtin) };
}

/** "Custom Lead Score · number": short enough for a 320 px panel. */
function optionText(f: FieldDef): string {
  const type = TYPE_WORDS[f.type].replace(/^a (list of )?/, '');
  return f.label.toLowerCase() === type ? f.label : `${f.label} · ${type}`;
}

/**
 * A select of contact fields, grouped custom (the map's own, most used) then built-in, each with its type. A value that names no
 * field (or one of another type) stays shown as it is, so opening a broken map changes nothing.
 */
export function FieldPicker({ value, onChange, fields: given, types, exclude, children, childValues, placeholder, compact, allowNew = true, ...rest }: FieldPickerProps) {
  // A field just made with "New field…" is offered before the page's own list has read it again.
  const madeHere = useSyncExternalStore(onFieldsMadeHere, fieldsMadeHere);
  const fresh = madeHere.filter((f) => !given.get(f.key));
  const fields = fresh.length ? given.with(fresh) : given;
  const [creating, setCreating] = useState(false);
  const canCreate = allowNew && CUSTOM_TYPES.some((t) => !types || types.includes(t));
  const { builtin, custom } = pickableFields(fields, types, exclude);
  const resolved = value === undefined ? undefined : fields.resolve(value);
  const offered = resolved && [...builtin, ...custom].includes(resolved);
  const selected = value === undefined ? '' : offered ? resolved.key : value;
  const strange = value !== undefined && !offered && !childValues?.includes(value);
  const text = (f: FieldDef) => (compact ? f.label : optionText(f));
  return (
    <>
    <select {...rest} value={selected} onChange={(e) => (e.target.value === NEW_FIELD ? setCreating(true) : onChange(e.target.value))}>
      {value === undefined && <option value="" disabled>{placeholder ?? 'Choose a field…'}</option>}
      {strange && (
        <option value={value}>{resolved ? `${optionText(resolved)} (does not fit here)` : `Unknown field "${value}"`}</option>
      )}
      {custom.length > 0 && (
        <optgroup label="Custom fields">
          {custom.map((f) => <option key={f.key} value={f.key} title={optionText(f)}>{text(f)}</option>)}
        </optgroup>
      )}
      {builtin.length > 0 && (
        <optgroup label="Built-in fields">
          {builtin.map((f) => <option key={f.key} value={f.key} title={optionText(f)}>{text(f)}</option>)}
        </optgroup>
      )}
      {children}
      {canCreate && <option value={NEW_FIELD}>New field…</option>}
    </select>
    {creating && (
      <NewFieldDialog types={types} takenKeys={new Set(fields.all().map((f) => f.key))} onClose={() => setCreating(false)}
        onCreated={(f) => { setCreating(false); onChange(f.key); }} />
    )}
    </>
  );
}
