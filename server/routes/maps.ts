import { z } from 'zod';
import { ElementId } from '../../engine/elements/base.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, conflict, invalid, notFound } from '../errors.js';
import { addToMap } from '../runtime/contacts.js';
import { exportDocument } from './map-export.js';
import { checkMap, pauseMap, publishMap, readMapDocument, resumeMap, saveDraft, slugify, worldWarnings } from '../runtime/maps.js';
import { FieldRegistry } from '../../engine/schema/field.js';
import { auditHook, recordAudit } from '../audit/log.js';
import { draftSaved, mapMade, publishEntry } from '../audit/map-changes.js';
import { count, q } from '../audit/words.js';
import { actorOf } from '../people/actor.js';
import {
  MapAnswer, MapId, MapJson, MapSummary, ProblemList, createDraft, draftProblems, loadMap, mapView, param, summarize,
} from './map-views.js';

const CreateQuery = z.object({ id: MapId.optional() });
const SaveBody = z.strictObject({ rev: z.number().int().positive(), map: MapJson });
const ValidateBody = z.strictObject({ map: MapJson });
const PublishBody = z.strictObject({ relocate: z.record(ElementId, ElementId).optional() });
const RestoreBody = z.strictObject({ rev: z.number().int().positive().optional() });
const ExportQuery = z.object({ version: z.coerce.number().int().positive().optional() });
const ContactsBody = z.strictObject({ contactIds: z.array(z.string().min(1).max(256)).min(1).max(10_000) });
const VersionParam = z.coerce.number().int().positive();
const Iso = z.string();
const Author = z.string().nullable().meta({ description: 'Who published it, as the audit log names them; null for versions published before people existed' });
const ElementStats = z.object({
  hereNow: z.number(), wereHere: z.number(), errors: z.number(), lastError: z.string().nullable(), lastErrorAt: Iso.nullable(),
});

/** A version number from the path: `/versions/abc` is a 400, `/versions/99` a 404 later. */
function versionParam(raw: string): number {
  const parsed = VersionParam.safeParse(raw);
  if (!parsed.success) throw badRequest(`"${raw}" is not a version number: versions are numbered 1, 2, 3, …`);
  // Versions are stored as 32-bit integers: a larger one cannot exist (and PostgreSQL would refuse to compare it).
  if (parsed.data > 2_147_483_647) throw notFound(`No version ${raw} of this map`);
  return parsed.data;
}

/**
 * `/api/maps` (SPEC §6): drafts, validation, publishing with relocation, pause and resume,
 * versions, import and export, per-element stats, and adding contacts to a manual trigger.
 */
