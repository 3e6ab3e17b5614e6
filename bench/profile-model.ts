/**
 * Where a scoring model's event intake spends its CPU, in this process: 10,000 contacts, the
 * recommended-scoring model (rules on events, degradation, brackets) and no map, then 50,000
 * of the intake benchmark's events in batches of 1,000, profiled. Prints events per second and
 * the self time by where it runs: SQLite's statements (better-sqlite3's native calls), the
 * engine's own code (`engine/`: the rules, the cascade, conditions), the store and runtime,
 * Kysely, the garbage collector. What set-based scoring rules could save is at most the engine's
 * share and part of the store's.
 *
 * `tsx bench/profile-model.ts`. Not part of `npm run bench`.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../engine/clock.js';
import { EventInput } from '../engine/schema/event.js';
import { createContacts } from '../server/runtime/contacts.js';
import { Runtime } from '../server/runtime/runtime.js';
import { saveModel } from '../server/runtime/scoring.js';
import { Store } from '../server/store/store.js';
import { scratch, T0 } from './common.js';
import { TYPES } from './intake-events.mjs';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where a sample's function runs. */
function place({ functionName, url }: Node['callFrame']): string {
  if (!url) return ['run', 'all', 'get', 'iterate', 'raw', 'exec'].includes(functionName) ? 'SQLite (better-sqlite3 native)' : functionName === '(garbage collector)' ? 'garbage collector' : 'other';
  if (url.includes('node_modules/kysely')) return 'Kysely';
  if (url.includes('node_modules/')) return 'other packages';
  const file = url.replace('file://', '').replace(ROOT, '');
  if (file.startsWith('engine/')) return 'engine (rules, cascade, conditions)';
  if (file.startsWith('server/store/')) return 'store';
  if (file.startsWith('server/')) return 'runtime and the rest of server/';
  return 'other';
}

const n = 10_000;
const tmp = scratch();
const store = await Store.open(tmp.file('model.db'));
try {
  const rt = await Runtime.create({ store, clock: new ManualClock(T0) });
  await saveModel(rt, JSON.parse(readFileSync(new URL('../maps/recommended-scoring.json', import.meta.url), 'utf8')), { create: true });
  for (let i = 0; i < n; i += 1000) await createContacts(rt, Array.from({ length: 1000 }, (_, k) => ({ id: `c${i + k}`, fields: { last_activity_at: T0 } })), { api: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const t = performance.now();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < n; i += 1000) await rt.ingest(Array.from({ length: 1000 }, (_, k) => EventInput.parse({ id: `e${round}-${i + k}`, contact: { id: `c${i + k}` }, ...TYPES[(i + k + round) % TYPES.length] })));
  }
  const ms = performance.now() - t;
  const { profile } = await session.post('Profiler.stop');
  const nodes = new Map((profile.nodes as Node[]).map((x) => [x.id, x]));
  const by = new Map<string, number>();
  let total = 0;
  for (const [i, id] of profile.samples!.entries()) {
    const dt = profile.timeDeltas![i]!;
    const where = place(nodes.get(id)!.callFrame);
    by.set(where, (by.get(where) ?? 0) + dt);
    total += dt;
  }
  console.log(`${Math.round((5 * n) / (ms / 1000)).toLocaleString('en')} events/s in batches of 1,000 with a scoring model; self time:`);
  for (const [where, us] of [...by].sort((a, b) => b[1] - a[1])) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${where}`);
} finally {
  await store.close();
  tmp.remove();
}
