import { useEffect, useState } from 'react';
import { api } from '../../lib/api.js';
import { useLoad, type Loaded } from '../../lib/use-load.js';
import { getRanks, type ModelDoc, type ModelScore } from '../scoring/api.js';
import type { ContactLike } from './scores.js';

/** GET /api/contacts: one page, the number of contacts in all, and the cursor of the next page. */
export interface ListAnswer { contacts: ContactLike[]; total: number; nextCursor?: string }
export type Dir = 'asc' | 'desc';
export interface Sort { readonly field: string; readonly dir: Dir }

/** A contacts query paged by cursor: what a table of contacts shows and how it moves between pages. */
export interface ContactPages {
  readonly list: Loaded<ListAnswer>;
  /** Ranks of this page's contacts, asked for when the server's answer carries no `scores`. */
  readonly ranks: Record<string, ModelScore> | null;
  /** The sort, the parameters: another value means another list (the paging and selection start over). */
  readonly query: string;
  /** The position of the page's first contact, from 1. */
  readonly first: number;
  readonly hasPrevious: boolean;
  readonly previous: () => void;
  readonly next: () => void;
}

/**
 * Pages of GET /api/contacts with `params` (filter, owner, list…) and `sort`, `size` at a time;
 * the cursors of the pages seen are kept, so Previous goes back without offsets. With `params`
 * null nothing is asked (an empty list answers).
 */
export function useContactPages(params: Readonly<Record<string, string>> | null, sort: Sort, model: ModelDoc | undefined, size = 25): ContactPages {
  const paramText = params ? new URLSearchParams(Object.entries(params).sort(([a], [b]) => a.localeCompare(b))).toString() : '-';
  const query = `${sort.field}|${sort.dir}|${paramText}`;
  const [paging, setPaging] = useState<{ query: string; cursors: (string | undefined)[] }>({ query, cursors: [undefined] });
  const cursors = paging.query === query ? paging.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];

  const list = useLoad<ListAnswer>(() => {
    if (!params) return Promise.resolve({ contacts: [], total: 0 });
    const q = new URLSearchParams(paramText);
    q.set('sort', sort.field);
    q.set('dir', sort.dir);
    q.set('limit', String(size));
    if (cursor) q.set('cursor', cursor);
    return api<ListAnswer>(`/contacts?${q}`);
  }, [query, cursor, size]);

  // Older servers answer no `scores`: ask for this page's ranks instead.
  const [ranks, setRanks] = useState<Record<string, ModelScore> | null>(null);
  const pageIds = list.data?.contacts.map((c) => c.id).join(',') ?? '';
  const needRanks = !!model && !!list.data?.contacts.length && list.data.contacts.every((c) => !c.scores);
  useEffect(() => {
    setRanks(null);
    if (!needRanks || !model) return;
    let live = true;
    getRanks(model.id, pageIds.split(',')).then((r) => live && setRanks(r), () => undefined);
    return () => { live = false; };
  }, [needRanks, model?.id, pageIds]);

  return {
    list, ranks, query,
    first: (cursors.length - 1) * size + 1,
    hasPrevious: cursors.length > 1,
    previous: () => setPaging({ query, cursors: cursors.slice(0, -1) }),
    next: () => { const n = list.data?.nextCursor; if (n) setPaging({ query, cursors: [...cursors, n] }); },
  };
}
