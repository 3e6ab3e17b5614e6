import { useEffect, useState } from 'react';
import { useLoad } from '../../lib/use-load.js';
import { loadActors, loadAudit, NO_FILTERS, type AuditEntry, type AuditFilters } from './api.js';
import { KINDS, TARGETS, actionWords, whoWords } from './words.js';
import './audit.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The audit log (SPEC §12): who changed what and when, newest first, narrowed by person, kind of
 * change, target and dates; "Load more" reads the next page.
 */
export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const actors = useLoad(loadActors, []);
  const set = (patch: Partial<AuditFilters>) => setFilters((f) => ({ ...f, ...patch }));

  useEffect(() => {
    let stale = false;
    setLoading(true);
    loadAudit(filters).then(
      (page) => {
        if (stale) return;
        setEntries(page.entries);
        setNext(page.nextBefore);
        setError(null);
        setLoading(false);
      },
      (e: Error) => {
        if (stale) return;
        setError(e.message);
        setLoading(false);
      },
    );
    return () => { stale = true; };
  }, [filters]);

  const more = async () => {
    setLoading(true);
    try {
      const page = await loadAudit(filters, next);
      setEntries((list) => [...list, ...page.entries]);
      setNext(page.nextBefore);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  return (
    <section className="page-body audit-page">
      <header className="page-head">
        <h1>Audit</h1>
        <HelpLink page={DOCS.audit} />
        <span className="sub">Who changed what, and when: maps, models, fields, keys, webhooks, settings, people and scores changed by hand</span>
      </header>
      <form className="audit-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>Person
          <select aria-label="Person" value={filters.actor} onChange={(e) => set({ actor: e.target.value })}>
            <option value="">Anyone</option>
            {(actors.data ?? []).map((a) => <option key={`${a.kind}:${a.id ?? a.name}`} value={a.id ?? a.name}>{whoWords(a)}</option>)}
          </select>
        </label>
        <label>Kind of change
          <select aria-label="Kind of change" value={filters.action} onChange={(e) => set({ action: e.target.value })}>
            {KINDS.map(([value, words]) => <option key={value} value={value}>{words}</option>)}
          </select>
        </label>
        <label>Target
          <select aria-label="Target" value={filters.targetType} onChange={(e) => set({ targetType: e.target.value })}>
            {TARGETS.map(([value, words]) => <option key={value} value={value}>{words}</option>)}
          </select>
        </label>
        <label>Target id
          <input type="search" aria-label="Target id" value={filters.targetId} placeholder="a map's or model's id…" onChange={(e) => set({ targetId: e.target.value })} />
        </label>
        <label>From
          <input type="date" aria-label="From" value={filters.from} max={filters.to || undefined} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>To
          <input type="date" aria-label="To" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.target.value })} />
        </label>
        {filtered && <button type="button" className="link" onClick={() => setFilters(NO_FILTERS)}>Clear the filters</button>}
      </form>
      {error && <p className="notice error" role="alert">{error}</p>}
      {!error && !loading && entries.length === 0 && (
        <div className="empty section">
          <strong>{filtered ? 'No change matches these filters' : 'No change recorded yet'}</strong>
          {filtered ? 'Widen the dates or clear a filter.' : 'Publishing a map, saving a model or making a key writes the first entry.'}
        </div>
      )}
      {entries.length > 0 && (
        <table className="data audit-log">
          <thead>
            <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Change</th><th scope="col">What</th></tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td className="at-cell"><time dateTime={e.at} title={e.at}>{when(e.at)}</time></td>
                <td className="who">{whoWords(e.actor)}</td>
                <td><span className={`badge action ${e.action.split('.')[0]}`} title={e.action}>{actionWords(e.action)}</span></td>
                <td className="summary">{e.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="audit-more">
        {loading && <span className="loading">Loading…</span>}
        {!loading && next !== undefined && <button type="button" onClick={more}>Load more</button>}
        {!loading && next === undefined && entries.length > 0 && <span className="muted small">That is every entry{filtered ? ' matching the filters' : ''}.</span>}
      </div>
    </section>
  );
}
