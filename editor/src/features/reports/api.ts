/**
 * The reports, outcomes, backtest and challenger APIs as the Reports page uses them (SPEC §11). The
 * shapes are the server's (server/reports, server/backtest); the editor never imports its code.
 */
import { api } from '../../lib/api.js';

/** A field test an outcome can be: the ops the server accepts. */
export type OutcomeOp = 'eq' | 'ne' | 'in' | 'gt' | 'gte' | 'lt' | 'lte';

/** What counts as a conversion: an event type, or a field test that became true. */
export interface Outcome {
  readonly id: string;
  readonly label: string;
  readonly event?: string;
  readonly field?: { readonly field: string; readonly op: OutcomeOp; readonly value: unknown };
}

export interface OutcomesSetting {
  readonly outcomes: Outcome[];
  readonly rev: number;
}

export const getOutcomes = () => api<OutcomesSetting>('/settings/outcomes');
/** Saves the outcomes; a stale `rev` is refused with 409 (someone saved in between). */
export const saveOutcomes = (s: OutcomesSetting) => api<OutcomesSetting>('/settings/outcomes', { method: 'PUT', body: s });

/** One band of a conversion report. `lift` is the band's rate over the average (null when nobody converted). */
export interface BandRow {
  readonly band: string;
  readonly min: number | null;
  readonly max: number | null;
  readonly contacts: number;
  readonly converted: number;
  readonly rate: number;
  readonly lift: number | null;
}

export interface ConversionReport {
  readonly field: string;
  readonly at: string;
  readonly window: string;
  readonly outcomes: string[];
  readonly total: { readonly contacts: number; readonly converted: number; readonly rate: number };
  readonly bands: BandRow[];
}

/** The questions a conversion report asks: whose scores, when, how long to convert, which bands, which outcomes. */
export interface ConversionQuery {
  readonly field: string;
  readonly at: string;
  readonly window: string;
  /** A model's brackets, or cut points. */
  readonly bands: { readonly model: string } | { readonly edges: readonly number[] };
  /** Empty: every outcome. */
  readonly outcomes: readonly string[];
}

/** The query string of a conversion (or challenger) report, without `field` when the caller names models instead. */
export function conversionParams(q: Omit<ConversionQuery, 'field'> & { field?: string }): URLSearchParams {
  const p = new URLSearchParams();
  if (q.field) p.set('field', q.field);
  p.set('at', q.at);
  p.set('window', q.window);
  if ('model' in q.bands) p.set('model', q.bands.model);
  else p.set('bands', q.bands.edges.join(','));
  if (q.outcomes.length) p.set('outcomes', q.outcomes.join(','));
  return p;
}

export const conversionPath = (q: ConversionQuery, csv = false) => `/reports/conversion?${conversionParams(q)}${csv ? '&format=csv' : ''}`;
export const getConversion = (q: ConversionQuery) => api<ConversionReport>(conversionPath(q));

export interface BracketFlow {
  readonly model: string;
  readonly from: string;
  readonly to: string;
  readonly brackets: string[];
  readonly moves: { readonly from: string | null; readonly to: string; readonly contacts: number; readonly medianDays: number | null }[];
}
export const bracketFlowPath = (model: string, from: string, to: string, csv = false) =>
  `/reports/bracket-flow?${new URLSearchParams({ model, from, to })}${csv ? '&format=csv' : ''}`;
export const getBracketFlow = (model: string, from: string, to: string) => api<BracketFlow>(bracketFlowPath(model, from, to));

export interface Trends {
  readonly field: string;
  readonly days: number;
  readonly rose: number;
  readonly fell: number;
  readonly same: number;
  readonly contacts: number;
}
export const trendsPath = (field: string, days: number, csv = false) =>
  `/reports/trends?${new URLSearchParams({ field, days: String(days) })}${csv ? '&format=csv' : ''}`;
export const getTrends = (field: string, days: number) => api<Trends>(trendsPath(field, days));

