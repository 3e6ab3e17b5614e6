/** The answer of POST /api/simulate, and what the panel reads from it: paths through maps, chart points. */
import type { Cause } from '../contacts/causes.js';

export interface SimChange { contact: string; at: string; field: string; from: unknown; to: unknown; cause: Cause }
/** A delivery a webhook element would have made: recorded by the simulation, never sent. */
export interface SimDelivery {
  contact: string; at: string; map: string; element: string;
  webhook?: string; url?: string;
  /** null: the subscription's own format. */
  format: 'json' | 'slack' | null;
  message: string | null;
}
export interface SimResult {
  history: SimChange[];
  final: Record<string, Record<string, unknown>>;
  /** A field's value (`field`, `equals`), or how many webhooks a contact got (`webhooks`, `element`). */
  expectations: { contact: string; at: string; field?: string; equals?: unknown; tolerance?: number; webhooks?: number; element?: string; actual: unknown; pass: boolean }[];
  errors: { map?: string; element?: string; message: string; count?: number }[];
  webhooks?: SimDelivery[];
}

/** Where a delivery goes, in words: the subscription's id, or the URL's host. */
export function deliveryTarget(d: Pick<SimDelivery, 'webhook' | 'url' | 'format'>): string {
  let to = d.webhook !== undefined ? `webhook ${d.webhook}` : (d.url ?? '');
  if (d.webhook === undefined && d.url) {
    try {
      to = new URL(d.url).host || d.url;
    } catch {
      // Not a URL after all: shown as written.
    }
  }
  return d.format ? `${to} (${d.format === 'slack' ? 'Slack' : 'JSON'})` : to;
}

/** An expectation of POST /api/simulate's answer that counts webhooks. */
export type WebhookCheck = SimResult['expectations'][number] & { webhooks: number };

const DAY = 86_400_000;

/**
 * A webhook expectation and its outcome in words: "ann: 1 webhook from “Tell sales” by Jan 1,
 * 9:02 AM (day 1) — got 1 ✓". Day 1 is the scenario's first day.
 */
export function webhookCheckWords(x: WebhookCheck, o: { start: string; elementName: (id: string) => string; time: (iso: string) => string }): string {
  const n = x.webhooks;
  const from = x.element !== undefined ? ` from “${o.elementName(x.element)}”` : '';
  const day = Math.floor((Date.parse(x.at) - Date.parse(o.start)) / DAY) + 1;
  return `${x.contact}: ${n} webhook${n === 1 ? '' : 's'}${from} by ${o.time(x.at)} (day ${day}) — got ${String(x.actual)} ${x.pass ? '✓' : '✗'}`;
}

/** Each contact's deliveries, in the order they were queued. */
export function deliveriesByContact(result: Pick<SimResult, 'webhooks'>): Map<string, SimDelivery[]> {
  const out = new Map<string, SimDelivery[]>();
  for (const d of result.webhooks ?? []) {
    const list = out.get(d.contact) ?? [];
    out.set(d.contact, list);
    list.push(d);
  }
  return out;
}

/** One step of a contact's path: an element that acted, and how many times in a row. */
export interface PathStep { readonly element: string; readonly times: number }

/**
 * The path each contact took through each map, from the history's causes: the elements that
 * changed a field, in order, repeats in a row counted ("Subtract 2 points ×5"). Keyed by the
 * simulation's map id (`map-1`, … in the scenario's order) and then by contact.
 */
export function contactPaths(history: readonly SimChange[]): Map<string, Map<string, PathStep[]>> {
  const out = new Map<string, Map<string, PathStep[]>>();
  for (const h of history) {
    const c = h.cause;
    if (!('map' in c) || !('element' in c)) continue;
    const map = String(c.map);
    const element = String(c.element);
    const byContact = out.get(map) ?? new Map<string, PathStep[]>();
    out.set(map, byContact);
    const steps = byContact.get(h.contact) ?? [];
    byContact.set(h.contact, steps);
    const last = steps[steps.length - 1];
    if (last && last.element === element) steps[steps.length - 1] = { element, times: last.times + 1 };
    else steps.push({ element, times: 1 });
  }
  return out;
}
