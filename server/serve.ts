import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type RequestListener, type ServerOptions } from 'node:http';
import { serve as listen } from '@hono/node-server';
import { ManualClock, realClock, type Clock } from '../engine/clock.js';
import { Store } from './store/store.js';
import { isPostgresUrl, redactUrl } from './store/postgres.js';
import { Runtime } from './runtime/runtime.js';
import { Scheduler } from './scheduler.js';
import { createApp } from './http/app.js';
import { loadToken } from './http/auth.js';
import { mountPages } from './http/pages.js';
import { answerClientError } from './http/client-error.js';
import { Outbox } from './webhooks/outbox.js';
import { Sender } from './webhooks/sender.js';
import { AddressPolicy } from './webhooks/post.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** How `scoremap serve` is configured (flags, then environment, then defaults). */
export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  /** The SQLite file (its folder also keeps the token), or a PostgreSQL URL (the token is kept in ./data). */
  readonly db: string;
  /** PostgreSQL: the lease on a batch's claims, ms. */
  readonly leaseMs?: number;
  readonly clock: 'real' | 'manual';
  /** The manual clock's start (default: the real time at start). */
  readonly now?: number;
  readonly durable?: boolean;
  /** Build the editor first when its build is missing or older than its sources (`npm start`). */
  readonly buildEditor?: boolean;
  /** Link-local or metadata hosts, addresses or ranges webhooks may post to all the same (`--webhook-allow`). */
  readonly webhookAllow?: readonly string[];
  /** Behind a reverse proxy: read the client's address and https from its X-Forwarded-* headers (`--trust-proxy`). */
  readonly trustProxy?: boolean;
  /** Events one group commit takes at most (default `GROUP_EVENTS`; 1 puts each request in a transaction of its own, as the benchmark's comparison does). */
  readonly groupEvents?: number;
}

/** A running server: its URL, and how to stop it cleanly. */
export interface RunningServer {
  readonly url: string;
  readonly token: string;
  /** The engine, for benchmarks and tests that look inside (its group commit's figures). */
  readonly rt: Runtime;
  /** The events lane (see `eventsLane`): how many requests it answered itself. */
  readonly lane: { readonly answered: number };
  stop(): Promise<void>;
}

/**
 * Opens (creating and migrating) the database, starts the engine's scheduler on the real clock,
 * and serves the API and the editor. `stop()` stops taking requests, lets the batch in hand
 * finish, and closes the database.
 */
