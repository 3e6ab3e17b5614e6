import { checkCondition } from '../../engine/conditions.js';
import { forEachTest } from '../../engine/schema/condition.js';
import { FieldRegistry } from '../../engine/schema/field.js';
import { declareFields } from '../../engine/validate.js';
import type { Problem } from '../../engine/elements/types.js';
import { ScoringModel, type ScoringModelInput } from '../../engine/scoring/model.js';
import { isValidTimeZone, localParts, nextMidnight } from '../../engine/time.js';
import type { ModelRecord } from '../store/store.js';
import { AppError, invalid, notFound } from '../errors.js';
import { BATCH } from './due.js';
import type { Runtime } from './runtime.js';
import { clearDoneEarly, decayJob } from '../store/jobs-store.js';
import { decayRange } from '../store/scoring-store.js';
import { pageEnd } from '../store/contacts-store.js';
import { recordModelVersion } from '../scoring/versions.js';

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

/** The next degradation after `now`: the model zone's next midnight, when it degrades at all. */
export function nextDecayAfter(model: ScoringModel, now: number): number | null {
  return model.degradation ? nextMidnight(now, model.timezone ?? 'UTC') : null;
}

/**
 * Creates or replaces a model: creates the fields it declares, re-reads the world. Changed rules
 * apply from now on; `rescore` recomputes condition rules for everyone.
 */
export async function saveModel(rt: Runtime, input: unknown, opts: { id?: string; create?: boolean } = {}): Promise<ModelRecord> {
  return rt.changeWorld(async () => {
    const { model, problems } = readModel(opts.id ? { ...(input as object), id: opts.id } : input, new FieldRegistry(await rt.store.listFields()));
    if (problems.length) throw invalid(problems[0].message, { problems });
    const now = rt.clock.now();
    const record = await rt.store.transaction(async (s) => {
      const existing = await s.getModel(model.id);
      if (opts.create && existing) throw new AppError(409, `A scoring model with id "${model.id}" already exists`);
      if (!opts.create && !existing) throw notFound(`No scoring model with id "${model.id}"`);
      if (model.fields?.length) await s.createFields(model.fields, now);
      // Ranks and the distribution count along the score's index (number fields get one when created; this keeps it so).
      await s.ensureIndex(model.field);
      // Keep the next midnight when the zone did not change (a new zone has another midnight).
      const before = existing?.doc as { timezone?: string } | undefined;
      const keep = (before?.timezone ?? 'UTC') === (model.timezone ?? 'UTC') ? (existing?.nextDecayAt ?? null) : null;
      const saved = await s.saveModel(model.id, model, model.degradation ? (keep ?? nextDecayAfter(model, now)) : null, now);
      await recordModelVersion(s.db, model.id, model, now, null);
      return saved;
    });
    return record;
  });
}

/** Deletes a model; the scores it wrote stay on the contacts. */
export async function deleteModel(rt: Runtime, id: string): Promise<void> {
  await rt.changeWorld(async () => {
    if (!(await rt.store.deleteModel(id))) throw notFound(`No scoring model with id "${id}"`);
  });
}

/** Whether anything reacts to changes of a field: then degradation must go through the engine. */
export function hasListeners(rt: Runtime, key: string): boolean {
  if (rt.hooks.some((h) => h.listens?.(key))) return true;
  for (const m of rt.world.models ?? []) if (m.reads.has(key)) return true;
  for (const map of rt.world.maps) {
    if (map.paused) continue;
    if (map.triggers.field_updated.some((t) => map.fields.resolve(t.on.field)?.key === key)) return true;
    for (const el of map.doc.elements) {
      if (el.kind !== 'wait' || !el.until || !('condition' in el.until)) continue;
      let reads = false;
      forEachTest(el.until.condition, (t) => {
        if ('field' in t && map.fields.resolve(t.field)?.key === key) reads = true;
      });
      if (reads) return true;
    }
  }
  return false;
}

