/**
 * Many clients each sending one event at a time (a website tracker, forms, another tool's
 * webhooks): `clients` keep-alive connections from a client process, each sending its next
 * single-event request when the last is answered. The server runs the intake figure's five
 * templates on a manual clock; its contacts exist (a batch phase creates them first). Measured:
 *
 * - with group commit (requests that arrive while the engine is busy share one transaction),
 * - without it (each request in a transaction of its own: `groupEvents: 1`), the same run,
 * - one request in flight,
 * - the baseline: a bare node:http server that parses each request and inserts its event row
 *   with better-sqlite3 in a transaction of its own (the least a durable per-request intake does),
 *
 * on SQLite, and on PostgreSQL when a server answers (on this machine: it shares the cores).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { applyPragmas } from '../server/store/sqlite.js';
import { onFreshSchema, scratch, T0 } from './common.js';
import { runClient, singleEvents, startIntakeServer } from './intake.js';

const CLIENT = fileURLToPath(new URL('./intake-client.mjs', import.meta.url));


export interface ConcurrentFigure {
  /** Events (one per request) per second. */
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Requests per transaction, on average (1 without group commit). */
  readonly groupSize?: number;
  /** Groups that failed as a whole and ran again one request at a time. */
  readonly fallbacks?: number;
}

/** How the figure runs: clients at once, seconds each measurement lasts, contacts the events go to (created first), and whether PostgreSQL is measured too. */
export interface ConcurrentPlan {
  readonly clients: number;
  readonly seconds: number;
  readonly contacts: number;
  readonly postgres: boolean;
}

export interface ConcurrentResult {
  readonly clients: number;
  readonly seconds: number;
  readonly contacts: number;
  readonly sqlite: {
    readonly grouped: ConcurrentFigure;
    readonly ungrouped: ConcurrentFigure;
    /** One request in flight, group commit on (req/s). */
    readonly single: number;
    /** One template (custom-lead-score: an event adds points to a score), group commit on. */
    readonly oneMap: ConcurrentFigure;
    /** The bare node:http + better-sqlite3 server. */
    readonly baseline: ConcurrentFigure;
  };
  readonly postgres?: { readonly grouped: ConcurrentFigure; readonly ungrouped: ConcurrentFigure; readonly single: number } | { readonly skipped: string };
}

const figure = (r: Record<string, number>): ConcurrentFigure => ({ perSecond: r.requests / (r.ms / 1000), p50: r.p50, p99: r.p99, max: r.max });

/** One server on `db`: contacts created, then `clients` concurrent single-event senders for `seconds` (and one sender alone, when asked). */
async function measure(db: string, { clients, seconds, contacts }: ConcurrentPlan, opts: { groupEvents?: number; templates?: readonly string[]; single?: boolean }): Promise<{ figure: ConcurrentFigure; single?: number }> {
  const { server } = await startIntakeServer(db, opts);
  try {
    const seed = await runClient(CLIENT, [server.url, server.token, 'batch', String(contacts * 5), String(contacts)]);
    if (seed.accepted !== contacts * 5) throw new Error(`concurrent: ${seed.accepted} of ${contacts * 5} seeding events accepted`);
    const before = { ...server.rt.intakeStats };
    const r = await singleEvents(server, { mode: 'concurrent', contacts, seconds, clients });
    const after = server.rt.intakeStats;
    const groups = after.groups - before.groups;
    const f: ConcurrentFigure = { ...figure(r), groupSize: groups ? (after.requests - before.requests) / groups : 0, fallbacks: after.fallbacks - before.fallbacks };
    if (!opts.single) return { figure: f };
    const one = await singleEvents(server, { mode: 'single', contacts, seconds });
    return { figure: f, single: one.requests / (one.ms / 1000) };
  } finally {
    await server.stop();
  }
}

/** The baseline server: each request's JSON parsed and its event row inserted in a transaction of its own. */
async function baseline(file: string, { clients, seconds, contacts }: ConcurrentPlan): Promise<ConcurrentFigure> {
  const db = new Database(file);
  applyPragmas(db);
  db.exec(`create table events (id text primary key, contact_id text not null, type text not null, at bigint not null, props_json text, accepted_at bigint not null);
    create index events_contact_idx on events (contact_id, at)`);
  const insert = db.prepare('insert into events (id, contact_id, type, at, props_json, accepted_at) values (?, ?, ?, ?, ?, ?) on conflict (id) do nothing');
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const e = JSON.parse(Buffer.concat(parts).toString()) as { id: string; contact: { email: string }; type: string; props?: unknown };
      const { changes } = insert.run(e.id, e.contact.email, e.type, T0, e.props ? JSON.stringify(e.props) : null, T0);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: changes, duplicates: 1 - changes, created: 0 }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    return figure(await runClient(CLIENT, [url, 'none', 'concurrent', '0', String(contacts), String(seconds), String(clients)]));
  } finally {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
    db.close();
  }
}

/** Every figure on SQLite, and on PostgreSQL at `pg.url` when given (else `pg.skipped` says why not; absent: not in the plan). */
export async function concurrent(plan: ConcurrentPlan, pg?: { url: string } | { skipped: string }): Promise<ConcurrentResult> {
  const { clients, seconds, contacts } = plan;
  const tmp = scratch();
  try {
    const grouped = await measure(tmp.file('grouped.db'), plan, { single: true });
    const ungrouped = await measure(tmp.file('ungrouped.db'), plan, { groupEvents: 1 });
    const oneMap = await measure(tmp.file('one-map.db'), plan, { templates: ['custom-lead-score'] });
    const base = await baseline(tmp.file('baseline.db'), plan);
    const sqlite = { grouped: grouped.figure, ungrouped: ungrouped.figure, single: grouped.single!, oneMap: oneMap.figure, baseline: base };
    if (!pg || 'skipped' in pg) return { clients, seconds, contacts, sqlite, ...(pg ? { postgres: pg } : {}) };
    const pgGrouped = await onFreshSchema(pg.url, (url) => measure(url, plan, { single: true }));
    const pgUngrouped = await onFreshSchema(pg.url, (url) => measure(url, plan, { groupEvents: 1 }));
    return { clients, seconds, contacts, sqlite, postgres: { grouped: pgGrouped.figure, ungrouped: pgUngrouped.figure, single: pgGrouped.single! } };
  } finally {
    tmp.remove();
  }
}
