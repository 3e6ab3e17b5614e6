import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CAUSE_STEPS, MAX_DEPTH, MAX_STEPS } from '../engine/cascade.js';
import { api, killAll, ok, startServer, stop, type ServerProcess } from './server-process.js';

/**
 * Maps that misbehave (issue 8), on the real server process: a loop the validation cannot see, two
 * maps that keep triggering each other, a cascade that fans out. Each hits its guard (SPEC §3),
 * is reported on the element, and costs a bounded amount of work (asserted as counts, never as
 * time); the other contacts of the same request are scored right and the server keeps answering.
 */
let s: ServerProcess;
beforeAll(async () => {
  s = await startServer(`${mkdtempSync(`${tmpdir()}/scoremap-misbehaving-`)}/scoremap.db`, '2026-01-01T09:00:00Z');
});
afterAll(async () => {
  if (s.proc.exitCode === null) expect(await stop(s)).toBe(0);
  await killAll();
});

const end = { id: 'done', kind: 'end' };
const num = (key: string) => ({ key, label: key.replace(/_/g, ' '), type: 'number' });
const onChange = (id: string, field: string, next: string) => ({ id, kind: 'trigger', on: { type: 'field_updated', field }, next });
const inc = (id: string, field: string, next = 'done') => ({ id, kind: 'update_field', field, value: `[${field}] + 1`, next });

async function publish(doc: object): Promise<string> {
  const { map } = await ok(s, '/maps', doc);
  await ok(s, `/maps/${map.id}/publish`, {});
  return map.id;
}

/** A well-behaved map next to the runaways: 25 points a purchase, on its own field. */
beforeAll(async () => {
  await publish({
    name: 'Purchases', fields: [num('purchase_points')],
    elements: [{ id: 'bought', kind: 'trigger', on: { type: 'event', event: 'purchase' }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'purchase_points', value: '[purchase points] + 25', next: 'done' }, end],
  });
});

/** Creates contacts `<prefix>-0` … and answers their ids. */
async function contacts(prefix: string, n: number, fields: Record<string, unknown> = {}): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const job = await ok(s, '/contacts/import?wait=true', { contacts: ids.map((id) => ({ id, fields })) });
  expect(job.created).toBe(n);
  return ids;
}

const field = async (id: string, key: string) => (await ok(s, `/contacts/${id}`)).fields[key] ?? null;

/** Sends a runaway event for each of `runaways` and a purchase for each of `others`, interleaved, in one request, while health checks run beside it. */
async function mixedRequest(type: string, runaways: string[], others: string[]) {
  const events = runaways.flatMap((id, i) => [
    { id: `${type}-${id}`, contact: { id }, type },
    { id: `buy-${type}-${others[i]}`, contact: { id: others[i] }, type: 'purchase', props: { amount: 10, product: 'x' } },
  ]);
  const [answer, health] = await Promise.all([api(s, '/events', events), api(s, '/health')]);
  expect(answer).toEqual({ status: 200, body: { accepted: events.length, duplicates: 0, created: 0 } });
  expect(health.status).toBe(200);
  for (const id of others) expect(await field(id, 'purchase_points')).toBe(25);
}

