/**
 * Backtest jobs (SPEC §11 "Try a draft on real history"): each runs in the background of the
 * server process, a chunk of contacts at a time, and its result is kept in memory for an hour
 * (lost on a restart). At most two run at once.
 */
import { randomUUID } from 'node:crypto';
import { HTTPException } from 'hono/http-exception';
import { sql, type Kysely } from 'kysely';
import type { FieldValue } from '../../engine/elements/types.js';
import { AppError } from '../errors.js';
import type { Bands } from '../reports/conversion.js';
import type { Outcome } from '../reports/outcomes.js';
import { turn } from '../runtime/due.js';
import type { Runtime } from '../runtime/runtime.js';
import type { DB } from '../store/schema.js';
import type { Draft } from './draft.js';
import { contactsAt, copyWorld, eventsOf, idIn, idsAfter, liveAt } from './read.js';
import { replayChunk, type ContactAtFrom, type StoredEvent } from './replay.js';
import { ResultStore, type BacktestResult } from './result.js';

/** How long a finished backtest's result is kept. */
export const KEEP_MS = 60 * 60 * 1000;
/** Backtests that may run at once. */
export const MAX_RUNNING = 2;
/** Contacts one private copy replays at once. */
export const CHUNK = 5_000;
/** Contacts one read of the real database covers: each read is short, and requests are served between them. */
const READ = 500;

/** What a backtest runs: checked already (see `draft.ts` and the route). */
export interface BacktestPlan {
  readonly draft: Draft;
  readonly field: string;
  readonly from: number;
  readonly to: number;
  readonly windowMs: number;
  readonly outcomes: readonly Outcome[];
  readonly bands: Bands;
  /** The contacts, in id order; absent: every contact that existed at `to`. */
  readonly contacts?: readonly string[];
  readonly total: number;
  /** Contacts a private copy replays at once (default `CHUNK`). */
  readonly chunk?: number;
}

/** A backtest as `GET /api/backtest/:id` shows it. */
export interface BacktestView {
  id: string;
  status: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  error?: string;
  result?: BacktestResult;
}

interface Job extends BacktestView {
  results?: ResultStore;
  /** When it finished (Date.now()), for keeping it an hour. */
  finishedAt?: number;
}

/** The backtests of one server process. */
export class Backtests {
  readonly #jobs = new Map<string, Job>();

  constructor(private readonly rt: Runtime, private readonly opts: { maxRunning?: number; keepMs?: number } = {}) {}

  /** Starts a backtest in the background; refused (429) while the most that may run are running. */
  start(plan: BacktestPlan): BacktestView {
    this.#forget();
    const running = [...this.#jobs.values()].filter((j) => j.status === 'running').length;
    const max = this.opts.maxRunning ?? MAX_RUNNING;
    if (running >= max) {
      // A status AppError does not carry: the app answers an HTTPException as JSON all the same.
      throw new HTTPException(429, { message: `${max === 1 ? 'A backtest is' : `${max} backtests are`} running already: wait until one is done (GET /api/backtest/:id shows how far it got), then try again` });
    }
    const job: Job = { id: randomUUID(), status: 'running', done: 0, total: plan.total };
    this.#jobs.set(job.id, job);
    void this.#run(job, plan);
    return view(job);
  }

  /** A backtest by id, or null (unknown, or finished more than an hour ago). */
  get(id: string): BacktestView | null {
    this.#forget();
    const job = this.#jobs.get(id);
    return job ? view(job) : null;
  }

  /** Every contact's live and draft score as CSV, or null when the backtest is unknown or not done. */
  async csv(id: string): Promise<string | null> {
    const job = this.#jobs.get(id);
    if (!job?.results || job.status !== 'done' || !job.result) return null;
    return job.results.csv(job.result.field);
  }

  /** Drops results kept past their hour. */
  #forget(): void {
    const keep = this.opts.keepMs ?? KEEP_MS;
    for (const [id, job] of this.#jobs) {
      if (job.finishedAt !== undefined && Date.now() - job.finishedAt > keep) {
        this.#jobs.delete(id);
        void job.results?.close();
      }
    }
  }

  /** Closes every result (the server stops). */
  async close(): Promise<void> {
    for (const job of this.#jobs.values()) await job.results?.close();
    this.#jobs.clear();
  }

  async #run(job: Job, plan: BacktestPlan): Promise<void> {
    try {
      await turn(); // answer the request first
      const model = plan.bands.kind === 'brackets' ? await bandModel(this.rt, plan) : undefined;
      job.results = await ResultStore.open(plan.to, model);
      await runBacktest(this.rt, plan, job.results, (done) => { job.done = done; });
      job.result = await job.results.summary(plan);
      job.total = job.done;
      job.status = 'done';
    } catch (e) {
      job.status = 'failed';
      job.error = e instanceof AppError ? e.message : `The backtest stopped: ${(e as Error).message}`;
      await job.results?.close();
      job.results = undefined;
    } finally {
      job.finishedAt = Date.now();
    }
  }
}

