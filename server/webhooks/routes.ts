import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { webhookTargets } from '../../engine/elements/webhook.js';
import { elementName } from '../../engine/validate.js';
import { pathParam } from '../routes/contact-views.js';
import type { Runtime } from '../runtime/runtime.js';
import { TEST_EVENT, WEBHOOK_EVENTS, WebhookEventType } from './events.js';
import { deliveryId, ELEMENT_SECRET, Outbox, streamOf } from './outbox.js';
import { deliveryBody } from './payload.js';
import { Sender } from './sender.js';
import { AddressPolicy } from './post.js';
import { newSecret, secretProblem } from './signature.js';
import { recordAudit } from '../audit/log.js';
import { webhookChange } from '../audit/webhook-changes.js';
import { q } from '../audit/words.js';
import { actorOf } from '../people/actor.js';
import {
  deleteSubscription, deliveryCounts, getDelivery, getSubscription, insertDeliveries, listAttempts, listDeliveries, listSubscriptions,
  redeliver, updateSubscription, insertSubscription, type Attempt, type Delivery, type Subscription,
} from './store.js';

/** An absolute http(s) URL. */
const Url = z.string().trim().max(2000, 'a URL has at most 2,000 characters').refine((u) => {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}, 'the URL must be absolute, starting with http:// or https://');

const Secret = z.string().trim().refine((s) => secretProblem(s) === null, { error: (iss) => secretProblem(String(iss.input)) ?? 'not a secret' });
const Name = z.string().trim().min(1, 'a name is not empty').max(200, 'a name has at most 200 characters');
const Events = z.array(WebhookEventType).min(1, 'pick at least one event').max(20).refine((e) => new Set(e).size === e.length, 'an event is listed twice');
const Fields = z.array(z.string().min(1).max(200)).max(500);
const Format = z.enum(['json', 'slack'], { error: 'the format is "json" (the payload) or "slack" ({ "text" }, for a Slack incoming webhook)' });

const WebhookBody = z.strictObject({ name: Name, url: Url, events: Events, fields: Fields.nullable().optional(), format: Format.optional(), secret: Secret.optional() });
const WebhookPatch = z.strictObject({
  name: Name.optional(), url: Url.optional(), events: Events.optional(), fields: Fields.nullable().optional(), format: Format.optional(), secret: Secret.optional(),
  status: z.enum(['active', 'paused'], { error: 'the status is "active" or "paused"' }).optional(),
});

const Iso = z.string().meta({ description: 'ISO-8601 time' });
const WebhookView = z.object({
  id: z.string(), name: z.string(), url: z.string(), events: z.array(z.string()), fields: z.array(z.string()).nullable(),
  format: z.enum(['json', 'slack']), status: z.enum(['active', 'paused', 'disabled']), statusReason: z.string().nullable(),
  failingSince: Iso.nullable(), createdAt: Iso, updatedAt: Iso,
  counts: z.object({ pending: z.number(), delivered: z.number(), failed: z.number() }),
});
const WithSecret = WebhookView.extend({ secret: z.string() });
const DeliveryView = z.object({
  id: z.string(), seq: z.number(), type: z.string(), contactId: z.string().nullable(), status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(), nextAt: Iso.nullable(), createdAt: Iso, lastAt: Iso.nullable(), lastStatus: z.number().nullable(),
  lastAnswer: z.string().nullable(), lastError: z.string().nullable(),
});
const AttemptView = z.object({ n: z.number(), at: Iso, statusCode: z.number().nullable(), answer: z.string().nullable(), error: z.string().nullable(), ms: z.number() });
const DeliveriesQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).optional(),
});

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function webhookView(s: Subscription, counts?: { pending: number; delivered: number; failed: number }) {
  return {
    id: s.id, name: s.name, url: s.url, events: [...s.events], fields: s.fields === null ? null : [...s.fields], format: s.format,
    status: s.status, statusReason: s.statusReason, failingSince: iso(s.failingSince), createdAt: iso(s.createdAt)!, updatedAt: iso(s.updatedAt)!,
    counts: counts ?? { pending: 0, delivered: 0, failed: 0 },
  };
}

