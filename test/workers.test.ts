/**
 * Several processes on one PostgreSQL database share the engine's due work, and none runs a piece
 * of it twice, even when one is killed in the middle of a batch (PostgreSQL half of the suite only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DECAY_MAP, openDecayWorld, parkSetBased, START_SCORE } from '../bench/park.js';
import { startWorker as spawnWorker, type WorkerProcess } from '../bench/worker-process.js';
import { onPostgres, testDatabase } from '../server/store/testing.js';
import { Store } from '../server/store/store.js';

const DAY = 86_400_000;
const CONTACTS = 50_000;

const workers: WorkerProcess[] = [];
afterEach(() => {
  for (const { proc } of workers.splice(0)) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
});

/** `scoremap worker` on `url`, named `name` in pg_stat_activity, SIGKILLed after the test if still running. */
function startWorker(url: string, name: string, extra: string[] = []): WorkerProcess {
  const w = spawnWorker(url, name, extra);
  workers.push(w);
  return w;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The server process of worker `name` once it holds a batch: its transaction open after the
 * contacts came due, its last statement on the engine's tables.
 */
function holdingBatch(db: Store, name: string, dueAt: number): Promise<number> {
  return until(`${name} holding a batch`, 90_000, async () => {
    if (Date.now() < dueAt) return undefined;
    const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${name}
      and xact_start is not null and state <> 'idle' and query ~ '(positions|history|element_stats|contacts)'`.execute(db.db);
    return rows[0]?.pid;
  });
}

describe.skipIf(!onPostgres)('three workers on one PostgreSQL database', () => {
  it(`decay ${CONTACTS.toLocaleString('en')} contacts exactly once, though one is SIGKILLed mid-batch`, async () => {
    const url = testDatabase();
    const { store } = await openDecayWorld(url);
    // Everyone entered the 1-day wait a day ago (less a few seconds): the day is over for all of
    // them just after the workers have started.
    const dueAt = Date.now() + 8_000;
    await parkSetBased(store, CONTACTS, dueAt - DAY);
    await store.close();

    const all = ['w1', 'w2', 'w3'].map((name) => startWorker(url, name));
    const [victim] = all;
    const db = await Store.open(url);
    try {
      // Catch w1 holding a batch, freeze it there, note which contacts it holds, and kill it.
      const pid = await holdingBatch(db, 'w1', dueAt);
      victim.proc.kill('SIGSTOP');
      // The statement in flight finishes on the server; then the transaction waits for a client that is frozen.
      await until('w1 frozen in its transaction', 30_000, async () => {
        const { rows } = await sql<{ state: string }>`select state from pg_stat_activity where pid = ${pid}::int`.execute(db.db);
        return rows[0]?.state === 'idle in transaction';
      });
      await sql`create extension if not exists pgrowlocks schema public`.execute(db.db);
      const held = (await sql<{ id: string }>`select c.id from contacts c join public.pgrowlocks('contacts') l on l.locked_row = c.ctid
        where ${pid}::int = any(l.pids)`.execute(db.db)).rows.map((r) => r.id);
      victim.proc.kill('SIGKILL');
      console.log(`workers.test: w1 was SIGKILLed holding ${held.length} claimed contacts`);
      const doneAt = dueAt + DAY;
      const finished = await until('every contact decayed', 180_000, async () => {
        const { rows } = await sql<{ n: number }>`select count(*) as n from positions where map_id = ${DECAY_MAP} and due_at = ${doneAt}`.execute(db.db);
        return Number(rows[0].n) === CONTACTS ? rows[0].n : undefined;
      });
      expect(finished).toBe(CONTACTS);
      // It died holding claims; the others finished those contacts, once each.
      expect(held.length).toBeGreaterThan(0);
      const redone = await sql<{ v: number; n: number }>`select f_custom_lead_score as v, count(*) as n from contacts where id in (${sql.join(held)}) group by 1`.execute(db.db);
      expect(redone.rows.map((r) => ({ v: Number(r.v), n: Number(r.n) }))).toEqual([{ v: START_SCORE - 2, n: held.length }]);
      expect(victim.proc.signalCode ?? (await new Promise((ok) => victim.proc.once('exit', (_c, sig) => ok(sig))))).toBe('SIGKILL');

      // Exactly once: every score went 100 → 98, with one history row each, and the counts agree.
      const scores = await sql<{ v: number; n: number }>`select f_custom_lead_score as v, count(*) as n from contacts group by 1`.execute(db.db);
      expect(scores.rows.map((r) => ({ v: Number(r.v), n: Number(r.n) }))).toEqual([{ v: START_SCORE - 2, n: CONTACTS }]);
      const twice = await sql<{ n: number }>`select count(*) as n from (select contact_id from history where field = 'custom_lead_score' and at = ${dueAt}
        group by contact_id having count(*) <> 1) x`.execute(db.db);
      expect(Number(twice.rows[0].n)).toBe(0);
      const once = await sql<{ n: number }>`select count(distinct contact_id) as n from history where field = 'custom_lead_score' and at = ${dueAt}`.execute(db.db);
      expect(Number(once.rows[0].n)).toBe(CONTACTS);
      const stats = await db.getStats(DECAY_MAP);
      expect(stats.decay.wereHere).toBe(CONTACTS);
      expect(stats.wait.hereNow).toBe(CONTACTS);
      // The two left are still alive and well.
      for (const w of all.slice(1)) expect(w.proc.exitCode).toBeNull();
    } finally {
      await db.close();
    }
  }, 300_000);

  it('a worker frozen mid-batch loses its claims when its lease runs out, and carries on once it wakes', async () => {
    const n = 5_000;
    const url = testDatabase();
    const { store } = await openDecayWorld(url);
    const dueAt = Date.now() + 6_000;
    await parkSetBased(store, n, dueAt - DAY);
    await store.close();
    const frozen = startWorker(url, 'w1', ['--lease', '2']);
    const db = await Store.open(url);
    try {
      const pid = await holdingBatch(db, 'w1', dueAt);
      frozen.proc.kill('SIGSTOP');
      const other = startWorker(url, 'w2', ['--lease', '2']);
      // After 2 s without a word, the server ends w1's session: its claims go back, w2 takes them.
      await until('w1 ended by the server', 30_000, async () => {
        const { rows } = await sql`select 1 from pg_stat_activity where pid = ${pid}::int`.execute(db.db);
        return rows.length === 0;
      });
      const doneAt = dueAt + DAY;
      await until('every contact decayed', 120_000, async () => {
        const { rows } = await sql<{ n: number }>`select count(*) as n from positions where map_id = ${DECAY_MAP} and due_at = ${doneAt}`.execute(db.db);
        return Number(rows[0].n) === n;
      });
      frozen.proc.kill('SIGCONT');
      // Awake, w1 finds its transaction gone, says so, and goes on working (nothing left to do).
      // Which it hears first depends on what it sends first: the server's farewell, or the socket's
      // refusal of the statements it sent straight on (EPIPE, ECONNRESET).
      await until('w1 to notice', 30_000, async () => /terminat|Connection|connection|EPIPE|ECONNRESET/.test(frozen.output()));
      await new Promise((r) => setTimeout(r, 2_000));
      expect(frozen.proc.exitCode, frozen.output()).toBeNull();
      expect(other.proc.exitCode).toBeNull();
      const scores = await sql<{ v: number; n: number }>`select f_custom_lead_score as v, count(*) as n from contacts group by 1`.execute(db.db);
      expect(scores.rows.map((r) => ({ v: Number(r.v), n: Number(r.n) }))).toEqual([{ v: START_SCORE - 2, n }]);
      expect((await db.getStats(DECAY_MAP)).decay.wereHere).toBe(n);
    } finally {
      await db.close();
    }
  }, 240_000);
});
