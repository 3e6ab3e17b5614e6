import { useId } from 'react';
import { useLoad } from '../../lib/use-load.js';
import type { ModelDoc } from '../scoring/api.js';
import { feedbackPath, getFeedback, type FeedbackReport } from './api.js';
import { CsvButton, PeriodInputs, ReportStatus, useDay } from './controls.js';
import { endOfDay, formatRate, startOfDay } from './words.js';

const rateWords = (rate: number | null) => (rate === null ? '—' : formatRate(rate));

/**
 * Sales feedback (SPEC §11, §12): the leads sales accepted and rejected in a period, by the bracket
 * their score was in when they were judged, and the reasons given. Does a higher score mean a lead
 * sales wants?
 */
export function FeedbackCard({ model, now }: { model: ModelDoc; now: number }) {
  const id = useId();
  const [from, setFrom] = useDay(now, 30);
  const [to, setTo] = useDay(now, 0);
  const [f, t] = [startOfDay(from), endOfDay(to)];
  const ready = !!(f && t);
  const key = ready ? feedbackPath(model.id, f, t) : '';
  const report = useLoad(() => (ready ? getFeedback(model.id, f, t) : Promise.resolve(undefined)), [key]);
  const data = ready ? report.data : undefined;

  return (
    <section className="card report feedback" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Sales feedback</h2>
        <div className="actions">{ready && <CsvButton path={feedbackPath(model.id, f, t, true)} name="sales-feedback.csv" disabled={!data} />}</div>
      </div>
      <p className="muted explain">
        The leads sales accepted or rejected in the period, by the {model.brackets?.length ? 'bracket' : 'band'} their score was in when
        they were judged, and the reasons given. If high scores are rejected as often as low ones, the model needs work.
      </p>
      <div className="report-controls"><PeriodInputs from={from} to={to} onChange={(a, b) => { setFrom(a); setTo(b); }} label="Verdicts in the period" /></div>
      {!ready && <p className="notice error" role="alert">Choose the first and the last day of the period.</p>}
      <ReportStatus loading={report.loading && !data} error={ready ? report.error : null} what="sales feedback" />
      {data && data.total.verdicts === 0 && (
        <div className="empty"><strong>No lead was accepted or rejected in this period</strong>Sales accept or reject a lead on its contact page, with a reason.</div>
      )}
      {data && data.total.verdicts > 0 && <FeedbackTables data={data} />}
    </section>
  );
}

function FeedbackTables({ data }: { data: FeedbackReport }) {
  const reasons = (status: 'accepted' | 'rejected') => data.reasons.filter((r) => r.status === status);
  return (
    <div className="report-grid">
      <div className="table-wrap">
        <table className="data compact" data-report="feedback-bands">
          <caption className="sr-only">Verdicts by the score band of the lead</caption>
          <thead>
            <tr><th scope="col">Band</th><th scope="col" className="num">Verdicts</th><th scope="col" className="num">Accepted</th><th scope="col" className="num">Rejected</th><th scope="col" className="num">Accepted rate</th></tr>
          </thead>
          <tbody>
            {[...data.bands].reverse().map((b) => (
              <tr key={b.band} className={b.verdicts === 0 ? 'muted' : undefined}>
                <td>{b.band}</td>
                <td className="num">{b.verdicts.toLocaleString()}</td>
                <td className="num">{b.accepted.toLocaleString()}</td>
                <td className="num">{b.rejected.toLocaleString()}</td>
                <td className="num">
                  {b.rate !== null && <span className="feedback-bar c1" aria-hidden="true"><span style={{ width: `${Math.round(b.rate * 100)}%` }} /></span>}
                  {rateWords(b.rate)}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td><b>All</b></td>
              <td className="num">{data.total.verdicts.toLocaleString()}</td>
              <td className="num">{data.total.accepted.toLocaleString()}</td>
              <td className="num">{data.total.rejected.toLocaleString()}</td>
              <td className="num">{rateWords(data.total.rate)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <div className="feedback-reasons">
        {(['accepted', 'rejected'] as const).map((status) => (
          <div key={status} data-status={status}>
            <h3>{status === 'accepted' ? 'Why they were accepted' : 'Why they were rejected'}</h3>
            {reasons(status).length === 0 ? <p className="muted">None in this period.</p> : (
              <ul className="reason-list">
                {reasons(status).map((r) => (
                  <li key={r.reason ?? ''}><span className={r.reason === null ? 'muted' : undefined}>{r.reason ?? 'No reason given'}</span><b>{r.count.toLocaleString()}</b></li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}
