import type { Effects, PositionRow } from '../../engine/effects.js';
import type { Position } from '../../engine/state.js';
import type { FieldValue } from '../../engine/elements/types.js';
import type { Store } from '../store/store.js';
import { writeLedger } from '../scoring/ledger-store.js';

/**
 * Writes what a batch of engine work gathered, set-based: one multi-row statement per table
 * (chunked by the store), inside the caller's transaction. `existing`: every contact written has
 * its row (the caller loaded and holds them, or inserted them), so no write needs to ask.
 */
export async function flushEffects(store: Store, effects: Effects, now: number, opts: { existing?: boolean } = {}): Promise<void> {
  if (effects.fieldWrites.size) {
    const rows: { id: string; values: Record<string, FieldValue> }[] = [];
    for (const [id, values] of effects.fieldWrites) rows.push({ id, values: Object.fromEntries(values) });
    await store.writeContacts(rows, now, opts);
  }
  const added: { contactId: string; tag: string }[] = [];
  const removed: { contactId: string; tag: string }[] = [];
  for (const [contactId, { from, to }] of effects.tagWrites) {
    for (const tag of to) if (!from.includes(tag)) added.push({ contactId, tag });
    for (const tag of from) if (!to.includes(tag)) removed.push({ contactId, tag });
  }
  if (removed.length) await store.removeTags(removed);
  if (added.length) await store.addTags(added);

  const moves: { position: PositionRow; prior: Position | null }[] = [];
  const leaves: { mapId: string; contactId: string }[] = [];
  for (const [key, p] of effects.positions) {
    const prior = effects.priorPositions.get(key) ?? null;
    if (!('left' in p)) moves.push({ position: p, prior });
    else if (prior) leaves.push({ mapId: p.mapId, contactId: p.contactId }); // on and off in one batch: nothing stored
  }
  if (leaves.length) await store.deletePositions(leaves);
  if (moves.length) await store.writePositions(moves);

  const arm = [];
  const drop = [];
  for (const t of effects.dateTimers.values()) {
    if (t.drop) drop.push({ mapId: t.mapId, elementId: t.elementId, contactId: t.contactId });
    else arm.push({ mapId: t.mapId, elementId: t.elementId, contactId: t.contactId, armedValue: t.armedValue, dueAt: t.dueAt });
  }
  if (drop.length) await store.deleteDateTimers(drop);
  if (arm.length) await store.upsertDateTimers(arm);

  if (effects.ruleStates.size) {
    const rows = [];
    for (const [contactId, m] of effects.ruleStates) for (const r of m.values()) rows.push({ contactId, ...r });
    await store.writeRuleStates(rows);
  }
  if (effects.grants.length || effects.accounts.size || effects.grantEnds.length) await writeLedger(store.db, effects);
  if (effects.changes.length) await store.insertHistory(effects.changes);
  // Last: every process's batches add to the same few counters, whose rows stay locked until the
  // commit; taken last, they are held for the shortest time.
  if (effects.stats.size) await store.bumpStats([...effects.stats.values()]);
}
