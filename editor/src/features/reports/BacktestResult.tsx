import { BarChart, type Bar } from '../charts/BarChart.js';
import { formatDelta, formatNumber, formatTime } from '../charts/format.js';
import { href } from '../../lib/route.js';
import { backtestCsvPath, type BacktestJob, type BacktestResult, type DistributionBar } from './api.js';
import { ConversionTable } from './ConversionTable.js';
import { CsvButton, WINDOWS } from './controls.js';
import { contactsWord, formatRate } from './words.js';

const bars = (d: readonly DistributionBar[], tone: Bar['tone']): Bar[] =>
  d.map((b) => ({ label: `${formatNumber(b.min, 0)}–${formatNumber(b.max, 0)}`, value: b.count, tone, title: `${contactsWord(b.count)} scoring ${formatNumber(b.min)} to ${formatNumber(b.max)}` }));

/** "30d" as "30 days". */
const windowWords = (w: string) => WINDOWS.find((x) => x.value === w)?.words ?? w;

/** A finished backtest: the draft beside the live scores — distributions, conversion, who changed and by how much. */
export function BacktestResultView({ job, result, name }: { job: BacktestJob; result: BacktestResult; name: string }) {
  const conv = result.draft.conversion;
  return (
    <div className="backtest-result">
      <section className="card" aria-labelledby="bt-summary-h">
        <div className="section-head">
          <h2 id="bt-summary-h">Result</h2>
          <div className="actions"><CsvButton path={backtestCsvPath(job.id)} name="backtest.csv" /></div>
        </div>
        <div className="stats">
          <span className="stat"><b>{result.contacts.toLocaleString()}</b><span>contacts replayed</span></span>
          <span className="stat" data-stat="changed"><b>{result.changed.toLocaleString()}</b><span>scored differently by the draft</span></span>
          <span className="stat"><b>{formatRate(result.live.conversion.total.rate)}</b><span>reached an outcome</span></span>
        </div>
        <p className="muted small">
          Events from {formatTime(result.from)} to {formatTime(result.to)} replayed into the field {result.field}. Conversion counts the scores then and
          an outcome ({conv.outcomes.length ? conv.outcomes.join(', ') : 'any'}) reached within {windowWords(conv.window)} after. The CSV holds every contact's live and draft score.
        </p>
      </section>
      <div className="sides">
        <section className="card side" aria-labelledby="bt-live-h" data-side="live">
          <h2 id="bt-live-h">Live</h2>
          <BarChart title="Live scores: contacts per band" bars={bars(result.live.distribution, 'c0')} xLabel="Score" yLabel="Contacts" height={180} />
          <h3>Conversion by band</h3>
          <ConversionTable report={result.live.conversion} caption="Conversion by band with the live scores" />
        </section>
        <section className="card side" aria-labelledby="bt-draft-h" data-side="draft">
          <h2 id="bt-draft-h">Draft{name ? `: ${name}` : ''}</h2>
          <BarChart title="Draft scores: contacts per band" bars={bars(result.draft.distribution, 'c3')} xLabel="Score" yLabel="Contacts" height={180} />
          <h3>Conversion by band</h3>
          <ConversionTable report={result.draft.conversion} caption="Conversion by band with the draft's scores" />
        </section>
      </div>
      <section className="card" aria-labelledby="bt-diff-h">
        <h2 id="bt-diff-h">The biggest differences</h2>
        {result.sample.length === 0 ? (
          <p className="empty">The draft scores every contact as the live model does.</p>
        ) : (
          <div className="table-wrap">
            <table className="data compact differences">
              <thead><tr><th scope="col">Contact</th><th scope="col" className="num">Live</th><th scope="col" className="num">Draft</th><th scope="col" className="num">Difference</th></tr></thead>
              <tbody>
                {result.sample.map((s) => (
                  <tr key={s.contact}>
                    <td><a href={href(`/contacts/${encodeURIComponent(s.contact)}`)}>{s.email ?? s.contact}</a></td>
                    <td className="num">{s.live === null ? '—' : formatNumber(s.live)}</td>
                    <td className="num">{s.draft === null ? '—' : formatNumber(s.draft)}</td>
                    <td className="num">{s.live === null || s.draft === null ? '—' : formatDelta(s.draft - s.live)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
