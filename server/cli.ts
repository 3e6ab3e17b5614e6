import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FieldRegistry, BUILTIN_FIELDS } from '../engine/schema/field.js';
import { parseMapDocument } from '../engine/parse.js';
import { validateMap } from '../engine/validate.js';
import type { Problem } from '../engine/elements/types.js';
import { COMMAND_LINE, auditHook } from './audit/log.js';
import { mapMade, publishEntry } from './audit/map-changes.js';
import { AppError } from './errors.js';
import { simulate, type SimulationResult } from './simulate.js';
import { databaseLocation, runUntilSignalled, serveOptions, startServer, startWorker, workerOptions } from './serve.js';
import { isPostgresUrl, redactUrl } from './store/postgres.js';
import { DatabaseUnavailable } from './store/store.js';
import { copyDatabase } from './store/copy.js';
import { realClock } from '../engine/clock.js';
import { Store } from './store/store.js';
import { Runtime } from './runtime/runtime.js';
import { createMap, publishMap } from './runtime/maps.js';
import { listTemplates, readTemplate } from './templates.js';
import { parseAge, prune, type PruneResult } from './prune.js';
import { fileURLToPath } from 'node:url';
import { USERS_HELP, USERS_OPTIONS, readStdin, usersCommand } from './people/cli.js';

const TEMPLATES_DIR = fileURLToPath(new URL('../maps/', import.meta.url));

