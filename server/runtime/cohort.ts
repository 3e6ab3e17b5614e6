import { processWork, type Work } from '../../engine/cascade.js';
import type { CompiledMap } from '../../engine/compile.js';
import { Effects } from '../../engine/effects.js';
import type { Store } from '../store/store.js';
import { planCost, segmentOf, type Planned } from './cohort-plan.js';
import { split, type ClaimedCohorts } from './cohort-split.js';
import { runCohorts } from './cohort-write.js';
import { SLICE_STEPS } from './due.js';
import type { Runtime } from './runtime.js';

/**
 * Cohort execution of due waits (issue 20): the contacts of one batch of due work that wake at
 * the same `for` wait of the same map move as a set. What each element does is worked out once
 * per cohort as SQL over the contacts' own columns — an update_field's value, rounded to the
 * field's decimals as `coerceForField` rounds it; a condition's test; the next wait's due time —
 * so the cohort runs in a handful of statements: one INSERT … SELECT that splits it into the
 * paths its contacts take (a condition splits by its test) and works out the values each path
 * writes, into a temp table of the wait; then per path one INSERT … SELECT of history per
 * update_field, one UPDATE of the contacts for all paths, one UPDATE (re-park) or DELETE (end) of
 * the positions; the element counts are added once per element with the number of contacts.
 *
 * What cannot be expressed set-based exactly as the per-contact path runs it goes through the
 * per-contact path (`processWork`) in the same transaction, and is counted in
 * `Runtime.cohortStats.fallbacks`:
 *
 * - per wait (from the compiled world, cached per world): a wait that is not a plain `for` wait;
 *   anything but update_field (of a number field, with an expression of number fields, numeric
 *   literals, unary −, +, −, ×, min, max, abs), condition (tests of number fields: =, ≠, >, ≥, <,
 *   ≤, empty, not empty, all/any/not), goto, end and a `for` wait before the next wait or end (an
 *   assign_owner among them: each contact takes its own turn of the rotation, in order); an
 *   instant cycle; more than 32 paths or 100 steps; an expression that could reach 10^10; and
 *   anything else hearing a written field: a date_reached trigger, a scoring model on or reading
 *   it, a runtime hook listening to it (the webhooks' outbox);
 * - per contact (asked in the splitting SELECT): a value out of range (|v| > 10^9, or a written
 *   field holding more decimals than its field keeps: its history text could differ), a condition
 *   wait on another map (every change re-checks it), or a field_updated trigger of any running
 *   map that the change would open and that would move the contact (it is not on that map, or
 *   the trigger moves contacts here; a trigger that ignores contacts there does nothing), unless
 *   that is another map's reaction run as the next cohort (`cohort-plan.ts` `reactionOf`: the
 *   reaction's own splitting statement reads what the path left, and its rows follow);
 * - per item: a contact with more than one piece of work in the batch.
 *
 * The batch keeps the per-contact path's order rules exactly: items run in due order, and the
 * batch stops before an item due later than something it scheduled or once it ran SLICE_STEPS
 * steps, counting each cohort contact's steps and re-park time exactly (known from its path and
 * its reaction's: `planCost`).
 *
 * The modules: `cohort-plan.ts` works out a wait's segment (its paths and values, no database);
 * `cohort-split.ts` holds the splitting statements (and, on SQLite, the claim folded into one);
 * `cohort-write.ts` the statements that write a cohort's history, contacts and positions; this
 * one runs a batch of due work with them.
 */

/** How often cohorts ran, with how many contacts, and how many due waits went one by one instead. */
export interface CohortStats {
  cohorts: number;
  contacts: number;
  fallbacks: number;
  /** Contacts (of due waits or events) that then ran another map's field_updated reaction as the next cohort. */
  reactions: number;
  /** Events taken without the per-contact path (`event-cohort.ts`): entries as cohorts, or nothing to run. */
  events: number;
  /** Of those, contacts that entered a map as a cohort. */
  entries: number;
  /** Events that went through the per-contact path while cohorts were on. */
  eventFallbacks: number;
  /** Those events by the reason they went one by one (`event-cohort.ts`). */
  eventReasons: Record<string, number>;
}
type Item = { readonly contactId: string; readonly work: Work; readonly at: number };


