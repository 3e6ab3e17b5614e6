import { sql, type Kysely, type RawBuilder } from 'kysely';
import { knownDialectOf } from '../store/dialect.js';
import { fieldColumn } from '../store/columns.js';
import type { DB } from '../store/schema.js';
import { fence, valueAt } from './conversion.js';

const DAY = 86_400_000;

/** A JSON number of a history column as a double, null when empty. */
const num = (column: RawBuilder<unknown>) => sql<number | null>`cast(nullif(${column}, 'null') as double precision)`;

/** One move between brackets: how many contacts made it in the period and the median time it took. */
export interface BracketMove { from: string | null; to: string; contacts: number; medianDays: number | null }

/**
 * Bracket flow (SPEC §11): the history rows of a model's `<field>_bracket` in [from, to), grouped
 * by (from, to) bracket, with how many contacts moved so and the median time since they entered
 * the bracket they left (the row before, at any time; null for a first bracket). In SQL: one row
 * per move comes back.
 */
export async function bracketFlow(db: Kysely<DB>, bracketField: string, from: number, to: number): Promise<BracketMove[]> {
  const moves = sql`(select h.from_json as f, h.to_json as t, h.contact_id as contact_id,
      h.at - (select p.at from history p where p.contact_id = h.contact_id and p.field = h.field and p.at <= h.at and (p.at < h.at or p.id < h.id)
        order by p.at desc, p.id desc limit 1) as took
    from history h
    where h.field = ${bracketField} and h.at >= ${from} and h.at < ${to} and h.to_json is not null and h.to_json <> 'null' ${fence(db)})`;
  const counts = await sql<{ f: string | null; t: string; n: number }>`select m.f, m.t, count(distinct m.contact_id) as n from ${moves} m group by m.f, m.t`.execute(db);
  // The median of each move's times: the middle row (or the two middle rows) of each group in order.
  const medians = await sql<{ f: string | null; t: string; took: number }>`select r.f, r.t, avg(r.took) as took
    from (select m.f, m.t, m.took, row_number() over (partition by m.f, m.t order by m.took) as rn, count(*) over (partition by m.f, m.t) as k
      from ${moves} m where m.took is not null) r
    where r.rn in ((r.k + 1) / 2, (r.k + 2) / 2)
    group by r.f, r.t`.execute(db);
  const key = (f: string | null, t: string) => `${f ?? ''}\u0000${t}`;
  const median = new Map(medians.rows.map((r) => [key(r.f, r.t), Number(r.took)]));
  const name = (json: string | null): string | null => (json === null || json === 'null' ? null : String(JSON.parse(json)));
  return counts.rows.map((r) => {
    const took = median.get(key(r.f, r.t));
    return { from: name(r.f), to: name(r.t) ?? '', contacts: Number(r.n), medianDays: took === undefined ? null : Math.round((took / DAY) * 100) / 100 };
  });
}

/** Score trends (SPEC §11): how many contacts' value rose, fell or stayed between `since` and now. */
export interface Trends { rose: number; fell: number; same: number; contacts: number }

/**
 * Compares each contact's value at `since` (point in time, as the conversion report reads it) with
 * its value now. Only contacts that existed then and have a value both then and now are counted.
 */
export async function trends(db: Kysely<DB>, field: string, since: number): Promise<Trends> {
  const now = sql.ref(`c.${fieldColumn(field)}`);
  const pairs = sql`(select ${valueAt(field, since)} as v0, ${now} as v1 from contacts c where c.created_at <= ${since} ${fence(db)})`;
  const row = (await sql<{ rose: number | null; fell: number | null; same: number | null; n: number }>`select
      sum(case when s.s1 > s.s0 then 1 else 0 end) as rose,
      sum(case when s.s1 < s.s0 then 1 else 0 end) as fell,
      sum(case when s.s1 = s.s0 then 1 else 0 end) as same,
      count(*) as n
    from (select ${num(sql.ref('p.v0'))} as s0, p.v1 as s1 from ${pairs} p) s
    where s.s0 is not null and s.s1 is not null`.execute(db)).rows[0];
  return { rose: Number(row?.rose ?? 0), fell: Number(row?.fell ?? 0), same: Number(row?.same ?? 0), contacts: Number(row?.n ?? 0) };
}

/** What changed a score, as the history's causes say it, summed. */
export interface CauseSum { field: string; model: string | null; rule: string | null; map: string | null; element: string | null; decay: string | null; points: number; count: number }

/**
 * Top scoring actions (SPEC §11): the changes of the fields in [from, to), summed per cause — a
 * scoring rule, a map's element (all its versions), a model's decay, or anything else (changes by
 * hand, imports, merges) — with the points (to − from) and how many changes. The causes are read
 * from `cause_json` in SQL, so each group is one row back.
 */
export async function causeSums(db: Kysely<DB>, fields: readonly string[], from: number, to: number): Promise<CauseSum[]> {
  if (!fields.length) return [];
  const pg = knownDialectOf(db)?.name === 'postgres';
  const part = (key: string) => (pg ? sql<string | null>`(cast(h.cause_json as json) ->> ${key})` : sql<string | null>`json_extract(h.cause_json, ${`$.${key}`})`);
  const rows = await sql<{ field: string; model: string | null; rule: string | null; map: string | null; element: string | null; decay: string | null; points: number | null; n: number }>`
    select g.field, g.model, g.rule, g.map, g.element, g.decay, sum(g.d) as points, count(*) as n
    from (select h.field as field, ${part('scoringModel')} as model, ${part('rule')} as rule, ${part('map')} as map, ${part('element')} as element,
        ${part('decay')} as decay, coalesce(${num(sql.ref('h.to_json'))}, 0) - coalesce(${num(sql.ref('h.from_json'))}, 0) as d
      from history h
      where h.field in (${sql.join(fields)}) and h.at >= ${from} and h.at < ${to}) g
    group by g.field, g.model, g.rule, g.map, g.element, g.decay`.execute(db);
  return rows.rows.map((r) => ({
    field: r.field, model: r.model, rule: r.rule, map: r.map, element: r.element, decay: r.decay,
    points: Math.round(Number(r.points ?? 0) * 1000) / 1000, count: Number(r.n),
  }));
}
