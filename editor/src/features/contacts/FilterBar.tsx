import { useState } from 'react';
import { describeCondition, OP_WORDS } from '../../../../engine/conditions.js';
import type { ConditionOp, FieldTest } from '../../../../engine/schema/condition.js';
import { FieldRegistry } from '../../../../engine/schema/field.js';
import { toFieldDef, type FieldInfo } from './fields.js';
import { filterOps, makeTest, valueInput } from './filter.js';

/**
 * Filters as removable chips, a field + comparison + value row that adds one, and a quick search
 * by email. Every filter must hold (they are combined with "all").
 */
export function FilterBar({ fields, tests, onTests, search, onSearch }: {
  fields: readonly FieldInfo[];
  tests: readonly FieldTest[];
  onTests: (tests: FieldTest[]) => void;
  search: string;
  onSearch: (text: string) => void;
}) {
  const [fieldKey, setFieldKey] = useState('score');
  const field = fields.find((f) => f.key === fieldKey) ?? fields[0];
  const ops = field ? filterOps(field.type) : [];
  const [op, setOp] = useState<ConditionOp>('gte');
  const shownOp = ops.includes(op) ? op : ops[0];
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const registry = new FieldRegistry(fields.map(toFieldDef));
  const kind = field && shownOp ? valueInput(shownOp, field.type) : 'none';

  const add = () => {
    if (!field || !shownOp) return;
    const test = makeTest(field.key, field.type, shownOp, value);
    if (typeof test === 'string') return setError(test);
    setError(null);
    setValue('');
    onTests([...tests, test]);
  };

  return (
    <div className="filter-bar">
      <label className="search">
        <span className="sr-only">Search by email</span>
        <input type="search" placeholder="Search by email…" value={search} onChange={(e) => onSearch(e.target.value)} />
      </label>
      <form className="filter-add" aria-label="Add a filter" onSubmit={(e) => { e.preventDefault(); add(); }}>
        <label><span className="sr-only">Field</span>
          <select value={field?.key} onChange={(e) => { setFieldKey(e.target.value); setValue(''); setError(null); }}>
            {fields.map((f) => <option key={f.key} value={f.key}>{f.label}</option>)}
          </select>
        </label>
        <label><span className="sr-only">Comparison</span>
          <select value={shownOp} onChange={(e) => setOp(e.target.value as ConditionOp)}>
            {ops.map((o) => <option key={o} value={o}>{OP_WORDS[o]}</option>)}
          </select>
        </label>
        {kind !== 'none' && (
          <label><span className="sr-only">Value</span>
            {kind === 'boolean' ? (
              <select value={value} onChange={(e) => setValue(e.target.value)}>
                <option value="">choose…</option><option value="true">yes</option><option value="false">no</option>
              </select>
            ) : (
              <input
                type={kind === 'number' || kind === 'days' ? 'number' : kind === 'date' ? 'date' : 'text'}
                step="any"
                placeholder={kind === 'days' ? 'days' : kind === 'list' ? 'a, b, c' : 'value'}
                value={value}
                onChange={(e) => setValue(e.target.value)}
                aria-invalid={error ? true : undefined}
              />
            )}
          </label>
        )}
        <button type="submit">Add filter</button>
      </form>
      {error && <span className="error" role="alert">{error}</span>}
      {tests.length > 0 && (
        <ul className="chips" aria-label="Filters">
          {tests.map((t, i) => (
            <li key={i} className="chip">
              {describeCondition(t, registry)}
              <button type="button" aria-label={`Remove the filter ${describeCondition(t, registry)}`} onClick={() => onTests(tests.filter((_, j) => j !== i))}>×</button>
            </li>
          ))}
          <li><button type="button" className="link" onClick={() => onTests([])}>Clear filters</button></li>
        </ul>
      )}
    </div>
  );
}
