/**
 * The official Segment-compatible libraries, unchanged, against a real `scoremap serve` process
 * (SPEC §10 "Segment-compatible intake"): `@segment/analytics-node` pointed at Scoremap with its
 * `host`, RudderStack's `@rudderstack/rudder-sdk-node` with its `dataPlaneUrl` (gzipped bodies, its
 * default). Each sends real batches — page views of an anonymous visitor, the identify that says
 * who they are, standard track names, a resent messageId, an alias — and the contacts, scores and
 * history read back through the API tell the story. A wrong key is reported by the library and
 * stores nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, testDatabase } from '../server/store/testing.js';
import { api, killAll, ok, startServer, stop, type ServerProcess } from './server-process.js';

/** One contact as `GET /api/contacts/:id` shows it. */
interface Contact {
  id: string;
  fields: Record<string, unknown>;
  tags: string[];
}
/** One entry of `GET /api/contacts/:id/history`. */
interface Change {
  at: string;
  field: string;
  from: unknown;
  to: unknown;
  cause: { event?: { id: string; type: string }; rule?: string; merged?: unknown; [k: string]: unknown };
}

let server: ServerProcess;
let db: string;
/** The ingest key's secret, as a library's write key. */
let writeKey: string;

beforeAll(async () => {
  db = onPostgres ? testDatabase() : `${mkdtempSync(`${tmpdir()}/scoremap-libraries-`)}/scoremap.db`;
  // The manual clock starts at the real time: the libraries stamp their calls with the real clock.
  server = await startServer(db, new Date().toISOString());
  await ok(server, '/scoring-models', JSON.parse(readFileSync(new URL('../maps/recommended-scoring.json', import.meta.url), 'utf8')));
  writeKey = (await ok(server, '/keys', { name: 'Backend', scope: 'ingest' })).secret;
}, 120_000);

afterAll(async () => {
  if (server) expect(await stop(server)).toBe(0);
  await killAll();
});

