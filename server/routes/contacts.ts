import { z } from 'zod';
import type { FieldDef } from '../../engine/schema/field.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { Outbox } from '../webhooks/outbox.js';
import { addToMap, createContacts, readFieldValues, updateContact } from '../runtime/contacts.js';
import { mergeTags } from '../runtime/import-batch.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Store } from '../store/store.js';
import type { ContactState } from '../../engine/state.js';
import { normalizeEmail } from '../store/columns.js';
import { conditionSql, decodeCursor, encodeCursor, matchingIds, queryContacts } from '../store/contacts-query.js';
import { loadMap } from './map-views.js';
import {
  ContactBody, ContactSummary, ContactView, FieldValues, HistoryView, Tag, checkFilter, contactView, historyView, loadContact, pathParam, readFilter, showFields,
} from './contact-views.js';
import { authOf } from '../keys/scopes.js';
import { handCause } from '../people/actor.js';
import { contactActionOps, auditScoreEdit } from '../sales/actions.js';
import { listWhere } from '../sales/list-filters.js';
import { visibleList } from '../sales/lists-routes.js';
import { importOps } from './contacts-import.js';
import { mergeOps } from '../intake/merge-routes.js';
import { ContactScores, contactScores } from './scoring-models.js';

const Limit = (max: number, def: number) => z.coerce.number().int().min(1).max(max).default(def);

const ListQuery = z.strictObject({
  sort: z.string().max(200).optional().meta({ description: 'A field key or label (default: score)' }),
  dir: z.enum(['asc', 'desc']).optional().meta({ description: 'Default: desc for numbers and dates, asc for text and true/false' }),
  filter: z.string().max(100_000).optional().meta({ description: 'A Condition as JSON, testing contact fields (docs/guide/conditions-and-expressions.md)' }),
  limit: Limit(500, 50),
  cursor: z.string().max(2_000).optional().meta({ description: 'The nextCursor of the previous page' }),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
  fields: z.string().max(10_000).optional().meta({ description: 'Comma-separated field keys or labels to answer (default: all)' }),
  owner: z.literal('me', { error: 'owner takes only "me" (the leads you own); to list another person\'s, filter by the Owner field' }).optional()
    .meta({ description: '`me`: only the leads you own ("My leads"); needs a person signed in' }),
  list: z.string().min(1).max(200).optional().meta({ description: 'A saved list\'s id: only the contacts its filters match (with `filter`, both hold)' }),
});
const ListAnswer = z.object({ contacts: z.array(ContactSummary.extend({ scores: ContactScores })), total: z.number(), nextCursor: z.string().optional() });

/** How many contacts one "add the matching contacts to a map" takes, and the batch each transaction adds. */
const MAX_ADD = 100_000;
const ADD_BATCH = 10_000;
const AddToMapBody = z.strictObject({
  mapId: z.string().min(1).max(256).meta({ description: 'The map to add the contacts to' }),
  filter: z.unknown().optional().meta({ description: 'A Condition testing contact fields, as the list\'s `filter`; none (or null) adds every contact' }),
});

const PatchBody = z
  .strictObject({
    fields: FieldValues.optional(),
    addTags: z.array(Tag).max(1_000).optional(),
    removeTags: z.array(Tag).max(1_000).optional(),
  })
  .refine((b) => b.fields !== undefined || b.addTags !== undefined || b.removeTags !== undefined, {
    message: 'nothing to change: give "fields", "addTags" or "removeTags"',
  });

const HistoryQuery = z.strictObject({
  field: z.string().min(1).max(200).optional(),
  limit: Limit(500, 50),
  before: z.coerce.number().int().positive().optional().meta({ description: 'The nextBefore of the previous page' }),
});
const HistoryAnswer = z.object({ history: z.array(HistoryView), nextBefore: z.number().optional() });

function resolveField(rt: Runtime, name: string, where: string): FieldDef {
  const f = rt.world.fields.resolve(name);
  if (!f) throw badRequest(`Unknown field "${name}" in ${where}: name a field by its key or label`);
  return f;
}

const tagsKeyIn = (rt: Runtime, fields: Readonly<Record<string, unknown>>) => Object.keys(fields).find((k) => rt.world.fields.resolve(k)?.key === 'tags');

/**
 * `/api/contacts` (SPEC §6): the list (sorted, filtered and paged in SQL), create-or-update by
 * email, read, change, delete, the history of a contact's fields, and imports.
 */
