import { useId, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import type { FieldInfo } from './fields.js';
import { editContact } from './sales-api.js';
import type { ContactLike } from './scores.js';

/** Fields the page changes through its own actions, or that the server keeps. */
const NOT_HERE = new Set(['tags', 'created_at', 'last_activity_at', 'owner', 'qualification_status', 'qualification_reason']);

/** An input's text for a value (dates as the date input reads them). */
function textOf(v: unknown, type: FieldInfo['type']): string {
  if (v === null || v === undefined) return '';
  if (type === 'date' && typeof v === 'string') return v.slice(0, 10);
  return String(v);
}

/** The value a field's input means: null when emptied, or the message saying what is wrong. */
function valueOf(text: string, type: FieldInfo['type']): { value: unknown } | string {
  const t = text.trim();
  if (!t) return { value: null };
  if (type === 'number') return Number.isFinite(Number(t)) ? { value: Number(t) } : `"${t}" is not a number`;
  if (type === 'boolean') return { value: t === 'true' };
  if (type === 'date') return Number.isFinite(Date.parse(t)) ? { value: new Date(Date.parse(t)).toISOString() } : `"${t}" is not a date`;
  return { value: text };
}

/**
 * "Edit fields and tags…": the contact's own fields (the scores are changed with Adjust, the owner
 * and verdict with their actions), and its tags added or taken off. Only what changed is sent.
 */
export function EditContactDialog({ contact, fields, scoreFields, who, onDone, onClose }: {
  contact: ContactLike;
  fields: readonly FieldInfo[];
  /** Fields scoring models write: changed with "Adjust score…". */
  scoreFields: readonly string[];
  who: string;
  onDone: (words: string) => void;
  onClose: () => void;
}) {
  const id = useId();
  const editable = fields.filter((f) => !NOT_HERE.has(f.key) && f.type !== 'tags' && !scoreFields.includes(f.key));
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(editable.map((f) => [f.key, textOf(contact.fields[f.key], f.type)])));
  const [tags, setTags] = useState<string[]>([...contact.tags]);
  const [newTag, setNewTag] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const addTag = () => {
    const t = newTag.trim();
    if (t && !tags.includes(t)) setTags([...tags, t]);
    setNewTag('');
  };
  const save = async () => {
    const changed: Record<string, unknown> = {};
    for (const f of editable) {
      if (texts[f.key] === textOf(contact.fields[f.key], f.type)) continue;
      const v = valueOf(texts[f.key], f.type);
      if (typeof v === 'string') return setError(`${f.label}: ${v}`);
      changed[f.key] = v.value;
    }
    const addTags = tags.filter((t) => !contact.tags.includes(t));
    const removeTags = contact.tags.filter((t) => !tags.includes(t));
    const n = Object.keys(changed).length;
    if (!n && !addTags.length && !removeTags.length) return onClose();
    setBusy(true);
    setError(null);
    try {
      await editContact(contact.id, { ...(n ? { fields: changed } : {}), ...(addTags.length ? { addTags } : {}), ...(removeTags.length ? { removeTags } : {}) });
      const words = [
        n ? `${n} field${n === 1 ? '' : 's'}` : null,
        addTags.length ? `added ${addTags.join(', ')}` : null,
        removeTags.length ? `took off ${removeTags.join(', ')}` : null,
      ].filter(Boolean).join('; ');
      onDone(`Saved ${who}: ${words}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Edit ${who}`} onClose={onClose} wide>
      <form id={`${id}-form`} className="dialog-body action-form edit-contact" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <fieldset className="tags-edit">
          <legend>Tags</legend>
          <ul className="chips">
            {tags.map((t) => (
              <li key={t} className="chip">{t}<button type="button" aria-label={`Take off the tag ${t}`} onClick={() => setTags(tags.filter((x) => x !== t))}>×</button></li>
            ))}
            {!tags.length && <li className="muted small">No tags.</li>}
          </ul>
          <div className="row">
            <label className="grow"><span className="sr-only">New tag</span>
              <input value={newTag} onChange={(e) => setNewTag(e.target.value)} placeholder="A tag to add"
                onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addTag(); } }} />
            </label>
            <button type="button" onClick={addTag} disabled={!newTag.trim()}>Add the tag</button>
          </div>
        </fieldset>
        <div className="field-grid">
          {editable.map((f) => (
            <label key={f.key}>{f.label}
              {f.type === 'boolean' ? (
                <select value={texts[f.key]} onChange={(e) => setTexts({ ...texts, [f.key]: e.target.value })}>
                  <option value="">—</option><option value="true">yes</option><option value="false">no</option>
                </select>
              ) : (
                <input type={f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text'} step="any" value={texts[f.key]}
                  onChange={(e) => setTexts({ ...texts, [f.key]: e.target.value })} />
              )}
            </label>
          ))}
        </div>
      </form>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form={`${id}-form`} className="primary" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
      </footer>
    </Dialog>
  );
}
