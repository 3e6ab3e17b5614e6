import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'hono';
import { z } from 'zod';
import { Bracket, bracketOf, Degradation, ScoringModel } from '../../engine/scoring/model.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { deleteModel, rescore, saveModel, type RescoreJob } from '../runtime/scoring.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ModelRecord, ScoreRank } from '../store/store.js';
import { auditHook, recordAudit } from '../audit/log.js';
import { modelSavedEntry, type ModelHow } from '../audit/model-changes.js';
import { count, q } from '../audit/words.js';
import { actorOf } from '../people/actor.js';
import type { ModelSaved } from '../runtime/scoring.js';

const Iso = z.string().meta({ description: 'ISO-8601 time' });

/**
 * A scoring model in a request. Zod lets anything through here on purpose: `readModel` checks it
 * against the fields and answers 422 with `details.problems`, which a 400 from a schema could not.
 */
const ModelJson = z.unknown().meta({
  description: 'A scoring model (docs/reference/scoring-models.md): `{ id, name, field, min, max, degradation?, rules, brackets? }`. '
    + 'A body that is not a JSON object is refused with 400; a model not in the format, or naming unknown fields, with 422 and `details.problems`.',
});

/** A line of the models list. */
const ModelSummary = z.object({
  id: z.string(), name: z.string(), description: z.string().optional(), field: z.string(), min: z.number(), max: z.number(),
  degradation: Degradation.nullable(),
  ruleCount: z.number(), brackets: z.array(Bracket).nullable(),
  shadow: z.boolean().meta({ description: 'A challenger (docs/challengers.md): scored live, triggering nothing' }),
  nextDecayAt: Iso.nullable(), updatedAt: Iso,
});

/** One model's score of a contact, as the contacts list and page show it. */
export const ContactScore = z.object({
  field: z.string(), score: z.number().nullable().meta({ description: 'Unrounded; null when empty (ranks and brackets read it as 0)' }),
  bracket: z.string().nullable(), percentRank: z.number().meta({ description: '100 × (contacts whose score is ≤ this one) / (contacts)' }),
});
/** A contact's scores by scoring model id. */
export const ContactScores = z.record(z.string(), ContactScore).optional()
  .meta({ description: 'Per scoring model id: field, score, bracket and percent rank (absent while there are no scoring models)' });

const JobView = z.object({
  id: z.string(), modelId: z.string(), status: z.enum(['running', 'done', 'failed']), processed: z.number(), total: z.number(), error: z.string().optional(),
});
const JobAnswer = z.object({ job: JobView });
const RanksQuery = z.strictObject({
  contacts: z.string().min(1).max(100_000).meta({ description: 'Comma-separated contact ids (at most 500)' }),
});
const Distribution = z.object({
  modelId: z.string(), field: z.string(), total: z.number(), mean: z.number().nullable(), median: z.number().nullable(),
  bands: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  brackets: z.array(z.object({ name: z.string(), min: z.number(), count: z.number() })),
});

/** Nesting deeper than this is refused before anything walks it (conditions recurse). */
const MAX_DEPTH = 64;
function depthOf(v: unknown, limit: number): number {
  if (typeof v !== 'object' || v === null || limit <= 0) return 0;
  let max = 0;
  for (const x of Object.values(v)) max = Math.max(max, depthOf(x, limit - 1));
  return max + 1;
}

