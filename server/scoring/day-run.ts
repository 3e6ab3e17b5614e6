import type { Work } from '../../engine/cascade.js';
import { forEachTest } from '../../engine/schema/condition.js';
import { durationMs } from '../../engine/schema/duration.js';
import { degradesOn, inactivityOf, nextRunAfter, stepFactor } from '../../engine/scoring/ledger.js';
import type { ScoringModel } from '../../engine/scoring/model.js';
import { bracketField } from '../../engine/scoring/run.js';
import { quietFields } from '../../engine/scoring/shadow.js';
import { localParts } from '../../engine/time.js';
import { BATCH } from '../runtime/due.js';
import type { Runtime } from '../runtime/runtime.js';
import { pageEnd } from '../store/contacts-store.js';
import { clearDoneEarly, decayJob, markDoneEarly } from '../store/jobs-store.js';
import type { Store } from '../store/store.js';
import { degradeRange } from './degrade-sql.js';
import { endExpired, expiring, idsExpiring } from './ledger-store.js';

/** The next daily run after `now`: the zone's next midnight, when the model degrades or its points expire. */
export function nextDecayAfter(model: ScoringModel, now: number): number | null {
  return nextRunAfter(model, now);
}

/** The model's local day ("2026-03-08") of a run due at `at`. */
export function decayDay(model: ScoringModel, at: number): string {
  const p = localParts(at, model.timezone ?? 'UTC');
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * Starts a model's day: records the run (once, whichever process or request comes first) and,
 * when all of the model's decaying points degrade that day, moves its decay clock then — before
 * any contact is caught up or paged, so points given from then on count from the new clock.
 */
export async function startDay(s: Store, model: ScoringModel, day: string, at: number, since: number): Promise<void> {
  const r = await s.db.insertInto('degradation_runs').values({ model_id: model.id, day, cursor: null, finished: 0, at })
    .onConflict((oc) => oc.columns(['model_id', 'day']).doNothing()).executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return;
  const step = dayRewind(model, at, since);
  if (step !== 0) {
    await s.db.updateTable('scoring_models').set((eb) => ({ decay_clock: eb('decay_clock', '+', step) })).where('id', '=', model.id).execute();
  }
}

/** Whether anything reacts to changes of a field: then degradation must go through the engine. */
export function hasListeners(rt: Runtime, key: string): boolean {
  // A challenger's fields are heard by nothing, whatever listens to their keys (SPEC §11).
  if (quietFields(rt.world.models).has(key)) return false;
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

/**
 * Contacts one page of the set-based degradation covers. Each page rewrites every page of the
 * score's index it touches, and scores lie in the index in another order than ids, so small pages
 * cost much more in all, most of all on a big database. Measured, rows per second (one statement
 * for all, before pages: 188,000 at 100,000 scores, 135,704 at 1,000,000): 10,000 a page 156,000
 * at 100,000 and 43,600 at 1,000,000 (about 0.23 s a page); 100,000 a page 144,000 at 1,000,000
 * (0.7 s a page). So pages are large while no request is coming in, and small while requests are
 * (see `DueWork.busy`): a request then waits for one small page.
 */
const DECAY_PAGE = 100_000;
const DECAY_PAGE_BUSY = 10_000;

/**
 * How far the model's decay clock moved for the day's run at `at` (its points degrade uniformly
 * that day): expiring points are taken back as they were before that step.
 */
export function dayRewind(model: ScoringModel, at: number, since: number): number {
  return model.degradation && degradesOn(model, at, since) && !inactivityOf(model.degradation) ? -Math.log(stepFactor(model.degradation)) : 0;
}

/** The work of the day's run for some contacts: their expiring points taken back, then the degradation. */
export async function dayWork(s: Store, model: ScoringModel, since: number, ids: readonly string[], at: number): Promise<{ contactId: string; work: Work; at: number }[]> {
  const expire = model.rules.some((r) => r.expiresAfter) ? await expiring(s.db, model.id, ids, at, dayRewind(model, at, since)) : new Map();
  return ids.map((contactId) => ({ contactId, work: { kind: 'decay', modelId: model.id, expire: expire.get(contactId) } as const, at }));
}

/** Up to `limit` ids from sorted lists each cut at `limit`: all of them up to the first list's end that may hide more. */
function mergePages(lists: readonly string[][], limit: number): string[] {
  const all = [...new Set(lists.flat())].sort();
  const cut = lists.filter((l) => l.length >= limit).map((l) => l[l.length - 1]).sort()[0];
  return cut === undefined ? all : all.filter((id) => id <= cut);
}

/**
 * One page of a model's daily run for the day that starts at `at` (SPEC §5, §9), exactly once per
 * day: points that expire by then are taken back, then the decaying points degrade (when the model
 * degrades that day). The run is recorded per model and local day with how far it got, so a
 * restart in the middle finishes the day without applying it twice; the model's decay clock moves
 * when the day's run starts. With nothing listening to the score, the degradation of a page is a
 * few set-based statements (contacts with expiring points go through the engine first and are
 * passed by); otherwise every contact goes through the engine so each change fires
 * field_updated. Each page takes the model's job lock and reads where the day's run is, so several
 * processes never run it twice: 'elsewhere' when another process holds it now. Contacts an event
 * caught up already (`catchUp`) are passed by. Call with the runtime's lock held; 'done' when the
 * day is finished (the model's next run is then set).
 */
export async function decayPage(rt: Runtime, modelId: string, at: number): Promise<'elsewhere' | 'page' | 'done'> {
  const key = `decay:${modelId}`;
  const step = await rt.transaction(async (s): Promise<'elsewhere' | 'page' | { next: number | null }> => {
    if (!(await s.tryJobLock(key))) return 'elsewhere';
    // Another process may have run this day already: the stored next time says.
    const stored = (await s.getModel(modelId))?.nextDecayAt ?? null;
    if (stored !== at) return { next: stored };
    const compiled = rt.world.models?.find((m) => m.model.id === modelId);
    const model = compiled?.model;
    const since = compiled?.since ?? 0;
    const next = model ? nextDecayAfter(model, at) : null;
    const finish = async () => {
      await s.setNextDecay(modelId, next);
      return { next };
    };
    if (!model || next === null) return finish();
    const day = decayDay(model, at);
    const job = decayJob(modelId, day);
    const run = await s.getDecayRun(modelId, day);
    if (run?.finished) return finish();
    const degrade = degradesOn(model, at, since);
    const inactive = inactivityOf(model.degradation);
    if (!run) await startDay(s, model, day, at, since);
    const after = run?.cursor ?? null;
    const brackets = model.brackets?.length && rt.world.fields.get(bracketField(model.field)) ? bracketField(model.field) : null;
    const listened = hasListeners(rt, model.field) || (brackets !== null && hasListeners(rt, brackets));
    const expires = model.rules.some((r) => r.expiresAfter);
    let last: string | null;
    if (listened || !degrade) {
      // Through the engine, contact by contact: those with a score to degrade and those with points that expire.
      const ids = mergePages([degrade ? await s.idsWithValue(model.field, after, BATCH, at) : [], expires ? await idsExpiring(s.db, modelId, at, after, BATCH) : []], BATCH);
      const done = ids.length ? await rt.runItems(s, await dayWork(s, model, since, ids, at), { slice: true, job }) : 0;
      if (ids.length) await endExpired(s.db, modelId, ids.slice(0, Math.max(1, done)), at);
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
        if (expires) {
          // Contacts with points expiring today go through the engine (taken back, then degraded), and the statements pass them by.
          const owing = (await idsExpiring(s.db, modelId, at, after, size)).filter((id) => id <= last!);
          if (owing.length) {
            await rt.runItems(s, await dayWork(s, model, since, owing, at), { job });
            await endExpired(s.db, modelId, owing, at);
            await markDoneEarly(s.db, job, owing);
          }
        }
        const withFixed = !!(await s.db.selectFrom('score_accounts').select('contact_id').where('model_id', '=', modelId).where('fixed', '<>', 0).limit(1).executeTakeFirst());
        const places = rt.world.fields.get(model.field)?.decimals ?? 3;
        await degradeRange(s.db, {
          modelId, field: model.field, factor: stepFactor(model.degradation!), withFixed, places, min: model.min, max: model.max, at, after, last, job,
          ...(inactive ? { inactivity: { afterMs: durationMs(inactive.whenInactiveFor), everyMs: durationMs(inactive.every) } } : {}),
          ...(brackets ? { brackets: { field: brackets, list: model.brackets! } } : {}),
        });
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
