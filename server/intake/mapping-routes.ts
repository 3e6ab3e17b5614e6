/**
 * The user's own names for the intake (SPEC §10 "a settings table lets a user map names their
 * way"): `GET`/`PUT /api/intake/mapping` read and replace the table `/v1/*` translates with, and
 * `POST /api/intake/preview` shows what a Segment call would become, storing nothing, so a user
 * checks a table (saved or not) before real data goes through it.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { EventType } from '../../engine/schema/event.js';
import { FieldKey, FieldRegistry, type FieldDef } from '../../engine/schema/field.js';
import { conflict, badRequest } from '../errors.js';
import type { AppDeps } from '../http/deps.js';
import { recordAudit } from '../audit/log.js';
import { intakeMappingEntry } from '../audit/setting-changes.js';
import { actorOf } from '../people/actor.js';
import { ApiRouter } from '../http/router.js';
import { normalizeEmail } from '../store/columns.js';
import type { DB } from '../store/schema.js';
import { findIdsByAnonymousId, findIdsByExternalId } from './identity.js';
import { MAPPING_KEY, fieldsOf, readMapping } from './routes.js';
import { eventTypeFor, NameTable, type TypeSource } from './segment-names.js';
import {
  checkBodySize, IntakeMapping, jsonBytes, PROTECTED_FIELDS, SEGMENT_METHODS, snakeCase, STANDARD_EVENTS, translateRequest,
  type IntakeCall, type SegmentRoute,
} from './segment.js';

/** The most rows each table holds: a tracking plan's worth, and a page a person can still read. */
export const MAX_MAPPING_ROWS = 500;

/** Which table a row is in. */
export type MappingTable = 'events' | 'traits';

/** A row refused, by its table and name (`name` is `""` for the table as a whole), in words. */
export interface MappingProblem {
  readonly table: MappingTable;
  readonly name: string;
  readonly message: string;
}

const Table = (what: string) =>
  z.record(z.string().max(1_000), z.string({ error: `each ${what} maps to text ("" to ignore it)` }).max(1_000), {
    error: `"${what}s" is an object of names: { "name as sent": "${what === 'event' ? 'event_type' : 'field_key'}" }`,
  });
const Tables = {
  events: Table('event').meta({ description: 'Segment event name → event type ("" ignores the event)' }),
  traits: Table('trait').meta({ description: 'Trait name or dotted path → contact field key ("" ignores the trait)' }),
};
/** The whole table: both parts are named, so a body missing one does not empty it by accident. */
const MappingBody = z.strictObject({
  ...Tables,
  rev: z.string().max(100).optional().meta({ description: 'The rev GET answered: a table changed since is not overwritten (409)' }),
});
const MappingInput = z.strictObject({ events: Tables.events.default({}), traits: Tables.traits.default({}) });

const ProblemView = z.object({ table: z.enum(['events', 'traits']), name: z.string(), message: z.string() });
const MappingView = z.object({
  events: z.record(z.string(), z.string()),
  traits: z.record(z.string(), z.string()),
  rev: z.string().meta({ description: 'Send it back with PUT' }),
  protectedFields: z.array(z.string()).meta({ description: 'Fields Scoremap keeps, which no trait may write' }),
  standardEvents: z.record(z.string(), z.string()).meta({ description: 'Segment\'s standard names (in snake case) and the types they already give, with no row' }),
  problems: z.array(ProblemView).meta({ description: 'Rows the saved table holds that no longer fit (a field since removed)' }),
});

