import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import { escapeLike } from '../store/contacts-query.js';

type Db = Kysely<DB> | Transaction<DB>;

/** What `GET /api/audit` may narrow the log to; every filter given must hold. */
export interface AuditFilter {
  /** A person's (or key's) id, or the name an entry gives its actor ("the start-up token"). */
  readonly actor?: string;
  /** An action or the start of one: `map.` is every change of a map, `map.publish` publishes. */
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** [from, to), in ms since the epoch. */
  readonly from?: number;
  readonly to?: number;
  /** Entries older than this one (paging). */
  readonly before?: number;
  readonly limit: number;
}

/** One entry as the API answers it. */
export interface AuditLine {
  readonly id: number;
  readonly at: string;
  readonly actor: { readonly kind: string; readonly id: string | null; readonly name: string };
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly summary: string;
  readonly detail: unknown;
}

/**
 * The entries that pass `f`, newest first (by time, then id), at most `f.limit`; `nextBefore` is
 * there when there may be more. The page after an entry starts below its (time, id).
 */
export async function listAudit(db: Db, f: AuditFilter): Promise<{ entries: AuditLine[]; nextBefore?: number }> {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.actor !== undefined) q = q.where((eb) => eb.or([eb('actor_id', '=', f.actor!), eb('actor_name', '=', f.actor!)]));
  if (f.action !== undefined) {
    const prefix = f.action;
    q = q.where((eb) => eb.or([eb('action', '=', prefix), eb(sql.ref('action'), 'like', sql<string>`${`${escapeLike(prefix)}%`} escape '\\'`)]));
  }
  if (f.targetType !== undefined) q = q.where('target_type', '=', f.targetType);
  if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.before !== undefined) {
    const cursor = await db.selectFrom('audit_log').select(['at', 'id']).where('id', '=', f.before).executeTakeFirst();
    // An entry folded into a later one (a run of draft saves) is gone: its id still orders the rest.
    q = cursor
      ? q.where((eb) => eb.or([eb('at', '<', cursor.at), eb.and([eb('at', '=', cursor.at), eb('id', '<', cursor.id)])]))
      : q.where('id', '<', f.before);
  }
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
  const more = rows.length > f.limit;
  const entries = rows.slice(0, f.limit).map((r): AuditLine => ({
    id: Number(r.id),
    at: new Date(Number(r.at)).toISOString(),
    actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    summary: r.summary,
    detail: r.detail_json === null ? null : JSON.parse(r.detail_json),
  }));
  return more ? { entries, nextBefore: entries[entries.length - 1].id } : { entries };
}

/** Everyone the log names, once each (a person by id, with the name of their latest entry), by name. */
export async function auditActors(db: Db): Promise<{ kind: string; id: string | null; name: string }[]> {
  const rows = await db.selectFrom('audit_log')
    .select((eb) => ['actor_kind', 'actor_id', 'actor_name', eb.fn.max('at').as('last')])
    .groupBy(['actor_kind', 'actor_id', 'actor_name']).execute();
  const byWho = new Map<string, { kind: string; id: string | null; name: string; last: number }>();
  for (const r of rows) {
    const who = r.actor_id === null ? `${r.actor_kind}\u0000\u0000${r.actor_name}` : `${r.actor_kind}\u0000${r.actor_id}`;
    const seen = byWho.get(who);
    if (!seen || Number(r.last) > seen.last) byWho.set(who, { kind: r.actor_kind, id: r.actor_id, name: r.actor_name, last: Number(r.last) });
  }
  return [...byWho.values()].map(({ kind, id, name }) => ({ kind, id, name })).sort((a, b) => a.name.localeCompare(b.name));
}
