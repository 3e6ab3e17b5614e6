import { useEffect, useMemo, useRef, useState } from 'react';
import { FieldRegistry } from '../../../../engine/schema/field.js';
import { ApiError } from '../../lib/api.js';
import { beforeNavigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { labelOf, toFieldDef, useFields } from '../contacts/fields.js';
import { isMissingEndpoint } from '../scoring/api.js';
import { getMapping, saveMapping, type MappingProblem, type MappingView } from './data-in-api.js';
import { changed, placeProblems, rowProblems, rowsOf, tableOf, type Row, type Rows, type TableName } from './data-in-rows.js';
import { MappingTable } from './MappingTables.js';
import { SendHelp } from './SendHelp.js';
import { TryIt } from './TryIt.js';
import './data-in.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

const LEAVE = 'The names on Data in have changes that are not saved. Leave without saving them?';
const NO_ROWS: Rows = { events: [], traits: [] };

/** A few of Segment's standard names, as a reader knows them. */
function standardWords(standard: Readonly<Record<string, string>>): string {
  const shown = ['order_completed', 'email_link_clicked', 'trial_started'].filter((k) => k in standard);
  return shown.map((k) => `${k.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ')} → ${standard[k]}`).join(', ');
}

/** Asks before leaving the page (in the app, or closing the tab) with changes not saved. */
function useLeaveGuard(dirty: boolean) {
  const ref = useRef(dirty);
  ref.current = dirty;
  useEffect(() => {
    const off = beforeNavigate(() => !ref.current || window.confirm(LEAVE));
    const onUnload = (e: BeforeUnloadEvent) => {
      if (!ref.current) return;
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    return () => {
      off();
      window.removeEventListener('beforeunload', onUnload);
    };
  }, []);
}

/**
 * `#/settings/data-in` (SPEC §10 "Segment-compatible intake"): how to send data in, the user's own
 * names for events and traits (saved whole, each problem beside its row), and Try it.
 */
export function DataInPage() {
  const mapping = useLoad(() => getMapping().catch((e) => {
    if (isMissingEndpoint(e)) return null;
    throw e;
  }), []);
  const fields = useFields();
  const [rows, setRows] = useState<Rows>(NO_ROWS);
  const [saved, setSaved] = useState<MappingView | null>(null);
  const [tried, setTried] = useState(false);
  const [serverByRow, setServerByRow] = useState<ReadonlyMap<number, string>>(new Map());
  const [serverOther, setServerOther] = useState<string[]>([]);
  const [error, setError] = useState<{ message: string; stale?: boolean } | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const show = (view: MappingView) => {
    const next = rowsOf(view);
    setSaved(view);
    setRows(next);
    const placed = placeProblems(view.problems, next);
    setServerByRow(placed.byRow);
    setServerOther(placed.other);
    setTried(view.problems.length > 0);
  };
  useEffect(() => {
    if (mapping.data) show(mapping.data);
  }, [mapping.data]);

  const registry = useMemo(() => new FieldRegistry((fields.data ?? []).map(toFieldDef)), [fields.data]);
  const local = { events: rowProblems('events', rows.events), traits: rowProblems('traits', rows.traits) };
  const problemsOf = (table: TableName) => {
    const out = new Map(tried ? local[table] : []);
    for (const r of rows[table]) if (!out.has(r.id) && serverByRow.has(r.id)) out.set(r.id, serverByRow.get(r.id)!);
    return out;
  };
  const dirty = saved !== null && changed(rows, saved);
  useLeaveGuard(dirty);

  /** Rows changed: a problem the server found on a row goes when the row changes. */
  const edit = (table: TableName, list: Row[]) => {
    const before = new Map(rows[table].map((r) => [r.id, r]));
    const next = new Map(serverByRow);
    for (const r of list) if (before.get(r.id) !== r) next.delete(r.id);
    setServerByRow(next);
    setRows({ ...rows, [table]: list });
    setDone(false);
  };

  const save = async () => {
    if (!saved) return;
    setTried(true);
    setDone(false);
    setError(null);
    if (local.events.size || local.traits.size) {
      setError({ message: 'Some rows are not finished: see the words under them.' });
      return;
    }
    setBusy(true);
    try {
      show(await saveMapping(tableOf(rows), saved.rev));
      setDone(true);
    } catch (e) {
      const problems = (e instanceof ApiError ? (e.details as { problems?: MappingProblem[] } | undefined)?.problems : undefined) ?? [];
      const placed = placeProblems(problems, rows);
      setServerByRow(placed.byRow);
      setServerOther(placed.other);
      setError({ message: (e as Error).message, stale: e instanceof ApiError && e.status === 409 });
    } finally {
      setBusy(false);
    }
  };

  // Try it uses the rows as edited, leaving out those the page already knows are wrong.
  const clean: Rows = { events: rows.events.filter((r) => !local.events.has(r.id)), traits: rows.traits.filter((r) => !local.traits.has(r.id)) };
  const label = (key: string) => labelOf(fields.data, key);

  return (
    <section className="page-body data-in">
      <header className="page-head">
        <h1>Data in</h1>
        <HelpLink page={DOCS.segment} />
        <span className="sub">Send events and contact details from the tools you already use, without code, and name them your way.</span>
      </header>
      <SendHelp />
      {mapping.error && <p className="notice error" role="alert">The names could not be loaded: {mapping.error} <button type="button" className="link" onClick={mapping.reload}>Try again</button></p>}
      {mapping.loading && !mapping.data && <p className="loading">Loading your names…</p>}
      {mapping.data === null && <p className="notice">This server does not offer intake settings yet (no <code>/api/intake/mapping</code>). Update Scoremap to name events and traits here.</p>}
      {saved && (
        <>
          <MappingTable table="events" rows={rows.events} onChange={(l) => edit('events', l)} problems={problemsOf('events')} fields={registry} excluded={[]}
            help={<>Scoremap already knows Segment's standard names ({standardWords(saved.standardEvents)}, …) and records any other name in lower snake case (Webinar Joined → webinar_joined). Add a row to record a name your way, or to ignore it. A row also catches the name's other spellings (webinar_joined, webinarJoined).</>} />
          <MappingTable table="traits" rows={rows.traits} onChange={(l) => edit('traits', l)} problems={problemsOf('traits')} fields={registry} excluded={saved.protectedFields}
            help={<>Traits (from identify, group, or a call's context) already reach a field whose key is the trait's name in snake case (planTier → plan_tier), and Segment's own (email, firstName, title → Job title, employees → Company size, …). Add a row for a trait named otherwise; a nested one is written with dots (company.plan).</>} />
          {serverOther.map((m) => <p key={m} className="notice error" role="alert">{m}</p>)}
          <div className="save-bar">
            <button type="button" className="primary" onClick={save} disabled={busy || !dirty}>{busy ? 'Saving…' : 'Save'}</button>
            <button type="button" onClick={() => { show(saved); setError(null); setTried(false); }} disabled={busy || !dirty}>Discard changes</button>
            {dirty && !error && <span className="muted">Changes not saved yet.</span>}
            {done && !dirty && <span className="saved" role="status">Saved: calls from now on use these names.</span>}
          </div>
          {error && (
            <p className="notice error" role="alert">
              {error.message}{' '}
              {error.stale && <button type="button" className="link" onClick={() => { setError(null); mapping.reload(); }}>Load the saved names (yours are dropped)</button>}
            </p>
          )}
          <TryIt mapping={tableOf(clean)} label={label} />
        </>
      )}
    </section>
  );
}
