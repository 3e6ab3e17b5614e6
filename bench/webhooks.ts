/**
 * Webhooks out (SPEC §10), two figures.
 *
 * Outbox throughput: deliveries queued by the runtime (a `contact.created` subscription and events
 * naming new emails: one delivery, one stream per contact), then the real Sender (its defaults: 16
 * posts in flight) posts them to a receiver on 127.0.0.1 that answers 204 at once. The receiver is
 * a child process, so its work does not run on the sender's event loop. The baseline: the same
 * bodies, signed the same way, posted with the same `postDelivery` and 16 in flight to the same
 * receiver, with no database (no claims, no attempts recorded); the two are timed in rounds, in
 * turn. Then one contact's deliveries alone (a `contact.updated` subscription on Last activity, an
 * event a second): its stream goes out one delivery at a time, in order.
 *
 * Intake with subscriptions: the intake figure's workload (its five templates, its events, 1,000 to
 * a batch) taken in by the runtime in this process, with no subscription and with two
 * (`score.changed` listing the templates' scores, `contact.updated` on every field), on fresh
 * databases in turn, no sender running: the
 * cost of writing the outbox rows in each batch's transaction. In-process, without HTTP, so the
 * ratio is the engine's own (over HTTP the same milliseconds weigh a little less).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../engine/clock.js';
import { EventInput } from '../engine/schema/event.js';
import { createMap, publishMap } from '../server/runtime/maps.js';
import { Runtime } from '../server/runtime/runtime.js';
import { Store } from '../server/store/store.js';
import { readTemplate } from '../server/templates.js';
import { Outbox } from '../server/webhooks/outbox.js';
import { AddressPolicy, postDelivery } from '../server/webhooks/post.js';
import { Sender } from '../server/webhooks/sender.js';
import { signatureHeaders } from '../server/webhooks/signature.js';
import { insertSubscription, pendingCount, type Subscription } from '../server/webhooks/store.js';
import { batches } from './intake-events.mjs';
import { INTAKE_TEMPLATES } from './intake.js';
import { scratch, T0 } from './common.js';

/** Posts in flight: the Sender's default, and the baseline's. */
export const CONCURRENCY = 16;

export interface WebhooksResult {
  readonly outbox: {
    /** Deliveries queued and sent, one per contact. */
    readonly deliveries: number;
    readonly contacts: number;
    /** Distinct streams (destination and contact) among them. */
    readonly streams: number;
    readonly concurrency: number;
    /** Deliveries per second, from queued rows to all delivered. */
    readonly engine: number;
    /** The same posts with no database, per second. */
    readonly baseline: number;
    readonly ratio: number;
    /** The same ratio in this process's CPU time (user and system) rather than the clock's: less moved by other work on the machine. */
    readonly cpuRatio: number;
    /** One contact's deliveries alone: per second, and `ratio` over the many contacts' figure. */
    readonly oneContact: { readonly deliveries: number; readonly perSecond: number; readonly ratio: number };
  };
  readonly intake: {
    readonly events: number;
    readonly contacts: number;
    /** Events per second with no subscription. */
    readonly without: number;
    /** Events per second with the two subscriptions. */
    readonly with: number;
    /** `with` over `without`. */
    readonly ratio: number;
    /** The same ratio in this process's CPU time. */
    readonly cpuRatio: number;
    /** Deliveries written in one run with them, all told. */
    readonly deliveries: number;
    /** What each delivery written added to the intake, µs of CPU: the two runs' CPU time apart over the deliveries. */
    readonly usPerDelivery: number;
    /** The deliveries each subscription got in one run with them. */
    readonly subscriptions: readonly { readonly events: readonly string[]; readonly fields: readonly string[] | null; readonly deliveries: number }[];
  };
}

const RECEIVER = fileURLToPath(new URL('./webhook-receiver.mjs', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../maps', import.meta.url));

/** Both figures: `deliveries` over as many contacts, `oneContact` for one, and the intake of `events`. */
export async function webhooks(o: { deliveries: number; oneContact: number; events: number }): Promise<WebhooksResult> {
  const tmp = scratch();
  const receiver = await startReceiver();
  try {
    const outbox = await throughput(tmp.file('outbox.db'), receiver.url, o.deliveries);
    const one = await oneContact(tmp.file('one.db'), receiver.url, o.oneContact);
    const posted = await receiver.posts();
    const expected = outbox.deliveries * 2 + Math.min(WARM_UP, Math.round(outbox.deliveries / ROUNDS)) + one.deliveries;
    if (posted !== expected) throw new Error(`webhooks: the receiver answered ${posted} posts, ${expected} were sent`);
    const intake = await intakeCost(tmp, o.events);
    return { outbox: { ...outbox, oneContact: { ...one, ratio: one.perSecond / outbox.engine } }, intake };
  } finally {
    await receiver.stop();
    tmp.remove();
  }
}

/** The receiver process, its URL, how many posts it answered, how to stop it. */
async function startReceiver(): Promise<{ url: string; posts: () => Promise<number>; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`the webhook receiver exited (${code}) before it listened`)));
  });
  const base = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
  return {
    url: `${base}/hook`,
    posts: async () => ((await (await fetch(base)).json()) as { posts: number }).posts,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A runtime on a fresh SQLite file with the outbox, on a manual clock at T0. */
async function open(file: string, templates: readonly string[] = []): Promise<Runtime> {
  const store = await Store.open(file);
  const rt = await Runtime.create({ store, clock: new ManualClock(T0), hooks: [new Outbox()] });
  for (const name of templates) {
    await createMap(rt, (await readTemplate(TEMPLATES, name))!, name);
    await publishMap(rt, name);
  }
  return rt;
}

/** A subscription made as `POST /api/webhooks` makes it (a change of the world). */
async function subscribe(rt: Runtime, url: string, events: string[], fields: string[] | null = null): Promise<Subscription> {
  const now = rt.clock.now();
  const sub: Subscription = {
    id: randomUUID(), name: events.join(', '), url, events, fields, format: 'json', secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
    status: 'active', statusReason: null, failingSince: null, createdAt: now, updatedAt: now,
  };
  await rt.changeWorld(() => rt.store.transaction((s) => insertSubscription(s.db, sub)));
  return sub;
}

const outboxOf = (rt: Runtime) => rt.hooks[0] as Outbox;

async function ingestAll(rt: Runtime, events: readonly EventInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) await rt.ingest(events.slice(i, i + 1000));
}

