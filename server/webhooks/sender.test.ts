import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';
import { outboxOf } from './routes.js';
import { AddressPolicy, postDelivery } from './post.js';
import { Sender } from './sender.js';

/** A receiver on 127.0.0.1 that answers each request as the next of `answers` says ('hang': never). */
async function receiver(answers: (number | 'hang')[]) {
  const got: { headers: Record<string, string>; body: string }[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers as Record<string, string>, body });
      const a = answers.shift() ?? 200;
      if (a === 'hang') hanging.push(res);
      else res.writeHead(a, { 'content-type': 'text/plain' }).end(a === 200 ? 'thanks' : 'not now');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url, got,
    close: () => new Promise<void>((ok) => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Waits for a condition, as long as the work needs (the suite's own time limit bounds it). */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the sender', () => {
  it('retries a refusal and a time-out with backoff on the clock, then delivers; every request verifies with standardwebhooks', async () => {
    const { send, rt, clock } = await setup();
    const r = await receiver([503, 'hang', 200]);
    stops.push(r.close);
    const made = await send('POST', '/api/webhooks', { name: 'CRM', url: r.url, events: ['contact.created'] });
    expect(made.status).toBe(201);
    const sender = new Sender(rt, outboxOf(rt), { timeoutMs: 300, pollMs: 10 });
    sender.start();
    stops.push(() => sender.stop());
    expect((await send('POST', '/api/contacts', { fields: { email: 'ada@example.com' } })).status).toBe(201);

    const log = () => send('GET', `/api/webhooks/${made.body.id}/deliveries`).then((x) => x.body.deliveries[0]);
    const first = await until(log, (d) => d?.attempts === 1);
    expect(first).toMatchObject({ status: 'pending', lastStatus: 503, lastAnswer: 'not now' });
    expect(Date.parse(first.nextAt) - clock.now()).toBe(10_000);

    clock.set(clock.now() + 10_000);
    const second = await until(log, (d) => d?.attempts === 2);
    expect(second).toMatchObject({ status: 'pending', lastStatus: null, lastError: 'no answer within 0.3 s' });
    expect(Date.parse(second.nextAt) - clock.now()).toBe(60_000);

    clock.set(clock.now() + 60_000);
    const third = await until(log, (d) => d?.status === 'delivered');
    expect(third).toMatchObject({ attempts: 3, lastStatus: 200, lastAnswer: 'thanks' });

    expect(r.got).toHaveLength(3);
    const verifier = new Webhook(made.body.secret);
    for (const g of r.got) {
      const payload = verifier.verify(g.body, g.headers) as { id: string; type: string; contact: { fields: { email: string } } };
      expect(payload).toMatchObject({ type: 'contact.created', contact: { fields: { email: 'ada@example.com' } } });
      expect(g.headers['webhook-id']).toBe(payload.id); // one id for every try: a receiver drops repeats by it
    }
    expect(() => new Webhook(made.body.secret).verify(r.got[0].body.replace('ada', 'eve'), r.got[0].headers)).toThrow();
  });

  it('posts one contact\'s deliveries in the order they were made, the second only after the first got through', async () => {
    const { send, rt, clock } = await setup();
    const r = await receiver([500, 200, 200]);
    stops.push(r.close);
    const made = await send('POST', '/api/webhooks', { name: 'CRM', url: r.url, events: ['contact.updated'], fields: ['first_name'] });
    const sender = new Sender(rt, outboxOf(rt), { pollMs: 10 });
    sender.start();
    stops.push(() => sender.stop());
    const c = await send('POST', '/api/contacts', { fields: { email: 'ada@example.com' } });
    await send('PATCH', `/api/contacts/${c.body.id}`, { fields: { first_name: 'Ada' } });
    await send('PATCH', `/api/contacts/${c.body.id}`, { fields: { first_name: 'Grace' } });
    // The first try's failure recorded (its retry due in 10 s of the clock), not only received:
    // moving the clock before the sender records it would put the retry 10 s past the new time.
    const log = () => send('GET', `/api/webhooks/${made.body.id}/deliveries?status=pending`).then((x) => x.body.deliveries as { attempts: number }[]);
    await until(log, (d) => d.some((x) => x.attempts === 1));
    clock.set(clock.now() + 10_000);
    await until(async () => r.got.length, (n) => n >= 3);
    const names = r.got.map((g) => (JSON.parse(g.body) as { change: { to: string } }).change.to);
    expect(names).toEqual(['Ada', 'Ada', 'Grace']);
  });
});

describe('outbound safety', () => {
  it('refuses link-local and metadata addresses without connecting, unless allowed', async () => {
    const strict = new AddressPolicy();
    const refused = await postDelivery('http://169.254.169.254/latest/meta-data', '{}', {}, { policy: strict });
    expect(refused).toMatchObject({ ok: false, statusCode: null });
    expect(refused.error).toMatch(/link-local or cloud metadata address/);
    expect((await postDelivery('http://metadata.google.internal/', '{}', {}, { policy: strict })).error).toMatch(/cloud metadata address/);
    expect(new AddressPolicy(['169.254.0.0/16']).addressProblem('169.254.169.254', '169.254.169.254')).toBeNull();
    expect(AddressPolicy.problem('169.254.0.0/99')).toMatch(/not a CIDR range/);
  });

  it('follows a redirect within the receiver, never to another host', async () => {
    const other = await receiver([200]);
    stops.push(other.close);
    const server = createServer((req, res) => {
      if (req.url === '/old') res.writeHead(307, { location: '/new' }).end();
      else if (req.url === '/away') res.writeHead(307, { location: other.url }).end();
      else res.writeHead(204).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    stops.push(() => new Promise<void>((ok) => server.close(() => ok())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const policy = new AddressPolicy();
    expect(await postDelivery(`${base}/old`, '{}', {}, { policy })).toMatchObject({ ok: true, statusCode: 204 });
    const away = await postDelivery(`${base}/away`, '{}', {}, { policy });
    expect(away).toMatchObject({ ok: false, statusCode: 307 });
    expect(away.error).toMatch(/another host: not followed/);
    expect(other.got).toHaveLength(0);
  });
});

describe('send a test', () => {
  it('is tried once: a refused test is failed at once and does not count towards disabling the webhook', async () => {
    const { send } = await setup();
    const r = await receiver([500]);
    stops.push(r.close);
    const made = await send('POST', '/api/webhooks', { name: 'CRM', url: r.url, events: ['contact.created'] });
    const test = await send('POST', `/api/webhooks/${made.body.id}/test`);
    expect(test.body.attempt).toMatchObject({ n: 1, statusCode: 500 });
    expect(test.body.delivery).toMatchObject({ status: 'failed', nextAt: null });
    expect((await send('GET', `/api/webhooks/${made.body.id}`)).body).toMatchObject({ status: 'active', failingSince: null });
  });
});

describe('when the sender looks again', () => {
  it('not for a delivery in flight, nor for one waiting behind an earlier one of its contact: only for a claimable head', async () => {
    const { store } = await setup();
    const { claimDeliveries, insertDeliveries, nextDeliveryAt, recordAttempt } = await import('./store.js');
    const row = (id: string, stream: string, at: number) => ({ id, webhookId: null, url: 'http://127.0.0.1:9/h', format: 'json' as const, stream, contactId: 'c', type: 'score.changed', body: '{}', at });
    const T = 1_000;
    await store.transaction((s) => insertDeliveries(s.db, [row('a1', 'A', T), row('a2', 'A', T), row('b1', 'B', T + 500)]));
    expect(await nextDeliveryAt(store.db, Date.now())).toBe(T);
    const claimed = await store.transaction((s) => claimDeliveries(s.db, { now: T + 1_000, claimTime: Date.now(), leaseMs: 60_000, limit: 16, claim: 'me' }));
    expect(claimed.map((d) => d.id).sort()).toEqual(['a1', 'b1']);
    // Both heads in flight, a2 behind a1: nothing to look for (their posts ending wake the sender).
    expect(await nextDeliveryAt(store.db, Date.now())).toBeNull();
    // a1 failed and is retried at T + 20 s: that, not a2 (still behind it), is the next time.
    const a1 = claimed.find((d) => d.id === 'a1')!;
    await store.transaction((s) => recordAttempt(s.db, a1, { at: T + 1_000, statusCode: 503, answer: null, error: null, ms: 5 }, { delivered: false, retryAt: T + 20_000, retryFrom: T }));
    expect(await nextDeliveryAt(store.db, Date.now())).toBe(T + 20_000);
    // A claim that ran out (its process died) makes the row claimable again.
    expect(await nextDeliveryAt(store.db, Date.now() + 120_000)).toBe(T + 500);
  });
});
