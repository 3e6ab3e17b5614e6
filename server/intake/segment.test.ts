import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BUILTIN_FIELDS, type FieldDef } from '../../engine/schema/field.js';
import { KNOWN_EVENTS } from '../../engine/schema/event.js';
import {
  checkBodySize, IntakeMapping, MAX_BATCH_BYTES, MAX_BATCH_CALLS, MAX_CALL_BYTES, maxBodyBytes, parseSegmentTime,
  readWriteKey, segmentBodySchema, snakeCase, STANDARD_EVENTS, translateRequest,
  type IntakeCall, type IntakeContext, type SegmentRoute,
} from './segment.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

const CUSTOM: FieldDef[] = [
  { key: 'plan_tier', label: 'Plan tier', type: 'text' },
  { key: 'seats', label: 'Seats', type: 'number', decimals: 0 },
  { key: 'mrr', label: 'MRR', type: 'number', decimals: 2 },
  { key: 'is_partner', label: 'Partner', type: 'boolean' },
  { key: 'renewal_date', label: 'Renewal', type: 'date' },
  { key: 'job_level', label: 'Job level', type: 'text' },
  { key: 'address_city', label: 'City', type: 'text' },
];
const FIELDS = [...BUILTIN_FIELDS, ...CUSTOM];

function context(over: Partial<IntakeContext> = {}): IntakeContext {
  let n = 0;
  return { now: NOW, fields: FIELDS, makeId: () => `gen-${++n}`, ...over };
}

/** The calls of a body that must translate. */
function calls(route: SegmentRoute, body: unknown, over: Partial<IntakeContext> = {}): IntakeCall[] {
  const r = translateRequest(route, body, context(over));
  if (!r.ok) throw new Error(`refused: ${r.message}`);
  return r.calls;
}
const one = (route: SegmentRoute, body: unknown, over: Partial<IntakeContext> = {}) => {
  const all = calls(route, body, over);
  expect(all).toHaveLength(1);
  return all[0];
};
/** The refusal of a body that must be refused. */
function refusal(route: SegmentRoute, body: unknown, over: Partial<IntakeContext> = {}) {
  const r = translateRequest(route, body, context(over));
  if (r.ok) throw new Error('accepted');
  return r;
}
const track = (event: string, properties?: unknown, more: object = {}) => one('track', { userId: 'u1', event, properties, ...more });

