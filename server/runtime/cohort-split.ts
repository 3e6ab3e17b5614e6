import { sql, type RawBuilder } from 'kysely';
import type { CompiledMap } from '../../engine/compile.js';
import { fieldColumn } from '../store/columns.js';
import { dueScan } from '../store/positions-store.js';
import { num, roundLikeEngine } from '../store/sql-numbers.js';
import type { Store } from '../store/store.js';
import { baseName, col, FALSE, heard, IN_BOUND, onMapColumn, segmentOf, TRUE, type Planned, type Segment } from './cohort-plan.js';
import type { Runtime } from './runtime.js';

/**
 * The splitting statements of cohorts (what they read): one INSERT … SELECT per segment that takes
 * its contacts' stored values, works out which path each takes and the values it writes through
 * the segment's layers, into the segment's temp table, and says which contacts run as the
 * cohort. Its base is a list of due contacts, the due scan itself (the claim, on SQLite), or the
 * contacts an event enters.
 */

/**
 * `column in (ids)` with the ids as one parameter (a JSON list on SQLite, an array on PostgreSQL):
 * a batch's thousand ids are then one bound value per statement, not a thousand.
 */
export const idIn = (s: Store, column: RawBuilder<unknown>, ids: readonly string[]): RawBuilder<boolean> =>
  s.dialect.name === 'postgres'
    ? sql<boolean>`${column} = any(cast(${[...ids]} as text[]))`
    : sql<boolean>`${column} in (select value from json_each(${JSON.stringify(ids)}))`;


/**
 * The base layer: the cohort's contacts at the segment's wait, with their due time and stored
 * values; with `flags`, whether their values fit the cohort path and whether they wait on a
 * condition in another map.
 */
function base(s: Store, seg: Segment, ids: readonly string[], flags: boolean): RawBuilder<unknown> {
  const cols: RawBuilder<unknown>[] = [sql`contacts.id as id`, sql`positions.due_at as at`, ...valueColumns(seg, flags)];
  return sql`select ${sql.join(cols)} from positions join contacts on contacts.id = positions.contact_id
    where positions.map_id = ${seg.map.id} and ${idIn(s, sql`positions.contact_id`, ids)}
      and (positions.element_id || '') = ${seg.waitId} and positions.stuck = 0 and (positions.due_at + 0) is not null`;
}

/**
 * The base layer of a claim (`claimWaits`): the map's first `limit` due positions in due order,
 * wherever they are, with their contacts' values and flags (as `base`), and `here`: whether the
 * position is at the segment's wait (only those may run as its cohort).
 */
function claimBase(s: Store, seg: Segment, upTo: number, limit: number): RawBuilder<unknown> {
  const cols: RawBuilder<unknown>[] = [
    sql`p.contact_id as id`, sql`p.due_at as at`, ...valueColumns(seg, true),
    sql`(case when contacts.id is not null and (p.element_id || '') = ${seg.waitId} and p.stuck = 0 then 1 else 0 end) as here`,
  ];
  const due = dueScan(s.db, seg.map.id, upTo, limit).select(['contact_id', 'due_at', 'element_id', 'stuck']);
  return sql`select ${sql.join(cols)} from (${due}) p left join contacts on contacts.id = p.contact_id`;
}

/** What `claimWaits` worked out per map: the segment it filled and its contacts' paths. */
export type ClaimedCohorts = Map<CompiledMap, { readonly seg: Segment; readonly planned: ReadonlyMap<string, Planned> }>;

/**
 * Claims the map's next `limit` due positions and, in the same statement, splits those at its
 * first cohort wait into their paths with the values they write (the splitting statement over
 * the due scan instead of over a list of claimed ids): answers the claim, as
 * `Store.claimDueContacts` does, and the plan, or null when the claim goes its own way. Only on a
 * database one process writes (SQLite, whose transaction holds the write lock, so reading is
 * claiming): on a shared one the claim takes row locks (`Dialect.claimDuePositions`).
 */
