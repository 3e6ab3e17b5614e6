/**
 * The scoring-models API as the pages use it (SPEC §5, §6). The router's answers are read
 * leniently — a model may come bare, as `{ model }`, or as a record with its `doc` — so the pages
 * work with whichever the server answers, and say so plainly when the API is not there at all.
 */
import type { Bracket, ScoringModel, ScoringRule } from '../../../../engine/scoring/model.js';
import { api, ApiError } from '../../lib/api.js';

export type { Bracket, ScoringRule };

/** A scoring model as the editor edits it: the JSON document (SPEC §5), defaults left out. */
export type ModelDoc = Omit<ScoringModel, 'field' | 'min' | 'max' | 'rules'> & { field?: string; min?: number; max?: number; rules?: ScoringRule[] };

/** A line of the models list: the model (its rules may be left out: `ruleCount` says how many). */
export interface ModelListItem {
  readonly doc: ModelDoc;
  readonly ruleCount: number;
  readonly updatedAt?: string;
}

/** The score distribution of a model (GET /:id/distribution). */
export interface Distribution {
  readonly total: number;
  readonly mean: number | null;
  readonly median: number | null;
  readonly bands: readonly { from: number; to: number; count: number }[];
  readonly brackets: readonly { name: string; min: number; count: number }[];
}

/** A rescore in progress or done. */
export interface RescoreJob {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed';
  readonly processed: number;
  readonly total: number;
  readonly error?: string;
}

/** A contact's standing in one model: its score, bracket and percentage rank. */
export interface ModelScore {
  readonly field: string;
  readonly score: number | null;
  readonly bracket: string | null;
  readonly percentRank: number | null;
}

/** True when the server has no such endpoint (an older server): pages then degrade instead of failing. */
export function isMissingEndpoint(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && e.message.startsWith('No such endpoint');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readDoc(raw: unknown): ModelDoc {
  if (isObject(raw) && isObject(raw.model)) return readDoc(raw.model);
  if (isObject(raw) && isObject(raw.doc)) return { ...(raw.doc as ModelDoc), id: String(raw.id ?? (raw.doc as ModelDoc).id) };
  return raw as ModelDoc;
}

function readItem(raw: unknown): ModelListItem {
  const doc = readDoc(raw);
  const r = isObject(raw) ? raw : {};
  // The list answers summaries: no rules but a count, and null where a document leaves a key out.
  const clean = {
    ...doc,
    degradation: doc.degradation ?? undefined,
    brackets: doc.brackets ?? undefined,
  } as ModelDoc;
  return {
    doc: clean,
    ruleCount: typeof r.ruleCount === 'number' ? r.ruleCount : doc.rules?.length ?? 0,
    updatedAt: typeof r.updatedAt === 'string' ? r.updatedAt : undefined,
  };
}

const path = (id: string) => `/scoring-models/${encodeURIComponent(id)}`;

/** Every model, or null when this server has no scoring-models API. */
export async function listModels(): Promise<ModelListItem[] | null> {
  try {
    const r = await api<unknown>('/scoring-models');
    const list = Array.isArray(r) ? r : isObject(r) ? (r.models ?? r.scoringModels ?? r.items ?? []) : [];
    return (list as unknown[]).map(readItem);
  } catch (e) {
    if (isMissingEndpoint(e)) return null;
    throw e;
  }
}

export async function getModel(id: string): Promise<ModelDoc> {
  return readDoc(await api(path(id)));
}

/** Creates a model (POST); a model with problems is refused with 422 and `details.problems`. */
export async function createModel(doc: unknown): Promise<ModelDoc> {
  return readDoc(await api('/scoring-models', { body: doc }));
}

/** Saves a model (PUT): its rules apply from now on. */
export async function saveModel(id: string, doc: ModelDoc): Promise<ModelDoc> {
  return readDoc(await api(path(id), { method: 'PUT', body: doc }));
}

export async function deleteModel(id: string): Promise<void> {
  await api(path(id), { method: 'DELETE' });
}

export async function getDistribution(id: string): Promise<Distribution> {
  return api<Distribution>(`${path(id)}/distribution`);
}

function readJob(raw: unknown): RescoreJob {
  const j = (isObject(raw) && isObject(raw.job) ? raw.job : raw) as Partial<RescoreJob> & { jobId?: string };
  return { id: String(j.id ?? j.jobId ?? ''), status: j.status ?? 'running', processed: j.processed ?? 0, total: j.total ?? 0, error: j.error };
}

/** Starts a rescore: condition rules recomputed for every contact (SPEC §5). */
export async function startRescore(id: string): Promise<RescoreJob> {
  return readJob(await api(`${path(id)}/rescore`, { method: 'POST' }));
}

/** How far a rescore got. */
export async function readRescore(id: string, jobId: string): Promise<RescoreJob> {
  return readJob(await api(`${path(id)}/rescore/${encodeURIComponent(jobId)}`));
}

/**
 * Score, bracket and rank of some contacts in a model, when the contacts answers carry no
 * `scores` yet; null when the server cannot tell.
 */
export async function getRanks(id: string, contactIds: readonly string[]): Promise<Record<string, ModelScore> | null> {
  if (!contactIds.length) return {};
  try {
    const r = await api<unknown>(`${path(id)}/ranks?contacts=${contactIds.map(encodeURIComponent).join(',')}`);
    const ranks = isObject(r) && isObject(r.ranks) ? r.ranks : r;
    if (Array.isArray(ranks)) {
      return Object.fromEntries(ranks.filter(isObject).map((x) => [String(x.contact ?? x.id ?? x.contactId), x as unknown as ModelScore]));
    }
    return isObject(ranks) ? (ranks as Record<string, ModelScore>) : null;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** One saved version of a model (SPEC §9): every save that changed it made one. */
export interface ModelVersionLine {
  readonly version: number;
  readonly savedAt: string;
  /** Who saved it; null when not known. */
  readonly author: string | null;
  /** The version the model is now (the latest). */
  readonly current: boolean;
}

/** A model's versions, oldest first. */
export async function listModelVersions(id: string): Promise<ModelVersionLine[]> {
  return (await api<{ versions: ModelVersionLine[] }>(`${path(id)}/versions`)).versions;
}

/** One version with the model as it was saved then. */
export async function getModelVersion(id: string, version: number): Promise<ModelVersionLine & { doc: ModelDoc }> {
  const r = await api<ModelVersionLine & { doc: unknown }>(`${path(id)}/versions/${version}`);
  return { ...r, doc: readDoc(r.doc) };
}

/** Saves an earlier version as the model (a new version); answers the model as stored. */
export async function restoreModelVersion(id: string, version: number): Promise<ModelDoc> {
  return readDoc(await api(`${path(id)}/versions/${version}/restore`, { method: 'POST' }));
}