describe('what the official libraries send', () => {
  it('takes a batch from @segment/analytics-node as it is', () => {
    // The shape analytics-node's publisher posts: calls with messageId "node-next-<ms>-<uuid>",
    // a timestamp, _metadata, context.library and empty integrations; sentAt on the batch.
    const base = {
      _metadata: { nodeVersion: '20.20.0', jsRuntime: 'node' },
      context: { library: { name: '@segment/analytics-node', version: '2.2.0' } },
      integrations: {},
    };
    const body = {
      batch: [
        { ...base, type: 'identify', userId: 'user-1', traits: { email: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', title: 'CTO', company: { name: 'Initech', employee_count: 420 } }, messageId: 'node-next-1772366400000-743be593-7789-4b74-8078-cbcc8894c586', timestamp: '2026-03-01T11:59:58.000Z' },
        { ...base, type: 'track', userId: 'user-1', event: 'Order Completed', properties: { order_id: 'o-9', revenue: 99.5, total: 120, currency: 'EUR', products: [{ product_id: 'p1', sku: 'PRO-1', name: 'Pro plan', price: 99.5 }] }, messageId: 'node-next-1772366400001-0f8b', timestamp: '2026-03-01T11:59:59.000Z' },
        { ...base, type: 'page', anonymousId: 'anon-7', name: 'Pricing', category: 'Docs', properties: { category: 'Docs', url: 'https://ex.io/pricing', path: '/pricing' }, messageId: 'node-next-1772366400002-aa', timestamp: '2026-03-01T11:59:59.500Z' },
        { ...base, type: 'alias', userId: 'user-1', previousId: 'anon-7', messageId: 'node-next-1772366400003-bb', timestamp: '2026-03-01T12:00:00.000Z' },
      ],
      sentAt: '2026-03-01T12:00:00.100Z',
    };
    const [identify, order, page, alias] = calls('batch', body);
    expect(identify).toEqual({
      id: 'node-next-1772366400000-743be593-7789-4b74-8078-cbcc8894c586', method: 'identify', where: 'batch[0]', at: Date.parse('2026-03-01T11:59:58.000Z'),
      who: { userId: 'user-1', email: 'ann@example.com' },
      fields: { email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee', job_title: 'CTO', company: 'Initech', company_size: 420 },
    });
    expect(order.event).toEqual({
      id: 'node-next-1772366400001-0f8b', type: 'purchase', at: Date.parse('2026-03-01T11:59:59.000Z'),
      props: { amount: 99.5, product: 'Pro plan', order_id: 'o-9', revenue: 99.5, total: 120, currency: 'EUR', products: '[{"product_id":"p1","sku":"PRO-1","name":"Pro plan","price":99.5}]' },
    });
    expect(page).toMatchObject({ who: { anonymousId: 'anon-7' }, event: { type: 'page_visited', props: { url: 'https://ex.io/pricing', path: '/pricing', name: 'Pricing', category: 'Docs' } } });
    expect(alias).toMatchObject({ method: 'alias', who: { userId: 'user-1' }, alias: { previousId: 'anon-7', userId: 'user-1' } });
    expect(alias.event).toBeUndefined();
  });

  it('takes a batch from @rudderstack/rudder-sdk-node: originalTimestamp corrected by sentAt, numeric ids as text', () => {
    // rudder-sdk-node sets originalTimestamp and a sentAt on every call and on the batch, copies an
    // identify's traits into context.traits, adds channel "server" and a uuid messageId.
    const clientAhead = 5 * 60_000; // the client's clock runs five minutes fast
    const iso = (ms: number) => new Date(ms).toISOString();
    const sentAt = iso(NOW + clientAhead);
    const body = {
      batch: [
        { type: 'identify', userId: '42', traits: { email: 'bo@example.com', plan_tier: 'gold' }, context: { traits: { email: 'bo@example.com', plan_tier: 'gold' }, library: { name: 'analytics-node', version: '2.1.4' } }, channel: 'server', _metadata: { nodeVersion: '20.20.0' }, originalTimestamp: iso(NOW + clientAhead - 30_000), messageId: '1d2b6a36-3c8f-4a57-9b2f-3a8f0e2c7c1e', sentAt },
        { type: 'track', userId: 42, event: 'Trial Started', properties: { trial_plan_name: 'Business' }, context: { library: { name: 'analytics-node', version: '2.1.4' } }, channel: 'server', originalTimestamp: iso(NOW + clientAhead - 10_000), messageId: 'c0a80121-7ac0-4e1c-9f3a-2b9d5f7e6a11', sentAt },
      ],
      timestamp: sentAt,
      sentAt,
    };
    const [identify, trial] = calls('batch', body);
    expect(identify.who).toEqual({ userId: '42', email: 'bo@example.com' });
    expect(identify.fields).toEqual({ email: 'bo@example.com', plan_tier: 'gold' });
    expect(identify.at).toBe(NOW - 30_000);
    expect(trial.who).toEqual({ userId: '42' });
    expect(trial.event).toEqual({ id: 'c0a80121-7ac0-4e1c-9f3a-2b9d5f7e6a11', type: 'trial_started', at: NOW - 10_000, props: { trial_plan_name: 'Business' } });
  });

  it('takes the HTTP API examples as Segment documents them, writeKey in the body included', () => {
    const body = { userId: '019mr8mf4r', traits: { email: 'pgibbons@example.com', name: 'Peter Gibbons', industry: 'Technology' }, context: { ip: '24.5.68.47' }, timestamp: '2012-12-02T00:30:08.276Z', writeKey: 'YOUR_WRITE_KEY' };
    expect(readWriteKey(body)).toBe('YOUR_WRITE_KEY');
    expect(one('identify', body)).toMatchObject({ at: Date.parse('2012-12-02T00:30:08.276Z'), fields: { email: 'pgibbons@example.com', first_name: 'Peter', last_name: 'Gibbons', industry: 'Technology' } });
    // Segment's own batch example writes "2015-2-02": a one-digit month is read, not refused.
    const batch = one('batch', { batch: [{ type: 'track', userId: '971mj8mk7p', event: 'Song Played', properties: { name: 'Get Right' }, timestamp: '2015-2-02T00:30:12.984Z' }], writeKey: 'k' });
    expect(batch.event).toMatchObject({ type: 'song_played', at: Date.parse('2015-02-02T00:30:12.984Z') });
  });

  it('keeps quiet about keys it does not know, and reads null as absent', () => {
    const c = one('track', {
      userId: 'u1', anonymousId: null, event: 'Signed Up', properties: null, context: { library: { name: 'x' }, traits: null, page: null, userAgentData: { brands: [] } },
      integrations: { All: false, Mixpanel: true }, _metadata: { bundled: [] }, version: 2, receivedAt: 'whatever', channel: 'server', options: {},
    });
    expect(c).toMatchObject({ who: { userId: 'u1' }, event: { type: 'signed_up', props: {} } });
    expect(readWriteKey({ writeKey: 3 })).toBeUndefined();
    expect(readWriteKey(null)).toBeUndefined();
  });
});

describe('event names', () => {
  it('maps every standard name in the table to a Scoremap type, in any casing', () => {
    const expected: Record<string, string> = {
      'Email Opened': 'email_opened', 'Email Link Clicked': 'email_link_clicked', 'Email Bounced': 'email_bounced',
      'Email Marked as Spam': 'email_marked_spam', Unsubscribed: 'email_unsubscribed', 'Order Completed': 'purchase',
      'Completed Order': 'purchase', 'Cart Abandoned': 'checkout_abandoned', 'Checkout Abandoned': 'checkout_abandoned',
      'Trial Started': 'trial_started', 'Demo Requested': 'demo_requested', 'Subscription Started': 'subscription_started',
      'Subscription Cancelled': 'subscription_cancelled', 'Subscription Canceled': 'subscription_cancelled',
    };
    expect(Object.keys(STANDARD_EVENTS).sort()).toEqual(Object.keys(expected).map((n) => snakeCase(n)).sort());
    for (const [name, type] of Object.entries(expected)) {
      expect(KNOWN_EVENTS[type], type).toBeDefined();
      expect(track(name).event?.type, name).toBe(type);
      expect(track(name.toUpperCase()).event?.type).toBe(type);
      expect(track(name.replace(/ (\w)/g, (_, c: string) => c.toUpperCase())).event?.type).toBe(type);
    }
  });

  it('leaves the start of a checkout alone: it is not its abandonment', () => {
    expect(track('Checkout Started').event?.type).toBe('checkout_started');
  });

  it('makes any other name lower snake case, within what an event type allows', () => {
    expect(track('Webinar Attended').event?.type).toBe('webinar_attended');
    expect(track('webinarAttended').event?.type).toBe('webinar_attended');
    expect(track('  Viewed  the PDF — v2!! ').event?.type).toBe('viewed_the_pdf_v2');
    expect(track('Démo réservée').event?.type).toBe('demo_reservee');
    expect(track('HTMLExport Done').event?.type).toBe('html_export_done');
    expect(track('2024 Webinar').event?.type).toBe('webinar');
    expect(track('app.opened').event?.type).toBe('app.opened');
    expect(track(`A ${'very '.repeat(30)}long name`).event?.type).toBe(`a_${'very_'.repeat(12)}ve`.slice(0, 64));
    expect(track(`A ${'very '.repeat(30)}long name`).event?.type).toHaveLength(64);
  });

  it('refuses, in words, a name that leaves nothing to make a type of', () => {
    expect(refusal('track', { userId: 'u', event: '注文完了' }).message).toBe('the event name "注文完了" gives no event type (types are made of the letters a–z, digits, "_" and "."): map it to a type in the intake settings, or rename it');
    expect(refusal('batch', { batch: [{ type: 'track', userId: 'u', event: 'ok' }, { type: 'track', userId: 'u', event: '!!!' }] }).message).toMatch(/^batch\[1\]: the event name "!!!" gives no event type/);
  });

  it("follows the user's table before the standard names, matching names loosely", () => {
    const mapping = { events: { 'Order Completed': 'deal_won', 'signed up': 'signup', 'Application Opened': '' }, traits: {} };
    expect(track('Order Completed', {}, {}).event?.type).toBe('purchase');
    expect(one('track', { userId: 'u', event: 'Order Completed' }, { mapping }).event?.type).toBe('deal_won');
    expect(one('track', { userId: 'u', event: 'Signed Up' }, { mapping }).event?.type).toBe('signup');
    expect(one('track', { userId: 'u', event: 'signedUp' }, { mapping }).event?.type).toBe('signup');
    // An empty type ignores the event; the call still names its person and their traits.
    const ignored = one('track', { userId: 'u', event: 'Application Opened', context: { traits: { email: 'a@b.co' } } }, { mapping });
    expect(ignored.event).toBeUndefined();
    expect(ignored.who).toEqual({ userId: 'u', email: 'a@b.co' });
    expect(refusal('track', { userId: 'u', event: 'X' }, { mapping: { events: { X: 'Not A Type' } } }).message).toBe('the event mapping sends "X" to "Not A Type", which is not an event type (a lower-case letter, then letters, digits, "_" or ".", at most 64): correct it in the intake settings');
  });

  it('checks a settings table with its schema', () => {
    expect(IntakeMapping.parse({ events: { 'Signed Up': 'signup' } })).toEqual({ events: { 'Signed Up': 'signup' }, traits: {} });
    expect(IntakeMapping.safeParse({ events: { X: 'Bad Type' } }).success).toBe(false);
    expect(IntakeMapping.safeParse({ traits: { plan: 'Plan!' } }).success).toBe(false);
    expect(IntakeMapping.safeParse({ traits: { plan: '' } }).success).toBe(true);
  });
});

describe('props', () => {
  it('flattens nested objects with dots, writes lists as JSON text and leaves nulls out', () => {
    const e = track('Product Viewed', { product: { sku: 'S-1', price: { amount: 9, currency: 'EUR' } }, tags: ['a', 'b'], empty: null, none: {}, ok: true }).event!;
    expect(e.props).toEqual({ 'product.sku': 'S-1', 'product.price.amount': 9, 'product.price.currency': 'EUR', tags: '["a","b"]', ok: true });
  });

  it('leaves out numbers JSON cannot hold, names over 64 characters and props past 100', () => {
    const many = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`p${i}`, i]));
    const e = track('Big', { huge: 1e400, [`${'k'.repeat(65)}`]: 'x', [`${'k'.repeat(64)}`]: 'kept', '': 'no name', ...many }).event!;
    expect(e.props.huge).toBeUndefined();
    expect(e.props[`${'k'.repeat(64)}`]).toBe('kept');
    expect(Object.keys(e.props)).toHaveLength(100);
    expect(e.props.p98).toBe(98);
    expect(e.props.p99).toBeUndefined();
    expect(e.props['']).toBeUndefined();
  });

  it('cuts text at 10,000 characters without splitting a character', () => {
    const e = track('Long', { note: 'x'.repeat(12_000), emoji: `${'y'.repeat(9_999)}😀` }).event!;
    expect(e.props.note).toBe('x'.repeat(10_000));
    expect(e.props.emoji).toBe('y'.repeat(9_999));
  });

  it("gives a purchase its amount from revenue, else total, and its product from the first product's name", () => {
    expect(track('Order Completed', { revenue: '39.95', total: 50 }).event?.props).toMatchObject({ amount: 39.95, revenue: '39.95' });
    expect(track('Order Completed', { total: 50, products: [{ name: 'A' }, { name: 'B' }] }).event?.props).toMatchObject({ amount: 50, product: 'A' });
    expect(track('Order Completed', { amount: 7, revenue: 9, product: 'Own' }).event?.props).toMatchObject({ amount: 7, product: 'Own' });
    expect(track('Order Completed', { revenue: '12.34567', product: { sku: 'S' }, products: [{ name: 'First' }] }).event?.props).toMatchObject({ amount: 12.34567, product: 'First', 'product.sku': 'S' });
    expect(track('Order Completed', { revenue: 'free' }).event?.props).toEqual({ amount: 'free', revenue: 'free' });
    const bare = track('Order Completed', { order_id: 'o1' }).event!.props;
    expect(bare.amount).toBeUndefined();
    expect(bare.product).toBeUndefined();
  });

  it("gives a clicked email link its url from link_url, and makes a known type's props their type", () => {
    expect(track('Email Link Clicked', { link_url: 'https://x.io/?p=1', link_id: '101' }).event?.props).toEqual({ url: 'https://x.io/?p=1', link_url: 'https://x.io/?p=1', link_id: '101' });
    expect(track('Email Bounced', { hard: 'true' }).event?.props).toEqual({ hard: true });
    expect(track('Email Bounced', { hard: 'maybe' }).event?.props).toEqual({ hard: 'maybe' });
  });

  it('gives page and screen views url, path, title and referrer from properties, else context.page', () => {
    const page = one('page', {
      anonymousId: 'a1', name: 'Pricing', properties: { title: 'Pricing — Acme', plan: 'pro' },
      context: { page: { url: 'https://acme.io/pricing?x=1', path: '/pricing', title: 'ignored', referrer: 'https://google.com/', search: '?x=1' } },
    });
    expect(page.event?.props).toEqual({ url: 'https://acme.io/pricing?x=1', path: '/pricing', title: 'Pricing — Acme', referrer: 'https://google.com/', search: '?x=1', name: 'Pricing', plan: 'pro' });
    const screen = one('screen', { userId: 'u', name: 'Settings', category: 'App' });
    expect(screen.event).toMatchObject({ type: 'page_visited', props: { name: 'Settings', category: 'App' } });
  });

  it('takes a batch context for every call, the call’s own winning', () => {
    const [a, b] = calls('batch', {
      context: { page: { url: 'https://acme.io/' }, traits: { email: 'x@acme.io', company: 'Acme' } },
      batch: [
        { type: 'page', anonymousId: 'a' },
        { type: 'page', anonymousId: 'a', context: { page: { url: 'https://acme.io/docs' }, traits: { email: 'y@acme.io' } } },
      ],
    });
    expect(a.event?.props.url).toBe('https://acme.io/');
    expect(a.who.email).toBe('x@acme.io');
    expect(b.event?.props.url).toBe('https://acme.io/docs');
    expect(b.who.email).toBe('y@acme.io');
    expect(b.fields).toEqual({ email: 'y@acme.io', company: 'Acme' });
  });
});

