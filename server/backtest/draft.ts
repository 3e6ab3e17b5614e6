/**
 * The draft a backtest tries (SPEC §11): a scoring model or a map, inline or by id, checked as
 * saving or publishing it would check it, so a draft that could not go live is refused the same way.
 */
import { FieldRegistry } from '../../engine/schema/field.js';
import type { MapDocument } from '../../engine/schema/map.js';
import type { ScoringModel } from '../../engine/scoring/model.js';
import { mapFieldRegistry } from '../../engine/validate.js';
import { badRequest, invalid, notFound } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { checkMap, readMapDocument } from '../runtime/maps.js';
import { readModel } from '../runtime/scoring.js';
import { getModelVersion } from '../scoring/versions.js';

/** A draft, ready to run in a private copy: it replaces the published model or map of its id, or joins them. */
export type Draft =
  | { readonly kind: 'model'; readonly id: string; readonly model: ScoringModel }
  | { readonly kind: 'map'; readonly id: string; readonly doc: MapDocument };

/** What a request names: `model` or `map`, each inline or `{ id }` (a model may add `version`). */
export interface DraftRef {
  readonly model?: { readonly id: string; readonly version?: number } | Record<string, unknown>;
  readonly map?: { readonly id: string } | Record<string, unknown>;
  /** The saved map an inline map draft stands for (its unsaved changes); without it, an inline map joins the published ones. */
  readonly replaces?: string;
}

const isRef = (v: Record<string, unknown>): boolean => typeof v.id === 'string' && Object.keys(v).every((k) => k === 'id' || k === 'version');

/** The id a map draft runs under when it is not a saved map's: it joins the published maps. */
export const INLINE_MAP_ID = 'backtest-draft';

/**
 * Reads and checks the draft: 404 for an unknown id, 422 with the problems for a model that saving
 * would refuse or a map that publishing would refuse (the same messages), 400 for neither or both.
 */
export async function readDraft(rt: Runtime, ref: DraftRef): Promise<Draft> {
  if ((ref.model === undefined) === (ref.map === undefined)) {
    throw badRequest('Name the draft to try: "model" (a scoring model, inline or { "id" }) or "map" (a map, inline or { "id" }), one of them');
  }
  if (ref.model !== undefined) return readModelDraft(rt, ref.model as Record<string, unknown>);
  return readMapDraft(rt, ref.map as Record<string, unknown>, ref.replaces);
}

async function readModelDraft(rt: Runtime, given: Record<string, unknown>): Promise<Draft> {
  let doc: unknown = given;
  if (isRef(given)) {
    const id = given.id as string;
    const record = await rt.store.getModel(id);
    if (!record) throw notFound(`No scoring model with id "${id}"`);
    doc = record.doc;
    if (given.version !== undefined) {
      if (typeof given.version !== 'number' || !Number.isInteger(given.version) || given.version < 1) throw badRequest('"version" is a version number: 1, 2, 3, …');
      const v = await getModelVersion(rt.store.db, id, given.version);
      if (!v) throw notFound(`The scoring model "${id}" has no version ${given.version}`);
      doc = v.doc;
    }
  }
  // The checks saving the model makes, against the fields the database knows.
  const { model, problems } = readModel(doc, new FieldRegistry(await rt.store.listFields()));
  if (problems.length) throw invalid(problems[0].message, { problems });
  const taken = (await rt.store.listModels()).find((r) => r.id !== model.id && (r.doc as { field?: string }).field === model.field);
  if (taken) {
    const message = `The model "${(taken.doc as { name?: string }).name ?? taken.id}" already writes ${model.field}: one number field is written by one model (give this model a field of its own)`;
    throw invalid(message, { problems: [{ element: null, path: 'field', message, severity: 'error' }] });
  }
  return { kind: 'model', id: model.id, model };
}

async function readMapDraft(rt: Runtime, given: Record<string, unknown>, replaces: string | undefined): Promise<Draft> {
  let input: unknown = given;
  let id = INLINE_MAP_ID;
  if (replaces !== undefined) {
    if (isRef(given)) throw badRequest('"replaces" goes with an inline map: a map given by { "id" } is that map\'s saved draft already');
    if (!(await rt.store.getMap(replaces))) throw notFound(`No map with id "${replaces}" (named by "replaces")`);
    id = replaces;
  } else if (isRef(given)) {
    id = given.id as string;
    const record = await rt.store.getMap(id);
    if (!record) throw notFound(`No map with id "${id}"`);
    // The saved draft: what publishing the map now would make live.
    input = record.doc;
  }
  const doc = readMapDocument(input);
  const problems = (await checkMap(rt, doc, id === INLINE_MAP_ID ? undefined : id)).filter((p) => p.severity === 'error');
  if (problems.length) throw invalid(`The map has ${problems.length} problem${problems.length > 1 ? 's' : ''} to fix before it can be published`, { problems });
  return { kind: 'map', id, doc };
}

/**
 * The number field a backtest compares: the one asked for, else the model's score field, else the
 * first number field the map's "Update a field" elements write. Refused (422) when there is none.
 */
export async function comparedField(rt: Runtime, draft: Draft, asked: string | undefined): Promise<string> {
  let fields = new FieldRegistry(await rt.store.listFields());
  if (draft.kind === 'model') fields = fields.with((draft.model.fields ?? []).map((f) => ({ ...f })));
  else fields = mapFieldRegistry(draft.doc, fields);
  if (asked !== undefined) {
    const f = fields.resolve(asked);
    if (!f) throw invalid(`"${asked}" is not a field: give the key or label of a number field to compare`);
    if (f.type !== 'number') throw invalid(`${f.label} is a ${f.type} field: a backtest compares a number field (a score)`);
    return f.key;
  }
  if (draft.kind === 'model') return fields.resolve(draft.model.field)?.key ?? draft.model.field;
  for (const el of draft.doc.elements) {
    if (el.kind !== 'update_field') continue;
    const f = fields.resolve(el.field);
    if (f?.type === 'number') return f.key;
  }
  throw invalid('The map writes no number field: say which score to compare with "field" (its key or label)');
}