/** How long the Sender may make no progress before the benchmark gives up. */
const STUCK_MS = 30_000;

/** Clock and CPU milliseconds `fn` takes. */
async function measure(fn: () => Promise<void>): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  await fn();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

/** Runs the Sender until no delivery is pending: clock and CPU milliseconds. */
function sendAll(rt: Runtime): Promise<{ ms: number; cpuMs: number }> {
  return measure(() => untilSent(rt));
}

async function untilSent(rt: Runtime): Promise<void> {
  const sender = new Sender(rt, outboxOf(rt), { concurrency: CONCURRENCY, policy: new AddressPolicy() });
  sender.start();
  try {
    // Stuck (every post refused, waiting for a retry on the manual clock): say why rather than wait for ever.
    let left = Infinity;
    let moved = Date.now();
    for (let n; (n = await pendingCount(rt.store.db)) > 0; await new Promise((r) => setTimeout(r, 10))) {
      if (n < left) [left, moved] = [n, Date.now()];
      else if (Date.now() - moved > STUCK_MS) {
        const d = await rt.store.db.selectFrom('webhook_deliveries').select(['last_status', 'last_error']).where('status', '=', 'pending').where('attempts', '>', 0).executeTakeFirst();
        throw new Error(`webhooks: ${n} deliveries still pending after ${STUCK_MS / 1000} s without progress (last: ${d?.last_error ?? (d ? `HTTP ${d.last_status}` : 'none tried')})`);
      }
    }
  } finally {
    await sender.stop();
  }
}

async function counts(rt: Runtime): Promise<{ delivered: number; other: number; streams: number }> {
  const rows = await rt.store.db.selectFrom('webhook_deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.count<number>('stream').distinct().as('streams')])
    .groupBy('status').execute();
  const delivered = rows.find((r) => r.status === 'delivered');
  const total = rows.reduce((a, r) => a + Number(r.n), 0);
  return { delivered: Number(delivered?.n ?? 0), other: total - Number(delivered?.n ?? 0), streams: Number(delivered?.streams ?? 0) };
}

/** Posts not timed before the baseline, so that neither side pays for the first connections. */
const WARM_UP = 200;

/** Rounds of queueing, posting alone and sending: the two figures are measured in turn, so a change in the machine's load weighs on both. */
const ROUNDS = 4;

/** `n` deliveries over `n` contacts: the Sender's rate beside the posts alone. */
async function throughput(file: string, url: string, n: number) {
  const rt = await open(file);
  try {
    const sub = await subscribe(rt, url, ['contact.created']);
    const policy = new AddressPolicy();
    const post = async (d: { id: string; payload_json: string }) => {
      const headers = { ...signatureHeaders(sub.secret, d.id, Date.now(), d.payload_json), 'user-agent': 'Scoremap-Webhooks/bench' };
      const r = await postDelivery(url, d.payload_json, headers, { policy });
      if (!r.ok) throw new Error(`webhooks baseline: ${r.error ?? `HTTP ${r.statusCode}`}`);
    };
    const postAll = async (list: readonly { id: string; payload_json: string }[]) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < list.length) await post(list[next++]);
      }));
    };
    const engine = { ms: 0, cpuMs: 0 };
    const baseline = { ms: 0, cpuMs: 0 };
    for (let round = 0, from = 0; round < ROUNDS; round++) {
      const to = Math.round((n * (round + 1)) / ROUNDS);
      const events = [];
      for (let i = from; i < to; i++) events.push(EventInput.parse({ id: `w${i}`, contact: { email: `w${i}@bench.test` }, type: 'page_visited' }));
      await ingestAll(rt, events);
      const queued = await rt.store.db.selectFrom('webhook_deliveries').select(['id', 'payload_json']).where('status', '=', 'pending').orderBy('seq').execute();
      if (queued.length !== to - from) throw new Error(`webhooks: ${queued.length} deliveries queued for ${to - from} new contacts`);
      from = to;
      // The baseline: the same bodies, signed, posted 16 at a time, nothing recorded.
      if (round === 0) await postAll(queued.slice(0, WARM_UP));
      const b = await measure(() => postAll(queued));
      const e = await sendAll(rt);
      for (const [sum, x] of [[baseline, b], [engine, e]] as const) {
        sum.ms += x.ms;
        sum.cpuMs += x.cpuMs;
      }
    }
    const c = await counts(rt);
    if (c.delivered !== n || c.other !== 0) throw new Error(`webhooks: ${c.delivered} of ${n} deliveries delivered, ${c.other} not`);
    const rate = (ms: number) => n / (ms / 1000);
    return {
      deliveries: n, contacts: n, streams: c.streams, concurrency: CONCURRENCY, engine: rate(engine.ms), baseline: rate(baseline.ms),
      ratio: baseline.ms / engine.ms, cpuRatio: baseline.cpuMs / engine.cpuMs,
    };
  } finally {
    await rt.store.close();
  }
}

