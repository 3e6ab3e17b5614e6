import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Bracket } from '../../engine/scoring/model.js';
import { fieldColumn } from '../store/columns.js';
import { numberJson, rounding } from '../store/sql-numbers.js';
import { dialectOf } from '../store/dialect.js';
import type { DB } from '../store/schema.js';

/** One page of a model's degradation, set-based. */
export interface DegradeRange {
  readonly modelId: string;
  readonly field: string;
  /** The factor of one step. */
  readonly factor: number;
  /** Inactivity degradation: steps are due per contact (ms); absent: one step for everyone. */
  readonly inactivity?: { readonly afterMs: number; readonly everyMs: number };
  /** Whether some contact of the model has fixed points (else the statements leave them out). */
  readonly withFixed: boolean;
  /** The model's bracket field and brackets, kept in step (with history rows), when it has brackets. */
  readonly brackets?: { readonly field: string; readonly list: readonly Bracket[] };
  readonly places: number;
  readonly min: number;
  readonly max: number;
  readonly at: number;
  readonly after: string | null;
  readonly last: string;
  readonly job: string;
}

/** The bracket of a score (SQL): the named range with the highest `min` it reaches, else null. */
function bracketSql(score: RawBuilder<number>, list: readonly Bracket[]): RawBuilder<string | null> {
  const sorted = [...list].sort((a, b) => b.min - a.min);
  return sql<string | null>`(case ${sql.join(sorted.map((b) => sql`when coalesce(${score}, 0) >= ${b.min} then ${b.name}`), sql` `)} else null end)`;
}

/**
 * One page of a day's degradation in a few set-based statements (SPEC §5, §9): for contacts with
 * ids in (`after`, `last`] created by `at`, the decaying part of the score (score − fixed points) is multiplied by
 * the factor — once, or for an inactivity degradation once per step due since the contact's
 * inactivity began and not yet applied — rounded to `places`, kept within [min, max]. Unchanged
 * scores are left alone and leave no history; contacts the job degraded out of its order (an
 * event caught them up) are passed by. The bracket field follows the score, with its own history.
 * Answers how many contacts changed.
 */
