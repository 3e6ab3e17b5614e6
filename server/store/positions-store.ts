import type { Kysely, Selectable } from 'kysely';
import type { Position } from '../../engine/state.js';
import { chunk, groupBy, lastByKey } from './chunk.js';
import { RowStatement } from './row-statement.js';
import type { DB, PositionTable } from './schema.js';

/** A position with the contact it belongs to. */
export type ContactPosition = Position & { readonly contactId: string };

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

type PositionParams = { [K in keyof ContactPosition]: K extends 'onCondition' | 'stuck' ? number : ContactPosition[K] };

/** Moves a contact already on the map: most writes (a wait parking again, a step onward). */
const updatePosition = new RowStatement<PositionParams>((db, p) =>
  db
    .updateTable('positions')
    .set({
      element_id: p('elementId'),
      version: p('version'),
      entered_at: p('enteredAt'),
      due_at: p('dueAt'),
      timeout_at: p('timeoutAt'),
      on_condition: p('onCondition'),
      stuck: p('stuck'),
    })
    .where('map_id', '=', p('mapId'))
    .where('contact_id', '=', p('contactId')),
);

const insertPosition = new RowStatement<PositionParams>((db, p) =>
  db.insertInto('positions').values({
    map_id: p('mapId'),
    contact_id: p('contactId'),
    element_id: p('elementId'),
    version: p('version'),
    entered_at: p('enteredAt'),
    due_at: p('dueAt'),
    timeout_at: p('timeoutAt'),
    on_condition: p('onCondition'),
    stuck: p('stuck'),
  }),
);

/** Puts contacts at elements (one place per contact and map: an existing one is replaced). */
export async function upsertPositions(db: Kysely<DB>, rows: readonly ContactPosition[]): Promise<void> {
  const unique = lastByKey(rows, (p) => `${p.mapId}\u0000${p.contactId}`).map((p) => ({ ...p, onCondition: p.onCondition ? 1 : 0, stuck: p.stuck ? 1 : 0 }));
  // Update first, insert what was not there: cheaper than an upsert when most contacts move on.
  await insertPosition.run(db, await updatePosition.unchanged(db, unique));
}

/** Takes contacts off maps. */
export async function deletePositions(db: Kysely<DB>, rows: readonly { mapId: string; contactId: string }[]): Promise<void> {
  for (const [mapId, group] of groupBy(rows, (r) => r.mapId)) {
    for (const part of chunk([...new Set(group.map((r) => r.contactId))])) {
      await db.deleteFrom('positions').where('map_id', '=', mapId).where('contact_id', 'in', part).execute();
    }
  }
}

/** Positions of a map due at or before `upTo`, earliest first (ties by contact id). */
export async function duePositions(db: Kysely<DB>, mapId: string, upTo: number, limit: number): Promise<ContactPosition[]> {
  const rows = await db
    .selectFrom('positions')
    .selectAll()
    .where('map_id', '=', mapId)
    .where('due_at', 'is not', null)
    .where('due_at', '<=', upTo)
    .orderBy('due_at')
    .orderBy('contact_id')
    .limit(limit)
    .execute();
  return rows.map(positionFromRow);
}

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
