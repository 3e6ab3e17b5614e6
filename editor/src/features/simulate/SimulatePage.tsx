import { useEffect, useState } from 'react';
import { api } from '../../lib/api.js';
import { href, type Route } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import type { MapSummary } from '../maps-list/MapsPage.js';
import type { FieldInfo } from '../contacts/fields.js';
import { getModel, listModels, type ModelDoc } from '../scoring/api.js';
import { SimResults, type MapDocs } from './SimResults.js';
import type { SimResult } from './result.js';
import { buildScenario, exampleDraft, fromLocalInput, loadDraft, saveDraft, toLocalInput, unknownField, type Draft, type DraftSpot } from './scenario.js';
import { ContactsTable, EventsTable, ExpectTable, type WebhookElement } from './ScenarioTables.js';
import '../../lib/pages.css';
import '../contacts/contacts.css';
import './simulate.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

interface MapDocLike { name?: string; elements?: { id: string; label?: string; kind?: string }[]; fields?: { key: string; label: string }[] }

/** A chosen map's document: the draft, or the published version the scenario picked. */
function loadDoc(m: Draft['maps'][number]): Promise<MapDocLike> {
  return m.version
    ? api<{ doc: MapDocLike }>(`/maps/${encodeURIComponent(m.id)}/versions/${m.version}`).then((r) => r.doc)
    : api<{ map: { doc: MapDocLike } }>(`/maps/${encodeURIComponent(m.id)}`).then((r) => r.map.doc);
}

