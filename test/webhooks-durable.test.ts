/**
 * The webhook outbox's durability (SPEC §10 "Nothing lost", issue 16) with real processes: a server
 * SIGKILLed while its deliveries wait for a receiver that is down loses none of them, and two
 * workers on one PostgreSQL database share the sending without ever posting a delivery twice at
 * the same time.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorker as spawnWorker, type WorkerProcess } from '../bench/worker-process.js';
import { onPostgres, testDatabase } from '../server/store/testing.js';
import { kill, killAll, ok, startServer, stop, type ServerProcess } from './server-process.js';

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const contactId = (i: number) => `c${String(i).padStart(4, '0')}`;
/** The names each contact is given in turn: created with the first, renamed to the others. */
const NAMES = ['Ada', 'Bea', 'Cy'];

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await killAll();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * Waits for a condition, polling; fails with `what` (and `detail()`, what was seen) after
 * `timeoutMs`, which the caller sizes to the work.
 */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>, detail?: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port of 127.0.0.1 that nothing listens on (a receiver that is down), free to listen on later. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

/** One request as the receiver got it: from its arrival to the moment it was answered (or dropped). */
interface Received {
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly start: number;
  end: number;
  /** The process whose connection it came on (see {@link ownerOf}), when told. */
  readonly pid: number | null;
}

/**
 * A receiver on 127.0.0.1:`port` that answers 200 after holding each request `holdMs` (so two
 * posts of one delivery at the same time would overlap); with `openWhen`, it answers none until
 * the requests in hand satisfy it. `pids`: the processes that may post (each request's is noted).
 */
async function receiver(port: number, o: { holdMs?: number; openWhen?: (held: readonly Received[]) => boolean; pids?: () => number[] } = {}) {
  const got: Received[] = [];
  let open: () => void = () => undefined;
  const gate = o.openWhen ? new Promise<void>((done) => (open = done)) : Promise.resolve();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const start = performance.now();
    const pid = o.pids ? ownerOf(req.socket.remotePort!, port, o.pids()) : null;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', async () => {
      const r: Received = { id: String(req.headers['webhook-id']), headers: req.headers as Record<string, string>, body, start, end: Infinity, pid };
      got.push(r);
      // A post given up by its sender (a time-out) ends when its connection closes.
      res.once('close', () => (r.end = Math.min(r.end, performance.now())));
      if (o.openWhen?.(got)) open();
      await gate;
      if (o.holdMs) await new Promise((done) => setTimeout(done, o.holdMs));
      // Noted before the answer leaves: the sender cannot have it any sooner.
      r.end = performance.now();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  const close = () => new Promise<void>((done) => {
    open();
    server.closeAllConnections();
    server.close(() => done());
  });
  cleanups.push(close);
  return { got, close };
}

/**
 * Which of `pids` holds the client end of the TCP connection from 127.0.0.1:`remotePort` to our
 * `localPort` (Linux: the socket's inode in /proc/net/tcp, then the processes' descriptors); null
 * when it cannot be told.
 */
