import { useState, useSyncExternalStore } from 'react';
import { OP_WORDS } from '../../../../engine/conditions.js';
import type { Condition, ConditionOp, FieldTest, PropTest } from '../../../../engine/schema/condition.js';
import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import type { FieldType } from '../../../../engine/schema/field.js';
import type { FieldInfo } from '../contacts/fields.js';
import { filterOps, valueInput } from '../contacts/filter.js';
import { fieldsMadeHere, onFieldsMadeHere } from '../fields/fields-api.js';
import { NewFieldDialog } from '../fields/NewFieldDialog.js';
import { flatten, unflatten, type FlatCondition } from './model-edit.js';

/** The option value that opens the "New field" dialog (no subject looks like it). */
const NEW_FIELD = 'new:';

type Test = FieldTest | PropTest;

/**
 * A simple condition editor: a few tests joined by "all" or "any". Event rules test the event's
 * props (and contact fields); condition rules test fields. A deeper condition is edited as JSON.
 */
export function ConditionEditor({ value, onChange, event, fields, label }: {
  value: Condition | undefined;
  onChange: (c: Condition | undefined) => void;
  /** The event whose props can be tested; none for a contact condition. */
  event?: string;
  fields: readonly FieldInfo[];
  label: string;
}) {
  const flat = flatten(value);
  const [asJson, setAsJson] = useState(flat === null);
  if (asJson || flat === null) return <JsonCondition value={value} onChange={onChange} onSimple={flat === null ? undefined : () => setAsJson(false)} label={label} />;
  const set = (f: FlatCondition) => onChange(unflatten(f));
  const props = event ? Object.keys(KNOWN_EVENTS[event] ?? {}) : [];
  const blank: Test = event ? { prop: props[0] ?? 'url', op: 'contains', value: '' } : { field: fields.find((f) => f.type === 'text')?.key ?? 'job_title', op: 'eq', value: '' };
  return (
    <div className="cond" role="group" aria-label={label}>
      {flat.tests.length > 1 && (
        <label className="inline small">Match
          <select value={flat.match} onChange={(e) => set({ ...flat, match: e.target.value as 'all' | 'any' })}>
            <option value="all">all of these</option>
            <option value="any">any of these</option>
          </select>
        </label>
      )}
      {flat.tests.map((t, i) => (
        <TestRow
          key={i} test={t} event={event} fields={fields}
          onChange={(nt) => set({ ...flat, tests: flat.tests.map((x, j) => (j === i ? nt : x)) })}
          onRemove={() => set({ ...flat, tests: flat.tests.filter((_, j) => j !== i) })}
        />
      ))}
      <div className="cond-actions">
        <button type="button" className="link small" onClick={() => set({ ...flat, tests: [...flat.tests, blank] })}>
          + {flat.tests.length ? 'another test' : event ? 'only when… (optional)' : 'a test'}
        </button>
        <button type="button" className="link small muted-link" onClick={() => setAsJson(true)}>edit as JSON</button>
      </div>
    </div>
  );
}

function subjectType(t: Test, event: string | undefined, fields: readonly FieldInfo[]): FieldType {
  if ('prop' in t) return (event ? KNOWN_EVENTS[event]?.[t.prop] : undefined) ?? 'text';
  return fields.find((f) => f.key === t.field || f.label.toLowerCase() === t.field.toLowerCase())?.type ?? 'text';
}

