import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { TakeBack } from '../../engine/cascade.js';
import type { Effects, GrantWrite } from '../../engine/effects.js';
import type { ScoreAccount } from '../../engine/scoring/ledger.js';
import type { ContactState } from '../../engine/state.js';
import type { Bracket } from '../../engine/scoring/model.js';
import { chunk } from '../store/chunk.js';
import { fieldColumn } from '../store/columns.js';
import type { DB } from '../store/schema.js';

/**
 * The points ledger's storage (SPEC §9): grants of points per contact and model, and each
 * contact's account. Functions take the transaction as their first argument.
 *
 * A grant's points now are `points × e^(clock − the contact's clock)` while it decays, where the
 * contact's clock is its model's `decay_clock` (advanced by each day's degradation) plus the
 * account's own (inactivity steps); points that do not decay keep their value.
 */

/** What is left of a grant `g` now (SQL), with `m` its model and `a` the contact's account (left-joined). */
export const grantValue = sql<number>`(case when g.decays = 1 then g.points * exp(g.clock - (m.decay_clock + coalesce(a.clock, 0))) else g.points end)`;

/** Joins a grant `g` to its model `m` and account `a`, as `grantValue` reads them. */
const JOINS = sql`join scoring_models m on m.id = g.model_id left join score_accounts a on a.model_id = g.model_id and a.contact_id = g.contact_id`;

/** Rules whose recent grants a contact's load reads (`maxTimes`, `repeatMultiplier`): `ruleKey` → how many. */
export type CountedRules = ReadonlyMap<string, { modelId: string; ruleId: string; keep: number }>;

/**
 * Reads what the engine needs of the ledger for some loaded contacts: their accounts, what is left
 * of each held condition rule's points (the value going false takes back), and the latest grant
 * times of counted rules.
 */
export async function loadLedger(db: Kysely<DB>, states: ReadonlyMap<string, ContactState>, counted: CountedRules): Promise<void> {
  for (const part of chunk([...states.keys()])) {
    const accounts = await db.selectFrom('score_accounts').selectAll().where('contact_id', 'in', part).execute();
    for (const a of accounts) {
      const c = states.get(a.contact_id);
      if (c) (c.accounts ??= new Map()).set(a.model_id, { fixed: Number(a.fixed), clock: Number(a.clock), stretch: a.stretch === null ? null : Number(a.stretch), steps: Number(a.steps) });
    }
    if (part.some((id) => states.get(id)?.rules?.size)) {
      const held = await sql<{ contact_id: string; model_id: string; rule_id: string; value: number }>`
        select g.contact_id, g.model_id, g.rule_id, sum(${grantValue}) as value
        from scoring_rule_states rs
        join score_grants g on g.contact_id = rs.contact_id and g.model_id = rs.model_id and g.rule_id = rs.rule_id and g.ended_at is null
        ${JOINS}
        where rs.contact_id in (${sql.join(part)})
        group by g.contact_id, g.model_id, g.rule_id`.execute(db);
      // A held rule with no live grant has nothing left (a `set` or a reset took it).
      for (const c of part.map((id) => states.get(id))) if (c?.rules) for (const k of c.rules.keys()) c.rules.set(k, 0);
      for (const r of held.rows) states.get(r.contact_id)?.rules?.set(`${r.model_id}\u0000${r.rule_id}`, Number(r.value));
    }
    if (counted.size) {
      const which = sql.join([...counted.values()].map((r) => sql`(model_id = ${r.modelId} and rule_id = ${r.ruleId})`), sql` or `);
      const keep = Math.max(...[...counted.values()].map((r) => r.keep));
      const rows = await sql<{ contact_id: string; model_id: string; rule_id: string; at: number }>`
        select contact_id, model_id, rule_id, at from (
          select contact_id, model_id, rule_id, at, row_number() over (partition by contact_id, model_id, rule_id order by at desc) as rn
          from score_grants where contact_id in (${sql.join(part)}) and (${which})
        ) t where rn <= ${keep} order by at desc`.execute(db);
      for (const r of rows.rows) {
        const key = `${r.model_id}\u0000${r.rule_id}`;
        const c = states.get(r.contact_id);
        if (!c || !counted.has(key)) continue;
        const times = ((c.recent ??= new Map()).get(key) ?? []);
        if (times.length < counted.get(key)!.keep) times.push(Number(r.at));
        c.recent.set(key, times);
      }
    }
  }
}

/**
 * Writes what a batch did to the ledger: stored grants that ended, accounts, new grants (their
 * clock is the model's decay clock now plus the contact's own).
 */
