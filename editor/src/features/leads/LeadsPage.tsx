import { useEffect, useState } from 'react';
import { api } from '../../lib/api.js';
import { ConfirmDialog } from '../../lib/Dialog.js';
import { can, useMe } from '../../lib/me.js';
import { href, navigate, type Route } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { BRACKET, NAME, RANK, SCORE } from '../contacts/columns.js';
import { ContactsTable, shownColumns } from '../contacts/ContactsTable.js';
import { useFields } from '../contacts/fields.js';
import { useContactPages, type Sort } from '../contacts/use-contact-pages.js';
import { listModels, type ModelDoc } from '../scoring/api.js';
import '../../lib/pages.css';
import '../contacts/contacts.css';
import './leads.css';
import { canChange, creatorName, deleteList, listLists, type SavedList } from './api.js';
import { filtersSentence } from './filter-words.js';
import { ListDialog } from './ListDialog.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** What a lead's row shows: who they are, where they stand, what sales said, who owns them. */
const COLUMNS = [NAME, SCORE, BRACKET, RANK, 'qualification_status', 'owner', 'last_activity_at'];

/**
 * `#/leads` (My leads: the contacts I own, best score first) and `#/leads/<list id>` (a saved
 * list), with the saved lists and their live counts beside them (SPEC §12 "Sales workspace").
 */
