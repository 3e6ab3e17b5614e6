import type { Kysely, Transaction } from 'kysely';
import type { CauseActor } from '../../engine/state.js';
import type { DB } from '../store/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

/** Who made a change: a person, a key, the start-up token, or the server itself (`system`). */
export type AuditActor = CauseActor | { kind: 'system'; id: null; name: string };

/** Who a change made by `scoremap` on the database itself (users, import) is recorded as. */
export const COMMAND_LINE: AuditActor = { kind: 'system', id: null, name: 'the command line' };

/** One entry of the audit log (SPEC §12): what was changed, by whom; `at` is when. */
export interface AuditEntry {
  /** `map.publish`, `model.save`, `person.add`, `contact.adjust`, … (`<target type>.<verb>`). */
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  /** The change in a sentence a person reads: `Published "Adjusted lead scoring" as version 4`. */
  readonly summary: string;
  /** What a summary leaves out (before and after, the reason), as JSON. */
  readonly detail?: unknown;
}

/**
 * Writes an audit entry. Pass the transaction of the change when there is one, so the change and
 * its entry commit together (or neither does).
 */
export async function recordAudit(db: Db, by: AuditActor, entry: AuditEntry, at: number): Promise<void> {
  await db.insertInto('audit_log').values({
    at,
    actor_kind: by.kind,
    actor_id: by.id,
    actor_name: by.name,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    summary: entry.summary,
    detail_json: entry.detail === undefined ? null : JSON.stringify(entry.detail),
  }).execute();
}

/** How long a run of saves by one person stays one entry: the editor saves drafts every few seconds. */
export const COALESCE_MS = 10 * 60_000;

/**
 * Writes an entry, or folds it into the target's newest entry when that one is the same action
 * by the same actor less than {@link COALESCE_MS} before (`merge` makes the one entry that stands
 * for both from the earlier one's detail). The folded entry is written anew, so it sorts as the
 * newest: an entry's id and time only grow, which keeps paging by id exact.
 */
export async function recordCoalesced<D>(
  db: Db, by: AuditActor, entry: AuditEntry & { readonly detail: D }, at: number, merge: (earlier: D) => AuditEntry & { readonly detail: D },
): Promise<void> {
  const last = await db.selectFrom('audit_log').select(['id', 'at', 'action', 'actor_kind', 'actor_id', 'actor_name', 'detail_json'])
    .where('target_type', '=', entry.targetType)
    .where('target_id', entry.targetId === null ? 'is' : '=', entry.targetId)
    .orderBy('at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const same = last && last.action === entry.action && last.actor_kind === by.kind && last.actor_id === by.id
    && last.actor_name === by.name && at - Number(last.at) < COALESCE_MS && last.detail_json !== null;
  if (!same) return recordAudit(db, by, entry, at);
  await db.deleteFrom('audit_log').where('id', '=', last.id).execute();
  await recordAudit(db, by, merge(JSON.parse(last.detail_json!) as D), at);
}

/**
 * An entry a change writes in its own transaction once it knows how it went (the version it
 * published, the contacts it moved). `by` also names the author of a version it makes.
 */
export interface AuditHook<T> {
  readonly by: AuditActor;
  readonly write: (db: Db, result: T, at: number) => Promise<void>;
}

/** A hook that records `entry(result)` (nothing when it answers null). */
export function auditHook<T>(by: AuditActor, entry: (result: T) => AuditEntry | null): AuditHook<T> {
  return {
    by,
    write: async (db, result, at) => {
      const e = entry(result);
      if (e) await recordAudit(db, by, e, at);
    },
  };
}
