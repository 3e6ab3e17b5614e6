import { useId, useState } from 'react';
import { formatDate } from '../charts/format.js';
import type { ModelDoc } from '../scoring/api.js';
import { useLoad } from '../../lib/use-load.js';
import { conversionPath, getConversion, type ConversionQuery, type Outcome } from './api.js';
import { ConversionTable } from './ConversionTable.js';
import { CsvButton, ReportStatus, WINDOWS, useDay, WindowPicker } from './controls.js';
import { RateChart } from './RateChart.js';
import { contactsWord, formatRate, parseEdges, startOfDay } from './words.js';

/**
 * Conversion by score band (SPEC §11): contacts by the band their score was in at a past moment,
 * and the share of each band that reached an outcome within a window after it, beside the average.
 */
export function ConversionCard({ model, outcomes, now }: { model: ModelDoc; outcomes: readonly Outcome[]; now: number }) {
  const id = useId();
  const hasBrackets = (model.brackets ?? []).length > 0;
  const [day, setDay] = useDay(now, 30);
  const [win, setWin] = useState('30d');
  const [byBrackets, setByBrackets] = useState(hasBrackets);
  const [edgesText, setEdgesText] = useState('20, 50, 80');
  const [picked, setPicked] = useState<readonly string[]>([]);

  const at = startOfDay(day);
  const edges = parseEdges(edgesText);
  const useBrackets = byBrackets && hasBrackets;
  const problem = !at ? 'Choose the day whose scores to read.' : !useBrackets && 'error' in edges ? edges.error : null;
  const query: ConversionQuery | null = problem || !outcomes.length ? null : {
    field: model.field ?? 'score', at: at!, window: win,
    bands: useBrackets ? { model: model.id } : { edges: 'edges' in edges ? edges.edges : [] },
    outcomes: picked.filter((p) => outcomes.some((o) => o.id === p)),
  };
  const key = query ? conversionPath(query) : '';
  const report = useLoad(() => (query ? getConversion(query) : Promise.resolve(undefined)), [key]);
  const data = query ? report.data : undefined;

  const toggle = (oid: string) => setPicked((p) => (p.includes(oid) ? p.filter((x) => x !== oid) : [...p, oid]));
  const windowWords = WINDOWS.find((w) => w.value === win)?.words ?? win;

  return (
    <section className="card report conversion-card" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Conversion by score band</h2>
        <div className="actions">{query && <CsvButton path={conversionPath(query, true)} name="conversion.csv" disabled={!data} />}</div>
      </div>
      <p className="muted explain">Do higher-scoring contacts convert more? Contacts are grouped by the score they had on the day you pick, and each group's share that reached an outcome in the following days is set against the average.</p>
      <div className="report-controls">
        <label>Scores on <input type="date" value={day} onChange={(e) => setDay(e.target.value)} /></label>
        <WindowPicker value={win} onChange={setWin} />
        <label>Bands
          <select value={useBrackets ? 'brackets' : 'ranges'} onChange={(e) => setByBrackets(e.target.value === 'brackets')}>
            {hasBrackets && <option value="brackets">The model's brackets</option>}
            <option value="ranges">Score ranges</option>
          </select>
        </label>
        {!useBrackets && (
          <label>Band edges <input value={edgesText} onChange={(e) => setEdgesText(e.target.value)} placeholder="20, 50, 80" aria-invalid={'error' in edges || undefined} /></label>
        )}
        {outcomes.length > 1 && (
          <fieldset className="outcome-picks">
            <legend>Outcomes {picked.length ? '' : <span className="muted small">(any)</span>}</legend>
            {outcomes.map((o) => (
              <label key={o.id} className="check"><input type="checkbox" checked={picked.includes(o.id)} onChange={() => toggle(o.id)} /> {o.label}</label>
            ))}
          </fieldset>
        )}
      </div>
      {!outcomes.length && (
        <div className="empty"><strong>Name what counts as a conversion</strong>Add an outcome above (a purchase, a won deal), save it, and this report counts who reached it.</div>
      )}
      {problem && outcomes.length > 0 && <p className="notice error" role="alert">{problem}</p>}
      {query && <ReportStatus loading={report.loading && !data} error={report.error} what="conversion report" />}
      {data && data.total.contacts === 0 && (
        <div className="empty"><strong>No contacts had a score on {formatDate(at!)}</strong>Pick a later day: the report reads each contact's score as it was then.</div>
      )}
      {data && data.total.contacts > 0 && (
        <>
          <p className="report-summary">
            <b>{data.total.converted.toLocaleString()}</b> of <b>{contactsWord(data.total.contacts)}</b> scored on {formatDate(data.at)} converted within {windowWords}: <b>{formatRate(data.total.rate)}</b> on average.
          </p>
          {Date.parse(data.at) + Number.parseInt(win, 10) * 86_400_000 > now && (
            <p className="notice warn" role="note">The window runs until {formatDate(Date.parse(data.at) + Number.parseInt(win, 10) * 86_400_000)}, after today: contacts may still convert, so the rates can rise. Pick an earlier day for a finished window.</p>
          )}
          <div className="report-grid">
            <RateChart title={`Conversion by ${useBrackets ? 'bracket' : 'score band'} of ${model.name}`} bands={data.bands} average={data.total.rate} />
            <ConversionTable report={data} caption={`Conversion by band of ${model.name}`} />
          </div>
        </>
      )}
    </section>
  );
}
