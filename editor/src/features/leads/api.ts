/**
 * Saved lists (SPEC §12 "Sales workspace"): a name and filters, shared with everyone or kept for
 * oneself, answered with a live count of the contacts they match.
 */
import type { Condition } from '../../../../engine/schema/condition.js';
import { api } from '../../lib/api.js';
import { can, type Me } from '../../lib/me.js';

/** "Score fell (or rose) in the last N days": the score now against the score N days ago. */
export interface ScoreChange {
  readonly modelId?: string;
  readonly direction: 'fell' | 'rose';
  readonly days: number;
}

/** What a saved list matches; every filter given must hold. */
export interface ListFilters {
  /** Tests of contact fields, as the contacts list's filter. */
  readonly condition?: Condition;
  /** `me` (whoever opens the list), a person's email, or null for contacts nobody owns. Absent: anyone's. */
  readonly owner?: string | null;
  readonly bracket?: { readonly modelId: string; readonly bracket: string };
  readonly scoreChange?: ScoreChange;
}

/** Who made a list: a person's id, or the actor as the server names it. */
type Creator = string | { readonly id?: string | null; readonly name?: string } | null;

/** A saved list as GET /api/lists answers it. */
export interface SavedList {
  readonly id: string;
  readonly name: string;
  readonly shared: boolean;
  readonly filters: ListFilters;
  /** How many contacts match now; null when the filters no longer fit the fields or models (`problem` says why). */
  readonly count: number | null;
  readonly problem?: string;
  readonly createdBy: Creator;
  /** Whether the asker may rename, change or delete it (the server's word). */
  readonly canChange?: boolean;
  readonly updatedAt: string;
}

const path = (id: string) => `/lists/${encodeURIComponent(id)}`;

export const listLists = () => api<{ lists: SavedList[] }>('/lists').then((r) => r.lists);
export const getList = (id: string) => api<SavedList>(path(id));
export const createList = (body: { name: string; shared: boolean; filters: ListFilters }) => api<SavedList>('/lists', { body });
export const updateList = (id: string, body: { name?: string; shared?: boolean; filters?: ListFilters }) => api<SavedList>(path(id), { method: 'PATCH', body });
export const deleteList = (id: string) => api<void>(path(id), { method: 'DELETE' });

const creatorId = (c: Creator) => (typeof c === 'string' ? c : c?.id ?? null);

/**
 * Whether `me` may rename, change or delete `list`: a personal list only its owner (the only one
 * who sees it), a shared one its creator, an editor or an admin.
 */
export function canChange(me: Me | null, list: SavedList): boolean {
  if (list.canChange !== undefined) return list.canChange;
  if (!list.shared) return true;
  if (can(me, 'editor')) return true;
  const mine = me?.person?.id;
  return !!mine && creatorId(list.createdBy) === mine;
}

/** Who made a list, in words. */
export const creatorName = (list: SavedList) => (typeof list.createdBy === 'object' && list.createdBy?.name ? list.createdBy.name : 'someone');
