import type { Context } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/log.js';
import type { AppDeps } from '../http/deps.js';
import { ApiRouter } from '../http/router.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { authOf } from '../keys/scopes.js';
import { actorOf } from '../people/actor.js';
import { roleAllows } from '../people/roles.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Store } from '../store/store.js';
import { pathParam } from '../routes/contact-views.js';
import { countContacts } from '../store/contacts-query.js';
import { ListFilters, listWhere, type ListWhere, type Viewer } from './list-filters.js';
import { deleteList, getList, insertList, updateList, visibleLists, type SavedList } from './lists-store.js';

const Name = z.string().trim().min(1, 'a list needs a name').max(100, 'a list name has at most 100 characters');
const CreateBody = z.strictObject({
  name: Name,
  shared: z.boolean().optional().meta({ description: 'Shared with everyone (default), or kept for yourself (false)' }),
  filters: ListFilters,
});
const PatchBody = z.strictObject({ name: Name.optional(), shared: z.boolean().optional(), filters: ListFilters.optional() })
  .refine((b) => b.name !== undefined || b.shared !== undefined || b.filters !== undefined, { message: 'nothing to change: give "name", "shared" or "filters"' });

const ListView = z.object({
  id: z.string(), name: z.string(), shared: z.boolean(), filters: ListFilters,
  count: z.number().nullable().meta({ description: 'How many contacts match now; null when the filters no longer fit the fields or models (see `problem`)' }),
  problem: z.string().optional(),
  createdBy: z.object({ id: z.string().nullable(), name: z.string() }).meta({ description: 'Who made it (id null: a key or the start-up token)' }),
  canChange: z.boolean().meta({ description: 'Whether you may rename, change or delete it' }),
  updatedAt: z.string(),
});

/** Who is asking: the person (their id, email and whether an editor's rights are theirs), or a key or the token (nobody, but admin's rights). */
function asker(c: Context): { id: string | null; email: string | null; editor: boolean } {
  const auth = authOf(c);
  if (auth.kind === 'person' && auth.person) return { id: auth.person.id, email: auth.person.email, editor: roleAllows(auth.role ?? 'viewer', 'editor') };
  return { id: null, email: null, editor: true };
}

/** The filters of a list as the contacts query runs them for `viewer` (400 in words when they no longer fit). */
export function whereOfList(rt: Runtime, list: SavedList, viewer: Viewer): ListWhere {
  return listWhere(rt, list.filters, viewer, rt.clock.now());
}

/** The list `id` if the asker sees it (shared, or their own), else 404 (another's personal list is not told apart from none). */
export async function visibleList(rt: Runtime, c: Context, id: string): Promise<SavedList> {
  const list = await getList(rt.store.db, id);
  const me = asker(c);
  if (!list || (list.ownerId !== null && list.ownerId !== me.id)) throw notFound(`No saved list with id "${id}"`);
  return list;
}

/** Whether the asker may change the list: a personal one only its owner; a shared one its creator, an editor or an admin (a key, the token). */
function mayChange(me: ReturnType<typeof asker>, list: SavedList): boolean {
  if (list.ownerId !== null) return list.ownerId === me.id;
  return me.editor || (me.id !== null && list.createdBy === me.id);
}

/**
 * `/api/lists` (SPEC §12 "smart lists"): saved lists of contacts — a name and filters (a condition,
 * the owner, a model's bracket, the score's change over the last days), shared with everyone or
 * kept for oneself, each with a live count. Open one with `GET /api/contacts?list=<id>`.
 */