const ROUTES = [...SEGMENT_METHODS, 'batch'] as const;
const PreviewBody = z.strictObject({
  call: z.unknown().optional().meta({ description: 'A Segment call as sent to /v1/<method>, or a batch { "batch": [ … ] }' }),
  method: z.enum(ROUTES, { error: `the method is one of ${ROUTES.join(', ')}` }).optional()
    .meta({ description: 'The /v1 route to try it on; by default its "type", or what it carries ("event": track, "batch": batch, …)' }),
  mapping: MappingInput.optional().meta({ description: 'A table to try instead of the saved one (unsaved changes)' }),
});
const Value = z.union([z.string(), z.number(), z.boolean()]);
const CallView = z.object({
  where: z.string(), method: z.enum(SEGMENT_METHODS), at: z.string(),
  who: z.object({ userId: z.string().optional(), email: z.string().optional(), anonymousId: z.string().optional() }),
  contact: z.object({ id: z.string(), by: z.enum(['userId', 'email', 'anonymousId']) }).nullable()
    .meta({ description: 'The contact it would find now (null: a new one would be made)' }),
  eventName: z.string().optional(),
  typeFrom: z.enum(['mapping', 'standard', 'snake_case']).optional().meta({ description: 'Where the type came from: your table, Segment\'s standard names, or snake case' }),
  event: z.object({ id: z.string(), type: z.string(), props: z.record(z.string(), Value) }).optional()
    .meta({ description: 'Absent for a track call your table ignores' }),
  fields: z.record(z.string(), Value).optional(),
  alias: z.object({ previousId: z.string(), userId: z.string() }).optional(),
  groupId: z.string().optional(),
});
const PreviewView = z.object({
  accepted: z.boolean().meta({ description: 'Whether /v1 would take it (false: it would answer 400 with the problems)' }),
  method: z.enum(ROUTES),
  message: z.string().optional(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  calls: z.array(CallView),
});

/** What a stored table is known by: a save that names another was made over a table changed since. */
const revOf = (text: string | null) => createHash('sha256').update(text ?? '').digest('hex').slice(0, 16);

/** Two spellings one look-up cannot tell apart (the table matches exactly, then ignoring case, then by snake case). */
const sameCatch = (name: string) => [name.trim().toLowerCase(), snakeCase(name, { keepDots: true })];

/**
 * A table as a user sent it, checked row by row: names present and distinct (two that one name
 * would both match are refused), event types valid, each trait's field existing and not one
 * Scoremap keeps. Answers the table to store (names trimmed) and every problem.
 */
export function checkMapping(input: z.output<typeof MappingInput>, fields: readonly FieldDef[]): { mapping: z.output<typeof IntakeMapping>; problems: MappingProblem[] } {
  const problems: MappingProblem[] = [];
  const registry = new FieldRegistry(fields);
  const out = { events: {} as Record<string, string>, traits: {} as Record<string, string> };
  for (const table of ['events', 'traits'] as const) {
    const what = table === 'events' ? 'Event' : 'Trait';
    const rows = Object.entries(input[table]);
    if (rows.length > MAX_MAPPING_ROWS) {
      problems.push({ table, name: '', message: `The ${table === 'events' ? 'event' : 'trait'} table has ${rows.length.toLocaleString('en-US')} rows; it holds at most ${MAX_MAPPING_ROWS}: remove the ones no source sends` });
      continue;
    }
    const seen = new Map<string, string>();
    for (const [raw, rawTarget] of rows) {
      const name = raw.trim();
      const target = rawTarget.trim();
      const refuse = (message: string) => problems.push({ table, name: raw, message });
      if (!name) { refuse(`${what} row with no name: give the ${table === 'events' ? 'event name' : 'trait name'} as your source sends it, or remove the row`); continue; }
      if (name.length > 200) { refuse(`${what} "${name.slice(0, 40)}…" is longer than 200 characters`); continue; }
      const other = sameCatch(name).map((k) => seen.get(k)).find((n) => n !== undefined);
      if (other !== undefined) {
        refuse(`${what} "${name}" is the same name as "${other}" (case, spaces and punctuation aside): keep one row`);
        continue;
      }
      for (const k of sameCatch(name)) seen.set(k, name);
      if (target === '') { out[table][name] = ''; continue; }
      if (table === 'events') {
        if (!EventType.safeParse(target).success) {
          const suggestion = snakeCase(target, { keepDots: true }).replace(/^[^a-z]+/, '').slice(0, 64);
          refuse(`Event "${name}" → "${target}": not an event type (a lower-case letter, then letters, digits, "_" or ".", at most 64)${EventType.safeParse(suggestion).success ? `; write it as "${suggestion}"` : ''}`);
          continue;
        }
      } else {
        const field = FieldKey.safeParse(target).success ? registry.get(target) : undefined;
        if (!field) {
          const byLabel = registry.resolve(target);
          refuse(byLabel
            ? `Trait "${name}" → "${target}": that is a field's label; use its key "${byLabel.key}"`
            : `Trait "${name}" → "${target}": there is no field "${target}": pick one of the contact fields (make it first under its key if it is new)`);
          continue;
        }
        if (PROTECTED_FIELDS.has(field.key) || field.type === 'tags') {
          refuse(`Trait "${name}" → "${field.key}": ${field.label} is kept by Scoremap and no trait writes it (${[...PROTECTED_FIELDS].join(', ')})`);
          continue;
        }
      }
      out[table][name] = target;
    }
  }
  return { mapping: IntakeMapping.parse(out), problems };
}

/** A refusal naming the first problem and how many more, with every problem in the details. */
function refusal(problems: readonly MappingProblem[]) {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return badRequest(`The mapping is not saved: ${problems[0].message}${more}`, { problems });
}

/**
 * Writes the table only over the one read (`before`), so of two saves made from the same rev one
 * wins and the other is told: an UPDATE … WHERE value = before waits for the first and then finds
 * no row.
 */
async function writeOver(db: Kysely<DB>, before: string | null, after: string): Promise<boolean> {
  if (before === null) {
    const r = await db.insertInto('meta').values({ key: MAPPING_KEY, value: after }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const r = await db.updateTable('meta').set({ value: after }).where('key', '=', MAPPING_KEY).where('value', '=', before).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The route a pasted call goes to: its `type`, else what it carries. */
function routeOf(call: unknown): SegmentRoute | string {
  if (typeof call !== 'object' || call === null || Array.isArray(call)) {
    return Array.isArray(call)
      ? 'a list of calls is sent as a batch: wrap it as { "batch": [ … ] }'
      : 'paste a JSON object: a Segment call ({ "type": "track", "event": …, "userId": … }) or a batch ({ "batch": [ … ] })';
  }
  const c = call as Record<string, unknown>;
  if ('batch' in c) return 'batch';
  if (typeof c.type === 'string' && (SEGMENT_METHODS as readonly string[]).includes(c.type)) return c.type as SegmentRoute;
  if ('event' in c) return 'track';
  if ('previousId' in c) return 'alias';
  if ('groupId' in c) return 'group';
  if ('traits' in c) return 'identify';
  return 'say which call it is: add "type": "track" (or identify, page, screen, group, alias)';
}

/** The contact a call would find now, as the intake looks (userId, then email, then anonymousId); null for a new one. */
async function contactsFor(deps: AppDeps, calls: readonly IntakeCall[]) {
  const { store } = deps.rt;
  const whos = calls.map((c) => c.who);
  const pick = <K extends 'userId' | 'email' | 'anonymousId'>(k: K) => whos.flatMap((w) => (w[k] ? [w[k]!] : []));
  const [byUser, byEmail, byAnon] = await Promise.all([
    findIdsByExternalId(store.db, pick('userId')),
    store.findIdsByEmail(pick('email')),
    findIdsByAnonymousId(store.db, pick('anonymousId')),
  ]);
  return calls.map(({ who }) => {
    const user = who.userId && byUser.get(who.userId);
    if (user) return { id: user, by: 'userId' as const };
    const email = who.email && byEmail.get(normalizeEmail(who.email) ?? '');
    if (email) return { id: email, by: 'email' as const };
    const anon = who.anonymousId && byAnon.get(who.anonymousId);
    return anon ? { id: anon, by: 'anonymousId' as const } : null;
  });
}

/** The event name a translated call came from, read from what was sent at its place. */
function eventNameAt(body: unknown, where: string): string | undefined {
  const i = /^batch\[(\d+)\]$/.exec(where);
  const call = i ? (body as { batch: unknown[] }).batch[Number(i[1])] : body;
  const name = (call as { event?: unknown } | null)?.event;
  return typeof name === 'string' ? name : undefined;
}

/**
 * `/api/intake`: the table of names (admin to change, read to see) and the preview. The table is
 * read by `/v1` on every request, so a save holds for the next call in every process.
 */
export function intakeMappingRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const view = async (text: string | null) => {
    const mapping = IntakeMapping.parse(text ? JSON.parse(text) : {});
    return {
      ...mapping, rev: revOf(text), protectedFields: [...PROTECTED_FIELDS], standardEvents: { ...STANDARD_EVENTS },
      problems: checkMapping(mapping, await rt.store.listFields()).problems,
    };
  };
  return new ApiRouter('/api/intake', 'Intake settings')
    .op({
      method: 'get', path: '/mapping', summary: 'Your own names for events and traits from Segment-compatible sources', response: MappingView,
      description: 'The table `/v1/*` translates with, before Segment\'s standard names and snake case: event name → event type, trait → contact field; "" ignores one.',
    }, async (c) => c.json(await view(await rt.store.getMeta(MAPPING_KEY))))
    .op({
      method: 'put', path: '/mapping', role: 'admin', summary: 'Replace the table of event and trait names', body: MappingBody, response: MappingView,
      description: `The whole table: event types are lower snake case (a known type or your own); a trait's field must exist and not be one Scoremap keeps (${[...PROTECTED_FIELDS].join(', ')}); at most ${MAX_MAPPING_ROWS} rows each. A refused table (400, each problem with its table and name) changes nothing; with "rev", a table changed since it was read is not overwritten (409).`,
    }, async (c, { body }) => {
      const { rev, ...input } = body;
      const { mapping, problems } = checkMapping(input, await rt.store.listFields());
      if (problems.length) throw refusal(problems);
      const text = JSON.stringify(mapping);
      const before = await rt.store.getMeta(MAPPING_KEY);
      const stale = () => conflict('The mapping was changed by someone else since you read it: read it again (your changes are not saved)');
      if (rev !== undefined && rev !== revOf(before)) throw stale();
      await rt.store.transaction(async (s) => {
        if (rev === undefined) await s.setMeta(MAPPING_KEY, text);
        else if (!(await writeOver(s.db, before, text))) throw stale();
        const entry = intakeMappingEntry(IntakeMapping.parse(before ? JSON.parse(before) : {}), mapping);
        if (entry) await recordAudit(s.db, actorOf(c), entry, rt.clock.now());
      });
      return c.json(await view(text));
    })
    .op({
      method: 'post', path: '/preview', scope: 'read', summary: 'What a Segment call would become, storing nothing', body: PreviewBody, response: PreviewView,
      description: 'Translates a call or a batch as `/v1` would, with the saved table or the one given: the event type (and where it came from), props, fields and the contact it would find. Nothing is stored.',
    }, async (c, { body }) => {
      if (body.call === undefined) throw badRequest('Give the Segment call to try as "call": { "type": "track", "event": "Webinar Joined", "userId": "u-1" }');
      const route = body.method ?? routeOf(body.call);
      if (!(ROUTES as readonly string[]).includes(route)) throw badRequest(`The call cannot be tried: ${route}`);
      const method = route as SegmentRoute;
      let mapping = await readMapping(rt.store);
      if (body.mapping) {
        const checked = checkMapping(body.mapping, await rt.store.listFields());
        if (checked.problems.length) throw badRequest(`The mapping to try is not valid: ${checked.problems[0].message}`, { problems: checked.problems });
        mapping = checked.mapping;
      }
      const size = checkBodySize(method, jsonBytes(body.call));
      if (size) return c.json({ accepted: false, method, message: size, problems: [{ path: '', message: size }], calls: [] });
      await rt.refresh();
      const r = translateRequest(method, body.call, { now: rt.clock.now(), fields: fieldsOf(rt.world.fields), mapping, makeId: () => '(a new id)' });
      const contacts = await contactsFor(deps, r.calls);
      const table = new NameTable(mapping.events);
      const calls = r.calls.map((call, i) => {
        const eventName = call.method === 'track' ? eventNameAt(body.call, call.where) : undefined;
        const named = eventName === undefined ? undefined : eventTypeFor(eventName, table);
        return {
          where: call.where, method: call.method, at: new Date(call.at).toISOString(), who: call.who, contact: contacts[i],
          ...(eventName !== undefined && { eventName }),
          ...(named && 'source' in named && { typeFrom: named.source as TypeSource }),
          ...(call.event && { event: { id: call.event.id, type: call.event.type, props: call.event.props } }),
          ...(call.fields && { fields: call.fields }),
          ...(call.alias && { alias: call.alias }),
          ...(call.groupId !== undefined && { groupId: call.groupId }),
        };
      });
      return c.json(r.ok
        ? { accepted: true, method, calls }
        : { accepted: false, method, message: r.message, problems: r.problems.slice(0, 50), calls });
    });
}