function ownerOf(remotePort: number, localPort: number, pids: readonly number[]): number | null {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return null;
  }
  // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
  const row = table.split('\n').map((l) => l.trim().split(/\s+/))
    .find((f) => f[1]?.endsWith(`:${hex(remotePort)}`) && f[2]?.endsWith(`:${hex(localPort)}`) && f[9] !== '0'); // 0: a closed one's TIME_WAIT
  if (!row) return null;
  const socket = `socket:[${row[9]}]`;
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`) === socket) return pid;
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // not ours to read, or gone
    }
  }
  return null;
}

/** Every delivery of a subscription, read page by page through the API, oldest first. */
async function allDeliveries(s: ServerProcess, hook: string): Promise<any[]> {
  const out: any[] = [];
  let before: string | null = null;
  do {
    const page: { deliveries: any[]; next: string | null } = await ok(s, `/webhooks/${hook}/deliveries?limit=50${before ? `&before=${before}` : ''}`);
    out.push(...page.deliveries);
    before = page.next;
  } while (before);
  return out.sort((a, b) => a.seq - b.seq);
}

/**
 * A subscription to `url` for new contacts and first-name changes, and `n` contacts each created
 * as NAMES[0] and renamed to the others: NAMES.length deliveries per contact, made in that order.
 */
async function queueDeliveries(s: ServerProcess, url: string, n: number): Promise<{ hook: string; secret: string; contacts: string[] }> {
  const made = await ok(s, '/webhooks', { name: 'CRM', url, events: ['contact.created', 'contact.updated'], fields: ['first_name'] });
  const contacts = Array.from({ length: n }, (_, i) => contactId(i));
  for (const name of NAMES) {
    const answer = await ok(s, '/contacts/import?wait=true', { contacts: contacts.map((id) => ({ id, fields: { first_name: name } })) });
    expect(answer).toMatchObject(name === NAMES[0] ? { created: n } : { updated: n });
  }
  return { hook: made.id, secret: made.secret, contacts };
}

/** The first arrival of each delivery id, in the order they arrived. */
function firstArrivals(got: readonly Received[]): Received[] {
  const seen = new Set<string>();
  return [...got].sort((a, b) => a.start - b.start).filter((r) => !seen.has(r.id) && seen.add(r.id));
}

/**
 * What every receiver may rely on: each request verifies with the subscription's secret and its id
 * is the payload's; every delivery the API lists arrived; one contact's deliveries arrived in the
 * order they were made, as a creation then the renames; and nothing else arrived.
 */
function expectAllArrived(got: readonly Received[], secret: string, made: readonly any[], contacts: readonly string[]): void {
  const verifier = new Webhook(secret);
  const payloads = new Map<string, { id: string; type: string; contact: { id: string; fields: { first_name?: string } } }>();
  for (const r of got) {
    const p = verifier.verify(r.body, r.headers) as any;
    expect(p.id).toBe(r.id);
    payloads.set(r.id, p);
  }
  expect(made).toHaveLength(contacts.length * NAMES.length);
  const arrived = firstArrivals(got);
  expect(new Set(arrived.map((r) => r.id))).toEqual(new Set(made.map((d) => d.id)));
  expect(new Set([...payloads.values()].map((p) => p.contact.id))).toEqual(new Set(contacts));

  const inOrder = new Map<string, string[]>();
  for (const r of arrived) {
    const p = payloads.get(r.id)!;
    inOrder.set(p.contact.id, [...(inOrder.get(p.contact.id) ?? []), r.id]);
  }
  const wrong = contacts.filter((c) => {
    const expected = made.filter((d) => d.contactId === c).map((d) => d.id);
    const seen = inOrder.get(c) ?? [];
    const words = seen.map((id) => `${payloads.get(id)!.type}:${payloads.get(id)!.contact.fields.first_name}`);
    return JSON.stringify(seen) !== JSON.stringify(expected)
      || JSON.stringify(words) !== JSON.stringify(NAMES.map((n, i) => `${i === 0 ? 'contact.created' : 'contact.updated'}:${n}`));
  });
  expect(wrong.slice(0, 5)).toEqual([]);
}

describe('webhook deliveries survive a crash', () => {
  it('The server SIGKILLed with deliveries queued and the receiver down — all arrive after both come back, none lost', { timeout: 180_000 }, async () => {
    const CONTACTS = 60;
    const total = CONTACTS * NAMES.length;
    const db = onPostgres ? testDatabase() : `${mkdtempSync(`${tmpdir()}/scoremap-webhooks-`)}/scoremap.db`;
    const t0 = Date.parse('2026-03-02T09:00:00Z');
    const port = await closedPort();
    let server = await startServer(db, iso(t0));
    const { hook, secret, contacts } = await queueDeliveries(server, `http://127.0.0.1:${port}/hook`, CONTACTS);

    // The receiver is down: each contact's first delivery was tried and refused (retried 10 s
    // later on the server's clock, which stands still); the later ones wait behind it.
    const tried = await until('the first delivery of every contact tried and refused', 30_000 + total * 50, async () => {
      const list = await allDeliveries(server, hook);
      return list.filter((d) => d.attempts > 0).length >= CONTACTS && list;
    });
    expect(tried.filter((d) => d.status !== 'pending' || d.attempts > 1).map((d) => d.status)).toEqual([]);
    expect(tried.filter((d) => d.attempts === 1)).toHaveLength(CONTACTS);
    expect(tried.filter((d) => d.attempts === 1).every((d) => /refused the connection/.test(d.lastError) && d.type === 'contact.created')).toBe(true);
    expect(tried.filter((d) => d.attempts === 1).map((d) => Date.parse(d.nextAt) - t0)).toEqual(Array(CONTACTS).fill(10_000));
    expect((await ok(server, '/health')).webhooks.pending).toBe(total);

    await kill(server);
    const r = await receiver(port);
    server = await startServer(db, iso(t0));
    expect((await ok(server, '/health')).webhooks.pending).toBe(total);
    // The retry comes due on the server's clock: the first deliveries go out, then each contact's next.
    await ok(server, '/clock/advance', { ms: 10_000 });
    await until(`all ${total} deliveries at the receiver`, 30_000 + total * 100, async () => new Set(r.got.map((g) => g.id)).size >= total,
      () => `the receiver got ${r.got.length} posts of ${new Set(r.got.map((g) => g.id)).size} deliveries\n${server.output()}`);

    const made = await allDeliveries(server, hook);
    expectAllArrived(r.got, secret, made, contacts);
    // The API agrees once the last answers are recorded: all delivered, the first ones on their second try.
    await until('every delivery recorded as delivered', 30_000, async () =>
      (await ok(server, `/webhooks/${hook}`)).counts.delivered === total);
    expect((await ok(server, `/webhooks/${hook}`)).counts).toEqual({ pending: 0, delivered: total, failed: 0 });
    expect((await ok(server, '/health')).webhooks.pending).toBe(0);
    const first = made.find((d) => d.contactId === contacts[0]);
    const detail = await ok(server, `/webhooks/${hook}/deliveries/${first.id}`);
    expect(detail.attempts.map((a: any) => ({ statusCode: a.statusCode, refused: /refused/.test(a.error ?? '') }))).toEqual([
      { statusCode: null, refused: true },
      { statusCode: 200, refused: false },
    ]);
    expect(await stop(server)).toBe(0);
  });
});