/** The model's local day ("2026-03-08") of a degradation due at `at`. */
export function decayDay(model: ScoringModel, at: number): string {
  const p = localParts(at, model.timezone ?? 'UTC');
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * Contacts one page of the set-based degradation covers (two statements). Each page rewrites every
 * page of the score's index it touches, and scores lie in the index in another order than ids, so
 * small pages cost much more in all, most of all on a big database. Measured, rows per second
 * (one statement for all, before pages: 188,000 at 100,000 scores, 135,704 at 1,000,000):
 * 10,000 a page 156,000 at 100,000 and 43,600 at 1,000,000 (about 0.23 s a page); 100,000 a page
 * 144,000 at 1,000,000 (0.7 s a page). So pages are large while no request is coming in, and
 * small while requests are (see `DueWork.busy`): a request then waits for one small page.
 */
const DECAY_PAGE = 100_000;
const DECAY_PAGE_BUSY = 10_000;

/**
 * One page of a model's degradation for the day that starts at `at` (SPEC §5), exactly once per
 * day: the run is recorded per model and local day with how far it got, so a restart in the
 * middle finishes the day without applying it twice. With nothing listening to the score, a page
 * is two set-based statements; otherwise its contacts go through the engine so every change fires
 * field_updated. Each page takes the model's job lock and reads where the day's run is, so several
 * processes never run it twice: 'elsewhere' when another process holds it now. Contacts an event
 * caught up already (`catchUp`) are passed by. Call with the runtime's lock held; 'done' when the
 * day is finished (the model's next degradation is then set).
 */
export async function decayPage(rt: Runtime, modelId: string, at: number): Promise<'elsewhere' | 'page' | 'done'> {
  const key = `decay:${modelId}`;
  const step = await rt.transaction(async (s): Promise<'elsewhere' | 'page' | { next: number | null }> => {
    if (!(await s.tryJobLock(key))) return 'elsewhere';
    // Another process may have run this day already: the stored next time says.
    const stored = (await s.getModel(modelId))?.nextDecayAt ?? null;
    if (stored !== at) return { next: stored };
    const model = rt.world.models?.find((m) => m.model.id === modelId)?.model;
    const next = model ? nextDecayAfter(model, at) : null;
    const finish = async () => {
      await s.setNextDecay(modelId, next);
      return { next };
    };
    if (!model?.degradation) return finish();
    const day = decayDay(model, at);
    const job = decayJob(modelId, day);
    const run = await s.getDecayRun(modelId, day);
    if (run?.finished) return finish();
    const factor = 1 - model.degradation.percentPerDay / 100;
    const after = run?.cursor ?? null;
    let last: string | null;
    if (hasListeners(rt, model.field)) {
      // Through the engine, so every change fires field_updated.
      const ids = await s.idsWithValue(model.field, after, BATCH);
      const done = ids.length ? await rt.runItems(s, ids.map((contactId) => ({ contactId, work: { kind: 'decay', modelId, factor } as const, at })), { slice: true, job }) : 0;
      last = ids.length ? ids[Math.max(1, done) - 1] : null;
    } else {
      const size = rt.due.busy ? DECAY_PAGE_BUSY : DECAY_PAGE;
      last = await pageEnd(s.db, after, size);
      if (last !== null) {
        // On a shared database, the page's contacts are held first: the statements that follow then
        // see every contact an event caught up in the meantime (and committed), and pass it by.
        if (s.dialect.shared) {
          const scored = await s.idsWithValue(model.field, after, size);
          await s.dialect.lockContacts(s.db, scored.filter((id) => id <= last!));
        }
        const places = rt.world.fields.get(model.field)?.decimals ?? 3;
        await decayRange(s.db, { modelId, field: model.field, factor, places, min: model.min, max: model.max, at, after, last, job });
      }
    }
    if (last === null) {
      await s.saveDecayRun(modelId, day, after, true, at);
      await clearDoneEarly(s.db, job);
      return finish();
    }
    await s.saveDecayRun(modelId, day, last, false, at);
    return 'page';
  });
  if (step === 'elsewhere' || step === 'page') return step;
  rt.decayDue.set(modelId, step.next);
  return 'done';
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
 * Recomputes a model's condition rules for every contact (retroactive), a batch per transaction,
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
        return rt.runBatch(ids.map((contactId) => ({ contactId, work: { kind: 'rescore', modelId: job.modelId } as const, at })), { catchUpTo: at, slice: true });
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
