import type { Kysely, Selectable } from 'kysely';
import type { Position } from '../../engine/state.js';
import { chunk, groupBy, lastByKey } from './chunk.js';
import { RowStatement, updateStatement } from './row-statement.js';
import type { DB, PositionTable } from './schema.js';

/** A position with the contact it belongs to. */
export type ContactPosition = Position & { readonly contactId: string };

/**
 * A `positions` row's columns, named: a statement that names them answers the same columns
 * whatever a later migration adds, so PostgreSQL may keep it prepared (see `Dialect.keep`).
 */
export const POSITION_COLUMNS = ['map_id', 'contact_id', 'element_id', 'version', 'entered_at', 'due_at', 'timeout_at', 'on_condition', 'stuck'] as const satisfies readonly (keyof PositionTable)[];

/** A `positions` row as the engine's Position. */
export function positionFromRow(row: Selectable<PositionTable>): ContactPosition {
  return {
    mapId: row.map_id,
    contactId: row.contact_id,
    elementId: row.element_id,
    version: row.version,
    enteredAt: row.entered_at,
    dueAt: row.due_at,
    timeoutAt: row.timeout_at,
    onCondition: row.on_condition !== 0,
    stuck: row.stuck !== 0,
  };
}

/** A position as statement parameters, by column. */
function positionColumns(p: ContactPosition): Record<string, unknown> {
  return {
    map_id: p.mapId,
    contact_id: p.contactId,
    element_id: p.elementId,
    version: p.version,
    entered_at: p.enteredAt,
    due_at: p.dueAt,
    timeout_at: p.timeoutAt,
    on_condition: p.onCondition ? 1 : 0,
    stuck: p.stuck ? 1 : 0,
  };
}

const KEY = ['map_id', 'contact_id'];
const MOVABLE = ['element_id', 'version', 'entered_at', 'due_at', 'timeout_at', 'on_condition', 'stuck'];

const insertPosition = new RowStatement<Record<string, unknown>>((db, p) =>
  db.insertInto('positions').values({
    map_id: p('map_id'),
    contact_id: p('contact_id'),
    element_id: p('element_id'),
    version: p('version'),
    entered_at: p('entered_at'),
    due_at: p('due_at'),
    timeout_at: p('timeout_at'),
    on_condition: p('on_condition'),
    stuck: p('stuck'),
  }),
);

/** Puts contacts at elements (one place per contact and map: an existing one is replaced). */
export async function upsertPositions(db: Kysely<DB>, rows: readonly ContactPosition[]): Promise<void> {
  const unique = lastByKey(rows, (p) => `${p.mapId}\u0000${p.contactId}`).map(positionColumns);
  // Update first, insert what was not there: cheaper than an upsert when most contacts move on.
  await insertPosition.run(db, await updateStatement('positions', MOVABLE, KEY).unchanged(db, unique));
}

/** The columns that differ between a position and its stored row, comma-separated ('' for none). */
function changedColumns(p: Position, prior: Position): string {
  const out: string[] = [];
  if (p.elementId !== prior.elementId) out.push('element_id');
  if (p.version !== prior.version) out.push('version');
  if (p.enteredAt !== prior.enteredAt) out.push('entered_at');
  if (p.dueAt !== prior.dueAt) out.push('due_at');
  if (p.timeoutAt !== prior.timeoutAt) out.push('timeout_at');
  if (p.onCondition !== prior.onCondition) out.push('on_condition');
  if (p.stuck !== prior.stuck) out.push('stuck');
  return out.join(',');
}

/**
 * Writes positions whose stored row is known (`prior`; null: none): new ones are inserted, moved
 * ones update only the columns that changed (a wait parking again touches its due time, not the
 * element index), unchanged ones are skipped.
 */
export async function writePositions(db: Kysely<DB>, rows: readonly { position: ContactPosition; prior: Position | null }[]): Promise<void> {
  const inserts: Record<string, unknown>[] = [];
  const updates = new Map<string, Record<string, unknown>[]>();
  for (const { position, prior } of rows) {
    const now = positionColumns(position);
    if (prior === null) {
      inserts.push(now);
      continue;
    }
    const shape = changedColumns(position, prior);
    if (shape === '') continue;
    let group = updates.get(shape);
    if (!group) updates.set(shape, (group = []));
    group.push(now);
  }
  for (const [shape, group] of updates) await updateStatement('positions', shape.split(','), KEY).run(db, group);
  await insertPosition.run(db, inserts);
}

