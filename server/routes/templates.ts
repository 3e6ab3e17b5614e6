import { z } from 'zod';
import { TEMPLATE_NAME, TemplateInfo, listTemplates, readTemplate } from '../templates.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, notFound } from '../errors.js';
import { MapAnswer, MapId, createDraft, param } from './map-views.js';
import { mapMade } from '../audit/map-changes.js';
import { actorOf } from '../people/actor.js';

/** `/api/templates` (SPEC §4, §6): the ready-made maps in `maps/`, and importing one as a new draft. */
export function templatesRouter(deps: AppDeps): ApiRouter {
  return new ApiRouter('/api/templates', 'Templates')
    .op({ method: 'get', path: '/', summary: 'List the template maps', response: z.object({ templates: z.array(TemplateInfo) }) }, async (c) =>
      c.json({ templates: await listTemplates(deps.templatesDir) }))
    .op({
      method: 'post', path: '/:name/import', summary: 'Create a draft from a template', query: z.object({ id: MapId.optional() }),
      status: 201, response: MapAnswer,
    }, async (c, { query }) => {
      const name = param(c, 'name');
      if (!TEMPLATE_NAME.test(name)) {
        throw badRequest(`"${name}" is not a template name: names are lower-case letters, digits and dashes (GET /api/templates lists them)`);
      }
      const doc = await readTemplate(deps.templatesDir, name);
      if (!doc) throw notFound(`No template named "${name}": GET /api/templates lists them`);
      return c.json(await createDraft(deps, doc, query.id, mapMade(actorOf(c), { action: 'map.create', template: name })), 201);
    });
}