describe.skipIf(!onPostgres)('two workers on one PostgreSQL database', () => {
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop(5_000);
  });

  it('Two PostgreSQL workers never post the same delivery concurrently', { timeout: 180_000 }, async () => {
    const CONTACTS = 100;
    const HOLD_MS = 60;
    const total = CONTACTS * NAMES.length;
    const url = testDatabase();
    // The server's manual clock an hour back: what it queued is due on the workers' real clock. It
    // stays up and sends too: each contact's later deliveries are due on its clock, the first
    // ones' retries are not (its clock stands still).
    const t0 = Math.floor((Date.now() - HOUR) / 1000) * 1000;
    const port = await closedPort();
    const server = await startServer(url, iso(t0));
    const { hook, secret, contacts } = await queueDeliveries(server, `http://127.0.0.1:${port}/hook`, CONTACTS);
    await until('the first delivery of every contact tried', 30_000 + total * 50, async () =>
      (await allDeliveries(server, hook)).filter((d) => d.attempts > 0).length >= CONTACTS);
    // Paused while the workers start: the deliveries wait, then all go out once it is resumed.
    await ok(server, `/webhooks/${hook}`, { status: 'paused' }, 'PATCH');
    const made = await allDeliveries(server, hook);

    // The receiver answers nothing until each worker has a post in hand (however long one took to
    // start), then each after HOLD_MS.
    const pids = () => [server.proc.pid!, ...workers.map((w) => w.proc.pid!)];
    const bothPosting = (held: readonly Received[]) => held.some((g) => g.pid === null) || workers.every((w) => held.some((g) => g.pid === w.proc.pid));
    const r = await receiver(port, { holdMs: HOLD_MS, openWhen: bothPosting, pids });
    workers.push(spawnWorker(url, 'webhooks-w1'), spawnWorker(url, 'webhooks-w2'));
    await Promise.all(workers.map((w) => w.started));
    await ok(server, `/webhooks/${hook}`, { status: 'active' }, 'PATCH');
    const seen = () => `the receiver got ${r.got.length} posts of ${new Set(r.got.map((g) => g.id)).size} deliveries, `
      + `${r.got.filter((g) => g.end === Infinity).length} in hand; by process ${JSON.stringify(pids().map((pid) => r.got.filter((g) => g.pid === pid).length))}\n`
      + workers.map((w) => `${w.name}:\n${w.output()}`).join('\n') + `\nserver:\n${server.output()}`;
    await until(`all ${total} deliveries at the receiver`, 30_000 + total * HOLD_MS * 2, async () => new Set(r.got.map((g) => g.id)).size >= total, seen);

    // No delivery was ever in flight twice at once; nor, as they go out in order, two of one contact.
    const contactOf = new Map(made.map((d) => [d.id, d.contactId as string]));
    const overlaps = (key: (g: Received) => string) => {
      const by = new Map<string, Received[]>();
      for (const g of r.got) by.set(key(g), [...(by.get(key(g)) ?? []), g]);
      const out: string[] = [];
      for (const [k, list] of by) {
        list.sort((a, b) => a.start - b.start);
        for (let i = 1; i < list.length; i++) if (list[i].start < list[i - 1].end) out.push(k);
      }
      return out;
    };
    expect(overlaps((g) => g.id)).toEqual([]);
    expect(overlaps((g) => contactOf.get(g.id) ?? g.id)).toEqual([]);
    expectAllArrived(r.got, secret, made, contacts);

    // Both workers did part of the sending (told by whose connection each post came on; Linux only).
    if (process.platform === 'linux') {
      const per = pids().map((pid) => r.got.filter((g) => g.pid === pid).length);
      expect(per.reduce((a, b) => a + b, 0)).toBe(r.got.length);
      expect(Math.min(per[1], per[2]), `posts by the server and each worker: ${per.join(', ')}`).toBeGreaterThan(0);
      console.log(`webhooks-durable.test: posts by the server and each worker ${per.join(', ')}; ${r.got.length - total} repeats`);
    }

    // The API agrees once the last answers are recorded.
    await until('every delivery recorded as delivered', 30_000, async () => (await ok(server, `/webhooks/${hook}`)).counts.delivered === total);
    expect((await ok(server, `/webhooks/${hook}`)).counts).toEqual({ pending: 0, delivered: total, failed: 0 });
    expect((await ok(server, '/health')).webhooks.pending).toBe(0);
    for (const w of workers) expect(w.proc.exitCode, w.output()).toBeNull();
  });
});
