import { useEffect, useMemo, useState } from 'react';
import { formatValue, formatRelative, timeLabels } from '../charts/format.js';
import { describeCause, describeChange, loadCauseNames, NO_NAMES, type CauseNames } from './causes.js';
import { labelOf, type FieldInfo } from './fields.js';
import { historyPage, type HistoryEntry } from './history.js';

/**
 * "Why this score": every change of the contact's fields, newest first, each with its cause in
 * words — "+5 — Clicked a link in an email (model Recommended lead score)".
 */
export function HistoryList({ contactId, fields, now }: { contactId: string; fields: readonly FieldInfo[] | undefined; now: number }) {
  const [field, setField] = useState('');
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [next, setNext] = useState<number | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [names, setNames] = useState<CauseNames>(NO_NAMES);
  const [seenFields, setSeenFields] = useState<string[]>([]);

  const load = async (before?: number) => {
    setLoading(true);
    try {
      const page = await historyPage(contactId, { field: field || undefined, before, limit: 100 });
      setEntries((old) => (before === undefined ? page.history : [...(old ?? []), ...page.history]));
      setNext(page.nextBefore);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  // From the newest again whenever the contact or the field filter changes.
  useEffect(() => { setEntries(null); void load(); }, [contactId, field]);
  useEffect(() => {
    if (!entries?.length) return;
    if (!field) setSeenFields((old) => [...new Set([...old, ...entries.map((e) => e.field)])]);
    let live = true;
    loadCauseNames(entries.map((e) => e.cause)).then((n) => live && setNames(n));
    return () => { live = false; };
  }, [entries, field]);

  const typeOf = (key: string) => fields?.find((f) => f.key === key)?.type;
  // Two changes in one minute show their seconds, so their order is plain.
  const times = useMemo(() => timeLabels((entries ?? []).map((h) => h.at)), [entries]);
  return (
    <section className="card" aria-labelledby="history-h">
      <div className="section-head">
        <h2 id="history-h">Why this score: history</h2>
        <div className="actions">
          <label className="inline">Field
            <select value={field} onChange={(e) => setField(e.target.value)}>
              <option value="">All fields</option>
              {seenFields.filter((k) => !k.includes(':')).map((k) => <option key={k} value={k}>{labelOf(fields, k)}</option>)}
            </select>
          </label>
        </div>
      </div>
      {error && <p className="notice error" role="alert">The history could not be loaded: {error}</p>}
      {entries === null && !error && <p className="loading">Loading the history…</p>}
      {entries?.length === 0 && <p className="muted">No changes recorded{field ? ` for ${labelOf(fields, field)}` : ''} yet.</p>}
      {!!entries?.length && (
        <ol className="history">
          {entries.map((h, i) => {
            // A `map:<id>` row: the contact left the map (from its element), or was added to it by hand (to the trigger).
            const enteredMap = h.field.startsWith('map:') && h.from === null && typeof h.to === 'string';
            const leftMap = h.field.startsWith('map:') && !enteredMap;
            const mergedIn = h.field === 'contact:merge';
            const type = typeOf(h.field);
            const change = describeChange(h.from, h.to, type);
            const numeric = typeof h.to === 'number';
            const delta = numeric ? (h.to as number) - (typeof h.from === 'number' ? h.from : 0) : 0;
            return (
              <li key={h.id}>
                <time dateTime={h.at} title={formatRelative(h.at, now)}>{times[i]}</time>
                {enteredMap ? (
                  <span className="what">
                    Added to map {names.map(h.field.slice(4)) ?? h.field.slice(4)} — <span className="cause">{describeCause(h.cause, names)}</span>
                  </span>
                ) : mergedIn ? (
                  <span className="what">Contact <b>{String(h.from)}</b> was merged into this one — its events and history are here now</span>
                ) : leftMap ? (
                  <span className="what">
                    Left map {names.map(h.field.slice(4)) ?? h.field.slice(4)}{typeof h.from === 'string' ? ` (was at ${names.element(h.field.slice(4), undefined, h.from) ?? h.from})` : ''}
                    {'merge' in h.cause && <> — {describeCause(h.cause, names)}</>}
                  </span>
                ) : (
                  <span className="what">
                    <span className="field">{labelOf(fields, h.field)}</span>{' '}
                    <b className={`change${numeric ? (delta > 0 ? ' up' : delta < 0 ? ' down' : '') : ''}`}>{change}</b>
                    {' — '}<span className="cause">{describeCause(h.cause, names)}</span>
                    {typeof h.cause.mergedFrom === 'string' && <span className="muted small"> · on contact {h.cause.mergedFrom}, before the merge</span>}
                  </span>
                )}
                {numeric && <span className="muted values">{formatValue(h.from, type)} → {formatValue(h.to, type)}</span>}
              </li>
            );
          })}
        </ol>
      )}
      {next !== undefined && <button type="button" onClick={() => void load(next)} disabled={loading}>{loading ? 'Loading…' : 'Show older changes'}</button>}
    </section>
  );
}
