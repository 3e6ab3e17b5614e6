/**
 * Figure 2: event intake over HTTP. A server on 127.0.0.1 (port 0, manual clock) with five templates
 * published; a child process posts batches of 1,000 events and then single events. Each response
 * comes after the batch's effects are committed, so the last response is the end. The baseline
 * is raw better-sqlite3 inserting the same event rows, 1,000 per transaction.
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { applyPragmas } from '../server/store/sqlite.js';
import { ManualClock } from '../engine/clock.js';
import { createMap, publishMap } from '../server/runtime/maps.js';
import { Runtime } from '../server/runtime/runtime.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { Store } from '../server/store/store.js';
import { readTemplate } from '../server/templates.js';
import { batches } from './intake-events.mjs';
import { sqlTimeOf } from './replay.js';
import { EventInput } from '../engine/schema/event.js';
import { onFreshSchema, scratch, T0 } from './common.js';

/** Five templates that react to events, directly or through the fields the events change. */
export const INTAKE_TEMPLATES = ['custom-lead-score', 'point-decay-loop', 'inactivity-reset', 'composite-score', 'lifecycle-stages'] as const;

export interface IntakeResult {
  readonly events: number;
  readonly contacts: number;
  /** Events per second, batches of 1,000, effects committed. */
  readonly engine: number;
  /** Raw batched insert of the same rows, per second. */
  readonly baseline: number;
  readonly ratio: number;
  /** Single-event requests per second (one in flight). */
  readonly singleRequests: number;
  /** The engine's statements for the same batches replayed on a copy: events per second if it cost only its SQL. */
  readonly sqlOnly: number;
  /** The share of the HTTP run's time that is SQLite running the engine's statements. */
  readonly sqlShare: number;
  /**
   * The batches' events taken without the per-contact path (`server/runtime/event-cohort.ts`), of
   * them the contacts that entered a map as a cohort, and the events that went one by one.
   */
  readonly cohorts: { readonly events: number; readonly entries: number; readonly fallbacks: number; readonly reasons: Readonly<Record<string, number>> };
}

const CLIENT = fileURLToPath(new URL('./intake-client.mjs', import.meta.url));

