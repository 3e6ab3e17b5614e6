/**
 * The daily decay tick on PostgreSQL, shared by 1, 2, 3… `scoremap worker` processes: N contacts
 * parked on the point-decay-loop's wait come due at one moment on the real clock, and the figure
 * is how fast the workers together move them all on to the next day. The PostgreSQL server, the
 * workers and the bench share the machine's cores, so the speed-up says as much about the machine
 * as about the claims (FOR UPDATE SKIP LOCKED).
 */
import { sql } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../server/store/postgres.js';
import type { Store } from '../server/store/store.js';
import { DAY, onFreshSchema } from './common.js';
import { DECAY_MAP, openDecayWorld, parkSetBased } from './park.js';
import { startWorker, type WorkerProcess } from './worker-process.js';

export interface DecayWorkersResult {
  readonly workers: number;
  readonly n: number;
  /** Contact-steps per second, from the due moment until every position carries the next day's due time. */
  readonly engine: number;
  readonly engineMs: number;
  /** Steps per second over those of the first worker count measured in the same run (1 in the plans). */
  readonly speedup: number;
  /** From spawning the workers until each said it was running. */
  readonly bootMs: number;
  readonly setupMs: number;
  /** Whatever went wrong with a worker: what it printed on stderr, an unclean stop. Empty when all is well. */
  readonly trouble: readonly string[];
}

/** Why no PostgreSQL server can be used at `url` (it does not answer, or refuses the login); null when one can. */
export async function postgresUnavailable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (e) {
    const { message, code } = e as Error & { code?: string };
    return `nothing usable at ${redactUrl(url)} (${message || code || String(e)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs the tick with each count in `workers` in turn, each on a fresh schema of the database at `url`. */
export async function decayWorkers(n: number, workers: readonly number[], url: string, log: (line: string) => void = () => {}): Promise<DecayWorkersResult[]> {
  const runs: Omit<DecayWorkersResult, 'speedup'>[] = [];
  // The first setup may take up to 100 µs a contact (a few times what it takes); later ones, twice the last.
  let setupAllowanceMs = n / 10;
  for (const k of workers) {
    log(`  ${k} worker${k === 1 ? '' : 's'}…`);
    for (let attempt = 1; ; attempt++) {
      const run = await tickWith(n, k, url, setupAllowanceMs);
      if (run !== 'late') {
        runs.push(run);
        setupAllowanceMs = 2 * run.setupMs;
        break;
      }
      if (attempt === 3) throw new Error(`parking ${n} contacts on PostgreSQL kept taking longer than ${setupAllowanceMs} ms`);
      setupAllowanceMs *= 4;
    }
  }
  return runs.map((r) => ({ ...r, speedup: r.engine / runs[0].engine }));
}

/** The longest a shared worker sleeps before it looks for due work again (server/scheduler.ts). */
const LOOK_MS = 1_000;
/** How often the bench looks whether the workers are done. */
const POLL_MS = 50;
/** How long the workers may take to start, and to finish, before the bench gives up. */
const BOOT_MS = 60_000;
const GIVE_UP_MS = 600_000;

/**
 * One measurement on a fresh schema: `k` workers started, `n` contacts parked, due once the rows
 * are committed and every worker has had a second to look (they then sleep until the due moment).
 * 'late' when parking took longer than `setupAllowanceMs`: the due moment would have come first.
 */
async function tickWith(n: number, k: number, url: string, setupAllowanceMs: number): Promise<Omit<DecayWorkersResult, 'speedup'> | 'late'> {
  return onFreshSchema(url, async (location) => {
    const procs: WorkerProcess[] = [];
    let store: Store | undefined;
    let measured: Omit<DecayWorkersResult, 'speedup' | 'trouble'> | 'late';
    let trouble: string[];
    try {
      ({ store } = await openDecayWorld(location));
      const spawned = Date.now();
      for (let i = 1; i <= k; i++) procs.push(startWorker(location, `scoremap-bench-w${i}`));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(procs.map((w) => w.started)),
        new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`${k} workers did not all start within ${BOOT_MS / 1000} s`)), BOOT_MS))),
      ]).finally(() => clearTimeout(timer));
      const bootMs = Date.now() - spawned;
      measured = await measure(store, n, k, setupAllowanceMs, bootMs);
    } finally {
      trouble = await stopAll(procs);
      await store?.close();
    }
    return measured === 'late' ? measured : { ...measured, trouble };
  });
}

/** Parks `n` contacts for the workers already running and times them from the due moment until all are done. */
async function measure(store: Store, n: number, k: number, setupAllowanceMs: number, bootMs: number): Promise<Omit<DecayWorkersResult, 'speedup' | 'trouble'> | 'late'> {
  const parking = Date.now();
  const dueAt = Math.ceil(parking + setupAllowanceMs + LOOK_MS);
  await parkSetBased(store, n, dueAt - DAY);
  // Parked a day ago, the rows would have been analyzed long since (autovacuum); freshly inserted,
  // the planner has no statistics and sorts every due row for each batch's claim (at 100,000: 185 ms a batch instead of 4).
  await sql`analyze positions, contacts, history`.execute(store.db);
  const setupMs = Date.now() - parking;
  if (Date.now() > dueAt - LOOK_MS) return 'late';

  // While they work, one index probe a look (about 1 ms at worst): a count of the whole set takes
  // 15–20 ms at 100,000, every 50 ms a third of a core the workers need. The count comes once, at the end.
  // The order by keeps the probe on the index whatever the statistics say.
  const db = store.db;
  const waiting = async () => (await sql`select 1 from positions where map_id = ${DECAY_MAP} and due_at <= ${dueAt} order by due_at limit 1`.execute(db)).rows.length > 0;
  await new Promise((r) => setTimeout(r, dueAt - Date.now()));
  while (await waiting()) {
    if (Date.now() > dueAt + GIVE_UP_MS) throw new Error(`${k} PostgreSQL workers did not finish ${n} contacts in ${GIVE_UP_MS / 60_000} minutes`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const engineMs = Date.now() - dueAt;
  const moved = await sql<{ n: number }>`select count(*) as n from positions where map_id = ${DECAY_MAP} and due_at = ${dueAt + DAY}`.execute(db);
  if (Number(moved.rows[0].n) !== n) throw new Error(`decay tick on ${k} PostgreSQL workers: ${moved.rows[0].n} of ${n} contacts were parked again for the next day`);
  return { workers: k, n, engine: n / (engineMs / 1000), engineMs, bootMs, setupMs };
}

/** Stops the workers (SIGTERM, SIGKILL after 10 s); answers what went wrong with any of them. */
async function stopAll(procs: readonly WorkerProcess[]): Promise<string[]> {
  const trouble: string[] = [];
  await Promise.all(procs.map(async (w) => {
    const { code, signal } = await w.stop(10_000);
    if (signal === 'SIGKILL') trouble.push(`${w.name} did not stop within 10 s of SIGTERM: killed`);
    else if (code !== 0) trouble.push(`${w.name} stopped with ${signal ?? `exit code ${code}`}`);
    const errors = w.errors().trim();
    if (errors) trouble.push(`${w.name} printed on stderr: ${errors}`);
  }));
  return trouble;
}
