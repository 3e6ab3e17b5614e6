import { createHash } from 'node:crypto';
import { durationMs } from '../../engine/schema/duration.js';
import { FieldRegistry } from '../../engine/schema/field.js';
import type { MapDocument } from '../../engine/schema/map.js';
import type { Problem } from '../../engine/elements/types.js';
import { nextTick } from '../../engine/elements/trigger.js';
import { parseMapDocument } from '../../engine/parse.js';
import { mapFieldRegistry, validateMap } from '../../engine/validate.js';
import { fanOutWarnings } from '../../engine/validate-fan-out.js';
import { sharedDecayWarnings } from './shared-decay.js';
import { challengerMapProblems, parseModels } from '../scoring/challenger-check.js';
import type { MapRecord } from '../store/store.js';
import { conflict, invalid, notFound } from '../errors.js';
import { BATCH, type Runtime } from './runtime.js';
import { compileMap } from '../../engine/compile.js';
import { processWork } from '../../engine/cascade.js';
import { Effects } from '../../engine/effects.js';
import type { AuditHook } from '../audit/log.js';

/** Parses untrusted JSON into a map document, or refuses it with the problems (422). */
export function readMapDocument(input: unknown): MapDocument {
  const parsed = parseMapDocument(input);
  if (!parsed.ok) {
    const first = parsed.problems[0]?.message;
    throw invalid(`The map is not in Scoremap's format${first ? `: ${first}` : ''}`, { problems: parsed.problems });
  }
  return parsed.doc;
}

/**
 * Checks a map against the fields the database knows, and (warnings) its field_updated chains
 * with the published maps and the fields it decays that a published map or a scoring model decays
 * too (`mapId`: the map's own published version is left out).
 */
export async function checkMap(rt: Runtime, doc: MapDocument, mapId?: string): Promise<Problem[]> {
  const fields = new FieldRegistry(await rt.store.listFields());
  const problems = validateMap(doc, fields);
  if (problems.some((p) => p.severity === 'error')) return problems;
  const theirs: Problem[] = [];
  for (const hook of rt.hooks) if (hook.checkMap) theirs.push(...(await hook.checkMap(rt.store, doc)));
  theirs.push(...challengerMapProblems(doc, fields, parseModels((await rt.store.listModels()).map((r) => r.doc))));
  return [...problems, ...theirs, ...worldWarnings(rt, doc, fields, mapId)];
}

/**
 * The warnings only the server can give, as they need the other published maps and the scoring
 * models: field_updated chains that fan out, and a field decayed twice. The publish dialog shows them.
 */
export function worldWarnings(rt: Runtime, doc: MapDocument, known: FieldRegistry, mapId?: string): Problem[] {
  const others = rt.world.maps.filter((m) => m.id !== mapId).map((m) => ({ id: m.id, doc: m.doc, fields: m.fields }));
  const own = mapFieldRegistry(doc, known);
  return [...fanOutWarnings({ id: mapId ?? '', doc, fields: own }, others), ...sharedDecayWarnings(rt.world, doc, own, mapId)];
}

/**
 * A readable slug of a name for ids and file names: "Custom Lead Score!" → "custom-lead-score".
 * Accents are dropped (é → e); a name with nothing left gives "map".
 */
export function slugify(name: string, max = 48): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return slug || 'map';
}

/**
 * A new map id: the slug of the name and a short suffix drawn from the runtime's ids (random in
 * production, counted in tests), e.g. `custom-lead-score-3f9a`. Longer when the short one is taken.
 */
export async function newMapId(rt: Runtime, name: string): Promise<string> {
  const slug = slugify(name);
  for (let attempt = 0; ; attempt++) {
    const suffix = createHash('sha256').update(rt.ids()).digest('hex').slice(0, attempt < 4 ? 4 : 12);
    const id = `${slug}-${suffix}`;
    if (attempt >= 8 || !(await rt.store.getMap(id))) return id;
  }
}

/** A map may not declare a field that clashes with an existing one: nothing is saved (422). */
function refuseFieldConflicts(problems: readonly Problem[]): void {
  const fieldErrors = problems.filter((p) => p.severity === 'error' && p.element === null && p.path.startsWith('fields'));
  if (fieldErrors.length) throw invalid(fieldErrors[0].message, { problems: fieldErrors });
}

/**
 * Creates a draft from a map document: creates the custom fields it declares (refusing one whose
 * key exists with another type) and answers the draft with its validation warnings. `audit`
 * writes its entry in the same transaction.
 */
export async function createMap(rt: Runtime, input: unknown, givenId?: string, audit?: AuditHook<MapRecord>): Promise<{ map: MapRecord; problems: Problem[] }> {
  const doc = readMapDocument(input);
  // Fields it declares are created: a change to the world, like a publish.
  return rt.changeWorld(async () => {
    const id = givenId ?? (await newMapId(rt, doc.name));
    const problems = await checkMap(rt, doc, id);
    refuseFieldConflicts(problems);
    const now = rt.clock.now();
    const map = await rt.store.transaction(async (s) => {
      if (doc.fields?.length) await s.createFields(doc.fields, now);
      if (await s.getMap(id)) throw conflict(`A map with id "${id}" already exists`);
      const made = await s.insertMap({ id, name: doc.name, doc, now });
      await audit?.write(s.db, made, now);
      return made;
    });
    return { map, problems };
  });
}

