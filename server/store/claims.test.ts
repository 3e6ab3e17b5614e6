import { QueryNode, RawNode, SelectQueryNode, sql, type KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { onPostgres, testDatabase } from './testing.js';
import { Store } from './store.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

/**
 * Holds a claim between its snapshot and its row locks: every SELECT run through it waits in a
 * volatile function of its WHERE (evaluated where the rows are read, before they are locked).
 */
const paused: KyselyPlugin = {
  transformQuery: ({ node }) => (SelectQueryNode.is(node) ? QueryNode.cloneWithWhere(node, RawNode.createWithSql('scoremap_test_pause()')) : node),
  transformResult: async ({ result }) => result,
};

describe.runIf(onPostgres)('claiming due waits on PostgreSQL', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('does not answer a due time another worker moved on from while the claim was reading', async () => {
    const url = testDatabase();
    const a = await Store.open(url);
    stores.push(a);
    const b = await Store.open(url);
    stores.push(b);
    await a.insertContacts([{ id: 'c1', fields: { created_at: T0 }, tags: [], createdAt: T0 }]);
    await a.upsertPositions([{ mapId: 'm', contactId: 'c1', elementId: 'wait', version: 1, enteredAt: T0, dueAt: T0 + DAY, timeoutAt: null, onCondition: false, stuck: false }]);
    await sql`create function scoremap_test_pause() returns boolean language plpgsql volatile as $$ begin perform pg_sleep(0.4); return true; end $$`.execute(a.db);

    // B's claim reads c1 as due at T0 + DAY, then waits; meanwhile A fires that wait and parks c1 a day later.
    const claim = b.db.transaction().execute((trx) => b.dialect.claimDuePositions(trx.withPlugin(paused), 'm', T0 + DAY, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.db.transaction().execute(async (trx) => {
      await trx.updateTable('contacts').set({ updated_at: T0 + DAY }).where('id', '=', 'c1').execute();
      await trx.updateTable('positions').set({ entered_at: T0 + DAY, due_at: T0 + 2 * DAY }).where('contact_id', '=', 'c1').execute();
    });
    const moved = await a.db.selectFrom('positions').select('due_at').where('contact_id', '=', 'c1').executeTakeFirstOrThrow();
    expect(Number(moved.due_at)).toBe(T0 + 2 * DAY);

    // What B answers must be true once it holds its claim: c1 is no longer due by T0 + DAY.
    expect(await claim).toEqual([]);
  });
});