export async function startServer(opts: ServeOptions, log: (line: string) => void = console.log): Promise<RunningServer> {
  const pg = isPostgresUrl(opts.db);
  const db = pg ? opts.db : resolve(opts.db);
  // Opening and migrating a large database takes a while: say so at once, not only once it is done.
  log(`Starting Scoremap on ${pg ? redactUrl(db) : db} (${opts.clock === 'manual' ? 'manual' : 'real'} clock)…`);
  if (opts.buildEditor) await ensureEditorBuilt(log);
  const store = await Store.open(db, { durable: opts.durable, leaseMs: opts.leaseMs });
  const tokenDir = pg ? resolve('data') : dirname(db);
  const { token, source } = loadToken(tokenDir);
  const manual = opts.clock === 'manual' ? new ManualClock(opts.now ?? realClock.now()) : undefined;
  const clock: Clock = manual ?? realClock;
  const outbox = new Outbox();
  const rt = await Runtime.create({ store, clock, hooks: [outbox], groupEvents: opts.groupEvents }).catch(async (e) => {
    await store.close();
    throw e;
  });
  const version = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const policy = new AddressPolicy(opts.webhookAllow);
  // Deliveries go out on the manual clock too: their retries wait for it to move.
  const sender = new Sender(rt, outbox, { policy, version, log });
  const { app, ops, lane } = createApp({ rt, token, manualClock: manual, templatesDir: resolve(ROOT, 'maps'), version, webhooks: { sender, policy }, trustProxy: opts.trustProxy });
  mountPages(app, { ops, editorDir: resolve(ROOT, 'dist/editor'), version, clock: manual ? 'manual' : 'real' });

  // A manual clock moves only through POST /api/clock/advance; the real one needs the scheduler.
  const scheduler = manual ? undefined : new Scheduler(rt, { shared: store.dialect.shared });
  scheduler?.start();
  sender.start();

  const server = await new Promise<ReturnType<typeof listen>>((ok, fail) => {
    // The events lane takes the commonest POST /api/events before the app (see `eventsLane`).
    const s = listen({ fetch: app.fetch, port: opts.port, hostname: opts.host, createServer: ((options: ServerOptions, listener: RequestListener) => createHttpServer(options, (req, res) => lane(req, res) || listener(req, res))) as typeof createHttpServer }, () => ok(s));
    s.once('error', fail);
  });
  server.on('clientError', answerClientError);
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${host}:${port}/`;
  log(`Scoremap ${version} is running: ${url}?token=${token}`);
  log(`  database ${pg ? `${redactUrl(db)} (PostgreSQL)` : db}${opts.durable ? ' (durable: synchronous=FULL)' : ''}`);
  log(`  token    ${source === 'env' ? 'from SCOREMAP_TOKEN' : `${tokenDir}/token${source === 'new' ? ' (new)' : ''}`}`);
  log(`  clock    ${manual ? `manual, at ${new Date(manual.now()).toISOString()} (POST /api/clock/advance)` : 'real'}`);
  log(`  docs     ${url}docs (the API reference: ${url}docs/api)`);
  log('Ready: open the link above in a browser. Ctrl+C stops the server.');

  let stopping: Promise<void> | undefined;
  return {
    url,
    token,
    rt,
    lane,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((ok) => server.close(() => ok()));
        await scheduler?.stop();
        await sender.stop();
        await rt.lock.run(async () => undefined); // the batch in hand finishes first
        await store.close();
      })()),
  };
}

/** The newest modification time of the files below a folder (0 when it is missing). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return t;
}

/** Builds the editor with Vite when `dist/editor` is missing or older than `editor/` (so `npm start` just works). */
export async function ensureEditorBuilt(log: (line: string) => void): Promise<void> {
  const built = resolve(ROOT, 'dist/editor/index.html');
  const sources = Math.max(newest(resolve(ROOT, 'editor')), statSync(resolve(ROOT, 'vite.config.ts')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  log('Building the editor (once, after each change to editor/)…');
  const { build } = await import('vite');
  // Always a production build: under Vitest NODE_ENV is "test", which would bundle React's slow
  // development build into what the server then serves.
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: resolve(ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

/** Where the database is: --db, else SCOREMAP_DATABASE_URL, else SCOREMAP_DB, else ./data/scoremap.db. */
export function databaseLocation(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): string {
  return String(values.db ?? env.SCOREMAP_DATABASE_URL ?? env.SCOREMAP_DB ?? './data/scoremap.db');
}

/** Reads --lease (seconds) into ms: a number, or a usage message. */
function leaseOption(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): number | string | undefined {
  const text = values.lease ?? env.SCOREMAP_LEASE;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) return `--lease is a number of seconds from 1 to 3600 (got "${text}")`;
  return seconds * 1000;
}

/** How `scoremap worker` is configured. */
export interface WorkerOptions {
  /** A PostgreSQL URL. */
  readonly db: string;
  readonly leaseMs?: number;
  readonly webhookAllow?: readonly string[];
}

/** Reads `worker`'s flags and environment into options, or answers a usage message. */
export function workerOptions(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): WorkerOptions | string {
  const db = databaseLocation(values, env);
  if (!isPostgresUrl(db)) return `scoremap worker shares a PostgreSQL database with the servers: give it with --db postgres://… or SCOREMAP_DATABASE_URL (got "${db}"; on SQLite, scoremap serve runs the engine itself)`;
  const leaseMs = leaseOption(values, env);
  if (typeof leaseMs === 'string') return leaseMs;
  const webhookAllow = webhookAllowOption(values, env);
  if (typeof webhookAllow === 'string') return webhookAllow;
  return { db, leaseMs, webhookAllow };
}