/** Saves the draft if `rev` is the current one; a stale save gets 409 (SPEC §6). `audit` sees the map before and after. */
export async function saveDraft(
  rt: Runtime, id: string, input: unknown, rev: number, audit?: AuditHook<{ before: MapRecord; after: MapRecord }>,
): Promise<{ map: MapRecord; problems: Problem[] }> {
  const doc = readMapDocument(input);
  return rt.changeWorld(async () => {
    const now = rt.clock.now();
    const problems = await checkMap(rt, doc, id);
    refuseFieldConflicts(problems);
    const map = await rt.store.transaction(async (s) => {
      if (doc.fields?.length) await s.createFields(doc.fields, now);
      const before = audit ? await s.getMap(id) : null;
      const saved = await s.updateDraft(id, doc, doc.name, rev, now);
      if (saved === null) throw notFound(`No map with id "${id}"`);
      if (saved === 'conflict') throw conflict('Someone else changed this map since you opened it: reload it, then make your change again');
      if (before) await audit?.write(s.db, { before, after: saved }, now);
      return saved;
    });
    return { map, problems };
  });
}

export interface PublishResult {
  readonly version: number;
  /** Contacts moved to another element, and contacts who left the map, by removed element. */
  readonly relocated: number;
  readonly removed: Record<string, number>;
}

/**
 * Makes the draft the running version. Errors block (422 with the problems). Contacts on elements
 * the new version no longer has go where `relocate` says, or leave the map (recorded in history).
 * Date triggers are armed for every contact with a value; those already past fire at once.
 * `audit` names the version's author and writes its entry in the publish's transaction.
 */
export async function publishMap(
  rt: Runtime, id: string, relocate: Readonly<Record<string, string>> = {}, audit?: AuditHook<PublishResult & { name: string }>,
): Promise<PublishResult> {
  return rt.changeWorld(async () => {
    const record = await rt.store.getMap(id);
    if (!record) throw notFound(`No map with id "${id}"`);
    const doc = readMapDocument(record.doc);
    const problems = (await checkMap(rt, doc, id)).filter((p) => p.severity === 'error');
    if (problems.length) throw invalid(`The map has ${problems.length} problem${problems.length > 1 ? 's' : ''} to fix before it can be published`, { problems });
    const ids = new Set(doc.elements.map((e) => e.id));
    for (const [from, to] of Object.entries(relocate)) {
      const target = doc.elements.find((e) => e.id === to);
      if (!target) throw invalid(`Cannot move contacts to "${to}": the new version has no such element`);
      if (target.kind === 'trigger') throw invalid(`Cannot move contacts to the trigger "${to}": pick the element after it`);
      if (ids.has(from)) throw invalid(`"${from}" is still in the map: only contacts on removed elements are relocated`);
    }
    const now = rt.clock.now();
    const version = (record.version ?? 0) + 1;
    const result = await rt.store.transaction(async (s) => {
      await s.insertVersion(id, version, doc, now, audit?.by.name ?? null);
      await s.setMapState(id, { status: record.status === 'paused' ? 'paused' : 'published', version }, now);
      const here = await s.positionsByElement(id);
      let relocated = 0;
      const removed: Record<string, number> = {};
      const moved = await s.positionsAt(id, Object.keys(relocate));
      for (const [elementId, count] of Object.entries(here)) {
        if (ids.has(elementId)) continue;
        removed[elementId] = count;
        const to = relocate[elementId];
        if (to) relocated += await s.movePositions(id, elementId, to, version);
      }
      const leaving = (await s.positionsAt(id, Object.keys(removed).filter((e) => !relocate[e])));
      if (leaving.length) {
        await s.deletePositions(leaving.map((p) => ({ mapId: id, contactId: p.contactId })));
        await s.insertHistory(leaving.map((p) => ({
          contactId: p.contactId, at: now, field: `map:${id}`, from: p.elementId, to: null,
          cause: { publish: { map: id, version } },
        })));
      }
      await s.setVersionForMap(id, version);
      await armTriggers(s, id, doc, now);
      if (moved.length) await arrive(rt, s, { id, version, paused: record.status === 'paused', doc }, moved.map((p) => p.contactId), now);
      await audit?.write(s.db, { version, relocated, removed, name: doc.name }, now);
      return { version, relocated, removed };
    });
    return result;
  }).then(async (r) => {
    await rt.settle();
    return r;
  });
}

/**
 * Relocated contacts arrive at their new element as if they had just reached it: a wait starts
 * from now, anything else runs on at once. Inside the publish's transaction, on the new version:
 * a crash right after the commit must not leave them at the new element with the old one's due time.
 */