describe('maps that misbehave hit the guards, are reported, and harm no one else', () => {
  it('an endless loop: the validation refuses the one it sees; the one it cannot see stops after MAX_STEPS steps', async () => {
    const loop = (wait: boolean) => ({
      name: wait ? 'Loop through a wait that never holds anyone' : 'Loop without a wait',
      fields: [num('laps')],
      elements: [
        { id: 'go', kind: 'trigger', on: { type: 'event', event: 'loop_go' }, next: 'lap' },
        inc('lap', 'laps', wait ? 'hold' : 'again'),
        ...(wait ? [{ id: 'hold', kind: 'wait', until: { condition: { field: 'laps', op: 'gte', value: 0 } }, next: 'again' }] : []),
        { id: 'again', kind: 'goto', target: 'lap' },
      ],
    });
    const { map: plain } = await ok(s, '/maps', loop(false));
    const refused = await api(s, `/maps/${plain.id}/publish`, {});
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.problems[0]).toMatchObject({ element: 'lap', cycle: ['lap', 'again'] });

    // A wait "until laps ≥ 0" always holds at once: to the validation a wait, at run time no pause.
    const mapId = await publish(loop(true));
    const runaways = await contacts('loop', 20);
    const others = await contacts('loop-buyer', 20);
    await mixedRequest('loop_go', runaways, others);

    // Steps: go, then lap, hold, again, lap, …: the guard stops the contact at step MAX_STEPS, on `lap`.
    const laps = Math.ceil((MAX_STEPS - 1) / 3);
    for (const id of runaways) {
      expect(await field(id, 'laps')).toBe(laps);
      const view = await ok(s, `/contacts/${id}`);
      expect(view.maps).toEqual([expect.objectContaining({ mapId, element: 'lap', stuck: true, dueAt: null })]);
    }
    const history = await ok(s, `/contacts/${runaways[0]}/history?field=laps&limit=500`);
    expect(history.history[0]).toMatchObject({ to: laps, cause: { map: mapId, element: 'lap' } });

    const stats = await ok(s, `/maps/${mapId}/stats`);
    expect(stats.elements.lap).toMatchObject({ errors: runaways.length, hereNow: runaways.length, wereHere: laps * runaways.length });
    expect(stats.elements.lap.lastError).toBe(`Stopped after ${MAX_STEPS} steps without a wait: an endless loop?`);
    expect(stats.elements.lap.lastErrorAt).toBe('2026-01-01T09:00:00.000Z');
    const listed = (await ok(s, '/maps')).maps.find((m: { id: string }) => m.id === mapId);
    expect(listed).toMatchObject({ errors: runaways.length, contactsOnMap: runaways.length });

    // A stuck contact stays put (a new event does not restart it: it is on the map); time goes on for everyone.
    await ok(s, '/events', { id: 'loop-again', contact: { id: runaways[0] }, type: 'loop_go' });
    await ok(s, '/clock/advance', { to: '2026-01-03T09:00:00Z' });
    expect(await field(runaways[0], 'laps')).toBe(laps);
    expect((await ok(s, `/maps/${mapId}/stats`)).elements.lap.errors).toBe(runaways.length);
    await ok(s, '/events', { id: 'loop-buy', contact: { id: runaways[0] }, type: 'purchase' });
    expect(await field(runaways[0], 'purchase_points')).toBe(25);
  });

  it(`two maps that trigger each other stop at depth ${MAX_DEPTH}, once per cause`, async () => {
    const ping = await publish({
      name: 'Ping', fields: [num('ping_pts'), num('pong_pts')],
      elements: [{ id: 'serve', kind: 'trigger', on: { type: 'event', event: 'ping' }, next: 'hit' },
        onChange('returned', 'pong_pts', 'hit'), inc('hit', 'ping_pts'), end],
    });
    const pong = await publish({
      name: 'Pong', fields: [num('ping_pts'), num('pong_pts')],
      elements: [onChange('received', 'ping_pts', 'hit'), inc('hit', 'pong_pts'), end],
    });
    const runaways = await contacts('ping', 20);
    const others = await contacts('ping-buyer', 20);
    await mixedRequest('ping', runaways, others);

    // ping_pts changes at depths 1, 3, …, MAX_DEPTH + 1; Pong enters on each but the last (past the
    // guard), Ping re-enters on each of Pong's changes: MAX_DEPTH / 2 rounds after the serve.
    const rounds = MAX_DEPTH / 2;
    for (const id of runaways) {
      expect([await field(id, 'ping_pts'), await field(id, 'pong_pts')]).toEqual([rounds + 1, rounds]);
      expect((await ok(s, `/contacts/${id}`)).maps).toEqual([]); // guarded at a trigger: not let in, not stuck
    }
    const stats = await ok(s, `/maps/${pong}/stats`);
    expect(stats.elements.received).toMatchObject({ wereHere: rounds * runaways.length, errors: runaways.length });
    expect(stats.elements.received.lastError).toContain(`more than ${MAX_DEPTH} levels deep`);
    expect((await ok(s, `/maps/${ping}/stats`)).totals.errors).toBe(0);

    // Each cause has its own budget: the next ping runs the same course, and is reported again.
    await ok(s, '/events', { id: 'ping-again', contact: { id: runaways[0] }, type: 'ping' });
    expect(await field(runaways[0], 'ping_pts')).toBe(2 * (rounds + 1));
    expect((await ok(s, `/maps/${pong}/stats`)).elements.received.errors).toBe(runaways.length + 1);
  });

  it(`a cascade that fans out stops after MAX_CAUSE_STEPS steps of one cause`, async () => {
    // One spark sets off 4 maps on `fan_x`, each changes `fan_y`, which sets off a map that changes
    // `fan_x` again: four times more moves every two levels, far below the depth guard.
    const fans = [];
    for (let i = 0; i < 4; i++) {
      fans.push(await publish({ name: `Fan ${i}`, fields: [num('fan_x'), num('fan_y')], elements: [onChange('on_x', 'fan_x', 'up'), inc('up', 'fan_y'), end] }));
    }
    const back = await publish({
      name: 'Fan back', fields: [num('fan_x'), num('fan_y')],
      elements: [{ id: 'spark', kind: 'trigger', on: { type: 'event', event: 'spark' }, next: 'up' }, onChange('on_y', 'fan_y', 'up'), inc('up', 'fan_x'), end],
    });
    const runaways = await contacts('fan', 3);
    const others = await contacts('fan-buyer', 3);
    await mixedRequest('spark', runaways, others);

    // A move is three steps (trigger, change, end): the guard let exactly MAX_CAUSE_STEPS steps run
    // per spark, and stopped the contact at the change the next step would have made.
    const maps = [...fans, back];
    const all = await Promise.all(maps.map((m) => ok(s, `/maps/${m}/stats`)));
    const steps = all.reduce((n, st) => n + Object.values(st.elements as Record<string, { wereHere: number }>).reduce((k, e) => k + e.wereHere, 0), 0);
    expect(steps).toBe(MAX_CAUSE_STEPS * runaways.length);
    for (const id of runaways) {
      expect((await field(id, 'fan_x')) + (await field(id, 'fan_y'))).toBe(Math.floor(MAX_CAUSE_STEPS / 3));
      expect((await ok(s, `/contacts/${id}`)).maps).toEqual([expect.objectContaining({ element: 'up', stuck: true })]);
    }
    // Reported once per cause, where it stopped: the changes it made open no further map.
    const errors = all.reduce((n, st) => n + st.totals.errors, 0);
    expect(errors).toBe(runaways.length);
    const reported = all.flatMap((st) => Object.values(st.elements as Record<string, { lastError: string | null }>)).map((e) => e.lastError).filter(Boolean);
    expect(new Set(reported)).toEqual(new Set([`Stopped: one cause ran more than ${MAX_CAUSE_STEPS.toLocaleString('en')} steps across all maps (do field changes trigger maps over and over?)`]));
    expect((await ok(s, '/health')).ok).toBe(true);
  });

  it('three maps of long chains of changes, each opened by the last one\'s field: one event stops at the guard after a bounded amount of work (issue 15)', async () => {
    // Before the per-cause budget, three such maps of 999 changes took 13 minutes, 9,990,002 history
    // rows and 4.67 GB of memory for one event. Here chains of 997 changes (999 steps a pass with the
    // trigger and the end), so that the budget runs out in the middle of a pass.
    const LEN = 997;
    const chain = (prefix: string, field: string) => Array.from({ length: LEN }, (_, i) => ({
      id: `${prefix}${i + 1}`, kind: 'update_field', field, value: `[${field}] + 1`, next: i === LEN - 1 ? 'done' : `${prefix}${i + 2}`,
    }));
    const fields = [num('chain_a'), num('chain_b'), num('chain_c')];
    const a = await publish({ name: 'Chain A', fields, elements: [{ id: 'go', kind: 'trigger', on: { type: 'event', event: 'chain_go' }, next: 'a1' }, ...chain('a', 'chain_a'), end] });
    const b = await publish({ name: 'Chain B', fields, elements: [onChange('on_a', 'chain_a', 'b1'), ...chain('b', 'chain_b'), end] });
    const { map: draft } = await ok(s, '/maps', { name: 'Chain C', fields, elements: [onChange('on_b', 'chain_b', 'c1'), ...chain('c', 'chain_c'), end] });
    const c = draft.id;
    // Before publishing C, the validation warns (on C's trigger) what one event could run through the three maps.
    const { valid, problems } = await ok(s, `/maps/${c}/validate`, undefined, 'POST');
    expect(valid).toBe(true);
    expect(problems).toEqual([{
      element: 'on_b', path: '', severity: 'warning',
      message: "Map 'Chain C' runs 997 times for one pass of map 'Chain B', which changes 'chain b' 997 times (elements b1, b2 … b997): one event (entering map 'Chain A') could run up to 994,011,993 steps through these maps. The engine stops a cause after 10,000 steps and leaves the contact stuck: change the field once per pass (compute the value, then write it once), or listen to a field that is written once.",
    }]);
    await ok(s, `/maps/${c}/publish`, {});

    const runaways = await contacts('chain', 2);
    const others = await contacts('chain-buyer', 2);
    await mixedRequest('chain_go', runaways, others);
    // A's pass (999 steps), nine passes through B (8,991), then ten steps of the tenth: its trigger
    // and nine changes. The budget is spent at b10, where the contact stops; C never ran.
    for (const id of runaways) {
      expect([await field(id, 'chain_a'), await field(id, 'chain_b'), await field(id, 'chain_c')]).toEqual([LEN, 9 * LEN + 9, null]);
      expect((await ok(s, `/contacts/${id}`)).maps).toEqual([expect.objectContaining({ mapId: b, element: 'b10', stuck: true, dueAt: null })]);
      const last = await ok(s, `/contacts/${id}/history?field=chain_b&limit=1`);
      expect(last.history[0]).toMatchObject({ to: 9 * LEN + 9, cause: { map: b, element: 'b9' } });
    }
    // Every change is a history row: A's, B's and last activity's, no more.
    let rows = 0;
    for (let before: number | undefined, page; ; before = page.nextBefore) {
      page = await ok(s, `/contacts/${runaways[0]}/history?limit=500${before ? `&before=${before}` : ''}`);
      rows += page.history.length;
      if (!page.nextBefore) break;
    }
    expect(rows).toBe(LEN + 9 * LEN + 9 + 1);

    // One error per cause, on the element where it stopped; nothing reported on the maps it never reached.
    const [statsA, statsB, statsC] = await Promise.all([a, b, c].map((m) => ok(s, `/maps/${m}/stats`)));
    expect(statsB.elements.b10).toMatchObject({ hereNow: runaways.length, errors: runaways.length, lastError: `Stopped: one cause ran more than ${MAX_CAUSE_STEPS.toLocaleString('en')} steps across all maps (do field changes trigger maps over and over?)` });
    expect(statsB.totals).toMatchObject({ errors: runaways.length, wereHere: (MAX_CAUSE_STEPS - (LEN + 2)) * runaways.length });
    expect(statsA.totals).toMatchObject({ errors: 0, wereHere: (LEN + 2) * runaways.length });
    expect(statsC.totals).toEqual({ hereNow: 0, wereHere: 0, errors: 0 });
    const listed = (await ok(s, '/maps')).maps.find((m: { id: string }) => m.id === b);
    expect(listed).toMatchObject({ errors: runaways.length, contactsOnMap: runaways.length });
  });
});
