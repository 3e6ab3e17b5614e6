/**
 * Where the server's CPU goes under single-event requests from many clients (the concurrent
 * figure): a server on SQLite with the intake templates, its contacts created, then `clients`
 * keep-alive senders for `seconds` while this process profiles itself. Prints requests per second,
 * the server's CPU per request (by thread: V8's helper threads collect garbage), the share of the
 * profile that is the groups' work, HTTP or neither, and the heaviest functions by self time and
 * by subtree, in µs per request. Under load a sample counts the time its thread waited for a core,
 * so read shares, not totals.
 *
 * `tsx bench/profile-concurrent.ts [seconds] [clients] [all|one (templates)] [--pg]`. With `--pg`
 * the server runs on a fresh schema of PostgreSQL (SCOREMAP_BENCH_DATABASE_URL, else the server
 * `scripts/test-postgres.sh` starts), and the statements and round trips of each group, and the
 * PostgreSQL server's CPU over the same seconds, are printed too. SHAPES=1 adds the statements by
 * shape (count per group, µs per request: inside better-sqlite3, or from sending to the answer on
 * PostgreSQL); HEAP=1 the allocations by function (bytes per request); TOP=n the length of the
 * lists; SCOREMAP_CPU_PROFILE=file writes the raw profile (Chrome DevTools reads it).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { onFreshSchema, scratch } from './common.js';
import { runClient, startIntakeServer } from './intake.js';

const args = process.argv.slice(2).filter((a) => a !== '--pg');
const postgres = process.argv.includes('--pg') ? (process.env.SCOREMAP_BENCH_DATABASE_URL || 'postgres://scoremap@127.0.0.1:54329/scoremap_test') : null;
const seconds = Number(args[0] ?? 5);
const clients = Number(args[1] ?? 32);
const templates = args[2] === 'one' ? ['custom-lead-score'] : undefined;
const contacts = 2_000;
const CLIENT = fileURLToPath(new URL('./intake-client.mjs', import.meta.url));

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}
interface HeapNode {
  readonly callFrame: Node['callFrame'];
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A function as the summary names it: its name and where it is (the repository's files by their path, packages by their name). */
function nameOf(n: Node): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const root = new URL('..', import.meta.url).href;
  let where = url.startsWith(root) ? url.slice(root.length) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(where);
  if (pkg) where = `${pkg[1]}:${pkg[2]!.split('/').pop()}`;
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
}

/**
 * What a stack is doing: the group's work (the engine, the store, Kysely, SQLite), HTTP (Node's
 * server, Hono, the routes, validation), or neither (GC, the VM). The innermost frame that tells
 * decides: a Kysely continuation after an await is the group's.
 */
function categoryOf(names: readonly string[]): string {
  for (const n of names) {
    if (/ (server\/(runtime|store)|engine)\/|kysely:|better-sqlite3|^(run|all|get) $/.test(n)) return 'group: engine, store, SQLite';
    if (/ (server\/(http|routes|keys)|hono|@hono|zod)|node:_http|node:net|stream|undici|^writev |Hash|digest/.test(n)) return 'HTTP: Node, Hono, auth, validation';
  }
  if (names[0]?.startsWith('(garbage collector)')) return 'garbage collector';
  return 'other: (program), microtasks';
}

/** Self and subtree (inclusive, each function counted once per stack) microseconds by function. */
function summarize(p: Profile): { self: Map<string, number>; total: Map<string, number>; sampledUs: number; category: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let sampledUs = 0;
  const category = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    sampledUs += us;
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(nameOf(byId.get(at)!));
    const cat = categoryOf(stack);
    category.set(cat, (category.get(cat) ?? 0) + us);
    const inCat = `[${cat.slice(0, cat.indexOf(':') > 0 ? cat.indexOf(':') : cat.length)}] ${nameOf(node)}`;
    self.set(inCat, (self.get(inCat) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = nameOf(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + us);
    }
  }
  return { self, total, sampledUs, category };
}

/** With SHAPES=1: the statements by shape while measuring (how many, and their milliseconds). */
const shapes = new Map<string, { count: number; ms: number }>();
let measuring = false;
const shapeOf = (text: string) => text.replace(/\s+/g, ' ').replace(/(\?, )+\?/g, '?…').replace(/\$\d+(, \$\d+)*/g, '$…').slice(0, 110);
const addShape = (text: string, ms: number) => {
  const key = shapeOf(text);
  const s = shapes.get(key) ?? { count: 0, ms: 0 };
  shapes.set(key, s);
  s.count++;
  s.ms += ms;
};
if (process.env.SHAPES && !postgres) {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get']) {
    const original = proto[method]!;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      if (!measuring) return original.apply(this, args);
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        addShape(this.source, performance.now() - t);
      }
    };
  }
}

