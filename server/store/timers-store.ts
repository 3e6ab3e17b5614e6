import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import { RowStatement } from './row-statement.js';
import { chunk, groupBy, lastByKey } from './chunk.js';
import { fieldColumn } from './columns.js';
import { knownDialectOf } from './dialect.js';
import type { DB } from './schema.js';

/** A `date_reached` trigger armed for one contact: it fires at `dueAt`, once per `armedValue`. */
export interface DateTimer {
  readonly mapId: string;
  readonly elementId: string;
  readonly contactId: string;
  /** The field value the timer was armed for; a new value re-arms it. */
  readonly armedValue: number;
  /** When it fires; null once it has fired for `armedValue`. */
  readonly dueAt: number | null;
}

/** Arms (or re-arms, or marks fired with `dueAt: null`) date timers. */
export async function upsertDateTimers(db: Kysely<DB>, rows: readonly DateTimer[]): Promise<void> {
  const unique = lastByKey(rows, (r) => `${r.mapId}\u0000${r.elementId}\u0000${r.contactId}`);
  for (const part of chunk(unique, 5)) {
    await db
      .insertInto('date_timers')
      .values(part.map((r) => ({ map_id: r.mapId, element_id: r.elementId, contact_id: r.contactId, armed_value: r.armedValue, due_at: r.dueAt })))
      .onConflict((oc) =>
        oc.columns(['map_id', 'element_id', 'contact_id']).doUpdateSet((eb) => ({
          armed_value: eb.ref('excluded.armed_value'),
          due_at: eb.ref('excluded.due_at'),
        })),
      )
      .execute();
  }
}

export async function deleteDateTimers(db: Kysely<DB>, rows: readonly { mapId: string; elementId: string; contactId: string }[]): Promise<void> {
  for (const group of groupBy(rows, (r) => `${r.mapId}\u0000${r.elementId}`).values()) {
    const { mapId, elementId } = group[0];
    for (const part of chunk([...new Set(group.map((r) => r.contactId))])) {
      await db
        .deleteFrom('date_timers')
        .where('map_id', '=', mapId)
        .where('element_id', '=', elementId)
        .where('contact_id', 'in', part)
        .execute();
    }
  }
}

// Asked before every batch of due work and every event request: built once, not per call.
const selectDue = new RowStatement<{ mapId: string; upTo: number; limit: number }>((db, p) =>
  db
    .selectFrom('date_timers')
    .selectAll()
    .where('map_id', '=', p('mapId'))
    .where('due_at', 'is not', null)
    .where('due_at', '<=', p('upTo'))
    .orderBy('due_at')
    .orderBy('contact_id')
    .orderBy('element_id')
    .limit(p('limit')),
);

/** Timers of a map due at or before `upTo`, earliest first (ties by contact, then element). */
export async function dueDateTimers(
  db: Kysely<DB>,
  mapId: string,
  upTo: number,
  limit: number,
): Promise<(DateTimer & { dueAt: number })[]> {
  const rows = await selectDue.all<Selectable<DB['date_timers']>>(db, { mapId, upTo, limit });
  return rows.map((r) => ({
    mapId: r.map_id,
    elementId: r.element_id,
    contactId: r.contact_id,
    armedValue: Number(r.armed_value),
    dueAt: Number(r.due_at),
  }));
}

/**
 * The timers of these contacts due at or before `upTo`, on any map or scoring model (catching an
 * event's contacts up before the event runs). Read through the contact index.
 */
export async function dueDateTimersOf(db: Kysely<DB>, contactIds: readonly string[], upTo: number): Promise<(DateTimer & { dueAt: number })[]> {
  const out: (DateTimer & { dueAt: number })[] = [];
  for (const part of chunk([...new Set(contactIds)])) out.push(...(await dueTimersOf.all<Selectable<DB['date_timers']>>(db, { ids: part, upTo })).map(dueTimer));
  return out;
}

const dueTimersOf = new RowStatement<{ ids: readonly string[]; upTo: number }>((db, p) =>
  db.selectFrom('date_timers').select(['map_id', 'element_id', 'contact_id', 'armed_value', 'due_at']).where('contact_id', 'in', p.list('ids')).where('due_at', 'is not', null).where('due_at', '<=', p('upTo')));

const dueTimer = (r: Selectable<DB['date_timers']>): DateTimer & { dueAt: number } =>
  ({ mapId: r.map_id, elementId: r.element_id, contactId: r.contact_id, armedValue: Number(r.armed_value), dueAt: Number(r.due_at) });

/**
 * `dueDateTimersOf`, asked now and answered with the transaction's next statement where the
 * dialect sends statements together (see `Dialect.defer`). The function returned answers the
 * timers once that statement has returned; undefined before, and where a read costs no round
 * trip (the caller reads them when it needs them, as it would have).
 */
