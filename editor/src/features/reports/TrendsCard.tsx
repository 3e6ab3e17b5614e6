import { useId, useState } from 'react';
import { useLoad } from '../../lib/use-load.js';
import type { ModelDoc } from '../scoring/api.js';
import { getTrends, trendsPath } from './api.js';
import { CsvButton, ReportStatus } from './controls.js';
import { formatRate } from './words.js';

const SPANS = [7, 14, 30, 90] as const;

/** Score trends (SPEC §11): how many contacts' scores rose, fell or stayed over the last N days. */
export function TrendsCard({ model }: { model: ModelDoc }) {
  const id = useId();
  const field = model.field ?? 'score';
  const [days, setDays] = useState(30);
  const trends = useLoad(() => getTrends(field, days), [field, days]);
  const data = trends.data;
  const parts = data ? ([['rose', 'Rose', data.rose, 'c1'], ['same', 'Stayed the same', data.same, 'c4'], ['fell', 'Fell', data.fell, 'c2']] as const) : [];
  const total = data ? data.rose + data.fell + data.same : 0;

  return (
    <section className="card report" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Score trends</h2>
        <div className="actions"><CsvButton path={trendsPath(field, days, true)} name="trends.csv" disabled={!data} /></div>
      </div>
      <p className="muted explain">Is the pipeline warming up or cooling down? Each contact's score now against its score {days} days ago.</p>
      <div className="report-controls">
        <label>Over the last
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {SPANS.map((d) => <option key={d} value={d}>{d} days</option>)}
          </select>
        </label>
      </div>
      <ReportStatus loading={trends.loading && !data} error={trends.error} what="score trends" />
      {data && total === 0 && <div className="empty"><strong>No scores to compare yet</strong>Trends appear once contacts have had a score for a while.</div>}
      {data && total > 0 && (
        <>
          <div className="trend-bar" aria-hidden="true">
            {parts.filter(([, , n]) => n > 0).map(([k, , n, tone]) => <span key={k} className={tone} style={{ flexGrow: n }} />)}
          </div>
          <div className="stats trend-stats">
            {parts.map(([k, words, n, tone]) => (
              <span key={k} className={`stat ${tone}`} data-trend={k}>
                <b>{n.toLocaleString()}</b>
                <span><span className="swatch" aria-hidden="true" /> {words} · {formatRate(n / total)}</span>
              </span>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
