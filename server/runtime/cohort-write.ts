import { sql, type RawBuilder } from 'kysely';
import type { Effects } from '../../engine/effects.js';
import { fieldColumn } from '../store/columns.js';
import { numberJson } from '../store/sql-numbers.js';
import type { Store } from '../store/store.js';
import { col, FALSE, type Planned, type Segment } from './cohort-plan.js';
import { idIn } from './cohort-split.js';

/**
 * What a cohort writes, set-based, from the rows its splitting statement left in the segment's
 * temp table: per path one INSERT … SELECT of history per update_field, one UPDATE of the
 * contacts for all paths, one UPDATE (re-park) or DELETE (end) of the positions, or an upsert for
 * an entry; the element counts go into the batch's effects.
 */

/** Contacts one cohort statement names at most (a batch of due work is at most 1,000). */
const PART = 1_000;
const parts = <T>(rows: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += PART) out.push(rows.slice(i, i + PART));
  return out;
};

/**
 * Runs the chosen cohort contacts' paths as set-based statements and adds the element counts to
 * `effects`; answers how many cohorts (waits) ran.
 */
export async function runCohorts(s: Store, chosen: readonly { item: { readonly contactId: string; readonly at: number }; plan: Planned }[], effects: Effects, last: number): Promise<number> {
  const groups = new Map<Segment, Map<number, { ids: string[]; at: number }>>();
  // The reactions run after every segment that opens them (their contacts' rows then come in the
  // per-contact order: the segment's, then the reaction's); each contact runs at most one.
  const reactions = chosen.flatMap(({ item, plan }) => (plan.reaction ? [{ item, plan: plan.reaction }] : []));
  for (const { item, plan } of [...chosen, ...reactions]) {
    let g = groups.get(plan.seg);
    if (!g) groups.set(plan.seg, (g = new Map()));
    let p = g.get(plan.path);
    if (!p) g.set(plan.path, (p = { ids: [], at: item.at }));
    p.ids.push(item.contactId);
    p.at = Math.max(p.at, item.at);
  }
  const db = s.db;
  for (const [seg, paths] of groups) {
    const map = seg.map;
    const table = sql.table(seg.table.name);
    // The temp table keeps only the contacts that run now (not those past where the batch stops).
    const now = [...paths.values()].flatMap((p) => p.ids);
    await sql`delete from ${table} where ok <> 1 or path < 0 or not (${idIn(s, sql`id`, now)})`.execute(db);
    const ended: string[] = [];
    const parked = new Map<string, { waitId: string; ms: number; ids: string[] }>();
    const sets = new Map<string, RawBuilder<unknown>[]>();
    const changes: RawBuilder<unknown>[] = [];
    for (const [index, { ids, at }] of paths) {
      const path = seg.paths[index];
      // History, one statement per write, in path order: each contact's rows keep their order
      // (one row per contact and statement, so no statement needs an order of its own).
      for (const w of path.writes) {
        const cause = JSON.stringify({ map: map.id, version: map.version, element: w.elementId });
        await sql`insert into history (contact_id, at, field, from_json, to_json, cause_json)
          select t.id, t.at, ${w.field}, ${numberJson(col(w.from, 't'))}, ${numberJson(col(w.to, 't'))}, ${cause} from ${table} t
          where t.path = ${sql.lit(index)} and ${col(w.changed, 't')} = 1`.execute(db);
      }
      if (path.writes.length) {
        for (const [key, name] of path.finals) {
          let list = sets.get(key);
          if (!list) sets.set(key, (list = []));
          list.push(sql`when ${sql.lit(index)} then ${col(name, 't')}`);
        }
        changes.push(sql`when ${sql.lit(index)} then (${sql.join(path.writes.map((w) => sql`${col(w.changed, 't')} = 1`), sql` or `)})`);
      }
      if (path.park) {
        const k = `${path.park.waitId}\u0000${path.park.ms}`;
        let p = parked.get(k);
        if (!p) parked.set(k, (p = { waitId: path.park.waitId, ms: path.park.ms, ids: [] }));
        p.ids.push(...ids);
      } else ended.push(...ids);
      // An entry's move counts the trigger first, then each element passed (CauseRun.move).
      for (const elementId of seg.entry ? [seg.waitId, ...path.elements] : path.elements) {
        const key = `${map.id}\u0000${elementId}`;
        let st = effects.stats.get(key);
        if (!st) effects.stats.set(key, (st = { mapId: map.id, elementId, wereHere: 0, errors: 0, at }));
        st.wereHere += ids.length;
        st.at = Math.max(st.at, at);
      }
    }
    if (changes.length) {
      // Every path's new values in one statement: a field a path leaves alone keeps its value.
      const set = [...sets].map(([key, whens]) => {
        const c = sql.ref(`contacts.${fieldColumn(key)}`);
        return sql`${sql.ref(fieldColumn(key))} = (case t.path ${sql.join(whens, sql` `)} else ${c} end)`;
      });
      await sql`update contacts set ${sql.join(set)}, updated_at = ${last} from ${table} t
        where contacts.id = t.id and (case t.path ${sql.join(changes, sql` `)} else ${FALSE} end)`.execute(db);
    }
    // Re-park as CauseRun.park does: entered at the contact's own due time (its now), due a wait later.
    // Most rows already have every other column right (a loop back to the same wait): only their
    // times are written, as `writePositions` writes only the columns that changed.
    if (seg.entry) {
      // An entry parks each contact as CauseRun.park does, over whatever position it had on the
      // map ("move here"), or takes it off the map at an end (a contact that was not on it has no row).
      for (const [index] of paths) {
        const park = seg.paths[index].park;
        const inPath = sql`select t.id from ${table} t where t.path = ${sql.lit(index)}`;
        if (!park) {
          await sql`delete from positions where map_id = ${map.id} and contact_id in (${inPath})`.execute(db);
          continue;
        }
        await sql`insert into positions (map_id, contact_id, element_id, version, entered_at, due_at, timeout_at, on_condition, stuck)
          select ${map.id}, t.id, ${park.waitId}, cast(${map.version} as integer), t.at, t.at + ${park.ms}, null, 0, 0 from ${table} t where t.path = ${sql.lit(index)}
          on conflict (map_id, contact_id) do update set element_id = excluded.element_id, version = excluded.version, entered_at = excluded.entered_at,
            due_at = excluded.due_at, timeout_at = null, on_condition = 0, stuck = 0`.execute(db);
      }
      continue;
    }
    for (const { waitId, ms, ids } of parked.values()) {
      for (const part of parts(ids)) {
        const inPart = sql`map_id = ${map.id} and ${idIn(s, sql`contact_id`, part)}`;
        const same = sql`(element_id || '') = ${waitId} and version = ${map.version} and timeout_at is null and on_condition = 0 and stuck = 0`;
        const r = await sql`update positions set entered_at = due_at, due_at = due_at + ${ms} where ${inPart} and ${same}`.execute(db);
        if (Number(r.numAffectedRows ?? 0) === part.length) continue;
        await sql`update positions set element_id = ${waitId}, version = ${map.version}, entered_at = due_at, due_at = due_at + ${ms},
            timeout_at = null, on_condition = 0, stuck = 0
          where ${inPart} and not (${same})`.execute(db);
      }
    }
    for (const part of parts(ended)) {
      await sql`delete from positions where map_id = ${map.id} and ${idIn(s, sql`contact_id`, part)}`.execute(db);
    }
  }
  return groups.size;
}
