import { useEffect, useMemo, useState } from 'react';
import { ConfirmDialog } from '../../lib/Dialog.js';
import { downloadText } from '../../lib/download.js';
import { beforeNavigate, href, navigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useFields } from '../contacts/fields.js';
import { ProblemList, problemsOf, type Problem } from '../maps-list/ProblemList.js';
import { deleteModel, getDistribution, getModel, saveModel, type ModelDoc } from './api.js';
import { BracketsEditor } from './BracketsEditor.js';
import { DegradationEditor } from './DegradationEditor.js';
import { DistributionCard } from './DistributionCard.js';
import { ImportModelDialog } from './ImportModelDialog.js';
import { ModelVersions } from './ModelVersions.js';
import { checkModel, problemPlace, withoutPath } from './model-edit.js';
import { RescoreButton } from './RescoreButton.js';
import { RulesEditor } from './RulesEditor.js';
import { openBacktest } from '../reports/handoff.js';
import { can, useMe } from '../../lib/me.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

const ZONES: readonly string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];

/** `#/scoring/<id>`: edit a model's rules, bounds, degradation and brackets; save, rescore, export; its distribution. */
export function ModelPage({ id }: { id: string }) {
  // Saving, importing, deleting, rescoring and backtesting a model are an editor's (SPEC §12).
  const editor = can(useMe(), 'editor');
  const loaded = useLoad(() => getModel(id), [id]);
  const fields = useFields();
  const dist = useLoad(() => getDistribution(id), [id]);
  const [draft, setDraft] = useState<ModelDoc | null>(null);
  const [saved, setSaved] = useState<string>('');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [modal, setModal] = useState<'delete' | 'import' | null>(null);

  useEffect(() => {
    if (loaded.data) {
      setDraft(loaded.data);
      setSaved(JSON.stringify(loaded.data));
    }
  }, [loaded.data]);
  const dirty = useMemo(() => draft !== null && JSON.stringify(draft) !== saved, [draft, saved]);

  // Unsaved changes: asked before leaving for another page or closing the tab.
  useEffect(() => {
    if (!dirty) return;
    const remove = beforeNavigate(() => window.confirm('This scoring model has unsaved changes. Leave without saving?'));
    const onUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onUnload);
    return () => { remove(); window.removeEventListener('beforeunload', onUnload); };
  }, [dirty]);

  if (loaded.error) {
    return (
      <section className="page-body">
        <nav className="crumbs"><a href={href('/scoring')}>Scoring models</a></nav>
        <p className="notice error" role="alert">{loaded.error}</p>
      </section>
    );
  }
  if (!draft) return <p className="loading">Loading the scoring model…</p>;
  const set = (patch: Partial<ModelDoc>) => setDraft({ ...draft, ...patch });
  const numberFields = (fields.data ?? []).filter((f) => f.type === 'number');

  const save = async () => {
    setError(null);
    setProblems([]);
    setNotice(null);
    const found = checkModel(draft);
    if (found.length) {
      setError(found[0].message);
      setProblems(found);
      return;
    }
    setBusy(true);
    try {
      const next = await saveModel(id, draft);
      setDraft(next);
      setSaved(JSON.stringify(next));
      setNotice('Saved. The rules apply from now on; Rescore makes every contact\'s points match them (changed and deleted rules included).');
      dist.reload();
    } catch (e) {
      setError((e as Error).message);
      setProblems(problemsOf(e).map(withoutPath));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page-body model-page">
      <nav className="crumbs" aria-label="Breadcrumb"><a href={href('/scoring')}>Scoring models</a> <span aria-hidden="true">›</span> <span aria-current="page">{draft.name}</span></nav>
      <header className="page-head">
        <h1>{draft.name || 'Untitled model'}</h1>
        <HelpLink page={DOCS.scoring} />
        {draft.shadow && <span className="badge challenger" title="Scored live into its own field, triggering nothing: compare it with the champion in Reports">Challenger</span>}
        {dirty && <span className="badge warn">unsaved changes</span>}
        <div className="actions">
          {editor && <RescoreButton modelId={id} disabled={dirty} onDone={dist.reload} />}
          {editor && (
            <button type="button" onClick={() => openBacktest({ kind: 'model', id, name: draft.name, doc: draft })}
              title="Replay real contacts' stored events through this draft (saved or not) and compare with the live scores; opens in a new tab, changes no contact">Try on real history</button>
          )}
          <button type="button" onClick={() => downloadText(`${JSON.stringify(draft, null, 2)}\n`, `${id}.json`)}>Export JSON</button>
          {editor && (
            <>
              <button type="button" onClick={() => setModal('import')}>Import JSON…</button>
              <button type="button" className="danger" onClick={() => setModal('delete')}>Delete</button>
              <button type="button" className="primary" onClick={() => void save()} disabled={!dirty || busy}>{busy ? 'Saving…' : 'Save'}</button>
            </>
          )}
        </div>
      </header>
      {error && (
        <div className="notice error" role="alert">
          {problems.length ? `The model was not saved: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`} to fix first.` : `The model was not saved: ${error}`}
          <ProblemList problems={problems} where={(p) => problemPlace(draft, p)} />
        </div>
      )}
      {notice && !dirty && <p className="notice ok" role="status">{notice}</p>}

      <div className="model-grid">
        <section className="card settings" aria-labelledby="settings-h">
          <h2 id="settings-h">Settings</h2>
          <label>Name <input value={draft.name} onChange={(e) => set({ name: e.target.value })} /></label>
          <label>Description <textarea rows={3} value={draft.description ?? ''} onChange={(e) => set({ description: e.target.value || undefined })} /></label>
          <label>Writes the field
            <select value={draft.field ?? 'score'} onChange={(e) => set({ field: e.target.value })}>
              {!numberFields.some((f) => f.key === (draft.field ?? 'score')) && <option value={draft.field ?? 'score'}>{draft.field ?? 'score'}</option>}
              {numberFields.map((f) => <option key={f.key} value={f.key}>{f.label}</option>)}
            </select>
          </label>
          <div className="row">
            <label>Lowest score <input type="number" step="any" value={draft.min ?? 0} onChange={(e) => set({ min: Number(e.target.value) })} /></label>
            <label>Highest score <input type="number" step="any" value={draft.max ?? 100} onChange={(e) => set({ max: Number(e.target.value) })} /></label>
          </div>
          <label>Time zone
            <input list="scoring-zones" value={draft.timezone ?? ''} placeholder="UTC" onChange={(e) => set({ timezone: e.target.value || undefined })} />
            <datalist id="scoring-zones">{ZONES.map((z) => <option key={z} value={z} />)}</datalist>
          </label>
          <DegradationEditor value={draft.degradation} onChange={(degradation) => set({ degradation })} timezone={draft.timezone}
            keepsFitPoints={(draft.rules ?? []).some((r) => r.decays === false)} />
          <label className="challenger-check">
            <input type="checkbox" checked={draft.shadow === true} onChange={(e) => set({ shadow: e.target.checked || undefined })} />
            <span><b>Challenger</b> (runs in shadow)
              <span className="muted small">Scored live like any model, into its own field and bracket, but its changes trigger nothing: no map, no wait, no webhook. A published map may not use its field. Compare it with the champion in Reports, and untick to promote it.</span>
            </span>
          </label>
          <h3>Brackets</h3>
          <BracketsEditor brackets={draft.brackets ?? []} onChange={(brackets) => set({ brackets })} />
        </section>
        <DistributionCard model={draft} dist={dist.data} error={dist.error} loading={dist.loading} />
      </div>

      <section className="card rules-card" aria-labelledby="rules-h">
        <div className="section-head">
          <h2 id="rules-h">Rules</h2>
          <span className="muted small">Event rules add points each time; condition rules add points while the condition holds and take them back when it stops.</span>
        </div>
        <RulesEditor rules={draft.rules ?? []} onChange={(rules) => set({ rules })} fields={fields.data ?? []} problems={problems} />
      </section>
      <ModelVersions id={id} saved={saved} dirty={dirty} onRestored={loaded.setData} />

      {modal === 'delete' && (
        <ConfirmDialog
          title={`Delete "${draft.name}"?`}
          message={<p>The model stops scoring. The scores it wrote stay on the contacts. Export it first to keep a copy.</p>}
          confirm="Delete model" onClose={() => setModal(null)}
          onConfirm={() => deleteModel(id).then(() => { setSaved(JSON.stringify(draft)); setModal(null); navigate('/scoring'); }, (e: Error) => { setError(e.message); setModal(null); })}
        />
      )}
      {modal === 'import' && (
        <ImportModelDialog
          title="Replace this model from JSON" action="Load into the editor" onClose={() => setModal(null)}
          onJson={async (json) => {
            if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('A scoring model is a JSON object: { "name", "rules", … }');
            setDraft({ ...(json as ModelDoc), id });
            setModal(null);
            setNotice(null);
          }}
        />
      )}
    </section>
  );
}
