import { href } from '../../lib/route.js';
import { formatNumber, formatRelative, formatTime, formatValue } from '../charts/format.js';
import type { ModelDoc, ModelScore } from '../scoring/api.js';
import { BRACKET, NAME, RANK, SCORE, sortFieldOf } from './columns.js';
import type { FieldInfo } from './fields.js';
import { bracketTone, formatRank, scoreIn, type ContactLike } from './scores.js';
import type { ContactPages, Sort } from './use-contact-pages.js';

/** The columns that can show: a field deleted since is skipped, and the score column's own field is not shown twice. */
export function shownColumns(columns: readonly string[], fields: readonly FieldInfo[] | undefined, scoreField: string): string[] {
  const known = (k: string) => !!fields?.some((f) => f.key === k);
  return columns.filter((k) => k === NAME || k === SCORE || k === BRACKET || k === RANK || (known(k) && !(k === scoreField && columns.includes(SCORE))));
}

/**
 * A page of contacts as a table — the email linking to the contact, then the chosen columns (the
 * model's score, bracket and rank among them), sortable by any field column — and the pager under
 * it. The contacts list and the Leads page both show their contacts with it.
 */
export function ContactsTable({ pages, fields, model, scoreLabel, columns, sort, onSort, now, selection, label = 'Contacts' }: {
  pages: ContactPages;
  fields: readonly FieldInfo[] | undefined;
  /** The model whose score, bracket and rank show. */
  model: ModelDoc | undefined;
  scoreLabel: string;
  /** The columns to show, already through {@link shownColumns}. */
  columns: readonly string[];
  sort: Sort;
  onSort: (sort: Sort) => void;
  now: number;
  /** Tick boxes, when the page does something with the contacts ticked. */
  selection?: { selected: readonly string[]; onSelected: (ids: string[]) => void };
  /** What the table holds, for its caption ("Contacts", "My leads"). */
  label?: string;
}) {
  const data = pages.list.data;
  if (!data?.contacts.length) return null;
  const scoreField = model?.field ?? 'score';
  const fieldOf = (key: string) => fields?.find((f) => f.key === key);
  const toggle = (key: string, type: FieldInfo['type'] | undefined) => onSort(
    sort.field === key ? { field: key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { field: key, dir: type === 'number' || type === 'date' ? 'desc' : 'asc' },
  );
  // A render function, not a component: a component made here would remount (and lose focus) on every sort.
  const head = (column: string, text: string, opts: { num?: boolean; title?: string } = {}) => {
    const by = sortFieldOf(column, scoreField, fields);
    const className = opts.num ? 'num' : undefined;
    if (!by) return <th key={column} scope="col" className={className} title={opts.title}>{text}</th>;
    const on = sort.field === by;
    return (
      <th key={column} scope="col" className={className} aria-sort={on ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
        <button type="button" className="sort" onClick={() => toggle(by, fieldOf(by)?.type)} title={opts.title ?? `Sort by ${text}`}>
          {text}<span aria-hidden="true" className="arrow">{on ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}</span>
        </button>
      </th>
    );
  };
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

  const selected = selection?.selected ?? [];
  const pageIds = data.contacts.map((c) => c.id);
  const pageAll = pageIds.every((x) => selected.includes(x));
  const pageSome = pageIds.some((x) => selected.includes(x));
  const loading = pages.list.loading;
  return (
    <>
      <div className="table-wrap">
        <table className={`data contacts${loading ? ' stale' : ''}`} aria-busy={loading}>
          <caption className="sr-only">{label} sorted by {fieldOf(sort.field)?.label ?? sort.field}, {sort.dir === 'asc' ? 'ascending' : 'descending'}</caption>
          <thead>
            <tr>
              {selection && (
                <th scope="col" className="pick">
                  <input type="checkbox" aria-label="Select the contacts on this page" checked={pageAll} ref={(el) => { if (el) el.indeterminate = pageSome && !pageAll; }}
                    onChange={(e) => selection.onSelected(e.target.checked ? [...new Set([...selected, ...pageIds])] : selected.filter((x) => !pageIds.includes(x)))} />
                </th>
              )}
              {head('email', 'Email')}
              {columns.map(headOf)}
            </tr>
          </thead>
          <tbody>
            {data.contacts.map((c) => {
              const s = model ? scoreIn(c, model, model.id, pages.ranks) : null;
              const email = (c.fields.email as string) || '';
              const on = selected.includes(c.id);
              return (
                <tr key={c.id} className={on ? 'selected' : undefined}>
                  {selection && (
                    <td className="pick">
                      <input type="checkbox" aria-label={`Select ${email || c.id}`} checked={on}
                        onChange={(e) => selection.onSelected(e.target.checked ? [...selected, c.id] : selected.filter((x) => x !== c.id))} />
                    </td>
                  )}
                  <td><a href={href(`/contacts/${encodeURIComponent(c.id)}`)}>{email || <span className="muted">{c.id}</span>}</a></td>
                  {columns.map((k) => cellOf(k, c, s))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        {selection && selected.length > 0 && (
          <span className="selection" role="status">
            {selected.length.toLocaleString()} selected
            <button type="button" className="link" onClick={() => selection.onSelected([])}>Clear selection</button>
          </span>
        )}
        <span className="muted">{pages.first.toLocaleString()}–{(pages.first + data.contacts.length - 1).toLocaleString()} of {data.total.toLocaleString()}</span>
        <button type="button" onClick={pages.previous} disabled={!pages.hasPrevious || loading}>← Previous</button>
        <button type="button" onClick={pages.next} disabled={!data.nextCursor || loading}>Next →</button>
      </nav>
    </>
  );
}
