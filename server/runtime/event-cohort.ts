import { activeOf, perWorld, type EngineEvent, type World } from '../../engine/cascade.js';
import type { CompiledMap } from '../../engine/compile.js';
import type { Effects } from '../../engine/effects.js';
import type { ContactState } from '../../engine/state.js';
import type { Store } from '../store/store.js';
import { planCost, segmentOf, type Planned, type Segment } from './cohort-plan.js';
import { splitEntries } from './cohort-split.js';
import { runCohorts } from './cohort-write.js';
import type { Runtime } from './runtime.js';

/**
 * Events of one group (issue 20) that run without the per-contact path. Two kinds, each exactly
 * what `processWork` would do with the event:
 *
 * - *Nothing to run*: the event changes no field (its type is not activity, or Last activity is
 *   already at or after it) and opens no map (no running map has a trigger on its type, or the one
 *   that has is a map the contact is on, whose trigger ignores contacts already there). Only its
 *   event row is written, as for every event.
 * - *An entry*: the one running map with a trigger on the event's type enters the contact by it
 *   (the contact is not on the map, or the trigger moves it here), and the elements from the
 *   trigger to the next wait or end are a segment `cohort.ts` can run set-based. The contacts
 *   entering by the same trigger move as a cohort: one splitting statement, history and contacts
 *   set-based, one upsert (parked) or DELETE (ended) of positions, the counts once per element.
 *
 * Everything else goes through `processWork` in the same transaction and is counted in
 * `Runtime.cohortStats.eventFallbacks`: a running scoring model (it scores every event); a
 * contact with more than one event in the group, or created by it; an event that writes Last
 * activity (its change is heard: date triggers, field_updated); an event type that more than one
 * running map hears; a trigger with a `where` (which of a map's triggers opens depends on the
 * props); a segment `cohort.ts`
 * refuses (see its header), or a contact its splitting statement sends one by one; a path that
 * parks at a wait due now (the request's catch-up would run it); a step budget that the event
 * would reach.
 *
 * Per-contact order is kept because a contact taken here has no other work in the group: its
 * due work ran before (`catchUpFirst`, committed to the database the split reads) and what it
 * does schedules nothing due by now.
 */
export class EventCohorts {
  readonly #noop = new Set<string>();
  readonly #planned = new Map<string, Planned>();
  readonly #chosen: { item: { contactId: string; at: number }; plan: Planned }[] = [];
  /** Why a contact's event goes one by one (the last reason found), for `CohortStats.eventReasons`. */
  readonly #why = new Map<string, string>();

  private constructor(
    readonly rt: Runtime,
    readonly now: number,
  ) {}

  /**
   * Plans a group's events at `now`: `events` are the accepted ones in order with the contact
   * each names (`undefined` for a contact the group creates); `states` the contacts after their
   * catch-up, as stored.
   */
  static async plan(rt: Runtime, s: Store, events: readonly { readonly contactId: string | undefined; readonly event: EngineEvent }[], states: ReadonlyMap<string, ContactState>, now: number): Promise<EventCohorts> {
    const plan = new EventCohorts(rt, now);
    const world = rt.world;
    if (!rt.cohorts) return plan;
    if (world.models?.length) {
      for (const { contactId } of events) plan.#why.set(contactId ?? '', 'a scoring model runs');
      return plan;
    }
    const count = new Map<string, number>();
    for (const { contactId } of events) if (contactId !== undefined) count.set(contactId, (count.get(contactId) ?? 0) + 1);
    const entries = new Map<Segment, string[]>();
    for (const { contactId, event } of events) {
      const state = contactId === undefined ? undefined : states.get(contactId);
      const why = (reason: string) => plan.#why.set(contactId ?? '', reason);
      if (!state) {
        why('a contact the group creates');
        continue;
      }
      if (count.get(state.id) !== 1) {
        why('more than one event of the contact in the group');
        continue;
      }
      const last = state.fields.last_activity_at;
      if (!world.notActivity?.has(event.type) && !(typeof last === 'number' && event.at <= last)) {
        why('it writes Last activity');
        continue;
      }
      const hearing = hearingOf(world, event.type);
      if (hearing.length > 1) {
        why('more than one map hears its type');
        continue;
      }
      if (!hearing.length) {
        plan.#noop.add(state.id);
        continue;
      }
      const map = hearing[0]!;
      const t = map.triggers.event.find((x) => x.on.event === event.type)!;
      if (t.on.where !== undefined) {
        why('its trigger has a where');
        continue;
      }
      // A contact on the map: its trigger ignores it (nothing to run), or moves it here (an entry like any other).
      if (state.positions.has(map.id) && (t.ifOnMap ?? 'ignore') !== 'move_here') {
        plan.#noop.add(state.id);
        continue;
      }
      const seg = segmentOf(rt, map, t.id, 'entry');
      if (!seg) {
        why('the elements after its trigger are not a cohort segment');
        continue;
      }
      why('the splitting statement sends the contact one by one');
      let ids = entries.get(seg);
      if (!ids) entries.set(seg, (ids = []));
      ids.push(state.id);
    }
    for (const [seg, ids] of entries) {
      for (const [id, p] of await splitEntries(rt, s, seg, ids, now)) {
        if (planCost(p).parks.every((ms) => ms > 0)) plan.#planned.set(id, p);
        else plan.#why.set(id, 'it parks at a wait due now');
      }
    }
    return plan;
  }

  /**
   * In place of `processWork` for this contact's event: answers whether it was taken here (its
   * steps then count in `effects` as the per-contact path would count them); otherwise the
   * caller runs it one by one.
   */
  take(contactId: string, effects: Effects): boolean {
    const stats = this.rt.cohortStats;
    if (this.#noop.has(contactId)) {
      stats.events++;
      return true;
    }
    const plan = this.#planned.get(contactId);
    if (plan) {
      // Every step must fit the request's budget.
      const cost = planCost(plan);
      if (effects.steps - effects.stepsBefore + cost.steps <= effects.stepBudget) {
        effects.steps += cost.steps;
        for (const ms of cost.parks) effects.earliestDue = Math.min(effects.earliestDue, this.now + ms);
        this.#chosen.push({ item: { contactId, at: this.now }, plan });
        stats.events++;
        stats.entries++;
        if (plan.reaction) stats.reactions++;
        return true;
      }
      this.#why.set(contactId, 'the request\'s step budget');
    }
    if (this.rt.cohorts) {
      stats.eventFallbacks++;
      const why = this.#why.get(contactId) ?? 'a contact the group creates';
      stats.eventReasons[why] = (stats.eventReasons[why] ?? 0) + 1;
    }
    return false;
  }

  /** Writes the entries taken, set-based, into the transaction (before `effects` is flushed: it adds the counts). */
  async run(s: Store, effects: Effects): Promise<void> {
    if (this.#chosen.length) this.rt.cohortStats.cohorts += await runCohorts(s, this.#chosen, effects, this.now);
  }
}

const HEARING = perWorld(() => new Map<string, readonly CompiledMap[]>());

/** The running maps with a trigger on events of `type`, in creation order (worked out once per world). */
function hearingOf(world: World, type: string): readonly CompiledMap[] {
  const byType = HEARING(world);
  let maps = byType.get(type);
  if (!maps) byType.set(type, (maps = activeOf(world).filter((m) => m.triggers.event.some((t) => t.on.event === type))));
  return maps;
}
