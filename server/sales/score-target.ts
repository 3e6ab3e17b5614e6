import type { ScoringModel } from '../../engine/scoring/model.js';
import { badRequest, invalid } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';

/** The score a sales action or a list filter works on: a scoring model's field, or the built-in Score when no model runs. */
export interface ScoreTarget {
  /** Null: no scoring model runs, and the built-in Score (written by maps) is the score. */
  readonly model: ScoringModel | null;
  readonly field: string;
  /** The field's label, for sentences ("Score"). */
  readonly label: string;
}

/**
 * The score meant by `modelId`, or by default the model whose field is `score`, else the only
 * champion model (challengers run in the shadow); with no model at all, the built-in Score.
 * 422 when the model does not exist, 400 when the default cannot be told.
 */
export function scoreTarget(rt: Runtime, modelId: string | undefined): ScoreTarget {
  const models = (rt.world.models ?? []).map((m) => m.model);
  const label = (field: string) => rt.world.fields.get(field)?.label ?? field;
  if (modelId !== undefined) {
    const m = models.find((x) => x.id === modelId);
    if (!m) throw invalid(`There is no scoring model "${modelId}"${models.length ? `: the models are ${models.map((x) => `"${x.id}"`).join(', ')}` : ''}`);
    return { model: m, field: m.field, label: label(m.field) };
  }
  if (!models.length) return { model: null, field: 'score', label: label('score') };
  const champions = models.filter((m) => !m.shadow);
  const m = models.find((x) => x.field === 'score') ?? (champions.length === 1 ? champions[0] : undefined);
  if (!m) {
    throw badRequest(`Several scoring models run (${champions.map((x) => `"${x.id}"`).join(', ')}) and none writes Score: say which with "modelId"`);
  }
  return { model: m, field: m.field, label: label(m.field) };
}