export function LeadsPage({ route }: { route: Route }) {
  const listId = route.parts[1];
  const me = useMe();
  const person = !me || me.kind === 'person';
  const fields = useFields();
  const models = useLoad(() => listModels().catch(() => null), []);
  const modelDocs = (models.data ?? []).map((m) => m.doc);
  const [modelId, setModelId] = useState<string | null>(null);
  const model: ModelDoc | undefined = modelDocs.find((m) => m.id === modelId) ?? modelDocs.find((m) => (m.field ?? 'score') === 'score') ?? modelDocs[0];
  const scoreField = model?.field ?? 'score';
  const now = useServerNow();

  // The counts are the server's, at the moment it answers: read again on every visit, after every change and when the tab comes back.
  const lists = useLoad(listLists, [listId]);
  const mine = useLoad(() => (person ? api<{ total: number }>('/contacts?owner=me&limit=1&fields=email').then((r) => r.total) : Promise.resolve(null)), [listId, person]);
  useEffect(() => {
    const again = () => { if (document.visibilityState === 'visible') { lists.reload(); mine.reload(); } };
    document.addEventListener('visibilitychange', again);
    return () => document.removeEventListener('visibilitychange', again);
  }, [lists.reload, mine.reload]);

  const list = listId ? lists.data?.find((l) => l.id === listId) : undefined;
  const [sort, setSort] = useState<Sort>({ field: 'score', dir: 'desc' });
  const shownSort = sort.field === 'score' && scoreField !== 'score' ? { ...sort, field: scoreField } : sort;
  // A token or a key is nobody: it owns no leads, so it starts on the lists.
  const params: Record<string, string> | null = listId ? { list: listId } : person ? { owner: 'me' } : null;
  const pages = useContactPages(params, shownSort, model);
  const [editing, setEditing] = useState<SavedList | 'new' | null>(null);
  const [deleting, setDeleting] = useState<SavedList | null>(null);

  const fieldOf = (key: string) => fields.data?.find((f) => f.key === key);
  const scoreLabel = model && scoreField !== 'score' ? model.name : (fieldOf(scoreField)?.label ?? 'Score');
  const columns = shownColumns(listId ? COLUMNS : COLUMNS.filter((c) => c !== 'owner'), fields.data, scoreField);
  const modelName = (id: string | undefined) => (modelDocs.length > 1 ? modelDocs.find((m) => m.id === id)?.name ?? id ?? null : null);
  const title = listId ? list?.name ?? (lists.data ? 'List not found' : 'Loading…') : 'My leads';
  const data = params ? pages.list.data : undefined;
  const saved = (l: SavedList) => { setEditing(null); lists.reload(); pages.list.reload(); navigate(`/leads/${encodeURIComponent(l.id)}`); };

  return (
    <section className="page-body leads-page">
      <header className="page-head">
        <h1>Leads</h1>
        <HelpLink page={DOCS.sales} />
        {me?.person && <span className="sub">{me.person.name} · {me.person.email}</span>}
        <div className="actions">
          {modelDocs.length > 1 && (
            <label className="inline">Scores of
              <select value={model?.id} onChange={(e) => setModelId(e.target.value)}>
                {modelDocs.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
              </select>
            </label>
          )}
          <button type="button" onClick={() => setEditing('new')} disabled={!fields.data} aria-haspopup="dialog">New list…</button>
        </div>
      </header>
      <div className="leads-grid">
        <nav className="card leads-side" aria-label="Lists of leads">
          <ul>
            <li>
              <a href={href('/leads')} aria-current={!listId ? 'page' : undefined}>
                <span className="name">My leads</span>
                {typeof mine.data === 'number' && <span className="count" aria-label={`${mine.data} contacts`}>{mine.data.toLocaleString()}</span>}
              </a>
            </li>
          </ul>
          <h2>Saved lists</h2>
          {lists.error && <p className="notice error" role="alert">The lists could not be loaded: {lists.error}</p>}
          {lists.data?.length === 0 && <p className="muted small">No saved list yet. “New list…” makes one from filters: an owner, a bracket, a score that fell or rose lately, any field.</p>}
          {!!lists.data?.length && (
            <ul>
              {lists.data.map((l) => (
                <li key={l.id}>
                  <a href={href(`/leads/${encodeURIComponent(l.id)}`)} aria-current={l.id === listId ? 'page' : undefined}>
                    <span className="name">{l.name}{l.shared && <span className="muted small"> · shared</span>}</span>
                    {l.count === null
                      ? <span className="count" title={l.problem}>—</span>
                      : <span className="count" aria-label={`${l.count} contacts`}>{l.count.toLocaleString()}</span>}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </nav>
        <div className="leads-main">
          <div className="section-head">
            <h2>{title}</h2>
            {data && <span className="muted" aria-live="polite">{data.total.toLocaleString()} contact{data.total === 1 ? '' : 's'}</span>}
            {list && canChange(me, list) && (
              <div className="actions">
                <button type="button" onClick={() => setEditing(list)} disabled={!fields.data} aria-haspopup="dialog">Change…</button>
                <button type="button" onClick={() => setDeleting(list)} aria-haspopup="dialog">Delete…</button>
              </div>
            )}
          </div>
          {list && fields.data && <p className="muted list-words">{filtersSentence(list.filters, fields.data, modelName)}{list.shared ? ` · shared, made by ${creatorName(list)}` : ' · only you see it'}</p>}
          {list?.problem && <p className="notice error" role="alert">{list.problem}</p>}
          {!listId && person && <p className="muted list-words">The contacts you own, best score first. “Take this lead” on a contact’s page makes it yours.</p>}
          {!params && (
            <div className="empty">
              <strong>My leads are the contacts a person owns</strong>
              You are using Scoremap with {me?.kind === 'key' ? 'an API key' : 'the start-up token'}, which owns no leads: open a saved list, or sign in as a person.
            </div>
          )}
          {params && pages.list.error && <p className="notice error" role="alert">The leads could not be loaded: {pages.list.error}</p>}
          {params && pages.list.loading && !data && <p className="loading">Loading leads…</p>}
          {data && data.total === 0 && (
            <div className="empty">
              {listId ? <strong>No contact matches this list right now</strong> : (
                <>
                  <strong>You own no leads yet</strong>
                  Open a contact and choose “Take this lead”, or ask an admin to assign leads to you{can(me, 'editor') ? ' (a map’s “Assign an owner” element can share them out in turn)' : ''}.
                  <div className="actions"><a href={href('/contacts')}>Go to the contacts</a></div>
                </>
              )}
            </div>
          )}
          {params && (
            <ContactsTable pages={pages} fields={fields.data} model={model} scoreLabel={scoreLabel} columns={columns} sort={shownSort} onSort={setSort} now={now}
              label={title} />
          )}
        </div>
      </div>
      {editing && fields.data && (
        <ListDialog list={editing === 'new' ? undefined : editing} fields={fields.data} models={modelDocs} onSaved={saved} onClose={() => setEditing(null)} />
      )}
      {deleting && (
        <ConfirmDialog title={`Delete the list ${deleting.name}?`} confirm="Delete the list"
          message={<p>The list goes{deleting.shared ? ' for everyone' : ''}; its contacts stay as they are.</p>}
          onClose={() => setDeleting(null)}
          onConfirm={async () => { await deleteList(deleting.id); setDeleting(null); navigate('/leads'); lists.reload(); }} />
      )}
    </section>
  );
}