const HELP: Record<string, string> = {
  main: `scoremap — lead-scoring automation maps

Usage: scoremap <command> [options]

Commands:
  validate <map.json>         check a map; exit 1 and list the problems when it has errors
  simulate <scenario.json>    run a scenario on a private in-memory engine (--json for the API's answer)
  serve                       run the server and the editor (npm start)
  worker                      run the engine without HTTP, next to servers on one PostgreSQL database
  copy --to postgres://…      copy a SQLite database, all of it, into an empty PostgreSQL one (to move)
  import [map.json|template]  import a map into the database as a draft (no argument: list the templates)
  export <map-id>             print a saved map as JSON
  prune --older-than 365d     delete field history and stored events older than that (--vacuum: shrink the file)
  users add|list|remove|reset-password
                              manage the people who sign in to the editor, and their roles

The database is --db, else SCOREMAP_DATABASE_URL, else SCOREMAP_DB, else ./data/scoremap.db:
a SQLite file, or a PostgreSQL URL (postgres://user:password@host:5432/database[?schema=name]).

Run "scoremap <command> --help" for a command's options.`,
  validate: `Usage: scoremap validate <map.json> [--json]

Checks a map file against Scoremap's format and rules (docs/guide/concepts.md), with the built-in
fields and the fields the map declares. Prints each problem with the element it is on.
Exit status: 0 when there are no errors (warnings are printed), 1 when there are errors, 2 on bad usage.

Options:
  --json    print the problems as JSON
  --help    this help`,
  simulate: `Usage: scoremap simulate <scenario.json> [--json]

Runs a scenario (docs/guide/simulation.md): the maps, contacts and events it lists, on the real engine with a
private in-memory database and a virtual clock. Maps may be inline or { "file": "path.json" },
relative to the scenario file. Prints the timeline of field changes, the webhooks the maps
would send (recorded, never sent), the final fields and the expectations. An expectation checks a
field ({ "contact", "at", "field", "equals" }) or how many webhooks a contact got by then
({ "contact", "at", "webhooks": 1, "element"? }).
Exit status: 0 when every expectation passes, 1 when one fails or the scenario is invalid, 2 on bad usage.

Options:
  --json    print exactly the JSON that POST /api/simulate answers
  --help    this help`,
  import: `Usage: scoremap import [<map.json> | <template-name>] [--db ./data/scoremap.db] [--publish]

Imports a map into the database as a draft: a JSON file, or a template from maps/ by name
(custom-lead-score, …). Without an argument, lists the templates. Creates the fields the map
declares; refuses a map with a field that clashes with an existing one. With --publish the map
is also published (refused when it has errors). A server running on the same database runs the
published map from its next batch of work.

Options:
  --db FILE|URL the database [SCOREMAP_DATABASE_URL, SCOREMAP_DB] (default ./data/scoremap.db)
  --publish     publish the imported map
  --json        print the result as JSON
  --help        this help`,
  export: `Usage: scoremap export <map-id> [--db ./data/scoremap.db] [--version N]

Prints a saved map as JSON: the draft, or published version N.

Options:
  --db FILE|URL the database [SCOREMAP_DATABASE_URL, SCOREMAP_DB] (default ./data/scoremap.db)
  --version N   a published version instead of the draft
  --help        this help`,
  prune: `Usage: scoremap prune --older-than 365d [--db ./data/scoremap.db] [--vacuum] [--dry-run] [--json]

Deletes the field history (the "why this score" of each contact) recorded, and
the stored events accepted, longer ago than the given age. Contacts, their fields and scores, maps,
waits and scoring models are never touched. Safe next to a running server on the same database: it
deletes a page of rows per transaction and pauses between pages, so the server's writes wait
milliseconds, not seconds.

Event ids are the idempotency keys: an id is remembered as long as its event is kept. An
event accepted before the cut-off and sent again with the same id is taken as new, so keep at least
as long as any client may resend (never less than a day).

Without --vacuum, the space freed stays in the file and is reused by new rows: the file stops
growing but does not shrink. --vacuum gives it back to the file system in small steps (SQLite's
incremental vacuum), each holding the write lock for a moment. A database created before Scoremap
turned incremental vacuum on (2026-11-23) is converted by its first --vacuum: one full VACUUM that rewrites the file and
holds the write lock while it runs (on a large database, stop the server for that first one).
On PostgreSQL, --vacuum is refused: its autovacuum makes the space reusable on its own.

Options:
  --older-than AGE  delete what is older than AGE: hours, days or weeks (36h, 365d, 52w); at least 1d
  --db FILE|URL     the database [SCOREMAP_DATABASE_URL, SCOREMAP_DB] (default ./data/scoremap.db)
  --vacuum          then give the freed space back to the file system
  --dry-run         count what would be deleted, delete nothing
  --json            print the result as JSON
  --help            this help`,
  serve: `Usage: scoremap serve [--port 8080] [--host 127.0.0.1] [--db ./data/scoremap.db | postgres://…] [--clock real|manual] [--now ISO] [--durable] [--lease 30] [--trust-proxy]

Serves the API and the editor, runs every published map, and prints the editor's URL with the
token. The token is SCOREMAP_TOKEN, or the one kept in the database's folder (./data on
PostgreSQL), made on first start: give every server of one database the same SCOREMAP_TOKEN.
Stops cleanly on Ctrl+C (SIGINT) or SIGTERM, finishing the batch in hand.

Options (environment in brackets):
  --port N        port to listen on; 0 picks a free one [PORT] (default 8080)
  --host H        address to listen on [HOST] (default 127.0.0.1)
  --db FILE|URL   a SQLite file, or a PostgreSQL URL; created and migrated as needed
                  [SCOREMAP_DATABASE_URL, SCOREMAP_DB] (default ./data/scoremap.db)
  --lease S       PostgreSQL: seconds a batch may go silent before its claims go to another
                  process [SCOREMAP_LEASE] (default 30)
  --clock manual  time moves only by POST /api/clock/advance (tests, demos) [SCOREMAP_CLOCK]
  --now ISO       the manual clock's start [SCOREMAP_NOW] (default: now)
  --durable       fsync every commit (synchronous=FULL): slower, survives power loss
  --build-editor  build the editor first if editor/ changed since the last build (npm start does)
  --webhook-allow LIST
                  link-local or cloud metadata hosts, addresses or CIDR ranges that webhooks may
                  post to all the same, comma-separated [SCOREMAP_WEBHOOK_ALLOW] (default: none)
  --trust-proxy   behind a reverse proxy: take the client's address (sign-in limits) and https
                  (the session cookie's Secure) from the last X-Forwarded-For and
                  X-Forwarded-Proto values [SCOREMAP_TRUST_PROXY=1] (default: the socket's)
  --help          this help`,
  copy: `Usage: scoremap copy [--from ./data/scoremap.db] --to postgres://… [--json]

Copies a whole Scoremap database into an empty one, to move from SQLite to PostgreSQL: contacts
with every field, tags, maps and their versions, where every contact is on every map and when its
wait is due, date triggers and cron schedules, element counts, events (so their ids stay known),
the history, scoring models and what each contact holds of them, keys, webhooks and their outbox,
the people, their sessions, the audit log, saved lists: every table. Custom fields' columns are made
first. One transaction on each side: the source is read as one snapshot (stop the server first:
the copy holds its write lock while it runs), and the target has all of it or, after an error, none.
A target that already has contacts, maps, scoring models or history is refused.

Options:
  --from FILE   the SQLite database [SCOREMAP_DB] (default ./data/scoremap.db)
  --to URL      the PostgreSQL database [SCOREMAP_DATABASE_URL]
  --json        print the rows copied per table as JSON
  --help        this help`,
  worker: `Usage: scoremap worker --db postgres://… [--lease 30]

Runs the engine without HTTP on a PostgreSQL database that servers (scoremap serve --db
postgres://…) and other workers share: due waits, date triggers, cron ticks and the daily
degradation are claimed a batch at a time, so no two processes run the same work, and a process
that dies mid-batch leaves its batch to the others. Stops cleanly on SIGINT or SIGTERM.

Options (environment in brackets):
  --db URL        the PostgreSQL database [SCOREMAP_DATABASE_URL, SCOREMAP_DB]
  --lease S       seconds a batch may go silent before its claims go to another process [SCOREMAP_LEASE] (default 30)
  --webhook-allow LIST
                  link-local or metadata addresses webhooks may post to all the same [SCOREMAP_WEBHOOK_ALLOW]
  --help          this help`,
  users: USERS_HELP,
};

