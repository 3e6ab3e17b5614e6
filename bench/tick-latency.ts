/**
 * Figure 6: how the API answers while the decay tick runs. N contacts parked on the decay loop's
 * wait, served over HTTP on 127.0.0.1 (manual clock, in this process, as `scoremap serve` runs it);
 * a second process sends single events and health checks, one at a time, first on the idle server,
 * then while `POST /api/clock/advance` fires every contact's wait. Latencies are the client's;
 * the tick is timed with that load, beside the decay-tick figure measured without it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '../server/serve.js';
import { DECAY_MAP, openDecayWorld, parkSetBased } from './park.js';
import { DAY, scratch, T0, time } from './common.js';
import { Store } from '../server/store/store.js';

/** Latencies of one kind of request, ms. */
export interface Latency {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface TickLatencyResult {
  readonly n: number;
  readonly idle: { readonly events: Latency; readonly health: Latency };
  readonly duringTick: { readonly events: Latency; readonly health: Latency };
  /** The tick with the client's load, ms, and in contact-steps per second. */
  readonly tickMs: number;
  readonly tickPerSecond: number;
  /** Requests that failed (a non-2xx answer, a reset): must be none. */
  readonly failures: readonly string[];
}

const CLIENT = fileURLToPath(new URL('./latency-client.mjs', import.meta.url));

/** Starts the client; resolves its result once it has finished (`stop()` ends an open-ended run). */
function client(url: string, token: string, contacts: number, seconds: number | 'stdin') {
  const child = spawn(process.execPath, [CLIENT, url, token, String(contacts), String(seconds)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) onReady();
  });
  const done = new Promise<{ events: number[]; health: number[]; failures: string[] }>((resolve, reject) => {
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop()!;
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last));
      else reject(new Error(`latency client exited with ${code}: ${out.slice(-500)}`));
    });
  });
  return { ready, done, stop: () => child.stdin.end('stop\n') };
}

function latency(ms: readonly number[]): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : 0);
  return { count: s.length, p50: at(0.5), p99: at(0.99), max: s.length ? s[s.length - 1] : 0 };
}

/** Parks `n` contacts, measures requests on the idle server for `idleSeconds`, then during the tick. */
export async function tickLatency(n: number, idleSeconds: number): Promise<TickLatencyResult> {
  const tmp = scratch();
  try {
    const path = tmp.file('latency.db');
    const world = await openDecayWorld(path);
    await parkSetBased(world.store, n);
    await world.store.close();
    const server = await startServer({ port: 0, host: '127.0.0.1', db: path, clock: 'manual', now: T0 }, () => {});
    try {
      const idle = client(server.url, server.token, n, idleSeconds);
      const before = await idle.done;
      const during = client(server.url, server.token, n, 'stdin');
      await during.ready;
      const tick = await time(async () => {
        const res = await fetch(`${server.url}api/clock/advance`, {
          method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: new Date(T0 + DAY).toISOString() }),
        });
        if (!res.ok) throw new Error(`advance: ${res.status} ${await res.text()}`);
      });
      during.stop();
      const load = await during.done;
      // Every contact was woken once and parked for the next day (the events touched none of that).
      const check = await Store.open(path);
      try {
        const parked = await check.db.selectFrom('positions').select((eb) => eb.fn.countAll().as('n'))
          .where('map_id', '=', DECAY_MAP).where('due_at', '=', T0 + 2 * DAY).executeTakeFirstOrThrow();
        if (Number(parked.n) !== n) throw new Error(`tick latency: ${parked.n} of ${n} contacts were parked again for day 2`);
      } finally {
        await check.close();
      }
      return {
        n,
        idle: { events: latency(before.events), health: latency(before.health) },
        duringTick: { events: latency(load.events), health: latency(load.health) },
        tickMs: tick.ms,
        tickPerSecond: n / (tick.ms / 1000),
        failures: [...before.failures, ...load.failures],
      };
    } finally {
      await server.stop();
    }
  } finally {
    tmp.remove();
  }
}