/** A model body: a JSON object, not too deep (400 otherwise); its content is `readModel`'s to judge (422). */
function modelBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(`Send a scoring model as a JSON object ({ "id", "name", "rules", … }), not ${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`}`);
  }
  if (depthOf(body, MAX_DEPTH + 1) > MAX_DEPTH) throw badRequest(`The scoring model nests deeper than ${MAX_DEPTH} levels; simplify its conditions`);
  return body as Record<string, unknown>;
}

const param = (c: Context, name: string): string => c.req.param(name) ?? '';
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

async function loadModel(rt: Runtime, id: string): Promise<{ record: ModelRecord; model: ScoringModel }> {
  const record = await rt.store.getModel(id);
  if (!record) throw notFound(`No scoring model with id "${id}"`);
  return { record, model: ScoringModel.parse(record.doc) };
}

function summarize(r: ModelRecord): z.infer<typeof ModelSummary> {
  const m = ScoringModel.parse(r.doc);
  return {
    id: m.id, name: m.name, ...(m.description ? { description: m.description } : {}), field: m.field, min: m.min, max: m.max, degradation: m.degradation ?? null,
    ruleCount: m.rules.length, brackets: m.brackets ?? null, shadow: m.shadow ?? false, nextDecayAt: iso(r.nextDecayAt), updatedAt: iso(r.updatedAt)!,
  };
}

/**
 * Every scoring model's score, bracket and percent rank for some contacts (the contacts list and
 * page): one rank computation per distinct field over the whole set, never a query per contact.
 * With no model there are no entries (answers then stay as they were before scoring models);
 * otherwise every id asked gets one ({} for an id that is not a contact).
 */
export async function contactScores(rt: Runtime, contactIds: readonly string[]): Promise<Map<string, Record<string, z.infer<typeof ContactScore>>>> {
  const out = new Map<string, Record<string, z.infer<typeof ContactScore>>>();
  const models = (rt.world.models ?? []).map((m) => m.model);
  if (!contactIds.length || !models.length) return out;
  const byField = new Map<string, Map<string, ScoreRank>>();
  for (const m of models) if (!byField.has(m.field)) byField.set(m.field, await rt.store.scoreRanks(m.field, contactIds));
  for (const id of contactIds) {
    const entries = models.flatMap((m) => {
      const r = byField.get(m.field)!.get(id);
      return r ? [[m.id, { field: m.field, score: r.score, bracket: bracketOf(r.score, m.brackets), percentRank: r.percentRank }] as const] : [];
    });
    // fromEntries: a model id like "__proto__" stays an ordinary key.
    out.set(id, Object.fromEntries(entries));
  }
  return out;
}

/** Finished jobs kept for reading; running ones are always kept. */
const KEEP_JOBS = 100;

/**
 * `/api/scoring-models` (SPEC §5, §6): list, create, read, replace, delete, export and import
 * scoring models; their score distribution; percent ranks; retroactive rescores with progress.
 *
 * Rescore jobs live in memory in this router (a Map), so their progress is lost on restart —
 * the rescore itself is idempotent, so starting it again is safe.
 */
export function scoringModelsRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const jobs = new Map<string, RescoreJob>();
  const jobView = (j: RescoreJob): z.infer<typeof JobView> => ({
    id: j.id, modelId: j.modelId, status: j.status, processed: j.processed, total: j.total, ...(j.error ? { error: j.error } : {}),
  });
  const forget = () => {
    for (const [id, j] of jobs) {
      if (jobs.size <= KEEP_JOBS) break;
      if (j.status !== 'running') jobs.delete(id);
    }
  };
  const audit = (c: Context, how: ModelHow) => auditHook<ModelSaved>(actorOf(c), (s) => modelSavedEntry(how, s));
  const create = async (c: Context, body: unknown, how: ModelHow = { kind: 'create' }) => {
    const doc = modelBody(body);
    return c.json((await saveModel(rt, doc, { create: true, audit: audit(c, how) })).doc, 201);
  };

  return new ApiRouter('/api/scoring-models', 'Scoring models')
    .op({ method: 'get', path: '/', summary: 'List the scoring models', response: z.object({ models: z.array(ModelSummary) }) }, async (c) =>
      c.json({ models: (await rt.store.listModels()).map(summarize) }))
    .op({
      method: 'post', path: '/', summary: 'Create a scoring model', body: ModelJson, status: 201,
      description: 'Answers the model as stored (defaults filled in). Its id must be new (409 otherwise). Its rules apply from now on; rescore to apply condition rules to everyone.',
    }, async (c, { body }) => create(c, body))
    .op({ method: 'post', path: '/import', summary: 'Import a scoring model file (like create)', body: ModelJson, status: 201 }, async (c, { body }) => create(c, body, { kind: 'import' }))
    .op({
      method: 'post', path: '/recommended', summary: 'Create the recommended scoring model (recommended-scoring.json of the templates)', status: 201,
      description: 'One click to start from it in the editor; 409 when a model with its id exists.',
    }, async (c) => {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(join(deps.templatesDir, 'recommended-scoring.json'), 'utf8'));
      } catch {
        throw notFound('This server has no recommended scoring model (recommended-scoring.json is missing from its templates)');
      }
      const { id, name } = doc as { id?: unknown; name?: unknown };
      if (typeof id === 'string' && (await rt.store.getModel(id))) throw conflict(`The recommended model is already here: open "${String(name)}" in Scoring`);
      return create(c, doc, { kind: 'recommended' });
    })
    .op({ method: 'get', path: '/:id', summary: 'Read a scoring model document' }, async (c) => c.json((await loadModel(rt, param(c, 'id'))).record.doc))
    .op({
      method: 'put', path: '/:id', summary: 'Replace a scoring model', body: ModelJson,
      description: 'The id comes from the URL; an `id` in the body must be the same (400 otherwise: a model cannot be renamed, create a new one). Changed rules apply from now on.',
    }, async (c, { body }) => {
      const id = param(c, 'id');
      const doc = modelBody(body);
      await loadModel(rt, id);
      if (doc.id !== undefined && doc.id !== id) {
        throw badRequest(`The body is the model "${String(doc.id)}" but the URL names "${id}": a model keeps its id (create a new one to change it)`);
      }
      return c.json((await saveModel(rt, doc, { id, audit: audit(c, { kind: 'save' }) })).doc);
    })
    .op({ method: 'delete', path: '/:id', summary: 'Delete a scoring model (the scores it wrote stay)', status: 204 }, async (c) => {
      const id = param(c, 'id');
      await deleteModel(rt, id, auditHook(actorOf(c), (doc) => ({
        action: 'model.delete', targetType: 'model', targetId: id,
        summary: `Deleted the scoring model ${q((doc as { name?: string } | undefined)?.name ?? id)} (the scores it wrote stay on the contacts)`,
      })));
      return c.body(null, 204);
    })
    .op({ method: 'get', path: '/:id/export', summary: 'Download the scoring model JSON' }, async (c) => {
      const { record, model } = await loadModel(rt, param(c, 'id'));
      return c.body(`${JSON.stringify(record.doc, null, 2)}\n`, 200, {
        'content-type': 'application/json; charset=utf-8',
        // Model ids are letters, digits, "_" and "-": safe in a file name as they are.
        'content-disposition': `attachment; filename="${model.id}.json"`,
      });
    })
    .op({
      method: 'get', path: '/:id/distribution', summary: 'How the model\'s scores spread: count, mean, median, 10-point bands, brackets', response: Distribution,
      description: 'Over every contact; a contact with no score counts as 0. Bands are 10 points wide over [min, max] (wider, in tens, past 100 bands); the last includes max.',
    }, async (c) => {
      const { model } = await loadModel(rt, param(c, 'id'));
      const d = await rt.store.scoreDistribution(model.field, model.brackets, model.min, model.max);
      return c.json({ modelId: model.id, field: model.field, ...d });
    })
    .op({
      method: 'get', path: '/:id/ranks', summary: 'Score, bracket and percent rank of some contacts', query: RanksQuery,
      response: z.object({ ranks: z.record(z.string(), ContactScore.omit({ field: true })) }),
      description: 'Ids that are not contacts are left out. A contact with no score counts as 0.',
    }, async (c, { query }) => {
      const { model } = await loadModel(rt, param(c, 'id'));
      const ids = [...new Set(query.contacts.split(',').map((s) => s.trim()).filter(Boolean))];
      if (!ids.length) throw badRequest('Name at least one contact id in ?contacts=');
      if (ids.length > 500) throw badRequest(`Ask for at most 500 contacts at once (got ${ids.length})`);
      const ranks = await rt.store.scoreRanks(model.field, ids);
      return c.json({
        ranks: Object.fromEntries([...ranks].map(([id, r]) => [id, { score: r.score, bracket: bracketOf(r.score, model.brackets), percentRank: r.percentRank }])),
      });
    })
    .op({
      method: 'post', path: '/:id/rescore', summary: 'Recompute the model\'s condition rules for every contact, in the background', status: 202, response: JobAnswer,
      description: 'Answers the job at once; read its progress at `/:id/rescore/:jobId`. While a rescore of the model runs, asking again answers that job. '
        + 'Jobs are kept in this server process\'s memory only.',
    }, async (c) => {
      const { model } = await loadModel(rt, param(c, 'id'));
      const running = [...jobs.values()].find((j) => j.modelId === model.id && j.status === 'running');
      if (running) return c.json({ job: jobView(running) }, 202);
      const job: RescoreJob = { id: rt.ids(), modelId: model.id, status: 'running', processed: 0, total: await rt.store.contactCount() };
      jobs.set(job.id, job);
      forget();
      // The rescore runs in batches of its own, in the background: the entry says it was started.
      await recordAudit(rt.store.db, actorOf(c), {
        action: 'model.rescore', targetType: 'model', targetId: model.id,
        summary: `Started a rescore of ${q(model.name)} over ${count(job.total, 'contact')}`, detail: { job: job.id },
      }, rt.clock.now());
      // rescore() never rejects: a failure ends up in job.status and job.error.
      void rescore(rt, job);
      return c.json({ job: jobView(job) }, 202);
    })
    .op({ method: 'get', path: '/:id/rescore/:jobId', summary: 'A rescore\'s progress', response: JobAnswer }, async (c) => {
      const id = param(c, 'id');
      const job = jobs.get(param(c, 'jobId'));
      if (!job || job.modelId !== id) throw notFound(`No rescore "${param(c, 'jobId')}" of scoring model "${id}" (jobs are forgotten when the server restarts)`);
      return c.json({ job: jobView(job) });
    });
}