export async function claimWaits(
  rt: Runtime, s: Store, map: CompiledMap, upTo: number, limit: number,
): Promise<{ due: { contactId: string; dueAt: number }[]; seg: Segment; planned: Map<string, Planned> } | null> {
  if (!rt.cohorts || s.dialect.shared || map.paused) return null;
  let seg: Segment | null = null;
  for (const el of map.doc.elements) {
    const found = el.kind === 'wait' ? segmentOf(rt, map, el.id) : null;
    if (found && !heard(rt, found)) {
      seg = found;
      break;
    }
  }
  if (!seg) return null;
  const rows = await fill(s, seg, claimBase(s, seg, upTo, limit), { here: true });
  rows.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const planned = new Map<string, Planned>();
  for (const r of rows) if (r.ok) planned.set(r.id, { seg, path: r.path });
  await chainReactions(rt, s, seg, rows, planned);
  return { due: rows.map((r) => ({ contactId: r.id, dueAt: r.at })), seg, planned };
}

/** The base layer of an entry: the contacts, entering at `now`, with their stored values and flags (as `base`). */
function entryBase(s: Store, seg: Segment, ids: readonly string[], now: number): RawBuilder<unknown> {
  const cols: RawBuilder<unknown>[] = [sql`contacts.id as id`, sql`cast(${now} as bigint) as at`, ...valueColumns(seg, true)];
  return sql`select ${sql.join(cols)} from contacts where ${idIn(s, sql`contacts.id`, ids)}`;
}

/** Where a reaction's contacts are when it starts, in place of what is stored (see `chainBase`). */
interface Overrides {
  /** A field's value, or undefined: the stored one. */
  value(key: string): RawBuilder<number> | undefined;
  /** Whether the contact is on the map, or undefined: as stored. */
  on(mapId: string): RawBuilder<boolean> | undefined;
}

/**
 * The stored values a segment reads and whether the contact is on each of its `onMaps` (or, for a
 * reaction, what `over` says they are by then); with `flags`, `fits` and `waiting` (see `base`).
 */
function valueColumns(seg: Segment, flags: boolean, over?: Overrides): RawBuilder<unknown>[] {
  const column = (key: string) => over?.value(key) ?? sql<number>`${sql.ref(`contacts.${fieldColumn(key)}`)}`;
  const cols: RawBuilder<unknown>[] = [];
  for (const key of seg.reads) cols.push(sql`${column(key)} as ${sql.ref(baseName(key))}`);
  for (const [i, mapId] of seg.onMaps.entries()) {
    const on = over?.on(mapId) ?? sql<boolean>`(exists (select 1 from positions o where o.contact_id = contacts.id and o.map_id = ${mapId}))`;
    cols.push(sql`${on} as ${sql.ref(onMapColumn(i))}`);
  }
  if (flags) {
    // Values the statements work out exactly: within IN_BOUND, and written ones holding no more decimals than their field keeps.
    const fit = [...seg.reads].map((key) => {
      const c = column(key);
      const d = seg.written.get(key);
      const keeps = d === undefined ? TRUE : sql<boolean>`${roundLikeEngine(c, d)} = ${c}`;
      return sql<boolean>`(${c} is null or (abs(${c}) <= ${num(IN_BOUND)} and ${keeps}))`;
    });
    cols.push(sql`(case when ${fit.length ? sql.join(fit, sql` and `) : TRUE} then 1 else 0 end) as fits`);
    cols.push(sql`(case when exists (select 1 from positions w where w.contact_id = contacts.id and w.map_id <> ${seg.map.id} and w.on_condition = 1 and w.stuck = 0) then 1 else 0 end) as waiting`);
  }
  return cols;
}

/**
 * The splitting statements: for contacts due on `map`, which eligible wait each is at and which
 * path it takes from there, with the values the path writes, into the segment's temp table; then
 * which of them run as a cohort (not those that must go one by one).
 */
