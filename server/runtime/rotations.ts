import type { TurnCounts } from '../../engine/cascade.js';
import type { Effects } from '../../engine/effects.js';
import { assignedOwners, type AssignOwnerElement } from '../../engine/elements/assign-owner.js';
import type { Problem } from '../../engine/elements/types.js';
import type { MapDocument } from '../../engine/schema/map.js';
import { elementName } from '../../engine/validate.js';
import { knownDialectOf } from '../store/dialect.js';
import { RetryTransaction, type Store } from '../store/store.js';
import type { RuntimeHook } from './runtime.js';

/** Another process (or a batch rolled back) moved a rotation since this one read it: read it, run again. */
export class StaleTurns extends RetryTransaction {}

/**
 * The turn counters of the `assign_owner` rotations (SPEC §12 round robin), kept in the
 * `rotations` table. The engine runs synchronously, so a batch starts from the counts this process
 * last knew; when the batch is written, each count moves from what it started from to what it
 * reached only if the stored count is still the one it started from (one conditional UPDATE, whose
 * row lock holds until the commit). When another process handed out turns meanwhile — or a batch
 * that moved the known count was rolled back — the stored count differs: it is read, and the whole
 * transaction runs again from it. That run takes the rotation's row lock before the engine runs
 * (`lockContended`), so it cannot lose again: two processes that keep handing out turns of one
 * rotation would otherwise starve one of them. So every turn is handed out once, a rolled-back
 * batch hands out none, and a restart goes on from the stored count.
 *
 * A runtime hook, which every runtime has: it reads the counts with the world, writes a batch's
 * turns in its transaction, and warns of a listed email that is no person's.
 */
export class Rotations implements TurnCounts, RuntimeHook {
  readonly #known = new Map<string, number>();
  /** Rotations a batch of this process found moved on: the next engine transaction locks them first. */
  readonly #contended = new Set<string>();

  taken(key: string): number {
    return this.#known.get(key) ?? 0;
  }

  /** Reads the stored counts (one row per assign_owner element that ever gave a turn) with the world. */
  async reload(s: Store): Promise<void> {
    const rows = await s.db.selectFrom('rotations').select(['key', 'n']).execute();
    this.#known.clear();
    for (const r of rows) this.#known.set(r.key, Number(r.n));
  }

  /**
   * At the start of an engine transaction: locks the rotations that a batch of this process lost
   * (on PostgreSQL; SQLite has one writer) and reads their counts, which then hold until the commit.
   */
  async lockContended(s: Store): Promise<void> {
    if (this.#contended.size === 0) return;
    const keys = [...this.#contended].sort();
    this.#contended.clear();
    let q = s.db.selectFrom('rotations').select(['key', 'n']).where('key', 'in', keys).orderBy('key');
    if (knownDialectOf(s.db)?.name === 'postgres') q = q.forUpdate();
    const rows = await q.execute();
    for (const key of keys) this.#known.set(key, Number(rows.find((r) => r.key === key)?.n ?? 0));
  }

  /** Writes the turns a batch took, in its transaction; throws StaleTurns when a count moved meanwhile. */
  async written(s: Store, effects: Effects, _world: unknown, now: number): Promise<void> {
    if (effects.turns.size === 0) return;
    // In key order, so two processes writing the same rotations lock them in the same order.
    for (const key of [...effects.turns.keys()].sort()) {
      const { base, taken } = effects.turns.get(key)!;
      if (taken === 0) continue;
      const n = base + taken;
      const updated = await s.db.updateTable('rotations').set({ n, updated_at: now })
        .where('key', '=', key).where('n', '=', base).executeTakeFirst();
      let done = Number(updated.numUpdatedRows) === 1;
      if (!done && base === 0) {
        const inserted = await s.db.insertInto('rotations').values({ key, n, updated_at: now })
          .onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
        done = Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
      }
      if (!done) {
        const row = await s.db.selectFrom('rotations').select('n').where('key', '=', key).executeTakeFirst();
        this.#known.set(key, row ? Number(row.n) : 0);
        this.#contended.add(key);
        throw new StaleTurns(`the rotation ${key} moved on since this batch began`);
      }
      this.#known.set(key, n);
    }
  }

  checkMap(s: Store, doc: MapDocument): Promise<Problem[]> {
    return ownerProblems(s, doc);
  }
}

/**
 * A listed email that is no person's (in the `users` table) is a warning, not an error: the
 * rotation may be written before the people are added, and `owner` holds any email.
 */
async function ownerProblems(s: Store, doc: MapDocument): Promise<Problem[]> {
  const lists = assignedOwners(doc);
  const all = [...new Set([...lists.values()].flat())];
  if (all.length === 0) return [];
  const rows = await s.db.selectFrom('users').select('email_norm').where('email_norm', 'in', all).execute();
  const people = new Set(rows.map((r) => r.email_norm));
  const problems: Problem[] = [];
  for (const [elementId, owners] of lists) {
    const el = doc.elements.find((e) => e.id === elementId) as AssignOwnerElement;
    const strangers = [...new Set(owners.filter((o) => !people.has(o)))];
    if (strangers.length === 0) continue;
    const who = strangers.length === 1 ? `${strangers[0]} is no one's email here` : `${strangers.slice(0, 5).join(', ')}${strangers.length > 5 ? ` and ${strangers.length - 5} more` : ''} are no one's email here`;
    problems.push({
      element: elementId, path: 'owners', severity: 'warning',
      message: `Element '${elementName(el)}': ${who}: their leads get an owner who cannot sign in — add them under People, or fix the spelling`,
    });
  }
  return problems;
}
