import { randomUUID } from 'node:crypto';
import type { Effects } from '../../engine/effects.js';
import type { World } from '../../engine/cascade.js';
import type { Cause, FieldChange } from '../../engine/state.js';
import { bracketOf } from '../../engine/scoring/model.js';
import { quietFields } from '../../engine/scoring/shadow.js';
import type { RuntimeHook } from '../runtime/runtime.js';
import type { MapDocument } from '../../engine/schema/map.js';
import type { Problem } from '../../engine/elements/types.js';
import { webhookTargets } from '../../engine/elements/webhook.js';
import { elementName } from '../../engine/validate.js';
import type { Store } from '../store/store.js';
import { show } from '../simulate.js';
import { deliveryBody, payloadContact, type Payload, type PayloadContact } from './payload.js';
import { getSubscription, insertDeliveries, listSubscriptions, type NewDelivery, type Subscription } from './store.js';
import { newSecret } from './signature.js';

/** The meta key of the secret that signs deliveries of `webhook` elements posting to a URL of their own. */
export const ELEMENT_SECRET = 'webhook_element_secret';

/**
 * A delivery id, as Standard Webhooks suggests: `msg_` and a random part (122 random bits).
 * `randomUUID` draws from a cached pool of random bytes: a call of `randomBytes` per delivery was
 * 14 % of what writing a delivery cost.
 */
export function deliveryId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/** The stream a delivery belongs to: its destination and its contact (their deliveries go out in order). */
export function streamOf(webhookId: string | null, url: string, contactId: string | null): string {
  // As JSON: unambiguous whatever the ids hold, and no NUL (PostgreSQL's text cannot hold one).
  return JSON.stringify([webhookId ?? `url:${url}`, contactId ?? '']);
}

/** A field's change as a webhook tells it: one or more recorded changes at one instant, from the first's value to the last's. */
interface NetChange extends FieldChange {
  /** Every cause, first to last, when several changes made it (two scoring rules that one event hit). */
  readonly causes?: readonly Cause[];
}

/**
 * A batch's changes as webhooks tell them: the changes of one field of one contact at one instant
 * (two rules that one page view hit, a map that set a field twice) are one change, from the first
 * value to the last, so a receiver hears "Score 9 → 18" once; one that ends where it began is
 * none. A new contact's first values are not changes (`contact.created` carries them).
 */
function netChanges(effects: Effects): NetChange[] {
  const byKey = new Map<string, { first: FieldChange; to: FieldChange['to']; causes: Cause[] }>();
  effects.changes.forEach((c, i) => {
    const created = effects.created.get(c.contactId);
    if (created !== undefined && i < created) return;
    const key = JSON.stringify([c.contactId, c.field, c.at]);
    const net = byKey.get(key);
    if (net) {
      net.to = c.to;
      net.causes.push(c.cause);
    } else {
      byKey.set(key, { first: c, to: c.to, causes: [c.cause] });
    }
  });
  const out: NetChange[] = [];
  for (const { first, to, causes } of byKey.values()) {
    if (JSON.stringify(first.from) === JSON.stringify(to)) continue;
    out.push({ ...first, to, cause: causes[causes.length - 1], ...(causes.length > 1 ? { causes } : {}) });
  }
  return out;
}

/** A delivery to make, before its contact is read (the payload carries the contact as the commit leaves it). */
interface Pending {
  readonly sub: Subscription | null;
  readonly url: string;
  readonly format: 'json' | 'slack';
  readonly contactId: string;
  readonly payload: Omit<Payload, 'id' | 'contact'>;
}

/**
 * The outbox (SPEC §10 "Nothing lost"): in the transaction that writes a batch's effects, it writes
 * a delivery for every subscription that hears one of its changes, and for every `webhook` element
 * the batch passed; the sender posts them after the commit. Subscriptions are read with the world,
 * so every process sees a change to them at once.
 */
export class Outbox implements RuntimeHook {
  #subs: readonly Subscription[] = [];
  #elementSecret: string | null = null;
  readonly #queued = new Set<() => void>();

