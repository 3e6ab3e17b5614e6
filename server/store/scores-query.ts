import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Bracket } from '../../engine/scoring/model.js';
import { chunk } from './chunk.js';
import { fieldColumn, fieldIndexName } from './columns.js';
import type { DB } from './schema.js';

/**
 * Where contacts stand on a scoring model's field (SPEC §5): percent ranks for a page of contacts
 * and the distribution of every score, computed in SQL (portable: `floor`, `case`, `coalesce`),
 * never by loading all contacts. Throughout, a contact with no value in the field counts as 0,
 * as the scoring engine reads it.
 */

/** A contact's score (null: no value, which ranks as 0) and its percent rank. */
export interface ScoreRank {
  readonly score: number | null;
  readonly percentRank: number;
}

/** How the scores of a field spread over contacts. */
export interface ScoreDistribution {
  readonly total: number;
  /** Null when there are no contacts. */
  readonly mean: number | null;
  readonly median: number | null;
  /** Bands over [min, max], each `[from, to)` but the last `[from, to]`; scores outside count in the nearest band. */
  readonly bands: { from: number; to: number; count: number }[];
  /** The model's brackets, in its order, with how many contacts each holds (contacts below every bracket are in none). */
  readonly brackets: { name: string; min: number; count: number }[];
}

const col = (field: string) => sql.ref(`contacts.${fieldColumn(field)}`);
/** The value scoring reads: empty is 0. */
const valueOf = (field: string): RawBuilder<number> => sql<number>`coalesce(${col(field)}, 0)`;

async function countWhere(db: Kysely<DB>, where: RawBuilder<unknown>): Promise<number> {
  const r = await db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).where(where as never).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Creates the index on a field's column unless it exists (number fields get one when created). */
export async function ensureIndex(db: Kysely<DB>, field: string): Promise<void> {
  await db.schema.createIndex(fieldIndexName(field)).ifNotExists().on('contacts').column(fieldColumn(field)).execute();
}

/**
 * Scores and percent ranks of some contacts: 100 × (contacts whose unrounded score ≤ theirs) / (contacts).
 * Ties share a rank; the highest score ranks 100. Ids that are not contacts are absent.
 *
 * Counted from the top as `total − (contacts above)`: the page's distinct scores, highest first,
 * each cost one `count(*) where f > v and f <= previous` on the field's index, so a page costs
 * the index entries above it plus those it spans (the first page of a list sorted by score desc:
 * about the page itself), plus one `count(*)` for the total.
 */
export async function scoreRanks(db: Kysely<DB>, field: string, contactIds: readonly string[]): Promise<Map<string, ScoreRank>> {
  const out = new Map<string, ScoreRank>();
  const ids = [...new Set(contactIds)];
  if (!ids.length) return out;
  const c = col(field);
  const scores = new Map<string, number | null>();
  for (const part of chunk(ids)) {
    const rows = await db.selectFrom('contacts').select(['id', sql<number | null>`${c}`.as('v')]).where('id', 'in', part).execute();
    for (const r of rows) scores.set(r.id, r.v === null ? null : Number(r.v));
  }
  if (!scores.size) return out;
  const total = await countWhere(db, sql`1 = 1`);
  const values = [...new Set([...scores.values()].map((v) => v ?? 0))].sort((a, b) => b - a);
  const above = new Map<number, number>();
  let running = 0;
  for (const [i, v] of values.entries()) {
    running += await countWhere(db, i === 0 ? sql`${c} > ${v}` : sql`${c} > ${v} and ${c} <= ${values[i - 1]}`);
    above.set(v, running);
  }
  // Empty values are 0: above every negative score (rare: scores are usually kept at 0 or more).
  if (values[values.length - 1] < 0) {
    const empty = await countWhere(db, sql`${c} is null`);
    for (const v of values) if (v < 0) above.set(v, above.get(v)! + empty);
  }
  for (const [id, score] of scores) out.set(id, { score, percentRank: (100 * (total - above.get(score ?? 0)!)) / total });
  return out;
}

