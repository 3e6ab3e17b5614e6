import { useEffect, useMemo, useState } from 'react';
import type { FieldTest } from '../../../../engine/schema/condition.js';
import { can, useMe } from '../../lib/me.js';
import { href, navigate } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { listModels, type ModelDoc } from '../scoring/api.js';
import { AddToMapDialog } from './AddToMapDialog.js';
import { ColumnPicker } from './ColumnPicker.js';
import { loadColumns, saveColumns } from './columns.js';
import { ContactsTable, shownColumns } from './ContactsTable.js';
import { useFields } from './fields.js';
import { combine, withSearch } from './filter.js';
import { FilterBar } from './FilterBar.js';
import { useContactPages, type Sort } from './use-contact-pages.js';
import { ListDialog } from '../leads/ListDialog.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { API_REFERENCE, DOCS } from '../../lib/docs.js';

const PAGE = 25;

/**
 * `#/contacts`: sorted by score (any shown field column sorts), filtered, paged by cursor; the
 * columns are chosen per browser; contacts ticked here, or all the filters match, can be added to a
 * map through its "Added by hand" trigger.
 */
export function ContactsList() {
  const fields = useFields();
  const now = useServerNow();
  const models = useLoad(() => listModels().catch(() => null), []);
  const [modelId, setModelId] = useState<string | null>(null);
  const modelList = models.data ?? [];
  // The default model writes `score`; otherwise the first one.
  const model: ModelDoc | undefined = modelList.find((m) => m.doc.id === modelId)?.doc ?? modelList.find((m) => (m.doc.field ?? 'score') === 'score')?.doc ?? modelList[0]?.doc;
  const scoreField = model?.field ?? 'score';

  const [sort, setSort] = useState<Sort>({ field: 'score', dir: 'desc' });
  const [tests, setTests] = useState<FieldTest[]>([]);
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(search), 250);
    return () => clearTimeout(t);
  }, [search]);
  const filter = useMemo(() => combine(tests, debounced), [tests, debounced]);
  const filterText = filter ? JSON.stringify(filter) : '';
  const pages = useContactPages(filterText ? { filter: filterText } : {}, sort, model, PAGE);
  const { list, query } = pages;

  const [columns, setColumnsState] = useState<string[]>(loadColumns);
  const setColumns = (next: string[]) => { setColumnsState(next); saveColumns(next); };
  const [picking, setPicking] = useState(false);
  // Ticked contacts, across the pages of one sort and filter; another sort or filter starts over.
  const [selection, setSelection] = useState<{ query: string; ids: string[] }>({ query, ids: [] });
  const selected = selection.query === query ? selection.ids : [];
  const setSelected = (ids: string[]) => setSelection({ query, ids });
  const [adding, setAdding] = useState(false);
  const [saving, setSaving] = useState(false);
  const me = useMe();
  const bulk = can(me, 'editor');
  const [added, setAdded] = useState<{ added: number; mapId: string; mapName: string } | null>(null);

  const fieldOf = (key: string) => fields.data?.find((f) => f.key === key);
  const scoreLabel = model && scoreField !== 'score' ? model.name : (fieldOf(scoreField)?.label ?? 'Score');
  const shown = shownColumns(columns, fields.data, scoreField);

  const data = list.data;
  const filtered = !!filter;
  return (
    <section className="page-body">
      <header className="page-head">
        <h1>Contacts</h1>
        <HelpLink page={DOCS.contacts} />
        {data && <span className="sub" aria-live="polite">{data.total.toLocaleString()} contact{data.total === 1 ? '' : 's'}{filtered ? ' match' : ''}</span>}
        <div className="actions">
          {modelList.length > 1 && (
            <label className="inline">Scores of
              <select value={model?.id} onChange={(e) => { setModelId(e.target.value); const m = modelList.find((x) => x.doc.id === e.target.value); if (sort.field === scoreField) setSort({ field: m?.doc.field ?? 'score', dir: sort.dir }); }}>
                {modelList.map((m) => <option key={m.doc.id} value={m.doc.id}>{m.doc.name}</option>)}
              </select>
            </label>
          )}
          <button type="button" onClick={() => setPicking(true)} disabled={!fields.data} aria-haspopup="dialog">Columns…</button>
          {can(me, 'sales') && <button type="button" onClick={() => setSaving(true)} disabled={!fields.data} aria-haspopup="dialog" title="A saved list of the Leads page with these filters">Save as a list…</button>}
          {/* Adding many contacts at once is an editor's (one contact, from its page, is sales' too). */}
          {bulk && <button type="button" onClick={() => { setAdded(null); setAdding(true); }} disabled={!data?.total} aria-haspopup="dialog">Add to a map…</button>}
        </div>
      </header>
      {saving && fields.data && (
        <ListDialog preset={withSearch(tests, search)}
          fields={fields.data} models={modelList.map((m) => m.doc)} onClose={() => setSaving(false)}
          onSaved={(l) => { setSaving(false); navigate(`/leads/${encodeURIComponent(l.id)}`); }} />
      )}
      {picking && fields.data && <ColumnPicker fields={fields.data} columns={shown} scoreField={scoreField} scoreLabel={scoreLabel} onColumns={setColumns} onClose={() => setPicking(false)} />}
      {adding && data && (
        <AddToMapDialog selected={selected} filter={filter} matching={data.total} onClose={() => setAdding(false)}
          onAdded={(a) => { setAdding(false); setAdded(a); setSelected([]); }} />
      )}
      {added && (
        <p className="notice ok" role="status">
          Added {added.added.toLocaleString()} contact{added.added === 1 ? '' : 's'} to <a href={href(`/maps/${encodeURIComponent(added.mapId)}`)}>{added.mapName}</a>.
        </p>
      )}
      {fields.data && <FilterBar fields={fields.data} tests={tests} onTests={setTests} search={search} onSearch={setSearch} />}
      {list.error && <p className="notice error" role="alert">The contacts could not be loaded: {list.error}</p>}
      {fields.error && <p className="notice error" role="alert">The fields could not be loaded: {fields.error}</p>}
      {list.loading && !data && <p className="loading">Loading contacts…</p>}
      {data && data.total === 0 && !filtered && (
        <div className="empty">
          <strong>No contacts yet — send an event or import a CSV</strong>
          A contact is created by the first event that names a new email (<code>POST /api/events</code>), or in bulk with <code>POST /api/contacts/import</code>.
          <div className="actions"><a href={API_REFERENCE} target="_blank" rel="noreferrer">Read the API reference</a></div>
        </div>
      )}
      {data && data.total === 0 && filtered && (
        <div className="empty">
          <strong>No contact matches these filters</strong>
          <div className="actions"><button type="button" onClick={() => { setTests([]); setSearch(''); }}>Clear filters and search</button></div>
        </div>
      )}
      {data && data.contacts.length > 0 && (
        <>
          <ContactsTable pages={pages} fields={fields.data} model={model} scoreLabel={scoreLabel} columns={shown} sort={sort} onSort={setSort} now={now}
            selection={bulk ? { selected, onSelected: setSelected } : undefined} />
          {!model && models.data === null && <p className="muted small">Brackets and ranks appear once the server has scoring models.</p>}
        </>
      )}
    </section>
  );
}