  /** The active subscriptions, as last read. */
  get subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  /** The secret that signs deliveries to elements' own URLs. */
  get elementSecret(): string {
    if (!this.#elementSecret) throw new Error('the outbox has not been read yet');
    return this.#elementSecret;
  }

  /**
   * A `webhook` element naming a subscription that does not exist cannot send (an error); one
   * naming a paused or disabled subscription holds its deliveries until it is active (a warning).
   */
  async checkMap(s: Store, doc: MapDocument): Promise<Problem[]> {
    const problems: Problem[] = [];
    for (const [elementId, webhookId] of webhookTargets(doc)) {
      const el = doc.elements.find((e) => e.id === elementId)!;
      const sub = await getSubscription(s.db, webhookId);
      const who = `Element '${elementName(el)}'`;
      if (!sub) {
        problems.push({ element: elementId, path: 'webhook', severity: 'error', message: `${who}: there is no webhook "${webhookId}" (deleted?): pick one under Settings → Webhooks, or give a URL` });
      } else if (sub.status !== 'active') {
        problems.push({ element: elementId, path: 'webhook', severity: 'warning', message: `${who}: the webhook "${sub.name}" is ${sub.status}: its deliveries wait until it is active again` });
      }
    }
    return problems;
  }

  async reload(s: Store): Promise<void> {
    this.#subs = (await listSubscriptions(s.db)).filter((x) => x.status === 'active');
    let secret = await s.getMeta(ELEMENT_SECRET);
    if (!secret) {
      // Made once; a process that races another keeps whichever was written first.
      await s.db.insertInto('meta').values({ key: ELEMENT_SECRET, value: newSecret() }).onConflict((oc) => oc.column('key').doNothing()).execute();
      secret = await s.getMeta(ELEMENT_SECRET);
    }
    this.#elementSecret = secret;
  }

  /** Hears when deliveries were written (the sender looks for work). */
  onQueued(listener: () => void): () => void {
    this.#queued.add(listener);
    return () => this.#queued.delete(listener);
  }

  /** Tells the sender to look for work (after a redelivery, a resume). */
  wake(): void {
    for (const l of this.#queued) l();
  }

  listens(field: string): boolean {
    return this.#subs.some((s) => this.#hears(s, field, 'contact.updated') || this.#hears(s, field, 'score.changed') || s.events.includes('bracket.changed'));
  }

  /** Whether subscription `s` hears a change of `field` as `type`. */
  #hears(s: Subscription, field: string, type: 'contact.updated' | 'score.changed', scores?: ReadonlySet<string>): boolean {
    if (!s.events.includes(type)) return false;
    if (type === 'contact.updated') return s.fields === null || s.fields.includes(field);
    return (scores?.has(field) ?? field === 'score') || (s.fields?.includes(field) ?? false);
  }

  async written(s: Store, effects: Effects, world: World, now: number): Promise<void> {
    if (!this.#subs.length && !effects.webhooks.length) return;
    const pending: Pending[] = [];
    const forAll = (type: string, contactId: string, payload: Omit<Payload, 'id' | 'contact' | 'type'>) => {
      for (const sub of this.#subs) {
        if (sub.events.includes(type)) pending.push({ sub, url: sub.url, format: sub.format, contactId, payload: { type, ...payload } });
      }
    };
    const iso = (t: number) => new Date(t).toISOString();

    if (this.#subs.length) {
      for (const [contactId] of effects.created) forAll('contact.created', contactId, { at: iso(now) });
      for (const m of effects.merges) forAll('contact.merged', m.contactId, { at: iso(m.at), merged: { from: m.from } });
      const scores = new Set(['score', ...(world.models ?? []).map((m) => m.model.field)]);
      const bracketed = (world.models ?? []).filter((m) => m.model.brackets?.length);
      const quiet = quietFields(world.models);
      for (const c of netChanges(effects)) {
        if (quiet.has(c.field)) continue; // a challenger's score and bracket are heard by no one
        const change = { field: c.field, from: shown(world, c.field, c.from), to: shown(world, c.field, c.to), cause: c.cause, ...(c.causes ? { causes: c.causes } : {}) };
        for (const sub of this.#subs) {
          for (const type of ['contact.updated', 'score.changed'] as const) {
            if (this.#hears(sub, c.field, type, scores)) pending.push({ sub, url: sub.url, format: sub.format, contactId: c.contactId, payload: { type, at: iso(c.at), change } });
          }
        }
        for (const m of bracketed) {
          if (m.model.field !== c.field) continue;
          const num = (v: unknown) => (typeof v === 'number' ? v : null);
          const from = bracketOf(num(c.from), m.model.brackets);
          const to = bracketOf(num(c.to), m.model.brackets);
          if (from !== to) forAll('bracket.changed', c.contactId, { at: iso(c.at), change: { field: c.field, from, to, cause: c.cause, model: m.model.id } });
        }
      }
      for (const e of effects.errors) {
        forAll('map.error', e.contactId, { at: iso(e.at), map: { id: e.mapId, version: e.version, element: e.elementId }, message: e.message });
      }
    }
    for (const w of effects.webhooks) {
      const payload = { type: 'map.webhook', at: iso(w.at), map: { id: w.mapId, version: w.version, element: w.elementId }, ...(w.message !== undefined ? { message: w.message } : {}) };
      if (w.webhook !== undefined) {
        // Through a subscription: paused or disabled ones hold the delivery until they are active again.
        const sub = this.#subs.find((x) => x.id === w.webhook) ?? (await getSubscription(s.db, w.webhook));
        if (!sub) continue; // deleted since the map was published: the element's counts show it passed
        pending.push({ sub, url: sub.url, format: w.format ?? sub.format, contactId: w.contactId, payload });
      } else if (w.url !== undefined) {
        pending.push({ sub: null, url: w.url, format: w.format ?? 'json', contactId: w.contactId, payload });
      }
    }
    if (!pending.length) return;
    await this.#write(s, world, pending, now);
  }

  /** A deleted contact, as it was: heard by `contact.deleted` subscriptions. Call in the deleting transaction, before the delete. */
  async deleted(s: Store, world: World, contactId: string, at: number): Promise<void> {
    if (!this.#subs.some((x) => x.events.includes('contact.deleted'))) return;
    const pending: Pending[] = this.#subs
      .filter((sub) => sub.events.includes('contact.deleted'))
      .map((sub) => ({ sub, url: sub.url, format: sub.format, contactId, payload: { type: 'contact.deleted', at: new Date(at).toISOString() } }));
    await this.#write(s, world, pending, at);
  }

  async #write(s: Store, world: World, pending: readonly Pending[], now: number): Promise<void> {
    const ids = [...new Set(pending.map((p) => p.contactId))];
    const states = await s.loadContacts(ids, { locked: true });
    const contacts = new Map<string, PayloadContact>();
    for (const [id, c] of states) contacts.set(id, payloadContact(world.fields, id, c.fields, c.tags));
    const rows: NewDelivery[] = pending.map((p) => {
      const id = deliveryId();
      const payload: Payload = { id, ...p.payload, ...(contacts.has(p.contactId) ? { contact: contacts.get(p.contactId)! } : {}) } as Payload;
      const at = Date.parse(p.payload.at);
      return {
        id, webhookId: p.sub?.id ?? null, url: p.url, format: p.format, stream: streamOf(p.sub?.id ?? null, p.url, p.contactId),
        contactId: p.contactId, type: p.payload.type, body: deliveryBody(payload, p.format, world.fields), at: Number.isFinite(at) ? at : now,
      };
    });
    await insertDeliveries(s.db, rows);
    this.wake();
  }
}

function shown(world: World, field: string, v: FieldChange['from']) {
  return v === null || v === undefined ? null : show(world.fields, field, v);
}