/** Percent ranks of some contacts (see {@link scoreRanks}); null for ids that are not contacts. */
export async function percentRanks(db: Kysely<DB>, field: string, contactIds: readonly string[]): Promise<Map<string, number | null>> {
  const ranks = await scoreRanks(db, field, contactIds);
  return new Map(contactIds.map((id) => [id, ranks.get(id)?.percentRank ?? null]));
}

/** Band width: 10 points, widened (in tens) so that a wide range has at most 100 bands. */
export function bandWidth(min: number, max: number): number {
  return 10 * Math.max(1, Math.ceil((max - min) / 1_000));
}

/**
 * The distribution of a field's scores over every contact: count, mean (`avg`), median, counts
 * per band of {@link bandWidth} points over [min, max], counts per bracket — each a single
 * aggregate or GROUP BY in SQL; the median reads one or two rows at an offset of the field's index.
 */
export async function scoreDistribution(
  db: Kysely<DB>, field: string, brackets: readonly Bracket[] | undefined, min: number, max: number,
): Promise<ScoreDistribution> {
  const c = col(field);
  const v = valueOf(field);
  const head = await db.selectFrom('contacts').select([
    sql<number>`count(*)`.as('n'),
    sql<number | null>`avg(${v})`.as('mean'),
    sql<number | null>`sum(case when ${c} is null then 1 else 0 end)`.as('empty'),
    sql<number | null>`sum(case when ${c} < 0 then 1 else 0 end)`.as('negative'),
  ]).executeTakeFirstOrThrow();
  const total = Number(head.n);

  const width = bandWidth(min, max);
  const bandCount = Math.max(1, Math.ceil((max - min) / width));
  const band = sql<number>`case when ${v} < ${min} then 0 when ${v} >= ${max} then ${bandCount - 1} else floor((${v} - ${min}) * 1.0 / ${width}) end`;
  const perBand = await groupCounts(db, band);
  const bands = Array.from({ length: bandCount }, (_, i) => ({
    from: min + i * width, to: Math.min(min + (i + 1) * width, max), count: perBand.get(i) ?? 0,
  }));

  // A contact is in the bracket with the highest min its score reaches (as bracketOf decides; the first listed wins a tie).
  const order = (brackets ?? []).map((b, i) => ({ b, i })).sort((x, y) => y.b.min - x.b.min);
  let perBracket = new Map<number, number>();
  if (order.length) {
    const which = sql<number>`case ${sql.join(order.map(({ b, i }) => sql`when ${v} >= ${b.min} then ${i}`), sql` `)} else -1 end`;
    perBracket = await groupCounts(db, which);
  }

  return {
    total,
    mean: total ? Number(head.mean) : null,
    median: total ? await median(db, field, total, Number(head.empty ?? 0), Number(head.negative ?? 0)) : null,
    bands,
    brackets: (brackets ?? []).map((b, i) => ({ name: b.name, min: b.min, count: perBracket.get(i) ?? 0 })),
  };
}

/** `select k, count(*) … group by k` over every contact, as a map (a handful of rows). */
async function groupCounts(db: Kysely<DB>, key: RawBuilder<number>): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom(db.selectFrom('contacts').select(key.as('k')).as('t'))
    .select(['t.k', sql<number>`count(*)`.as('n')])
    .groupBy('t.k')
    .execute();
  return new Map(rows.map((r) => [Number(r.k), Number(r.n)]));
}

/**
 * The median of `coalesce(f, 0)` over `total` contacts (the mean of the two middle values when
 * the count is even). In that order the negative values come first, then the empty ones (0),
 * then the rest: so a position maps to an offset among the non-empty values, read through the
 * field's index, or to 0.
 */
async function median(db: Kysely<DB>, field: string, total: number, empty: number, negative: number): Promise<number> {
  const c = col(field);
  const at = async (p: number): Promise<number> => {
    if (p >= negative && p < negative + empty) return 0;
    const offset = p < negative ? p : p - empty;
    const r = await db.selectFrom('contacts').select(sql<number>`${c}`.as('v')).where(c, 'is not', null).orderBy(c).limit(1).offset(offset).executeTakeFirstOrThrow();
    return Number(r.v);
  };
  const mid = Math.floor(total / 2);
  return total % 2 ? at(mid) : ((await at(mid - 1)) + (await at(mid))) / 2;
}
