import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookCall } from '../../engine/effects.js';
import { DAY, HOUR, T0, mapDoc, setup, type Bench } from './testing.js';

let b: Bench;
afterEach(async () => {
  await b?.close();
});

/** Every delivery the runtime's batches queued, as the outbox would see them in each transaction. */
function spyOnDeliveries(bench: Bench): WebhookCall[] {
  const calls: WebhookCall[] = [];
  const flush = bench.rt.flush.bind(bench.rt);
  bench.rt.flush = async (s, effects, now) => {
    calls.push(...effects.webhooks);
    await flush(s, effects, now);
  };
  return calls;
}

/** A demo request posts to a subscription at once, then again after a day's wait, to a URL of its own. */
const demoMap = () => mapDoc([
  { id: 'demo', kind: 'trigger', on: { type: 'event', event: 'demo_requested' }, next: 'tell' },
  { id: 'tell', kind: 'webhook', webhook: 'wh_sales', message: '[First name] asked for a demo ([Score] points)', next: 'wait' },
  { id: 'wait', kind: 'wait', for: { days: 1 }, next: 'remind' },
  { id: 'remind', kind: 'webhook', url: 'https://example.com/remind', format: 'slack', message: 'Did anyone call [Email]?', next: 'done' },
  { id: 'done', kind: 'end' },
]);

describe('a published map with a webhook element', () => {
  it('puts a delivery on the batch effects and moves the contact on at once', async () => {
    b = await setup();
    const calls = spyOnDeliveries(b);
    const map = await b.publish(demoMap());
    await b.contact('ann', { first_name: 'Ann', email: 'ann@example.com', score: 12 });
    b.clock.set(T0 + HOUR);
    await b.event('ann', 'demo_requested');
    expect(calls).toEqual([{
      contactId: 'ann', at: T0 + HOUR, mapId: map, version: 1, elementId: 'tell',
      webhook: 'wh_sales', message: 'Ann asked for a demo (12 points)',
    }]);
    // It went on in the same move: the contact waits at the next element, and the webhook counts a visit.
    expect(await b.position(map, 'ann')).toMatchObject({ elementId: 'wait', dueAt: T0 + HOUR + DAY });
    expect((await b.stats(map)).tell).toMatchObject({ hereNow: 0, wereHere: 1, errors: 0 });
  });

  it('queues from due work too: the one after the wait is queued when the wait fires, with the fields of then', async () => {
    b = await setup();
    const calls = spyOnDeliveries(b);
    const map = await b.publish(demoMap());
    await b.contact('ann', { first_name: 'Ann', email: 'ann@example.com' });
    await b.event('ann', 'demo_requested');
    await b.advance(T0 + DAY - 1);
    expect(calls.map((c) => c.elementId)).toEqual(['tell']);
    await b.advance(T0 + 2 * DAY);
    expect(calls[1]).toEqual({
      contactId: 'ann', at: T0 + DAY, mapId: map, version: 1, elementId: 'remind',
      url: 'https://example.com/remind', format: 'slack', message: 'Did anyone call ann@example.com?',
    });
    expect(await b.position(map, 'ann')).toBeUndefined();
    expect((await b.stats(map)).remind).toMatchObject({ wereHere: 1, errors: 0 });
  });

  it('is refused at publish when it says nowhere to send, or names an unknown field', async () => {
    b = await setup();
    const broken = mapDoc([
      { id: 'demo', kind: 'trigger', on: { type: 'event', event: 'demo_requested' }, next: 'tell' },
      { id: 'tell', kind: 'webhook', message: 'Hi [Nickname]', next: 'done' },
      { id: 'done', kind: 'end' },
    ]);
    await expect(b.publish(broken)).rejects.toMatchObject({
      status: 422,
      details: { problems: expect.arrayContaining([
        expect.objectContaining({ element: 'tell', path: 'webhook' }),
        expect.objectContaining({ element: 'tell', path: 'message', message: expect.stringContaining('Unknown field [Nickname]') }),
      ]) },
    });
  });
});