/** `n` deliveries for one contact (one stream): they go out one after another. */
async function oneContact(file: string, url: string, n: number): Promise<{ deliveries: number; perSecond: number }> {
  const rt = await open(file);
  try {
    await subscribe(rt, url, ['contact.updated'], ['last_activity_at']);
    // One event a second, each taken in on its own: each moves Last activity (the first one's too,
    // after the contact is made), and the webhook tells each change.
    const clock = rt.clock as ManualClock;
    for (let i = 0; i < n; i++) {
      clock.set(T0 + i * 1000);
      await rt.ingest([EventInput.parse({ id: `o${i}`, contact: { email: 'one@bench.test' }, type: 'page_visited' })]);
    }
    const queued = await pendingCount(rt.store.db);
    if (queued !== n) throw new Error(`webhooks: ${queued} deliveries queued for ${n} changes of one contact`);
    const { ms } = await sendAll(rt);
    const c = await counts(rt);
    if (c.delivered !== n || c.other !== 0 || c.streams !== 1) throw new Error(`webhooks: one contact's ${n} deliveries: ${c.delivered} delivered on ${c.streams} streams, ${c.other} not`);
    return { deliveries: n, perSecond: n / (ms / 1000) };
  } finally {
    await rt.store.close();
  }
}

/** The intake workload without and with two subscriptions, twice each in turn; the faster of each. */
async function intakeCost(tmp: ReturnType<typeof scratch>, events: number): Promise<WebhooksResult['intake']> {
  const contacts = Math.max(1, Math.floor(events / 5));
  const input = batches(events, contacts).flat().map((e) => EventInput.parse(e));
  // A score sync (the templates' own scores: score.changed hears the fields a webhook lists) and a CRM sync of every change.
  const SUBSCRIPTIONS: [string[], string[] | null][] = [[['score.changed'], ['custom_lead_score', 'composite_score']], [['contact.updated'], null]];
  // The faster of each (clock), and the least CPU of each.
  let without = 0;
  let withSubs = 0;
  let cpuWithout = Infinity;
  let cpuWith = Infinity;
  let subscriptions: WebhooksResult['intake']['subscriptions'] = [];
  let run = 0;
  for (let round = 0; round < 2; round++) {
    for (const withThem of [false, true]) {
      const rt = await open(tmp.file(`intake-${run++}.db`), INTAKE_TEMPLATES);
      try {
        // Never posted to: no sender runs here.
        const subs: Subscription[] = [];
        if (withThem) for (const [e, fields] of SUBSCRIPTIONS) subs.push(await subscribe(rt, 'http://127.0.0.1:9/hook', e, fields));
        const { ms, cpuMs } = await measure(() => ingestAll(rt, input));
        const perSecond = events / (ms / 1000);
        const rows = await rt.store.db.selectFrom('webhook_deliveries').select(['webhook_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('webhook_id').execute();
        const got = subs.map((s) => ({ events: s.events, fields: s.fields, deliveries: Number(rows.find((r) => r.webhook_id === s.id)?.n ?? 0) }));
        if (withThem) {
          if (got.some((g) => g.deliveries === 0)) throw new Error(`webhooks: a subscription got no delivery from the intake workload (${JSON.stringify(got)})`);
          subscriptions = got;
          withSubs = Math.max(withSubs, perSecond);
          cpuWith = Math.min(cpuWith, cpuMs);
        } else {
          if (rows.length) throw new Error('webhooks: deliveries were written with no subscription');
          without = Math.max(without, perSecond);
          cpuWithout = Math.min(cpuWithout, cpuMs);
        }
      } finally {
        await rt.store.close();
      }
    }
  }
  const deliveries = subscriptions.reduce((a, x) => a + x.deliveries, 0);
  const usPerDelivery = ((cpuWith - cpuWithout) * 1000) / deliveries;
  return { events, contacts, without, with: withSubs, ratio: withSubs / without, cpuRatio: cpuWithout / cpuWith, deliveries, usPerDelivery, subscriptions };
}
