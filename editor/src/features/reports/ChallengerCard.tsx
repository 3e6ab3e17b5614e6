import { useId, useState } from 'react';
import { formatNumber } from '../charts/format.js';
import { useLoad } from '../../lib/use-load.js';
import type { ModelDoc } from '../scoring/api.js';
import { challengerPath, getChallenger, type ChallengerSide } from './api.js';
import { ConversionTable } from './ConversionTable.js';
import { CsvButton, ReportStatus, useDay, WindowPicker } from './controls.js';
import { startOfDay } from './words.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** Whether a model runs in the shadow: scored live into its own field, triggering nothing. */
export const isShadow = (m: ModelDoc) => (m as { shadow?: boolean }).shadow === true;

/** The AUC in words: how often a converted contact outscored one that did not. */
function aucWords(auc: number | null): string {
  if (auc === null) return 'needs contacts that converted and contacts that did not';
  if (auc >= 0.8) return 'separates converters well';
  if (auc >= 0.65) return 'separates converters somewhat';
  if (auc > 0.55) return 'separates converters weakly';
  if (auc >= 0.45) return 'no better than a coin toss';
  return 'worse than a coin toss: lower scores converted more';
}

/**
 * Champion and challenger (SPEC §11): a live model and one running in the shadow, side by side on
 * the same contacts, day and outcomes.
 */
export function ChallengerCard({ models, now }: { models: readonly ModelDoc[]; now: number }) {
  const id = useId();
  const [champion, setChampion] = useState(() => models.find((m) => !isShadow(m))?.id ?? models[0].id);
  const [challenger, setChallenger] = useState(() => models.find(isShadow)?.id ?? models[0].id);
  const [day, setDay] = useDay(now, 30);
  const [win, setWin] = useState('30d');
  const at = startOfDay(day);
  const same = champion === challenger;
  const ready = at && !same;
  const q = { at: at ?? '', window: win, outcomes: [] as string[] };
  const key = ready ? challengerPath(champion, challenger, q) : '';
  const report = useLoad(() => (ready ? getChallenger(champion, challenger, q) : Promise.resolve(undefined)), [key]);
  const data = ready ? report.data : undefined;
  const name = (mid: string) => models.find((m) => m.id === mid)?.name ?? mid;
  const side = (s: ChallengerSide, role: string) => (
    <div className="side" data-role={role}>
      <h3>{role}: {name(s.model)}</h3>
      <p className="auc"><b>AUC {s.auc === null ? '—' : formatNumber(s.auc, 2)}</b> <span className="muted small">{aucWords(s.auc)}</span></p>
      <ConversionTable report={s.conversion} caption={`Conversion by band of ${name(s.model)}`} />
    </div>
  );

  return (
    <section className="card report" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>Champion and challenger</h2>
        <HelpLink page={DOCS.challengers} />
        <div className="actions">{ready && <CsvButton path={challengerPath(champion, challenger, q, true)} name="challenger.csv" disabled={!data} />}</div>
      </div>
      <p className="muted explain">Does the challenger (a model scoring in the shadow, steering nothing) tell converters apart better than the champion in charge? Both score the same contacts on the same day; the AUC is the chance a contact that converted scored above one that did not (0.5 is a coin toss, 1 is perfect).</p>
      <div className="report-controls">
        <label>Champion
          <select aria-label="Champion" value={champion} onChange={(e) => setChampion(e.target.value)}>
            {models.map((m) => <option key={m.id} value={m.id}>{m.name}{isShadow(m) ? ' (challenger)' : ''}</option>)}
          </select>
        </label>
        <label>Challenger
          <select aria-label="Challenger" value={challenger} onChange={(e) => setChallenger(e.target.value)}>
            {models.map((m) => <option key={m.id} value={m.id}>{m.name}{isShadow(m) ? ' (challenger)' : ''}</option>)}
          </select>
        </label>
        <label>Scores on <input type="date" value={day} onChange={(e) => setDay(e.target.value)} /></label>
        <WindowPicker value={win} onChange={setWin} />
      </div>
      {same && <p className="notice error" role="alert">Choose two different models: the champion and the challenger are the same.</p>}
      {!at && <p className="notice error" role="alert">Choose the day whose scores to compare.</p>}
      {ready && <ReportStatus loading={report.loading && !data} error={report.error} what="comparison" />}
      {data && <div className="sides">{side(data.champion, 'Champion')}{side(data.challenger, 'Challenger')}</div>}
    </section>
  );
}
