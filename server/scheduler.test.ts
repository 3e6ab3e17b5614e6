import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../engine/clock.js';
import { Store } from './store/store.js';
import { Runtime } from './runtime/runtime.js';
import { createMap, publishMap } from './runtime/maps.js';
import { Scheduler } from './scheduler.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const waitFor = async (check: () => Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
};

describe('Scheduler on the real clock', () => {
  it('fires a wait when it comes due, sleeping in between, and finishes its batch on stop', async () => {
    const store = await Store.open(':memory:');
    const rt = await Runtime.create({ store, clock: realClock });
    let runs = 0;
    const runDue = rt.runDue.bind(rt);
    rt.runDue = () => {
      runs++;
      return runDue();
    };
    const scheduler = new Scheduler(rt);
    cleanup = async () => {
      await scheduler.stop();
      await store.close();
    };
    scheduler.start();
    await createMap(rt, {
      name: 'Short wait',
      fields: [{ key: 'done', label: 'Done', type: 'number' }],
      elements: [
        { id: 't', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'w' },
        { id: 'w', kind: 'wait', for: { minutes: 1 / 60 }, next: 's' }, // 1 s, the shortest wait a map may publish
        { id: 's', kind: 'update_field', field: 'done', value: '1', next: 'e' },
        { id: 'e', kind: 'end' },
      ],
    }, 'm');
    await publishMap(rt, 'm');
    await rt.ingest([{ contact: { email: 'ann@example.com' }, type: 'page_visited' }]);
    const [ann] = await store.contactIdsAfter(null, 1);
    const done = async () => (await store.loadContacts([ann])).get(ann)?.fields.done === 1;
    expect(await done()).toBe(false);
    const before = runs;
    expect(await waitFor(done)).toBe(true);
    // It slept until the wait was due rather than polling: a handful of wake-ups, not hundreds.
    expect(runs - before).toBeLessThan(10);
  });
});
