import Database from 'better-sqlite3';
import { seededRandom } from '../server/seeded-random.js';
import { api, startServer, type ApiAnswer, type ServerProcess } from './server-process.js';

/** The seeded generator of the crash tests: the same seed gives the same workload and kill delays. */
export const prng = seededRandom;

/**
 * A client of a server process that the test kills with SIGKILL, as a real client of a server that
 * crashes: a request that fails because the connection died is retried, unchanged, once the server
 * is back (restarted on the same database, its manual clock at the last time the client saw
 * acknowledged). A connection that dies when the test did not kill the server fails the test.
 */
export class CrashClient {
  server!: ServerProcess;
  /** The manual clock as last acknowledged: where a restarted server starts. */
  clock: string;
  restarts = 0;
  #killed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly db: string, start: string) {
    this.clock = start;
  }

  async start(): Promise<this> {
    this.server = await startServer(this.db, this.clock);
    this.#killed = false;
    return this;
  }

  /** Whether the server was killed and is not running again yet. */
  get killed(): boolean {
    return this.#killed;
  }

  /** SIGKILLs the server now. */
  kill(): void {
    clearTimeout(this.#timer);
    if (this.#killed) return;
    this.#killed = true;
    this.server.proc.kill('SIGKILL');
  }

  /** Starts the server again if a kill left it down (the next request would have done so). */
  async ensureRunning(): Promise<void> {
    if (this.#killed) await this.restart();
  }

  /** SIGKILLs the server `ms` from now, whatever it is doing then; resolves once it is killed. */
  killAfter(ms: number): Promise<void> {
    return new Promise((ok) => {
      this.#timer = setTimeout(() => {
        this.kill();
        ok();
      }, ms);
    });
  }

  /** Waits for the killed server to exit and starts it again on the same database. */
  async restart(): Promise<void> {
    await this.server.exited;
    this.restarts++;
    await this.start();
  }

  /** Calls the API; when the server dies under the request (killed by the test), restarts it and sends the request again. */
  async call<T = any>(path: string, body?: unknown, method?: string): Promise<ApiAnswer<T>> {
    for (;;) {
      try {
        const r = await api<T>(this.server, path, body, method);
        if (r.status >= 500) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}\n${this.server.output()}`);
        return r;
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // fetch's "fetch failed": the connection died
        if (!this.#killed) throw new Error(`The server died without being killed: ${(e as Error).message}\n${this.server.output()}`);
        await this.restart();
      }
    }
  }

  /** Like {@link call}, but a status other than 2xx throws. */
  async ok<T = any>(path: string, body?: unknown, method?: string): Promise<T> {
    const r = await this.call<T>(path, body, method);
    if (r.status > 299) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Moves the manual clock to `to` (retried across kills: what came due runs once either way). */
  async advance(to: string): Promise<void> {
    await this.ok('/clock/advance', { to });
    this.clock = to;
  }
}

/**
 * Resolves once `probe` (run on a second, read-only-in-practice connection to the server's SQLite
 * file) answers true, polling between turns of the event loop. WAL lets this reader see each commit
 * of the server process as it happens, so a test can kill the server at a chosen point of a long
 * piece of work (after the first committed batch of a degradation, right after a publish commits).
 */
export async function whenDb(file: string, probe: (db: Database.Database) => boolean, timeoutMs = 30_000): Promise<void> {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (probe(db)) return;
      if (Date.now() > until) throw new Error('the database never reached the state the test waits for');
      await new Promise((ok) => setImmediate(ok));
    }
  } finally {
    db.close();
  }
}

/** Every contact's fields (the ones named), read through the paged contacts list. */
export async function allContacts(client: CrashClient, fields: string[]): Promise<Map<string, { fields: Record<string, unknown>; tags: string[] }>> {
  const out = new Map<string, { fields: Record<string, unknown>; tags: string[] }>();
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ limit: '500', fields: fields.join(','), ...(cursor ? { cursor } : {}) });
    const page = await client.ok(`/contacts?${q}`);
    for (const c of page.contacts) out.set(c.id, { fields: c.fields, tags: c.tags });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** A contact's whole history of one field (every page), newest first. */
export async function fieldHistory(client: CrashClient, contactId: string, field: string): Promise<{ at: string; from: unknown; to: unknown; cause: Record<string, unknown> }[]> {
  const out = [];
  let before: number | undefined;
  do {
    const q = new URLSearchParams({ field, limit: '500', ...(before ? { before: String(before) } : {}) });
    const page = await client.ok(`/contacts/${encodeURIComponent(contactId)}/history?${q}`);
    out.push(...page.history);
    before = page.nextBefore;
  } while (before);
  return out;
}
