import { useEffect, useId, useState } from 'react';
import { api, ApiError } from '../../lib/api.js';
import { Dialog } from '../../lib/Dialog.js';
import { formatNumber } from '../charts/format.js';
import { contactName, mergeLines, type MergeSummary } from './merge-words.js';
import type { ContactLike } from './scores.js';
import { DOCS } from '../../lib/docs.js';

interface MergeAnswer { contact: ContactLike; merged: MergeSummary; dryRun: boolean }

/** Up to this many contacts found per search. */
const FOUND = 8;
const SEARCHED = ['email', 'first_name', 'last_name', 'external_id', 'anonymous_id'];

/**
 * Contacts whose email, name or ids contain `text`, and the contact whose id is `text` (an
 * anonymous visitor has nothing else to find it by); never `exclude`.
 */
async function findContacts(text: string, exclude: string): Promise<ContactLike[]> {
  const filter = { any: SEARCHED.map((field) => ({ field, op: 'contains', value: text })) };
  const q = new URLSearchParams({ filter: JSON.stringify(filter), limit: String(FOUND), sort: 'score', fields: [...SEARCHED, 'score'].join(',') });
  const [byId, list] = await Promise.all([
    api<ContactLike>(`/contacts/${encodeURIComponent(text)}`).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
    api<{ contacts: ContactLike[] }>(`/contacts?${q}`),
  ]);
  const all = [...(byId ? [byId] : []), ...list.contacts.filter((c) => c.id !== byId?.id)];
  return all.filter((c) => c.id !== exclude);
}

/**
 * "Merge…" on the contact page (SPEC §10 "Merge"): find the duplicate, read in words what merging
 * it into this contact would do (a dry run on the server), then merge. This contact keeps its id.
 */
export function MergeDialog({ master, onClose, onMerged, fieldType }: {
  master: ContactLike;
  onClose: () => void;
  /** After the merge: the page reads the contact again. */
  onMerged: (merged: MergeSummary, other: ContactLike) => void;
  fieldType?: (key: string) => string | undefined;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<ContactLike[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<ContactLike | null>(null);
  const [preview, setPreview] = useState<MergeAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const t = setTimeout(() => setQuery(text.trim()), 250);
    return () => clearTimeout(t);
  }, [text]);
  useEffect(() => {
    if (!query) {
      setFound(null);
      return;
    }
    let live = true;
    findContacts(query, master.id).then(
      (list) => { if (live) { setFound(list); setSearchError(null); } },
      (e: unknown) => { if (live) setSearchError((e as Error).message); },
    );
    return () => { live = false; };
  }, [query, master.id]);
  // What merging the chosen contact would do: the server's dry run, which changes nothing.
  useEffect(() => {
    setPreview(null);
    setError(null);
    if (!chosen) return;
    let live = true;
    api<MergeAnswer>(`/contacts/${encodeURIComponent(master.id)}/merge`, { body: { from: chosen.id, dryRun: true } }).then(
      (p) => { if (live) setPreview(p); },
      (e: unknown) => { if (live) setError((e as Error).message); },
    );
    return () => { live = false; };
  }, [chosen, master.id]);

  const names = { master: contactName(master), other: chosen ? contactName(chosen) : '' };
  const merge = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<MergeAnswer>(`/contacts/${encodeURIComponent(master.id)}/merge`, { body: { from: chosen.id } });
      onMerged(r.merged, chosen);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Merge a duplicate into ${names.master}`} onClose={onClose} wide help={DOCS.merge}>
      <div className="dialog-body merge-dialog">
        <p className="muted">
          This contact keeps its id and every value it has. The duplicate fills in its empty fields, its events and history move here, and then it is deleted.
        </p>
        <label htmlFor={`${id}-find`}>Find the duplicate</label>
        <input id={`${id}-find`} type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Email, name or id" autoFocus autoComplete="off" />
        {searchError && <p className="notice error" role="alert">The contacts could not be searched: {searchError}</p>}
        {found && !found.length && <p className="muted">No other contact has “{query}” in its email, name or ids.</p>}
        {found && found.length > 0 && (
          <fieldset className="merge-found">
            <legend className="sr-only">Contacts found</legend>
            {found.map((c) => (
              <label key={c.id} className={`merge-choice${chosen?.id === c.id ? ' chosen' : ''}`}>
                <input type="radio" name={`${id}-dup`} checked={chosen?.id === c.id} onChange={() => setChosen(c)} />
                <span>
                  <b>{contactName(c)}</b>
                  <span className="muted small">
                    {[typeof c.fields.email === 'string' && contactName(c) !== c.fields.email ? c.fields.email : null, `id ${c.id}`,
                      typeof c.fields.score === 'number' ? `score ${formatNumber(Math.round(c.fields.score), 0)}` : null].filter(Boolean).join(' · ')}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        {chosen && (
          <section className="merge-preview" aria-live="polite" aria-labelledby={`${id}-preview`}>
            <h3 id={`${id}-preview`}>Merging {names.other} into {names.master}</h3>
            {!preview && !error && <p className="loading">Working out what the merge does…</p>}
            {preview && <ul>{mergeLines(preview.merged, names, fieldType).map((line) => <li key={line}>{line}</li>)}</ul>}
          </section>
        )}
      </div>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="danger-solid" onClick={() => void merge()} disabled={!preview || busy}>
          {busy ? 'Merging…' : chosen ? `Merge ${names.other} into ${names.master}` : 'Merge'}
        </button>
      </footer>
    </Dialog>
  );
}