export async function dueDateTimersSoon(db: Kysely<DB>, contactIds: readonly string[], upTo: number): Promise<() => (DateTimer & { dueAt: number })[] | undefined> {
  const d = knownDialectOf(db);
  if (!d?.defer || !db.isTransaction) return () => undefined;
  const parts = chunk([...new Set(contactIds)]);
  const out: (DateTimer & { dueAt: number })[] = [];
  let answered = 0;
  for (const part of parts) {
    await d.defer(db, dueTimersOf.with(db, { ids: part, upTo }).compile(), (rows) => {
      out.push(...(rows as Selectable<DB['date_timers']>[]).map(dueTimer));
      answered++;
    });
  }
  return () => (answered === parts.length ? out : undefined);
}

/** The earliest due time of any timer on these maps, or null. */
export async function nextDueDateTimer(db: Kysely<DB>, mapIds: readonly string[]): Promise<number | null> {
  if (mapIds.length === 0) return null;
  const { next } = await db
    .selectFrom('date_timers')
    .select((eb) => eb.fn.min('due_at').as('next'))
    .where('map_id', 'in', [...mapIds])
    .executeTakeFirstOrThrow();
  return next === null || next === undefined ? null : Number(next);
}

/**
 * Arms a `date_reached` trigger for every contact whose field has a value, in one
 * INSERT … SELECT (on publish: no per-contact round trips). Per contact:
 * - no timer yet: armed for the value, due at value + offset;
 * - a timer for another value (the field changed): re-armed the same way;
 * - a timer for this value: keeps its state — fired (due null) stays fired, a pending one
 *   gets its due time recomputed with the (possibly new) offset.
 */
export async function armDateTimers(db: Kysely<DB>, mapId: string, elementId: string, fieldKey: string, offsetMs: number): Promise<void> {
  const value = sql.ref<number>(fieldColumn(fieldKey));
  await db
    .insertInto('date_timers')
    .columns(['map_id', 'element_id', 'contact_id', 'armed_value', 'due_at'])
    .expression(
      db
        .selectFrom('contacts')
        .select((eb) => [
          // Typed casts: PostgreSQL cannot infer the type of a bare parameter in a select list.
          eb.cast<string>(eb.val(mapId), 'text').as('map_id'),
          eb.cast<string>(eb.val(elementId), 'text').as('element_id'),
          'id as contact_id',
          value.as('armed_value'),
          eb(value, '+', offsetMs).as('due_at'),
        ])
        // Also settles SQLite's parsing of INSERT … SELECT … ON CONFLICT, which needs a WHERE.
        .where(value, 'is not', null),
    )
    .onConflict((oc) =>
      oc.columns(['map_id', 'element_id', 'contact_id']).doUpdateSet((eb) => ({
        due_at: eb
          .case()
          .when(eb.and([eb('date_timers.armed_value', '=', eb.ref('excluded.armed_value')), eb('date_timers.due_at', 'is', null)]))
          .then(sql<number | null>`null`)
          .else(eb.ref('excluded.due_at'))
          .end(),
        armed_value: eb.ref('excluded.armed_value'),
      })),
    )
    .execute();
}

/** Deletes a map's timers except those of the given (still existing) date triggers. */
export async function deleteDateTimersExcept(db: Kysely<DB>, mapId: string, elementIds: readonly string[]): Promise<void> {
  let q = db.deleteFrom('date_timers').where('map_id', '=', mapId);
  if (elementIds.length > 0) q = q.where('element_id', 'not in', [...elementIds]);
  await q.execute();
}

/** The next tick of each cron trigger (of one map, or all). */
export async function getSchedules(db: Kysely<DB>, mapId?: string): Promise<{ mapId: string; elementId: string; nextAt: number }[]> {
  let q = db.selectFrom('schedules').selectAll();
  if (mapId !== undefined) q = q.where('map_id', '=', mapId);
  const rows = await q.orderBy('next_at').orderBy('map_id').orderBy('element_id').execute();
  return rows.map((r) => ({ mapId: r.map_id, elementId: r.element_id, nextAt: Number(r.next_at) }));
}

export async function upsertSchedules(db: Kysely<DB>, rows: readonly { mapId: string; elementId: string; nextAt: number }[]): Promise<void> {
  const unique = lastByKey(rows, (r) => `${r.mapId}\u0000${r.elementId}`);
  for (const part of chunk(unique, 3)) {
    await db
      .insertInto('schedules')
      .values(part.map((r) => ({ map_id: r.mapId, element_id: r.elementId, next_at: r.nextAt })))
      .onConflict((oc) => oc.columns(['map_id', 'element_id']).doUpdateSet((eb) => ({ next_at: eb.ref('excluded.next_at') })))
      .execute();
  }
}

/** Deletes a map's schedules except those of the given (still existing) cron triggers. */
export async function deleteSchedulesExcept(db: Kysely<DB>, mapId: string, elementIds: readonly string[]): Promise<void> {
  let q = db.deleteFrom('schedules').where('map_id', '=', mapId);
  if (elementIds.length > 0) q = q.where('element_id', 'not in', [...elementIds]);
  await q.execute();
}
