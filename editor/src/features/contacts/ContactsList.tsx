import { useEffect, useMemo, useState } from 'react';
import type { FieldTest } from '../../../../engine/schema/condition.js';
import { api } from '../../lib/api.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { formatNumber, formatRelative, formatTime } from '../charts/format.js';
import { getRanks, listModels, type ModelDoc, type ModelScore } from '../scoring/api.js';
import { useFields, type FieldInfo } from './fields.js';
import { combine } from './filter.js';
import { FilterBar } from './FilterBar.js';
import { bracketTone, formatRank, scoreIn, type ContactLike } from './scores.js';

const PAGE = 25;

interface ListAnswer { contacts: ContactLike[]; total: number; nextCursor?: string }
type Dir = 'asc' | 'desc';

/** `#/contacts`: sorted by score (any shown column sorts), filtered, paged by cursor. */
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

  // Sorting by the score column follows the chosen model's field.
  const sortedBy = (key: string) => sort.field === key;
  const toggle = (key: string, type: FieldInfo['type'] | undefined) => setSort((s) => (
    s.field === key ? { field: key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { field: key, dir: type === 'number' || type === 'date' ? 'desc' : 'asc' }
  ));
  const fieldType = (key: string) => fields.data?.find((f) => f.key === key)?.type;
  // A render function, not a component: a component made here would remount (and lose focus) on every sort.
  const sortHead = (key: string, label: string, num?: boolean) => (
    <th key={key} scope="col" className={num ? 'num' : undefined} aria-sort={sortedBy(key) ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" className="sort" onClick={() => toggle(key, fieldType(key))} title={`Sort by ${label}`}>
        {label}<span aria-hidden="true" className="arrow">{sortedBy(key) ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  );

  const data = list.data;
  const first = (cursors.length - 1) * PAGE + 1;
  const filtered = !!filter;
  return (
    <section className="page-body">
      <header className="page-head">
        <h1>Contacts</h1>
        {data && <span className="sub" aria-live="polite">{data.total.toLocaleString()} contact{data.total === 1 ? '' : 's'}{filtered ? ' match' : ''}</span>}
        {modelList.length > 1 && (
          <div className="actions">
            <label className="inline">Scores of
              <select value={model?.id} onChange={(e) => { setModelId(e.target.value); const m = modelList.find((x) => x.doc.id === e.target.value); if (sort.field === scoreField) setSort({ field: m?.doc.field ?? 'score', dir: sort.dir }); }}>
                {modelList.map((m) => <option key={m.doc.id} value={m.doc.id}>{m.doc.name}</option>)}
              </select>
            </label>
          </div>
        )}
      </header>
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
                  {sortHead('email', 'Email')}
                  {sortHead('first_name', 'Name')}
                  {sortHead(scoreField, model && scoreField !== 'score' ? model.name : 'Score', true)}
                  <th scope="col">Bracket</th>
                  <th scope="col" className="num" title="Percentage of contacts with this score or lower">Rank</th>
                  {sortHead('last_activity_at', 'Last activity')}
                  <th scope="col">Tags</th>
                </tr>
              </thead>
              <tbody>
                {data.contacts.map((c) => {
                  const s = model ? scoreIn(c, model, model.id, ranks) : null;
                  const raw = s?.score ?? (typeof c.fields[scoreField] === 'number' ? (c.fields[scoreField] as number) : null);
                  const name = [c.fields.first_name, c.fields.last_name].filter(Boolean).join(' ');
                  const last = c.fields.last_activity_at as string | undefined;
                  return (
                    <tr key={c.id}>
                      <td><a href={href(`/contacts/${encodeURIComponent(c.id)}`)}>{(c.fields.email as string) || <span className="muted">{c.id}</span>}</a></td>
                      <td>{name || <span className="muted">—</span>}</td>
                      <td className="num score" title={raw === null ? undefined : String(raw)}>{raw === null ? <span className="muted">—</span> : formatNumber(raw, 0)}</td>
                      <td>{s?.bracket ? <span className={`badge ${bracketTone(model, s.bracket)}`}>{s.bracket}</span> : <span className="muted">—</span>}</td>
                      <td className="num">{formatRank(s?.percentRank)}</td>
                      <td title={last ? formatTime(last) : undefined}>{last ? formatRelative(last, now) : <span className="muted">never</span>}</td>
                      <td className="tags">{c.tags.slice(0, 3).map((t) => <span key={t} className="tag">{t}</span>)}{c.tags.length > 3 && <span className="muted" title={c.tags.slice(3).join(', ')}>+{c.tags.length - 3}</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
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
