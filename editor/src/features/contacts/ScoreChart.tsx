import { useEffect, useId, useState } from 'react';
import { LineChart } from '../charts/LineChart.js';
import { describeCause, describeChange, loadCauseNames } from './causes.js';
import { labelOf, type FieldInfo } from './fields.js';
import { fieldHistory, historyPage, stepPoints, type HistoryEntry } from './history.js';

/**
 * The contact's score over time as a step line (scores change in steps), from its history; the
 * field is chosen among the number fields the history holds. Each point's tooltip says why.
 */
export function ScoreChart({ contactId, fields, defaultField, start, now }: {
  contactId: string; fields: readonly FieldInfo[] | undefined; defaultField: string; start: number; now: number;
}) {
  const id = useId();
  const [field, setField] = useState(defaultField);
  const [choices, setChoices] = useState<string[]>([defaultField]);
  const [entries, setEntries] = useState<(HistoryEntry & { note: string })[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  // The number fields this contact's history holds (a recent page is enough to offer them).
  useEffect(() => {
    if (!fields) return;
    historyPage(contactId, { limit: 500 }).then((p) => {
      const numbers = new Set(fields.filter((f) => f.type === 'number').map((f) => f.key));
      setChoices([...new Set([defaultField, 'score', ...p.history.map((h) => h.field).filter((k) => numbers.has(k))])]);
    }, () => undefined);
  }, [contactId, fields, defaultField]);
  useEffect(() => setField(defaultField), [defaultField]);

  useEffect(() => {
    let live = true;
    setEntries(null);
    (async () => {
      // Rows moved from a contact merged into this one are that contact's timeline, not this one's.
      const changes = (await fieldHistory(contactId, field)).filter((c) => !('mergedFrom' in c.cause));
      const names = await loadCauseNames(changes.map((c) => c.cause));
      return changes.map((c) => ({ ...c, note: `${describeChange(c.from, c.to)} — ${describeCause(c.cause, names)}` }));
    })().then((e) => { if (live) { setEntries(e); setError(null); } }, (e: Error) => live && setError(e.message));
    return () => { live = false; };
  }, [contactId, field]);

  const label = labelOf(fields, field);
  const points = entries ? stepPoints(entries, Number.isFinite(start) ? start : undefined) : [];
  const from = points[0]?.t;
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>{label} over time</h2>
        <div className="actions">
          <label className="inline">Field
            <select value={field} onChange={(e) => setField(e.target.value)}>
              {choices.map((k) => <option key={k} value={k}>{labelOf(fields, k)}</option>)}
            </select>
          </label>
        </div>
      </div>
      {error && <p className="notice error" role="alert">The history could not be loaded: {error}</p>}
      {!entries && !error && <p className="loading">Loading…</p>}
      {entries && !entries.length && <p className="muted">{label} has not changed yet for this contact.</p>}
      {entries && entries.length > 0 && (
        <LineChart
          title={`${label} over time`}
          series={[{ name: label, points }]}
          yLabel={label}
          domain={from !== undefined ? [from, Math.max(now, points[points.length - 1].t)] : undefined}
        />
      )}
    </section>
  );
}
