/**
 * What SQLite costs per event of batch intake, statement by statement: the intake figure's batches
 * (five templates, batches of 1,000, events over `events / 5` contacts), the first half creating
 * the contacts, the second half measured; every statement replayed on a copy without checkpoints
 * in its commits (the engine leaves those to its checkpointer thread).
 * `tsx bench/profile-intake-sql.ts [events]`.
 */
import { copyFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../engine/clock.js';
import { EventInput } from '../engine/schema/event.js';
import { createMap, publishMap } from '../server/runtime/maps.js';
import { Runtime } from '../server/runtime/runtime.js';
import { Store } from '../server/store/store.js';
import { readTemplate } from '../server/templates.js';
import { scratch, T0 } from './common.js';
import { batches } from './intake-events.mjs';
import { INTAKE_TEMPLATES } from './intake.js';
import { SqlReplay } from './replay.js';

const events = Number(process.argv[2] ?? 20_000);
const tmp = scratch();
try {
  const start = tmp.file('start.db');
  const setup = await Store.open(start);
  const first = await Runtime.create({ store: setup, clock: new ManualClock(T0) });
  for (const name of INTAKE_TEMPLATES) {
    await createMap(first, (await readTemplate(fileURLToPath(new URL('../maps', import.meta.url)), name))!, name);
    await publishMap(first, name);
  }
  await setup.close();
  const replay = new SqlReplay(start, tmp.file('replayed.db'), { checkpoints: false });
  copyFileSync(start, tmp.file('logged.db'));
  const store = await Store.open(tmp.file('logged.db'), { log: replay.log });
  const rt = await Runtime.create({ store, clock: new ManualClock(T0) });
  const all = [...batches(events, Math.max(1, Math.floor(events / 5)))];
  const half = Math.floor(all.length / 2);
  for (const batch of all.slice(0, half)) await rt.ingest(batch.map((e) => EventInput.parse(e)));
  const measured = all.slice(half).reduce((n, b) => n + b.length, 0);
  replay.measuring = true;
  for (const batch of all.slice(half)) await rt.ingest(batch.map((e) => EventInput.parse(e)));
  replay.measuring = false;
  await store.close();
  replay.close();
  const us = (ms: number) => ((1000 * ms) / measured).toFixed(1);
  console.log(`${measured.toLocaleString('en')} events measured (their contacts exist): SQLite ${us(replay.ms)} µs an event (at most ${Math.round((measured * 1000) / replay.ms).toLocaleString('en')} events/s from the SQL alone), ${(replay.statements / measured).toFixed(2)} statements an event; ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('µs/event  statements/event  rows/event  µs/statement  statement');
  for (const [shape, c] of [...replay.shapes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(`${us(c.ms).padStart(8)}  ${(c.count / measured).toFixed(2).padStart(16)}  ${(c.rows / measured).toFixed(2).padStart(10)}  ${((1000 * c.ms) / c.count).toFixed(1).padStart(12)}  ${shape.slice(0, 120)}`);
  }
} finally {
  tmp.remove();
}
