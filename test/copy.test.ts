/**
 * `scoremap copy`: moving from SQLite to PostgreSQL keeps everything, and the engine goes on from
 * there as if nothing happened (PostgreSQL half only).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/clock.js';
import { Runtime } from '../server/runtime/runtime.js';
import { saveModel } from '../server/runtime/scoring.js';
import { DAY, T0, setup, type Bench } from '../server/runtime/testing.js';
import { TABLES as COPIED } from '../server/store/copy.js';
import { Store } from '../server/store/store.js';
import { COMMAND_LINE, recordAudit } from '../server/audit/log.js';
import { insertPerson } from '../server/people/store.js';
import { onPostgres, openTestStore, testDatabase } from '../server/store/testing.js';
import { cli } from './cli-run.js';

const TABLES = COPIED.map((t) => t.table);

/** Every row of every table, each table's rows sorted (the same on both databases). */
async function everything(s: Store): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of TABLES) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(s.db)).rows;
    // Column order differs (custom columns come last on both, built-ins in migration order): sort keys.
    out[t] = rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))))).sort();
  }
  return out;
}

let b: Bench | undefined;
const stores: Store[] = [];
afterEach(async () => {
  await b?.close();
  b = undefined;
  for (const s of stores.splice(0)) await s.close();
});

describe('scoremap copy: what it copies', () => {
  it('copies every table a migrated database has (a migration that adds a table must add it to the copy)', async () => {
    const s = await openTestStore();
    stores.push(s);
    const tables = (await s.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('kysely_'));
    expect([...TABLES].sort()).toEqual(tables.sort());
  });
});

describe.skipIf(!onPostgres)('scoremap copy', () => {
  it('moves a SQLite database into PostgreSQL whole, and the engine goes on there', async () => {
    const file = `${mkdtempSync(`${tmpdir()}/scoremap-copy-`)}/db.sqlite`;
    b = await setup({ path: file });
    const decay = JSON.parse(readFileSync(new URL('../maps/point-decay-loop.json', import.meta.url), 'utf8'));
    await b.publish(decay, 'decay');
    await saveModel(b.rt, JSON.parse(readFileSync(new URL('../maps/recommended-scoring.json', import.meta.url), 'utf8')), { create: true });
    for (const id of ['ann', 'bob', 'cy']) await b.contact(id, { custom_lead_score: 10, job_title: id === 'ann' ? 'CEO' : 'Engineer' });
    await b.event('ann', 'email_link_clicked', { url: 'https://x.test/pricing' }, { id: 'evt-1' });
    // The team: a person who signs in, a session, an audit entry, a saved list, a round-robin turn.
    const ana = await insertPerson(b.store.db, { id: 'u-ana', email: 'ana@acme.test', name: 'Ana', role: 'admin', passwordHash: 'scrypt$x', now: T0 });
    await b.store.db.insertInto('sessions').values({ id_hash: 'h1', user_id: ana.id, created_at: T0, expires_at: T0 + DAY, last_seen_at: T0 }).execute();
    await recordAudit(b.store.db, { kind: 'person', id: ana.id, name: ana.name }, { action: 'person.add', targetType: 'person', targetId: ana.id, summary: 'Added Ana' }, T0);
    await b.store.db.insertInto('saved_lists').values({ id: 'l1', name: 'Hot', owner_id: ana.id, filters_json: '{}', created_by: ana.id, created_at: T0, updated_at: T0 }).execute();
    await b.store.db.insertInto('rotations').values({ key: 'm:e', n: 3, updated_at: T0 }).execute();
    await b.advance(T0 + 2 * DAY + 3_600_000);
    const before = await everything(b.store);
    await b.close();
    b = undefined;

    const url = testDatabase();
    const r = await cli(['copy', '--from', file, '--to', url, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const copied = JSON.parse(r.stdout);
    expect(copied.history).toBe(before.history.length);
    expect(copied.contacts).toBe(3);

    const pg = await Store.open(url);
    stores.push(pg);
    expect(await everything(pg)).toEqual(before);

    // The engine on PostgreSQL goes on: the next day's decay fires, history ids continue, event ids stay known.
    const clock = new ManualClock(T0 + 2 * DAY + 3_600_000);
    const rt = await Runtime.create({ store: pg, clock });
    const maxId = Math.max(...before.history.map((h) => JSON.parse(h).id as number));
    await rt.advance(T0 + 3 * DAY + 3_600_000, clock);
    const after = await pg.contactHistory('bob', { field: 'custom_lead_score' });
    expect(after[0].to).toBe(4); // 10 → 8 → 6 on SQLite, → 4 on PostgreSQL
    expect(Math.min(...(await pg.historyAfter(maxId, 100)).map((h) => h.id))).toBe(maxId + 1);
    expect(await rt.ingest([{ id: 'evt-1', contact: { id: 'ann' }, type: 'email_link_clicked' }])).toMatchObject({ accepted: 0, duplicates: 1 });
    // The audit log goes on from the copied ids too.
    await recordAudit(pg.db, COMMAND_LINE, { action: 'person.add', targetType: 'person', targetId: 'u-2', summary: 'Added Bo' }, T0 + 3 * DAY);
    expect((await pg.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map((r) => Number(r.id))).toEqual([1, 2]);

    // Into a database that is no longer empty: refused, nothing written.
    const again = await cli(['copy', '--from', file, '--to', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/The copy stopped, and the target has none of it: The target database already has contacts: copy into an empty one/);
  });

  it('says what it needs', async () => {
    expect((await cli(['copy', '--from', 'x.db'])).code).toBe(2);
    const missing = await cli(['copy', '--from', `${tmpdir()}/no-such-scoremap.db`, '--to', 'postgres://h/db']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No database at/);
  });
});
