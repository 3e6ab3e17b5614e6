import { sql, type Kysely, type Selectable } from 'kysely';
import { SCORING_TIMER_PREFIX } from '../../engine/scoring/model.js';
import { chunk } from './chunk.js';
import { fieldColumn } from './columns.js';
import type { DB } from './schema.js';
import { deleteModelLedger } from '../scoring/ledger-store.js';
import { deleteModelVersions } from '../scoring/versions.js';

/** A stored scoring model: its document and when its next degradation is due. */
export interface ModelRecord {
  readonly id: string;
  readonly seq: number;
  readonly doc: unknown;
  readonly nextDecayAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const toRecord = (r: Selectable<DB['scoring_models']>): ModelRecord => ({
  id: r.id, seq: r.seq, doc: JSON.parse(r.doc_json), nextDecayAt: r.next_decay_at, createdAt: r.created_at, updatedAt: r.updated_at,
});

export async function listModels(db: Kysely<DB>): Promise<ModelRecord[]> {
  return (await db.selectFrom('scoring_models').selectAll().orderBy('seq').execute()).map(toRecord);
}

export async function getModel(db: Kysely<DB>, id: string): Promise<ModelRecord | null> {
  const r = await db.selectFrom('scoring_models').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRecord(r) : null;
}

/** Creates or replaces a model's document (its creation order is kept). */
export async function saveModel(db: Kysely<DB>, id: string, doc: unknown, nextDecayAt: number | null, now: number): Promise<ModelRecord> {
  const existing = await getModel(db, id);
  if (existing) {
    await db.updateTable('scoring_models').set({ doc_json: JSON.stringify(doc), next_decay_at: nextDecayAt, updated_at: now }).where('id', '=', id).execute();
  } else {
    const { max } = await db.selectFrom('scoring_models').select((eb) => eb.fn.max('seq').as('max')).executeTakeFirstOrThrow();
    await db.insertInto('scoring_models').values({
      id, seq: Number(max ?? 0) + 1, doc_json: JSON.stringify(doc), next_decay_at: nextDecayAt, created_at: now, updated_at: now,
    }).execute();
  }
  return (await getModel(db, id))!;
}

/** Deletes a model with what it kept per contact (the scores it wrote stay). */
export async function deleteModel(db: Kysely<DB>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('scoring_models').where('id', '=', id).executeTakeFirst();
  await db.deleteFrom('scoring_rule_states').where('model_id', '=', id).execute();
  await db.deleteFrom('degradation_runs').where('model_id', '=', id).execute();
  await db.deleteFrom('date_timers').where('map_id', '=', `${SCORING_TIMER_PREFIX}${id}`).execute();
  await deleteModelLedger(db, id);
  await deleteModelVersions(db, id);
  return Number(r.numDeletedRows) > 0;
}

export async function setNextDecay(db: Kysely<DB>, id: string, at: number | null): Promise<void> {
  await db.updateTable('scoring_models').set({ next_decay_at: at }).where('id', '=', id).execute();
}

/** Remembers which condition rules hold per contact (held: a row; not held: no row). */
export async function writeRuleStates(
  db: Kysely<DB>,
  rows: readonly { contactId: string; modelId: string; ruleId: string; holds: boolean; points?: number }[],
): Promise<void> {
  const held = rows.filter((r) => r.holds).map((r) => ({ model_id: r.modelId, rule_id: r.ruleId, contact_id: r.contactId, points: r.points ?? null }));
  for (const part of chunk(held, 4)) {
    await db
      .insertInto('scoring_rule_states')
      .values(part)
      .onConflict((oc) => oc.columns(['model_id', 'rule_id', 'contact_id']).doUpdateSet((eb) => ({ points: eb.ref('excluded.points') })))
      .execute();
  }
  for (const r of rows.filter((x) => !x.holds)) {
    await db.deleteFrom('scoring_rule_states').where('model_id', '=', r.modelId).where('rule_id', '=', r.ruleId).where('contact_id', '=', r.contactId).execute();
  }
}

/** The held rules of some contacts, as `model\u0000rule` keys. */
export async function loadRuleStates(db: Kysely<DB>, contactIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const part of chunk([...contactIds])) {
    const rows = await db.selectFrom('scoring_rule_states').selectAll().where('contact_id', 'in', part).execute();
    for (const r of rows) {
      let set = out.get(r.contact_id);
      if (!set) out.set(r.contact_id, (set = new Set()));
      set.add(`${r.model_id}\u0000${r.rule_id}`);
    }
  }
  return out;
}

/** The degradation run of a model for a local day, if it started. */
export async function getDecayRun(db: Kysely<DB>, modelId: string, day: string): Promise<{ cursor: string | null; finished: boolean } | null> {
  const r = await db.selectFrom('degradation_runs').selectAll().where('model_id', '=', modelId).where('day', '=', day).executeTakeFirst();
  return r ? { cursor: r.cursor, finished: r.finished === 1 } : null;
}

/** Records how far a day's degradation went; the primary key makes a day's run unique. */
export async function saveDecayRun(db: Kysely<DB>, modelId: string, day: string, cursor: string | null, finished: boolean, at: number): Promise<void> {
  await db.insertInto('degradation_runs').values({ model_id: modelId, day, cursor, finished: finished ? 1 : 0, at })
    .onConflict((oc) => oc.columns(['model_id', 'day']).doUpdateSet({ cursor, finished: finished ? 1 : 0, at }))
    .execute();
}

/** Contacts with a non-zero value in a number field, by id, after `after` (paging for the engine path). */
export async function idsWithValue(db: Kysely<DB>, field: string, after: string | null, limit: number, createdBy?: number): Promise<string[]> {
  let q = db.selectFrom('contacts').select('id').where(sql.ref(fieldColumn(field)), 'is not', null).where(sql.ref(fieldColumn(field)), '<>', 0);
  if (after !== null) q = q.where('id', '>', after);
  if (createdBy !== undefined) q = q.where('created_at', '<=', createdBy);
  return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
}
