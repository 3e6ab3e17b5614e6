import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Bracket } from '../../engine/scoring/model.js';
import { fieldColumn } from '../store/columns.js';
import { numberJson, roundLikeEngine } from '../store/sql-numbers.js';
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
  // The contact's account is read through one join per row (`a`), not a subquery: the expressions
  // below name it several times each, and each subquery would be a lookup of its own per row.
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
  const factor = o.inactivity ? sql`power(${o.factor}, ${steps})` : sql`${o.factor}`;
  const scaled = roundLikeEngine(o.withFixed ? sql<number>`((${col} - ${fixed}) * ${factor} + ${fixed})` : sql<number>`(${col} * ${factor})`, o.places);
  const next = sql<number>`(case when ${scaled} < ${o.min} then ${o.min} when ${scaled} > ${o.max} then ${o.max} else ${scaled} end)`;
  // Most days no event ran ahead of the pages: then the test per row is left out.
  const early = await db.selectFrom('job_contacts_done').select('contact_id').where('job', '=', o.job).limit(1).executeTakeFirst();
  // A contact created after the day's moment is not the day's: it is passed by, whatever its id.
  const inPage = sql<boolean>`${o.after === null ? sql`true` : sql`contacts.id > ${o.after}`} and contacts.id <= ${o.last} and contacts.created_at <= ${o.at}${early
    ? sql` and not exists (select 1 from job_contacts_done d where d.job = ${o.job} and d.contact_id = contacts.id)`
    : sql``}`;
  const due1 = o.inactivity ? sql` and ${steps} > 0` : sql``;
  const changed = sql<boolean>`${inPage}${due1} and ${col} is not null and ${next} <> ${col}`;
  /** The page's contacts, each with its account when the statements read it. */
  const contacts = () => db.selectFrom('contacts')
    .$if(joined, (q) => q.leftJoin('score_accounts as a', (j) => j.on('a.model_id', '=', o.modelId).onRef('a.contact_id', '=', 'contacts.id')));
  const cause = JSON.stringify({ decay: o.modelId });
  const history = (field: string, from: RawBuilder<unknown>, to: RawBuilder<unknown>, where: RawBuilder<boolean>) => db.insertInto('history')
    .columns(['contact_id', 'at', 'field', 'from_json', 'to_json', 'cause_json'])
    .expression(contacts()
      .select(['contacts.id', sql.lit(o.at).as('at'), sql.lit(field).as('field'), from.as('from_json'), to.as('to_json'), sql.lit(cause).as('cause_json')])
      .where(where)
      .orderBy('contacts.id'))
    .execute();
  await history(o.field, numberJson(col), numberJson(next), changed);
  const bracket = o.brackets ? { field: o.brackets.field, col: sql.ref(`contacts.${fieldColumn(o.brackets.field)}`), after: bracketSql(next, o.brackets.list) } : null;
  if (bracket) {
    // History keeps JSON: a text value is a JSON string.
    const json = (v: RawBuilder<unknown>) => sql<string>`(case when ${v} is null then 'null' else '"' || ${v} || '"' end)`;
    await history(bracket.field, json(bracket.col), json(bracket.after), sql<boolean>`${changed} and coalesce(${bracket.col}, '') <> coalesce(${bracket.after}, '')`);
  }
  // `next` reads the accounts' steps: the contacts are written first, then the accounts.
  let updated: number;
  if (joined) {
    // UPDATE … FROM the page's new values, worked out once per contact with its account joined.
    const page = contacts()
      .select([sql<string>`contacts.id`.as('id'), next.as('next'), ...(bracket ? [bracket.after.as('bracket')] : [])])
      .where(changed);
    const set: Record<string, unknown> = { [fieldColumn(o.field)]: sql`n.next`, updated_at: o.at };
    if (bracket) set[fieldColumn(bracket.field)] = sql`n.bracket`;
    const r = await db.updateTable('contacts').from(page.as('n')).set(set as never).whereRef('contacts.id', '=', sql.ref('n.id') as never).executeTakeFirst();
    updated = Number(r.numUpdatedRows);
  } else {
    const set: Record<string, unknown> = { [fieldColumn(o.field)]: next, updated_at: o.at };
    if (bracket) set[fieldColumn(bracket.field)] = bracket.after;
    const r = await db.updateTable('contacts').set(set as never).where(changed).executeTakeFirst();
    updated = Number(r.numUpdatedRows);
  }
  if (o.inactivity) {
    // Every contact due a step counts it, whatever its score: points it gains later without
    // activity (a condition rule) decay from then on, not by the steps of before.
    const logf = sql.lit(-Math.log(o.factor));
    await db.insertInto('score_accounts')
      .columns(['model_id', 'contact_id', 'fixed', 'clock', 'stretch', 'steps'])
      .expression(contacts()
        .select([sql.lit(o.modelId).as('model_id'), 'contacts.id', sql.lit(0).as('fixed'), sql<number>`${steps} * ${logf}`.as('clock'), since.as('stretch'), due.as('steps')])
        .where(sql<boolean>`${inPage}${due1}`))
      .onConflict((oc) => oc.columns(['model_id', 'contact_id']).doUpdateSet({
        clock: sql`score_accounts.clock + (excluded.steps - (case when score_accounts.stretch = excluded.stretch then score_accounts.steps else 0 end)) * ${logf}`,
        stretch: sql`excluded.stretch`, steps: sql`excluded.steps`,
      }))
      .execute();
  }
  return updated;
}
