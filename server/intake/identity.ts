/**
 * Who a call from another tool is about (SPEC §10): a sending app's user id (`external_id`, unique),
 * an email, or an anonymous id a website or app gave the person. Every anonymous id a contact was
 * seen with is kept in `anonymous_ids`, so a later call naming any of them, even one of a contact
 * since merged into another, finds the contact.
 */
import { sql, type Kysely } from 'kysely';
import { chunk } from '../store/chunk.js';
import { fieldColumn } from '../store/columns.js';
import type { DB } from '../store/schema.js';

/** Contacts by `external_id`: external id → contact id (exact match: ids from apps are case-sensitive). */
export async function findIdsByExternalId(db: Kysely<DB>, externalIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const column = sql.ref(fieldColumn('external_id'));
  for (const part of chunk([...new Set(externalIds)])) {
    const rows = await db.selectFrom('contacts').select(['id', sql<string>`${column}`.as('value')]).where(sql<string>`${column}`, 'in', part).execute();
    for (const r of rows) out.set(r.value, r.id);
  }
  return out;
}

/** Contacts by any anonymous id they were seen with: anonymous id → contact id. */
export async function findIdsByAnonymousId(db: Kysely<DB>, anonymousIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunk([...new Set(anonymousIds)])) {
    const rows = await db.selectFrom('anonymous_ids').select(['anonymous_id', 'contact_id']).where('anonymous_id', 'in', part).execute();
    for (const r of rows) out.set(r.anonymous_id, r.contact_id);
  }
  return out;
}

/** Remembers anonymous ids for contacts; one already known stays with its contact. */
export async function recordAnonymousIds(db: Kysely<DB>, rows: readonly { anonymousId: string; contactId: string }[], now: number): Promise<void> {
  for (const part of chunk(rows, 3)) {
    await db
      .insertInto('anonymous_ids')
      .values(part.map((r) => ({ anonymous_id: r.anonymousId, contact_id: r.contactId, created_at: now })))
      .onConflict((oc) => oc.column('anonymous_id').doNothing())
      .execute();
  }
}

/** Moves every anonymous id of `fromId` to `toId` (a merge). */
export async function moveAnonymousIds(db: Kysely<DB>, fromId: string, toId: string): Promise<void> {
  await db.updateTable('anonymous_ids').set({ contact_id: toId }).where('contact_id', '=', fromId).execute();
}
