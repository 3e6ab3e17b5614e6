/**
 * What a backtest reads from the real database, in short reads of one chunk of contacts each
 * (never the engine's lock): the world as published, which contacts, each contact as it was at
 * `from`, and its stored events in the period.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FieldValue } from '../../engine/elements/types.js';
import { MapDocument } from '../../engine/schema/map.js';
import { fieldColumn } from '../store/columns.js';
import { knownDialectOf } from '../store/dialect.js';
import type { DB } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { NOT_ACTIVITY_KEY } from '../scoring/activity.js';
import type { Draft } from './draft.js';
import type { ContactAtFrom, CopyWorld, StoredEvent } from './replay.js';
import { seededRandom } from '../seeded-random.js';

/** `column in (ids)` with the ids as one bound value (a JSON list on SQLite, an array on PostgreSQL). */
export function idIn(db: Kysely<DB>, column: RawBuilder<unknown>, ids: readonly string[]): RawBuilder<boolean> {
  return knownDialectOf(db)?.name === 'postgres'
    ? sql<boolean>`${column} = any(cast(${[...ids]} as text[]))`
    : sql<boolean>`${column} in (select value from json_each(${JSON.stringify(ids)}))`;
}

/** The published world with the draft in place of the model or map of its id (or beside them). */
export async function copyWorld(store: Store, draft: Draft): Promise<CopyWorld> {
  const fields = (await store.listFields()).filter((f) => !f.builtin).map((f) => ({
    key: f.key, label: f.label, type: f.type,
    ...(f.decimals !== undefined ? { decimals: f.decimals } : {}), ...(f.default !== undefined ? { default: f.default } : {}),
  })) as CopyWorld['fields'];
  const maps: { id: string; doc: MapDocument; paused: boolean }[] = [];
  for (const m of await store.listMaps()) {
    if (draft.kind === 'map' && m.id === draft.id) continue;
    if (m.status === 'draft' || m.version === null) continue;
    maps.push({ id: m.id, doc: MapDocument.parse(await store.getVersion(m.id, m.version)), paused: m.status === 'paused' });
  }
  // A saved map's draft runs as it would once published (a paused map stays paused).
  if (draft.kind === 'map') maps.push({ id: draft.id, doc: draft.doc, paused: (await store.getMap(draft.id))?.status === 'paused' });
  const models = (await store.listModels()).filter((r) => draft.kind !== 'model' || r.id !== draft.id).map((r) => r.doc);
  if (draft.kind === 'model') models.push(draft.model);
  const notActivity = await store.getMeta(NOT_ACTIVITY_KEY);
  return { fields, maps, models, meta: notActivity === null ? [] : [{ key: NOT_ACTIVITY_KEY, value: notActivity }] };
}

/** The next `limit` ids after `after` (in id order) of contacts that existed at `at`. */
export async function idsAfter(db: Kysely<DB>, after: string | null, limit: number, at: number): Promise<string[]> {
  let q = db.selectFrom('contacts').select('id').where('created_at', '<=', at);
  if (after !== null) q = q.where('id', '>', after);
  return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
}

/** How many contacts existed at `at`. */
export async function countAt(db: Kysely<DB>, at: number): Promise<number> {
  const r = await db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).where('created_at', '<=', at).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Of `ids`, those that existed at `at`, and those that are not contacts at all. */
export async function knownIds(db: Kysely<DB>, ids: readonly string[], at: number): Promise<{ existed: Set<string>; unknown: string[] }> {
  const existed = new Set<string>();
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 10_000) {
    const part = ids.slice(i, i + 10_000);
    const rows = await db.selectFrom('contacts').select(['id', 'created_at']).where(idIn(db, sql.ref('id'), part)).execute();
    for (const r of rows) {
      found.add(r.id);
      if (Number(r.created_at) <= at) existed.add(r.id);
    }
  }
  return { existed, unknown: ids.filter((id) => !found.has(id)) };
}

/**
 * A random sample of `n` contacts that existed at `at`, the same for the same seed over the same
 * contacts: a reservoir filled while paging through the ids, so only `n` ids are held at once.
 */