export function contactsRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const router = new ApiRouter('/api/contacts', 'Contacts')
    .op({ method: 'get', path: '/', summary: 'List contacts, sorted, filtered and paged', query: ListQuery, response: ListAnswer }, async (c, { query }) => {
      const sort = query.sort === undefined ? resolveField(rt, 'score', 'sort') : resolveField(rt, query.sort, 'sort');
      if (sort.type === 'tags') throw badRequest('Contacts cannot be sorted by their tags: sort by another field');
      const dir = query.dir ?? (query.sort === undefined || sort.type === 'number' || sort.type === 'date' ? 'desc' : 'asc');
      const filter = query.filter === undefined ? undefined : readFilter(rt, query.filter);
      // "My leads" and saved lists: more tests the contacts must pass, in SQL.
      const now = rt.clock.now();
      const auth = authOf(c);
      const viewer = { email: auth.kind === 'person' && auth.person ? auth.person.email : null };
      const also = [];
      if (query.owner === 'me') {
        if (viewer.email === null) throw badRequest('"owner=me" lists the leads of the person signed in, and a key or the start-up token is nobody: sign in, or filter by the Owner field');
        also.push(...listWhere(rt, { owner: 'me' }, viewer, now).also);
      }
      if (query.list !== undefined) {
        const where = listWhere(rt, (await visibleList(rt, c, query.list)).filters, viewer, now);
        if (where.filter) also.push(conditionSql(where.filter, (name) => rt.world.fields.resolve(name), now));
        also.push(...where.also);
      }
      const names = query.fields?.split(',').map((s) => s.trim()).filter((s) => s && s !== 'id');
      const columns = names ? [...new Set(names.map((n) => resolveField(rt, n, 'fields')))] : rt.world.fields.all();
      if (query.cursor !== undefined && query.offset !== undefined) throw badRequest('Page with either cursor or offset, not both');
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort.key, dir);
      if (after === null) throw badRequest('This cursor is not valid for this list: use the nextCursor of a page sorted the same way');
      const page = await queryContacts(rt.store.db, {
        sort, dir, filter, resolve: (name) => rt.world.fields.resolve(name), columns, limit: query.limit, after, offset: query.offset, now, also,
      });
      // Every scoring model's score, bracket and percent rank: ranked per page, not per contact.
      const scores = await contactScores(rt, page.contacts.map((x) => x.id));
      return c.json({
        contacts: page.contacts.map((x) => ({ id: x.id, fields: showFields(rt, x.fields), tags: x.tags, ...(scores.has(x.id) ? { scores: scores.get(x.id) } : {}) })),
        total: page.total,
        ...(page.next ? { nextCursor: encodeCursor(sort.key, dir, page.next) } : {}),
      });
    })
    .op({
      method: 'post', path: '/', summary: 'Create a contact, or update the one with its email', body: ContactBody, status: 201, response: ContactView,
      description: 'Creates a contact (201), or updates the contact that has the email given (200): its fields are set and the tags given are added. '
        + 'An id given that belongs to another contact than the email\'s, or to an existing contact, is a conflict (409).',
    }, async (c, { body }) => {
      const email = normalizeEmail(readFieldValues(rt, body.fields).email);
      const owner = email === null ? undefined : (await rt.store.findIdsByEmail([email])).get(email);
      const tagsKey = tagsKeyIn(rt, body.fields);
      if (owner !== undefined) {
        if (body.id !== undefined && body.id !== owner) {
          throw conflict(`The email "${email}" belongs to the contact "${owner}", not to "${body.id}"`, { id: owner });
        }
        const current = await loadContact(rt, owner);
        const fields: Record<string, unknown> = { ...body.fields };
        if (tagsKey !== undefined) delete fields[tagsKey];
        // The email it was found by keeps its spelling: "ANN@x.com" does not rewrite "ann@x.com".
        for (const k of Object.keys(fields)) if (rt.world.fields.resolve(k)?.key === 'email') delete fields[k];
        const given = tagsKey !== undefined ? body.fields[tagsKey] : null;
        const add = [...(Array.isArray(given) ? given : []), ...(body.tags ?? [])];
        if (add.length) fields.tags = mergeTags(current.tags, add);
        return c.json(await contactView(rt, await updateContact(rt, owner, fields, handCause(c))), 200);
      }
      const fields: Record<string, unknown> = { ...body.fields };
      if (body.tags?.length) {
        const given = tagsKey !== undefined ? fields[tagsKey] : null;
        if (tagsKey !== undefined) delete fields[tagsKey];
        fields.tags = mergeTags(Array.isArray(given) ? given : [], body.tags);
      }
      const [created] = await createContacts(rt, [{ id: body.id, fields }], handCause(c));
      return c.json(await contactView(rt, await loadContact(rt, created.id)), 201);
    });

  router.op({
    method: 'post', path: '/add-to-map', summary: 'Add every contact matching a filter to a map through its manual trigger', body: AddToMapBody,
    response: z.object({ added: z.number() }),
    description: `Like POST /api/maps/{id}/contacts with the contacts the list shows for \`filter\` (all contacts without one), up to ${MAX_ADD.toLocaleString('en')} at once. `
      + 'The map must be published, not paused, and start with an "added by hand" trigger.',
  }, async (c, { body }) => {
    const filter = body.filter === undefined || body.filter === null ? undefined : checkFilter(rt, body.filter);
    const m = await loadMap(rt, body.mapId);
    if (m.status === 'draft') throw conflict('The map is not published yet: publish it, then add contacts');
    if (m.status === 'paused') throw conflict('The map is paused: resume it to add contacts');
    const ids = await matchingIds(rt.store.db, { filter, resolve: (name) => rt.world.fields.resolve(name), now: rt.clock.now(), limit: MAX_ADD + 1 });
    if (ids.length > MAX_ADD) {
      throw badRequest(`More than ${MAX_ADD.toLocaleString('en')} contacts match: narrow the filter, or add them in parts`);
    }
    let added = 0;
    // The batches POST /api/maps/{id}/contacts takes at most; each runs in its own transaction.
    for (let i = 0; i < ids.length; i += ADD_BATCH) added += (await addToMap(rt, m.id, ids.slice(i, i + ADD_BATCH))).added;
    return c.json({ added });
  });

  // Before `/:id`: "import" is not a contact id.
  importOps(router, deps);
  mergeOps(router, deps);
  contactActionOps(router, deps);

  return router
    .op({ method: 'get', path: '/:id', summary: 'Read a contact with the maps it is on', response: ContactView.extend({ scores: ContactScores }) }, async (c) => {
      const view = await contactView(rt, await loadContact(rt, pathParam(c, 'id')));
      const scores = (await contactScores(rt, [view.id])).get(view.id);
      return c.json(scores ? { ...view, scores } : view);
    })
    .op({
      method: 'patch', path: '/:id', role: 'sales', summary: 'Change a contact\'s fields and tags', body: PatchBody, response: ContactView,
      description: 'Each change is recorded in the history with the cause { "api": true, "by" } (who made it) and fires field_updated and tag triggers. '
        + 'A change of a scoring model\'s field is audited (`contact.adjust`, or `contact.reset` for 0 or empty). '
        + '`fields.tags` replaces the tags; `addTags` and `removeTags` change them (tags match ignoring case).',
    }, async (c, { body }) => {
      const id = pathParam(c, 'id');
      const fields: Record<string, unknown> = { ...(body.fields ?? {}) };
      const tagChanges = body.addTags || body.removeTags ? { add: body.addTags, remove: body.removeTags } : undefined;
      if (tagChanges && tagsKeyIn(rt, fields) !== undefined) {
        throw badRequest('Give the tags either as fields.tags (all of them) or with addTags/removeTags, not both');
      }
      const within = (s: Store, before: ContactState, after: ContactState, now: number) => auditScoreEdit(c, rt, s, before, after, now);
      return c.json(await contactView(rt, await updateContact(rt, id, fields, handCause(c), tagChanges, within)));
    })
    .op({ method: 'delete', path: '/:id', summary: 'Delete a contact with its history and events', status: 204 }, async (c) => {
      const id = pathParam(c, 'id');
      const outbox = rt.hooks.find((h): h is Outbox => h instanceof Outbox);
      const gone = await rt.lock.run(() => rt.transaction(async (s) => {
        // Heard by contact.deleted webhooks with the contact as it was, in the deleting transaction.
        if ((await s.loadContacts([id])).has(id)) await outbox?.deleted(s, rt.world, id, rt.clock.now());
        return s.deleteContact(id);
      }));
      if (!gone) throw notFound(`No contact with id "${id}"`);
      return c.body(null, 204);
    })
    .op({
      method: 'get', path: '/:id/history', summary: 'A contact\'s field changes and their causes, newest first', query: HistoryQuery, response: HistoryAnswer,
    }, async (c, { query }) => {
      const id = pathParam(c, 'id');
      await loadContact(rt, id);
      let field: string | undefined;
      if (query.field !== undefined) {
        // Pseudo-fields like "map:<id>" record contacts leaving a map on publish.
        field = query.field.startsWith('map:') ? query.field : resolveField(rt, query.field, 'field').key;
      }
      const entries = await rt.store.contactHistory(id, { field, limit: query.limit + 1, beforeId: query.before });
      const shown = entries.slice(0, query.limit);
      return c.json({
        history: shown.map((h) => historyView(rt, h)),
        ...(entries.length > query.limit ? { nextBefore: shown[shown.length - 1].id } : {}),
      });
    });
}
