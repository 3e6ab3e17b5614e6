import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../store/schema.js';
import { dialectOf } from '../store/dialect.js';
import { chunk } from '../store/chunk.js';

/** A webhook subscription (SPEC §10 "Webhooks out"). */
export interface Subscription {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly events: readonly string[];
  /** For `contact.updated` (and `score.changed`): only these fields; null: all (the scores). */
  readonly fields: readonly string[] | null;
  readonly format: 'json' | 'slack';
  readonly secret: string;
  /** `disabled`: it failed for 3 days and the sender gave up on it. */
  readonly status: 'active' | 'paused' | 'disabled';
  readonly statusReason: string | null;
  readonly failingSince: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

function subscriptionOf(r: Selectable<DB['webhooks']>): Subscription {
  return {
    id: r.id, name: r.name, url: r.url,
    events: JSON.parse(r.events_json) as string[],
    fields: r.fields_json === null ? null : (JSON.parse(r.fields_json) as string[]),
    format: r.format as Subscription['format'],
    secret: r.secret,
    status: r.status as Subscription['status'],
    statusReason: r.status_reason,
    failingSince: r.failing_since === null ? null : Number(r.failing_since),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export async function listSubscriptions(db: Kysely<DB>): Promise<Subscription[]> {
  return (await db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute()).map(subscriptionOf);
}

export async function getSubscription(db: Kysely<DB>, id: string): Promise<Subscription | null> {
  const r = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? subscriptionOf(r) : null;
}

/** A subscription's columns, as written (all but its id). */
function columnsOf(s: Subscription) {
  return {
    name: s.name, url: s.url, events_json: JSON.stringify(s.events),
    fields_json: s.fields === null ? null : JSON.stringify(s.fields), format: s.format, secret: s.secret,
    status: s.status, status_reason: s.statusReason, failing_since: s.failingSince, updated_at: s.updatedAt,
  };
}

export async function insertSubscription(db: Kysely<DB>, s: Subscription): Promise<void> {
  await db.insertInto('webhooks').values({ id: s.id, ...columnsOf(s), created_at: s.createdAt }).execute();
}

export async function updateSubscription(db: Kysely<DB>, s: Subscription): Promise<void> {
  await db.updateTable('webhooks').set(columnsOf(s)).where('id', '=', s.id).execute();
}

/** Deletes a subscription and its deliveries (their attempts too). */
export async function deleteSubscription(db: Kysely<DB>, id: string): Promise<boolean> {
  await db.deleteFrom('webhook_attempts')
    .where('delivery_id', 'in', db.selectFrom('webhook_deliveries').select('id').where('webhook_id', '=', id))
    .execute();
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  const r = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A delivery to write into the outbox. */
export interface NewDelivery {
  readonly id: string;
  readonly webhookId: string | null;
  readonly url: string;
  readonly format: 'json' | 'slack';
  readonly stream: string;
  readonly contactId: string | null;
  readonly type: string;
  /** The body exactly as it will be posted. */
  readonly body: string;
  readonly at: number;
}

export async function insertDeliveries(db: Kysely<DB>, rows: readonly NewDelivery[]): Promise<void> {
  for (const part of chunk(rows, 19)) {
    await db.insertInto('webhook_deliveries').values(part.map((d) => ({
      id: d.id, webhook_id: d.webhookId, url: d.url, format: d.format, stream: d.stream, contact_id: d.contactId,
      type: d.type, payload_json: d.body, status: 'pending', attempts: 0, next_at: d.at, claim: null, claimed_until: null,
      retry_from: null, created_at: d.at, last_at: null, last_status: null, last_answer: null, last_error: null,
    }))).execute();
  }
}

/** A delivery as stored. */
export interface Delivery {
  readonly seq: number;
  readonly id: string;
  readonly webhookId: string | null;
  readonly url: string;
  readonly format: 'json' | 'slack';
  readonly stream: string;
  readonly contactId: string | null;
  readonly type: string;
  readonly body: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly nextAt: number | null;
  readonly claim: string | null;
  readonly retryFrom: number | null;
  readonly createdAt: number;
  readonly lastAt: number | null;
  readonly lastStatus: number | null;
  readonly lastAnswer: string | null;
  readonly lastError: string | null;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function deliveryOf(r: Selectable<DB['webhook_deliveries']>): Delivery {
  return {
    seq: Number(r.seq), id: r.id, webhookId: r.webhook_id, url: r.url, format: r.format as Delivery['format'], stream: r.stream,
    contactId: r.contact_id, type: r.type, body: r.payload_json, status: r.status as Delivery['status'], attempts: r.attempts,
    nextAt: num(r.next_at), claim: r.claim, retryFrom: num(r.retry_from), createdAt: Number(r.created_at), lastAt: num(r.last_at),
    lastStatus: r.last_status, lastAnswer: r.last_answer, lastError: r.last_error,
  };
}

/**
 * Claims up to `limit` deliveries to post now: pending, due by `now`, not claimed by a sender whose
 * claim still runs (`claimTime` is real time, as claims guard against other processes), of an active
 * subscription (or an element's own URL), and each the first pending delivery of its stream, so a
 * contact's deliveries to one destination go out in the order they were made. On PostgreSQL the
 * candidates are locked (`skip locked`): two senders never claim the same row.
 */
export async function claimDeliveries(db: Kysely<DB>, o: { now: number; claimTime: number; leaseMs: number; limit: number; claim: string }): Promise<Delivery[]> {
  const shared = dialectOf(db).shared;
  const candidates = await sql<{ seq: number }>`
    select d.seq from webhook_deliveries d
    where d.status = 'pending' and d.next_at <= ${o.now}
      and (d.claimed_until is null or d.claimed_until < ${o.claimTime})
      and (d.webhook_id is null or exists (select 1 from webhooks w where w.id = d.webhook_id and w.status = 'active'))
      and not exists (select 1 from webhook_deliveries e where e.stream = d.stream and e.status = 'pending' and e.seq < d.seq)
    order by d.next_at, d.seq
    limit ${o.limit}
    ${shared ? sql`for update of d skip locked` : sql``}`.execute(db);
  const seqs = candidates.rows.map((r) => Number(r.seq));
  if (!seqs.length) return [];
  await db.updateTable('webhook_deliveries').set({ claim: o.claim, claimed_until: o.claimTime + o.leaseMs }).where('seq', 'in', seqs).execute();
  return (await db.selectFrom('webhook_deliveries').selectAll().where('seq', 'in', seqs).orderBy('seq').execute()).map(deliveryOf);
}

/**
 * The earliest time a delivery could be claimed: pending, of an active destination, claimed by no
 * one (`claimTime`: real time), first of its stream; or null. A row in flight, or waiting behind an
 * earlier one of its contact, is no reason to look again: its post ending wakes the sender.
 */
export async function nextDeliveryAt(db: Kysely<DB>, claimTime: number): Promise<number | null> {
  const r = await sql<{ at: number | null }>`
    select min(d.next_at) as at from webhook_deliveries d
    where d.status = 'pending'
      and (d.claimed_until is null or d.claimed_until < ${claimTime})
      and (d.webhook_id is null or exists (select 1 from webhooks w where w.id = d.webhook_id and w.status = 'active'))
      and not exists (select 1 from webhook_deliveries e where e.stream = d.stream and e.status = 'pending' and e.seq < d.seq)`.execute(db);
  const at = r.rows[0]?.at;
  return at === null || at === undefined ? null : Number(at);
}

/** One try at posting a delivery. */
export interface Attempt {
  readonly n: number;
  readonly at: number;
  readonly statusCode: number | null;
  /** The receiver's answer, its first 1 KB. */
  readonly answer: string | null;
  readonly error: string | null;
  readonly ms: number;
}

/** Records an attempt and moves the delivery on: delivered, retried at `retryAt`, or failed (retryAt null). */
export async function recordAttempt(
  db: Kysely<DB>,
  d: Delivery,
  a: Omit<Attempt, 'n'>,
  outcome: { delivered: true } | { delivered: false; retryAt: number | null; retryFrom: number },
): Promise<Attempt> {
  const prior = await db.selectFrom('webhook_attempts').select((eb) => eb.fn.max('n').as('n')).where('delivery_id', '=', d.id).executeTakeFirst();
  const n = Number(prior?.n ?? 0) + 1;
  await db.insertInto('webhook_attempts').values({ delivery_id: d.id, n, at: a.at, status_code: a.statusCode, answer: a.answer, error: a.error, ms: a.ms }).execute();
  const base = { attempts: n, last_at: a.at, last_status: a.statusCode, last_answer: a.answer, last_error: a.error, claim: null, claimed_until: null };
  // Only the sender that holds the claim moves the row on (one whose claim ran out and was taken over records its attempt, no more).
  let q = db.updateTable('webhook_deliveries').where('id', '=', d.id).where('status', '=', 'pending');
  q = d.claim === null ? q.where('claim', 'is', null) : q.where('claim', '=', d.claim);
  if (outcome.delivered) await q.set({ ...base, status: 'delivered', next_at: null }).execute();
  else if (outcome.retryAt === null) await q.set({ ...base, status: 'failed', next_at: null, retry_from: outcome.retryFrom }).execute();
  else await q.set({ ...base, next_at: outcome.retryAt, retry_from: outcome.retryFrom }).execute();
  return { n, ...a };
}

/** Gives back claims this sender holds without an attempt (it is stopping). */
export async function releaseClaims(db: Kysely<DB>, claim: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ claim: null, claimed_until: null }).where('claim', '=', claim).where('status', '=', 'pending').execute();
}

/** A subscription's deliveries, newest first, `before` a seq (paging). */
export async function listDeliveries(db: Kysely<DB>, webhookId: string, o: { status?: string; limit: number; before?: number }): Promise<Delivery[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
  if (o.status) q = q.where('status', '=', o.status);
  if (o.before !== undefined) q = q.where('seq', '<', o.before);
  return (await q.orderBy('seq', 'desc').limit(o.limit).execute()).map(deliveryOf);
}

export async function getDelivery(db: Kysely<DB>, id: string): Promise<Delivery | null> {
  const r = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? deliveryOf(r) : null;
}

export async function listAttempts(db: Kysely<DB>, deliveryId: string): Promise<Attempt[]> {
  const rows = await db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('n').execute();
  return rows.map((r) => ({ n: r.n, at: Number(r.at), statusCode: r.status_code, answer: r.answer, error: r.error, ms: r.ms }));
}

/** Makes a delivery pending again, due at `now`, with a fresh 3 days of retries. */
export async function redeliver(db: Kysely<DB>, id: string, now: number): Promise<void> {
  await db.updateTable('webhook_deliveries')
    .set({ status: 'pending', next_at: now, retry_from: null, claim: null, claimed_until: null })
    .where('id', '=', id)
    .execute();
}

/** Deliveries per subscription and status. */
export async function deliveryCounts(db: Kysely<DB>): Promise<Map<string, { pending: number; delivered: number; failed: number }>> {
  const rows = await db.selectFrom('webhook_deliveries')
    .select(['webhook_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('webhook_id', 'is not', null)
    .groupBy(['webhook_id', 'status'])
    .execute();
  const out = new Map<string, { pending: number; delivered: number; failed: number }>();
  for (const r of rows) {
    let c = out.get(r.webhook_id!);
    if (!c) out.set(r.webhook_id!, (c = { pending: 0, delivered: 0, failed: 0 }));
    if (r.status === 'pending' || r.status === 'delivered' || r.status === 'failed') c[r.status] = Number(r.n);
  }
  return out;
}

/** How many deliveries wait to be posted. */
export async function pendingCount(db: Kysely<DB>): Promise<number> {
  const r = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirst();
  return Number(r?.n ?? 0);
}

/**
 * Removes up to `limit` delivered and failed deliveries made before `before`, with their attempts
 * (pending ones stay, however old); answers how many (with `dryRun`, how many would go, all told).
 */
export async function pruneDeliveries(db: Kysely<DB>, before: number, limit: number, dryRun = false): Promise<number> {
  const old = db.selectFrom('webhook_deliveries').where('created_at', '<', before).where('status', '<>', 'pending');
  if (dryRun) return Number((await old.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
  const ids = (await old.select('id').orderBy('seq').limit(limit).execute()).map((r) => r.id);
  if (!ids.length) return 0;
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
  await db.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
  return ids.length;
}