export interface ActionRow {
  readonly kind: 'rule' | 'element' | 'decay' | 'other';
  readonly model?: string;
  readonly rule?: string;
  readonly map?: string;
  readonly element?: string;
  readonly label: string;
  readonly points: number;
  readonly count: number;
}
export interface TopActions {
  readonly from: string;
  readonly to: string;
  readonly rows: ActionRow[];
}
export const topActionsPath = (from: string, to: string, field: string | undefined, csv = false) => {
  const p = new URLSearchParams({ from, to });
  if (field) p.set('field', field);
  return `/reports/top-actions?${p}${csv ? '&format=csv' : ''}`;
};
export const getTopActions = (from: string, to: string, field?: string) => api<TopActions>(topActionsPath(from, to, field));

/** One side of a champion/challenger comparison. */
export interface ChallengerSide {
  readonly model: string;
  readonly field: string;
  readonly conversion: ConversionReport;
  /** The chance a converted contact scored above one that did not (0.5 is a coin toss); null without both kinds. */
  readonly auc: number | null;
}
export interface ChallengerReport {
  readonly at: string;
  readonly window: string;
  readonly champion: ChallengerSide;
  readonly challenger: ChallengerSide;
}
export const challengerPath = (champion: string, challenger: string, q: Omit<ConversionQuery, 'field' | 'bands'> & { edges?: readonly number[] }, csv = false) => {
  const p = conversionParams({ ...q, bands: { edges: q.edges ?? [] } });
  if (!q.edges?.length) p.delete('bands');
  p.set('champion', champion);
  p.set('challenger', challenger);
  return `/reports/challenger?${p}${csv ? '&format=csv' : ''}`;
};
export const getChallenger = (champion: string, challenger: string, q: Omit<ConversionQuery, 'field' | 'bands'> & { edges?: readonly number[] }) =>
  api<ChallengerReport>(challengerPath(champion, challenger, q));

/** A bar of a score distribution. */
export interface DistributionBar {
  readonly min: number;
  readonly max: number;
  readonly count: number;
}
export interface BacktestSide {
  readonly distribution: DistributionBar[];
  readonly conversion: ConversionReport;
}
export interface BacktestResult {
  readonly from: string;
  readonly to: string;
  readonly contacts: number;
  readonly field: string;
  readonly draft: BacktestSide;
  readonly live: BacktestSide;
  /** Contacts whose draft score differs from their live one. */
  readonly changed: number;
  /** The largest differences, largest first. */
  readonly sample: { readonly contact: string; readonly email: string | null; readonly live: number | null; readonly draft: number | null }[];
}
export interface BacktestJob {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed';
  readonly done: number;
  readonly total: number;
  readonly error?: string;
  readonly result?: BacktestResult;
}
export interface BacktestRequest {
  readonly model?: unknown;
  readonly map?: unknown;
  /** The map an inline map draft takes the place of. */
  readonly replaces?: string;
  readonly from: string;
  readonly to: string;
  readonly sample?: number;
  readonly window?: string;
}
export const startBacktest = (body: BacktestRequest) => api<BacktestJob>('/backtest', { body });
export const readBacktest = (id: string) => api<BacktestJob>(`/backtest/${encodeURIComponent(id)}`);
export const backtestCsvPath = (id: string) => `/backtest/${encodeURIComponent(id)}/contacts?format=csv`;

/** One band of the sales feedback report: verdicts given on leads whose score was in it; `rate` is accepted / verdicts (null: none). */
export interface FeedbackBand {
  readonly band: string;
  readonly min: number | null;
  readonly max: number | null;
  readonly verdicts: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rate: number | null;
}
/** Sales feedback (SPEC §11, §12): accepted and rejected leads by the band of their score at the verdict, and by reason. */
export interface FeedbackReport {
  readonly model: string | null;
  readonly field: string;
  readonly from: string;
  readonly to: string;
  readonly total: { readonly verdicts: number; readonly accepted: number; readonly rejected: number; readonly rate: number | null };
  readonly bands: FeedbackBand[];
  readonly reasons: { readonly status: 'accepted' | 'rejected'; readonly reason: string | null; readonly count: number }[];
}
export const feedbackPath = (modelId: string, from: string, to: string, csv = false) =>
  `/reports/qualification?${new URLSearchParams({ modelId, from, to })}${csv ? '&format=csv' : ''}`;
export const getFeedback = (modelId: string, from: string, to: string) => api<FeedbackReport>(feedbackPath(modelId, from, to));
