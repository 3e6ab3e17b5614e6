import { sql, type Kysely, type RawBuilder } from 'kysely';
import { fence, knownDialectOf } from '../store/dialect.js';
import { fieldColumn } from '../store/columns.js';
import type { DB } from '../store/schema.js';
import { testSql, type Outcome } from './outcomes.js';

/** How scores are cut into bands: ranges at cut points, or the brackets of a scoring model. */
export type Bands =
  | { readonly kind: 'ranges'; readonly edges: readonly number[] } // ascending cut points: [20, 50, 80] → "<20", "20–50", "50–80", "≥80"
  | { readonly kind: 'brackets'; readonly model: string }; // the brackets of a scoring model

/** What a conversion report looks at. */
export interface ConversionOptions {
  /** A number field (a model's score field). */
  readonly field: string;
  /** T, epoch ms: each contact's score at T is read from history (point in time). */
  readonly at: number;
  /** An outcome counts when reached in (T, T + window]. */
  readonly windowMs: number;
  /** Any of them counts. */
  readonly outcomes: readonly Outcome[];
  readonly bands: Bands;
  /** Restrict to these ids (else every contact that existed at T). */
  readonly contacts?: readonly string[];
}

/** One band: its bounds (`min` ≤ score < `max`; null: open), its contacts, how many converted, the rate and the lift over the average. */
export interface BandRow { band: string; min: number | null; max: number | null; contacts: number; converted: number; rate: number; lift: number | null }

/** Conversion by score band (SPEC §11). */
export interface ConversionReport {
  field: string;
  /** T, ISO-8601. */
  at: string;
  /** The window, as a duration ("30d"). */
  window: string;
  /** The ids of the outcomes that counted. */
  outcomes: string[];
  total: { contacts: number; converted: number; rate: number };
  bands: BandRow[];
}

/** The band of contacts with no value of the field at T. */
export const NO_SCORE = 'no score';
/** The band of contacts whose score at T is below the lowest bracket of the model. */
export const NO_BRACKET = 'below every bracket';

/** A band's definition before it is counted. */
interface BandDef { readonly band: string; readonly min: number | null; readonly max: number | null }