async function arrive(rt: Runtime, s: Runtime['store'], m: { id: string; version: number; paused: boolean; doc: MapDocument }, contactIds: string[], now: number): Promise<void> {
  const fields = new FieldRegistry(await s.listFields());
  const map = compileMap(m, fields);
  const others = rt.world.maps;
  const world = { ...rt.world, fields, maps: others.some((x) => x.id === m.id) ? others.map((x) => (x.id === m.id ? map : x)) : [...others, map] };
  const states = await s.loadContacts(contactIds);
  const effects = new Effects();
  for (const id of contactIds) {
    const state = states.get(id);
    if (state) processWork(world, state, { kind: 'arrive', mapId: m.id }, now, effects);
  }
  await rt.flush(s, effects, now);
}

/** Arms the date triggers and cron schedules of a newly published version; drops the old ones. */
async function armTriggers(s: Runtime['store'], mapId: string, doc: MapDocument, now: number): Promise<void> {
  const fields = new FieldRegistry(await s.listFields());
  const dates: string[] = [];
  const schedules: { mapId: string; elementId: string; nextAt: number }[] = [];
  for (const el of doc.elements) {
    if (el.kind !== 'trigger') continue;
    if (el.on.type === 'date_reached') {
      const key = fields.resolve(el.on.field)?.key;
      if (!key) continue;
      dates.push(el.id);
      await s.armDateTimers(mapId, el.id, key, el.on.offset ? durationMs(el.on.offset) : 0);
    } else if (el.on.type === 'schedule') {
      const next = nextTick(el.on, now);
      if (next !== null) schedules.push({ mapId, elementId: el.id, nextAt: next });
    }
  }
  await s.deleteDateTimersExcept(mapId, dates);
  await dueNow(s, mapId, now, false);
  // Re-publishing keeps a schedule's next tick when its trigger is unchanged.
  const existing = new Map((await s.getSchedules(mapId)).map((r) => [r.elementId, r.nextAt]));
  await s.deleteSchedulesExcept(mapId, schedules.map((r) => r.elementId));
  const keep = schedules.map((r) => ({ ...r, nextAt: existing.get(r.elementId) ?? r.nextAt }));
  if (keep.length) await s.upsertSchedules(keep);
}

/**
 * What came due on a map while it was not running fires at once, at `now`, and once: not back at a
 * time when the map was not published yet, or was paused (a paused decay loop does not catch up).
 * Date timers always; waits (`waits`) on resume.
 */
async function dueNow(s: Runtime['store'], mapId: string, now: number, waits: boolean): Promise<void> {
  for (;;) {
    const overdue = await s.dueDateTimers(mapId, now - 1, BATCH);
    if (!overdue.length) break;
    await s.upsertDateTimers(overdue.map((t) => ({ ...t, dueAt: now })));
  }
  while (waits) {
    const overdue = await s.duePositions(mapId, now - 1, BATCH);
    if (!overdue.length) break;
    await s.upsertPositions(overdue.map((p) => ({ ...p, dueAt: now })));
  }
}

/** Cron ticks that fell while a map was paused admitted no one: its schedules go on from `now`. */
async function skipMissedTicks(s: Runtime['store'], mapId: string, doc: MapDocument, now: number): Promise<void> {
  const missed = (await s.getSchedules(mapId)).filter((r) => r.nextAt < now).flatMap((r) => {
    const el = doc.elements.find((e) => e.id === r.elementId);
    const next = el?.kind === 'trigger' && el.on.type === 'schedule' ? nextTick(el.on, now - 1) : null;
    return next === null ? [] : [{ ...r, nextAt: next }];
  });
  if (missed.length) await s.upsertSchedules(missed);
}

/** Pauses a published map: its triggers admit no one and its waits do not fire. */
export async function pauseMap(rt: Runtime, id: string, audit?: AuditHook<MapRecord>): Promise<void> {
  await rt.changeWorld(async () => {
    const m = await rt.store.getMap(id);
    if (!m) throw notFound(`No map with id "${id}"`);
    if (m.status !== 'published') throw conflict(m.status === 'paused' ? 'The map is already paused' : 'Only a published map can be paused: publish it first');
    const now = rt.clock.now();
    await rt.store.transaction(async (s) => {
      await s.setMapState(id, { status: 'paused' }, now);
      await audit?.write(s.db, m, now);
    });
  });
}

/**
 * Resumes a paused map: overdue waits and date triggers fire once, now; waiting conditions are
 * checked again; cron ticks missed while paused are skipped.
 */
export async function resumeMap(rt: Runtime, id: string, audit?: AuditHook<MapRecord>): Promise<void> {
  await rt.changeWorld(async () => {
    const m = await rt.store.getMap(id);
    if (!m) throw notFound(`No map with id "${id}"`);
    if (m.status !== 'paused') throw conflict('Only a paused map can be resumed');
    const now = rt.clock.now();
    await rt.store.transaction(async (s) => {
      await s.setMapState(id, { status: 'published' }, now);
      await s.recheckConditionsNow(id, now);
      await dueNow(s, id, now, true);
      await skipMissedTicks(s, id, readMapDocument(await s.getVersion(id, m.version!)), now);
      await audit?.write(s.db, m, now);
    });
  });
  await rt.settle();
}
