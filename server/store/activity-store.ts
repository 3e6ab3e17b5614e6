import type { InsertQueryBuilder, InsertResult, Kysely, Selectable } from 'kysely';
import type { FieldValue } from '../../engine/elements/types.js';
import type { Cause, FieldChange } from '../../engine/state.js';
import { chunk, MAX_ROWS } from './chunk.js';
import { normalizeEmail } from './columns.js';
import { findIdsByEmail, idsByEmail } from './contacts-store.js';
import { runLater, runsDirect, together } from './dialect.js';
import { positionsByElement } from './positions-store.js';
import { RowStatement } from './row-statement.js';
import type { DB } from './schema.js';

/** Per-element counts of a map (SPEC §3, performance view). */
export interface ElementStats {
  readonly hereNow: number;
  readonly wereHere: number;
  readonly errors: number;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
}

/** Adds to the per-element counts; a `lastError` replaces the stored one (with `at` as its time). */
export async function bumpStats(
  db: Kysely<DB>,
  rows: readonly { mapId: string; elementId: string; wereHere: number; errors: number; lastError?: string; at: number }[],
): Promise<void> {
  // Sum rows for the same element first: one statement must not upsert a row twice.
  const sums = new Map<string, DB['element_stats']>();
  for (const r of rows) {
    const k = `${r.mapId}\u0000${r.elementId}`;
    const s = sums.get(k) ?? { map_id: r.mapId, element_id: r.elementId, were_here: 0, errors: 0, last_error: null, last_error_at: null };
    s.were_here += r.wereHere;
    s.errors += r.errors;
    if (r.lastError !== undefined) {
      s.last_error = r.lastError;
      s.last_error_at = r.at;
    }
    sums.set(k, s);
  }
  // In key order: two processes adding to the same counters lock their rows in the same order,
  // so neither waits for the other while holding what the other needs.
  const ordered = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  // A group of single-event requests bumps a few dozen counters: on SQLite a prepared statement
  // per row takes about half the time of building the multi-row upsert (25 counters: 64–71 µs
  // against 121–165 µs, issue 20).
  if (runsDirect(db)) {
    await bumpStat.run(db, ordered);
    return;
  }
  // Nothing reads its answer: it goes with the transaction's next statement (the commit) where it can.
  for (const part of chunk(ordered, 6)) await runLater(db, bumpStatsQuery(db.insertInto('element_stats').values(part)));
}

/** The counters' upsert: the counts added, a new last error replacing the stored one. */
const bumpStatsQuery = (q: InsertQueryBuilder<DB, 'element_stats', InsertResult>) =>
  q.onConflict((oc) =>
    oc.columns(['map_id', 'element_id']).doUpdateSet((eb) => ({
      were_here: eb('element_stats.were_here', '+', eb.ref('excluded.were_here')),
      errors: eb('element_stats.errors', '+', eb.ref('excluded.errors')),
      last_error: eb.fn.coalesce('excluded.last_error', 'element_stats.last_error'),
      last_error_at: eb.fn.coalesce('excluded.last_error_at', 'element_stats.last_error_at'),
    })),
  );

const bumpStat = new RowStatement<DB['element_stats']>((db, p) =>
  bumpStatsQuery(db.insertInto('element_stats').values({
    map_id: p('map_id'), element_id: p('element_id'), were_here: p('were_here'), errors: p('errors'), last_error: p('last_error'), last_error_at: p('last_error_at'),
  })),
);

/** The counts of every element of a map that has any: here now (from positions), were here, errors. */
export async function getStats(db: Kysely<DB>, mapId: string): Promise<Record<string, ElementStats>> {
  const out: Record<string, ElementStats> = {};
  const rows = await db.selectFrom('element_stats').selectAll().where('map_id', '=', mapId).orderBy('element_id').execute();
  for (const r of rows) {
    out[r.element_id] = {
      hereNow: 0,
      wereHere: Number(r.were_here),
      errors: Number(r.errors),
      lastError: r.last_error,
      lastErrorAt: r.last_error_at === null ? null : Number(r.last_error_at),
    };
  }
  for (const [elementId, n] of Object.entries(await positionsByElement(db, mapId))) {
    out[elementId] = { ...(out[elementId] ?? { wereHere: 0, errors: 0, lastError: null, lastErrorAt: null }), hereNow: n };
  }
  return out;
}

const eventsById = new RowStatement<{ ids: readonly string[] }>((db, p) => db.selectFrom('events').select('id').where('id', 'in', p.list('ids')));

