import { sql, type Kysely, type RawBuilder } from 'kysely';
import { fieldColumn } from '../store/columns.js';
import type { DB } from '../store/schema.js';
import { fence } from '../store/dialect.js';
import { bandDefs, NO_BRACKET, NO_SCORE, type Bands } from './conversion.js';

/** The verdicts sales gives a lead (SPEC §12 `qualification_status`). */
export const VERDICTS = ['accepted', 'rejected'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What the sales feedback report looks at. */
export interface FeedbackOptions {
  /** The score field whose value at each verdict places it in a band. */
  readonly field: string;
  /** The period [from, to) of the verdicts, epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly bands: Bands;
}

/** One band: its verdicts, accepted and rejected, and the acceptance rate (null: no verdict in it). */
export interface FeedbackBand { band: string; min: number | null; max: number | null; verdicts: number; accepted: number; rejected: number; rate: number | null }

/** How often a reason was given with a verdict. */
export interface FeedbackReason { status: Verdict; reason: string | null; count: number }

/** Sales feedback (SPEC §11, §12): accepted and rejected leads by score band and by reason. */
export interface FeedbackReport {
  field: string;
  from: string;
  to: string;
  total: { verdicts: number; accepted: number; rejected: number; rate: number | null };
  bands: FeedbackBand[];
  reasons: FeedbackReason[];
}

/**
 * A contact's value of `field` just before the history row `v` (its `contact_id`, `at`, `id`), as
 * JSON text ('null' when empty): the last row of the field before it (earlier, or at the same
 * instant and written first); else the value the first row after it changed from; else the value
 * now. "Just before", not "at": a map that hears the verdict and resets the score at the same
 * instant must not move the lead out of the band the salesperson judged it in.
 */
function valueBefore(field: string): RawBuilder<string | null> {
  const before = sql`(s.at < v.at or (s.at = v.at and s.id < v.id))`;
  const after = sql`(s.at > v.at or (s.at = v.at and s.id > v.id))`;
  return sql<string | null>`coalesce(
    (select coalesce(s.to_json, 'null') from history s where s.contact_id = v.contact_id and s.field = ${field} and ${before} order by s.at desc, s.id desc limit 1),
    (select coalesce(s.from_json, 'null') from history s where s.contact_id = v.contact_id and s.field = ${field} and ${after} order by s.at, s.id limit 1),
    (select cast(${sql.ref(`c.${fieldColumn(field)}`)} as text) from contacts c where c.id = v.contact_id))`;
}

/**
 * The reason of the verdict `v`: the `qualification_reason` written with it (at the same instant
 * by the same cause, the nearest row: the verdict writes both fields at once, in either order);
 * else the reason as it stood then (a reason unchanged since an earlier verdict has no row of its
 * own). Not simply the last row of that instant: a map hearing the verdict, or a clearing at the
 * same instant, may change the reason after it.
 */
function reasonAt(): RawBuilder<string | null> {
  const field = 'qualification_reason';
  return sql<string | null>`coalesce(
    (select coalesce(r.to_json, 'null') from history r where r.contact_id = v.contact_id and r.field = ${field} and r.at = v.at and r.cause_json = v.cause_json
      order by abs(r.id - v.id), r.id limit 1),
    (select coalesce(r.to_json, 'null') from history r where r.contact_id = v.contact_id and r.field = ${field} and (r.at < v.at or (r.at = v.at and r.id < v.id))
      order by r.at desc, r.id desc limit 1),
    (select coalesce(r.from_json, 'null') from history r where r.contact_id = v.contact_id and r.field = ${field} and (r.at > v.at or (r.at = v.at and r.id > v.id))
      order by r.at, r.id limit 1),
    (select cast(${sql.ref(`c.${fieldColumn(field)}`)} as text) from contacts c where c.id = v.contact_id))`;
}

const text = (json: string | null): string | null => {
  if (json === null || json === 'null') return null;
  try {
    const v = JSON.parse(json) as unknown;
    return v === null ? null : String(v);
  } catch {
    return json; // a value read from the contact's own column is plain text
  }
};

/**
 * Sales feedback by score band (SPEC §11 "Sales feedback"): every verdict given in [from, to) — a
 * history row setting `qualification_status` to accepted or rejected; a lead judged twice counts
 * twice — placed in the band of its contact's score just before the verdict (point in time, read
 * from history as the conversion report reads it), with how many were accepted and rejected and
 * the acceptance rate per band, and how often each reason was given. Counted in SQL, grouped by
 * band, verdict and reason: a few rows come back, never one per verdict.
 */
export async function feedbackByBand(db: Kysely<DB>, opts: FeedbackOptions): Promise<FeedbackReport> {
  const defs = await bandDefs(db, opts.bands);
  const verdicts = sql`(select v.to_json as status, ${valueBefore(opts.field)} as score, ${reasonAt()} as reason
    from history v
    where v.field = 'qualification_status' and v.at >= ${opts.from} and v.at < ${opts.to}
      and v.to_json in (${sql.join(VERDICTS.map((x) => JSON.stringify(x)))})
    ${fence(db)})`;
  const scored = sql`(select p.status, p.reason, cast(nullif(p.score, 'null') as double precision) as score from ${verdicts} p ${fence(db)})`;
  // Band i holds min ≤ score < max; -1 is "no score" (as conversionByBand cuts them).
  const index = sql<number>`case when s.score is null then -1 ${sql.join(
    defs.map((d, i) => sql`when ${d.max === null ? sql`1 = 1` : sql`s.score < ${d.max}`} then ${sql.lit(i)}`), sql` `)} end`;
  const rows = (await sql<{ band: number; status: string; reason: string | null; n: number }>`
    select ${index} as band, s.status as status, s.reason as reason, count(*) as n
    from ${scored} s
    group by 1, s.status, s.reason`.execute(db)).rows;

  const byBand = new Map<number, { accepted: number; rejected: number }>();
  const byReason = new Map<string, FeedbackReason>();
  for (const r of rows) {
    const status = text(r.status) as Verdict;
    const n = Number(r.n);
    const band = byBand.get(Number(r.band)) ?? { accepted: 0, rejected: 0 };
    band[status] += n;
    byBand.set(Number(r.band), band);
    const reason = text(r.reason);
    const key = `${status}\u0000${reason ?? ''}`;
    const had = byReason.get(key);
    if (had) had.count += n;
    else byReason.set(key, { status, reason, count: n });
  }
  const rate = (accepted: number, verdicts: number) => (verdicts ? accepted / verdicts : null);
  const row = (d: { band: string; min: number | null; max: number | null }, i: number): FeedbackBand => {
    const c = byBand.get(i) ?? { accepted: 0, rejected: 0 };
    const n = c.accepted + c.rejected;
    return { ...d, verdicts: n, accepted: c.accepted, rejected: c.rejected, rate: rate(c.accepted, n) };
  };
  const bands = defs.map(row).filter((b, i) => !(b.band === NO_BRACKET && i === 0 && b.verdicts === 0));
  if (byBand.has(-1)) bands.push(row({ band: NO_SCORE, min: null, max: null }, -1));
  const accepted = bands.reduce((n, b) => n + b.accepted, 0);
  const rejected = bands.reduce((n, b) => n + b.rejected, 0);
  const order = (s: Verdict) => VERDICTS.indexOf(s);
  return {
    field: opts.field,
    from: new Date(opts.from).toISOString(),
    to: new Date(opts.to).toISOString(),
    total: { verdicts: accepted + rejected, accepted, rejected, rate: rate(accepted, accepted + rejected) },
    bands,
    reasons: [...byReason.values()].sort((a, b) => order(a.status) - order(b.status) || b.count - a.count || (a.reason ?? '').localeCompare(b.reason ?? '')),
  };
}
