import { useEffect, useId, useRef, useState } from 'react';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { listModels } from '../scoring/api.js';
import { readBacktest, startBacktest, type BacktestJob, type BacktestRequest } from './api.js';
import { BacktestResultView } from './BacktestResult.js';
import { PeriodInputs, WINDOWS, useDay, WindowPicker } from './controls.js';
import { takeDraft } from './handoff.js';
import { endOfDay, startOfDay } from './words.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/**
 * `#/reports/backtest?model=<id>&draft=<key>` (or `map=`): a draft replayed over real contacts'
 * stored events on a private copy, beside the live scores (SPEC §11). Without a draft, the saved
 * model is tried; without a model, one is picked here.
 */
export function BacktestPage({ query }: { query: URLSearchParams }) {
  const id = useId();
  const now = useServerNow();
  const draftKey = query.get('draft');
  const handed = draftKey ? takeDraft(draftKey) : null;
  const models = useLoad(listModels, []);
  const [pickedModel, setPickedModel] = useState<string>('');
  const modelId = pickedModel || query.get('model') || (query.get('map') ? '' : models.data?.[0]?.doc.id ?? '');
  const mapId = query.get('map');
  const subject = handed
    // A map's draft takes the place of the map's published version in the copy (`replaces`): run
    // beside it, both would act on every event.
    ? { kind: handed.kind, name: handed.name, body: (handed.kind === 'map' ? { map: handed.doc, replaces: handed.id } : { model: handed.doc }) as Partial<BacktestRequest>, draft: true }
    : mapId
      ? { kind: 'map' as const, name: mapId, body: { map: { id: mapId } }, draft: false }
      : modelId
        ? { kind: 'model' as const, name: models.data?.find((m) => m.doc.id === modelId)?.doc.name ?? modelId, body: { model: { id: modelId } }, draft: false }
        : null;

  // Conversions are counted in the window after the period: by default it ends a window ago, so they show.
  const [from, setFrom] = useDay(now, 60);
  const [to, setTo] = useDay(now, 30);
  const [scope, setScope] = useState<'all' | 'sample'>('all');
  const [sample, setSample] = useState('100');
  const [win, setWin] = useState('30d');
  const [job, setJob] = useState<BacktestJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const follow = (j: BacktestJob) => {
    setJob(j);
    if (j.status === 'running') {
      timer.current = setTimeout(() => readBacktest(j.id).then(follow, (e: Error) => setError(`The backtest's progress could not be read: ${e.message}`)), 500);
    }
  };
  const [f, t] = [startOfDay(from), endOfDay(to)];
  const n = Number(sample);
  const problem = !f || !t ? 'Choose the first and the last day of the period to replay.'
    : Date.parse(f) >= Math.min(Date.parse(t), now) ? 'The period starts after it ends (or after now): choose a first day before the last one, and before today.'
    : scope === 'sample' && !(Number.isInteger(n) && n > 0) ? 'Type how many contacts to pick at random: a whole number above 0.' : null;
  const running = job?.status === 'running';
  const run = () => {
    if (!subject || problem) return;
    setError(null);
    setJob(null);
    clearTimeout(timer.current);
    // The end of today is still to come: history ends now.
    const end = new Date(Math.min(Date.parse(t!), now)).toISOString();
    startBacktest({ ...subject.body, from: f!, to: end, window: win, ...(scope === 'sample' ? { sample: n } : {}) })
      .then(follow, (e: Error) => setError(e.message));
  };

  return (
    <section className="page-body backtest-page">
      <nav className="crumbs" aria-label="Breadcrumb"><a href={href('/reports')}>Reports</a> <span aria-hidden="true">›</span> <span aria-current="page">Try on real history</span></nav>
      <header className="page-head">
        <h1>Try on real history</h1>
        <HelpLink page={DOCS.backtest} />
        {subject && <span className="sub">{subject.kind === 'map' ? 'Map' : 'Model'} “{subject.name}”, {subject.draft ? 'the draft as it was in the editor' : 'as saved'}</span>}
      </header>
      <p className="muted explain">What would this {subject?.kind ?? 'model'} have done? Real contacts are taken as they were at the start of the period (those created during it, at the moment they were), and their stored events over the period are replayed through it on a private copy, beside the live scores. No real contact is changed.</p>
      {draftKey && !handed && (
        <p className="notice warn" role="status">The draft handed over from the editor is no longer in this browser: the saved version is tried instead. Use “Try on real history” in the editor again to try the draft.</p>
      )}

      <div className="card backtest-form">
        {!handed && !mapId && (
          <label>Scoring model
            <select value={modelId} onChange={(e) => setPickedModel(e.target.value)}>
              {(models.data ?? []).map((m) => <option key={m.doc.id} value={m.doc.id}>{m.doc.name}</option>)}
            </select>
          </label>
        )}
        {models.data && models.data.length === 0 && !subject && <p className="empty">No scoring model yet: create one on the Scoring page, then try it here.</p>}
        <div className="report-controls">
          <PeriodInputs from={from} to={to} onChange={(a, b) => { setFrom(a); setTo(b); }} label="Period to replay" />
          <fieldset className="scope">
            <legend>Contacts</legend>
            <label className="check"><input type="radio" name={`${id}-scope`} checked={scope === 'all'} onChange={() => setScope('all')} /> All</label>
            <label className="check"><input type="radio" name={`${id}-scope`} checked={scope === 'sample'} onChange={() => setScope('sample')} /> A random sample of</label>
            <input type="number" min={1} step={1} value={sample} aria-label="Contacts in the sample" disabled={scope !== 'sample'} onChange={(e) => setSample(e.target.value)} />
          </fieldset>
          <WindowPicker value={win} onChange={setWin} />
          <button type="button" className="primary run" onClick={run} disabled={!subject || !!problem || running}>{running ? 'Running…' : 'Run'}</button>
        </div>
        <p className="muted small hint">The draft's and the live scores are compared at the end of the period; a contact converts when it reaches an outcome within {WINDOWS.find((w) => w.value === win)?.words ?? win} after it. End the period at least that long ago to see conversions.</p>
        {problem && <p className="notice error" role="alert">{problem}</p>}
        <div aria-live="polite">
          {running && (
            <p className="progress-line">
              <progress value={job.done} max={job.total || 1} aria-label="Backtest progress" /> {job.done.toLocaleString()} of {job.total.toLocaleString()} contacts replayed
            </p>
          )}
          {job?.status === 'failed' && <p className="notice error" role="alert">The backtest failed: {job.error ?? 'the server did not say why'}</p>}
        </div>
        {error && <p className="notice error" role="alert">The backtest could not run: {error}</p>}
      </div>
      {job?.status === 'done' && job.result && <BacktestResultView job={job} result={job.result} name={subject?.name ?? ''} />}
    </section>
  );
}