/**
 * On PostgreSQL: statements and round trips while measuring (statements sent on one connection in
 * one run of synchronous code go out together: one round trip), and with SHAPES=1 each statement's
 * milliseconds from sending to its answer.
 */
const sent = { statements: 0, trips: 0 };
if (postgres) {
  const query = pg.Client.prototype.query;
  const sending = new WeakSet<object>();
  pg.Client.prototype.query = function (this: pg.Client, ...a: unknown[]) {
    const result = (query as (...x: unknown[]) => unknown).apply(this, a);
    if (!measuring) return result;
    sent.statements++;
    if (!sending.has(this)) {
      sent.trips++;
      sending.add(this);
      queueMicrotask(() => sending.delete(this));
    }
    if (process.env.SHAPES && result instanceof Promise) {
      const text = typeof a[0] === 'string' ? a[0] : ((a[0] as { text?: string }).text ?? '?');
      const t = performance.now();
      void result.finally(() => addShape(text, performance.now() - t)).catch(() => undefined);
    }
    return result;
  } as typeof query;
}

/** CPU seconds of every postgres process on this machine (the server's backends and its helpers). */
function postgresCpu(): number {
  const out = execFileSync('ps', ['-C', 'postgres', '-o', 'cputimes='], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.trim()), 0);
}

