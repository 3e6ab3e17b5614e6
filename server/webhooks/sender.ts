import { randomUUID } from 'node:crypto';
import type { Runtime } from '../runtime/runtime.js';
import { TEST_EVENT } from './events.js';
import type { Outbox } from './outbox.js';
import { AddressPolicy, postDelivery, type PostResult } from './post.js';
import { signatureHeaders } from './signature.js';
import { claimDeliveries, getSubscription, nextDeliveryAt, recordAttempt, releaseClaims, updateSubscription, type Attempt, type Delivery } from './store.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;
/** How long a delivery is retried, and a failing subscription kept, before giving up (SPEC §10). */
export const GIVE_UP_AFTER = 3 * 24 * HOUR;
/** The waits between tries (SPEC §10): about 10 s, 1 min, 10 min, 1 h, then every 6 h. */
const BACKOFF = [10 * SECOND, 60 * SECOND, 600 * SECOND, HOUR];
const LATER = 6 * HOUR;

/** When to try again after the `n`th try failed, or null when 3 days have passed since `from`. */
export function retryAt(n: number, now: number, from: number): number | null {
  const at = now + (BACKOFF[n - 1] ?? LATER);
  if (now - from >= GIVE_UP_AFTER) return null;
  // The last try falls on the end of the window rather than past it.
  return Math.min(at, from + GIVE_UP_AFTER);
}

export interface SenderOptions {
  /** Posts in flight at once (many contacts in parallel; one contact's in order). Default 16. */
  readonly concurrency?: number;
  /** How long a claim keeps other processes off a delivery, ms (real time). Default 60 s: past the 10 s time-out. */
  readonly leaseMs?: number;
  readonly policy?: AddressPolicy;
  /** A receiver's time to answer, ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Looks for work at least this often, ms (deliveries another process wrote, a manual clock moved). Default 1 s. */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
  /** Sent in the User-Agent. */
  readonly version?: string;
}

/**
 * Posts the outbox's due deliveries (SPEC §10): claims a few at a time (on PostgreSQL, several
 * processes share the sending and never claim a row twice), posts them in parallel, records each
 * attempt, and retries with backoff. A crash leaves claims that run out after `leaseMs`: the
 * deliveries are then posted again (at least once, never lost).
 */
export class Sender {
  readonly #claim = randomUUID();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #opts: Required<Omit<SenderOptions, 'log' | 'version'>> & Pick<SenderOptions, 'log' | 'version'>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #unlisten: (() => void) | undefined;
  #down = false;

  constructor(readonly rt: Runtime, readonly outbox: Outbox, opts: SenderOptions = {}) {
    this.#opts = {
      concurrency: opts.concurrency ?? 16, leaseMs: opts.leaseMs ?? 60 * SECOND, policy: opts.policy ?? new AddressPolicy(),
      timeoutMs: opts.timeoutMs ?? 10 * SECOND, pollMs: opts.pollMs ?? SECOND, log: opts.log, version: opts.version,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    // Deliveries are written inside a transaction: a short delay lets it commit before the look.
    this.#unlisten = this.outbox.onQueued(() => setTimeout(() => this.#wake?.(), 5));
    this.#loop = this.#run();
  }

