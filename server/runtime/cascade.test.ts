import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_STEPS } from '../../engine/cascade.js';
import { updateContact } from './contacts.js';
import { DAY, MINUTE, T0, mapDoc, numberField, setup, type Bench } from './testing.js';

let b: Bench;
afterEach(async () => {
  await b?.close();
});

const end = { id: 'e', kind: 'end' };
const trail = { key: 'trail', label: 'Trail', type: 'text' } as const;
const onChange = (id: string, field: string, next: string, extra: object = {}) =>
  ({ id, kind: 'trigger', on: { type: 'field_updated', field }, next, ...extra });
const inc = (id: string, field: string, next = 'e') => ({ id, kind: 'update_field', field, value: `[${field}] + 1`, next });

describe('field_updated cascades', () => {
  it('cap at 100 on the same map: ≥ 100 → set to 100 → back to the daily decay', async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'add30' },
      { id: 'over', kind: 'trigger', on: { type: 'field_updated', field: 'Lead score', where: { field: 'lead_score', op: 'gte', value: 100 } }, ifOnMap: 'move_here', next: 'cap' },
      { id: 'add30', kind: 'update_field', field: 'lead_score', value: '[Lead score] + 30', next: 'wait' },
      { id: 'cap', kind: 'update_field', field: 'lead_score', value: '100', next: 'back' },
      { id: 'back', kind: 'goto', target: 'wait' },
      { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'decay' },
      { id: 'decay', kind: 'update_field', field: 'lead_score', value: 'max(0, [Lead score] - 2)', next: 'loop' },
      { id: 'loop', kind: 'goto', target: 'wait' },
    ], [{ key: 'lead_score', label: 'Lead score', type: 'number', decimals: 3 }]));
    await b.contact('cat');
    for (let i = 0; i < 4; i++) {
      await b.advance(T0 + (9 * 60 + i) * MINUTE);
      await b.event('cat', 'email_link_clicked');
    }
    expect((await b.history('cat', 'lead_score')).map((h) => [h.from, h.to, 'element' in h.cause ? h.cause.element : null])).toEqual([
      [null, 30, 'add30'], [30, 60, 'add30'], [60, 90, 'add30'], [90, 120, 'add30'], [120, 100, 'cap'],
    ]);
    expect(await b.position('map-1', 'cat')).toMatchObject({ elementId: 'wait', dueAt: T0 + DAY + (9 * 60 + 3) * MINUTE });
    await b.advance(T0 + 2 * DAY + 10 * 60 * MINUTE);
    expect(await b.score('cat', 'lead_score')).toBe(96);
  });

  it('reacts first caused first: both changes of one move before the change a reaction made', async () => {
    b = await setup({ fields: [trail, numberField('f1'), numberField('f2'), numberField('g')] });
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'a' },
      inc('a', 'f1', 'b'),
      inc('b', 'f2'),
      end,
    ]));
    await b.publish(mapDoc([onChange('t', 'f1', 'mark'), { id: 'mark', kind: 'update_field', field: 'trail', value: '[trail] + "1"', next: 'g' }, inc('g', 'g'), end]));
    await b.publish(mapDoc([onChange('t', 'f2', 'mark'), { id: 'mark', kind: 'update_field', field: 'trail', value: '[trail] + "2"', next: 'e' }, end]));
    await b.publish(mapDoc([onChange('t', 'g', 'mark'), { id: 'mark', kind: 'update_field', field: 'trail', value: '[trail] + "g"', next: 'e' }, end]));
    await b.contact('ann');
    await b.event('ann', 'go');
    expect(await b.score('ann', 'trail')).toBe('12g');
  });

  /** Maps A and B (map-1, map-2) that update each other's fields, started by a "ping" event. */
  async function pingPong(): Promise<Bench> {
    const bench = await setup({ fields: [numberField('a_pts'), numberField('b_pts'), numberField('points')] });
    await bench.publish(mapDoc([
      { id: 'start', kind: 'trigger', on: { type: 'event', event: 'ping' }, next: 'incA' },
      onChange('onB', 'b_pts', 'incA'),
      inc('incA', 'a_pts'),
      end,
    ], [], 'A'));
    await bench.publish(mapDoc([onChange('onA', 'a_pts', 'incB'), inc('incB', 'b_pts'), end], [], 'B'));
    return bench;
  }

  it(`stops two maps updating each other's fields at depth ${MAX_DEPTH}: an error on the element, no throw, other contacts unharmed`, async () => {
    b = await pingPong();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'purchase' }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'points', value: '[points] + 25', next: 'e' },
      end,
    ], [], 'C'));
    await b.contact('ann');
    await b.contact('bob');
    const res = await b.rt.ingest([
      { contact: { id: 'ann' }, type: 'ping' },
      { contact: { id: 'bob' }, type: 'purchase' },
      { contact: { id: 'ann' }, type: 'purchase' },
    ]);
    expect(res.accepted).toBe(3);
    // a_pts changes at depths 1, 3, …, 33; B enters at 1, 3, …, 31 and A at 2, …, 32: 16 times each
    expect(await b.score('ann', 'a_pts')).toBe(17);
    expect(await b.score('ann', 'b_pts')).toBe(16);
    expect(await b.score('bob', 'points')).toBe(25);
    expect(await b.score('ann', 'points')).toBe(25);
    const stats = await b.stats('map-2');
    expect(stats.onA).toMatchObject({ wereHere: 16, errors: 1, hereNow: 0 });
    expect(stats.onA.lastError).toContain(`more than ${MAX_DEPTH} levels deep`);
    expect((await b.stats('map-1')).onB).toMatchObject({ wereHere: 16, errors: 0 });
    // Each cause has its own depth: the next ping runs the same course again.
    await b.event('ann', 'ping');
    expect(await b.score('ann', 'a_pts')).toBe(34);
    expect((await b.stats('map-2')).onA.errors).toBe(2);
  });

  it('the depth guard stops only the runaway: the same contact\'s unrelated waits and ignored triggers are untouched', async () => {
    b = await pingPong();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
      onChange('watch', 'a_pts', 'w'), // ifOnMap ignore: the contact is already here
      { id: 'w', kind: 'wait', until: { condition: { field: 'points', op: 'gte', value: 100 } }, next: 's' },
      { id: 's', kind: 'update_field', field: 'points', value: '1', next: 'e' },
      end,
    ], [], 'X'));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.event('ann', 'ping');
    expect(await b.score('ann', 'a_pts')).toBe(17);
    expect(await b.position('map-3', 'ann')).toMatchObject({ elementId: 'w', stuck: false, onCondition: true });
    const x = await b.stats('map-3');
    expect([x.watch?.errors ?? 0, x.w.errors]).toEqual([0, 0]);
    await updateContact(b.rt, 'ann', { points: 100 }, { api: true });
    expect(await b.score('ann', 'points')).toBe(1);
  });

  it('a condition wait that a change past the depth guard would open stops there, with an error', async () => {
    b = await setup({ fields: [numberField('a_pts'), numberField('b_pts'), numberField('points')] });
    // X first, so it looks at each change before A reacts to it
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
      { id: 'w', kind: 'wait', until: { condition: { field: 'a_pts', op: 'gte', value: 17 } }, next: 's' }, // a_pts reaches 17 at depth 33
      { id: 's', kind: 'update_field', field: 'points', value: '1', next: 'e' },
      end,
    ], [], 'X'));
    await b.publish(mapDoc([
      { id: 'start', kind: 'trigger', on: { type: 'event', event: 'ping' }, next: 'incA' },
      onChange('onB', 'b_pts', 'incA'),
      inc('incA', 'a_pts'),
      end,
    ], [], 'A'));
    await b.publish(mapDoc([onChange('onA', 'a_pts', 'incB'), inc('incB', 'b_pts'), end], [], 'B'));
    await b.contact('ann');
    await b.event('ann', 'go');
    await b.event('ann', 'ping');
    expect(await b.score('ann', 'a_pts')).toBe(17);
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'w', stuck: true });
    expect(await b.score('ann', 'points')).toBe(null);
    expect((await b.stats('map-1')).w).toMatchObject({ errors: 1, lastError: `Stopped: field changes cascaded more than ${MAX_DEPTH} levels deep` });
  });

  it(`stops a move after ${MAX_STEPS} instant steps (a loop through "wait until" a past date): the contact stops there`, async () => {
    b = await setup();
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'u' },
      inc('u', 'loops', 'w'),
      { id: 'w', kind: 'wait', until: { field: 'due_on' }, next: 'g' },
      { id: 'g', kind: 'goto', target: 'u' },
      { id: 't2', kind: 'trigger', on: { type: 'event', event: 'purchase' }, next: 'add' },
      { id: 'add', kind: 'update_field', field: 'points', value: '[points] + 25', next: 'e' },
      end,
    ], [numberField('loops'), numberField('points'), { key: 'due_on', label: 'Due on', type: 'date' }]));
    await b.contact('ann', { due_on: '2025-01-01T00:00:00Z' });
    await b.contact('bob');
    const res = await b.rt.ingest([{ contact: { id: 'ann' }, type: 'go' }, { contact: { id: 'bob' }, type: 'purchase' }]);
    expect(res.accepted).toBe(2);
    // steps: t, then u w g u w g …; step 1000 is u again, where the guard stops the contact
    expect(await b.score('ann', 'loops')).toBe(333);
    expect(await b.position('map-1', 'ann')).toMatchObject({ elementId: 'u', stuck: true, dueAt: null });
    expect(await b.score('bob', 'points')).toBe(25);
    const stats = await b.stats('map-1');
    expect(stats.u).toMatchObject({ errors: 1, hereNow: 1, wereHere: 333 });
    expect(stats.u.lastError).toBe(`Stopped after ${MAX_STEPS} steps without a wait: an endless loop?`);
    // A stuck contact stays put and time goes on for everyone else.
    await b.advance(T0 + DAY);
    expect(await b.score('ann', 'loops')).toBe(333);
  });

  it('a field change of a cascade re-checks condition waits of every map', async () => {
    b = await setup({ fields: [numberField('points'), numberField('step')] });
    await b.publish(mapDoc([
      { id: 't', kind: 'trigger', on: { type: 'event', event: 'go' }, next: 'w' },
      { id: 'w', kind: 'wait', until: { condition: { field: 'points', op: 'gte', value: 3 } }, next: 's' },
      { id: 's', kind: 'update_field', field: 'step', value: '1', next: 'e' },
      end,
    ]));
    await b.publish(mapDoc([onChange('t', 'company_size', 'add'), { id: 'add', kind: 'update_field', field: 'points', value: '[points] + 1', next: 'e' }, end]));
    await b.contact('ann');
    await b.event('ann', 'go');
    for (const size of [1, 2]) await updateContact(b.rt, 'ann', { company_size: size }, { api: true });
    expect(await b.score('ann', 'step')).toBe(null);
    await updateContact(b.rt, 'ann', { company_size: 3 }, { api: true });
    expect(await b.score('ann', 'step')).toBe(1);
  });
});