/** CPU ticks (1/100 s) of each thread of this process, by thread id, with its name. */
function threadTicks(): Map<string, { name: string; ticks: number }> {
  const out = new Map<string, { name: string; ticks: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** The profile of a server on `db` (a SQLite file or a PostgreSQL URL) under the clients. */
async function profileOn(db: string): Promise<void> {
  const { server } = await startIntakeServer(db, { templates });
  try {
    const seed = await runClient(CLIENT, [server.url, server.token, 'batch', String(contacts * 5), String(contacts)]);
    if (seed.accepted !== contacts * 5) throw new Error(`${seed.accepted} of ${contacts * 5} seeding events accepted`);
    const before = { ...server.rt.intakeStats };
    const cohortsBefore = { ...server.rt.cohortStats, eventReasons: { ...server.rt.cohortStats.eventReasons } };
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    // HEAP=1: where the garbage comes from (every allocation sampled, also what the GC already took).
    if (process.env.HEAP) await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
    const threadsBefore = threadTicks();
    const pgCpu = postgres ? postgresCpu() : 0;
    const cpu = process.cpuUsage();
    measuring = true;
    const r = await runClient(CLIENT, [server.url, server.token, 'concurrent', '0', String(contacts), String(seconds), String(clients)]);
    const used = process.cpuUsage(cpu);
    measuring = false;
    const pgUsed = postgres ? postgresCpu() - pgCpu : 0;
    const threads = new Map<string, number>();
    for (const [tid, t] of threadTicks()) {
      const name = tid === String(process.pid) ? 'main thread' : `${t.name}#${tid}`;
      threads.set(name, (threads.get(name) ?? 0) + t.ticks - (threadsBefore.get(tid)?.ticks ?? 0));
    }
    const { profile } = await session.post('Profiler.stop');
    const heap = process.env.HEAP ? ((await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: HeapNode } }).profile.head : undefined;
    session.disconnect();
    if (process.env.SCOREMAP_CPU_PROFILE) writeFileSync(process.env.SCOREMAP_CPU_PROFILE, JSON.stringify(profile));
    const after = server.rt.intakeStats;
    const groups = after.groups - before.groups;
    const requests = after.requests - before.requests;
    const cpuUs = used.user + used.system;
    console.log(`${clients} clients, ${seconds} s, ${templates ? 'one template' : 'five templates'}, ${postgres ? 'PostgreSQL' : 'SQLite'}: ${Math.round(r.requests / (r.ms / 1000))} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`);
    console.log(`groups ${groups}, requests per group ${(requests / groups).toFixed(1)}, time in groups ${((after.ms - before.ms) / 1000).toFixed(2)} s`);
    const c = server.rt.cohortStats;
    const reasons = Object.entries(c.eventReasons).map(([k, n]) => [k, n - (cohortsBefore.eventReasons[k] ?? 0)] as const).filter(([, n]) => n > 0);
    console.log(`events without the per-contact path ${c.events - cohortsBefore.events} (entries ${c.entries - cohortsBefore.entries}), one by one ${c.eventFallbacks - cohortsBefore.eventFallbacks}${reasons.length ? `: ${reasons.map(([k, n]) => `${k} ${n}`).join(', ')}` : ''}`);
    console.log(`server CPU ${(cpuUs / 1e6).toFixed(2)} s: ${(cpuUs / requests).toFixed(0)} µs per request; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    if (postgres) {
      console.log(`PostgreSQL: ${sent.statements} statements, ${(sent.statements / groups).toFixed(1)} per group; ${sent.trips} round trips, ${(sent.trips / groups).toFixed(1)} per group; its processes' CPU ${pgUsed.toFixed(2)} s (ps, whole seconds per process)`);
    }
    if (shapes.size) {
      const rows = [...shapes.entries()].sort((a, b) => b[1].ms - a[1].ms);
      const ms = rows.reduce((n, [, x]) => n + x.ms, 0);
      console.log(`\n${postgres ? 'PostgreSQL statements, from sending to the answer' : 'SQLite statements'}: ${((ms * 1000) / requests).toFixed(0)} µs per request`);
      for (const [key, x] of rows) console.log(`${(x.count / groups).toFixed(2).padStart(7)}/group ${((x.ms * 1000) / requests).toFixed(1).padStart(6)} µs/req ${((x.ms * 1000) / x.count).toFixed(0).padStart(5)} µs each  ${key}`);
    }
    console.log(`by thread (µs per request): ${[...threads.entries()].filter(([, t]) => t > 0).sort((a, b) => b[1] - a[1]).map(([n, t]) => `${n} ${((t * 10_000) / requests).toFixed(0)}`).join(', ')}`);
    if (heap) {
      const bytes = new Map<string, number>();
      let all = 0;
      const walk = (n: HeapNode, stack: string[]) => {
        const name = nameOf({ id: 0, callFrame: n.callFrame });
        const here = n.selfSize + 0;
        all += here;
        if (here) {
          const key = `${name}  ⟵ ${stack.slice(-3).reverse().join(' ⟵ ')}`;
          bytes.set(key, (bytes.get(key) ?? 0) + here);
        }
        for (const c of n.children) walk(c, [...stack, name.split(' ')[0]!]);
      };
      walk(heap, []);
      console.log(`\nallocated: ${(all / requests / 1024).toFixed(1)} KB per request; by function (bytes per request):`);
      for (const [k, b] of [...bytes.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) console.log(`${(b / requests).toFixed(0).padStart(7)}  ${k}`);
    }
    const { self, total, sampledUs, category } = summarize(profile as Profile);
    console.log(`sampled (not idle): ${(sampledUs / requests).toFixed(0)} µs per request`);
    for (const [k, us] of [...category.entries()].sort((a, b) => b[1] - a[1])) console.log(`${(us / requests).toFixed(0).padStart(6)} µs  ${k}`);
    const top = (m: Map<string, number>, n: number) =>
      [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${(us / requests).toFixed(1).padStart(7)} µs  ${k}`).join('\n');
    const byFile = new Map<string, number>();
    for (const [k, us] of self) {
      const where = k.slice(k.indexOf('] ') + 2).slice(k.slice(k.indexOf('] ') + 2).indexOf(' ') + 1).replace(/:\d+$/, '').replace(/:[^:]*$/, (m) => (k.includes('node_modules') ? '' : m));
      const file = where.includes(':') && !where.startsWith('node:') ? where.slice(0, where.indexOf(':')) : where || k;
      const key = `${k.slice(0, k.indexOf('] ') + 1)} ${file}`;
      byFile.set(key, (byFile.get(key) ?? 0) + us);
    }
    console.log(`\nby self time, per file or package (µs per request):\n${top(byFile, Number(process.env.TOP ?? 40))}`);
    console.log(`\nby self time (µs per request):\n${top(self, Number(process.env.TOP ?? 40))}`);
    console.log(`\nby subtree (µs per request):\n${top(total, Number(process.env.TOP ?? 60))}`);
  } finally {
    await server.stop();
  }
}

if (postgres) await onFreshSchema(postgres, profileOn);
else {
  const tmp = scratch();
  try {
    await profileOn(tmp.file('profile.db'));
  } finally {
    tmp.remove();
  }
}
