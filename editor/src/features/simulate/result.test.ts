import { describe, expect, it } from 'vitest';
import { deliveriesByContact, deliveryTarget, type SimDelivery } from './result.js';

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
