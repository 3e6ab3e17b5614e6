import { useState } from 'react';
import { navigate, type Route } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { useFields } from '../contacts/fields.js';
import { listModels } from '../scoring/api.js';
import { getOutcomes, type OutcomesSetting } from './api.js';
import { BacktestPage } from './BacktestPage.js';
import { BracketFlowCard } from './BracketFlowCard.js';
import { ChallengerCard, isShadow } from './ChallengerCard.js';
import { ConversionCard } from './ConversionCard.js';
import { FeedbackCard } from './FeedbackCard.js';
import { OutcomesEditor } from './OutcomesEditor.js';
import { TopActionsCard } from './TopActionsCard.js';
import { TrendsCard } from './TrendsCard.js';
import '../../lib/pages.css';
import './reports.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** `#/reports` (outcomes and the reports) and `#/reports/backtest` (a draft tried on real history). */
export function ReportsPage({ route }: { route: Route }) {
  return route.parts[1] === 'backtest' ? <BacktestPage query={route.query} /> : <Reports />;
}

/** The outcomes, then the reports of one model: conversion by band, bracket flow, trends, top actions, sales feedback, and champion/challenger. */
function Reports() {
  const now = useServerNow();
  const models = useLoad(listModels, []);
  const outcomes = useLoad(getOutcomes, []);
  const fields = useFields();
  const [picked, setPicked] = useState<string | null>(null);
  const list = (models.data ?? []).map((m) => m.doc);
  const model = list.find((m) => m.id === picked) ?? list.find((m) => !isShadow(m)) ?? list[0];

  return (
    <section className="page-body reports-page">
      <header className="page-head">
        <h1>Reports</h1>
        <HelpLink page={DOCS.reports} />
        <span className="sub">Do higher-scoring leads convert at a better rate?</span>
        {list.length > 0 && (
          <div className="actions">
            <label className="inline">Scoring model
              <select aria-label="Scoring model" value={model?.id ?? ''} onChange={(e) => setPicked(e.target.value)}>
                {list.map((m) => <option key={m.id} value={m.id}>{m.name}{isShadow(m) ? ' (challenger)' : ''}</option>)}
              </select>
            </label>
            <button type="button" onClick={() => navigate(`/reports/backtest?model=${encodeURIComponent(model?.id ?? '')}`)}
              title="Replay the stored events of real contacts through a model, without changing any contact">Try on real history</button>
          </div>
        )}
      </header>
      {outcomes.error && <p className="notice error" role="alert">The outcomes could not be loaded: {outcomes.error}</p>}
      {outcomes.loading && !outcomes.data && <p className="loading">Loading the outcomes…</p>}
      {outcomes.data && (
        <OutcomesEditor setting={outcomes.data} fields={fields.data ?? []}
          onSaved={(s: OutcomesSetting) => outcomes.setData(s)} onReload={outcomes.reload} />
      )}
      {models.loading && !models.data && <p className="loading">Loading the scoring models…</p>}
      {models.error && <p className="notice error" role="alert">The scoring models could not be loaded: {models.error}</p>}
      {models.data === null && <p className="notice error" role="alert">This server has no scoring models API: the reports need one.</p>}
      {models.data && list.length === 0 && (
        <div className="empty section">
          <strong>No scoring model yet</strong>
          The reports read the scores a model gives. Create one first.
          <div className="actions"><button type="button" className="primary" onClick={() => navigate('/scoring')}>Go to Scoring</button></div>
        </div>
      )}
      {model && (
        <div className="reports" key={model.id}>
          {outcomes.data && <ConversionCard model={model} outcomes={outcomes.data.outcomes} now={now} />}
          <BracketFlowCard model={model} now={now} />
          <div className="report-pair">
            <TrendsCard model={model} />
            <TopActionsCard model={model} now={now} />
          </div>
          <FeedbackCard model={model} now={now} />
          {list.some(isShadow) && list.length > 1 && <ChallengerCard models={list} now={now} />}
        </div>
      )}
    </section>
  );
}