/** `#/simulate`: walk a few contacts through saved maps and scoring models on a virtual clock (SPEC §7). */
export function SimulatePage(_: { route: Route }) {
  const maps = useLoad(() => api<{ maps: MapSummary[] }>('/maps').then((r) => r.maps), []);
  const models = useLoad(() => listModels().catch(() => null), []);
  const [draft, setDraft] = useState<Draft>(() => loadDraft() ?? exampleDraft());
  const [result, setResult] = useState<{ data: SimResult; docs: MapDocs; models: ModelDoc[]; draft: Draft; labels: ReadonlyMap<string, string> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The input the last refusal is about, marked until the next run. */
  const [spot, setSpot] = useState<DraftSpot | null>(null);
  useEffect(() => saveDraft(draft), [draft]);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const contactIds = draft.contacts.map((c) => c.id.trim()).filter(Boolean);
  // The chosen maps' webhook elements, for the expectations' picker; a map that fails to load offers none.
  const webhookElements = useLoad(() => Promise.all(draft.maps.map((m) => loadDoc(m).catch(() => null))).then((docs) =>
    docs.flatMap((doc, i): WebhookElement[] => (doc?.elements ?? []).filter((e) => e.kind === 'webhook')
      .map((e) => ({ id: e.id, label: e.label ?? e.id, map: doc?.name ?? draft.maps[i].id })))), [JSON.stringify(draft.maps)]);

  const run = async () => {
    setBusy(true);
    setError(null);
    setSpot(null);
    try {
      const [scoringModels, allFields, docs] = await Promise.all([
        Promise.all(draft.models.map((id) => getModel(id))),
        api<{ fields: FieldInfo[] }>('/fields').then((r) => r.fields),
        Promise.all(draft.maps.map(loadDoc)),
      ]);
      // The real custom fields, so maps and models that use them without declaring them still run.
      const fields = allFields.filter((f) => !f.builtin && f.type !== 'tags');
      const fieldDefs = fields.map((f) => ({ key: f.key, label: f.label, type: f.type, ...(f.type === 'number' && f.decimals ? { decimals: f.decimals } : {}) }));
      // Every field the run knows: the server's, and those the chosen maps and models declare.
      const known = new Set([...allFields, ...[...docs, ...scoringModels].flatMap((d) => d.fields ?? [])].flatMap((f) => [f.key.toLowerCase(), f.label.trim().toLowerCase()]));
      const unknown = unknownField(draft, known);
      if (unknown) {
        setSpot(unknown.spot);
        throw new Error(unknown.error);
      }
      const built = buildScenario(draft, { scoringModels, fields: fieldDefs });
      if ('error' in built) throw new Error(built.error);
      const data = await api<SimResult>('/simulate', { body: built.scenario });
      // The simulation names maps map-1, map-2, … in the scenario's order.
      const named: MapDocs = new Map(docs.map((doc, i) => [`map-${i + 1}`, { name: doc.name ?? draft.maps[i].id, id: draft.maps[i].id, elements: new Map((doc.elements ?? []).map((e) => [e.id, e.label ?? e.id])) }]));
      const labels = new Map([
        ...allFields.map((f) => [f.key, f.label] as const),
        ...[...docs, ...scoringModels].flatMap((d) => (d.fields ?? []).map((f) => [f.key, f.label] as const)),
      ]);
      setResult({ data, docs: named, models: scoringModels, draft, labels });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const toggleMap = (m: MapSummary, on: boolean) => set({ maps: on ? [...draft.maps, { id: m.id }] : draft.maps.filter((x) => x.id !== m.id) });
  const toggleModel = (id: string, on: boolean) => set({ models: on ? [...draft.models, id] : draft.models.filter((x) => x !== id) });
  const knownMaps = new Set((maps.data ?? []).map((m) => m.id));

  return (
    <section className="page-body simulate">
      <header className="page-head">
        <h1>Simulate</h1>
        <HelpLink page={DOCS.simulation} />
        <span className="sub">Walk a few contacts through maps and scoring models on a virtual clock. Real contacts are never touched.</span>
        <div className="actions">
          <button type="button" onClick={() => { setDraft({ ...exampleDraft(), maps: draft.maps, models: draft.models }); setResult(null); }}>Load the example</button>
        </div>
      </header>
      <form className="sim-form" onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <div className="sim-top">
          <fieldset className="sim-block">
            <legend>Maps</legend>
            {maps.error && <p className="error">{maps.error}</p>}
            {maps.data && !maps.data.length && <p className="muted small">No saved maps yet: <a href={href('/maps')}>create or import one</a>.</p>}
            <ul className="checks">
              {maps.data?.map((m) => {
                const sel = draft.maps.find((x) => x.id === m.id);
                return (
                  <li key={m.id}>
                    <label className="check">
                      <input type="checkbox" checked={!!sel} onChange={(e) => toggleMap(m, e.target.checked)} />
                      {m.name}
                    </label>
                    {sel && m.version !== null && (
                      <select aria-label={`Version of ${m.name}`} className="small" value={sel.version ?? ''} onChange={(e) => set({ maps: draft.maps.map((x) => (x.id === m.id ? { id: m.id, ...(e.target.value ? { version: Number(e.target.value) } : {}) } : x)) })}>
                        <option value="">the draft</option>
                        <option value={m.version}>published v{m.version}</option>
                      </select>
                    )}
                  </li>
                );
              })}
              {draft.maps.filter((m) => maps.data && !knownMaps.has(m.id)).map((m) => (
                <li key={m.id} className="muted small">“{m.id}” no longer exists <button type="button" className="link" onClick={() => set({ maps: draft.maps.filter((x) => x.id !== m.id) })}>remove</button></li>
              ))}
            </ul>
          </fieldset>
          <fieldset className="sim-block">
            <legend>Scoring models</legend>
            {models.data === null && <p className="muted small">This server has no scoring models API.</p>}
            {models.data && !models.data.length && <p className="muted small">None yet: <a href={href('/scoring')}>add one</a>.</p>}
            <ul className="checks">
              {models.data?.map(({ doc }) => (
                <li key={doc.id}>
                  <label className="check">
                    <input type="checkbox" checked={draft.models.includes(doc.id)} onChange={(e) => toggleModel(doc.id, e.target.checked)} />
                    {doc.name} <span className="muted small">→ {doc.field ?? 'score'}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <fieldset className="sim-block">
            <legend>Time</legend>
            <label>Start <input type="datetime-local" value={toLocalInput(draft.start)} onChange={(e) => set({ start: fromLocalInput(e.target.value) })} required /></label>
            <label>Until <input type="datetime-local" value={toLocalInput(draft.until)} onChange={(e) => set({ until: fromLocalInput(e.target.value) })} required /></label>
          </fieldset>
        </div>
        <ContactsTable rows={draft.contacts} onChange={(contacts) => set({ contacts })} spot={spot} />
        <EventsTable rows={draft.events} contacts={contactIds} onChange={(events) => set({ events })} defaultAt={draft.start} />
        <ExpectTable spot={spot} rows={draft.expect} contacts={contactIds} webhookElements={webhookElements.data ?? []} onChange={(expect) => set({ expect })} defaultAt={draft.until} />
        <div className="sim-run">
          <button type="submit" className="primary" disabled={busy || (!draft.maps.length && !draft.models.length)}>{busy ? 'Running…' : 'Run the simulation'}</button>
          {!draft.maps.length && !draft.models.length && <span className="muted">Choose at least one map or scoring model.</span>}
          {error && <span className="notice error" role="alert" id="sim-error">{error}</span>}
        </div>
      </form>
      {result && (
        <SimResults
          result={result.data} docs={result.docs} models={result.models} draft={result.draft} labels={result.labels}
          chartField={draft.chartField} onChartField={(chartField) => set({ chartField })}
        />
      )}
    </section>
  );
}
