import { bracketOf } from '../../../../engine/scoring/model.js';
import type { ModelDoc, ModelScore } from '../scoring/api.js';

/** A contact as the list and the contact page read it; `scores` comes from servers that rank contacts. */
export interface ContactLike {
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
  readonly scores?: Readonly<Record<string, ModelScore>>;
}

/**
 * A contact's standing in a model: the server's `scores` when it answers them; otherwise the
 * model's field and the bracket it falls in, with the rank from `ranks` when that was loaded.
 */
export function scoreIn(contact: ContactLike, model: ModelDoc | undefined, modelId: string, ranks?: Readonly<Record<string, ModelScore>> | null): ModelScore | null {
  const given = contact.scores?.[modelId];
  if (given) return given;
  if (!model) return null;
  const field = model.field ?? 'score';
  const raw = contact.fields[field];
  const score = typeof raw === 'number' ? raw : null;
  const ranked = ranks?.[contact.id];
  return { field, score, bracket: ranked?.bracket ?? bracketOf(score, model.brackets), percentRank: ranked?.percentRank ?? null };
}

/** The bracket's tone: the top bracket green, the bottom one grey, the ones between amber. */
export function bracketTone(model: ModelDoc | undefined, bracket: string | null): string {
  const names = [...(model?.brackets ?? [])].sort((a, b) => b.min - a.min).map((b) => b.name);
  const i = bracket === null ? -1 : names.indexOf(bracket);
  if (i < 0) return 'draft';
  if (i === 0) return 'ok';
  return i === names.length - 1 ? 'draft' : 'warn';
}

/** "87 %". */
export const formatRank = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${Math.round(r)} %`);

/** Whether the contact has a number in this field. */
export const hasNumber = (values: Readonly<Record<string, unknown>>, key: string) => typeof values[key] === 'number';

/**
 * The score to show first: the first of `candidates` (the models' fields, then other fields that
 * read as scores) in which the contact has a value; else the first candidate; else `score`.
 */
export function primaryScoreField(values: Readonly<Record<string, unknown>>, candidates: readonly string[]): string {
  return candidates.find((k) => hasNumber(values, k)) ?? candidates[0] ?? 'score';
}