/**
 * A batch of due work (`DueWork`'s slice) with cohorts: like `Runtime.runItems` with `inOrder`,
 * `locked` and `slice`, in the caller's transaction; answers how many items it ran.
 */
export async function runDueItems(
  rt: Runtime, s: Store, items: readonly Item[],
  opts: { inOrder?: boolean; locked?: boolean; slice?: boolean; steps?: number; claimed?: ClaimedCohorts },
): Promise<number> {
  const steps = opts.steps ?? SLICE_STEPS;
  if (!rt.cohorts) return rt.runItems(s, items, opts);
  const perContact = new Map<string, number>();
  for (const i of items) perContact.set(i.contactId, (perContact.get(i.contactId) ?? 0) + 1);
  const byMap = new Map<CompiledMap, Map<string, number>>();
  for (const i of items) {
    if (i.work.kind !== 'wake' || perContact.get(i.contactId) !== 1) continue;
    const map = rt.world.maps.find((m) => m.id === (i.work as { mapId: string }).mapId);
    if (!map || map.paused || !map.doc.elements.some((el) => el.kind === 'wait' && segmentOf(rt, map, el.id))) continue;
    let due = byMap.get(map);
    if (!due) byMap.set(map, (due = new Map()));
    due.set(i.contactId, i.at);
  }
  if (!byMap.size) {
    const done = await rt.runItems(s, items, opts);
    countFallbacks(rt, items.slice(0, done));
    return done;
  }
  const planned = new Map<string, Planned>();
  for (const [map, due] of byMap) {
    // The claim worked out one segment of the map already (`claimWaits`): only what it planned for
    // contacts taken here (one piece of work in the batch) counts, and that segment is not split again.
    const filled = opts.claimed?.get(map);
    if (filled) for (const [id, p] of filled.planned) if (due.has(id)) planned.set(id, p);
    await split(rt, s, map, due, planned, filled?.seg);
  }

  const others = [...new Set(items.filter((i) => !planned.has(i.contactId)).map((i) => i.contactId))];
  const states = others.length ? await rt.loadStates(s, others, { locked: opts.locked }) : new Map();
  const effects = new Effects();
  let cohortSteps = 0;
  let cohortDue = Infinity;
  const chosen: { item: Item; plan: Planned }[] = [];
  let done = 0;
  let last = 0;
  for (const item of items) {
    if (done > 0 && opts.inOrder && item.at > Math.min(effects.earliestDue, cohortDue)) break;
    if (done > 0 && opts.slice && effects.steps + cohortSteps >= steps) break;
    const plan = planned.get(item.contactId);
    if (plan) {
      const cost = planCost(plan);
      cohortSteps += cost.steps;
      for (const ms of cost.parks) cohortDue = Math.min(cohortDue, item.at + ms);
      chosen.push({ item, plan });
      if (plan.reaction) rt.cohortStats.reactions++;
    } else {
      const state = states.get(item.contactId);
      if (state) processWork(rt.world, state, item.work, item.at, effects);
      if (item.work.kind === 'wake') rt.cohortStats.fallbacks++;
    }
    last = Math.max(last, item.at);
    done++;
  }
  if (chosen.length) rt.cohortStats.cohorts += await runCohorts(s, chosen, effects, last);
  effects.steps += cohortSteps;
  if (cohortDue < effects.earliestDue) effects.earliestDue = cohortDue;
  rt.cohortStats.contacts += chosen.length;
  await rt.flush(s, effects, last);
  return done;
}

function countFallbacks(rt: Runtime, items: readonly Item[]): void {
  for (const i of items) if (i.work.kind === 'wake') rt.cohortStats.fallbacks++;
}