/** Which of these event ids were already accepted (the idempotency check). */
export async function existingEventIds(db: Kysely<DB>, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunk([...new Set(ids)])) {
    const rows = await eventsById.all<{ id: string }>(db, { ids: part });
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/**
 * The idempotency check and the email look-up of a group of event requests together: which of
 * these event ids were already accepted, and the contacts these emails name (normalized email →
 * id). In one round trip where the dialect can and the lists fit one statement each.
 */
export async function knownEventsAndEmails(db: Kysely<DB>, ids: readonly string[], emails: readonly string[]): Promise<{ existing: Set<string>; byEmail: Map<string, string> }> {
  const unique = [...new Set(ids)];
  const norms = [...new Set(emails.map(normalizeEmail).filter((e): e is string => e !== null))];
  if (unique.length > MAX_ROWS || norms.length > MAX_ROWS || unique.length === 0 || norms.length === 0) {
    return { existing: unique.length ? await existingEventIds(db, unique) : new Set(), byEmail: norms.length ? await findIdsByEmail(db, norms) : new Map() };
  }
  const [events, owners] = await together<[{ id: string }, { id: string; email_norm: string | null }]>(db, [
    eventsById.with(db, { ids: unique }),
    idsByEmail.with(db, { emails: norms }),
  ]);
  const byEmail = new Map<string, string>();
  for (const r of owners) if (r.email_norm !== null) byEmail.set(r.email_norm, r.id);
  return { existing: new Set(events.map((r) => r.id)), byEmail };
}

const insertEvent = new RowStatement<{ id: string; contactId: string; type: string; at: number; props: string | null; acceptedAt: number }>((db, p) =>
  db
    .insertInto('events')
    .values({ id: p('id'), contact_id: p('contactId'), type: p('type'), at: p('at'), props_json: p('props'), accepted_at: p('acceptedAt') }),
);

/**
 * Stores accepted events. An id already stored throws (a unique-key violation): the caller checked
 * inside its transaction, so on a shared database this means another process accepted the same
 * event a moment ago, and the transaction runs again to find it a duplicate.
 */
export async function insertEvents(
  db: Kysely<DB>,
  rows: readonly { id: string; contactId: string; type: string; at: number; props: Record<string, unknown> | null; acceptedAt: number }[],
): Promise<void> {
  await insertEvent.run(db, rows.map((e) => ({ ...e, props: e.props === null ? null : JSON.stringify(e.props) })));
}

const toJson = (v: FieldValue): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const fromJson = (s: string | null): FieldValue => (s === null ? null : (JSON.parse(s) as FieldValue));

const insertChange = new RowStatement<{ contactId: string; at: number; field: string; from: string | null; to: string | null; cause: string }>((db, p) =>
  db.insertInto('history').values({ contact_id: p('contactId'), at: p('at'), field: p('field'), from_json: p('from'), to_json: p('to'), cause_json: p('cause') }),
);

/** Records field changes, in order (ids increase in the order given). */
export async function insertHistory(db: Kysely<DB>, changes: readonly FieldChange[]): Promise<void> {
  await insertChange.run(
    db,
    changes.map((c) => ({ contactId: c.contactId, at: c.at, field: c.field, from: toJson(c.from), to: toJson(c.to), cause: JSON.stringify(c.cause) })),
  );
}

/** One recorded change as read back. */
export interface HistoryEntry {
  readonly id: number;
  readonly at: number;
  readonly field: string;
  readonly from: FieldValue;
  readonly to: FieldValue;
  readonly cause: Cause;
}

/** A contact's field changes, newest first; `beforeId` pages back, `field` filters, no `limit` reads all. */
export async function contactHistory(
  db: Kysely<DB>,
  contactId: string,
  opts: { limit?: number; field?: string; beforeId?: number } = {},
): Promise<HistoryEntry[]> {
  let q = db.selectFrom('history').selectAll().where('contact_id', '=', contactId);
  if (opts.field !== undefined) q = q.where('field', '=', opts.field);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  q = q.orderBy('id', 'desc');
  if (opts.limit !== undefined) q = q.limit(opts.limit);
  return (await q.execute()).map(toEntry);
}

/** Every contact's field changes after id `afterId`, oldest first, at most `limit`: the whole history in pages. */
export async function historyAfter(db: Kysely<DB>, afterId: number, limit: number): Promise<(HistoryEntry & { contactId: string })[]> {
  const rows = await db.selectFrom('history').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ ...toEntry(r), contactId: r.contact_id }));
}

function toEntry(r: Selectable<DB['history']>): HistoryEntry {
  return {
    id: Number(r.id),
    at: Number(r.at),
    field: r.field,
    from: fromJson(r.from_json),
    to: fromJson(r.to_json),
    cause: JSON.parse(r.cause_json) as Cause,
  };
}