export async function degradeRange(db: Kysely<DB>, o: DegradeRange): Promise<number> {
  const col = sql.ref(`contacts.${fieldColumn(o.field)}`);
  // The contact's account is read through one join per row (`a`), not a subquery.
  const joined = o.withFixed || !!o.inactivity;
  const fixed = o.withFixed ? sql<number>`coalesce(a.fixed, 0)` : sql<number>`0`;
  let steps: RawBuilder<number> = sql<number>`1`;
  let due: RawBuilder<number> = sql<number>`1`;
  let since: RawBuilder<number> = sql<number>`0`;
  if (o.inactivity) {
    since = sql<number>`coalesce(contacts.${sql.ref(fieldColumn('last_activity_at'))}, contacts.${sql.ref(fieldColumn('created_at'))})`;
    const from = sql`(${since} + ${o.inactivity.afterMs})`;
    due = sql<number>`(case when ${since} is null or ${o.at} < ${from} then 0 else floor((${o.at} - ${from}) / ${o.inactivity.everyMs}) + 1 end)`;
    // No account: a.stretch is null, so no steps applied.
    const applied = sql<number>`(case when a.stretch = ${since} then a.steps else 0 end)`;
    steps = sql<number>`(${due} - ${applied})`;
  }
  // Most days no event ran ahead of the pages: then the test per row is left out.
  const early = await db.selectFrom('job_contacts_done').select('contact_id').where('job', '=', o.job).limit(1).executeTakeFirst();
  // A contact created after the day's moment is not the day's: it is passed by, whatever its id.
  const inPage = sql<boolean>`${o.after === null ? sql`true` : sql`contacts.id > ${o.after}`} and contacts.id <= ${o.last} and contacts.created_at <= ${o.at}${early
    ? sql` and not exists (select 1 from job_contacts_done d where d.job = ${o.job} and d.contact_id = contacts.id)`
    : sql``}`;
  const bracket = o.brackets ? { field: o.brackets.field, col: sql.ref(`contacts.${fieldColumn(o.brackets.field)}`) } : null;

  // The page's new values, worked out in layers so that each expression is computed once per row
  // (a database repeats an expression each time a statement names it, and the rounding names its
  // input several times): the stored values and steps, the scaled score, its rounding, the clamp,
  // the bracket. A fence keeps each layer from being folded into the next.
  const fence = dialectOf(db).fence;
  const account = joined ? sql`left join score_accounts a on a.model_id = ${o.modelId} and a.contact_id = contacts.id` : sql``;
  const stored = sql`select contacts.id as id, ${col} as cur, ${fixed} as fx, ${steps} as st, ${due} as du, ${since} as si, ${bracket ? bracket.col : sql`null`} as bcur
    from contacts ${account} where ${inPage} ${fence}`;
  const factor = o.inactivity ? sql`power(${o.factor}, l1.st)` : sql`${o.factor}`;
  const x = sql<number>`x`;
  const layered = [
    (from: RawBuilder<unknown>) => sql`select l1.*, ${o.withFixed ? sql`((l1.cur - l1.fx) * ${factor} + l1.fx)` : sql`(l1.cur * ${factor})`} as x from (${from}) l1 ${fence}`,
    (from: RawBuilder<unknown>) => sql`select l2.*, ${rounding.scale(x, o.places)} as s from (${from}) l2 ${fence}`,
    (from: RawBuilder<unknown>) => sql`select l3.*, ${rounding.finish(x, sql<number>`s`, o.places)} as sc from (${from}) l3 ${fence}`,
    (from: RawBuilder<unknown>) => sql`select l4.*, (case when sc < ${o.min} then ${o.min} when sc > ${o.max} then ${o.max} else sc end) as nx from (${from}) l4 ${fence}`,
    ...(o.brackets ? [(from: RawBuilder<unknown>) => sql`select l5.*, ${bracketSql(sql<number>`nx`, o.brackets!.list)} as bnx from (${from}) l5 ${fence}`] : []),
  ].reduce<RawBuilder<unknown>>((from, layer) => layer(from), stored);
  // A contact changes when its steps are due (inactivity) and its score moves.
  const changed = sql<boolean>`${o.inactivity ? sql`p.st > 0 and ` : sql``}p.cur is not null and p.nx <> p.cur`;

  const cause = JSON.stringify({ decay: o.modelId });
  const history = (field: string, from: RawBuilder<unknown>, to: RawBuilder<unknown>, where: RawBuilder<boolean>) => db.insertInto('history')
    .columns(['contact_id', 'at', 'field', 'from_json', 'to_json', 'cause_json'])
    .expression(sql`select p.id, ${sql.lit(o.at)}, ${sql.lit(field)}, ${from}, ${to}, ${sql.lit(cause)} from (${layered}) p where ${where} order by p.id`)
    .execute();
  await history(o.field, numberJson(sql`p.cur`), numberJson(sql`p.nx`), changed);
  if (bracket) {
    // History keeps JSON: a text value is a JSON string.
    const json = (v: RawBuilder<unknown>) => sql<string>`(case when ${v} is null then 'null' else '"' || ${v} || '"' end)`;
    await history(bracket.field, json(sql`p.bcur`), json(sql`p.bnx`), sql<boolean>`${changed} and coalesce(p.bcur, '') <> coalesce(p.bnx, '')`);
  }
  // UPDATE … FROM the page's new values. The accounts are written after: `layered` reads their steps.
  const set: Record<string, unknown> = { [fieldColumn(o.field)]: sql`n.nx`, updated_at: o.at };
  if (bracket) set[fieldColumn(bracket.field)] = sql`n.bnx`;
  const page = sql`(select p.id, p.nx, ${bracket ? sql`p.bnx` : sql`null`} as bnx from (${layered}) p where ${changed})`;
  const r = await db.updateTable('contacts').from(page.as('n')).set(set as never).whereRef('contacts.id', '=', sql.ref('n.id') as never).executeTakeFirst();
  const updated = Number(r.numUpdatedRows);
  if (o.inactivity) {
    // Every contact due a step counts it, whatever its score: points it gains later without
    // activity (a condition rule) decay from then on, not by the steps of before.
    const logf = sql.lit(-Math.log(o.factor));
    await db.insertInto('score_accounts')
      .columns(['model_id', 'contact_id', 'fixed', 'clock', 'stretch', 'steps'])
      .expression(sql`select ${sql.lit(o.modelId)}, p.id, 0, p.st * ${logf}, p.si, p.du from (${stored}) p where p.st > 0`)
      .onConflict((oc) => oc.columns(['model_id', 'contact_id']).doUpdateSet({
        clock: sql`score_accounts.clock + (excluded.steps - (case when score_accounts.stretch = excluded.stretch then score_accounts.steps else 0 end)) * ${logf}`,
        stretch: sql`excluded.stretch`, steps: sql`excluded.steps`,
      }))
      .execute();
  }
  return updated;
}
