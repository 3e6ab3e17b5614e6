import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { ListFilters } from './list-filters.js';

type Db = Kysely<DB> | Transaction<DB>;

/** A saved list as stored (SPEC §12): `ownerId` null when it is shared with everyone. */
export interface SavedList {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string | null;
  readonly filters: ListFilters;
  /** The person who made it (null: a key or the start-up token). */
  readonly createdBy: string | null;
  /** That person's name, when they are still here. */
  readonly creatorName: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

function query(db: Db) {
  return db
    .selectFrom('saved_lists as l')
    .leftJoin('users as u', 'u.id', 'l.created_by')
    .select(['l.id', 'l.name', 'l.owner_id', 'l.filters_json', 'l.created_by', 'l.created_at', 'l.updated_at', 'u.name as creator_name']);
}

type Row = Awaited<ReturnType<ReturnType<typeof query>['executeTakeFirstOrThrow']>>;

const fromRow = (r: Row): SavedList => ({
  id: r.id, name: r.name, ownerId: r.owner_id, filters: JSON.parse(r.filters_json) as ListFilters, createdBy: r.created_by,
  creatorName: r.creator_name ?? null, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
});

/** The lists someone sees: every shared one and their own (`personId` null: shared ones only), by name. */
export async function visibleLists(db: Db, personId: string | null): Promise<SavedList[]> {
  let q = query(db);
  q = personId === null ? q.where('l.owner_id', 'is', null) : q.where((eb) => eb.or([eb('l.owner_id', 'is', null), eb('l.owner_id', '=', personId)]));
  return (await q.orderBy('l.name').orderBy('l.id').execute()).map(fromRow);
}

/** One list by id, or null. */
export async function getList(db: Db, id: string): Promise<SavedList | null> {
  const r = await query(db).where('l.id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

export async function insertList(db: Db, l: { id: string; name: string; ownerId: string | null; filters: ListFilters; createdBy: string | null; now: number }): Promise<void> {
  await db.insertInto('saved_lists').values({
    id: l.id, name: l.name, owner_id: l.ownerId, filters_json: JSON.stringify(l.filters), created_by: l.createdBy, created_at: l.now, updated_at: l.now,
  }).execute();
}

export async function updateList(db: Db, id: string, l: { name: string; ownerId: string | null; filters: ListFilters; now: number }): Promise<void> {
  await db.updateTable('saved_lists').set({ name: l.name, owner_id: l.ownerId, filters_json: JSON.stringify(l.filters), updated_at: l.now }).where('id', '=', id).execute();
}

export async function deleteList(db: Db, id: string): Promise<void> {
  await db.deleteFrom('saved_lists').where('id', '=', id).execute();
}