export async function writeLedger(db: Kysely<DB>, effects: Effects): Promise<void> {
  for (const e of effects.grantEnds) {
    let q = db.updateTable('score_grants').set({ ended_at: e.at, ended: e.reason })
      .where('contact_id', '=', e.contactId).where('model_id', '=', e.modelId).where('ended_at', 'is', null);
    if (e.ruleId !== undefined) q = q.where('rule_id', '=', e.ruleId);
    await q.execute();
  }
  const accounts = [...effects.accounts.values()].map(({ contactId, modelId, account }) => accountRow(modelId, contactId, account));
  for (const part of chunk(accounts, 6)) {
    await db.insertInto('score_accounts').values(part)
      .onConflict((oc) => oc.columns(['model_id', 'contact_id']).doUpdateSet((eb) => ({
        fixed: eb.ref('excluded.fixed'), clock: eb.ref('excluded.clock'), stretch: eb.ref('excluded.stretch'), steps: eb.ref('excluded.steps'),
      })))
      .execute();
  }
  for (const part of chunk(effects.grants, 14)) await db.insertInto('score_grants').values(part.map(grantRow)).execute();
}

const accountRow = (modelId: string, contactId: string, a: ScoreAccount): DB['score_accounts'] => ({
  model_id: modelId, contact_id: contactId, fixed: a.fixed, clock: a.clock, stretch: a.stretch, steps: a.steps,
});

function grantRow(g: GrantWrite) {
  return {
    model_id: g.modelId, contact_id: g.contactId, rule_id: g.ruleId, source_json: g.source ? JSON.stringify(g.source) : null,
    at: g.at, event_id: g.eventId, points: g.points, rule_points: g.rulePoints, decays: g.decays ? 1 : 0,
    clock: g.decays ? sql<number>`(select decay_clock from scoring_models where id = ${g.modelId}) + ${g.clock}` : 0,
    expires_at: g.expiresAt, ended_at: g.endedAt, ended: g.ended,
  };
}

/**
 * Live grants of some contacts in one model, per contact and rule, with what is left of them (SQL
 * filter on `g`); `rewind`: read them as of that much less of the model's decay clock.
 */
async function liveByRule(db: Kysely<DB>, modelId: string, contactIds: readonly string[], filter: RawBuilder<unknown>, rewind = 0): Promise<Map<string, TakeBack[]>> {
  const out = new Map<string, TakeBack[]>();
  for (const part of chunk([...contactIds])) {
    const rows = await sql<{ contact_id: string; rule_id: string; decays: number; value: number }>`
      select g.contact_id, g.rule_id, g.decays, sum(${grantValue}) * (case when g.decays = 1 then ${sql.lit(Math.exp(rewind))} else 1.0 end) as value
      from score_grants g ${JOINS}
      where g.model_id = ${modelId} and g.ended_at is null and g.rule_id is not null and g.contact_id in (${sql.join(part)}) and (${filter})
      group by g.contact_id, g.rule_id, g.decays
      order by g.contact_id, g.rule_id`.execute(db);
    for (const r of rows.rows) {
      let list = out.get(r.contact_id);
      if (!list) out.set(r.contact_id, (list = []));
      list.push({ ruleId: r.rule_id, value: Number(r.value), fixed: Number(r.decays) === 0 });
    }
  }
  return out;
}

/**
 * The points of these contacts that expire by the model's run at `at`, per contact and rule, as they
 * are before the run degrades (`rewind`: the day's step of the model's clock, when it moved already).
 */
export function expiring(db: Kysely<DB>, modelId: string, contactIds: readonly string[], at: number, rewind = 0): Promise<Map<string, TakeBack[]>> {
  return liveByRule(db, modelId, contactIds, sql`g.expires_at is not null and g.expires_at <= ${at}`, rewind);
}

/** Contacts of a model with points that expire by `at`, by id after `after`: the expiry's pages. */
export async function idsExpiring(db: Kysely<DB>, modelId: string, at: number, after: string | null, limit: number): Promise<string[]> {
  let q = db.selectFrom('score_grants').select('contact_id').distinct()
    .where('model_id', '=', modelId).where('ended_at', 'is', null).where('expires_at', 'is not', null).where('expires_at', '<=', at);
  if (after !== null) q = q.where('contact_id', '>', after);
  return (await q.orderBy('contact_id').limit(limit).execute()).map((r) => r.contact_id);
}

/** Marks the grants `expiring` found as ended. */
export async function endExpired(db: Kysely<DB>, modelId: string, contactIds: readonly string[], at: number): Promise<void> {
  for (const part of chunk([...contactIds])) {
    await db.updateTable('score_grants').set({ ended_at: at, ended: 'expired' })
      .where('model_id', '=', modelId).where('ended_at', 'is', null).where('expires_at', 'is not', null).where('expires_at', '<=', at)
      .where('contact_id', 'in', part).execute();
  }
}

/** A model's rules as a rescore compares grants with them. */
export interface RuleShape {
  readonly id: string;
  /** A condition rule's points (a change gives or takes the difference); null for event rules. */
  readonly conditionPoints: number | null;
  readonly decays: boolean;
}

/** The SQL test of a grant `g` that the rules as they are now would not give as it was given. */
function staleTest(rules: readonly RuleShape[]): RawBuilder<unknown> {
  if (!rules.length) return sql`true`;
  const current = sql.join(rules.map((r) => sql`${r.id}`));
  const changed = rules.map((r) => {
    // Event rules whose points or `decays` changed apply from then on; a condition rule gives again.
    if (r.conditionPoints === null) return sql`false`;
    return sql`(g.rule_id = ${r.id} and (g.decays <> ${r.decays ? 1 : 0} or g.rule_points is null or g.rule_points <> ${r.conditionPoints}))`;
  });
  return sql`(g.rule_id not in (${current}) or ${sql.join(changed, sql` or `)})`;
}

