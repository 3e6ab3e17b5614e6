import type { Kysely } from 'kysely';
import { chunk } from './chunk.js';
import type { DB } from './schema.js';

/**
 * A bulk job runs over the contacts in id order, a page per transaction, with a cursor; an event
 * for a contact the cursor has not reached runs that contact's share first (due work runs in time
 * order for each contact). These rows say which contacts a job in progress did out of its order,
 * so its pages pass them by. A job's key names its instant: `tick:<map>:<element>:<at>`,
 * `decay:<model>:<day>`.
 */

/** Records that `job` ran for these contacts ahead of its cursor. */
export async function markDoneEarly(db: Kysely<DB>, job: string, contactIds: readonly string[]): Promise<void> {
  for (const part of chunk([...new Set(contactIds)], 2)) {
    await db.insertInto('job_contacts_done').values(part.map((contact_id) => ({ job, contact_id })))
      .onConflict((oc) => oc.columns(['job', 'contact_id']).doNothing())
      .execute();
  }
}

/** Which of these contacts `job` already ran for out of its order. */
export async function doneEarly(db: Kysely<DB>, job: string, contactIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunk([...new Set(contactIds)])) {
    const rows = await db.selectFrom('job_contacts_done').select('contact_id').where('job', '=', job).where('contact_id', 'in', part).execute();
    for (const r of rows) out.add(r.contact_id);
  }
  return out;
}

/** A finished job forgets the contacts it ran out of order. */
export async function clearDoneEarly(db: Kysely<DB>, job: string): Promise<void> {
  await db.deleteFrom('job_contacts_done').where('job', '=', job).execute();
}

/** The job key of a cron tick. */
export const tickJob = (mapId: string, elementId: string, at: number): string => `tick:${mapId}:${elementId}:${at}`;

/** The job key of a scoring model's degradation on one local day ("2026-03-08"). */
export const decayJob = (modelId: string, day: string): string => `decay:${modelId}:${day}`;
