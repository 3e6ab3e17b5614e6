import { useId } from 'react';
import { formatDelta } from '../charts/format.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import type { ModelDoc } from '../scoring/api.js';
import { getTopActions, topActionsPath, type ActionRow } from './api.js';
import { CsvButton, PeriodInputs, ReportStatus, useDay } from './controls.js';
import { endOfDay, startOfDay } from './words.js';
const KIND_WORDS: Record<ActionRow['kind'], string> = { rule: 'Scoring rule', element: 'Map element', decay: 'Degradation', other: 'Other' };

/** Where an action is edited: a rule on its model's page, an element on its map. */
function placeOf(r: ActionRow): string | null {
  if (r.kind === 'rule' && r.model) return `/scoring/${r.model}`;
  if (r.kind === 'element' && r.map) return `/maps/${r.map}`;
  return null;
}

/** Top scoring actions (SPEC §11): the points each rule and map element gave in a period, and how often. */
export function TopActionsCard({ model, now }: { model: ModelDoc; now: number }) {
  const id = useId();
  const [from, setFrom] = useDay(now, 30);
  const [to, setTo] = useDay(now, 0);
  const field = model.field ?? 'score';
  const [f, t] = [startOfDay(from), endOfDay(to)];
  const key = f && t ? topActionsPath(f, t, field) : '';
  const actions = useLoad(() => (f && t ? getTopActions(f, t, field) : Promise.resolve(undefined)), [key]);
  const data = f && t ? actions.data : undefined;

  return (
    <section className="card report" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Top scoring actions</h2>
        <div className="actions">{f && t && <CsvButton path={topActionsPath(f, t, field, true)} name="top-actions.csv" disabled={!data} />}</div>
      </div>
      <p className="muted explain">Which rules and map elements gave (or took) the most points in the period, and how many times they did.</p>
      <div className="report-controls"><PeriodInputs from={from} to={to} onChange={(a, b) => { setFrom(a); setTo(b); }} label="Points given in the period" /></div>
      {(!f || !t) && <p className="notice error" role="alert">Choose the first and the last day of the period.</p>}
      <ReportStatus loading={actions.loading && !data} error={f && t ? actions.error : null} what="top actions" />
      {data && data.rows.length === 0 && <div className="empty"><strong>No points were given in this period</strong>Pick a period when events were arriving, or check the model's rules.</div>}
      {data && data.rows.length > 0 && (
        <div className="table-wrap">
          <table className="data compact actions-table">
            <caption className="sr-only">Points given per rule and element</caption>
            <thead><tr><th scope="col">Action</th><th scope="col">Kind</th><th scope="col" className="num">Points</th><th scope="col" className="num">Times</th></tr></thead>
            <tbody>
              {data.rows.map((r, i) => {
                const place = placeOf(r);
                return (
                  <tr key={`${r.kind}-${r.model ?? r.map ?? ''}-${r.rule ?? r.element ?? ''}-${i}`}>
                    <td>{place ? <a href={href(place)}>{r.label}</a> : r.label}</td>
                    <td className="muted">{KIND_WORDS[r.kind] ?? r.kind}</td>
                    <td className="num">{formatDelta(r.points)}</td>
                    <td className="num">{r.count.toLocaleString()}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