/**
 * Grants a rescore takes back (SPEC §9 reconciliation): those of rules that are gone, and of
 * condition rules whose points or `decays` changed (they give again) — per contact and rule.
 */
export function stale(db: Kysely<DB>, modelId: string, contactIds: readonly string[], rules: readonly RuleShape[]): Promise<Map<string, TakeBack[]>> {
  return liveByRule(db, modelId, contactIds, staleTest(rules));
}

/** Marks the grants `stale` found as ended by the rescore. */
export async function endStale(db: Kysely<DB>, modelId: string, contactIds: readonly string[], rules: readonly RuleShape[], at: number): Promise<void> {
  for (const part of chunk([...contactIds])) {
    await sql`update score_grants as g set ended_at = ${at}, ended = 'rescore'
      where g.model_id = ${modelId} and g.ended_at is null and g.rule_id is not null and g.contact_id in (${sql.join(part)}) and ${staleTest(rules)}`.execute(db);
  }
}

/** A contact's live grants in a model, grouped as the breakdown shows them. */
export interface GrantGroup {
  readonly ruleId: string | null;
  readonly source: string | null;
  readonly decays: boolean;
  readonly count: number;
  readonly given: number;
  readonly now: number;
  readonly nextExpiry: number | null;
}

/** The live grants of one contact in one model, grouped by rule (or outside source) and whether they decay. */
export async function grantGroups(db: Kysely<DB>, modelId: string, contactId: string): Promise<GrantGroup[]> {
  const rows = await sql<{ rule_id: string | null; source_json: string | null; decays: number; n: number; given: number; now: number; next: number | null; first: number }>`
    select g.rule_id, g.source_json, g.decays, count(*) as n, sum(g.points) as given, sum(${grantValue}) as now, min(g.expires_at) as next, min(g.id) as first
    from score_grants g ${JOINS}
    where g.model_id = ${modelId} and g.contact_id = ${contactId} and g.ended_at is null
    group by g.rule_id, g.source_json, g.decays
    order by min(g.id)`.execute(db);
  return rows.rows.map((r) => ({
    ruleId: r.rule_id, source: r.source_json, decays: Number(r.decays) === 1, count: Number(r.n), given: Number(r.given), now: Number(r.now),
    nextExpiry: r.next === null ? null : Number(r.next),
  }));
}

/** Deletes what the ledger keeps of a contact (its grants and accounts). */
export async function deleteContactLedger(db: Kysely<DB>, contactId: string): Promise<void> {
  await db.deleteFrom('score_grants').where('contact_id', '=', contactId).execute();
  await db.deleteFrom('score_accounts').where('contact_id', '=', contactId).execute();
}

/** Deletes what the ledger keeps of a model. */
export async function deleteModelLedger(db: Kysely<DB>, modelId: string): Promise<void> {
  await db.deleteFrom('score_grants').where('model_id', '=', modelId).execute();
  await db.deleteFrom('score_accounts').where('model_id', '=', modelId).execute();
}

/**
 * Opens a model's ledger on its field: contacts that hold a value there already get an opening
 * grant of it (decaying), so the ledger adds up from the start.
 */
export async function openLedger(db: Kysely<DB>, modelId: string, field: string, now: number): Promise<void> {
  const col = sql.ref(`contacts.${fieldColumn(field)}`);
  await db.insertInto('score_grants')
    .columns(['model_id', 'contact_id', 'source_json', 'at', 'points', 'decays', 'clock'])
    .expression(db.selectFrom('contacts')
      .select([sql.lit(modelId).as('model_id'), 'id', sql.lit(JSON.stringify({ opening: true })).as('source_json'), sql.lit(now).as('at'),
        sql<number>`${col}`.as('points'), sql.lit(1).as('decays'),
        sql<number>`(select decay_clock from scoring_models where id = ${modelId})`.as('clock')])
      .where(col, 'is not', null)
      .where(col, '<>', 0))
    .execute();
}

/** Sets a model's bracket field for every contact from its score (no history: see `saveModel`). */
export async function fillBrackets(db: Kysely<DB>, scoreField: string, field: string, brackets: readonly Bracket[]): Promise<void> {
  const score = sql.ref(`contacts.${fieldColumn(scoreField)}`);
  const sorted = [...brackets].sort((a, b) => b.min - a.min);
  const value = sql`(case ${sql.join(sorted.map((b) => sql`when coalesce(${score}, 0) >= ${b.min} then ${b.name}`), sql` `)} else null end)`;
  await db.updateTable('contacts').set({ [fieldColumn(field)]: value } as never)
    .where(sql<boolean>`coalesce(${sql.ref(`contacts.${fieldColumn(field)}`)}, '') <> coalesce(${value}, '')`).execute();
}
