import { useEffect, useState } from 'react';
import { EventType, KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import { beforeNavigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { eventWords } from '../scoring/RulesEditor.js';
import { DEFAULT_NOT_ACTIVITY, getActivitySetting, saveActivitySetting } from './activity-api.js';
import './activity.css';

const OWN = '__own';
/** The list as the server keeps it: each type once, in alphabetical order. */
const tidy = (list: readonly string[]) => [...new Set(list)].sort();
const same = (a: readonly string[], b: readonly string[]) => {
  const [x, y] = [tidy(a), tidy(b)];
  return x.length === y.length && x.every((t, i) => t === y[i]);
};

/**
 * `#/settings/activity` (SPEC §9 "Meaningful activity"): the event types that do not count as
 * activity, so a bounce never postpones an inactivity reset or a degradation.
 */
export function ActivityPage() {
  const loaded = useLoad(getActivitySetting, []);
  const [list, setList] = useState<string[]>([]);
  const [saved, setSaved] = useState<readonly string[] | null>(null);
  const [pick, setPick] = useState('');
  const [own, setOwn] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (loaded.data) {
      setList(tidy(loaded.data.notActivity));
      setSaved(loaded.data.notActivity);
    }
  }, [loaded.data]);

  const dirty = saved !== null && !same(list, saved);
  // Unsaved changes: asked before leaving for another page or closing the tab.
  useEffect(() => {
    if (!dirty) return;
    const remove = beforeNavigate(() => window.confirm('The activity setting has changes that are not saved. Leave without saving them?'));
    const onUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onUnload);
    return () => { remove(); window.removeEventListener('beforeunload', onUnload); };
  }, [dirty]);
  const offered = Object.keys(KNOWN_EVENTS).filter((e) => !list.includes(e));
  const ownProblem = pick === OWN && own.trim() !== '' && !EventType.safeParse(own.trim()).success
    ? `"${own.trim()}" is not an event type: lower-case letters, digits, "_" or ".", starting with a letter.`
    : pick === OWN && list.includes(own.trim()) ? `${eventWords(own.trim())} is listed already.` : null;
  const toAdd = pick === OWN ? own.trim() : pick;
  const edit = (next: string[]) => {
    setList(tidy(next));
    setDone(false);
    setError(null);
  };
  const add = () => {
    if (!toAdd || ownProblem) return;
    edit([...list, toAdd]);
    setPick('');
    setOwn('');
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const kept = await saveActivitySetting({ notActivity: list });
      setList(tidy(kept.notActivity));
      setSaved(kept.notActivity);
      setDone(true);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page-body activity-page">
      <header className="page-head">
        <h1>Activity</h1>
        <span className="sub">Which events show that a contact is still interested.</span>
      </header>
      {loaded.error && <p className="notice error" role="alert">The setting could not be loaded: {loaded.error} <button type="button" className="link" onClick={loaded.reload}>Try again</button></p>}
      {loaded.loading && !loaded.data && <p className="loading">Loading…</p>}
      {loaded.data === null && <p className="notice">This server does not keep an activity setting yet (no <code>/api/settings/activity</code>). Update Scoremap to choose it here.</p>}
      {saved && (
        <section className="card activity-card" aria-labelledby="not-activity-h">
          <h2 id="not-activity-h">Events that do not count as activity</h2>
          <p className="muted">
            Every other event moves the contact's <b>Last activity</b>. These never postpone an inactivity reset or decay: a bounce or an
            unsubscribe is not interest, so a scoring model that degrades after days without activity goes on counting.
          </p>
          {list.length === 0 ? (
            <p className="empty-line">None: every event counts as activity.</p>
          ) : (
            <ul className="not-activity" aria-label="Events that do not count as activity">
              {list.map((e) => (
                <li key={e}>
                  <span>{eventWords(e)}</span> <code className="muted">{e}</code>
                  <button type="button" className="icon small danger" aria-label={`Remove ${eventWords(e)}`} onClick={() => edit(list.filter((x) => x !== e))}>×</button>
                </li>
              ))}
            </ul>
          )}
          <div className="row add-event">
            <label>Add an event type
              <select value={pick} onChange={(e) => setPick(e.target.value)}>
                <option value="">Choose…</option>
                {offered.map((e) => <option key={e} value={e}>{eventWords(e)}</option>)}
                <option value={OWN}>Your own type…</option>
              </select>
            </label>
            {pick === OWN && (
              <label>Event type
                <input value={own} onChange={(e) => setOwn(e.target.value)} placeholder="e.g. webinar_declined" aria-invalid={!!ownProblem || undefined}
                  onKeyDown={(e) => { if (e.key === 'Enter') add(); }} />
              </label>
            )}
            <button type="button" onClick={add} disabled={!toAdd || !!ownProblem}>Add</button>
          </div>
          {ownProblem && <p className="error small">{ownProblem}</p>}
          <div className="save-bar">
            <button type="button" className="primary" onClick={() => void save()} disabled={busy || !dirty}>{busy ? 'Saving…' : 'Save'}</button>
            <button type="button" onClick={() => edit([...saved])} disabled={busy || !dirty}>Discard changes</button>
            {!same(list, DEFAULT_NOT_ACTIVITY) && <button type="button" className="link" onClick={() => edit([...DEFAULT_NOT_ACTIVITY])}>Use the defaults (bounced, unsubscribed, marked as spam)</button>}
            {dirty && !error && <span className="muted">Changes not saved yet.</span>}
            {done && !dirty && <span className="saved" role="status">Saved: events from now on are counted this way.</span>}
          </div>
          {error && <p className="notice error" role="alert">The setting was not saved: {error}</p>}
        </section>
      )}
    </section>
  );
}
