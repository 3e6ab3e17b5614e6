import { useState, type ReactNode } from 'react';
import { PropTest as PropTestSchema, type Condition, type ConditionOp, type FieldTest, type PropTest } from '../../../../engine/schema/condition.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import { describeCondition } from '../../../../engine/conditions.js';
import { carryValue, firstOp, listText, opsFor, opWords, parseList, valueKind, withOp, type PropType, type Subject } from './condition-ops.js';
import { canAddGroup, canWrap, newGroup, newTest } from './condition-tree.js';
import { FieldPicker } from './FieldPicker.js';
import { describedBy, DraftInput, NumberInput, ProblemText, useProblemsAt } from './controls.js';


export interface ConditionEditorProps {
  readonly value: Condition | undefined;
  /** The whole new condition; `undefined` when the last test is removed. */
  onChange(value: Condition | undefined): void;
  readonly fields: FieldRegistry;
  /** `crossed_above` / `crossed_below`: only in a field_updated trigger. */
  readonly allowCrossing?: boolean;
  /** Tests of the triggering event's props, where an event is at hand. */
  readonly allowProps?: boolean;
  /** The props the event is known to carry, offered by name. */
  readonly props?: Readonly<Record<string, PropType>>;
  /** The condition's path in the element, for its problems (`on.where`). */
  readonly path: string;
  /** What the group is called for assistive technology ("Only when"). */
  readonly label: string;
  /** What an empty condition means, shown with the buttons to start one. */
  readonly emptyText: string;
  /** The condition can't be removed, only changed (a wait until a condition needs one). */
  readonly required?: boolean;
}

interface Ctx {
  readonly fields: FieldRegistry;
  readonly allowCrossing: boolean;
  readonly allowProps: boolean;
  readonly props: Readonly<Record<string, PropType>>;
}

/**
 * A builder for a Condition: tests of a field (or an event prop) with the comparisons that fit it,
 * `all` / `any` groups and `not`, nested as deep as validation allows; the condition in words under it.
 */
export function ConditionEditor({ value, onChange, fields, allowCrossing = false, allowProps = false, props = {}, path, label, emptyText, required = false }: ConditionEditorProps) {
  const ctx: Ctx = { fields, allowCrossing, allowProps, props };
  const root = useProblemsAt(value ? undefined : path);
  if (!value) {
    return (
      <div className="insp-cond" role="group" aria-label={label}>
        <p className="insp-hint">{emptyText}</p>
        <div className="insp-actions">
          <button type="button" className="insp-small" onClick={() => onChange(newTest(fields, { allowCrossing }))}>+ Add a test</button>
        </div>
        <ProblemText problems={root.problems} id={root.id} />
      </div>
    );
  }
  return (
    <div className="insp-cond" role="group" aria-label={label}>
      <Node value={value} onChange={onChange} onRemove={required ? undefined : () => onChange(undefined)} depth={1} path={path} ctx={ctx} root />
      <p className="insp-words"><span className="muted">In words: </span>{describeCondition(value, fields)}</p>
    </div>
  );
}

interface NodeProps {
  readonly value: Condition;
  onChange(c: Condition): void;
  /** Removes this node; none for a root that must stay. */
  onRemove?(): void;
  readonly depth: number;
  readonly path: string;
  readonly ctx: Ctx;
  readonly root?: boolean;
}

function Node(p: NodeProps) {
  if ('all' in p.value || 'any' in p.value) return <Group {...p} />;
  if ('not' in p.value) return <Not {...p} not={p.value.not} />;
  return <Test {...p} test={p.value} />;
}

const childPath = (path: string, ...more: (string | number)[]) => [path, ...more].filter((s) => s !== '').join('.');