describe('event ids', () => {
  it('uses the messageId, so a call sent again is a duplicate; makes one when there is none', () => {
    expect(track('A', {}, { messageId: 'm-1' }).event?.id).toBe('m-1');
    expect(track('A', {}, { messageId: 12345 }).event?.id).toBe('12345');
    const [x, y] = calls('batch', { batch: [{ type: 'track', userId: 'u', event: 'A' }, { type: 'page', userId: 'u' }] });
    expect([x.event?.id, y.event?.id]).toEqual(['gen-1', 'gen-2']);
  });

  it('hashes a messageId too long for an event id, the same each time', () => {
    const long = 'm'.repeat(500);
    const a = track('A', {}, { messageId: long }).event!.id;
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(track('B', {}, { messageId: long }).event!.id).toBe(a);
    expect(track('A', {}, { messageId: 'm'.repeat(200) }).event!.id).toBe('m'.repeat(200));
  });
});

describe('time', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  it('takes timestamp as given, even with a sentAt', () => {
    expect(track('A', {}, { timestamp: '2026-02-01T10:00:00+02:00', sentAt: iso(NOW + 3_600_000) }).at).toBe(Date.parse('2026-02-01T08:00:00Z'));
  });

  it("moves originalTimestamp by the client's clock skew: now - (sentAt - originalTimestamp)", () => {
    // A phone two hours slow sent, a minute after the event, a call we received at NOW.
    const slow = -2 * 3_600_000;
    const c = track('A', {}, { originalTimestamp: iso(NOW + slow - 60_000), sentAt: iso(NOW + slow) });
    expect(c.at).toBe(NOW - 60_000);
    expect(c.event?.at).toBe(NOW - 60_000);
  });

  it("applies a batch's sentAt to calls without their own; a call's own wins", () => {
    const [a, b] = calls('batch', {
      sentAt: iso(NOW + 10_000),
      batch: [
        { type: 'track', userId: 'u', event: 'A', originalTimestamp: iso(NOW + 5_000) },
        { type: 'track', userId: 'u', event: 'B', originalTimestamp: iso(NOW + 5_000), sentAt: iso(NOW + 20_000) },
      ],
    });
    expect(a.at).toBe(NOW - 5_000);
    expect(b.at).toBe(NOW - 15_000);
  });

  it('takes originalTimestamp as given without a sentAt, and the time the request came in without either', () => {
    expect(track('A', {}, { originalTimestamp: '2026-01-01T00:00:00Z' }).at).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(track('A').at).toBe(NOW);
  });

  it('refuses a time that is none, in words', () => {
    expect(refusal('track', { userId: 'u', event: 'A', timestamp: 'yesterday' }).message).toBe('timestamp: "yesterday" is not an ISO-8601 time such as 2026-01-01T10:00:00Z');
    expect(refusal('batch', { batch: [{ type: 'track', userId: 'u', event: 'A', sentAt: '2026-02-30T00:00:00Z' }] }).message).toBe('batch[0].sentAt: "2026-02-30T00:00:00Z" is not an ISO-8601 time such as 2026-01-01T10:00:00Z');
    expect(refusal('track', { userId: 'u', event: 'A', timestamp: 1772366400000 }).message).toBe('"timestamp" is an ISO-8601 time such as 2026-01-01T10:00:00Z');
    expect(refusal('batch', { sentAt: 'soon', batch: [] }).message).toBe('sentAt: "soon" is not an ISO-8601 time such as 2026-01-01T10:00:00Z');
  });

  it('refuses a corrected time outside the years 0–9999', () => {
    expect(refusal('track', { userId: 'u', event: 'A', originalTimestamp: '0001-01-01T00:00:00Z', sentAt: '9999-01-01T00:00:00Z' }).message)
      .toMatch(/^the call's time works out to -\d+ ms since 1970, outside the years 0–9999: check "timestamp", "originalTimestamp" and "sentAt"$/);
  });

  it('reads ISO-8601 as clients write it', () => {
    expect(parseSegmentTime('2026-03-01T12:00:00.123456Z')).toBe(Date.parse('2026-03-01T12:00:00.123Z'));
    expect(parseSegmentTime('2026-03-01 12:00:00-0530')).toBe(Date.parse('2026-03-01T17:30:00Z'));
    expect(parseSegmentTime('2026-03-01T12:00')).toBe(Date.parse('2026-03-01T12:00:00Z'));
    expect(parseSegmentTime('2026-03-01')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(parseSegmentTime('0050-01-01T00:00:00Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    for (const bad of ['2026-13-01', '2026-02-29', '2026-03-01T24:00', '2026-03-01T12:60', '03/01/2026', '', '2026-03-01T12:00:00+25:00']) {
      expect(parseSegmentTime(bad), bad).toBeNull();
    }
    expect(parseSegmentTime('2024-02-29')).toBe(Date.parse('2024-02-29T00:00:00Z'));
  });
});

describe('traits to fields', () => {
  const identify = (traits: unknown, over: Partial<IntakeContext> = {}) => one('identify', { userId: 'u1', traits }, over);

  it('sets the built-in fields from Segment’s reserved traits', () => {
    expect(identify({ email: ' ann@example.com ', first_name: 'Ann', last_name: 'Lee', title: 'VP Sales', company: 'Initech', industry: 'Software', employees: '250', address: { country: 'FR', city: 'Paris' } }).fields)
      .toEqual({ email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee', job_title: 'VP Sales', company: 'Initech', industry: 'Software', company_size: 250, country: 'FR', address_city: 'Paris' });
    expect(identify({ company: { name: 'Acme', industry: 'Retail', employee_count: 12 } }).fields).toEqual({ company: 'Acme', industry: 'Retail', company_size: 12 });
    expect(identify({ jobTitle: 'CEO', title: 'ignored: the own key wins', companySize: 9, employees: 10 }).fields).toEqual({ job_title: 'CEO', company_size: 9 });
  });

  it('splits name into first and last names only when neither was given', () => {
    expect(identify({ name: 'Mary Ann de la Cruz' }).fields).toEqual({ first_name: 'Mary', last_name: 'Ann de la Cruz' });
    expect(identify({ name: 'Cher' }).fields).toEqual({ first_name: 'Cher' });
    expect(identify({ name: 'Peter Gibbons', firstName: 'Pete' }).fields).toEqual({ first_name: 'Pete' });
  });

  it('sets a custom field from a trait whose snake-cased name is its key, made its type', () => {
    expect(identify({ planTier: 'gold', seats: '12', mrr: 99.999, isPartner: 'TRUE', renewalDate: '2026-09-01' }).fields)
      .toEqual({ plan_tier: 'gold', seats: 12, mrr: 100, is_partner: true, renewal_date: Date.parse('2026-09-01T00:00:00Z') });
  });

  it('drops a value that would be a guess, and never refuses a call for a stray trait', () => {
    expect(identify({ seats: '12 people', mrr: '0x10', isPartner: 'yes', renewalDate: 1767225600, email: 'not an email', company: { id: 7 }, industry: ['a'], age: 40, avatar: 'x.png' }).fields).toBeUndefined();
    expect(identify({ seats: null, plan_tier: '', first_name: '   ' }).fields).toBeUndefined();
    expect(identify({ email: 'bad' }).who).toEqual({ userId: 'u1' });
  });

  it('never writes the fields the system keeps, not even through the user’s table', () => {
    const mapping = { events: {}, traits: { points: 'score' } };
    expect(identify({ score: 99, points: 5, createdAt: '2020-01-01T00:00:00Z', tags: ['vip'], externalId: 'x', anonymousId: 'y', lastActivityAt: '2020-01-01' }, { mapping }).fields).toBeUndefined();
  });

  it('follows the user’s trait table before the defaults; an empty key ignores the trait', () => {
    const mapping = { events: {}, traits: { title: 'job_level', 'Company Name': 'company', 'address.city': 'plan_tier', industry: '', unknown_target: 'nope' } };
    expect(identify({ title: 'Director', jobTitle: 'Head of Ops', company_name: 'Globex', address: { city: 'Lyon' }, industry: 'Retail', unknown_target: 'x' }, { mapping }).fields)
      .toEqual({ job_level: 'Director', job_title: 'Head of Ops', company: 'Globex', plan_tier: 'Lyon' });
  });

  it("takes a group's traits as its company's: name, industry, employees — never the person's email or name", () => {
    const c = one('group', { userId: 'u1', groupId: 'g-1', traits: { name: 'Initech', industry: 'Technology', employees: 420, email: 'hello@initech.com', plan_tier: 'enterprise', country: 'US' } });
    expect(c).toMatchObject({ method: 'group', groupId: 'g-1', who: { userId: 'u1' } });
    expect(c.fields).toEqual({ company: 'Initech', industry: 'Technology', company_size: 420, plan_tier: 'enterprise' });
    expect(c.who.email).toBeUndefined();
  });

  it("takes the person from any call's context.traits, the call's own traits winning on identify", () => {
    const t = one('track', { anonymousId: 'a', event: 'Email Opened', context: { traits: { email: 'pg@initech.com', firstName: 'Peter' } } });
    expect(t.who).toEqual({ anonymousId: 'a', email: 'pg@initech.com' });
    expect(t.fields).toEqual({ email: 'pg@initech.com', first_name: 'Peter' });
    const i = one('identify', { userId: 'u', traits: { email: 'new@x.io' }, context: { traits: { email: 'old@x.io', lastName: 'Lee' } } });
    expect(i.who.email).toBe('new@x.io');
    expect(i.fields).toEqual({ email: 'new@x.io', last_name: 'Lee' });
    const g = one('group', { userId: 'u', groupId: 'g', traits: { name: 'Acme' }, context: { traits: { email: 'p@acme.io', company: 'Old' } } });
    expect(g.who.email).toBe('p@acme.io');
    expect(g.fields).toEqual({ email: 'p@acme.io', company: 'Acme' });
  });

  it('does not take userId as a field (the identity code puts it in external_id)', () => {
    expect(one('identify', { userId: 'u-9', traits: {} })).toEqual({ id: 'gen-1', method: 'identify', where: '', who: { userId: 'u-9' }, at: NOW });
  });
});

describe('refusals, in words, with where', () => {
  const cases: [SegmentRoute, unknown, string][] = [
    ['track', { event: 'A' }, 'a track call needs a "userId" or an "anonymousId"'],
    ['track', { userId: '', anonymousId: null, event: 'A' }, 'a track call needs a "userId" or an "anonymousId"'],
    ['identify', { traits: {} }, 'an identify call needs a "userId" or an "anonymousId"'],
    ['track', { userId: 'u' }, 'a track call needs an "event" name'],
    ['track', { userId: 'u', event: '   ' }, 'a track call needs an "event" name'],
    ['track', { userId: 'u', event: 7 }, 'the "event" name is text'],
    ['group', { userId: 'u', traits: {} }, 'a group call needs a "groupId"'],
    ['alias', { userId: 'u' }, 'an alias call needs a "previousId" (the id it replaces) and a "userId"'],
    ['alias', { previousId: 'p', anonymousId: 'a' }, 'an alias call needs a "previousId" (the id it replaces) and a "userId"'],
    ['track', { userId: true, event: 'A' }, '"userId" is text or a number'],
    ['track', { userId: 'u'.repeat(201), event: 'A' }, '"userId" has at most 200 characters'],
    ['track', { userId: 'u', event: 'A', properties: ['a'] }, '"properties" is an object of names and values'],
    ['identify', { userId: 'u', traits: 'vip' }, '"traits" is an object of names and values'],
    ['track', { userId: 'u', event: 'A', context: { traits: 3 } }, '"context.traits" is an object of names and values'],
    ['track', { userId: 'u', event: 'A', type: 'identify' }, 'this route takes track calls, and the call says "type": "identify": send it to /v1/identify'],
    ['track', [], 'send a JSON object: a Segment track call'],
    ['batch', { batch: {} }, '"batch" is a list of calls'],
    ['batch', [], 'send a JSON object: a Segment batch { "batch": [ … ] }'],
    ['batch', { batch: [{ type: 'track', userId: 'u', event: 'A' }, { type: 'flush', userId: 'u' }] }, 'batch[1]: a call in a batch needs a "type": one of track, identify, page, screen, group, alias'],
    ['batch', { batch: [{ userId: 'u' }] }, 'batch[0]: a call in a batch needs a "type": one of track, identify, page, screen, group, alias'],
    ['batch', { batch: ['x'] }, 'batch[0]: a call in a batch is an object with a "type"'],
    ['batch', { batch: [{ type: 'page', userId: 'u' }, { type: 'page', userId: 'u' }, { type: 'track', userId: 'u' }] }, 'batch[2]: a track call needs an "event" name'],
    ['batch', { batch: [{ type: 'group', userId: 'u', groupId: 'g', traits: [] }] }, 'batch[0]: "traits" is an object of names and values'],
  ];
  it.each(cases)('%s %j → %s', (route, body, message) => {
    expect(refusal(route, body).message).toBe(message);
  });

  it('lists every problem, and says how many more there are', () => {
    const r = refusal('batch', { batch: [{ type: 'track', userId: 'u' }, { type: 'page' }, { type: 'track', userId: 'u', event: 'ok' }] });
    expect(r.problems).toEqual([
      { path: 'batch[0]', message: 'a track call needs an "event" name' },
      { path: 'batch[1]', message: 'a page call needs a "userId" or an "anonymousId"' },
    ]);
    expect(r.message).toBe('batch[0]: a track call needs an "event" name (and 1 more problem)');
  });

  it('refuses a call over 32 KB inside a batch, and a batch of more than 2,500 calls', () => {
    const big = { type: 'track', userId: 'u', event: 'A', properties: { blob: 'x'.repeat(MAX_CALL_BYTES) } };
    expect(refusal('batch', { batch: [{ type: 'page', userId: 'u' }, big] }).message).toMatch(/^batch\[1\]: the call is 32,8\d\d bytes; a call may be at most 32 KB \(32,768 bytes\)$/);
    const many = { batch: Array.from({ length: MAX_BATCH_CALLS + 1 }, () => ({ type: 'page', userId: 'u' })) };
    expect(refusal('batch', many).message).toBe('batch: a batch holds at most 2,500 calls: send the rest in another batch');
    expect(calls('batch', { batch: many.batch.slice(1) })).toHaveLength(MAX_BATCH_CALLS);
  });

  it('takes an empty batch as nothing to do', () => {
    expect(calls('batch', { batch: [] })).toEqual([]);
  });
});

describe('limits', () => {
  it("are Segment's: 32 KB a call, 500 KB a batch", () => {
    expect([MAX_CALL_BYTES, MAX_BATCH_BYTES]).toEqual([32_768, 512_000]);
    expect(maxBodyBytes('track')).toBe(MAX_CALL_BYTES);
    expect(maxBodyBytes('batch')).toBe(MAX_BATCH_BYTES);
    expect(checkBodySize('identify', MAX_CALL_BYTES)).toBeNull();
    expect(checkBodySize('identify', MAX_CALL_BYTES + 1)).toBe('The call is 32,769 bytes; a call may be at most 32 KB (32,768 bytes): send fewer or shorter properties and traits');
    expect(checkBodySize('batch', MAX_CALL_BYTES + 1)).toBeNull();
    expect(checkBodySize('batch', MAX_BATCH_BYTES + 1)).toBe('The batch is 512,001 bytes; a batch may be at most 500 KB (512,000 bytes): send it in smaller batches');
  });

  it('gives each route a body schema the API document can show', () => {
    for (const route of ['track', 'identify', 'page', 'screen', 'group', 'alias', 'batch'] as const) {
      expect(segmentBodySchema(route).safeParse({}).success, route).toBe(false);
    }
    expect(segmentBodySchema('track').safeParse({ userId: 'u', event: 'A' }).success).toBe(true);
    // As the API document generates it (server/http/openapi.ts).
    const doc = z.toJSONSchema(segmentBodySchema('batch'), { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
    expect(doc).toMatchObject({ type: 'object', properties: { batch: { type: 'array', maxItems: MAX_BATCH_CALLS } } });
  });
});

describe('snakeCase', () => {
  it('makes trait and event names lower snake case', () => {
    expect(['firstName', 'first_name', 'First Name', 'FIRST-NAME', 'userID', 'HTMLPage', 'address.country', '__x__'].map((n) => snakeCase(n)))
      .toEqual(['first_name', 'first_name', 'first_name', 'first_name', 'user_id', 'html_page', 'address_country', 'x']);
    expect(snakeCase('App . Opened', { keepDots: true })).toBe('app.opened');
  });
});
