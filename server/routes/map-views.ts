import type { Context } from 'hono';
import { z } from 'zod';
import type { Problem } from '../../engine/elements/types.js';
import { diffMaps, isSameMap, sameJson } from '../../engine/map-diff.js';
import { parseMapDocument } from '../../engine/parse.js';
import { MapStatus } from '../../engine/schema/map.js';
import type { AppDeps } from '../http/deps.js';
import { notFound } from '../errors.js';
import { checkMap, createMap, readMapDocument } from '../runtime/maps.js';
import type { Runtime } from '../runtime/runtime.js';
import type { MapRecord } from '../store/store.js';
import type { AuditHook } from '../audit/log.js';

/** A map id: what element ids are, so it fits a URL and a file name unchanged. */
export const MapId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a map id is 1 to 64 letters, digits, "_" or "-"');

/**
 * A map document in a request. Zod lets anything through here on purpose: the map reader checks it
 * and answers 422 with problems that name each element, which a 400 from a schema could not.
 */
export const MapJson = z.unknown().meta({
  description: 'A map document (docs/reference/elements.md); its JSON Schema is maps/map.schema.json. A map not in the format is refused with 422 and `details.problems`.',
});

/** A validation problem as the API answers it. */
export const ProblemList = z.array(z.object({
  element: z.string().nullable(), path: z.string(), message: z.string(), severity: z.enum(['error', 'warning']),
  cycle: z.array(z.string()).optional(),
}));

const Iso = z.string();
/** A map with its draft document. */
export const MapView = z.object({
  id: z.string(), name: z.string(), status: MapStatus, version: z.number().nullable(), rev: z.number(),
  createdAt: Iso, updatedAt: Iso, doc: z.unknown(),
});
/** What creating, reading and saving a map answer: the map and the problems of its draft. */
export const MapAnswer = z.object({ map: MapView, problems: ProblemList });
/** A line of the maps list. */
export const MapSummary = MapView.omit({ doc: true }).extend({
  contactsOnMap: z.number(), errors: z.number(),
  unpublishedChanges: z.boolean().meta({ description: 'The saved draft differs from the running version (false before the first publish).' }),
});

/** The map as the API shows it, with its draft document. */
export function mapView(m: MapRecord): z.infer<typeof MapView> {
  return {
    id: m.id, name: m.name, status: m.status, version: m.version, rev: m.rev,
    createdAt: new Date(m.createdAt).toISOString(), updatedAt: new Date(m.updatedAt).toISOString(), doc: m.doc,
  };
}

/** A line of the maps list: the map with how many contacts are on it, its error count, and whether its draft is live. */
export async function summarize(rt: Runtime, m: MapRecord): Promise<z.infer<typeof MapSummary>> {
  const { doc: _doc, ...rest } = mapView(m);
  const stats = Object.values(await rt.store.getStats(m.id));
  return {
    ...rest,
    contactsOnMap: stats.reduce((n, s) => n + s.hereNow, 0),
    errors: stats.reduce((n, s) => n + s.errors, 0),
    unpublishedChanges: await draftDiffers(rt, m),
  };
}

/** Whether the saved draft differs from the running version, as the editor's "Unpublished changes" says. */
async function draftDiffers(rt: Runtime, m: MapRecord): Promise<boolean> {
  if (m.version === null) return false;
  const running = await rt.store.getVersion(m.id, m.version);
  const a = parseMapDocument(running);
  const b = parseMapDocument(m.doc);
  // A stored document the format no longer reads is compared as it is.
  return a.ok && b.ok ? !isSameMap(diffMaps(a.doc, b.doc)) : !sameJson(running, m.doc);
}

/** The map with this id, or 404. */
export async function loadMap(rt: Runtime, id: string): Promise<MapRecord> {
  const m = await rt.store.getMap(id);
  if (!m) throw notFound(`No map with id "${id}"`);
  return m;
}

/** The problems of a document: format problems when it is not a map, else the validation's. */
export async function draftProblems(rt: Runtime, doc: unknown, mapId?: string): Promise<Problem[]> {
  const parsed = parseMapDocument(doc);
  return parsed.ok ? checkMap(rt, parsed.doc, mapId) : parsed.problems;
}

/**
 * Creates a draft from untrusted JSON (POST /api/maps, /api/maps/import, template import): 422 with
 * the problems when it is not a map, 409 when the given id is taken; answers the map and its problems.
 */
export async function createDraft(deps: AppDeps, input: unknown, id?: string, audit?: AuditHook<MapRecord>): Promise<{ map: z.infer<typeof MapView>; problems: Problem[] }> {
  const doc = readMapDocument(input);
  const { map, problems } = await createMap(deps.rt, doc, id, audit);
  return { map: mapView(map), problems };
}

/** A path parameter (always present: the route names it). */
export const param = (c: Context, name: string): string => c.req.param(name) ?? '';

