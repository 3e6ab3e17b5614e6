import { useId } from 'react';
import { formatNumber } from '../charts/format.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import type { ModelDoc } from '../scoring/api.js';
import { bracketFlowPath, getBracketFlow } from './api.js';
import { CsvButton, PeriodInputs, ReportStatus, useDay } from './controls.js';
import { bracketWords, endOfDay, startOfDay } from './words.js';

/** Bracket flow (SPEC §11): how many contacts moved from one bracket to another in a period, and how long they took. */
export function BracketFlowCard({ model, now }: { model: ModelDoc; now: number }) {
  const id = useId();
  const [from, setFrom] = useDay(now, 30);
  const [to, setTo] = useDay(now, 0);
  const hasBrackets = (model.brackets ?? []).length > 0;
  const [f, t] = [startOfDay(from), endOfDay(to)];
  const ready = hasBrackets && f && t;
  const key = ready ? bracketFlowPath(model.id, f, t) : '';
  const flow = useLoad(() => (ready ? getBracketFlow(model.id, f, t) : Promise.resolve(undefined)), [key]);
  const data = ready ? flow.data : undefined;
  // The server's order: by the bracket left, highest first, so a bracket's moves sit together.
  const moves = data?.moves ?? [];

  return (
    <section className="card report" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Bracket flow</h2>
        <div className="actions">{ready && <CsvButton path={bracketFlowPath(model.id, f, t, true)} name="bracket-flow.csv" disabled={!data} />}</div>
      </div>
      <p className="muted explain">Who moved up or down between brackets in the period (from MQL to SQL, say), how many, and the median number of days they spent in the bracket they left.</p>
      {!hasBrackets ? (
        <div className="empty"><strong>{model.name} has no brackets</strong>Add brackets (such as Cold, Warm, Hot) on <a href={href(`/scoring/${model.id}`)}>the model's page</a> to see contacts move between them.</div>
      ) : (
        <>
          <div className="report-controls"><PeriodInputs from={from} to={to} onChange={(a, b) => { setFrom(a); setTo(b); }} label="Moves in the period" /></div>
          {(!f || !t) && <p className="notice error" role="alert">Choose the first and the last day of the period.</p>}
          <ReportStatus loading={flow.loading && !data} error={ready ? flow.error : null} what="bracket flow" />
          {data && moves.length === 0 && <div className="empty"><strong>Nobody changed bracket in this period</strong>Pick a longer period, or one when events were arriving.</div>}
          {data && moves.length > 0 && (
            <div className="table-wrap">
              <table className="data compact flow">
                <caption className="sr-only">Moves between brackets of {model.name}</caption>
                <thead><tr><th scope="col">From</th><th scope="col" aria-hidden="true" /><th scope="col">To</th><th scope="col" className="num">Contacts</th><th scope="col" className="num">Median days</th></tr></thead>
                <tbody>
                  {moves.map((m) => (
                    <tr key={`${m.from}→${m.to}`}>
                      <td className={m.from === null ? 'muted' : undefined}>{bracketWords(m.from)}</td>
                      <td aria-hidden="true" className="muted">→</td>
                      <td>{m.to}</td>
                      <td className="num">{m.contacts.toLocaleString()}</td>
                      <td className="num">{m.medianDays === null ? '—' : formatNumber(m.medianDays, 1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
