import { useState } from 'react';
import { useLoad } from '../../lib/use-load.js';
import { defaultText } from '../fields/DefaultInput.js';
import { NewFieldDialog } from '../fields/NewFieldDialog.js';
import { TYPE_NAMES, listFields, type FieldRow } from '../fields/fields-api.js';
import { EditFieldDialog } from './FieldsEditDialog.js';
import '../fields/fields.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

type Modal = { kind: 'new' } | { kind: 'edit'; field: FieldRow } | null;

const decimalsText = (f: FieldRow) => (f.type === 'number' ? String(f.decimals ?? 0) : '—');

/**
 * `#/settings/fields`: the contact fields. Custom ones can be created, their label, decimals and
 * default changed, and their type while nothing uses them; built-in ones are listed for reference.
 */
export function FieldsPage() {
  const fields = useLoad(listFields, []);
  const [modal, setModal] = useState<Modal>(null);
  const [done, setDone] = useState<string | null>(null);
  const all = fields.data ?? [];
  const custom = all.filter((f) => !f.builtin);
  const builtin = all.filter((f) => f.builtin);
  const taken = new Set(all.map((f) => f.key));
  const saved = (f: FieldRow, words: string) => {
    setModal(null);
    setDone(words.replace('{label}', f.label));
    fields.reload();
  };
  return (
    <section className="page-body fields-page">
      <header className="page-head">
        <h1>Fields</h1>
        <HelpLink page={DOCS.fields} />
        <span className="sub">What Scoremap knows about each contact. Maps and scoring models read and write these fields.</span>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setModal({ kind: 'new' })} disabled={!fields.data}>New field</button>
        </div>
      </header>
      {fields.error && <p className="notice error" role="alert">The fields could not be loaded: {fields.error} <button type="button" className="link" onClick={fields.reload}>Try again</button></p>}
      {fields.loading && !fields.data && <p className="loading">Loading fields…</p>}
      {done && <p className="notice ok" role="status">{done}</p>}
      {fields.data && (
        <>
          <div className="section-head"><h2>Custom fields</h2><span className="muted">{custom.length} {custom.length === 1 ? 'field' : 'fields'}</span></div>
          {custom.length === 0 ? (
            <div className="empty">
              <strong>No custom fields yet</strong>
              Make one for each score or fact your maps keep, like a <b>Custom Lead Score</b> (a number with 3 decimals for a score that decays by a percentage).
              <div className="actions"><button type="button" className="primary" onClick={() => setModal({ kind: 'new' })}>New field</button></div>
            </div>
          ) : (
            <FieldTable rows={custom} onEdit={(field) => setModal({ kind: 'edit', field })} />
          )}
          <div className="section">
            <div className="section-head"><h2>Built-in fields</h2><span className="muted">Every contact has them; they cannot be changed.</span></div>
            <FieldTable rows={builtin} />
          </div>
        </>
      )}
      {modal?.kind === 'new' && (
        <NewFieldDialog takenKeys={taken} onClose={() => setModal(null)} onCreated={(f) => saved(f, 'The field "{label}" was created. Pick it in any field picker of a map or scoring model.')} />
      )}
      {modal?.kind === 'edit' && (
        <EditFieldDialog field={modal.field} onClose={() => setModal(null)} onSaved={(f) => saved(f, 'The field "{label}" was saved.')} />
      )}
    </section>
  );
}

function FieldTable({ rows, onEdit }: { rows: readonly FieldRow[]; onEdit?: (f: FieldRow) => void }) {
  return (
    <div className="table-wrap">
      <table className="data fields">
        <thead>
          <tr>
            <th scope="col">Label</th><th scope="col">Key</th><th scope="col">Type</th><th scope="col" className="num">Decimals</th><th scope="col">Default</th>
            {onEdit && <th scope="col"><span className="sr-only">Actions</span></th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f.key}>
              <td>
                <b>{f.label}</b>
                {f.formerLabels && f.formerLabels.length > 0 && (
                  <div className="muted small" title="Maps that name the field by a former label keep working">Formerly {f.formerLabels.map((l) => `“${l}”`).join(', ')}</div>
                )}
              </td>
              <td><code>{f.key}</code></td>
              <td>{TYPE_NAMES[f.type]}</td>
              <td className="num">{decimalsText(f)}</td>
              <td>{defaultText(f.type, f.default)}</td>
              {onEdit && <td className="actions"><button type="button" onClick={() => onEdit(f)} aria-label={`Edit ${f.label}`}>Edit</button></td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