/** Rows in one of the server's tables, read from its database beside it (SQLite file or PostgreSQL schema). */
async function rows(table: 'events' | 'contacts'): Promise<number> {
  if (!onPostgres) {
    const sqlite = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    } finally {
      sqlite.close();
    }
  }
  const u = new URL(db);
  const schema = u.searchParams.get('schema')!;
  u.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(`select count(*) as n from ${schema}.${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

const contacts = async (): Promise<Contact[]> => (await ok(server, '/contacts?limit=500')).contacts;
const contact = async (id: string): Promise<Contact> => ok(server, `/contacts/${id}`);
const history = async (id: string, field?: string): Promise<Change[]> =>
  (await ok(server, `/contacts/${id}/history?limit=500${field ? `&field=${field}` : ''}`)).history;
/** The one contact whose field `key` is `value` (fails when there are none or several). */
async function only(key: string, value: unknown): Promise<Contact> {
  const found = (await contacts()).filter((c) => c.fields[key] === value);
  expect(found.map((c) => c.fields), `contacts with ${key} = ${String(value)}`).toHaveLength(1);
  return found[0];
}
/** The status `GET /api/contacts/:id` answers (404: merged away). */
const status = async (id: string) => (await api(server, `/contacts/${id}`)).status;

/** What a library reported while it sent: the answers it got, its errors, its calls' callbacks. */
interface Reports {
  /** Statuses of the batches it posted (analytics-node tells each; RudderStack tells only failures). */
  readonly statuses: number[];
  /** What it reported as errors: analytics-node's `error` event, RudderStack's `errorHandler`. */
  readonly errors: unknown[];
  /** The errors the calls' callbacks were given. */
  readonly failed: unknown[];
  /** How many calls' callbacks have been called, with or without an error. */
  readonly settled: () => number;
}

/** A callback for each call, counted into `reports`. */
function callbacks() {
  const reports = { statuses: [] as number[], errors: [] as unknown[], failed: [] as unknown[], settled: () => settled };
  let settled = 0;
  const done = (err?: unknown) => {
    settled++;
    if (err) reports.failed.push(err);
  };
  return { reports: reports satisfies Reports, done };
}

/** `@segment/analytics-node`, unchanged, pointed at the server with its `host` option (its path is Segment's `/v1/batch`). */
function segmentClient(key: string) {
  const { reports, done } = callbacks();
  // Batches are sent by flush() (or when 100 calls are waiting), never by a timer mid-story.
  const analytics = new SegmentAnalytics({ writeKey: key, host: server.base, flushAt: 100, flushInterval: 600_000 });
  analytics.on('http_response', (r) => void reports.statuses.push(r.status));
  analytics.on('error', (e) => void reports.errors.push(e));
  return { analytics, done, reports };
}

/** RudderStack's Node SDK, unchanged, pointed at the server with its `dataPlaneUrl` (gzipping, its default). */
function rudderClient(key: string) {
  const { reports, done } = callbacks();
  const client = new RudderAnalytics(key, {
    dataPlaneUrl: server.base,
    // Batches are sent by flush(), never by a timer mid-story (the SDK sends the first call at once).
    flushAt: 100,
    flushInterval: 600_000,
    errorHandler: (e: unknown) => void reports.errors.push(e),
    // Its logger would print the refusals the test provokes.
    logLevel: 'none',
  });
  return { client, done, reports };
}

const PRICING = { url: 'https://acme.example/pricing', path: '/pricing', title: 'Pricing — Acme' };
const BLOG = { url: 'https://acme.example/blog/lead-scoring', path: '/blog/lead-scoring', title: 'Lead scoring — Acme' };
/** The recommended model's points: any page 5, a pricing page 4 more, an email click 5, a purchase of 500 or more 20. */
const POINTS = { page: 5, pricing: 9, click: 5, bigPurchase: 20 };

/** The scoring rules a contact's score history names, oldest first. */
const rules = (changes: Change[]) => changes.filter((h) => h.field === 'score').map((h) => h.cause.rule).reverse();

describe('@segment/analytics-node, unchanged, sends to Scoremap', () => {
  it('page views of an anonymous visitor, the identify that names them (merged, points kept), standard events, a resend, an alias', async () => {
    const { analytics, done, reports } = segmentClient(writeKey);

    // Ann signed up last month: the backend identified her then.
    analytics.identify({ userId: 'user-ann', traits: { email: 'ann@acme.example', createdAt: '2026-11-02T10:00:00Z' } }, done);
    await analytics.flush();
    const ann = await only('external_id', 'user-ann');
    expect(ann.fields).toMatchObject({ email: 'ann@acme.example' });

    // Today she reads the site on a new laptop, not logged in: an anonymous visitor.
    analytics.page({ anonymousId: 'anon-laptop', name: 'Pricing', properties: PRICING }, done);
    analytics.page({ anonymousId: 'anon-laptop', name: 'Blog', properties: BLOG }, done);
    await analytics.flush();
    const visitor = await only('anonymous_id', 'anon-laptop');
    expect(visitor.id).not.toBe(ann.id);
    expect(visitor.fields.score).toBe(POINTS.pricing + POINTS.page);

    // She logs in: the identify carries both ids, and her traits. Then she clicks an email and buys.
    analytics.identify({
      userId: 'user-ann', anonymousId: 'anon-laptop',
      // Segment's spec: the company as an object.
      traits: { email: 'ann@acme.example', firstName: 'Ann', lastName: 'Lee', title: 'CTO', company: { name: 'Acme', industry: 'Software', employee_count: 120 } },
    }, done);
    analytics.track({ userId: 'user-ann', event: 'Email Link Clicked', messageId: 'ann-click-1', properties: { url: 'https://acme.example/pricing', email_id: 'nov-news' } }, done);
    analytics.track({ userId: 'user-ann', event: 'Order Completed', properties: { order_id: 'o-1', revenue: 750, currency: 'EUR' } }, done);
    await analytics.flush();
    expect(await status(visitor.id)).toBe(404);
    const merged = await contact(ann.id);
    expect(merged.fields).toMatchObject({
      external_id: 'user-ann', email: 'ann@acme.example', first_name: 'Ann', last_name: 'Lee', job_title: 'CTO', company: 'Acme', industry: 'Software', company_size: 120,
      anonymous_id: 'anon-laptop',
      // The anonymous visitor's points are hers (the same person earned them), with the click and the purchase.
      score: POINTS.pricing + POINTS.page + POINTS.click + POINTS.bigPurchase,
    });
    // One contact for her: the visitor's id answers 404, its anonymous id is hers.
    expect((await only('anonymous_id', 'anon-laptop')).id).toBe(ann.id);

    // The same click sent again (a retry): counted once.
    const events = await rows('events');
    analytics.track({ userId: 'user-ann', event: 'Email Link Clicked', messageId: 'ann-click-1', properties: { url: 'https://acme.example/pricing', email_id: 'nov-news' } }, done);
    await analytics.flush();
    expect(await rows('events')).toBe(events);
    expect((await contact(ann.id)).fields.score).toBe(merged.fields.score);

    // On her phone, another anonymous id; the app aliases it to her user id when she logs in there.
    analytics.page({ anonymousId: 'anon-phone', name: 'Pricing', properties: PRICING }, done);
    await analytics.flush();
    const phone = await only('anonymous_id', 'anon-phone');
    expect(phone.fields.score).toBe(POINTS.pricing);
    analytics.alias({ previousId: 'anon-phone', userId: 'user-ann' }, done);
    // In the same batch, after the alias: the phone's next page view is hers.
    analytics.page({ anonymousId: 'anon-phone', name: 'Blog', properties: BLOG }, done);
    await analytics.closeAndFlush();

    expect(await status(phone.id)).toBe(404);
    expect((await contact(ann.id)).fields.score).toBe((merged.fields.score as number) + POINTS.pricing + POINTS.page);
    // What the library saw: every batch taken, no error, every call's callback called.
    expect(reports.errors).toEqual([]);
    expect(reports.failed).toEqual([]);
    expect(reports.statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(reports.settled()).toBe(10);

    // The history tells why: the identify's traits, the standard event, the merges with their points.
    const changes = await history(ann.id);
    const own = changes.filter((h) => !('mergedFrom' in h.cause));
    for (const field of ['first_name', 'last_name', 'job_title', 'company', 'industry', 'company_size']) {
      expect(own.find((h) => h.field === field)?.cause.event?.type, field).toBe('identify');
    }
    expect(changes.filter((h) => h.cause.event?.id === 'ann-click-1')).toEqual([
      expect.objectContaining({ field: 'last_activity_at', cause: { event: { id: 'ann-click-1', type: 'email_link_clicked' } } }),
    ]);
    expect(own.filter((h) => h.field === 'contact:merge').map((h) => [h.from, h.to, h.cause.merge]).reverse()).toEqual([
      [visitor.id, ann.id, { from: visitor.id, via: 'segment' }],
      [phone.id, ann.id, { from: phone.id, via: 'segment' }],
    ]);
    // Her score's own timeline: the visitor's points on the merge, the click once, the purchase, the phone's points.
    expect(own.filter((h) => h.field === 'score').map((h) => [h.from, h.to, h.cause.rule ?? (h.cause.merge as { from: string }).from]).reverse()).toEqual([
      [null, 14, visitor.id],
      [14, 19, 'email-click'],
      [19, 39, 'big-purchase'],
      [39, 48, phone.id],
      [48, 53, 'page-visit'],
    ]);
    // The visitor's page views came along, with the rules they scored by.
    expect(rules(changes.filter((h) => h.cause.mergedFrom === visitor.id))).toEqual(['pricing-visit', 'page-visit', 'page-visit']);
  }, 120_000);
});

describe('@rudderstack/rudder-sdk-node, unchanged (gzipped batches), sends to Scoremap', () => {
  it('page views of an anonymous visitor, the identify that names them (merged, points kept), standard events, a resend, an alias', async () => {
    const { client, done, reports } = rudderClient(writeKey);

    // Bo attended a webinar: the backend recorded it under his user id, with his email.
    client.track({ userId: 'user-bo', event: 'Webinar Attended', properties: { webinar: 'Scoring 101' }, context: { traits: { email: 'bo@bolt.example' } } }, done);
    await client.flush();
    const bo = await only('external_id', 'user-bo');
    expect(bo.fields).toMatchObject({ email: 'bo@bolt.example' });
    expect(bo.fields.score ?? 0).toBe(0);

    // He reads the site without logging in.
    client.page({ anonymousId: 'anon-bo', name: 'Pricing', properties: PRICING }, done);
    client.page({ anonymousId: 'anon-bo', name: 'Blog', properties: BLOG }, done);
    await client.flush();
    const visitor = await only('anonymous_id', 'anon-bo');
    expect(visitor.fields.score).toBe(POINTS.pricing + POINTS.page);

    // The SDK honours a messageId given (its types leave it out).
    const click = { userId: 'user-bo', event: 'Email Link Clicked', messageId: 'bo-click-1', properties: { url: 'https://acme.example/pricing' } } as Parameters<typeof client.track>[0];
    // He logs in, clicks an email twice over (the SDK retried: the same messageId), and buys.
    client.identify({
      userId: 'user-bo', anonymousId: 'anon-bo',
      traits: { email: 'bo@bolt.example', firstName: 'Bo', lastName: 'Berg', title: 'Head of Sales', company: 'Bolt', employees: 40 },
    }, done);
    client.track(click, done);
    await client.flush();
    const events = await rows('events');
    client.track(click, done);
    client.track({ userId: 'user-bo', event: 'Order Completed', properties: { order_id: 'o-2', total: 1200, currency: 'EUR' } }, done);
    await client.flush();
    // One event more: the order; the resent click was a duplicate.
    expect(await rows('events')).toBe(events + 1);
    expect(await status(visitor.id)).toBe(404);
    expect((await only('anonymous_id', 'anon-bo')).id).toBe(bo.id);
    const merged = await contact(bo.id);
    expect(merged.fields).toMatchObject({
      external_id: 'user-bo', email: 'bo@bolt.example', first_name: 'Bo', last_name: 'Berg', job_title: 'Head of Sales', company: 'Bolt', company_size: 40,
      anonymous_id: 'anon-bo',
      score: POINTS.pricing + POINTS.page + POINTS.click + POINTS.bigPurchase,
    });

    // His phone, aliased to him.
    client.page({ anonymousId: 'anon-bo-phone', name: 'Pricing', properties: PRICING }, done);
    await client.flush();
    const phone = await only('anonymous_id', 'anon-bo-phone');
    client.alias({ previousId: 'anon-bo-phone', userId: 'user-bo' }, done);
    await client.flush();
    expect(await status(phone.id)).toBe(404);
    expect((await contact(bo.id)).fields.score).toBe((merged.fields.score as number) + POINTS.pricing);

    // What the SDK saw: no error, every callback called (they run just after flush() resolves).
    await expect.poll(reports.settled).toBe(9);
    expect(reports.errors).toEqual([]);
    expect(reports.failed).toEqual([]);

    const changes = await history(bo.id);
    const own = changes.filter((h) => !('mergedFrom' in h.cause));
    expect(own.filter((h) => h.field === 'score').map((h) => [h.from, h.to, h.cause.rule ?? (h.cause.merge as { from: string }).from]).reverse()).toEqual([
      [null, 14, visitor.id],
      [14, 19, 'email-click'],
      [19, 39, 'big-purchase'],
      [39, 48, phone.id],
    ]);
    expect(own.find((h) => h.field === 'company_size')).toMatchObject({ to: 40, cause: { event: { type: 'identify' } } });
    expect(rules(changes.filter((h) => h.cause.mergedFrom === visitor.id))).toEqual(['pricing-visit', 'page-visit', 'page-visit']);
  }, 120_000);
});

describe('a wrong key', () => {
  /** The calls both libraries make with a key Scoremap does not know. */
  const cy = (n: number) => [
    { userId: `user-cy-${n}`, event: 'Demo Requested', messageId: `cy-${n}-demo`, properties: { form: 'demo' }, context: { traits: { email: `cy${n}@corp.example` } } },
    { userId: `user-cy-${n}`, event: 'Email Link Clicked', messageId: `cy-${n}-click`, properties: { url: 'https://acme.example/pricing' } },
  ];

  it('is reported by each library as a refusal, and nothing of its calls is stored', async () => {
    const before = { contacts: await rows('contacts'), events: await rows('events') };

    const segment = segmentClient('sm_not_a_key_of_this_server');
    for (const call of cy(1)) segment.analytics.track(call, segment.done);
    await segment.analytics.closeAndFlush();
    // One post, refused with 401 and not retried (a wrong key will not get better).
    expect(segment.reports.statuses).toEqual([401]);
    expect(segment.reports.settled()).toBe(2);
    // Each call's callback and the client's `error` event say so.
    expect(segment.reports.failed.map((e) => (e as Error).message)).toEqual(['[401] Unauthorized', '[401] Unauthorized']);
    expect(segment.reports.errors).toEqual([
      expect.objectContaining({ code: 'delivery_failure', reason: new Error('[401] Unauthorized') }),
      expect.objectContaining({ code: 'delivery_failure', reason: new Error('[401] Unauthorized') }),
    ]);

    const rudder = rudderClient('sm_not_a_key_of_this_server');
    for (const call of cy(2)) rudder.client.track(call as Parameters<typeof rudder.client.track>[0], rudder.done);
    await rudder.client.flush();
    await expect.poll(rudder.reports.settled).toBe(2);
    // Its errorHandler has each refused post (the SDK sends the first call on its own, then the
    // rest), with Scoremap's answer in words; each call's callback has the error too. Not retried.
    type AxiosLike = { response?: { status: number; data: unknown } };
    const answer = (e: unknown) => [(e as AxiosLike).response?.status, (e as AxiosLike).response?.data];
    const wrong = [401, { error: { message: 'Wrong key: no API key has this secret (it may have been revoked)' } }];
    expect(rudder.reports.errors.map(answer)).toEqual([wrong, wrong]);
    expect(rudder.reports.failed.map(answer)).toEqual([wrong, wrong]);

    expect({ contacts: await rows('contacts'), events: await rows('events') }).toEqual(before);
    // The same calls with the right key are new to Scoremap: none of their ids was kept.
    const again = segmentClient(writeKey);
    for (const call of [...cy(1), ...cy(2)]) again.analytics.track(call, again.done);
    await again.analytics.closeAndFlush();
    expect([...again.reports.errors, ...again.reports.failed]).toEqual([]);
    expect({ contacts: await rows('contacts'), events: await rows('events') }).toEqual({ contacts: before.contacts + 2, events: before.events + 4 });
    for (const n of [1, 2]) expect((await only('external_id', `user-cy-${n}`)).fields).toMatchObject({ email: `cy${n}@corp.example`, score: POINTS.click });
  }, 120_000);
});
