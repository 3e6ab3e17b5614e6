/** Time per SQL statement shape during one decay tick: `tsx bench/profile-sql.ts [N]`. */
import { ManualClock } from '../engine/clock.js';
import { Runtime } from '../server/runtime/runtime.js';
import { Store } from '../server/store/store.js';
import { createMap, publishMap } from '../server/runtime/maps.js';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { DAY, scratch, T0, time } from './common.js';
import { DECAY_MAP, parkSetBased } from './park.js';

const n = Number(process.argv[2] ?? 50_000);
const tmp = scratch();
const by = new Map<string, { ms: number; count: number }>();
let on = false;
const store = await Store.open(tmp.file('p.db'), {
  log: (e) => {
    if (!on) return;
    const key = e.query.sql.replace(/\(\?(, \?)*\)/g, '(…)').replace(/(, \(…\))+/g, ', …').slice(0, 110);
    const s = by.get(key) ?? { ms: 0, count: 0 };
    s.ms += e.queryDurationMillis;
    s.count++;
    by.set(key, s);
  },
});
const clock = new ManualClock(T0);
const rt = await Runtime.create({ store, clock });
await createMap(rt, JSON.parse(readFileSync(new URL('../maps/point-decay-loop.json', import.meta.url), 'utf8')), DECAY_MAP);
await publishMap(rt, DECAY_MAP);
await parkSetBased(store, n);
// Experiment (not the shipped schema): ties on due_at ordered by the index instead of a sort per batch.
if (process.argv.includes('--due-contact-index')) await sql`create index positions_due_contact_idx on positions (map_id, due_at, contact_id)`.execute(store.db);
on = true;
const t = await time(() => rt.advance(T0 + DAY, clock));
const sqlMs = [...by.values()].reduce((a, b) => a + b.ms, 0);
console.log(`tick ${t.ms.toFixed(0)} ms, of which SQL ${sqlMs.toFixed(0)} ms`);
for (const [k, s] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(s.ms.toFixed(0).padStart(6), String(s.count).padStart(5), k);
await store.close();
tmp.remove();
