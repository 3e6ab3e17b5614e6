import { useState } from 'react';
import { api } from '../../lib/api.js';
import { Dialog } from '../../lib/Dialog.js';
import { href, navigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { formatNumber } from '../charts/format.js';
import { labelOf, useFields } from '../contacts/fields.js';
import { createModel, listModels, type ModelDoc } from './api.js';
import { degradationWords } from './degradation-words.js';
import { ImportModelDialog } from './ImportModelDialog.js';
import { blankModel, uniqueId } from './model-edit.js';
import { can, useMe } from '../../lib/me.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

const open = (id: string) => navigate(`/scoring/${encodeURIComponent(id)}`);

/** Creates the recommended model the server ships (maps/recommended-scoring.json). */
const createRecommended = () => api<{ id: string }>('/scoring-models/recommended', { method: 'POST' });

/** Where a field is used (GET /api/fields/:key/uses). */
interface FieldUses {
  maps: { id: string; name: string; elements: string[] }[];
  models: { id: string; name: string; writes: boolean }[];
}

/** "Score is already changed by the map "Lead scoring" (Add 5) and written by the model "Fit": …", or null. */
export function fieldInUseWarning(label: string, uses: FieldUses | undefined): string | null {
  if (!uses) return null;
  const parts = [
    ...uses.maps.map((m) => `the map "${m.name}" (${m.elements.map((e) => `"${e}"`).join(', ')})`),
    ...uses.models.filter((m) => m.writes).map((m) => `the scoring model "${m.name}"`),
  ];
  if (!parts.length) return null;
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `${label} is already used by ${list}. A model adds and takes points on the score it writes: two writers of one field undo each other's work. Pick another field, or a new one.`;
}

/** `#/scoring`: the scoring models, with New and Import. */
export function ModelsList() {
  // Making and importing models are an editor's (SPEC §12).
  const editor = can(useMe(), 'editor');
  const models = useLoad(listModels, []);
  const fields = useFields();
  const [modal, setModal] = useState<'new' | 'import' | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const list = models.data ?? [];
  /** One click: the recommended model (SPEC §5) is created and opened. */
  const startRecommended = async () => {
    setStarting(true);
    setStartError(null);
    try {
      open((await createRecommended()).id);
    } catch (e) {
      setStartError((e as Error).message);
      setStarting(false);
    }
  };
  return (
    <section className="page-body">
      <header className="page-head">
        <h1>Scoring models</h1>
        <HelpLink page={DOCS.scoring} />
        {models.data && <span className="sub">Points for actions and for who a contact is; several models can run at once.</span>}
        {editor && (
          <div className="actions">
            <button type="button" onClick={() => setModal('import')} disabled={models.data === null}>Import JSON…</button>
            <button type="button" className="primary" onClick={() => setModal('new')} disabled={models.data === null}>New model</button>
          </div>
        )}
      </header>
      {models.error && <p className="notice error" role="alert">The scoring models could not be loaded: {models.error}</p>}
      {models.loading && !models.data && <p className="loading">Loading scoring models…</p>}
      {models.data === null && <p className="notice">This server does not offer scoring models yet (no <code>/api/scoring-models</code>). Update Scoremap to edit them here.</p>}
      {models.data && !list.length && (
        <div className="empty">
          <strong>No scoring models yet</strong>
          Start from the recommended model — points for clicks, visits and purchases, 3 % a day of degradation, High / Medium / Low brackets — and tune it, or build your own.
          {editor && (
            <div className="actions">
              <button type="button" className="primary" onClick={() => void startRecommended()} disabled={starting}>{starting ? 'Creating…' : 'Start from the recommended model'}</button>
              <button type="button" onClick={() => setModal('new')}>New model</button>
              <button type="button" onClick={() => setModal('import')}>Import JSON…</button>
            </div>
          )}
          {startError && <p className="notice error" role="alert">{startError}</p>}
        </div>
      )}
      {list.length > 0 && (
        <table className="data">
          <thead><tr><th scope="col">Name</th><th scope="col">Writes</th><th scope="col" className="num">Rules</th><th scope="col">Degradation</th><th scope="col">Brackets</th></tr></thead>
          <tbody>
            {list.map(({ doc, ruleCount }) => (
              <tr key={doc.id}>
                <td><a href={href(`/scoring/${encodeURIComponent(doc.id)}`)}><b>{doc.name}</b></a>{doc.shadow && <> <span className="badge challenger" title="Runs in shadow: scored live, triggering nothing">Challenger</span></>}{doc.description && <div className="muted small clamp">{doc.description}</div>}</td>
                <td>{labelOf(fields.data, doc.field ?? 'score')}</td>
                <td className="num">{ruleCount}</td>
                <td className="degradation-cell">{doc.degradation ? degradationWords(doc.degradation) : <span className="muted">none</span>}</td>
                <td>{doc.brackets?.length ? [...doc.brackets].sort((a, b) => b.min - a.min).map((b) => `${b.name} ≥ ${formatNumber(b.min)}`).join(' · ') : <span className="muted">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {modal === 'new' && <NewModelDialog taken={new Set(list.map((m) => m.doc.id))} usedFields={new Set(list.map((m) => m.doc.field ?? 'score'))} onClose={() => setModal(null)} />}
      {modal === 'import' && (
        <ImportModelDialog title="Import a scoring model" action="Import" onClose={() => setModal(null)} onJson={async (json) => open((await createModel(json)).id)} />
      )}
    </section>
  );
}

/** A name and the number field the model writes (an existing one, or a new field named after it). */
function NewModelDialog({ taken, usedFields, onClose }: { taken: ReadonlySet<string>; usedFields: ReadonlySet<string>; onClose: () => void }) {
  const fields = useFields();
  const [name, setName] = useState('');
  const [field, setField] = useState(usedFields.has('score') ? '' : 'score');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const numbers = (fields.data ?? []).filter((f) => f.type === 'number');
  const uses = useLoad(() => (field ? api<FieldUses>(`/fields/${encodeURIComponent(field)}/uses`) : Promise.resolve(undefined)), [field]);
  const warning = field ? fieldInUseWarning(labelOf(fields.data, field), uses.data) : null;
  const newKey = uniqueId(name || 'score', new Set((fields.data ?? []).map((f) => f.key))).replace(/-/g, '_').replace(/^[^a-z]/, 'f');
  return (
    <Dialog title="New scoring model" onClose={onClose}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          const id = uniqueId(name, taken);
          const doc: ModelDoc = field ? blankModel(id, name.trim(), field) : blankModel(id, name.trim(), newKey, { key: newKey, label: name.trim() });
          open((await createModel(doc)).id);
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}>
        <div className="dialog-body">
          <label>Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Engagement score" autoFocus required maxLength={200} /></label>
          <label>Writes the field
            <select value={field} onChange={(e) => setField(e.target.value)}>
              <option value="">{name.trim() ? `A new field: ${name.trim()} (${newKey})` : 'A new number field named after the model'}</option>
              {numbers.map((f) => <option key={f.key} value={f.key}>{f.label}{usedFields.has(f.key) ? ' (written by another model)' : ''}</option>)}
            </select>
          </label>
          {warning && <p className="notice warn" role="status">{warning}</p>}
          <p className="muted small">It starts with no rules, a 0–100 range and High / Medium / Low brackets.</p>
        </div>
        {error && <p className="notice error" role="alert">{error}</p>}
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!name.trim() || busy}>{busy ? 'Creating…' : 'Create and open'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
