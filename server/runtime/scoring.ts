import { checkCondition } from '../../engine/conditions.js';
import { forEachTest } from '../../engine/schema/condition.js';
import { FieldRegistry } from '../../engine/schema/field.js';
import { declareFields } from '../../engine/validate.js';
import type { Problem } from '../../engine/elements/types.js';
import { ScoringModel, type ScoringModelInput } from '../../engine/scoring/model.js';
import { isValidTimeZone } from '../../engine/time.js';
import type { ModelRecord } from '../store/store.js';
import { AppError, invalid, notFound } from '../errors.js';
import { BATCH } from './due.js';
import type { Runtime } from './runtime.js';
import type { Store } from '../store/store.js';
import { hasDailyRun } from '../../engine/scoring/ledger.js';
import { bracketField } from '../../engine/scoring/run.js';
import { nextDecayAfter } from '../scoring/day-run.js';
import { deleteModelLedger, endStale, fillBrackets, openLedger, stale } from '../scoring/ledger-store.js';
import { recordModelVersion } from '../scoring/versions.js';
import { challengerModelProblems, parseModels } from '../scoring/challenger-check.js';
import type { AuditHook } from '../audit/log.js';

/** What a model's save did, for its audit entry: the document before (null: created), the model now, its version. */
export interface ModelSaved {
  readonly before: unknown | null;
  readonly model: ScoringModel;
  readonly version: number;
  /** False when the model was saved unchanged (no new version). */
  readonly changed: boolean;
}

/** Parses and checks a scoring model against the known fields (plus the ones it declares). */
export function readModel(input: unknown, known: FieldRegistry): { model: ScoringModel; problems: Problem[] } {
  const parsed = ScoringModel.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 50).map((i) => ({ element: null, path: i.path.join('.'), message: `${i.path.join('.') || 'model'}: ${i.message}`, severity: 'error' as const }));
    throw invalid(`The scoring model is not valid: ${problems[0]?.message}`, { problems });
  }
  const model = parsed.data;
  const fields = known.with((model.fields ?? []).map((f) => ({ ...f })));
  const problems: Problem[] = [];
  const report = (path: string, message: string) => problems.push({ element: null, path, message, severity: 'error' });
  const target = fields.resolve(model.field);
  if (!target) report('field', `The model writes "${model.field}", which is not a field: declare it in "fields" (a number field)`);
  else if (target.type !== 'number') report('field', `The model writes ${target.label}, a ${target.type} field: it needs a number field`);
  if (model.timezone && !isValidTimeZone(model.timezone)) report('timezone', `"${model.timezone}" is not a time zone this server knows (try "UTC")`);
  // Declared fields that cannot be created (a key of another type, a label in use, a key twice)
  // are refused here, inside the runtime's lock with the fields as they are now: creating them would
  // fail half-way, and a check made before the lock could be outrun by another request.
  problems.push(...declareFields(model.fields, known, 'model').problems);
  model.rules.forEach((rule, i) => {
    const say = (path: string, message: string) => report(path, `Rule '${rule.label}': ${message}`);
    if ('event' in rule.when) {
      if (rule.when.where) checkCondition(rule.when.where, fields, { allowProps: true }, say, `rules.${i}.when.where`);
    } else {
      checkCondition(rule.when.if, fields, {}, say, `rules.${i}.when.if`);
      forEachTest(rule.when.if, (t, path) => {
        if ('field' in t && fields.resolve(t.field)?.key === target?.key) {
          say(`rules.${i}.when.if.${path.join('.')}`, 'a condition rule cannot read the score it writes (it would give and take back its own points)');
        }
      });
    }
  });
  return { model, problems };
}

/**
 * Creates or replaces a model: creates the fields it declares (and `<field>_bracket` when it has
 * brackets, filled in for every contact), re-reads the world. Changed rules apply from now on;
 * `rescore` makes every contact's points match them. A number field is written by one model: a
 * second model naming it is refused (422). `opts.audit` names the version's author and writes its
 * entry in the save's transaction.
 */
