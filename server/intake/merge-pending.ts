import type { Effects } from '../../engine/effects.js';
import type { FieldChange } from '../../engine/state.js';

/**
 * A merge inside a batch that already holds work for the contact merged away (an identity call
 * after its events, in one Segment batch): takes that contact's work out of `effects`, so writing
 * them later neither brings its row back (a field write of an unknown id creates it) nor leaves
 * rows of a deleted contact. Its history rows are answered, as the master's, for the caller to
 * write with the history it moves; its webhook calls, errors and merges are the master's.
 */
export function forgetPending(effects: Effects, otherId: string, masterId: string): FieldChange[] {
  effects.fieldWrites.delete(otherId);
  effects.tagWrites.delete(otherId);
  effects.ruleStates.delete(otherId);
  for (const [key, p] of effects.positions) {
    if (p.contactId !== otherId) continue;
    effects.positions.delete(key);
    effects.priorPositions.delete(key);
  }
  for (const [key, t] of effects.dateTimers) if (t.contactId === otherId) effects.dateTimers.delete(key);
  effects.webhooks.forEach((w, i) => {
    if (w.contactId === otherId) effects.webhooks[i] = { ...w, contactId: masterId };
  });
  effects.errors.forEach((e, i) => {
    if (e.contactId === otherId) effects.errors[i] = { ...e, contactId: masterId };
  });
  effects.merges.forEach((m, i) => {
    if (m.contactId === otherId) effects.merges[i] = { ...m, contactId: masterId };
  });
  // Created in this batch and merged away in it: never announced, its first values are history.
  effects.created.delete(otherId);

  const moved: FieldChange[] = [];
  const kept: FieldChange[] = [];
  /** How many changes were taken out before each index: the other contacts' `created` marks shift by as many. */
  const shift: number[] = [];
  for (const c of effects.changes) {
    shift.push(moved.length);
    if (c.contactId === otherId) moved.push({ ...c, contactId: masterId });
    else kept.push(c);
  }
  if (!moved.length) return moved;
  shift.push(moved.length);
  for (const [id, first] of effects.created) effects.created.set(id, first - shift[first]);
  // Not splice(…, ...kept): a request's batch may hold more changes than a call takes arguments.
  effects.changes.length = 0;
  for (const c of kept) effects.changes.push(c);
  return moved;
}