/** Takes contacts off maps. */
export async function deletePositions(db: Kysely<DB>, rows: readonly { mapId: string; contactId: string }[]): Promise<void> {
  for (const [mapId, group] of groupBy(rows, (r) => r.mapId)) {
    for (const part of chunk([...new Set(group.map((r) => r.contactId))])) {
      await db.deleteFrom('positions').where('map_id', '=', mapId).where('contact_id', 'in', part).execute();
    }
  }
}

/**
 * The due scan: a map's first `limit` positions due at or before `upTo`, in due order, read from
 * the due index. The claim on SQLite, the cohorts' claim-and-split statement and `duePositions` read it.
 */
export const dueScan = (db: Kysely<DB>, mapId: string, upTo: number, limit: number) =>
  db
    .selectFrom('positions')
    .where('map_id', '=', mapId)
    .where('due_at', 'is not', null)
    .where('due_at', '<=', upTo)
    .orderBy('due_at')
    .orderBy('contact_id')
    .limit(limit);

/** Positions of a map due at or before `upTo`, earliest first (ties by contact id). */
export async function duePositions(db: Kysely<DB>, mapId: string, upTo: number, limit: number): Promise<ContactPosition[]> {
  const rows = await dueScan(db, mapId, upTo, limit).selectAll().execute();
  return rows.map(positionFromRow);
}

/**
 * Who is due on a map at or before `upTo`, earliest first (ties by contact id): what firing waits
 * needs, read from the due index alone (no table lookup per row).
 */
export async function dueContacts(db: Kysely<DB>, mapId: string, upTo: number, limit: number): Promise<{ contactId: string; dueAt: number }[]> {
  const rows = await selectDue.all<{ contact_id: string; due_at: number }>(db, { mapId, upTo, limit });
  return rows.map((r) => ({ contactId: r.contact_id, dueAt: Number(r.due_at) }));
}

// Asked before every batch of due work and every event request: built once, not per call.
const selectDue = new RowStatement<{ mapId: string; upTo: number; limit: number }>((db, p) =>
  dueScan(db, p('mapId'), p('upTo'), p('limit')).select(['contact_id', 'due_at']));

/** The earliest due time of any position on these maps, or null. */
export async function nextDuePosition(db: Kysely<DB>, mapIds: readonly string[]): Promise<number | null> {
  if (mapIds.length === 0) return null;
  const { next } = await db
    .selectFrom('positions')
    .select((eb) => eb.fn.min('due_at').as('next'))
    .where('map_id', 'in', [...mapIds])
    .executeTakeFirstOrThrow();
  return next === null || next === undefined ? null : Number(next);
}

/** How many contacts are at each element of a map now. */
export async function positionsByElement(db: Kysely<DB>, mapId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('positions')
    .select((eb) => ['element_id', eb.fn.countAll().as('n')])
    .where('map_id', '=', mapId)
    .groupBy('element_id')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.element_id, Number(r.n)]));
}

/** Moves every contact at `fromElement` to `toElement` under `version` (relocation on publish); returns how many moved. */
export async function movePositions(db: Kysely<DB>, mapId: string, fromElement: string, toElement: string, version: number): Promise<number> {
  const res = await db
    .updateTable('positions')
    .set({ element_id: toElement, version })
    .where('map_id', '=', mapId)
    .where('element_id', '=', fromElement)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** The contacts at any of these elements of a map. */
export async function positionsAt(
  db: Kysely<DB>,
  mapId: string,
  elementIds: readonly string[],
): Promise<{ contactId: string; elementId: string }[]> {
  const out: { contactId: string; elementId: string }[] = [];
  for (const part of chunk([...new Set(elementIds)])) {
    const rows = await db
      .selectFrom('positions')
      .select(['contact_id', 'element_id'])
      .where('map_id', '=', mapId)
      .where('element_id', 'in', part)
      .orderBy('contact_id')
      .execute();
    for (const r of rows) out.push({ contactId: r.contact_id, elementId: r.element_id });
  }
  return out;
}

/** Marks every position of a map as being under `version`. */
export async function setVersionForMap(db: Kysely<DB>, mapId: string, version: number): Promise<void> {
  await db.updateTable('positions').set({ version }).where('map_id', '=', mapId).execute();
}

/**
 * Makes every `until condition` wait of a map due now (on resume: fields may have changed while
 * it was paused). Rows already overdue keep their earlier time, so they still fire first.
 */
export async function recheckConditionsNow(db: Kysely<DB>, mapId: string, now: number): Promise<void> {
  await db
    .updateTable('positions')
    .set({ due_at: now })
    .where('map_id', '=', mapId)
    .where('on_condition', '=', 1)
    .where((eb) => eb.or([eb('due_at', 'is', null), eb('due_at', '>', now)]))
    .execute();
}
