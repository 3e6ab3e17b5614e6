import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** A template's name: its file name without `.json`. Nothing else, so no path can escape the folder. */
export const TEMPLATE_NAME = /^[a-z0-9-]+$/;

export const TemplateInfo = z.object({
  name: z.string(), title: z.string(), description: z.string(), elements: z.number(),
  fields: z.array(z.object({ key: z.string(), label: z.string(), type: z.string() })),
});
export type TemplateInfo = z.infer<typeof TemplateInfo>;

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
export async function listTemplates(dir: string): Promise<TemplateInfo[]> {
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

/**
 * A template's map document, or undefined when there is no such map: a missing file, one that is
 * not JSON and one that is not a map (a scoring model) are all "no such template".
 */
export async function readTemplate(dir: string, name: string): Promise<(Record<string, unknown> & { elements: unknown[] }) | undefined> {
  if (!TEMPLATE_NAME.test(name)) return undefined;
  const doc = await readJsonFile(join(dir, `${name}.json`));
  return isMap(doc) ? doc : undefined;
}