function Group({ value, onChange, onRemove, depth, path, ctx, root }: NodeProps) {
  const kind = 'all' in value ? 'all' : 'any';
  const list = 'all' in value ? value.all : (value as { any: Condition[] }).any;
  const { problems, id } = useProblemsAt(path);
  const set = (next: Condition[]) => onChange(kind === 'all' ? { all: next } : { any: next });
  const opts = { allowCrossing: ctx.allowCrossing };
  return (
    <div className={`insp-group insp-depth-${depth % 2}`} role="group" aria-label={kind === 'all' ? 'All of these' : 'Any of these'} aria-describedby={id}>
      <div className="insp-group-head">
        <label className="insp-inline">
          <span className="sr-only">Match</span>
          <select value={kind} onChange={(e) => onChange(e.target.value === 'all' ? { all: list } : { any: list })}>
            <option value="all">All of these are true</option>
            <option value="any">Any of these is true</option>
          </select>
        </label>
        {canWrap(value, depth) && (
          <button type="button" className="insp-small" title="True when this group is not" onClick={() => onChange({ not: value })}>Not</button>
        )}
        {onRemove && <button type="button" className="insp-small insp-icon" aria-label={root ? 'Remove the condition' : 'Remove this group'} title="Remove" onClick={onRemove}>×</button>}
      </div>
      {list.length === 0 && <p className="insp-hint">{kind === 'all' ? 'Empty: always true.' : 'Empty: never true.'}</p>}
      {list.map((c, i) => (
        <Node
          key={i}
          value={c}
          depth={depth + 1}
          path={childPath(path, kind, i)}
          ctx={ctx}
          onChange={(n) => set(list.map((old, j) => (j === i ? n : old)))}
          onRemove={() => set(list.filter((_, j) => j !== i))}
        />
      ))}
      <div className="insp-actions">
        <button type="button" className="insp-small" onClick={() => set([...list, newTest(ctx.fields, opts)])}>+ Test</button>
        {canAddGroup(depth) && (
          <button type="button" className="insp-small" onClick={() => set([...list, newGroup(kind, ctx.fields, opts)])}>+ Group</button>
        )}
      </div>
      <ProblemText problems={problems} id={id} />
    </div>
  );
}

function Not({ not, onChange, onRemove, depth, path, ctx }: NodeProps & { not: Condition }) {
  const { problems, id } = useProblemsAt(path);
  return (
    <div className="insp-not" role="group" aria-label="Not" aria-describedby={id}>
      <div className="insp-group-head">
        <strong>Not</strong>
        <span className="muted">the opposite of</span>
        <span className="spacer" />
        <button type="button" className="insp-small" onClick={() => onChange(not)}>Remove “not”</button>
      </div>
      <Node value={not} depth={depth + 1} path={childPath(path, 'not')} ctx={ctx} onChange={(n) => onChange({ not: n })} onRemove={onRemove} />
      <ProblemText problems={problems} id={id} />
    </div>
  );
}

/** How a test's subject is written in the picker: a field key, or `prop:name` for an event prop. */
const PROP = 'prop:';

function Test({ test, onChange, onRemove, depth, path, ctx, root }: NodeProps & { test: FieldTest | PropTest }) {
  const { fields, props } = ctx;
  const { problems, id } = useProblemsAt(path);
  // "Another event prop…" waits for a name before the test becomes a prop test.
  const [namingProp, setNamingProp] = useState(false);
  const isProp = 'prop' in test;
  const field = isProp ? undefined : fields.resolve(test.field);
  const subject: Subject = isProp ? { kind: 'prop', type: props[test.prop] } : { kind: 'field', type: field?.type };
  const opts = { allowCrossing: ctx.allowCrossing };
  const ops = opsFor(subject, opts);
  const knownProp = isProp && test.prop in props;
  const pickerValue = namingProp || (isProp && !knownProp) ? PROP : isProp ? `${PROP}${test.prop}` : test.field;

  /** A test of another subject, keeping the op when it still fits and the value when it can. */
  const retarget = (next: { field: string } | { prop: string }, type: Subject['type'], kind: Subject['kind']) => {
    const s = { kind, type } as Subject;
    const op: ConditionOp = opsFor(s, opts).includes(test.op) ? test.op : firstOp(s, opts);
    const value = carryValue(test.value, op, type);
    onChange({ ...next, op, ...(value === undefined ? {} : { value }) } as FieldTest | PropTest);
  };
  const pick = (v: string) => {
    if (v === PROP) return setNamingProp(true);
    setNamingProp(false);
    if (v.startsWith(PROP)) {
      const name = v.slice(PROP.length);
      return retarget({ prop: name }, props[name], 'prop');
    }
    retarget({ field: v }, fields.get(v)?.type, 'field');
  };
  return (
    <div className="insp-test" role="group" aria-label="Test" aria-describedby={id}>
      <div className="insp-test-row">
        <label className="insp-inline insp-grow">
          <span className="sr-only">{ctx.allowProps ? 'Field or event prop' : 'Field'}</span>
          <FieldPicker compact value={pickerValue} onChange={pick} fields={fields} childValues={ctx.allowProps ? [PROP, ...Object.keys(props).map((n) => `${PROP}${n}`)] : undefined}>
            {ctx.allowProps && (
              <optgroup label="The event's props">
                {Object.entries(props).map(([name, type]) => (
                  <option key={name} value={`${PROP}${name}`}>{name} (event)</option>
                ))}
                <option value={PROP}>{isProp && !knownProp ? `Event prop "${test.prop}"` : 'Another event prop…'}</option>
              </optgroup>
            )}
          </FieldPicker>
        </label>
        {canWrap(test, depth) && (
          <button type="button" className="insp-small" title="True when this test is false" aria-label="Turn into “not”" onClick={() => onChange({ not: test })}>Not</button>
        )}
        {onRemove && <button type="button" className="insp-small insp-icon" aria-label={root ? 'Remove the condition' : 'Remove this test'} title="Remove" onClick={onRemove}>×</button>}
      </div>
      {(namingProp || (isProp && !knownProp)) && (
        <label className="insp-inline">
          <span className="insp-sub">Prop name</span>
          <DraftInput
            value={isProp ? test.prop : ''}
            autoFocus={namingProp}
            placeholder="e.g. url"
            onCommit={(name) => {
              setNamingProp(false);
              retarget({ prop: name.trim() }, props[name.trim()], 'prop');
            }}
            check={(name) => (PropTestSchema.shape.prop.safeParse(name.trim()).success ? null : 'A prop name is 1 to 64 characters')}
          />
        </label>
      )}
      <div className="insp-test-row insp-op-row">
        <label className="insp-inline insp-op">
          <span className="sr-only">Comparison</span>
          <select value={test.op} onChange={(e) => onChange(withOp(test, e.target.value as ConditionOp, subject.type))} aria-describedby={id}>
            {!ops.includes(test.op) && <option value={test.op}>{opWords(test.op, subject.type)} (does not fit)</option>}
            {ops.map((op) => <option key={op} value={op}>{opWords(op, subject.type)}</option>)}
          </select>
        </label>
        <TestValue test={test} type={subject.type} onChange={onChange} describedById={id} />
      </div>
      <ProblemText problems={problems} id={id} />
      {root && (
        <div className="insp-actions">
          {canWrap(test, depth) && <>
            <button type="button" className="insp-small" onClick={() => onChange({ all: [test, newTest(fields, opts)] })}>+ And</button>
            <button type="button" className="insp-small" onClick={() => onChange({ any: [test, newTest(fields, opts)] })}>+ Or</button>
          </>}
        </div>
      )}
    </div>
  );
}

