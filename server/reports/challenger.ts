import { sql, type Kysely } from 'kysely';
import type { ScoringModel } from '../../engine/scoring/model.js';
import type { DB } from '../store/schema.js';
import { conversionByBand, scoredOutcomes, type Bands, type ConversionOptions, type ConversionReport } from './conversion.js';
import type { Outcome } from './outcomes.js';

/** One side of the comparison: a model, its field, its conversion by band and its AUC. */
export interface ChallengerSide {
  model: string;
  field: string;
  conversion: ConversionReport;
  /** The probability that a random converter scored above a random non-converter (ties count half); null without both. */
  auc: number | null;
}

/** The comparison report (SPEC §11): champion and challenger side by side on the same contacts and outcomes. */
export interface ChallengerReport {
  /** T, ISO-8601. */
  at: string;
  /** The window, as a duration ("30d"). */
  window: string;
  champion: ChallengerSide;
  challenger: ChallengerSide;
}

/**
 * The AUC of a field's scores at T against the outcomes (the area under the ROC curve): the
 * probability that a random contact who converted had a higher score at T than a random one who
 * did not, ties counting half. Worked out in SQL from rank sums (Mann–Whitney): every contact is
 * ranked by score with `rank()`, tied scores sharing the mean of their ranks (`rank() + (ties − 1)
 * / 2`); with R₁ the converters' rank sum, n₁ converters and n₀ others,
 * AUC = (R₁ − n₁(n₁ + 1)/2) / (n₁ · n₀). A contact with no score at T counts as 0, as ranks and
 * brackets read an empty score. Null when there are no converters or no non-converters.
 * One row comes back, never a row per contact.
 */
export async function auc(db: Kysely<DB>, opts: ConversionOptions): Promise<number | null> {
  const score = sql`coalesce(s.score, 0)`;
  const ranked = db
    .selectFrom(scoredOutcomes(db, opts).as('s'))
    .select([
      sql<number>`s.converted`.as('converted'),
      sql<number>`(rank() over (order by ${score}) + (count(*) over (partition by ${score}) - 1) / 2.0)`.as('r'),
    ]);
  const sums = db
    .selectFrom(ranked.as('k'))
    .select([
      sql<number>`count(*)`.as('n'),
      sql<number>`coalesce(sum(k.converted), 0)`.as('n1'),
      sql<number>`coalesce(sum(case when k.converted = 1 then k.r else 0 end), 0)`.as('r1'),
    ]);
  const row = await db
    .selectFrom(sums.as('t'))
    .select(sql<number | null>`case when t.n1 = 0 or t.n1 = t.n then null
      else cast((t.r1 - t.n1 * (t.n1 + 1) / 2.0) / (t.n1 * (t.n - t.n1)) as double precision) end`.as('auc'))
    .executeTakeFirst();
  const v = row?.auc;
  return v === null || v === undefined ? null : Number(v);
}

/** What the comparison looks at: the two models, T, the window, the outcomes and (optional) cut points for both. */
export interface ChallengerOptions {
  readonly champion: Pick<ScoringModel, 'id' | 'field' | 'brackets'>;
  readonly challenger: Pick<ScoringModel, 'id' | 'field' | 'brackets'>;
  readonly at: number;
  readonly windowMs: number;
  readonly outcomes: readonly Outcome[];
  /** Cut points for both models; else each its own brackets, or 25, 50, 75 when it has none. */
  readonly edges?: readonly number[];
  readonly contacts?: readonly string[];
}

/** The bands of one side: the cut points given, else the model's brackets, else quarters of 0–100. */
function bandsOf(m: ChallengerOptions['champion'], edges: readonly number[] | undefined): Bands {
  if (edges) return { kind: 'ranges', edges };
  return m.brackets?.length ? { kind: 'brackets', model: m.id } : { kind: 'ranges', edges: [25, 50, 75] };
}

/** Champion and challenger on the same contacts, moment, window and outcomes. */
export async function challengerReport(db: Kysely<DB>, o: ChallengerOptions): Promise<ChallengerReport> {
  const side = async (m: ChallengerOptions['champion']): Promise<ChallengerSide> => {
    const opts: ConversionOptions = { field: m.field, at: o.at, windowMs: o.windowMs, outcomes: o.outcomes, bands: bandsOf(m, o.edges), ...(o.contacts ? { contacts: o.contacts } : {}) };
    return { model: m.id, field: m.field, conversion: await conversionByBand(db, opts), auc: await auc(db, opts) };
  };
  const champion = await side(o.champion);
  const challenger = await side(o.challenger);
  return { at: champion.conversion.at, window: champion.conversion.window, champion, challenger };
}

/** The CSV header of the comparison. */
export const CHALLENGER_CSV_HEADER = ['role', 'model', 'field', 'band', 'min', 'max', 'contacts', 'converted', 'rate', 'lift', 'auc'] as const;

/** The CSV rows: each side's bands, then its total with its AUC. */
export function challengerCsvRows(r: ChallengerReport): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (const role of ['champion', 'challenger'] as const) {
    const s = r[role];
    for (const b of s.conversion.bands) rows.push([role, s.model, s.field, b.band, b.min, b.max, b.contacts, b.converted, b.rate, b.lift, null]);
    const t = s.conversion.total;
    rows.push([role, s.model, s.field, 'total', null, null, t.contacts, t.converted, t.rate, t.rate > 0 ? 1 : null, s.auc]);
  }
  return rows;
}
