/**
 * What cohorts gain, in turn with the per-contact path in this process (one SQLite file each run):
 *
 * - events: 10,000 contacts, one map (an event adds 5 points, then a day's wait), 50,000 events
 *   in batches of 1,000, every one an entry as a cohort (`event-cohort.ts`) or one by one;
 * - the decay tick of point-decay-loop beside score-cap (whose field_updated trigger hears every
 *   change of the score, asked per contact in the splitting statement), 30,000 contacts;
 * - the same beside adjusted-lead-score, whose trigger moves every contact whose score changed:
 *   its reaction runs as the next cohort.
 *
 * `tsx bench/cohort-gain.ts [rounds]`. Prints each run; not part of `npm run bench`.
 */
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../engine/clock.js';
import { EventInput } from '../engine/schema/event.js';
import { createContacts } from '../server/runtime/contacts.js';
import { createMap, publishMap } from '../server/runtime/maps.js';
import { Runtime } from '../server/runtime/runtime.js';
import { Store } from '../server/store/store.js';
import { readTemplate } from '../server/templates.js';
import { DAY, scratch, T0 } from './common.js';

const TEMPLATES = fileURLToPath(new URL('../maps', import.meta.url));
const CLICKS = {
  name: 'Clicks', fields: [{ key: 'pts', label: 'Points', type: 'number', decimals: 0 }],
  elements: [
    { id: 'on', kind: 'trigger', on: { type: 'event', event: 'click' }, ifOnMap: 'move_here', next: 'add' },
    { id: 'add', kind: 'update_field', field: 'pts', value: '[pts] + 5', next: 'wait' },
    { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'done' },
    { id: 'done', kind: 'end' },
  ],
};

/** A fresh runtime on a scratch file with `maps` (documents, or template names) published; `run` answers what it measured. */
async function world<T>(cohorts: boolean, maps: readonly (string | object)[], run: (rt: Runtime, clock: ManualClock) => Promise<T>): Promise<T> {
  const tmp = scratch();
  const store = await Store.open(tmp.file('gain.db'));
  try {
    const clock = new ManualClock(T0);
    const rt = await Runtime.create({ store, clock, cohorts });
    for (const [i, m] of maps.entries()) {
      const id = typeof m === 'string' ? m : `map-${i}`;
      await createMap(rt, typeof m === 'string' ? (await readTemplate(TEMPLATES, m))! : m, id);
      await publishMap(rt, id);
    }
    return await run(rt, clock);
  } finally {
    await store.close();
    tmp.remove();
  }
}

async function seed(rt: Runtime, n: number, fields: (i: number) => Record<string, unknown>): Promise<void> {
  for (let i = 0; i < n; i += 1000) await createContacts(rt, Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ id: `c${i + k}`, fields: fields(i + k) })), { api: true });
}

/** Events per second, batches of 1,000 entering CLICKS. */
const events = (cohorts: boolean) => world(cohorts, [CLICKS], async (rt) => {
  const n = 10_000;
  await seed(rt, n, () => ({ pts: 1, last_activity_at: T0 }));
  const t = performance.now();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < n; i += 1000) await rt.ingest(Array.from({ length: 1000 }, (_, k) => EventInput.parse({ id: `e${round}-${i + k}`, contact: { id: `c${i + k}` }, type: 'click' })));
  }
  return { perSecond: (5 * n) / ((performance.now() - t) / 1000), entries: rt.cohortStats.entries };
});

/** Contacts per second of one tick of point-decay-loop beside `other`. */
const tick = (other: string) => (cohorts: boolean) => world(cohorts, ['point-decay-loop', other], async (rt, clock) => {
  const n = 30_000;
  await seed(rt, n, (i) => ({ custom_lead_score: 10 + (i % 40) }));
  const t = performance.now();
  await rt.advance(T0 + DAY + 1000, clock);
  return { perSecond: n / ((performance.now() - t) / 1000), entries: rt.cohortStats.contacts };
});

const MEASURES = [
  ['events in batches of 1,000, one map (events/s)', events],
  ['tick, point-decay-loop beside score-cap (contacts/s)', tick('score-cap')],
  ['tick, point-decay-loop beside adjusted-lead-score (contacts/s)', tick('adjusted-lead-score')],
] as const;

const rounds = Number(process.argv[2] ?? 2);
const fmt = (x: number) => Math.round(x).toLocaleString('en');
for (const [name, measure] of MEASURES) {
  for (let r = 0; r < rounds; r++) {
    const on = await measure(true);
    const off = await measure(false);
    console.log(`${name}: cohorts ${fmt(on.perSecond)} (${fmt(on.entries)} as cohorts), one by one ${fmt(off.perSecond)}: ${(on.perSecond / off.perSecond).toFixed(2)}`);
  }
}