/** Runs a client process (a plain-JavaScript file beside this one) and answers the JSON line it prints last. */
export function runClient(file: string, args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${basename(file)} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

const client = (args: string[]) => runClient(CLIENT, args);

/**
 * Single events for `seconds` on the `contacts` a server already has: one request in flight, or
 * `clients` at once (`concurrent`). Refuses the figure if any request named a contact the server
 * does not have: a figure for events that create their contact would not be the one it says.
 */
export async function singleEvents(server: RunningServer, o: { mode: 'single' | 'concurrent'; contacts: number; seconds: number; clients?: number }): Promise<Record<string, number>> {
  const { contacts } = o;
  const count = async () => Number((await server.rt.store.db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = await count();
  if (before !== contacts) throw new Error(`single events: the server has ${before} contacts, not the ${contacts} the client names`);
  const r = await client([server.url, server.token, o.mode, '0', String(contacts), String(o.seconds), ...(o.clients ? [String(o.clients)] : [])]);
  const after = await count();
  if (after !== before) throw new Error(`single events (${o.mode}): ${after - before} contacts were created; the client must name the ${contacts} that exist`);
  return r;
}

/**
 * A server on `db` for the intake figures: 127.0.0.1, port 0, a manual clock at T0, the intake
 * templates published. `api` posts to `/api/<path>` with the start-up token and answers the JSON.
 */
export async function startIntakeServer(db: string, opts: { templates?: readonly string[]; groupEvents?: number } = {}): Promise<{ server: RunningServer; api: (path: string, body?: unknown) => Promise<unknown> }> {
  const server = await startServer({ port: 0, host: '127.0.0.1', db, clock: 'manual', now: T0, groupEvents: opts.groupEvents }, () => {});
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${server.url}api/${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
    });
    if (!res.ok) throw new Error(`POST /api/${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  try {
    for (const name of opts.templates ?? INTAKE_TEMPLATES) {
      await api(`templates/${name}/import?id=${name}`);
      await api(`maps/${name}/publish`);
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  return { server, api };
}

/**
 * The intake figure on a fresh server on `db`: `events` events over `events / 5` contacts in
 * batches of 1,000 (events per second, and how many went set-based), then single events, one in
 * flight, for `singleSeconds`.
 */
async function batchesThenSingles(db: string, events: number, singleSeconds: number): Promise<{ contacts: number; batchMs: number; singleRequests: number; cohorts: IntakeResult['cohorts'] }> {
  const contacts = Math.max(1, Math.floor(events / 5));
  const { server } = await startIntakeServer(db);
  try {
    const batch = await client([server.url, server.token, 'batch', String(events), String(contacts)]);
    if (batch.accepted !== events) throw new Error(`intake: ${batch.accepted} of ${events} events accepted`);
    const stats = server.rt.cohortStats;
    const cohorts = { events: stats.events, entries: stats.entries, fallbacks: stats.eventFallbacks, reasons: { ...stats.eventReasons } };
    const single = await singleEvents(server, { mode: 'single', contacts, seconds: singleSeconds });
    return { contacts, batchMs: batch.ms, singleRequests: single.requests / (single.ms / 1000), cohorts };
  } finally {
    await server.stop();
  }
}

/** Runs `events` events over `events / 5` contacts, then single events for `singleSeconds`. */
export async function intake(events: number, singleSeconds: number): Promise<IntakeResult> {
  const tmp = scratch();
  try {
    const { contacts, batchMs, singleRequests, cohorts } = await batchesThenSingles(tmp.file('intake.db'), events, singleSeconds);
    const baselineMs = rawInsert(tmp.file('raw.db'), events, contacts);
    const sqlMs = await replayIntake(tmp, events, contacts);
    const engine = events / (batchMs / 1000);
    const baseline = events / (baselineMs / 1000);
    return {
      events, contacts, engine, baseline, ratio: engine / baseline, singleRequests,
      sqlOnly: events / (sqlMs / 1000), sqlShare: sqlMs / batchMs, cohorts,
    };
  } finally {
    tmp.remove();
  }
}

/** The intake figure's batches on PostgreSQL (a fresh schema of `url`): events per second, and single-event requests, one in flight. */
export interface PostgresIntakeResult {
  readonly events: number;
  readonly contacts: number;
  readonly engine: number;
  readonly singleRequests: number;
}

/** The intake figure (see `batchesThenSingles`) on a server on PostgreSQL. */
export async function intakeOnPostgres(url: string, events: number, singleSeconds: number): Promise<PostgresIntakeResult> {
  const { contacts, batchMs, singleRequests } = await onFreshSchema(url, (db) => batchesThenSingles(db, events, singleSeconds));
  return { events, contacts, engine: events / (batchMs / 1000), singleRequests };
}

/**
 * The same batches taken in by the engine in this process (the same templates, the same calls the
 * HTTP route makes), every statement replayed on a copy: SQLite's milliseconds.
 */
async function replayIntake(tmp: ReturnType<typeof scratch>, events: number, contacts: number): Promise<number> {
  const start = tmp.file('replay-start.db');
  const setup = await Store.open(start);
  const rt = await Runtime.create({ store: setup, clock: new ManualClock(T0) });
  const dir = fileURLToPath(new URL('../maps', import.meta.url));
  for (const name of INTAKE_TEMPLATES) {
    await createMap(rt, (await readTemplate(dir, name))!, name);
    await publishMap(rt, name);
  }
  await setup.close();
  return sqlTimeOf(start, tmp.file('replay-logged.db'), tmp.file('replayed.db'), async (logged) => {
    for (const batch of batches(events, contacts)) await logged.ingest(batch.map((e) => EventInput.parse(e)));
  });
}

/** The same event rows into an `events` table like the engine's (same index), 1,000 per transaction. */
function rawInsert(path: string, events: number, contacts: number): number {
  const db = new Database(path);
  applyPragmas(db);
  try {
    db.exec(`create table events (id text primary key, contact_id text not null, type text not null, at bigint not null, props_json text, accepted_at bigint not null);
      create index events_contact_idx on events (contact_id, at)`);
    const insert = db.prepare('insert into events (id, contact_id, type, at, props_json, accepted_at) values (?, ?, ?, ?, ?, ?) on conflict (id) do nothing');
    const types = ['email_link_clicked', 'page_visited', 'form_submitted', 'page_visited'];
    const props = [null, '{"url":"/pricing"}', null, '{"url":"/blog/post"}'];
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) insert.run(`e${i}`, `u${i % contacts}`, types[i % 4], T0, props[i % 4], T0);
    });
    const t = process.hrtime.bigint();
    for (let i = 0; i < events; i += 1000) batch(i, Math.min(events, i + 1000));
    return Number(process.hrtime.bigint() - t) / 1e6;
  } finally {
    db.close();
  }
}