/**
 * A worker: the engine without HTTP, on a shared PostgreSQL database. It fires due waits, date
 * triggers, cron ticks and degradations with the servers and other workers, each batch claimed by
 * one process.
 */
export async function startWorker(opts: WorkerOptions, log: (line: string) => void = console.log): Promise<{ stop(): Promise<void> }> {
  const store = await Store.open(opts.db, { leaseMs: opts.leaseMs });
  const outbox = new Outbox();
  const rt = await Runtime.create({ store, clock: realClock, hooks: [outbox] }).catch(async (e) => {
    await store.close();
    throw e;
  });
  const scheduler = new Scheduler(rt, { shared: true });
  scheduler.start();
  const sender = new Sender(rt, outbox, { policy: new AddressPolicy(opts.webhookAllow), log });
  sender.start();
  log(`Scoremap worker is running on ${redactUrl(opts.db)} (PostgreSQL), pid ${process.pid}`);
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        await scheduler.stop();
        await sender.stop();
        await rt.lock.run(async () => undefined); // the batch in hand finishes first
        await store.close();
      })()),
  };
}

/** Reads --webhook-allow (comma-separated) into a list, or a usage message. */
function webhookAllowOption(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): string[] | string {
  const text = values['webhook-allow'] ?? env.SCOREMAP_WEBHOOK_ALLOW;
  if (text === undefined || text === true || text === false) return [];
  const list = String(text).split(',').map((x) => x.trim()).filter(Boolean);
  for (const entry of list) {
    const problem = AddressPolicy.problem(entry);
    if (problem) return `--webhook-allow: ${problem}`;
  }
  return list;
}

/** Reads `serve`'s flags and environment into options, or answers a usage message. */
export function serveOptions(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): ServeOptions | string {
  const port = Number(values.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port must be a number from 0 to 65535 (got "${values.port}")`;
  const clock = String(values.clock ?? env.SCOREMAP_CLOCK ?? 'real');
  if (clock !== 'real' && clock !== 'manual') return `--clock is "real" or "manual" (got "${clock}")`;
  let now: number | undefined;
  const nowText = values.now ?? env.SCOREMAP_NOW;
  if (nowText !== undefined) {
    if (clock !== 'manual') return '--now only goes with --clock manual';
    now = Date.parse(String(nowText));
    if (!Number.isFinite(now)) return `--now must be an ISO time like 2026-01-01T00:00:00Z (got "${nowText}")`;
  }
  const db = databaseLocation(values, env);
  if (isPostgresUrl(db) && values.durable === true) return `--durable is for SQLite: on PostgreSQL, durability is the server's own setting (synchronous_commit)`;
  const leaseMs = leaseOption(values, env);
  if (typeof leaseMs === 'string') return leaseMs;
  if (!isPostgresUrl(db) && leaseMs !== undefined) return '--lease is for PostgreSQL, where several processes share the work';
  const webhookAllow = webhookAllowOption(values, env);
  if (typeof webhookAllow === 'string') return webhookAllow;
  return { port, host: String(values.host ?? env.HOST ?? '127.0.0.1'), db, leaseMs, clock, now, durable: values.durable === true, buildEditor: values['build-editor'] === true, webhookAllow,
    trustProxy: values['trust-proxy'] === true || ['1', 'true'].includes(String(env.SCOREMAP_TRUST_PROXY ?? '').toLowerCase()) };
}

/** Runs a server or worker until SIGINT or SIGTERM, then shuts it down cleanly (exit 0). */
export async function runUntilSignalled(start: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  // Listen for signals before starting, so a stop that arrives during start-up is not lost.
  let signalled: string | undefined;
  let onSignal: (signal: string) => void = (signal) => (signalled = signal);
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const running = await start();
  await new Promise<void>((done) => {
    onSignal = (signal: string) => {
      console.log(`${signal}: finishing the work in hand, then stopping`);
      running.stop().then(done, (e) => {
        console.error(e);
        process.exitCode = 1;
        done();
      });
    };
    if (signalled) onSignal(signalled);
  });
}
