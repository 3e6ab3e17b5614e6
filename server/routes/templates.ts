import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/app.js';
import { badRequest, notFound } from '../errors.js';
import { MapAnswer, MapId, createDraft, param } from './map-views.js';

/** A template's name: its file name without `.json`. Nothing else, so no path can escape the folder. */
const TEMPLATE_NAME = /^[a-z0-9-]+$/;

const TemplateInfo = z.object({
  name: z.string(), title: z.string(), description: z.string(), elements: z.number(),
  fields: z.array(z.object({ key: z.string(), label: z.string(), type: z.string() })),
});
type TemplateInfo = z.infer<typeof TemplateInfo>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A map file has a list of elements; a scoring model (`recommended-scoring.json`) or a schema does not. */
const isMap = (v: unknown): v is Record<string, unknown> & { elements: unknown[] } => isObject(v) && Array.isArray(v.elements);

/** The parsed JSON of a file, or undefined when it is missing or not JSON. */
async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function describe(name: string, doc: Record<string, unknown> & { elements: unknown[] }): TemplateInfo {
  const fields = Array.isArray(doc.fields) ? doc.fields.filter(isObject) : [];
  return {
    name,
    title: typeof doc.name === 'string' ? doc.name : name,
    description: typeof doc.description === 'string' ? doc.description : '',
    elements: doc.elements.length,
    fields: fields.map((f) => ({ key: String(f.key ?? ''), label: String(f.label ?? f.key ?? ''), type: String(f.type ?? '') })),
  };
}

/**
 * The template maps in a folder, by name. Read on every call: the folder is small, and a file
 * dropped into it shows up without a restart. A missing folder has no templates.
 */
async function listTemplates(dir: string): Promise<TemplateInfo[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const out: TemplateInfo[] = [];
  for (const file of files.sort()) {
    const name = file.endsWith('.json') ? file.slice(0, -'.json'.length) : '';
    if (!TEMPLATE_NAME.test(name)) continue; // map.schema.json, and names the import could not take
    const doc = await readJsonFile(join(dir, file));
    if (isMap(doc)) out.push(describe(name, doc));
  }
  return out;
}

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
      const doc = await readJsonFile(join(deps.templatesDir, `${name}.json`));
      // A missing file, one that is not JSON and one that is not a map (a scoring model) are all "no such template".
      if (!isMap(doc)) throw notFound(`No template named "${name}": GET /api/templates lists them`);
      return c.json(await createDraft(deps, doc, query.id), 201);
    });
}
