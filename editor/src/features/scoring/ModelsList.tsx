import { useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { href, navigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { formatNumber } from '../charts/format.js';
import { labelOf, useFields } from '../contacts/fields.js';
import { createModel, listModels, type ModelDoc } from './api.js';
import { degradationWords } from './degradation-words.js';
import { ImportModelDialog } from './ImportModelDialog.js';
import { blankModel, uniqueId } from './model-edit.js';

const open = (id: string) => navigate(`/scoring/${encodeURIComponent(id)}`);

/** `#/scoring`: the scoring models, with New and Import. */
export function ModelsList() {
  const models = useLoad(listModels, []);
  const fields = useFields();
  const [modal, setModal] = useState<'new' | 'import' | null>(null);
  const list = models.data ?? [];
  return (
    <section className="page-body">
      <header className="page-head">
        <h1>Scoring models</h1>
        {models.data && <span className="sub">Points for actions and for who a contact is; several models can run at once.</span>}
        <div className="actions">
          <button type="button" onClick={() => setModal('import')} disabled={models.data === null}>Import JSON…</button>
          <button type="button" className="primary" onClick={() => setModal('new')} disabled={models.data === null}>New model</button>
        </div>
      </header>
      {models.error && <p className="notice error" role="alert">The scoring models could not be loaded: {models.error}</p>}
      {models.loading && !models.data && <p className="loading">Loading scoring models…</p>}
      {models.data === null && <p className="notice">This server does not offer scoring models yet (no <code>/api/scoring-models</code>). Update Scoremap to edit them here.</p>}
      {models.data && !list.length && (
        <div className="empty">
          <strong>No scoring models yet</strong>
          Create one, or import <code>maps/recommended-scoring.json</code>: points for clicks, visits and purchases, 3 % a day of degradation, High / Medium / Low brackets.
          <div className="actions">
            <button type="button" className="primary" onClick={() => setModal('new')}>New model</button>
            <button type="button" onClick={() => setModal('import')}>Import JSON…</button>
          </div>
        </div>
      )}
      {list.length > 0 && (
        <table className="data">
          <thead><tr><th scope="col">Name</th><th scope="col">Writes</th><th scope="col" className="num">Rules</th><th scope="col">Degradation</th><th scope="col">Brackets</th></tr></thead>
          <tbody>
            {list.map(({ doc, ruleCount }) => (
              <tr key={doc.id}>
                <td><a href={href(`/scoring/${encodeURIComponent(doc.id)}`)}><b>{doc.name}</b></a>{doc.description && <div className="muted small clamp">{doc.description}</div>}</td>
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
