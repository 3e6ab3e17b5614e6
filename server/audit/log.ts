import type { Kysely, Transaction } from 'kysely';
import type { CauseActor } from '../../engine/state.js';
import type { DB } from '../store/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

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
export async function recordAudit(db: Db, by: CauseActor | { kind: 'system'; id: null; name: string }, entry: AuditEntry, at: number): Promise<void> {
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
