import { describe, expect, it } from 'vitest';
import { deliveriesByContact, deliveryTarget, webhookCheckWords, type SimDelivery } from './result.js';

const d = (contact: string, extra: Partial<SimDelivery> = {}): SimDelivery => ({
  contact, at: '2026-01-01T10:00:00.000Z', map: 'map-1', element: 'notify', format: null, message: null, ...extra,
});

describe('simulated webhook deliveries', () => {
  it('name their target: the subscription, or the host of a URL of their own, with the format when known', () => {
    expect(deliveryTarget({ webhook: 'wh_sales', format: null })).toBe('webhook wh_sales');
    expect(deliveryTarget({ url: 'https://hooks.slack.com/services/T/B/x', format: 'slack' })).toBe('hooks.slack.com (Slack)');
    expect(deliveryTarget({ url: 'not a url', format: 'json' })).toBe('not a url (JSON)');
  });

  it('are grouped by contact in the order they were queued; an answer without any has none', () => {
    const list = [d('ann', { message: 'first' }), d('bob'), d('ann', { message: 'second' })];
    const by = deliveriesByContact({ webhooks: list });
    expect(by.get('ann')?.map((x) => x.message)).toEqual(['first', 'second']);
    expect(by.get('bob')).toHaveLength(1);
    expect(deliveriesByContact({}).size).toBe(0);
  });
});

describe('a webhook expectation in words', () => {
  const o = { start: '2026-01-01T00:00:00.000Z', elementName: (id: string) => (id === 'notify' ? 'Tell sales' : id), time: (iso: string) => iso.slice(0, 16) };
  it('says how many from which element by when, and what the run got', () => {
    expect(webhookCheckWords({ contact: 'ann', at: '2026-01-02T10:00:00.000Z', webhooks: 1, element: 'notify', actual: 1, pass: true }, o))
      .toBe('ann: 1 webhook from “Tell sales” by 2026-01-02T10:00 (day 2) — got 1 ✓');
    expect(webhookCheckWords({ contact: 'bob', at: '2026-01-01T00:00:00.000Z', webhooks: 2, actual: 0, pass: false }, o))
      .toBe('bob: 2 webhooks by 2026-01-01T00:00 (day 1) — got 0 ✗');
  });
});