function view(job: Job): BacktestView {
  return { id: job.id, status: job.status, done: job.done, total: job.total, ...(job.error ? { error: job.error } : {}), ...(job.result ? { result: job.result } : {}) };
}

/** The model whose brackets name the bands: the draft, or the model that writes the field. */
async function bandModel(rt: Runtime, plan: BacktestPlan): Promise<{ id: string; doc: unknown } | undefined> {
  if (plan.bands.kind !== 'brackets') return undefined;
  if (plan.draft.kind === 'model' && plan.draft.id === plan.bands.model) return { id: plan.draft.id, doc: plan.draft.model };
  const record = await rt.store.getModel(plan.bands.model);
  return record ? { id: record.id, doc: record.doc } : undefined;
}

/**
 * Runs the plan chunk by chunk into `results`: reads each chunk's contacts as they were at `from`
 * and their events, replays them through the draft in a private copy, reads their live scores at
 * `to` and the outcomes reached after it. `progress` hears the contacts done so far.
 */
export async function runBacktest(rt: Runtime, plan: BacktestPlan, results: ResultStore, progress: (done: number) => void): Promise<void> {
  const db = rt.store.db as Kysely<DB>;
  const world = await copyWorld(rt.store, plan.draft);
  const liveField = (await rt.store.listFields()).some((f) => f.key === plan.field);
  const size = plan.chunk ?? CHUNK;
  let done = 0;
  let after: string | null = null;
  let listAt = 0;
  for (;;) {
    let ids: string[];
    if (plan.contacts) {
      ids = plan.contacts.slice(listAt, listAt + size) as string[];
      listAt += ids.length;
    } else {
      ids = await idsAfter(db, after, size, plan.to);
      if (ids.length) after = ids[ids.length - 1];
    }
    if (!ids.length) break;
    const contacts: ContactAtFrom[] = [];
    const events: StoredEvent[] = [];
    const live = new Map<string, FieldValue>();
    for (let i = 0; i < ids.length; i += READ) {
      const part = ids.slice(i, i + READ);
      contacts.push(...(await contactsAt(rt.store, part, plan.from)));
      events.push(...(await eventsOf(db, part, plan.from, plan.to)));
      if (liveField) for (const [id, v] of await liveAt(db, part, plan.field, plan.to)) live.set(id, v);
      await turn();
    }
    // Stable: a contact's own events keep their stored order.
    events.sort((a, b) => a.at - b.at);
    const draft = await replayChunk(world, contacts, events, plan.from, plan.to, plan.field);
    const outcomes = await outcomesAfter(db, contacts.map((c) => c.id), plan);
    await results.add(contacts.map((c) => ({ id: c.id, createdAt: c.createdAt, email: c.fields.email ?? null, live: live.get(c.id) ?? null, draft: draft.get(c.id) ?? null })), outcomes);
    done += contacts.length;
    progress(done);
    await turn();
  }
}

/** The outcome events and field changes stored for the contacts in (to, to + window]: what the conversion counts. */
async function outcomesAfter(db: Kysely<DB>, ids: readonly string[], plan: BacktestPlan) {
  const end = plan.to + plan.windowMs;
  const types = [...new Set(plan.outcomes.flatMap((o) => (o.event ? [o.event] : [])))];
  const fields = [...new Set(plan.outcomes.flatMap((o) => (o.field ? [o.field.field] : [])))];
  const events: { id: string; contactId: string; type: string; at: number; props: null; acceptedAt: number }[] = [];
  const history: { contactId: string; at: number; field: string; from: FieldValue; to: FieldValue; cause: { api: true } }[] = [];
  for (let i = 0; i < ids.length && (types.length || fields.length); i += READ) {
    const part = ids.slice(i, i + READ);
    if (types.length) {
      const rows = await db.selectFrom('events').select(['id', 'contact_id', 'type', 'at'])
        .where(idIn(db, sql.ref('contact_id'), part)).where('type', 'in', types).where('at', '>', plan.to).where('at', '<=', end).execute();
      for (const r of rows) events.push({ id: r.id, contactId: r.contact_id, type: r.type, at: Number(r.at), props: null, acceptedAt: Number(r.at) });
    }
    if (fields.length) {
      const rows = await db.selectFrom('history').select(['contact_id', 'at', 'field', 'from_json', 'to_json'])
        .where(idIn(db, sql.ref('contact_id'), part)).where('field', 'in', fields).where('at', '>', plan.to).where('at', '<=', end).orderBy('at').orderBy('id').execute();
      const parse = (s: string | null): FieldValue => (s === null ? null : (JSON.parse(s) as FieldValue));
      for (const r of rows) history.push({ contactId: r.contact_id, at: Number(r.at), field: r.field, from: parse(r.from_json), to: parse(r.to_json), cause: { api: true } });
    }
    await turn();
  }
  return { events, history };
}
