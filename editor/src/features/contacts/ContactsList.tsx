import { useEffect, useMemo, useState } from 'react';
import type { FieldTest } from '../../../../engine/schema/condition.js';
import { api } from '../../lib/api.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { formatNumber, formatRelative, formatTime, formatValue } from '../charts/format.js';
import { getRanks, listModels, type ModelDoc, type ModelScore } from '../scoring/api.js';
import { AddToMapDialog } from './AddToMapDialog.js';
import { ColumnPicker } from './ColumnPicker.js';
import { BRACKET, loadColumns, NAME, RANK, saveColumns, SCORE, sortFieldOf } from './columns.js';
import { useFields, type FieldInfo } from './fields.js';
import { combine } from './filter.js';
import { FilterBar } from './FilterBar.js';
import { bracketTone, formatRank, scoreIn, type ContactLike } from './scores.js';

const PAGE = 25;

interface ListAnswer { contacts: ContactLike[]; total: number; nextCursor?: string }
type Dir = 'asc' | 'desc';

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

  const [sort, setSort] = useState<{ field: string; dir: Dir }>({ field: 'score', dir: 'desc' });
  const [tests, setTests] = useState<FieldTest[]>([]);
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setDebounced(search), 250);
    return () => clearTimeout(t);
  }, [search]);
  const filter = useMemo(() => combine(tests, debounced), [tests, debounced]);
  const filterText = filter ? JSON.stringify(filter) : '';
  // Cursors of the pages seen, so Previous goes back without offsets; another sort or filter starts over.
  const query = `${sort.field}|${sort.dir}|${filterText}`;
  const [paging, setPaging] = useState<{ query: string; cursors: (string | undefined)[] }>({ query, cursors: [undefined] });
  const cursors = paging.query === query ? paging.cursors : [undefined];
  const setCursors = (next: (c: (string | undefined)[]) => (string | undefined)[]) => setPaging({ query, cursors: next(cursors) });
  const cursor = cursors[cursors.length - 1];

  const list = useLoad(() => {
    const q = new URLSearchParams({ sort: sort.field, dir: sort.dir, limit: String(PAGE) });
    if (filterText) q.set('filter', filterText);
    if (cursor) q.set('cursor', cursor);
    return api<ListAnswer>(`/contacts?${q}`);
  }, [sort.field, sort.dir, filterText, cursor]);

  // Older servers answer no `scores`: ask for this page's ranks instead.
  const [ranks, setRanks] = useState<Record<string, ModelScore> | null>(null);
  const pageIds = list.data?.contacts.map((c) => c.id).join(',') ?? '';
  const needRanks = !!model && !!list.data?.contacts.length && list.data.contacts.every((c) => !c.scores);
  useEffect(() => {
    setRanks(null);
    if (!needRanks || !model) return;
    let live = true;
    getRanks(model.id, pageIds.split(',')).then((r) => live && setRanks(r), () => undefined);
    return () => { live = false; };
  }, [needRanks, model?.id, pageIds]);

  const [columns, setColumnsState] = useState<string[]>(loadColumns);
  const setColumns = (next: string[]) => { setColumnsState(next); saveColumns(next); };
  const [picking, setPicking] = useState(false);
  // Ticked contacts, across the pages of one sort and filter; another sort or filter starts over.
  const [selection, setSelection] = useState<{ query: string; ids: string[] }>({ query, ids: [] });
  const selected = selection.query === query ? selection.ids : [];
  const setSelected = (ids: string[]) => setSelection({ query, ids });
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<{ added: number; mapId: string; mapName: string } | null>(null);

  const fieldOf = (key: string) => fields.data?.find((f) => f.key === key);
  const scoreLabel = model && scoreField !== 'score' ? model.name : (fieldOf(scoreField)?.label ?? 'Score');
  const toggle = (key: string, type: FieldInfo['type'] | undefined) => setSort((s) => (
    s.field === key ? { field: key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { field: key, dir: type === 'number' || type === 'date' ? 'desc' : 'asc' }
  ));
  // A render function, not a component: a component made here would remount (and lose focus) on every sort.
  const head = (column: string, label: string, opts: { num?: boolean; title?: string } = {}) => {
    const by = sortFieldOf(column, scoreField, fields.data);
    const className = opts.num ? 'num' : undefined;
    if (!by) return <th key={column} scope="col" className={className} title={opts.title}>{label}</th>;
    const on = sort.field === by;
    return (
      <th key={column} scope="col" className={className} aria-sort={on ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
        <button type="button" className="sort" onClick={() => toggle(by, fieldOf(by)?.type)} title={opts.title ?? `Sort by ${label}`}>
          {label}<span aria-hidden="true" className="arrow">{on ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}</span>
        </button>
      </th>
    );
  };
  // The columns that can show: a field deleted since is skipped, and the score column's own field
  // is not shown twice.
  const shown = columns.filter((k) => k === NAME || k === SCORE || k === BRACKET || k === RANK || (!!fieldOf(k) && !(k === scoreField && columns.includes(SCORE))));
  const headOf = (column: string) => {
    if (column === NAME) return head(NAME, 'Name');
    if (column === SCORE) return head(SCORE, scoreLabel, { num: true });
    if (column === BRACKET) return head(BRACKET, 'Bracket');
    if (column === RANK) return head(RANK, 'Rank', { num: true, title: 'Percentage of contacts with this score or lower' });
    const f = fieldOf(column)!;
    return head(column, f.label, { num: f.type === 'number' });
  };
  const cellOf = (column: string, c: ContactLike, s: ModelScore | null) => {
    if (column === NAME) {
      const name = [c.fields.first_name, c.fields.last_name].filter(Boolean).join(' ');
      return <td key={column}>{name || <span className="muted">—</span>}</td>;
    }
    if (column === SCORE) {
      const raw = s?.score ?? (typeof c.fields[scoreField] === 'number' ? (c.fields[scoreField] as number) : null);
      return <td key={column} className="num score" title={raw === null ? undefined : String(raw)}>{raw === null ? <span className="muted">—</span> : formatNumber(raw, 0)}</td>;
    }
    if (column === BRACKET) return <td key={column}>{s?.bracket ? <span className={`badge ${bracketTone(model, s.bracket)}`}>{s.bracket}</span> : <span className="muted">—</span>}</td>;
    if (column === RANK) return <td key={column} className="num">{formatRank(s?.percentRank)}</td>;
    const f = fieldOf(column)!;
    if (f.type === 'tags') {
      return <td key={column} className="tags">{c.tags.slice(0, 3).map((t) => <span key={t} className="tag">{t}</span>)}{c.tags.length > 3 && <span className="muted" title={c.tags.slice(3).join(', ')}>+{c.tags.length - 3}</span>}</td>;
    }
    const v = c.fields[column];
    if (v === undefined || v === null || v === '') return <td key={column} className={f.type === 'number' ? 'num' : undefined}><span className="muted">{f.key === 'last_activity_at' ? 'never' : '—'}</span></td>;
    if (f.type === 'date') return <td key={column} title={formatTime(String(v))}>{formatRelative(String(v), now)}</td>;
    if (typeof v === 'number') return <td key={column} className="num" title={String(v)}>{formatNumber(v, f.decimals ?? 2)}</td>;
    return <td key={column}>{formatValue(v, f.type)}</td>;
  };

  const data = list.data;
  const pageIdList = data?.contacts.map((c) => c.id) ?? [];
  const pageAll = pageIdList.length > 0 && pageIdList.every((x) => selected.includes(x));
  const pageSome = pageIdList.some((x) => selected.includes(x));
  const first = (cursors.length - 1) * PAGE + 1;
  const filtered = !!filter;
  return (
    <section className="page-body">
      <header className="page-head">
        <h1>Contacts</h1>
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
          <button type="button" onClick={() => { setAdded(null); setAdding(true); }} disabled={!data?.total} aria-haspopup="dialog">Add to a map…</button>
        </div>
      </header>
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
          <div className="actions"><a href="/docs" target="_blank" rel="noreferrer">Read the API reference</a></div>
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
          <div className="table-wrap">
            <table className={`data contacts${list.loading ? ' stale' : ''}`} aria-busy={list.loading}>
              <caption className="sr-only">Contacts sorted by {fields.data?.find((f) => f.key === sort.field)?.label ?? sort.field}, {sort.dir === 'asc' ? 'ascending' : 'descending'}</caption>
              <thead>
                <tr>
                  <th scope="col" className="pick">
                    <input type="checkbox" aria-label="Select the contacts on this page" checked={pageAll} ref={(el) => { if (el) el.indeterminate = pageSome && !pageAll; }}
                      onChange={(e) => setSelected(e.target.checked ? [...new Set([...selected, ...pageIdList])] : selected.filter((x) => !pageIdList.includes(x)))} />
                  </th>
                  {head('email', 'Email')}
                  {shown.map(headOf)}
                </tr>
              </thead>
              <tbody>
                {data.contacts.map((c) => {
                  const s = model ? scoreIn(c, model, model.id, ranks) : null;
                  const email = (c.fields.email as string) || '';
                  const on = selected.includes(c.id);
                  return (
                    <tr key={c.id} className={on ? 'selected' : undefined}>
                      <td className="pick">
                        <input type="checkbox" aria-label={`Select ${email || c.id}`} checked={on}
                          onChange={(e) => setSelected(e.target.checked ? [...selected, c.id] : selected.filter((x) => x !== c.id))} />
                      </td>
                      <td><a href={href(`/contacts/${encodeURIComponent(c.id)}`)}>{email || <span className="muted">{c.id}</span>}</a></td>
                      {shown.map((k) => cellOf(k, c, s))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            {selected.length > 0 && (
              <span className="selection" role="status">
                {selected.length.toLocaleString()} selected
                <button type="button" className="link" onClick={() => setSelected([])}>Clear selection</button>
              </span>
            )}
            <span className="muted">{first.toLocaleString()}–{(first + data.contacts.length - 1).toLocaleString()} of {data.total.toLocaleString()}</span>
            <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))} disabled={cursors.length < 2 || list.loading}>← Previous</button>
            <button type="button" onClick={() => data.nextCursor && setCursors((c) => [...c, data.nextCursor])} disabled={!data.nextCursor || list.loading}>Next →</button>
          </nav>
          {!model && models.data === null && <p className="muted small">Brackets and ranks appear once the server has scoring models.</p>}
        </>
      )}
    </section>
  );
}