/** Runs the command line; answers the exit status. Output goes to `out` and `err`. */
export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(`${HELP.main}\n`);
    return command ? 0 : 2;
  }
  if (!(command in HELP)) {
    err(`Unknown command "${command}".\n\n${HELP.main}\n`);
    return 2;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    const options: NonNullable<ParseArgsConfig['options']> = command === 'serve'
      ? { port: { type: 'string' }, host: { type: 'string' }, db: { type: 'string' }, clock: { type: 'string' }, now: { type: 'string' }, durable: { type: 'boolean' }, lease: { type: 'string' }, 'build-editor': { type: 'boolean' }, 'webhook-allow': { type: 'string' }, 'trust-proxy': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
      : command === 'worker'
        ? { db: { type: 'string' }, lease: { type: 'string' }, 'webhook-allow': { type: 'string' }, help: { type: 'boolean', short: 'h' } }
      : command === 'copy'
        ? { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
      : command === 'import' || command === 'export'
        ? { db: { type: 'string' }, publish: { type: 'boolean' }, version: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
        : command === 'users'
          ? USERS_OPTIONS
        : command === 'prune'
          ? { 'older-than': { type: 'string' }, db: { type: 'string' }, vacuum: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
          : { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
    args = parseArgs({ args: [...rest], allowPositionals: !['serve', 'prune', 'worker', 'copy'].includes(command), options });
  } catch (e) {
    err(`${(e as Error).message}\n\n${HELP[command]}\n`);
    return 2;
  }
  if (args.values.help) {
    out(`${HELP[command]}\n`);
    return 0;
  }
  const json = args.values.json === true;
  switch (command) {
    case 'validate': return validateCommand(args.positionals, json, out, err);
    case 'simulate': return simulateCommand(args.positionals, json, out, err);
    case 'prune':
      return pruneCommand(args.values as Record<string, string | boolean | undefined>, json, out, err);
    case 'import':
    case 'export':
      return withDatabase(databaseLocation(args.values as Record<string, string | boolean | undefined>), err, (rt) =>
        command === 'import'
          ? importCommand(rt, args.positionals, args.values.publish === true, json, out, err)
          : exportCommand(rt, args.positionals, args.values.version as string | undefined, out, err));
    case 'users':
      return usersCommand(args.positionals, args.values as Record<string, string | boolean | undefined>, {
        out, err, stdin: readStdin, open: () => openStore(databaseLocation(args.values as Record<string, string | boolean | undefined>), err),
      });
    case 'copy':
      return copyCommand(args.values as Record<string, string | boolean | undefined>, json, out, err);
    case 'worker': {
      const opts = workerOptions(args.values as Record<string, string | boolean | undefined>);
      if (typeof opts === 'string') {
        err(`${opts}\n\n${HELP.worker}\n`);
        return 2;
      }
      return startUntilSignalled(() => startWorker(opts), opts.db, err);
    }
    default: {
      const opts = serveOptions(args.values as Record<string, string | boolean | undefined>);
      if (typeof opts === 'string') {
        err(`${opts}\n\n${HELP.serve}\n`);
        return 2;
      }
      return startUntilSignalled(() => startServer(opts), opts.db, err);
    }
  }
}

/** Runs a server or worker until signalled; a database that cannot be opened is said in one line (exit 1). */
async function startUntilSignalled(start: () => Promise<{ stop(): Promise<void> }>, db: string, err: (s: string) => void): Promise<number> {
  try {
    await runUntilSignalled(start);
    return 0;
  } catch (e) {
    if (!(e instanceof DatabaseUnavailable)) throw e;
    err(`Scoremap cannot start on ${isPostgresUrl(db) ? redactUrl(db) : db}: ${e.message}\n`);
    return 1;
  }
}

async function copyCommand(values: Record<string, string | boolean | undefined>, json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const from = String(values.from ?? process.env.SCOREMAP_DB ?? './data/scoremap.db');
  const to = values.to ?? process.env.SCOREMAP_DATABASE_URL;
  if (typeof to !== 'string' || !isPostgresUrl(to)) {
    err(`Say where to copy to: --to postgres://user:password@host:5432/database (or SCOREMAP_DATABASE_URL).\n\n${HELP.copy}\n`);
    return 2;
  }
  if (isPostgresUrl(from) || (from !== ':memory:' && !existsSync(from))) {
    err(`${isPostgresUrl(from) ? 'The copy reads a SQLite file' : `No database at ${from}`} (give it with --from)\n`);
    return 1;
  }
  const source = await openStore(from, err);
  if (!source) return 1;
  const target = await openStore(to, err);
  if (!target) {
    await source.close();
    return 1;
  }
  try {
    const copied = await copyDatabase(source, target, json ? undefined : (line) => out(`  ${line}\n`));
    out(json ? `${JSON.stringify(copied, null, 2)}\n` : `Copied ${from} into ${redactUrl(to)}. Start the servers on it: scoremap serve --db <url>.\n`);
    return 0;
  } catch (e) {
    err(`The copy stopped, and the target has none of it: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await source.close();
    await target.close();
  }
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError(400, `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

async function validateCommand(files: string[], json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (files.length !== 1) {
    err(`Give one map file.\n\n${HELP.validate}\n`);
    return 2;
  }
  let problems: Problem[];
  try {
    const parsed = parseMapDocument(await readJson(files[0]));
    problems = parsed.ok ? validateMap(parsed.doc, new FieldRegistry(BUILTIN_FIELDS)) : parsed.problems;
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 1;
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (json) out(`${JSON.stringify({ valid: errors === 0, problems }, null, 2)}\n`);
  else {
    for (const p of problems) out(`${p.severity === 'error' ? 'error  ' : 'warning'}  ${p.message}${p.element ? `  [${p.element}${p.path ? ` ${p.path}` : ''}]` : p.path ? `  [${p.path}]` : ''}\n`);
    const warnings = problems.length - errors;
    out(errors ? `${files[0]}: ${errors} error${errors > 1 ? 's' : ''}, ${warnings} warning${warnings === 1 ? '' : 's'}\n` : `${files[0]}: valid${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`);
  }
  return errors ? 1 : 0;
}

async function simulateCommand(files: string[], json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (files.length !== 1) {
    err(`Give one scenario file.\n\n${HELP.simulate}\n`);
    return 2;
  }
  let result: SimulationResult;
  try {
    const base = dirname(resolve(files[0]));
    result = await simulate(await readJson(files[0]), async (ref) => {
      if ('file' in ref) return readJson(resolve(base, ref.file));
      throw new AppError(400, `The CLI has no saved maps: give map "${ref.id}" inline or as { "file": "…" }`);
    });
  } catch (e) {
    if (!(e instanceof AppError) && !(e as NodeJS.ErrnoException).code) throw e;
    err(`${(e as Error).message}\n`);
    const problems = (e instanceof AppError && (e.details as { problems?: Problem[] } | undefined)?.problems) || [];
    for (const p of problems) err(`  ${p.message}\n`);
    return 1;
  }
  const failed = result.expectations.filter((x) => !x.pass).length;
  if (json) out(`${JSON.stringify(result, null, 2)}\n`);
  else out(formatSimulation(result));
  return failed ? 1 : 0;
}

/** Opens the database for a command; null (with the reason told) when it cannot be opened. */
async function openStore(db: string, err: (s: string) => void): Promise<Store | null> {
  try {
    return await Store.open(db);
  } catch (e) {
    err(`Cannot open the database ${isPostgresUrl(db) ? redactUrl(db) : db}: ${(e as Error).message}\n`);
    return null;
  }
}

/** Opens the database with a runtime for one command, and closes it whatever happens. */
async function withDatabase(db: string, err: (s: string) => void, fn: (rt: Runtime) => Promise<number>): Promise<number> {
  const store = await openStore(db, err);
  if (!store) return 1;
  try {
    return await fn(await Runtime.create({ store, clock: realClock }));
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    err(`${e.message}\n`);
    for (const p of (e.details as { problems?: Problem[] } | undefined)?.problems ?? []) err(`  ${p.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

async function importCommand(rt: Runtime, args: string[], publish: boolean, json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (args.length === 0) {
    const templates = await listTemplates(TEMPLATES_DIR);
    if (json) out(`${JSON.stringify(templates, null, 2)}\n`);
    else for (const t of templates) out(`${t.name.padEnd(24)} ${t.title} — ${t.description}\n`);
    return 0;
  }
  if (args.length > 1) {
    err(`Give one map file or template name.\n\n${HELP.import}\n`);
    return 2;
  }
  const arg = args[0];
  const fromFile = arg.endsWith('.json') || arg.includes('/');
  const doc = fromFile ? await readJson(arg) : await readTemplate(TEMPLATES_DIR, arg);
  if (doc === undefined) {
    err(`No template named "${arg}" (run "scoremap import" to list them), and no such .json file\n`);
    return 1;
  }
  const made = mapMade(COMMAND_LINE, fromFile ? { action: 'map.import' } : { action: 'map.create', template: arg });
  const { map, problems } = await createMap(rt, doc, undefined, made);
  const version = publish ? (await publishMap(rt, map.id, {}, auditHook(COMMAND_LINE, (r) => publishEntry(map.id, r.name, r, {})))).version : null;
  if (json) out(`${JSON.stringify({ id: map.id, name: map.name, version, problems }, null, 2)}\n`);
  else {
    out(`Imported "${map.name}" as ${map.id}${version ? `, published as version ${version}` : ' (draft)'}\n`);
    for (const p of problems) out(`  ${p.severity}: ${p.message}\n`);
  }
  return 0;
}

async function exportCommand(rt: Runtime, args: string[], version: string | undefined, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (args.length !== 1) {
    err(`Give one map id.\n\n${HELP.export}\n`);
    return 2;
  }
  const map = await rt.store.getMap(args[0]);
  if (!map) {
    err(`No map with id "${args[0]}"\n`);
    return 1;
  }
  const doc = version === undefined ? map.doc : await rt.store.getVersion(map.id, Number(version));
  if (doc === null || doc === undefined) {
    err(`Map ${map.id} has no version ${version}\n`);
    return 1;
  }
  out(`${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}

async function pruneCommand(values: Record<string, string | boolean | undefined>, json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (typeof values['older-than'] !== 'string') {
    err(`Say what to delete: --older-than 365d (or 36h, 52w).\n\n${HELP.prune}\n`);
    return 2;
  }
  const age = parseAge(values['older-than']);
  if ('error' in age) {
    err(`${age.error}\n`);
    return 2;
  }
  const db = databaseLocation(values);
  if (isPostgresUrl(db) && values.vacuum === true) {
    err('--vacuum is for SQLite: on PostgreSQL, autovacuum makes the freed space reusable (VACUUM FULL gives it back, holding a lock)\n');
    return 2;
  }
  // Opening would create an empty database: pruning one that is not there is a mistake to report.
  if (db !== ':memory:' && !isPostgresUrl(db) && !existsSync(db)) {
    err(`No database at ${db} (give it with --db)\n`);
    return 1;
  }
  const store = await openStore(db, err);
  if (!store) return 1;
  let r: PruneResult;
  try {
    r = await prune(store, { before: Date.now() - age.ms, dryRun: values['dry-run'] === true, vacuum: values.vacuum === true });
  } catch (e) {
    // E.g. the write lock stayed taken past the busy timeout (a long full VACUUM elsewhere).
    err(`The prune stopped: ${(e as Error).message}. What it deleted stays deleted; run it again to go on.\n`);
    return 1;
  } finally {
    await store.close();
  }
  if (json) {
    out(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  const n = (x: number, one: string, many: string) => `${x.toLocaleString('en-US')} ${x === 1 ? one : many}`;
  const what = `${n(r.history, 'history entry', 'history entries')}, ${n(r.events, 'event', 'events')} and ${n(r.deliveries, 'webhook delivery', 'webhook deliveries')} from before ${r.before} (older than ${age.words})`;
  out(r.dryRun ? `Would delete ${what}; nothing was deleted (--dry-run).\n` : `Deleted ${what}.\n`);
  if (r.vacuum) {
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
    out(`Vacuum (${r.vacuum.mode}): ${mib(r.vacuum.bytesBefore)} → ${mib(r.vacuum.bytesAfter)}.\n`);
  }
  return 0;
}

const fmt = (v: unknown) => (v === null || v === undefined ? '(empty)' : Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? v : String(v));

function describeCause(c: Record<string, unknown>): string {
  if ('map' in c) return `map ${c.map} v${c.version}, element ${c.element}`;
  if ('event' in c) return `event ${(c.event as { type: string }).type}`;
  if ('publish' in c) return `publish of ${(c.publish as { map: string }).map}`;
  if ('scoringModel' in c) return `scoring model ${c.scoringModel}, rule ${c.rule}`;
  if ('decay' in c) return `daily degradation of ${c.decay}`;
  return Object.keys(c)[0] ?? 'unknown';
}

/** The readable report of a simulation: timeline, final fields, expectations, errors. */
export function formatSimulation(r: SimulationResult): string {
  const lines: string[] = ['Timeline'];
  for (const h of r.history) {
    if (h.field === 'last_activity_at' || h.field === 'created_at') continue;
    lines.push(`  ${h.at}  ${h.contact.padEnd(12)} ${h.field}: ${fmt(h.from)} → ${fmt(h.to)}   (${describeCause(h.cause as Record<string, unknown>)})`);
  }
  if (r.webhooks.length) {
    lines.push('', 'Webhooks (recorded, not sent)');
    for (const w of r.webhooks) {
      const to = w.webhook !== undefined ? `webhook ${w.webhook}` : (w.url ?? '');
      lines.push(`  ${w.at}  ${w.contact.padEnd(12)} ${w.map} ${w.element} → ${to}${w.format ? ` (${w.format})` : ''}${w.message !== null ? `: ${w.message}` : ''}`);
    }
  }
  lines.push('', 'Final fields');
  for (const [id, fields] of Object.entries(r.final)) {
    const shown = Object.entries(fields).filter(([k, v]) => k !== 'tags' || (Array.isArray(v) && v.length));
    lines.push(`  ${id}: ${shown.map(([k, v]) => `${k}=${fmt(v)}`).join(', ')}`);
  }
  if (r.expectations.length) {
    lines.push('', 'Expectations');
    for (const x of r.expectations) {
      const what = 'webhooks' in x
        ? `${x.contact} webhooks${x.element ? ` of ${x.element}` : ''} by ${x.at}: expected ${x.webhooks}`
        : `${x.contact} ${x.field} at ${x.at}: expected ${fmt(x.equals)}${x.tolerance ? ` ± ${x.tolerance}` : ''}`;
      lines.push(`  ${x.pass ? 'pass' : 'FAIL'}  ${what}, got ${fmt(x.actual)}`);
    }
    const failed = r.expectations.filter((x) => !x.pass).length;
    lines.push(`  ${r.expectations.length - failed} passed, ${failed} failed`);
  }
  if (r.errors.length) {
    lines.push('', 'Errors');
    for (const e of r.errors) lines.push(`  ${e.map ? `${e.map} ${e.element}: ` : ''}${e.message}${e.count ? ` (×${e.count})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