  /** Stops claiming, lets the posts in flight finish (each at most the time-out), gives back unposted claims. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#unlisten?.();
    this.#wake?.();
    await this.#loop;
    await Promise.all(this.#inFlight);
    await this.rt.store.transaction((s) => releaseClaims(s.db, this.#claim)).catch(() => {});
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let sleep = this.#opts.pollMs;
      try {
        const room = this.#opts.concurrency - this.#inFlight.size;
        if (room > 0) {
          const claimed = await this.rt.store.transaction((s) => claimDeliveries(s.db, {
            now: this.rt.clock.now(), claimTime: Date.now(), leaseMs: this.#opts.leaseMs, limit: room, claim: this.#claim,
          }));
          for (const d of claimed) this.#track(this.#send(d));
          if (claimed.length === room) continue; // there may be more
          const next = await nextDeliveryAt(this.rt.store.db, Date.now());
          if (next !== null) sleep = Math.max(0, Math.min(sleep, next - this.rt.clock.now()));
        }
        if (this.#down) this.#opts.log?.('webhooks: the database answers again; sending goes on');
        this.#down = false;
      } catch (e) {
        if (!this.#down) this.#opts.log?.(`webhooks: cannot read the outbox (${(e as Error).message}); trying again`);
        this.#down = true;
        sleep = 5 * SECOND;
      }
      if (!this.#running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, sleep);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = undefined;
    }
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    // A finished post frees room, and may have unblocked the next delivery of its stream.
    void p.finally(() => {
      this.#inFlight.delete(p);
      this.#wake?.();
    });
  }

  async #send(d: Delivery): Promise<void> {
    try {
      await this.send(d);
    } catch (e) {
      // The attempt could not be recorded (the database went away): the claim runs out and the
      // delivery is posted again later.
      this.#opts.log?.(`webhooks: delivery ${d.id} could not be recorded (${(e as Error).message}); it will be posted again`);
    }
  }

  /** Posts one claimed delivery and records what became of it. */
  async send(d: Delivery): Promise<{ attempt: Attempt; result: PostResult }> {
    // Active subscriptions are in memory (read with the world); only a held one is read here.
    const sub = d.webhookId === null ? null : (this.outbox.subscriptions.find((x) => x.id === d.webhookId) ?? (await getSubscription(this.rt.store.db, d.webhookId)));
    const url = sub?.url ?? d.url;
    const secret = sub?.secret ?? this.outbox.elementSecret;
    const headers = {
      ...signatureHeaders(secret, d.id, Date.now(), d.body),
      'user-agent': `Scoremap-Webhooks/${this.#opts.version ?? '1'}`,
    };
    const result = d.webhookId !== null && !sub
      ? { ok: false, statusCode: null, answer: null, error: 'the webhook was deleted', ms: 0 }
      : await postDelivery(url, d.body, headers, { policy: this.#opts.policy, timeoutMs: this.#opts.timeoutMs });
    const at = this.rt.clock.now();
    let disabled = false;
    const attempt = await this.rt.store.transaction(async (s) => {
      const from = d.retryFrom ?? at;
      // "Send a test" is tried once: its answer is shown at once, and a refused test neither retries
      // nor counts towards disabling the webhook.
      const test = d.type === TEST_EVENT;
      const outcome = result.ok ? { delivered: true as const } : { delivered: false as const, retryAt: test ? null : retryAt(d.attempts + 1, at, from), retryFrom: from };
      const a = await recordAttempt(s.db, d, { at, statusCode: result.statusCode, answer: result.answer, error: result.error, ms: result.ms }, outcome);
      if (d.webhookId === null || test) return a;
      const current = await getSubscription(s.db, d.webhookId);
      if (!current) return a;
      if (result.ok && current.failingSince !== null) {
        await updateSubscription(s.db, { ...current, failingSince: null, updatedAt: at });
      } else if (!result.ok) {
        const since = current.failingSince ?? at;
        if (current.status === 'active' && at - since >= GIVE_UP_AFTER) {
          disabled = true;
          const why = result.error ?? `HTTP ${result.statusCode}`;
          await updateSubscription(s.db, { ...current, status: 'disabled', failingSince: since, statusReason: `Failing since ${new Date(since).toISOString()} (last: ${why}): disabled after 3 days`, updatedAt: at });
        } else if (current.failingSince === null) {
          await updateSubscription(s.db, { ...current, failingSince: since, updatedAt: at });
        }
      }
      return a;
    });
    if (disabled) {
      this.#opts.log?.(`webhooks: "${sub?.name}" (${url}) failed for 3 days and was disabled`);
      // Every process stops writing deliveries for it.
      await this.rt.changeWorld(async () => undefined);
    }
    return { attempt, result };
  }
}
