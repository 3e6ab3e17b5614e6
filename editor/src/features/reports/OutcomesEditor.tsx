import { useEffect, useId, useMemo, useState } from 'react';
import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import { ApiError } from '../../lib/api.js';
import type { FieldInfo } from '../contacts/fields.js';
import { saveOutcomes, type Outcome, type OutcomeOp, type OutcomesSetting } from './api.js';
import { OUTCOME_OPS, outcomeProblem, readTestValue, slugFor } from './words.js';

/** An outcome as the form holds it: both kinds' inputs kept, so switching kind loses nothing typed. */
interface Row {
  readonly key: number;
  readonly id: string | null;
  readonly label: string;
  readonly kind: 'event' | 'field';
  readonly event: string;
  readonly field: string;
  readonly op: OutcomeOp;
  readonly value: string;
}

let nextKey = 1;
const toRow = (o: Outcome): Row => ({
  key: nextKey++, id: o.id, label: o.label, kind: o.field ? 'field' : 'event', event: o.event ?? '',
  field: o.field?.field ?? '', op: o.field?.op ?? 'eq',
  value: o.field ? (Array.isArray(o.field.value) ? o.field.value.join(', ') : String(o.field.value ?? '')) : '',
});

function toOutcomes(rows: readonly Row[], fields: readonly FieldInfo[]): Outcome[] {
  const taken = new Set(rows.flatMap((r) => (r.id ? [r.id] : [])));
  return rows.map((r) => {
    let id = r.id;
    if (!id) {
      id = slugFor(r.label, taken);
      taken.add(id);
    }
    const base = { id, label: r.label.trim() };
    if (r.kind === 'event') return { ...base, event: r.event.trim() };
    const type = fields.find((f) => f.key === r.field)?.type;
    return { ...base, field: { field: r.field, op: r.op, value: readTestValue(r.value, r.op, type) } };
  });
}

/**
 * The outcomes: what counts as a conversion (an event type, or a field test that became true), each
 * with a label. Saved with the setting's `rev`, so two people saving at once do not overwrite each other.
 */
export function OutcomesEditor({ setting, fields, onSaved, onReload }: {
  setting: OutcomesSetting; fields: readonly FieldInfo[]; onSaved: (s: OutcomesSetting) => void; onReload: () => void;
}) {
  const id = useId();
  const [rows, setRows] = useState<Row[]>(() => setting.outcomes.map(toRow));
  const [error, setError] = useState<{ message: string; stale?: boolean } | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setRows(setting.outcomes.map(toRow)), [setting]);
  const outcomes = useMemo(() => toOutcomes(rows, fields), [rows, fields]);
  const dirty = JSON.stringify(outcomes) !== JSON.stringify(setting.outcomes);

  const set = (key: number, patch: Partial<Row>) => {
    setSaved(false);
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  };
  const add = () => {
    setSaved(false);
    setRows((rs) => [...rs, { key: nextKey++, id: null, label: '', kind: 'event', event: '', field: '', op: 'eq', value: '' }]);
  };
  const save = async () => {
    setError(null);
    const problem = outcomes.map(outcomeProblem).find(Boolean);
    if (problem) return setError({ message: problem });
    setBusy(true);
    try {
      onSaved(await saveOutcomes({ outcomes, rev: setting.rev }));
      setSaved(true);
    } catch (e) {
      const stale = e instanceof ApiError && e.status === 409;
      setError({ message: stale ? 'Someone else saved the outcomes since this page loaded. Load theirs, then make your change again.' : (e as Error).message, stale });
    } finally {
      setBusy(false);
    }
  };
  const fieldType = (key: string) => fields.find((f) => f.key === key)?.type;

  return (
    <section className="card outcomes" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Outcomes</h2>
        <div className="actions">
          <button type="button" onClick={add}>Add an outcome</button>
          <button type="button" className="primary" onClick={() => void save()} disabled={!dirty || busy}>{busy ? 'Saving…' : 'Save outcomes'}</button>
        </div>
      </div>
      <p className="muted explain">What counts as a conversion: a contact converts when one of these happens to it — an event arrives, or a field changes so that it passes the test (a contact already passing it at the start of a report does not count as converting).</p>
      {rows.length === 0 && (
        <div className="empty">
          <strong>Name what counts as a conversion</strong>
          A purchase, a won deal, a lifecycle stage of customer: the reports measure how well scores foretold it.
          <div className="actions"><button type="button" className="primary" onClick={add}>Add an outcome</button></div>
        </div>
      )}
      {rows.length > 0 && (
        <ul className="outcome-rows">
          {rows.map((r, i) => {
            const name = r.label.trim() || `outcome ${i + 1}`;
            return (
              <li key={r.key} className="outcome-row">
                <label>Label <input value={r.label} placeholder="Deal won" onChange={(e) => set(r.key, { label: e.target.value })} aria-label={`Label of ${name}`} /></label>
                <label>Counts when
                  <select value={r.kind} onChange={(e) => set(r.key, { kind: e.target.value as Row['kind'] })} aria-label={`What ${name} counts`}>
                    <option value="event">an event arrives</option>
                    <option value="field">a field passes a test</option>
                  </select>
                </label>
                {r.kind === 'event' ? (
                  <label className="grow">Event type
                    <input list={`${id}-events`} value={r.event} placeholder="purchase" onChange={(e) => set(r.key, { event: e.target.value })} aria-label={`Event type of ${name}`} />
                  </label>
                ) : (
                  <>
                    <label>Field
                      <select value={r.field} onChange={(e) => set(r.key, { field: e.target.value })} aria-label={`Field of ${name}`}>
                        <option value="">Choose…</option>
                        {fields.map((f) => <option key={f.key} value={f.key}>{f.label}</option>)}
                      </select>
                    </label>
                    <label>Test
                      <select value={r.op} onChange={(e) => set(r.key, { op: e.target.value as OutcomeOp })} aria-label={`Test of ${name}`}>
                        {OUTCOME_OPS.map((o) => <option key={o.op} value={o.op}>{o.words}</option>)}
                      </select>
                    </label>
                    <label className="grow">Value
                      <input value={r.value} type={fieldType(r.field) === 'number' && r.op !== 'in' ? 'number' : 'text'}
                        placeholder={r.op === 'in' ? 'customer, partner' : fieldType(r.field) === 'boolean' ? 'true' : 'customer'}
                        onChange={(e) => set(r.key, { value: e.target.value })} aria-label={`Value of ${name}`} />
                    </label>
                  </>
                )}
                <button type="button" className="icon danger" aria-label={`Remove ${name}`} title="Remove this outcome"
                  onClick={() => { setSaved(false); setRows((rs) => rs.filter((x) => x.key !== r.key)); }}>×</button>
              </li>
            );
          })}
        </ul>
      )}
      <datalist id={`${id}-events`}>{Object.keys(KNOWN_EVENTS).map((e) => <option key={e} value={e} />)}</datalist>
      {error && (
        <p className="notice error" role="alert">
          The outcomes were not saved: {error.message}
          {error.stale && <> <button type="button" className="link" onClick={() => { setError(null); onReload(); }}>Load the saved outcomes</button></>}
        </p>
      )}
      {saved && !dirty && <p className="notice ok" role="status">Outcomes saved. The reports below count them.</p>}
    </section>
  );
}
