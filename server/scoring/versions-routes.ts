import type { Context } from 'hono';
import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { saveModel, type ModelSaved } from '../runtime/scoring.js';
import type { Runtime } from '../runtime/runtime.js';
import { getModelVersion, listModelVersions, type ModelVersion } from './versions.js';
import { auditHook } from '../audit/log.js';
import { modelSavedEntry } from '../audit/model-changes.js';
import { actorOf } from '../people/actor.js';

const Iso = z.string().meta({ description: 'ISO-8601 time' });
const VersionLine = z.object({
  version: z.number(), savedAt: Iso,
  author: z.string().nullable().meta({ description: 'Who saved it, as the audit log names them ("Ana Lopez", "the start-up token", \'API key "CI"\'); null for versions saved before people existed' }),
  current: z.boolean().meta({ description: 'The version that is the model now (the latest)' }),
});
const VersionParam = z.coerce.number().int().positive();

const param = (c: Context, name: string): string => c.req.param(name) ?? '';

/** A version number from the path: `/versions/abc` is a 400, `/versions/99` a 404 later. */
function versionParam(raw: string, modelId: string): number {
  const parsed = VersionParam.safeParse(raw);
  if (!parsed.success) throw badRequest(`"${raw}" is not a version number: versions are numbered 1, 2, 3, …`);
  // Versions are stored as 32-bit integers: a larger one cannot exist (and PostgreSQL would refuse to compare it).
  if (parsed.data > 2_147_483_647) throw notFound(`Scoring model "${modelId}" has no version ${raw}`);
  return parsed.data;
}

/** The model's versions (404 when there is no such model). */
async function versionsOf(rt: Runtime, id: string): Promise<ModelVersion[]> {
  if (!(await rt.store.getModel(id))) throw notFound(`No scoring model with id "${id}"`);
  return listModelVersions(rt.store.db, id);
}

const line = (v: ModelVersion, latest: number | undefined): z.infer<typeof VersionLine> => ({
  version: v.version, savedAt: new Date(v.savedAt).toISOString(), author: v.author, current: v.version === latest,
});

/**
 * `/api/scoring-models/:id/versions` (SPEC §9): a model's versions like a map's — every save
 * that changed it is kept, can be read, and can be restored (which saves it as the model again,
 * so the restore is a version of its own). Mounted beside the models' router: its paths all
 * end in `/versions…`, which none of that router's do.
 */
export function modelVersionsRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api/scoring-models', 'Scoring models')
    .op({
      method: 'get', path: '/:id/versions', summary: 'List a scoring model\'s versions, oldest first',
      description: 'Each save that changed the model made one; saving it unchanged makes none.',
      response: z.object({ versions: z.array(VersionLine) }),
    }, async (c) => {
      const versions = await versionsOf(rt, param(c, 'id'));
      const latest = versions.at(-1)?.version;
      return c.json({ versions: versions.map((v) => line(v, latest)) });
    })
    .op({
      method: 'get', path: '/:id/versions/:version', summary: 'Read one version of a scoring model, with its document',
      response: VersionLine.extend({ doc: z.unknown().meta({ description: 'The model as it was saved then' }) }),
    }, async (c) => {
      const id = param(c, 'id');
      const versions = await versionsOf(rt, id);
      const found = await getModelVersion(rt.store.db, id, versionParam(param(c, 'version'), id));
      if (!found) throw notFound(`Scoring model "${id}" has no version ${param(c, 'version')}`);
      return c.json({ ...line(found, versions.at(-1)?.version), doc: found.doc });
    })
    .op({
      method: 'post', path: '/:id/versions/:version/restore', summary: 'Save an earlier version as the model',
      description: 'Saved like a replace (PUT): the restored document becomes a new version, and its rules apply from now on '
        + '(rescore to apply condition rules to everyone). Answers the model as stored. A version that no longer fits '
        + '(a field it names was deleted since) is refused with 422 and `details.problems`.',
    }, async (c) => {
      const id = param(c, 'id');
      await versionsOf(rt, id);
      const version = versionParam(param(c, 'version'), id);
      const found = await getModelVersion(rt.store.db, id, version);
      if (!found) throw notFound(`Scoring model "${id}" has no version ${version}`);
      try {
        const audit = auditHook<ModelSaved>(actorOf(c), (saved) => modelSavedEntry({ kind: 'restore', from: version }, saved));
        return c.json((await saveModel(rt, found.doc, { id, audit })).doc);
      } catch (e) {
        if (e instanceof AppError && e.status === 422) throw new AppError(422, `Version ${version} cannot be restored: ${e.message}`, e.details);
        throw e;
      }
    });
}