/** A window in milliseconds as the API writes it: "30d", "12h", "90m", "2w" (the largest unit that divides it). */
export function formatWindow(ms: number): string {
  const units: [string, number][] = [['w', 7 * 86_400_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [u, n] of units) if (ms > 0 && ms % n === 0) return `${ms / n}${u}`;
  return `${ms}ms`;
}

/** `column in (ids)` with the ids as one bound value (a JSON list on SQLite, an array on PostgreSQL). */
function idIn(db: Kysely<DB>, column: RawBuilder<unknown>, ids: readonly string[]): RawBuilder<boolean> {
  return knownDialectOf(db)?.name === 'postgres'
    ? sql<boolean>`${column} = any(cast(${[...ids]} as text[]))`
    : sql<boolean>`${column} in (select value from json_each(${JSON.stringify(ids)}))`;
}

/**
 * A contact's value of `field` at T, as JSON text (`'null'` when it was empty): the last history row
 * of the field at or before T; else, when the only rows are later, the value the first of them
 * changed from (history older than T may have been pruned); else the value now (never changed).
 * It reads the contact as `c` (a row of `contacts`).
 * Each lookup is one seek of `history_point_idx` (contact, field, at).
 */
export function valueAt(field: string, at: number | RawBuilder<number>): RawBuilder<string | null> {
  const column = sql.ref(`c.${fieldColumn(field)}`);
  return sql<string | null>`coalesce(
    (select coalesce(h.to_json, 'null') from history h where h.contact_id = c.id and h.field = ${field} and h.at <= ${at} order by h.at desc, h.id desc limit 1),
    (select coalesce(h.from_json, 'null') from history h where h.contact_id = c.id and h.field = ${field} and h.at > ${at} order by h.at, h.id limit 1),
    cast(${column} as text))`;
}

/**
 * Whether the contact reached one of the outcomes in (from, to]: an event of the type stored for
 * it, or a history row of the field that made the test true (it did not hold before the change).
 * Each outcome is one set read once from an index by (type or field, time) — a window's outcomes
 * are few beside the contacts — and each contact is looked up in it, not a query per contact.
 */
function reached(outcomes: readonly Outcome[], from: number, to: number): RawBuilder<boolean> {
  const parts: RawBuilder<boolean>[] = [];
  const events = [...new Set(outcomes.flatMap((o) => (o.event ? [o.event] : [])))];
  if (events.length) {
    parts.push(sql<boolean>`c.id in (select e.contact_id from events e where e.type in (${sql.join(events)}) and e.at > ${from} and e.at <= ${to})`);
  }
  for (const o of outcomes) {
    if (!o.field) continue;
    const made = sql<boolean>`${testSql(o.field, sql.ref('h.to_json'))} and not ${testSql(o.field, sql.ref('h.from_json'))}`;
    parts.push(sql<boolean>`c.id in (select h.contact_id from history h where h.field = ${o.field.field} and h.at > ${from} and h.at <= ${to} and ${made})`);
  }
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` or `)})` : sql<boolean>`(1 = 0)`;
}

/**
 * The contacts of the report (those that existed at T, or the ones given), each with its score at T
 * (null: none) and whether it reached an outcome in (T, T + window] (1 or 0), as one select. Read it
 * as a subquery (`db.selectFrom(scoredOutcomes(db, opts).as('s'))`) or execute it.
 */
export function scoredOutcomes(db: Kysely<DB>, opts: ConversionOptions) {
  const { field, at } = opts;
  const end = at + opts.windowMs;
  const inner = sql`(select c.id as contact_id, ${valueAt(field, at)} as v, case when ${reached(opts.outcomes, at, end)} then 1 else 0 end as converted
    from contacts c
    where c.created_at <= ${at}${opts.contacts ? sql` and ${idIn(db, sql.ref('c.id'), opts.contacts)}` : sql``}
    ${fence(db)})`;
  return db
    .selectFrom(inner.as('p'))
    .select([
      sql<string>`p.contact_id`.as('contact_id'),
      sql<number | null>`cast(nullif(p.v, 'null') as double precision)`.as('score'),
      sql<number>`p.converted`.as('converted'),
    ]);
}

/** The bands of a report, lowest first ("no score" is added when it has contacts). */
export async function bandDefs(db: Kysely<DB>, bands: Bands): Promise<BandDef[]> {
  if (bands.kind === 'ranges') {
    const edges = bands.edges;
    const out: BandDef[] = [];
    if (!edges.length) return [{ band: 'all', min: null, max: null }];
    out.push({ band: `<${edges[0]}`, min: null, max: edges[0] });
    for (let i = 1; i < edges.length; i++) out.push({ band: `${edges[i - 1]}–${edges[i]}`, min: edges[i - 1], max: edges[i] });
    out.push({ band: `≥${edges[edges.length - 1]}`, min: edges[edges.length - 1], max: null });
    return out;
  }
  const row = await db.selectFrom('scoring_models').select('doc_json').where('id', '=', bands.model).executeTakeFirst();
  const brackets = row ? ((JSON.parse(row.doc_json) as { brackets?: { name: string; min: number }[] }).brackets ?? []) : [];
  const sorted = [...brackets].sort((a, b) => a.min - b.min);
  const out: BandDef[] = sorted.map((b, i) => ({ band: b.name, min: b.min, max: sorted[i + 1]?.min ?? null }));
  if (!sorted.length) return [{ band: 'all', min: null, max: null }];
  return [{ band: NO_BRACKET, min: null, max: sorted[0].min }, ...out];
}

/**
 * Conversion by score band (SPEC §11): the contacts by the band their score was in at T (read from
 * history, point in time), how many of each reached an outcome within the window after T, the rate,
 * and the lift (band rate / total rate; null when the total rate is 0 or the band is empty). Counted
 * in SQL: one row per band comes back, never a row per contact.
 */
export async function conversionByBand(db: Kysely<DB>, opts: ConversionOptions): Promise<ConversionReport> {
  const defs = await bandDefs(db, opts.bands);
  // Band i holds min ≤ score < max; -1 is "no score". Each score is read once (the fence above).
  const index = sql<number>`case when s.score is null then -1 ${sql.join(
    defs.map((d, i) => sql`when ${d.max === null ? sql`1 = 1` : sql`s.score < ${d.max}`} then ${sql.lit(i)}`), sql` `)} end`;
  const rows = await db
    .selectFrom(scoredOutcomes(db, opts).as('s'))
    .select([index.as('band'), sql<number>`count(*)`.as('contacts'), sql<number>`sum(s.converted)`.as('converted')])
    .groupBy(sql`1`)
    .execute();
  const counted = new Map(rows.map((r) => [Number(r.band), { contacts: Number(r.contacts), converted: Number(r.converted ?? 0) }]));
  const all = [...counted.values()];
  const contacts = all.reduce((n, r) => n + r.contacts, 0);
  const converted = all.reduce((n, r) => n + r.converted, 0);
  const rate = contacts ? converted / contacts : 0;
  const row = (d: BandDef, i: number): BandRow => {
    const c = counted.get(i) ?? { contacts: 0, converted: 0 };
    const r = c.contacts ? c.converted / c.contacts : 0;
    return { ...d, contacts: c.contacts, converted: c.converted, rate: r, lift: rate > 0 && c.contacts > 0 ? r / rate : null };
  };
  const bands = defs.map(row).filter((b, i) => !(b.band === NO_BRACKET && i === 0 && b.contacts === 0));
  if (counted.has(-1)) bands.push(row({ band: NO_SCORE, min: null, max: null }, -1));
  return {
    field: opts.field,
    at: new Date(opts.at).toISOString(),
    window: formatWindow(opts.windowMs),
    outcomes: opts.outcomes.map((o) => o.id),
    total: { contacts, converted, rate },
    bands,
  };
}
