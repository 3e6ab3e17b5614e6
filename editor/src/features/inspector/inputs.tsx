/** Inputs a few forms share: time zones, tag lists, and a picker of the map's elements. */
import { useId, useState } from 'react';
import type { z } from 'zod';
import type { Element } from '../../../../engine/elements/index.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import { isValidTimeZone } from '../../../../engine/time.js';
import { DraftInput } from './controls.js';
import { elementTitles } from './element-words.js';

let zones: string[] | undefined;
/** The zones this browser knows, for suggestions; the server checks the one chosen. */
function timeZones(): string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? ['UTC', ...Intl.supportedValuesOf('timeZone')] : ['UTC'];
  return zones;
}

/** A time zone name with suggestions; empty means UTC. A name no zone has is refused with a note. */
export function TimezoneInput({ value, onChange, id, describedBy }: {
  value: string | undefined;
  onChange(tz: string | undefined): void;
  id?: string;
  describedBy?: string;
}) {
  const listId = useId();
  return (
    <>
      <DraftInput
        id={id}
        value={value ?? ''}
        list={listId}
        placeholder="UTC"
        autoComplete="off"
        spellCheck={false}
        aria-describedby={describedBy}
        check={(t) => (t.trim() === '' || isValidTimeZone(t.trim()) ? null : `"${t.trim()}" is not a time zone — try UTC or Europe/Paris`)}
        onCommit={(t) => onChange(t.trim() || undefined)}
      />
      <datalist id={listId}>
        {timeZones().map((z) => <option key={z} value={z} />)}
      </datalist>
    </>
  );
}

/**
 * A list of tags: each shown with a remove button, a new one typed and added with Enter or a comma.
 * `schema` is the list's zod schema, which says what a tag may be and how many there may be.
 */
export function TagListInput({ value, onChange, schema, label, describedBy }: {
  value: readonly string[];
  onChange(tags: string[]): void;
  schema: z.ZodType<string[]>;
  label: string;
  describedBy?: string;
}) {
  const [text, setText] = useState('');
  const [why, setWhy] = useState<string | null>(null);
  const id = useId();
  const whyId = useId();
  const add = () => {
    const tag = text.trim().replace(/,$/, '').trim();
    if (!tag) return;
    if (value.some((t) => t.toLowerCase() === tag.toLowerCase())) {
      setText('');
      return setWhy(`"${tag}" is already in the list`);
    }
    const next = [...value, tag];
    const r = schema.safeParse(next);
    if (!r.success) return setWhy(r.error.issues[0]?.message ?? 'This tag cannot be added');
    setWhy(null);
    setText('');
    onChange(next);
  };
  return (
    <div className="insp-field">
      <label htmlFor={id}>{label}</label>
      {value.length > 0 && (
        <ul className="insp-chips" aria-label={label}>
          {value.map((t, i) => (
            <li key={`${t}-${i}`} className="insp-chip">
              {t}
              <button type="button" aria-label={`Remove tag ${t}`} title="Remove" onClick={() => onChange(value.filter((_, j) => j !== i))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <div className="insp-test-row">
        <input
          id={id}
          className="insp-grow"
          value={text}
          placeholder="Type a tag, then Enter"
          aria-invalid={why ? true : undefined}
          aria-describedby={[describedBy, why && whyId].filter(Boolean).join(' ') || undefined}
          onChange={(e) => {
            setWhy(null);
            setText(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ',') {
              e.preventDefault();
              add();
            }
          }}
          onBlur={add}
        />
      </div>
      {why && <p className="insp-problems error" id={whyId}>{why}</p>}
    </div>
  );
}

/** A select of the map's elements by title; `allow` says which may be chosen. */
export function ElementSelect({ value, onChange, elements, fields, allow, placeholder, id, describedBy, emptyOption }: {
  value: string | undefined;
  onChange(id: string | undefined): void;
  elements: readonly Element[];
  fields: FieldRegistry;
  allow(el: Element): boolean;
  placeholder: string;
  id?: string;
  describedBy?: string;
  /** A choice meaning "none", e.g. "Continue with Next". */
  emptyOption?: string;
}) {
  const titles = elementTitles(elements, fields);
  const offered = elements.filter(allow);
  const known = value !== undefined && offered.some((el) => el.id === value);
  return (
    <select id={id} value={value ?? ''} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value || undefined)}>
      {emptyOption ? <option value="">{emptyOption}</option> : value === undefined && <option value="" disabled>{placeholder}</option>}
      {value !== undefined && !known && <option value={value}>{titles.get(value) ? `${titles.get(value)} (not allowed here)` : `Missing element "${value}"`}</option>}
      {offered.map((el) => <option key={el.id} value={el.id}>{titles.get(el.id)}</option>)}
    </select>
  );
}