export function mapsRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const versionDoc = async (id: string, version: number) => {
    // Versions are 32-bit integers in the database: a larger one cannot exist (PostgreSQL would refuse to compare it).
    const doc = version > 2_147_483_647 ? null : await rt.store.getVersion(id, version);
    if (doc === null) throw notFound(`Map "${id}" has no version ${version}`);
    return doc;
  };
  return new ApiRouter('/api/maps', 'Maps')
    .op({ method: 'get', path: '/', summary: 'List the maps', response: z.object({ maps: z.array(MapSummary) }) }, async (c) => {
      const maps = await Promise.all((await rt.store.listMaps()).map((m) => summarize(rt, m)));
      return c.json({ maps });
    })
    .op({
      method: 'post', path: '/', summary: 'Create a draft from map JSON', query: CreateQuery, body: MapJson, status: 201, response: MapAnswer,
      description: 'The id is a slug of the name plus a short random suffix unless `?id=` gives one. A map not in the format is refused with 422 and `details.problems`.',
    }, async (c, { body, query }) => c.json(await createDraft(deps, body, query.id, mapMade(actorOf(c), { action: 'map.create' })), 201))
    .op({ method: 'post', path: '/import', summary: 'Import a map file as a new draft', query: CreateQuery, body: MapJson, status: 201, response: MapAnswer },
      async (c, { body, query }) => c.json(await createDraft(deps, body, query.id, mapMade(actorOf(c), { action: 'map.import' })), 201))
    .op({ method: 'get', path: '/:id', summary: 'Read a map: its draft, rev, status, version and problems', response: MapAnswer }, async (c) => {
      const m = await loadMap(rt, param(c, 'id'));
      return c.json({ map: mapView(m), problems: await draftProblems(rt, m.doc, m.id) });
    })
    .op({
      method: 'put', path: '/:id', summary: 'Save the draft', body: SaveBody, response: MapAnswer,
      description: '`rev` is the rev the client last read; a save over a newer one is refused with 409.',
    }, async (c, { body }) => {
      const id = param(c, 'id');
      await loadMap(rt, id);
      const doc = readMapDocument(body.map);
      // A field the map declares that clashes with an existing one is refused before anything is written.
      const fieldErrors = (await checkMap(rt, doc)).filter((p) => p.severity === 'error' && p.path.startsWith('fields'));
      if (fieldErrors.length) throw invalid(fieldErrors[0].message, { problems: fieldErrors });
      const { map, problems } = await saveDraft(rt, id, doc, body.rev, draftSaved(actorOf(c)));
      return c.json({ map: mapView(map), problems });
    })
    .op({ method: 'delete', path: '/:id', summary: 'Delete a map, taking every contact off it', status: 204 }, async (c) => {
      const id = param(c, 'id');
      await rt.changeWorld(async () => {
        const m = await rt.store.getMap(id);
        if (!m) throw notFound(`No map with id "${id}"`);
        const now = rt.clock.now();
        await rt.store.transaction(async (s) => {
          const on = await s.positionsAt(id, Object.keys(await s.positionsByElement(id)));
          // Like a publish that removes an element: history tells each contact where they were.
          if (on.length) await s.insertHistory(on.map((p) => ({ contactId: p.contactId, at: now, field: `map:${id}`, from: p.elementId, to: null, cause: { api: true as const } })));
          await s.deleteMap(id);
          await recordAudit(s.db, actorOf(c), {
            action: 'map.delete', targetType: 'map', targetId: id,
            summary: `Deleted the map ${q(m.name)}${on.length ? `, taking ${count(on.length, 'contact')} off it` : ''}`,
            detail: { version: m.version, contactsOnMap: on.length },
          }, now);
        });
      });
      return c.body(null, 204);
    })
    .op({
      method: 'post', scope: 'read', role: 'viewer', path: '/:id/validate', summary: 'Validate the saved draft, or the map in the body',
      description: 'Optional body `{ "map": MapJSON }`. A map not in the format answers `valid: false` with its problems.',
      body: ValidateBody, bodyOptional: true,
      response: z.object({ valid: z.boolean(), problems: ProblemList }),
    }, async (c, { body: given }) => {
      const m = await loadMap(rt, param(c, 'id'));
      const problems = await draftProblems(rt, given ? given.map : m.doc, m.id);
      return c.json({ valid: !problems.some((p) => p.severity === 'error'), problems });
    })
    .op({
      method: 'post', path: '/:id/publish', summary: 'Publish the draft as the next version',
      description: 'Optional body `{ "relocate": { "removedElementId": "newElementId" } }`. Errors in the map block it (422 with `details.problems`).',
      body: PublishBody, bodyOptional: true,
      response: z.object({ version: z.number(), relocated: z.number(), removed: z.record(z.string(), z.number()) }),
    }, async (c, { body }) => {
      const relocate = body?.relocate ?? {};
      const id = param(c, 'id');
      return c.json(await publishMap(rt, id, relocate, auditHook(actorOf(c), (r) => publishEntry(id, r.name, r, relocate))));
    })
    .op({
      method: 'get', path: '/:id/publish-preview', summary: 'How many contacts sit on elements the draft removes, and warnings about other maps and models',
      description: '`warnings`: what the draft does together with the published maps and the scoring models (a field two of them decay, field_updated chains that fan out); they do not block publishing.',
      response: z.object({ removed: z.record(z.string(), z.number()), warnings: ProblemList }),
    }, async (c) => {
      const id = param(c, 'id');
      const m = await loadMap(rt, id);
      const doc = readMapDocument(m.doc);
      const ids = new Set(doc.elements.map((e) => e.id));
      const here = await rt.store.positionsByElement(id);
      const warnings = worldWarnings(rt, doc, new FieldRegistry(await rt.store.listFields()), id);
      return c.json({ removed: Object.fromEntries(Object.entries(here).filter(([el]) => !ids.has(el))), warnings });
    })
    .op({ method: 'post', path: '/:id/pause', summary: 'Pause a published map', response: MapSummary }, async (c) => {
      const id = param(c, 'id');
      await pauseMap(rt, id, auditHook(actorOf(c), (m) => ({ action: 'map.pause', targetType: 'map', targetId: id, summary: `Paused the map ${q(m.name)}` })));
      return c.json(await summarize(rt, await loadMap(rt, id)));
    })
    .op({ method: 'post', path: '/:id/resume', summary: 'Resume a paused map; overdue waits fire now', response: MapSummary }, async (c) => {
      const id = param(c, 'id');
      await resumeMap(rt, id, auditHook(actorOf(c), (m) => ({ action: 'map.resume', targetType: 'map', targetId: id, summary: `Resumed the map ${q(m.name)}` })));
      return c.json(await summarize(rt, await loadMap(rt, id)));
    })
    .op({
      method: 'get', path: '/:id/versions', summary: 'List the published versions',
      response: z.object({ versions: z.array(z.object({ version: z.number(), publishedAt: Iso, author: Author, current: z.boolean() })) }),
    }, async (c) => {
      const m = await loadMap(rt, param(c, 'id'));
      const versions = (await rt.store.listVersions(m.id)).map((v) => ({
        version: v.version, publishedAt: new Date(v.publishedAt).toISOString(), author: v.author, current: v.version === m.version,
      }));
      return c.json({ versions });
    })
    .op({
      method: 'get', path: '/:id/versions/:version', summary: 'Read one published version',
      response: z.object({ version: z.number(), publishedAt: Iso, author: Author, current: z.boolean(), doc: z.unknown() }),
    }, async (c) => {
      const m = await loadMap(rt, param(c, 'id'));
      const version = versionParam(param(c, 'version'));
      const doc = await versionDoc(m.id, version);
      const { publishedAt, author } = (await rt.store.listVersions(m.id)).find((v) => v.version === version)!;
      return c.json({ version, publishedAt: new Date(publishedAt).toISOString(), author, current: version === m.version, doc });
    })
    .op({
      method: 'post', path: '/:id/versions/:version/restore', summary: 'Copy a published version into the draft',
      description: 'Optional body `{ "rev": n }` refuses the restore (409) when the draft changed since rev n.',
      body: RestoreBody, bodyOptional: true,
      response: MapAnswer,
    }, async (c, { body }) => {
      const m = await loadMap(rt, param(c, 'id'));
      const version = versionParam(param(c, 'version'));
      const doc = await versionDoc(m.id, version);
      const { map, problems } = await saveDraft(rt, m.id, doc, body?.rev ?? m.rev, auditHook(actorOf(c), ({ after }) => ({
        action: 'map.restore', targetType: 'map', targetId: m.id,
        summary: `Copied version ${version} of ${q(after.name)} into its draft`, detail: { version, rev: after.rev },
      })));
      return c.json({ map: mapView(map), problems });
    })
    .op({
      method: 'get', path: '/:id/export', summary: 'Download the map JSON (the draft, or `?version=N`)', query: ExportQuery,
    }, async (c, { query }) => {
      const m = await loadMap(rt, param(c, 'id'));
      const doc = exportDocument(query.version === undefined ? m.doc : await versionDoc(m.id, query.version), rt.world.fields);
      const file = `${slugify(m.name)}${query.version === undefined ? '' : `-v${query.version}`}.json`;
      return c.body(`${JSON.stringify(doc, null, 2)}\n`, 200, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
      });
    })
    .op({
      method: 'get', path: '/:id/stats', summary: 'Here now, were here and errors per element',
      response: z.object({ version: z.number().nullable(), elements: z.record(z.string(), ElementStats), totals: ElementStats.pick({ hereNow: true, wereHere: true, errors: true }) }),
    }, async (c) => {
      const m = await loadMap(rt, param(c, 'id'));
      const stats = await rt.store.getStats(m.id);
      const doc = m.version === null ? m.doc : await rt.store.getVersion(m.id, m.version);
      const empty = { hereNow: 0, wereHere: 0, errors: 0, lastError: null, lastErrorAt: null };
      // Every element of the running version (the draft before a first publish), then any other that has counts.
      const ids = [...new Set([...readMapDocument(doc).elements.map((e) => e.id), ...Object.keys(stats)])];
      const elements = Object.fromEntries(ids.map((el) => {
        const s = stats[el] ?? empty;
        return [el, { ...s, lastErrorAt: s.lastErrorAt === null ? null : new Date(s.lastErrorAt).toISOString() }];
      }));
      const sum = (k: 'hereNow' | 'wereHere' | 'errors') => Object.values(stats).reduce((n, s) => n + s[k], 0);
      return c.json({ version: m.version, elements, totals: { hereNow: sum('hereNow'), wereHere: sum('wereHere'), errors: sum('errors') } });
    })
    .op({
      method: 'post', path: '/:id/contacts', summary: 'Add contacts to the map through its manual trigger', body: ContactsBody,
      response: z.object({ added: z.number() }),
    }, async (c, { body }) => {
      const m = await loadMap(rt, param(c, 'id'));
      if (m.status === 'draft') throw conflict('The map is not published yet: publish it, then add contacts');
      if (m.status === 'paused') throw conflict('The map is paused: resume it to add contacts');
      const ids = [...new Set(body.contactIds)];
      const answer = await addToMap(rt, m.id, ids);
      // addToMap runs the contacts in batches of its own: the entry follows once they are in.
      if (answer.added) {
        await recordAudit(rt.store.db, actorOf(c), {
          action: 'map.enroll', targetType: 'map', targetId: m.id,
          summary: `Added ${count(answer.added, 'contact')} to ${q(m.name)} by hand`, detail: { asked: ids.length, added: answer.added },
        }, rt.clock.now());
      }
      return c.json(answer);
    });
}