function deliveryView(d: Delivery) {
  return {
    id: d.id, seq: d.seq, type: d.type, contactId: d.contactId, status: d.status, attempts: d.attempts, nextAt: d.status === 'pending' ? iso(d.nextAt) : null,
    createdAt: iso(d.createdAt)!, lastAt: iso(d.lastAt), lastStatus: d.lastStatus, lastAnswer: d.lastAnswer, lastError: d.lastError,
  };
}

const attemptView = (a: Attempt) => ({ ...a, at: iso(a.at)! });

/** The outbox this process's runtime writes through. */
export function outboxOf(rt: Runtime): Outbox {
  const outbox = rt.hooks.find((h): h is Outbox => h instanceof Outbox);
  if (!outbox) throw new Error('this runtime has no outbox: start it with hooks: [new Outbox()]');
  return outbox;
}

/** Field keys from keys or labels; an unknown one is refused. */
function fieldKeys(rt: Runtime, names: readonly string[] | null | undefined): string[] | null {
  if (!names) return null;
  return [...new Set(names.map((n) => {
    const f = rt.world.fields.resolve(n);
    if (!f) throw badRequest(`Unknown field "${n}": the fields filter names contact fields (GET /api/fields)`);
    return f.key;
  }))];
}

/**
 * `/api/webhooks` (SPEC §10 "Webhooks out"): subscriptions, their delivery log, redelivery and a
 * test send. Every change is a change of the world, so every process writes deliveries by it at once.
 */
