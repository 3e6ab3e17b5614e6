import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

/** A map as stored: its draft document (parsed), its status and its published version. */
export interface MapRecord {
  readonly id: string;
  /** Creation order: published maps are visited in this order (SPEC §3). */
  readonly seq: number;
  readonly name: string;
  readonly status: MapStatus;
  /** The draft document, parsed. */
  readonly doc: unknown;
  /** Bumped by every draft save; a save naming an older rev is a conflict. */
  readonly rev: number;
  /** The running (or paused) version, or null when never published. */
  readonly version: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type MapStatus = 'draft' | 'published' | 'paused';

function toRecord(row: DB['maps']): MapRecord {
  return {
    id: row.id,
    seq: row.seq,
    name: row.name,
    status: row.status as MapStatus,
    doc: JSON.parse(row.draft_json),
    rev: row.rev,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Inserts a new draft map after the others (seq = max + 1). Call inside a transaction. */
export async function insertMap(db: Kysely<DB>, m: { id: string; name: string; doc: unknown; now: number }): Promise<MapRecord> {
  const { max } = await db
    .selectFrom('maps')
    .select((eb) => eb.fn.max('seq').as('max'))
    .executeTakeFirstOrThrow();
  const row: DB['maps'] = {
    id: m.id,
    seq: (max ?? 0) + 1,
    name: m.name,
    status: 'draft',
    draft_json: JSON.stringify(m.doc),
    rev: 1,
    version: null,
    created_at: m.now,
    updated_at: m.now,
  };
  await db.insertInto('maps').values(row).execute();
  return toRecord(row);
}

export async function getMap(db: Kysely<DB>, id: string): Promise<MapRecord | null> {
  const row = await db.selectFrom('maps').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function listMaps(db: Kysely<DB>): Promise<MapRecord[]> {
  const rows = await db.selectFrom('maps').selectAll().orderBy('seq').execute();
  return rows.map(toRecord);
}

/** Saves the draft if `expectedRev` is current (rev + 1); 'conflict' when it is stale, null when there is no such map. */
export async function updateDraft(
  db: Kysely<DB>,
  id: string,
  doc: unknown,
  name: string,
  expectedRev: number,
  now: number,
): Promise<MapRecord | 'conflict' | null> {
  const res = await db
    .updateTable('maps')
    .set((eb) => ({ draft_json: JSON.stringify(doc), name, rev: eb('rev', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .where('rev', '=', expectedRev)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return (await getMap(db, id)) ? 'conflict' : null;
  return getMap(db, id);
}

export async function setMapState(
  db: Kysely<DB>,
  id: string,
  s: { status?: MapStatus; version?: number },
  now: number,
): Promise<void> {
  await db
    .updateTable('maps')
    .set({
      ...(s.status === undefined ? {} : { status: s.status }),
      ...(s.version === undefined ? {} : { version: s.version }),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/** Deletes a map with its versions, positions, date timers, schedules and stats. Call inside a transaction. */
export async function deleteMap(db: Kysely<DB>, id: string): Promise<void> {
  for (const table of ['map_versions', 'positions', 'date_timers', 'schedules', 'element_stats'] as const) {
    await db.deleteFrom(table).where('map_id', '=', id).execute();
  }
  await db.deleteFrom('maps').where('id', '=', id).execute();
}

/** `author`: who published it, as the audit log names them (null: not known). */
export async function insertVersion(db: Kysely<DB>, mapId: string, version: number, doc: unknown, now: number, author: string | null = null): Promise<void> {
  await db.insertInto('map_versions').values({ map_id: mapId, version, doc_json: JSON.stringify(doc), published_at: now, author }).execute();
}

export async function getVersion(db: Kysely<DB>, mapId: string, version: number): Promise<unknown | null> {
  const row = await db
    .selectFrom('map_versions')
    .select('doc_json')
    .where('map_id', '=', mapId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? JSON.parse(row.doc_json) : null;
}

export async function listVersions(db: Kysely<DB>, mapId: string): Promise<{ version: number; publishedAt: number; author: string | null }[]> {
  const rows = await db
    .selectFrom('map_versions')
    .select(['version', 'published_at', 'author'])
    .where('map_id', '=', mapId)
    .orderBy('version')
    .execute();
  return rows.map((r) => ({ version: r.version, publishedAt: r.published_at, author: r.author }));
}
