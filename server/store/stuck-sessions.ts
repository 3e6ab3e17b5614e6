/**
 * The second half of the lease on a batch's claims, on PostgreSQL. The server itself ends a
 * session that sits idle in its transaction for longer than the lease
 * (`idle_in_transaction_session_timeout`), but not one stuck *in the middle of a statement* waiting
 * for its client: a process frozen (stopped, swapped out, hung) after sending a statement but
 * before the message that completes it, or while the answer it has not read fills the socket.
 * PostgreSQL counts such a session as active, forever, and it keeps the rows it locked.
 *
 * So every Scoremap process on PostgreSQL looks, a few times a lease, for sessions of its own
 * database user that hold a write or row lock on a table of its schema (a claim, a write: a reader
 * holds neither) and have been waiting on their client, in the same statement, for a whole lease;
 * and ends them. Their transaction is rolled back and their claims go to the other processes, as
 * when the server's own timeout ends an idle one. Run every process of one installation with the
 * same `--lease`.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/** A session seen waiting on its client: since when (as this process saw it), and in which statement. */
interface Sighting {
  readonly since: number;
  readonly statementStart: number;
}

/** Sessions stuck on their client for longer than the lease, found and ended (see the module's comment). */
export class StuckSessions {
  readonly #db: Kysely<DB>;
  readonly #leaseMs: number;
  readonly #now: () => number;
  #seen = new Map<number, Sighting>();
  #timer: NodeJS.Timeout | undefined;
  #refused = false;

  constructor(db: Kysely<DB>, leaseMs: number, now: () => number = Date.now) {
    this.#db = db;
    this.#leaseMs = leaseMs;
    this.#now = now;
  }

  /** Looks every quarter lease (the session goes between one and 1¼ leases after it stuck), until `stop`. */
  start(): void {
    const every = Math.max(250, Math.round(this.#leaseMs / 4));
    this.#timer = setInterval(() => void this.sweep().catch(() => undefined), every);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * One look: notes the sessions waiting on their client now, and ends those seen waiting in the
   * same statement a lease ago or more. Returns the process ids it ended.
   */
  async sweep(): Promise<number[]> {
    const { rows } = await sql<{ pid: number; started: number }>`
      select a.pid, (extract(epoch from a.state_change) * 1000)::float8 as started
      from pg_stat_activity a
      where a.datname = current_database() and a.usename = current_user and a.pid <> pg_backend_pid()
        and a.state = 'active' and a.xact_start is not null
        and a.wait_event_type = 'Client' and a.wait_event in ('ClientRead', 'ClientWrite')
        and exists (
          select 1 from pg_locks l join pg_class c on c.oid = l.relation
          where l.pid = a.pid and l.granted and l.locktype = 'relation' and l.mode <> 'AccessShareLock'
            and c.relnamespace = current_schema()::regnamespace)`.execute(this.#db);
    const now = this.#now();
    const seen = new Map<number, Sighting>();
    const stuck: number[] = [];
    for (const r of rows) {
      const before = this.#seen.get(r.pid);
      const sighting = before && before.statementStart === r.started ? before : { since: now, statementStart: r.started };
      seen.set(r.pid, sighting);
      if (now - sighting.since >= this.#leaseMs) stuck.push(r.pid);
    }
    this.#seen = seen;
    const ended: number[] = [];
    for (const pid of stuck) {
      try {
        const { rows: done } = await sql<{ ok: boolean }>`select pg_terminate_backend(${pid}::int) as ok`.execute(this.#db);
        if (done[0]?.ok) ended.push(pid);
        this.#seen.delete(pid);
      } catch (err) {
        if (!this.#refused) {
          this.#refused = true;
          console.error(`Scoremap could not end PostgreSQL session ${pid}, stuck for longer than the lease with rows locked: ${(err as Error).message}`);
        }
      }
    }
    return ended;
  }
}
