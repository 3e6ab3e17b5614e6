/**
 * Where single-event requests from many clients spend their time on PostgreSQL: the statements
 * each group of requests sends (round trips per group and per request, by shape, with the time
 * each waited for its answer), this process's CPU and the PostgreSQL server's CPU over the same
 * seconds. `tsx bench/profile-pg-intake.ts [seconds] [clients] [groupEvents]`, against
 * SCOREMAP_BENCH_DATABASE_URL or the server `scripts/test-postgres.sh` starts. With
 * SCOREMAP_CPU_PROFILE=file, this process's CPU profile of the measured seconds is written there.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { onFreshSchema } from './common.js';
import { runClient, startIntakeServer } from './intake.js';

const seconds = Number(process.argv[2] ?? 5);
const clients = Number(process.argv[3] ?? 32);
const groupEvents = process.argv[4] ? Number(process.argv[4]) : undefined;
const contacts = 2_000;
const base = process.env.SCOREMAP_BENCH_DATABASE_URL || 'postgres://scoremap@127.0.0.1:54329/scoremap_test';
const CLIENT = fileURLToPath(new URL('./intake-client.mjs', import.meta.url));

/** Statements by shape while `on`: how many, and the milliseconds from sending to the answer. */
const shapes = new Map<string, { count: number; ms: number }>();
let on = false;
/** Round trips: statements sent in one synchronous run on one connection go out together. */
let trips = 0;
const sending = new WeakSet<object>();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const result = (query as (...a: unknown[]) => unknown).apply(this, args);
  if (!on) return result;
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text ?? '?';
  const key = text.replace(/\s+/g, ' ').replace(/\$\d+(, \$\d+)*/g, '$…').slice(0, 120);
  const s = shapes.get(key) ?? { count: 0, ms: 0 };
  shapes.set(key, s);
  s.count++;
  if (!sending.has(this)) {
    trips++;
    sending.add(this);
    queueMicrotask(() => sending.delete(this));
  }
  const t = performance.now();
  if (result instanceof Promise) void result.finally(() => (s.ms += performance.now() - t)).catch(() => undefined);
  return result;
} as typeof query;

/** CPU seconds of every postgres process on this machine (the server's backends and its helpers). */
function postgresCpu(): number {
  const out = execFileSync('ps', ['-C', 'postgres', '-o', 'cputimes='], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.trim()), 0);
}

await onFreshSchema(base, async (url) => {
  const { server } = await startIntakeServer(url, { groupEvents });
  try {
    const seed = await runClient(CLIENT, [server.url, server.token, 'batch', String(contacts * 5), String(contacts)]);
    if (seed.accepted !== contacts * 5) throw new Error(`${seed.accepted} of ${contacts * 5} seeding events accepted`);
    const before = { ...server.rt.intakeStats };
    const cpu = process.cpuUsage();
    const pgCpu = postgresCpu();
    const profile = process.env.SCOREMAP_CPU_PROFILE;
    const session = new Session();
    if (profile) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    on = true;
    const r = await runClient(CLIENT, [server.url, server.token, 'concurrent', '0', String(contacts), String(seconds), String(clients)]);
    on = false;
    if (profile) {
      const { profile: taken } = await session.post('Profiler.stop');
      writeFileSync(profile, JSON.stringify(taken));
      session.disconnect();
    }
    const ownCpu = process.cpuUsage(cpu);
    const pgUsed = postgresCpu() - pgCpu;
    const after = server.rt.intakeStats;
    const groups = after.groups - before.groups;
    const requests = after.requests - before.requests;
    const total = [...shapes.values()].reduce((n, s) => n + s.count, 0);
    const wallS = r.ms / 1000;
    console.log(`${clients} clients, ${seconds} s: ${Math.round(r.requests / wallS)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`);
    console.log(`groups ${groups}, requests per group ${(requests / groups).toFixed(1)}, fallbacks ${after.fallbacks - before.fallbacks}`);
    console.log(`statements ${total}: ${(total / groups).toFixed(1)} per group, ${(total / requests).toFixed(2)} per request`);
    console.log(`round trips ${trips}: ${(trips / groups).toFixed(1)} per group`);
    console.log(`time in groups ${((after.ms - before.ms) / 1000).toFixed(2)} s of ${wallS.toFixed(2)} s`);
    console.log(`CPU: this process ${((ownCpu.user + ownCpu.system) / 1e6).toFixed(2)} s, postgres ${pgUsed.toFixed(2)} s, load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()}`);
    const rows = [...shapes.entries()].sort((a, b) => b[1].ms - a[1].ms);
    for (const [key, s] of rows) console.log(`${(s.count / groups).toFixed(2).padStart(6)}/group ${s.ms.toFixed(0).padStart(6)} ms ${(s.ms / s.count).toFixed(2).padStart(6)} ms each  ${key}`);
  } finally {
    await server.stop();
  }
});