export function listsRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;

  async function view(c: Context, list: SavedList) {
    const me = asker(c);
    let count: number | null = null;
    let problem: string | undefined;
    try {
      const where = whereOfList(rt, list, { email: me.email });
      count = await countContacts(rt.store.db, { ...where, resolve: (name) => rt.world.fields.resolve(name), now: rt.clock.now() });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      problem = e.message;
    }
    return {
      id: list.id, name: list.name, shared: list.ownerId === null, filters: list.filters, count, ...(problem ? { problem } : {}),
      createdBy: { id: list.createdBy, name: list.createdBy === null ? 'an API key or the start-up token' : list.creatorName ?? 'someone no longer here' },
      canChange: mayChange(me, list), updatedAt: new Date(list.updatedAt).toISOString(),
    };
  }

  /** Refuses (403, in words) a change the asker may not make. */
  function requireChange(c: Context, list: SavedList): void {
    if (mayChange(asker(c), list)) return;
    const whose = list.ownerId !== null ? 'it is someone else\'s personal list' : 'a shared list is changed only by the person who made it, an editor or an admin';
    throw new AppError(403, `You cannot change the list "${list.name}": ${whose}`);
  }

  /** The owner a list gets: null (shared) or the asker (personal; a key or the token is nobody and cannot keep one). */
  function ownerFor(c: Context, shared: boolean): string | null {
    if (shared) return null;
    const me = asker(c);
    if (me.id === null) throw badRequest('A personal list belongs to a person, and a key or the start-up token is nobody: make it shared ("shared": true)');
    return me.id;
  }

  const audit = (db: Store['db'], c: Context, action: string, list: { id: string; name: string }, summary: string, detail?: unknown) =>
    recordAudit(db, actorOf(c), { action, targetType: 'list', targetId: list.id, summary, detail }, rt.clock.now());

  return new ApiRouter('/api/lists', 'Sales')
    .op({ method: 'get', path: '/', summary: 'Saved lists: the shared ones and your own, with live counts', response: z.object({ lists: z.array(ListView) }) }, async (c) => {
      const lists = await visibleLists(rt.store.db, asker(c).id);
      const out = [];
      for (const l of lists) out.push(await view(c, l));
      return c.json({ lists: out });
    })
    .op({
      method: 'post', path: '/', role: 'sales', summary: 'Save a list', body: CreateBody, status: 201, response: ListView,
      description: 'Filters that do not fit the fields or models are refused (400, nothing saved). A personal list (`"shared": false`) needs a person signed in.',
    }, async (c, { body }) => {
      const me = asker(c);
      const now = rt.clock.now();
      listWhere(rt, body.filters, { email: me.email }, now);
      const ownerId = ownerFor(c, body.shared ?? true);
      const id = rt.ids();
      await rt.store.transaction(async (s) => {
        await insertList(s.db, { id, name: body.name, ownerId, filters: body.filters, createdBy: me.id, now });
        await audit(s.db, c, 'list.create', { id, name: body.name }, `Saved the ${ownerId === null ? 'shared' : 'personal'} list "${body.name}"`, { filters: body.filters });
      });
      return c.json(await view(c, (await getList(rt.store.db, id))!), 201);
    })
    .op({ method: 'get', path: '/:id', summary: 'A saved list with its live count', response: ListView }, async (c) => c.json(await view(c, await visibleList(rt, c, pathParam(c, 'id')))))
    .op({
      method: 'patch', path: '/:id', role: 'sales', summary: 'Rename a list, change its filters or whether it is shared', body: PatchBody, response: ListView,
      description: 'A shared list is changed only by the person who made it, an editor or an admin; a personal one only by its owner (403 in words).',
    }, async (c, { body }) => {
      const list = await visibleList(rt, c, pathParam(c, 'id'));
      requireChange(c, list);
      const now = rt.clock.now();
      const filters = body.filters ?? list.filters;
      if (body.filters) listWhere(rt, filters, { email: asker(c).email }, now);
      const ownerId = body.shared === undefined ? list.ownerId : ownerFor(c, body.shared);
      const name = body.name ?? list.name;
      await rt.store.transaction(async (s) => {
        await updateList(s.db, list.id, { name, ownerId, filters, now });
        await audit(s.db, c, 'list.change', { id: list.id, name }, `Changed the list "${name}"`, { before: { name: list.name, shared: list.ownerId === null, filters: list.filters }, after: { name, shared: ownerId === null, filters } });
      });
      return c.json(await view(c, (await getList(rt.store.db, list.id))!));
    })
    .op({ method: 'delete', path: '/:id', role: 'sales', summary: 'Delete a saved list', status: 204 }, async (c) => {
      const list = await visibleList(rt, c, pathParam(c, 'id'));
      requireChange(c, list);
      await rt.store.transaction(async (s) => {
        await deleteList(s.db, list.id);
        await audit(s.db, c, 'list.delete', list, `Deleted the list "${list.name}"`, { filters: list.filters });
      });
      return c.body(null, 204);
    });
}
