import { sql, type Kysely, type RawBuilder } from 'kysely';
import { fieldColumn } from '../store/columns.js';
import type { DB } from '../store/schema.js';
import { fence } from '../store/dialect.js';
import { valueAt } from './conversion.js';

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
  // One pass: the contacts of each move, and the median of its times — the middle row (or the two
  // middle rows) of each move's known times in order (a first bracket has none).
  const rows = await sql<{ f: string | null; t: string; n: number; took: number | null }>`select r.f, r.t, count(distinct r.contact_id) as n,
      avg(case when r.took is not null and r.rn in ((r.k + 1) / 2, (r.k + 2) / 2) then r.took end) as took
    from (select m.f, m.t, m.contact_id, m.took,
        row_number() over (partition by m.f, m.t, m.took is null order by m.took) as rn,
        count(*) over (partition by m.f, m.t, m.took is null) as k
      from ${moves} m) r
    group by r.f, r.t`.execute(db);
  const name = (json: string | null): string | null => (json === null || json === 'null' ? null : String(JSON.parse(json)));
  return rows.rows.map((r) => ({
    from: name(r.f), to: name(r.t) ?? '', contacts: Number(r.n),
    medianDays: r.took === null || r.took === undefined ? null : Math.round((Number(r.took) / DAY) * 100) / 100,
  }));
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
 * hand, imports, merges) — with the points (to − from) and how many changes. Summed in SQL per
 * cause as written (a few per rule, element and model), and the causes read here.
 */
export async function causeSums(db: Kysely<DB>, fields: readonly string[], from: number, to: number): Promise<CauseSum[]> {
  if (!fields.length) return [];
  const rows = await sql<{ field: string; cause: string; points: number | null; n: number }>`
    select h.field as field, h.cause_json as cause, sum(coalesce(${num(sql.ref('h.to_json'))}, 0) - coalesce(${num(sql.ref('h.from_json'))}, 0)) as points, count(*) as n
    from history h
    where h.field in (${sql.join(fields)}) and h.at >= ${from} and h.at < ${to}
    group by h.field, h.cause_json`.execute(db);
  const sums = new Map<string, CauseSum>();
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  for (const r of rows.rows) {
    let cause: Record<string, unknown> = {};
    try {
      cause = JSON.parse(r.cause) as Record<string, unknown>;
    } catch {
      // Not JSON: counted with the other changes.
    }
    const s = {
      field: r.field, model: text(cause.scoringModel), rule: text(cause.rule), map: text(cause.map), element: text(cause.element), decay: text(cause.decay),
    };
    const key = JSON.stringify(s);
    const had = sums.get(key);
    if (had) {
      had.points += Number(r.points ?? 0);
      had.count += Number(r.n);
    } else sums.set(key, { ...s, points: Number(r.points ?? 0), count: Number(r.n) });
  }
  return [...sums.values()].map((x) => ({ ...x, points: Math.round(x.points * 1000) / 1000 }));
}
