/**
 * The keys and webhooks APIs as the Settings pages use them (SPEC §10). The shapes are the
 * server's answers; the pages read nothing else.
 */
import { api } from '../../lib/api.js';

export type Scope = 'admin' | 'ingest' | 'read';

/** An API key as listed: never its secret, only its first characters. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly scope: Scope;
  readonly prefix: string;
  readonly origins: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

export type WebhookStatus = 'active' | 'paused' | 'disabled';
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A webhook subscription with its delivery counts. */
export interface Webhook {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly fields: readonly string[] | null;
  readonly format: 'json' | 'slack';
  readonly status: WebhookStatus;
  readonly statusReason: string | null;
  readonly failingSince: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly counts: { readonly pending: number; readonly delivered: number; readonly failed: number };
  /** Only in the answers to create and to reading one subscription. */
  readonly secret?: string;
}

/** What a subscription is made or changed with. */
export interface WebhookInput {
  name?: string;
  url?: string;
  events?: string[];
  fields?: string[] | null;
  format?: 'json' | 'slack';
  secret?: string;
  status?: 'active' | 'paused';
}

/** One post of a delivery to the receiver. */
export interface Attempt {
  readonly n: number;
  readonly at: string;
  readonly statusCode: number | null;
  readonly answer: string | null;
  readonly error: string | null;
  readonly ms: number;
}

/** A line of the outbox: one event for one subscription, tried until delivered or given up. */
export interface Delivery {
  readonly id: string;
  readonly seq: number | string;
  readonly type: string;
  readonly contactId: string | null;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAt: string | null;
  readonly createdAt: string;
  readonly lastAt: string | null;
  readonly lastStatus: number | null;
  readonly lastAnswer: string | null;
  readonly lastError: string | null;
}

/** An event type a subscription can ask for, with what it means. */
export interface EventType {
  readonly type: string;
  readonly description: string;
}

const enc = encodeURIComponent;
const hook = (id: string) => `/webhooks/${enc(id)}`;

// Keys -----------------------------------------------------------------------------------------

export const listKeys = () => api<{ keys: ApiKey[] }>('/keys').then((r) => r.keys);

/** Makes a key; its secret comes back in this answer only. */
export const createKey = (input: { name: string; scope: Scope; origins?: string[] }) =>
  api<{ key: ApiKey; secret: string }>('/keys', { body: input });

export const updateKey = (id: string, input: { name?: string; origins?: string[] }) =>
  api<unknown>(`/keys/${enc(id)}`, { method: 'PATCH', body: input });

export const revokeKey = (id: string) => api<void>(`/keys/${enc(id)}`, { method: 'DELETE' });

// Webhooks -------------------------------------------------------------------------------------

export const listEventTypes = () => api<{ events: EventType[] }>('/webhooks/events').then((r) => r.events);
export const listWebhooks = () => api<{ webhooks: Webhook[] }>('/webhooks').then((r) => r.webhooks);
export const getWebhook = (id: string) => api<Webhook>(hook(id));
export const createWebhook = (input: WebhookInput) => api<Webhook>('/webhooks', { body: input });
export const updateWebhook = (id: string, input: WebhookInput) => api<Webhook>(hook(id), { method: 'PATCH', body: input });
export const deleteWebhook = (id: string) => api<void>(hook(id), { method: 'DELETE' });

/** Sends a `webhook.test` delivery now; the answer carries the attempt's outcome. */
export const sendTest = (id: string) => api<{ delivery: Delivery; attempt: Attempt }>(`${hook(id)}/test`, { method: 'POST' });

/** A page of deliveries, newest first; `next` continues the list. */
export function listDeliveries(id: string, opts: { status?: DeliveryStatus | ''; before?: string | null; limit?: number } = {}) {
  const q = new URLSearchParams({ limit: String(opts.limit ?? 50) });
  if (opts.status) q.set('status', opts.status);
  if (opts.before) q.set('before', opts.before);
  return api<{ deliveries: Delivery[]; next: string | null }>(`${hook(id)}/deliveries?${q}`);
}

export const getDelivery = (id: string, deliveryId: string) =>
  api<Omit<Delivery, 'attempts'> & { attempts: Attempt[] | number; payload: unknown }>(`${hook(id)}/deliveries/${enc(deliveryId)}`)
    .then(readDetail);

export const redeliver = (id: string, deliveryId: string) =>
  api<Delivery>(`${hook(id)}/deliveries/${enc(deliveryId)}/redeliver`, { method: 'POST' });

/** The secret deliveries of map elements posting to a URL of their own are signed with. */
export const getElementSecret = () => api<{ secret: string }>('/webhooks/element-secret').then((r) => r.secret);

/** A delivery with its payload and each attempt. */
export interface DeliveryWithAttempts extends Omit<Delivery, 'attempts'> {
  readonly payload: unknown;
  readonly attemptList: readonly Attempt[];
  readonly attempts: number;
}

/**
 * The detail names its attempts `attempts` (a list), where the log's line has a count by that
 * name: both are kept, under names that do not clash.
 */
function readDetail(raw: Omit<Delivery, 'attempts'> & { attempts: Attempt[] | number; payload: unknown }): DeliveryWithAttempts {
  const list = Array.isArray(raw.attempts) ? raw.attempts : [];
  return { ...raw, attemptList: list, attempts: Array.isArray(raw.attempts) ? raw.attempts.length : raw.attempts };
}
