import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { Store } from '../store/store.js';
import { Runtime } from './runtime.js';
import { DAY, HOUR, MINUTE, T0, mapDoc, numberField, setup } from './testing.js';

let dir: string;
let stores: Store[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'scoremap-restart-'));
});
afterEach(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  stores = [];
  rmSync(dir, { recursive: true, force: true });
});

/** Reopens the database file with a new runtime whose clock reads `now`. */
async function reopen(path: string, now: number) {
  const store = await Store.open(path);
  stores.push(store);
  const clock = new ManualClock(now);
  const rt = await Runtime.create({ store, clock });
  return { store, clock, rt };
}

const fired = (map: string) => ({ id: 'f', kind: 'update_field', field: 'fired', value: `[fired] * 10 + ${map}`, next: 'e' });

describe('restart', () => {
  it('fires every wait that came due while down exactly once, in due-time order; running again fires nothing', async () => {
    const path = join(dir, 'scoremap.db');
    const b = await setup({ path });
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
      { id: 'w', kind: 'wait', until: { field: 'due_on' }, next: 'f' },
      fired('1'),
      { id: 'e', kind: 'end' },
    ], [numberField('fired'), { key: 'due_on', label: 'Due on', type: 'date' }]));
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
      { id: 'w', kind: 'wait', for: { minutes: 90 }, next: 'f' },
      fired('2'),
      { id: 'e', kind: 'end' },
    ]));
    const due = { ann: T0 + 3 * HOUR, bob: T0 + HOUR, cat: T0 + 2 * HOUR };
    for (const [id, d] of Object.entries(due)) await b.contact(id, { due_on: d });
    await b.rt.ingest([{ contact: { id: 'ann' }, type: 'go' }, { contact: { id: 'bob' }, type: 'go' }, { contact: { id: 'cat' }, type: 'go' }]);
    expect(await b.store.nextDuePosition(['map-1', 'map-2'])).toBe(T0 + HOUR);
    await b.close();

    const { store, rt } = await reopen(path, T0 + 10 * HOUR);
    await rt.runDue();
    const rows = (await store.historyAfter(0, 1_000)).filter((h) => h.field === 'fired');
    // map-1: bob 01:00, cat 02:00, ann 03:00; map-2: everyone 01:30 (ties by map, then contact)
    expect(rows.map((h) => [h.contactId, (h.at - T0) / MINUTE, h.to])).toEqual([
      ['bob', 60, 1],
      ['ann', 90, 2], ['bob', 90, 12], ['cat', 90, 2],
      ['cat', 120, 21],
      ['ann', 180, 21],
    ]);
    const count = await store.contactHistory('ann');
    await rt.runDue();
    expect(await store.contactHistory('ann')).toEqual(count);
    expect((await store.historyAfter(0, 1_000)).filter((h) => h.field === 'fired')).toHaveLength(6);
    expect(await store.nextDuePosition(['map-1', 'map-2'])).toBe(null);
    expect((await store.getStats('map-1')).f).toMatchObject({ wereHere: 3, hereNow: 0 });
    expect((await store.getStats('map-2')).f).toMatchObject({ wereHere: 3, hereNow: 0 });
  });

  it('catches up a decay loop day by day, each wait at its own due time, as a manual clock would', async () => {
    const path = join(dir, 'loop.db');
    const b = await setup({ path });
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
      { id: 'w', kind: 'wait', for: { days: 1 }, next: 'd' },
      { id: 'd', kind: 'update_field', field: 'pts', value: 'max(0, [pts] - 2)', next: 'loop' },
      { id: 'loop', kind: 'goto', target: 'w' },
    ], [numberField('pts')]));
    await b.contact('ann', { pts: 10 });
    await b.event('ann', 'go');
    await b.close();

    const { store, rt } = await reopen(path, T0 + 3 * DAY + HOUR);
    await rt.runDue();
    expect((await store.contactHistory('ann', { field: 'pts' })).reverse().map((h) => [(h.at - T0) / DAY, h.to])).toEqual([
      [0, 10], [1, 8], [2, 6], [3, 4],
    ]);
    expect((await store.loadContacts(['ann'])).get('ann')?.positions.get('map-1')).toMatchObject({ elementId: 'w', dueAt: T0 + 4 * DAY });
  });
});
