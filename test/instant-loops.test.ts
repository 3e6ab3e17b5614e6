/**
 * Loops that let no time pass (issue 8, bad input): a map must never be able to keep the engine busy
 * at one instant, because the server's one event loop then answers nobody, not even /api/health.
 * A hang cannot be caught in process (the test's own timers never fire), so the engine runs in a
 * child process with a deadline.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { setup } from '../server/routes/testing.js';

/** Runs an ES module (as text) with tsx from the repository root; answers whether it printed "done" before the deadline. */
function finishesWithin(ms: number, code: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out.includes('done'));
    });
  });
}

/** A date_reached trigger on a field its own map moves: `value` says where to. */
const dateLoop = (value: string) => `
  const root = process.cwd();
  const { ManualClock } = await import(root + '/engine/clock.ts');
  const { openTestStore } = await import(root + '/server/store/testing.ts');
  const { Runtime } = await import(root + '/server/runtime/runtime.ts');
  const { createMap, publishMap } = await import(root + '/server/runtime/maps.ts');
  const { createContacts } = await import(root + '/server/runtime/contacts.ts');
  const store = await openTestStore();
  const rt = await Runtime.create({ store, clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });
  await createMap(rt, { name: 'Renewal', fields: [{ key: 'renews_at', label: 'Renews', type: 'date' }], elements: [
    { id: 'due', kind: 'trigger', on: { type: 'date_reached', field: 'renews_at' }, next: 'move' },
    { id: 'move', kind: 'update_field', field: 'renews_at', value: ${JSON.stringify(value)}, next: 'done' },
    { id: 'done', kind: 'end' },
  ] }, 'm');
  await publishMap(rt, 'm');
  await createContacts(rt, [{ id: 'ann', fields: { renews_at: '2026-01-01T00:00:00Z' } }], { api: true });
  await rt.runDue();
  await store.close();
  console.log('done');
`;

describe('loops that let no time pass', () => {
  it('a wait too short to pass any time cannot be published (it spun forever at one instant)', async () => {
    const { send } = await setup();
    const made = await send('POST', '/api/maps?id=spin', { name: 'Spin', elements: [
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'w' },
      { id: 'w', kind: 'wait', for: { minutes: 1e-10 }, next: 'u' },
      { id: 'u', kind: 'update_field', field: 'score', value: '[Score] + 1', next: 'g' },
      { id: 'g', kind: 'goto', target: 'w' },
    ] });
    expect(made.status).toBe(201);
    const published = await send('POST', '/api/maps/spin/publish');
    expect(published.status).toBe(422);
    expect(published.body.error.details.problems).toContainEqual(expect.objectContaining({ element: 'w', path: 'for', message: expect.stringMatching(/A wait under a second/) }));
  });

  it('a date trigger whose map moves its date forward runs once per date', async () => {
    expect(await finishesWithin(20_000, dateLoop('[renews_at] + 86400000'))).toBe(true);
  });

  // Moving the date backwards re-arms the trigger at a moment already past, due at once as a new
  // cause each time: it used to hang the server at one instant.
  it('a date trigger whose map moves its date backwards is stopped after 32 firings at one instant', async () => {
    expect(await finishesWithin(20_000, dateLoop('[renews_at] - 1'))).toBe(true);
  });
});