export async function saveModel(rt: Runtime, input: unknown, opts: { id?: string; create?: boolean; audit?: AuditHook<ModelSaved> } = {}): Promise<ModelRecord> {
  return rt.changeWorld(async () => {
    const known = new FieldRegistry(await rt.store.listFields());
    const { model, problems } = readModel(opts.id ? { ...(input as object), id: opts.id } : input, known);
    if (problems.length) throw invalid(problems[0].message, { problems });
    // A challenger steers no one: refused while a published map or a model uses its fields (SPEC §11).
    const others = parseModels((await rt.store.listModels()).map((r) => r.doc));
    const shadowProblems = challengerModelProblems(model, known, rt.world.maps, others);
    if (shadowProblems.length) throw invalid(shadowProblems[0].message, { problems: shadowProblems });
    const now = rt.clock.now();
    const record = await rt.store.transaction(async (s) => {
      const existing = await s.getModel(model.id);
      if (opts.create && existing) throw new AppError(409, `A scoring model with id "${model.id}" already exists`);
      if (!opts.create && !existing) throw notFound(`No scoring model with id "${model.id}"`);
      const taken = (await s.listModels()).find((r) => r.id !== model.id && (r.doc as { field?: string }).field === model.field);
      if (taken) {
        const message = `The model "${(taken.doc as { name?: string }).name ?? taken.id}" already writes ${model.field}: one number field is written by one model (give this model a field of its own)`;
        throw invalid(message, { problems: [{ element: null, path: 'field', message, severity: 'error' }] });
      }
      if (model.fields?.length) await s.createFields(model.fields, now);
      // Ranks and the distribution count along the score's index (number fields get one when created; this keeps it so).
      await s.ensureIndex(model.field);
      await keepBracketField(rt, s, model, now);
      const before = existing?.doc as { timezone?: string; field?: string } | undefined;
      // Keep the next midnight when the zone did not change (a new zone has another midnight).
      const keep = (before?.timezone ?? 'UTC') === (model.timezone ?? 'UTC') ? (existing?.nextDecayAt ?? null) : null;
      const saved = await s.saveModel(model.id, model, hasDailyRun(model) ? (keep ?? nextDecayAfter(model, now)) : null, now);
      // The ledger follows the field: a model that starts writing another field starts over there.
      // After the model's row is saved: the opening grants take its decay clock.
      if (!existing || before?.field !== model.field) {
        if (existing) await deleteModelLedger(s.db, model.id);
        await openLedger(s.db, model.id, model.field, now);
      }
      const { version, made } = await recordModelVersion(s.db, model.id, model, now, opts.audit?.by.name ?? null);
      await opts.audit?.write(s.db, { before: existing?.doc ?? null, model, version, changed: made }, now);
      return saved;
    });
    return record;
  });
}

/**
 * A model with brackets keeps `<field>_bracket` (SPEC §9): the text field is made when missing
 * (refused when a field of another type has its key) and set for every contact from its score
 * now, quietly — history and triggers follow the changes from then on.
 */
async function keepBracketField(rt: Runtime, s: Store, model: ScoringModel, now: number): Promise<void> {
  if (!model.brackets?.length) return;
  const key = bracketField(model.field);
  const fields = new FieldRegistry(await s.listFields());
  const have = fields.get(key);
  if (have && have.type !== 'text') {
    const message = `The model keeps its brackets in "${key}", which is a ${have.type} field: rename that field or the model's field`;
    throw invalid(message, { problems: [{ element: null, path: 'brackets', message, severity: 'error' }] });
  }
  if (!have) {
    const label = `${fields.get(model.field)?.label ?? model.field} bracket`;
    await s.createFields([{ key, label: fields.resolve(label) ? `${label} (${model.id})` : label, type: 'text' }], now);
    await s.ensureIndex(key);
  }
  await fillBrackets(s.db, model.field, key, model.brackets);
}

/** Deletes a model; the scores it wrote stay on the contacts. `audit` sees the model's document. */
export async function deleteModel(rt: Runtime, id: string, audit?: AuditHook<unknown>): Promise<void> {
  await rt.changeWorld(async () => {
    await rt.store.transaction(async (s) => {
      const doc = (await s.getModel(id))?.doc;
      if (!(await s.deleteModel(id))) throw notFound(`No scoring model with id "${id}"`);
      await audit?.write(s.db, doc, rt.clock.now());
    });
  });
}

/** A rescore in progress or done: how far it got. */
export interface RescoreJob {
  readonly id: string;
  readonly modelId: string;
  status: 'running' | 'done' | 'failed';
  processed: number;
  total: number;
  error?: string;
}

/**
 * Makes every contact's points match the model's rules as they are now (SPEC §9 reconciliation):
 * points of deleted rules are taken back, a condition rule whose points (or `decays`) changed takes
 * back what is left and gives its points again, and condition rules are re-checked (retroactive),
 * each change a history row with its cause; a batch per transaction,
 * updating `job` as it goes so progress can be read while it runs. Events keep flowing between
 * batches (the lock is taken per batch).
 */
export async function rescore(rt: Runtime, job: RescoreJob): Promise<void> {
  try {
    job.total = await rt.store.contactCount();
    for (let after: string | null = null; ; ) {
      const ids: string[] = await rt.store.contactIdsAfter(after, BATCH);
      if (!ids.length) break;
      const done = await rt.lock.run(async () => {
        if (!rt.world.models?.some((m) => m.model.id === job.modelId)) throw notFound(`No scoring model with id "${job.modelId}"`);
        const at = rt.clock.now();
        const model = rt.world.models!.find((m) => m.model.id === job.modelId)!.model;
        const shapes = model.rules.map((r) => ({ id: r.id, conditionPoints: 'if' in r.when ? (r.points ?? 0) : null, decays: r.decays !== false }));
        return rt.transaction(async (s) => {
          // Grants the rules no longer give as they were are taken back, then the condition rules are checked again.
          const old = await stale(s.db, job.modelId, ids, shapes);
          const done = await rt.runItems(s, ids.map((contactId) => ({ contactId, work: { kind: 'rescore', modelId: job.modelId, stale: old.get(contactId) } as const, at })), { catchUpTo: at, slice: true });
          await endStale(s.db, job.modelId, ids.slice(0, done), shapes, at);
          return done;
        });
      });
      job.processed += done;
      after = ids[done - 1];
      // SQLite answers synchronously, so without this the whole rescore is one chain of microtasks:
      // no request (progress reads, events) would be served until it ends.
      await new Promise((resolve) => setImmediate(resolve));
    }
    job.status = 'done';
    await rt.settle();
  } catch (e) {
    job.status = 'failed';
    job.error = (e as Error).message;
  }
}

export type { ScoringModelInput };