/** One test: what it reads, the comparison, the value. */
function TestRow({ test, event, fields: given, onChange, onRemove }: {
  test: Test; event?: string; fields: readonly FieldInfo[]; onChange: (t: Test) => void; onRemove: () => void;
}) {
  // A field made with "New field…" is offered before the page reads its fields again.
  const madeHere = useSyncExternalStore(onFieldsMadeHere, fieldsMadeHere);
  const fields = [...given, ...madeHere.filter((f) => !given.some((g) => g.key === f.key)).map((f) => ({ key: f.key, label: f.label, type: f.type, decimals: f.decimals ?? null, builtin: false }))];
  const [creating, setCreating] = useState(false);
  const props = event ? Object.keys(KNOWN_EVENTS[event] ?? {}) : [];
  const isProp = 'prop' in test;
  const subject = isProp ? `prop:${test.prop}` : `field:${test.field}`;
  const knownSubject = isProp ? props.includes(test.prop) : fields.some((f) => f.key === test.field);
  const type = subjectType(test, event, fields);
  const ops = filterOps(type).filter((o) => !(isProp && (o === 'has_tag' || o === 'on_or_before_days_ago' || o === 'within_last_days')));
  const op = ops.includes(test.op) ? test.op : ops[0];
  const kind = valueInput(op, type);
  const setSubject = (s: string) => {
    const [k, name] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
    if (k === 'prop') onChange({ prop: name || 'prop', op: 'contains', value: '' });
    else onChange({ field: name, op: 'eq', value: '' });
  };
  const setValue = (text: string) => {
    let value: Test['value'] = text;
    if (kind === 'number' || kind === 'days') value = text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    else if (kind === 'boolean') value = text === 'true';
    else if (kind === 'list') value = text.split(',').map((s) => s.trim()).filter(Boolean);
    onChange({ ...test, op, value });
  };
  const shown = Array.isArray(test.value) ? test.value.join(', ') : test.value === undefined ? '' : String(test.value);
  return (
    <div className="cond-row">
      {creating && (
        <NewFieldDialog takenKeys={new Set(fields.map((f) => f.key))} onClose={() => setCreating(false)}
          onCreated={(f) => { setCreating(false); onChange({ field: f.key, op: 'eq', value: '' }); }} />
      )}
      <select aria-label="What to test" value={knownSubject ? subject : `${isProp ? 'prop' : 'field'}:*`}
        onChange={(e) => (e.target.value === NEW_FIELD ? setCreating(true) : setSubject(e.target.value === 'prop:*' ? 'prop:' : e.target.value))}>
        {event && (
          <optgroup label="The event's">
            {props.map((p) => <option key={p} value={`prop:${p}`}>{p}</option>)}
            <option value="prop:*">other prop…</option>
          </optgroup>
        )}
        <optgroup label="The contact's">
          {fields.map((f) => <option key={f.key} value={`field:${f.key}`}>{f.label}</option>)}
          {!knownSubject && !isProp && <option value="field:*">{test.field}</option>}
          <option value={NEW_FIELD}>New field…</option>
        </optgroup>
      </select>
      {isProp && !knownSubject && (
        <input aria-label="Prop name" className="prop-name" value={test.prop} onChange={(e) => onChange({ ...test, prop: e.target.value })} placeholder="prop" />
      )}
      <select aria-label="Comparison" value={op} onChange={(e) => onChange({ ...test, op: e.target.value as ConditionOp })}>
        {ops.map((o) => <option key={o} value={o}>{OP_WORDS[o]}</option>)}
      </select>
      {kind === 'boolean' && (
        <select aria-label="Value" value={String(test.value ?? '')} onChange={(e) => setValue(e.target.value)}>
          <option value="true">yes</option><option value="false">no</option>
        </select>
      )}
      {kind !== 'none' && kind !== 'boolean' && (
        <input
          aria-label="Value" className="cond-value" value={shown} onChange={(e) => setValue(e.target.value)}
          type={kind === 'number' || kind === 'days' ? 'number' : 'text'} step="any"
          placeholder={kind === 'days' ? 'days' : kind === 'list' ? 'a, b, c' : kind === 'date' ? '2026-01-31' : 'value'}
        />
      )}
      <button type="button" className="icon small" aria-label="Remove this test" onClick={onRemove}>×</button>
    </div>
  );
}

/** The condition as JSON, for what the simple editor cannot show; kept while it does not parse. */
function JsonCondition({ value, onChange, onSimple, label }: { value: Condition | undefined; onChange: (c: Condition | undefined) => void; onSimple?: () => void; label: string }) {
  const [text, setText] = useState(value ? JSON.stringify(value, null, 1) : '');
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="cond">
      <textarea
        aria-label={`${label} (JSON)`} className="code cond-json" value={text} spellCheck={false} rows={4}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) { setError(null); onChange(undefined); return; }
          try {
            onChange(JSON.parse(e.target.value) as Condition);
            setError(null);
          } catch (err) {
            setError(`Not valid JSON yet: ${(err as Error).message}`);
          }
        }}
      />
      {error && <span className="error small">{error}</span>}
      {onSimple && !error && <button type="button" className="link small" onClick={onSimple}>simple editor</button>}
    </div>
  );
}