export async function split(rt: Runtime, s: Store, map: CompiledMap, due: ReadonlyMap<string, number>, out: Map<string, Planned>, filled?: Segment): Promise<void> {
  const ids = [...due.keys()];
  for (const el of map.doc.elements) {
    const seg = el.kind === 'wait' ? segmentOf(rt, map, el.id) : null;
    // Asked again each batch (the plan is cached per world): a hook that starts listening goes one by one at once.
    if (!seg || seg === filled || heard(rt, seg)) continue;
    const rows = await fill(s, seg, base(s, seg, ids, true));
    for (const r of rows) {
      if (!r.ok) continue;
      // As CauseRun's wake, a contact whose position is no longer due at its item's time is not
      // woken here (the per-contact path passes it by): the claim locks the position, so this
      // only guards an item whose position changed in this transaction before the split.
      if (r.at === due.get(r.id)) out.set(r.id, { seg, path: r.path });
    }
    await chainReactions(rt, s, seg, rows, out);
  }
}

/**
 * The splitting statement of a segment over the contacts `baseQuery` selects (with flags): each
 * one's path and the values it writes, into the segment's temp table; answers the contacts that
 * run as a cohort (not those that must go one by one), with their time, path and reaction. The
 * table is emptied first; with `keep`, only the rows of those contacts are replaced.
 */
async function fill(s: Store, seg: Segment, baseQuery: RawBuilder<unknown>, opts: { here?: boolean; keep?: readonly string[] } = {}): Promise<Filled[]> {
  const table = sql.table(seg.table.name);
  const defs = [...seg.table.columns].map(([name, type]) => sql`${sql.ref(name)} ${sql.raw(type)}`);
  // A temp table lives with the connection (SQLite's one; each PostgreSQL connection makes its own).
  await sql`create temp table if not exists ${table} (id text, at bigint, path integer, ok integer, react integer${sql.join(defs.map((d) => sql`, ${d}`), sql``)})${sql.raw(s.dialect.name === 'postgres' ? ' on commit delete rows' : '')}`.execute(s.db);
  await sql`delete from ${table}${opts.keep ? sql` where ${idIn(s, sql`id`, opts.keep)}` : sql``}`.execute(s.db);
  const q = seg.layers.build(baseQuery, s.dialect.fence, [...seg.table.columns.keys(), ...seg.paths.flatMap((p) => [p.when, p.fires, p.react, p.reacts])]);
  const byPath = (f: (p: Segment['paths'][number]) => RawBuilder<unknown>) => sql.join(seg.paths.map((p) => sql`when ${col(p.when)} then ${f(p)}`), sql` `);
  const path = sql.join(seg.paths.map((p, i) => sql`when ${col(p.when)} then ${sql.lit(i)}`), sql` `);
  const fires = byPath((p) => sql`(case when ${col(p.fires)} then 1 else 0 end)`);
  const values = [...seg.table.columns].map(([name, type]) => (type === 'integer' ? sql`(case when ${col(name)} then 1 else 0 end)` : col(name)));
  const names = [...seg.table.columns.keys()].map((n) => sql`, ${sql.ref(n)}`);
  // ok: the path is known and nothing sends the contact one by one (see the file's comment); at
  // most one reaction moves it (it runs as the next cohort).
  const rows = await sql`insert into ${table} (id, at, path, ok, react${sql.join(names, sql``)})
    select l.id, l.at, (case ${path} else -1 end),
      (case when ${opts.here ? sql`l.here = 1 and ` : sql``}l.fits = 1 and l.waiting = 0 and (case ${fires} else 1 end) = 0
        and (case ${byPath((p) => col(p.reacts))} else 0 end) <= 1 and (case ${path} else -1 end) >= 0 then 1 else 0 end),
      (case ${byPath((p) => col(p.react))} else -1 end)${sql.join(values.map((v) => sql`, ${v}`), sql``)}
    from (${q}) l returning id, at, path, ok, react`.execute(s.db);
  return (rows.rows as { id: string; path: number | string; at: number | string; ok: number | string; react: number | string }[])
    .map((r) => ({ id: r.id, at: Number(r.at), path: Number(r.path), ok: Number(r.ok) === 1, react: Number(r.react) }));
}