export function webhooksRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const sender = () => deps.webhooks?.sender ?? new Sender(rt, outboxOf(rt), { policy: deps.webhooks?.policy, version: deps.version });
  const load = async (id: string) => {
    const s = await getSubscription(rt.store.db, id);
    if (!s) throw notFound(`No webhook with id "${id}"`);
    return s;
  };
  /** A URL the sender would refuse is refused now, in the same words. */
  const checkUrl = (url: string | undefined) => {
    const problem = url === undefined ? null : (deps.webhooks?.policy ?? new AddressPolicy()).urlProblem(url);
    if (problem) throw badRequest(`url: ${problem}`);
  };
  const countsOf = async (id: string) => (await deliveryCounts(rt.store.db)).get(id);
  return new ApiRouter('/api/webhooks', 'Webhooks', { scope: 'admin', role: 'admin' })
    .op({
      method: 'get', path: '/events', summary: 'The event types a webhook can hear',
      response: z.object({ events: z.array(z.object({ type: z.string(), description: z.string() })) }),
    }, (c) => c.json({ events: Object.entries(WEBHOOK_EVENTS).map(([type, description]) => ({ type, description })) }))
    .op({
      method: 'get', path: '/element-secret', summary: 'The secret that signs deliveries of webhook elements posting to a URL of their own',
      response: z.object({ secret: z.string() }),
    }, async (c) => c.json({ secret: (await rt.store.getMeta(ELEMENT_SECRET)) ?? outboxOf(rt).elementSecret }))
    .op({ method: 'get', path: '/', summary: 'List the webhooks', response: z.object({ webhooks: z.array(WebhookView) }) }, async (c) => {
      const counts = await deliveryCounts(rt.store.db);
      return c.json({ webhooks: (await listSubscriptions(rt.store.db)).map((s) => webhookView(s, counts.get(s.id))) });
    })
    .op({
      method: 'post', path: '/', summary: 'Create a webhook', body: WebhookBody, status: 201, response: WithSecret,
      description: 'Deliveries are signed as the Standard Webhooks specification says, with `secret` (made when not given: shown here and on GET /api/webhooks/:id). '
        + '`fields` limits `contact.updated` to those fields and adds them to `score.changed`.',
    }, async (c, { body }) => {
      checkUrl(body.url);
      const now = rt.clock.now();
      const sub: Subscription = {
        id: rt.ids(), name: body.name, url: body.url, events: body.events, fields: fieldKeys(rt, body.fields), format: body.format ?? 'json',
        secret: body.secret ?? newSecret(), status: 'active', statusReason: null, failingSince: null, createdAt: now, updatedAt: now,
      };
      await rt.changeWorld(() => rt.store.transaction(async (s) => {
        await insertSubscription(s.db, sub);
        await recordAudit(s.db, actorOf(c), {
          action: 'webhook.create', targetType: 'webhook', targetId: sub.id,
          summary: `Created the webhook ${q(sub.name)} to ${sub.url} (${sub.events.join(', ')})`,
          detail: { url: sub.url, events: sub.events, fields: sub.fields, format: sub.format },
        }, now);
      }));
      return c.json({ ...webhookView(sub), secret: sub.secret }, 201);
    })
    .op({ method: 'get', path: '/:id', summary: 'A webhook, with its secret', response: WithSecret }, async (c) => {
      const sub = await load(pathParam(c, 'id'));
      return c.json({ ...webhookView(sub, await countsOf(sub.id)), secret: sub.secret });
    })
    .op({
      method: 'patch', path: '/:id', summary: 'Change a webhook, pause it, resume or re-enable it', body: WebhookPatch, response: WebhookView,
      description: 'A paused webhook gets no new deliveries; those already made wait and go out when it is active again. `status: "active"` also re-enables a webhook the sender disabled.',
    }, async (c, { body }) => {
      const id = pathParam(c, 'id');
      checkUrl(body.url);
      const now = rt.clock.now();
      const sub = await rt.changeWorld(() => rt.store.transaction(async (s) => {
        const old = await getSubscription(s.db, id);
        if (!old) throw notFound(`No webhook with id "${id}"`);
        const reopened = body.status !== undefined && body.status !== old.status;
        const next: Subscription = {
          ...old,
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.events !== undefined ? { events: body.events } : {}),
          ...(body.fields !== undefined ? { fields: fieldKeys(rt, body.fields) } : {}),
          ...(body.format !== undefined ? { format: body.format } : {}),
          ...(body.secret !== undefined ? { secret: body.secret } : {}),
          ...(body.status !== undefined ? { status: body.status } : {}),
          ...(reopened ? { statusReason: null, failingSince: null } : {}),
          updatedAt: now,
        };
        await updateSubscription(s.db, next);
        const entry = webhookChange(old, next);
        if (entry) await recordAudit(s.db, actorOf(c), entry, now);
        return next;
      }));
      if (sub.status === 'active') outboxOf(rt).wake();
      return c.json(webhookView(sub, await countsOf(sub.id)));
    })
    .op({ method: 'delete', path: '/:id', summary: 'Delete a webhook and its delivery log', status: 204,
      description: 'Refused (409) while a published map\'s `webhook` element sends through it.' }, async (c) => {
      const id = pathParam(c, 'id');
      const gone = await rt.changeWorld(() => rt.store.transaction(async (s) => {
        // A running map's element would lose its deliveries without a word: it is changed first.
        for (const m of rt.world.maps) {
          const element = [...webhookTargets(m.doc)].find(([, target]) => target === id)?.[0];
          if (element !== undefined) {
            throw conflict(`The map "${m.doc.name}" sends through this webhook (element '${elementName(m.elements.get(element)!)}'): point it elsewhere and publish, or pause the webhook instead`);
          }
        }
        const old = await getSubscription(s.db, id);
        if (!old || !(await deleteSubscription(s.db, id))) return false;
        await recordAudit(s.db, actorOf(c), {
          action: 'webhook.delete', targetType: 'webhook', targetId: id, summary: `Deleted the webhook ${q(old.name)} (to ${old.url}) and its delivery log`,
        }, rt.clock.now());
        return true;
      }));
      if (!gone) throw notFound(`No webhook with id "${id}"`);
      return c.body(null, 204);
    })
    .op({
      method: 'post', path: '/:id/test', summary: 'Send a test delivery now',
      response: z.object({ delivery: DeliveryView, attempt: AttemptView }),
      description: 'A `webhook.test` delivery, signed like the others, posted at once (also to a paused webhook); it is in the log like any delivery.',
    }, async (c) => {
      const sub = await load(pathParam(c, 'id'));
      const now = rt.clock.now();
      const id = deliveryId();
      const payload = { id, type: TEST_EVENT, at: new Date(now).toISOString() };
      const claim = `test:${id}`;
      await rt.store.transaction(async (s) => {
        await insertDeliveries(s.db, [{
          id, webhookId: sub.id, url: sub.url, format: sub.format, stream: streamOf(sub.id, sub.url, null) + id, contactId: null,
          type: TEST_EVENT, body: deliveryBody(payload, sub.format, rt.world.fields), at: now,
        }]);
        // Claimed at once: the sender's loop leaves it alone while this request posts it.
        await s.db.updateTable('webhook_deliveries').set({ claim, claimed_until: Date.now() + 60_000 }).where('id', '=', id).execute();
      });
      const d = (await getDelivery(rt.store.db, id))!;
      const { attempt } = await sender().send(d);
      return c.json({ delivery: deliveryView((await getDelivery(rt.store.db, id))!), attempt: attemptView(attempt) });
    })
    .op({
      method: 'get', path: '/:id/deliveries', summary: 'A webhook\'s deliveries, newest first', query: DeliveriesQuery,
      response: z.object({ deliveries: z.array(DeliveryView), next: z.string().nullable() }),
      description: 'Page with `before`: the `next` of the previous answer.',
    }, async (c, { query }) => {
      const sub = await load(pathParam(c, 'id'));
      const rows = await listDeliveries(rt.store.db, sub.id, { status: query.status, limit: query.limit, before: query.before });
      return c.json({ deliveries: rows.map(deliveryView), next: rows.length === query.limit ? String(rows[rows.length - 1].seq) : null });
    })
    .op({
      method: 'get', path: '/:id/deliveries/:delivery', summary: 'One delivery: its payload and every attempt',
      response: DeliveryView.extend({ payload: z.unknown(), attempts: z.array(AttemptView) }),
    }, async (c) => {
      const sub = await load(pathParam(c, 'id'));
      const d = await getDelivery(rt.store.db, pathParam(c, 'delivery'));
      if (!d || d.webhookId !== sub.id) throw notFound(`No delivery "${pathParam(c, 'delivery')}" for this webhook`);
      return c.json({ ...deliveryView(d), payload: JSON.parse(d.body) as unknown, attempts: (await listAttempts(rt.store.db, d.id)).map(attemptView) });
    })
    .op({
      method: 'post', path: '/:id/deliveries/:delivery/redeliver', summary: 'Post a delivery again', response: DeliveryView,
      description: 'The delivery is pending again, due now, with a fresh 3 days of retries; it keeps its id, so a receiver that saw it can drop the repeat.',
    }, async (c) => {
      const sub = await load(pathParam(c, 'id'));
      const key = pathParam(c, 'delivery');
      const d = await getDelivery(rt.store.db, key);
      if (!d || d.webhookId !== sub.id) throw notFound(`No delivery "${key}" for this webhook`);
      await rt.store.transaction(async (s) => {
        const now = rt.clock.now();
        await redeliver(s.db, d.id, now);
        await recordAudit(s.db, actorOf(c), {
          action: 'webhook.redeliver', targetType: 'webhook', targetId: sub.id,
          summary: `Sent the ${d.type} delivery ${d.id} of the webhook ${q(sub.name)} again`, detail: { delivery: d.id, type: d.type, contactId: d.contactId },
        }, now);
      });
      outboxOf(rt).wake();
      return c.json(deliveryView((await getDelivery(rt.store.db, d.id))!));
    });
}