export async function sampleIds(db: Kysely<DB>, n: number, seed: number, at: number): Promise<string[]> {
  const random = seededRandom(seed);
  const kept: string[] = [];
  let seen = 0;
  for (let after: string | null = null; ; ) {
    const page = await idsAfter(db, after, 10_000, at);
    if (!page.length) break;
    for (const id of page) {
      seen++;
      if (kept.length < n) kept.push(id);
      else {
        const j = Math.floor(random() * seen);
        if (j < n) kept[j] = id;
      }
    }
    after = page[page.length - 1];
    // Each page is a short read: requests are served between them.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return kept.sort();
}


/**
 * The contacts as they were at `from`: each field (and the tags) is the value the first history
 * row after `from` changed from, or, never changed since, the value now. (A row at or before
 * `from` would say the same; the first row after it is there even when older history was pruned.)
 */
export async function contactsAt(store: Store, ids: readonly string[], from: number): Promise<ContactAtFrom[]> {
  if (!ids.length) return [];
  const db = store.db as Kysely<DB>;
  const now = await store.loadContacts(ids);
  const rows = await sql<{ contact_id: string; field: string; from_json: string | null }>`
    select t.contact_id, t.field, t.from_json from (
      select h.contact_id, h.field, h.from_json, row_number() over (partition by h.contact_id, h.field order by h.at, h.id) as rn
      from history h
      where ${idIn(db, sql.ref('h.contact_id'), ids)} and h.at > ${from} and h.field not like 'map:%'
    ) t where t.rn = 1`.execute(db);
  const before = new Map<string, Map<string, FieldValue>>();
  for (const r of rows.rows) {
    let m = before.get(r.contact_id);
    if (!m) before.set(r.contact_id, (m = new Map()));
    m.set(r.field, r.from_json === null ? null : (JSON.parse(r.from_json) as FieldValue));
  }
  const newcomers = ids.filter((id) => { const c = now.get(id)?.fields.created_at; return typeof c === 'number' && c > from; });
  const made = await madeWith(db, newcomers);
  const out: ContactAtFrom[] = [];
  for (const id of ids) {
    const state = now.get(id);
    if (!state) continue; // deleted since the ids were read
    const first = made.get(id);
    if (first) {
      const { tags, ...fields } = Object.fromEntries(first);
      out.push({ id, createdAt: state.fields.created_at as number, fields, tags: Array.isArray(tags) ? [...tags] : [] });
      continue;
    }
    const then = before.get(id) ?? new Map<string, FieldValue>();
    const fields: Record<string, FieldValue> = {};
    for (const [k, v] of Object.entries(state.fields)) {
      if (k === 'created_at') continue;
      fields[k] = then.has(k) ? then.get(k)! : v;
    }
    for (const [k, v] of then) if (k !== 'tags' && !(k in fields) && k !== 'created_at') fields[k] = v;
    const tags = then.has('tags') ? ((then.get('tags') as string[] | null) ?? []) : state.tags;
    const createdAt = typeof state.fields.created_at === 'number' ? state.fields.created_at : from;
    out.push({ id, createdAt, fields, tags: [...tags] });
  }
  return out;
}

/**
 * The values contacts made during the period were made with: the first values their creation
 * recorded (rows at their creation moment, from nothing, not written by a map, a model or a
 * decay). A contact whose creation rows were pruned is left out here (it is then read as it was at
 * `from`, empty but for what it holds now and never changed).
 */
async function madeWith(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, Map<string, FieldValue>>> {
  const out = new Map<string, Map<string, FieldValue>>();
  if (!ids.length) return out;
  const rows = await sql<{ contact_id: string; field: string; to_json: string | null }>`
    select h.contact_id, h.field, h.to_json from history h join contacts c on c.id = h.contact_id
    where ${idIn(db, sql.ref('h.contact_id'), ids)} and h.at = c.created_at and h.from_json is null and h.field not like 'map:%'
      and h.cause_json not like '{"map"%' and h.cause_json not like '{"scoringModel"%' and h.cause_json not like '{"decay"%'
    order by h.id`.execute(db);
  for (const r of rows.rows) {
    let m = out.get(r.contact_id);
    if (!m) out.set(r.contact_id, (m = new Map()));
    if (!m.has(r.field)) m.set(r.field, r.to_json === null ? null : (JSON.parse(r.to_json) as FieldValue));
  }
  return out;
}

/** The contacts' stored events with `from < at <= to`, in time order (then as accepted). */
export async function eventsOf(db: Kysely<DB>, ids: readonly string[], from: number, to: number): Promise<StoredEvent[]> {
  if (!ids.length) return [];
  const rows = await db.selectFrom('events').select(['id', 'contact_id', 'type', 'at', 'props_json'])
    .where(idIn(db, sql.ref('contact_id'), ids)).where('at', '>', from).where('at', '<=', to)
    .orderBy('at').orderBy('accepted_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, contactId: r.contact_id, type: r.type, at: Number(r.at), props: r.props_json ? JSON.parse(r.props_json) : {} }));
}

/** Each contact's value of `field` at `to` in the real database (history, point in time, as `contactsAt` reads it), by id. */
export async function liveAt(db: Kysely<DB>, ids: readonly string[], field: string, to: number): Promise<Map<string, FieldValue>> {
  const out = new Map<string, FieldValue>();
  if (!ids.length) return out;
  const rows = await sql<{ id: string; v: number | null; later: number; from_json: string | null }>`
    select c.id, ${sql.ref(`c.${fieldColumn(field)}`)} as v, case when t.contact_id is null then 0 else 1 end as later, t.from_json
    from contacts c left join (
      select h.contact_id, h.from_json, row_number() over (partition by h.contact_id order by h.at, h.id) as rn
      from history h where ${idIn(db, sql.ref('h.contact_id'), ids)} and h.field = ${field} and h.at > ${to}
    ) t on t.contact_id = c.id and t.rn = 1
    where ${idIn(db, sql.ref('c.id'), ids)}`.execute(db);
  for (const r of rows.rows) {
    const v = Number(r.later) ? (r.from_json === null ? null : (JSON.parse(r.from_json) as FieldValue)) : r.v;
    out.set(r.id, typeof v === 'string' ? Number(v) : v);
  }
  return out;
}