/** A row the splitting statement wrote: the contact, its time and path, whether it runs as the cohort, and the reaction it then runs (−1: none). */
interface Filled {
  readonly id: string;
  readonly at: number;
  readonly path: number;
  readonly ok: boolean;
  readonly react: number;
}

/**
 * The base layer of a reaction (`Segment.reactions`): the contacts `ids` of `from`'s temp table,
 * whose path opens reaction `index`, at their time, with the values their path left (`from`'s finals
 * for the fields it wrote, else the stored ones) and on `from`'s map as their path left them.
 */
function chainBase(s: Store, from: Segment, index: number, r: Segment, ids: readonly string[]): RawBuilder<unknown> {
  const over: Overrides = {
    value: (key) => {
      const whens = from.paths.flatMap((p, i) => {
        const name = p.finals.get(key);
        return name ? [sql`when ${sql.lit(i)} then ${col(name, 't')}`] : [];
      });
      return whens.length ? sql<number>`(case t.path ${sql.join(whens, sql` `)} else ${sql.ref(`contacts.${fieldColumn(key)}`)} end)` : undefined;
    },
    on: (mapId) => {
      if (mapId !== from.map.id) return undefined;
      const parking = from.paths.flatMap((p, i) => (p.park ? [sql.lit(i)] : []));
      return parking.length ? sql<boolean>`(t.path in (${sql.join(parking)}))` : FALSE;
    },
  };
  const cols: RawBuilder<unknown>[] = [sql`t.id as id`, sql`t.at as at`, ...valueColumns(r, true, over)];
  return sql`select ${sql.join(cols)} from ${sql.table(from.table.name)} t join contacts on contacts.id = t.id
    where t.ok = 1 and t.react = ${sql.lit(index)} and ${idIn(s, sql`t.id`, ids)}`;
}

/**
 * The reactions of the contacts `out` planned on `seg` (rows of its splitting statement): each
 * reaction's splitting statement over the contacts whose path opens it, reading the values their
 * path left. A contact runs its reaction as the next cohort when that statement takes it, else it
 * goes one by one (it leaves `out`). Several segments of a batch may open one reaction: each adds
 * its contacts' rows to the reaction's temp table (rows of other contacts left from earlier are
 * deleted by `runCohorts` before it writes).
 */
async function chainReactions(rt: Runtime, s: Store, seg: Segment, rows: readonly Filled[], out: Map<string, Planned>): Promise<void> {
  const opening = new Map<number, string[]>();
  for (const row of rows) {
    if (row.react < 0 || out.get(row.id)?.seg !== seg) continue;
    let ids = opening.get(row.react);
    if (!ids) opening.set(row.react, (ids = []));
    ids.push(row.id);
  }
  for (const [index, ids] of opening) {
    const r = seg.reactions[index]!;
    const taken = new Map<string, number>();
    if (!heard(rt, r)) {
      for (const row of await fill(s, r, chainBase(s, seg, index, r, ids), { keep: ids })) if (row.ok) taken.set(row.id, row.path);
    }
    for (const id of ids) {
      const path = taken.get(id);
      if (path === undefined) out.delete(id);
      else out.set(id, { ...out.get(id)!, reaction: { seg: r, path } });
    }
  }
}

/**
 * Which contacts of `ids` (none of them on the map: the caller knows) enter `seg`'s map by its
 * event trigger at `now` as a cohort, and by which path: the splitting statement of an entry
 * (see `fill`). The rows stay in the segment's temp table for `runCohorts`, in this transaction.
 */
export async function splitEntries(rt: Runtime, s: Store, seg: Segment, ids: readonly string[], now: number): Promise<Map<string, Planned>> {
  const out = new Map<string, Planned>();
  if (!seg.entry || heard(rt, seg)) return out;
  const rows = await fill(s, seg, entryBase(s, seg, ids, now));
  for (const r of rows) if (r.ok) out.set(r.id, { seg, path: r.path });
  await chainReactions(rt, s, seg, rows, out);
  return out;
}
