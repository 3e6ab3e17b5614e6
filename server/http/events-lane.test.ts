/**
 * The events lane answers `POST /api/events` exactly as the app does: each request is sent as
 * the lane takes it (a body of declared length) and again in chunks, which the lane leaves to the
 * app, and the two answers must agree (status, body, the headers a client reads).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../serve.js';
import { testServer, type TestServer } from '../serve-testing.js';

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string | undefined>;
}

const READ = ['content-type', 'content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy', 'www-authenticate', 'access-control-allow-origin', 'retry-after'];

/** One POST over a socket: with Content-Length, or in chunks (Transfer-Encoding: chunked). */
function post(server: RunningServer, body: string, opts: { chunked?: boolean; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${server.token}`, ...opts.headers };
    if (!opts.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request(new URL('/api/events', server.url), { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({
        status: res.statusCode!,
        body: text ? JSON.parse(text) : null,
        headers: Object.fromEntries(READ.map((h) => [h, res.headers[h] as string | undefined])),
      }));
    });
    req.on('error', reject);
    if (opts.chunked) {
      // Two writes: Node sends them as chunks, with no length declared.
      req.write(body.slice(0, 1));
      req.end(body.slice(1));
    } else req.end(body);
  });
}

describe('the events lane', () => {
  let started: TestServer;
  let server: RunningServer;
  let n = 0;
  beforeAll(async () => {
    started = await testServer('lane');
    server = started.server;
  });
  afterAll(() => started?.close());

  /** The same request through the lane and through the app; `fresh` gives each its own event ids. */
  async function both(make: () => string, headers?: Record<string, string>): Promise<{ lane: Answer; app: Answer; answered: number }> {
    const before = server.lane.answered;
    const lane = await post(server, make(), { headers });
    const answered = server.lane.answered - before;
    const app = await post(server, make(), { headers, chunked: true });
    expect(server.lane.answered - before).toBe(answered); // chunked: never the lane's
    return { lane, app, answered };
  }
  const fresh = (events: object | object[]) => () => JSON.stringify(Array.isArray(events) ? events.map((e) => ({ id: `e${++n}`, ...e })) : { id: `e${++n}`, ...events });

  it('takes events in as the app does: created contacts, lists, warnings, duplicates', async () => {
    const created = await both(fresh({ contact: { email: `new${n}@x.test` }, type: 'email_link_clicked' }));
    expect(created.answered).toBe(1);
    expect(created.lane).toEqual({ ...created.app, body: created.lane.body });
    expect(created.lane.body).toEqual({ accepted: 1, duplicates: 0, created: 1 });
    await post(server, JSON.stringify({ contact: { email: 'ann@x.test' }, type: 'form_submitted' })); // ann exists from here on
    const list = await both(fresh([{ contact: { email: 'ann@x.test' }, type: 'page_visit' }, { contact: { email: 'ann@x.test' }, type: 'form_submitted' }]));
    expect(list.answered).toBe(1);
    expect(list.lane).toEqual(list.app);
    expect(list.lane.body).toMatchObject({ accepted: 2, duplicates: 0, warnings: [expect.stringContaining('did you mean page_visited?')] });
    expect(list.lane.headers).toMatchObject({ 'content-type': 'application/json', 'content-security-policy': expect.stringContaining("default-src 'none'"), 'x-frame-options': 'DENY' });
    const again = JSON.stringify({ id: 'same', contact: { email: 'ann@x.test' }, type: 'form_submitted' });
    await post(server, again);
    const duplicate = await both(() => again);
    expect(duplicate.lane).toEqual(duplicate.app);
    expect(duplicate.app.body).toEqual({ accepted: 0, duplicates: 1, created: 0 });
  });

  it('refuses as the app does, in the same words, and takes nothing in', async () => {
    const events = () => server.rt.store.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));
    const before = await events();
    const cases: [string, () => string, Record<string, string>?, number?][] = [
      ['broken JSON', () => '{"contact": ', undefined, 400],
      ['an invalid event', fresh({ contact: { email: 'ann@x.test' } }), undefined, 400],
      ['an empty list', () => '[]', undefined, 400],
      ['an unknown contact id', fresh({ contact: { id: 'nobody' }, type: 'form_submitted' }), undefined, 404],
      ['a wrong token', fresh({ contact: { email: 'ann@x.test' }, type: 'form_submitted' }), { authorization: 'Bearer wrong' }, 401],
      ['a lone surrogate', () => '{"contact":{"email":"ann@x.test"},"type":"\\ud800"}', undefined, 400],
    ];
    for (const [what, make, headers, status] of cases) {
      const { lane, app, answered } = await both(make, headers);
      expect({ what, ...lane }).toEqual({ what, ...app });
      expect({ what, status: lane.status }).toEqual({ what, status });
      expect({ what, answered }).toEqual({ what, answered: 0 });
    }
    expect(await events()).toBe(before);
  });

  it('leaves a read key, a page (Origin) and the queue to the app', async () => {
    const res = await fetch(new URL('/api/keys', server.url), { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Dashboard', scope: 'read' }) });
    const { secret } = (await res.json()) as { secret: string };
    const read = await both(fresh({ contact: { email: 'ann@x.test' }, type: 'form_submitted' }), { authorization: `Bearer ${secret}` });
    expect(read.lane).toEqual(read.app);
    expect(read.lane.status).toBe(403);
    expect(read.answered).toBe(0);
    const site = await both(fresh({ contact: { email: 'ann@x.test' }, type: 'form_submitted' }), { origin: 'https://www.example.com' });
    expect(site.lane).toEqual({ ...site.app, body: site.lane.body });
    expect(site.answered).toBe(0);
  });
});