/** A date without a time of day, as the date picker reads and writes it. */
const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The value input that fits the op: none, a list, a number of days, a number, true/false, a date or text. */
function TestValue({ test, type, onChange, describedById }: {
  test: FieldTest | PropTest;
  type: Subject['type'];
  onChange(t: FieldTest | PropTest): void;
  describedById: string | undefined;
}) {
  const kind = valueKind(test.op, type);
  const set = (value: FieldTest['value']) => {
    const { value: _old, ...rest } = test;
    onChange(value === undefined ? rest : { ...rest, value });
  };
  const one = Array.isArray(test.value) ? undefined : test.value;
  const common = { 'aria-describedby': describedBy(describedById), 'aria-invalid': describedById ? true : undefined };
  const wrap = (name: string, input: ReactNode, suffix?: string) => (
    <label className="insp-inline insp-value">
      <span className="sr-only">{name}</span>
      <span className="insp-with-suffix">{input}{suffix && <span className="muted">{suffix}</span>}</span>
    </label>
  );
  switch (kind) {
    case 'none':
      return null;
    case 'days':
      return wrap('Number of days', <NumberInput {...common} min={0} value={typeof one === 'number' ? one : one === undefined ? undefined : Number(one)} onChange={set} />, 'days');
    case 'number':
      return wrap('Value', <NumberInput {...common} value={typeof one === 'number' ? one : one === undefined ? undefined : Number(one)} onChange={set} />);
    case 'boolean':
      return wrap('Value', (
        <select {...common} value={one === undefined ? '' : String(one)} onChange={(e) => set(e.target.value === 'true')}>
          {one === undefined && <option value="" disabled>Choose…</option>}
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ));
    case 'date':
      // A day (the usual test: "renews before March 1st") gets the browser's date picker; a value
      // with a time of day stays text, so no precision is lost.
      if (one === undefined || (typeof one === 'string' && DAY_ONLY.test(one))) {
        return wrap('Date (UTC)', (
          <input {...common} type="date" value={one === undefined ? '' : String(one)} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)} />
        ));
      }
      return wrap('Value', <DraftInput live {...common} value={String(one)} placeholder="2026-01-31T09:00:00Z" onCommit={(t) => set(t === '' ? undefined : t)} />);
    case 'list':
      return wrap('Values, separated by commas', (
        <DraftInput live {...common} value={listText(test.value)} placeholder="a, b, c" onCommit={(t) => set(t.trim() ? parseList(t, type) : undefined)} />
      ));
    default: {
      const placeholder = kind === 'tag' ? 'tag name' : 'value';
      return wrap(kind === 'tag' ? 'Tag' : 'Value', (
        <DraftInput live {...common} value={one === undefined ? '' : String(one)} placeholder={placeholder} onCommit={(t) => set(t === '' ? undefined : t)} />
      ));
    }
  }
}
