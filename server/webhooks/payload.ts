import type { FieldValue } from '../../engine/elements/types.js';
import type { FieldRegistry } from '../../engine/schema/field.js';
import type { Cause } from '../../engine/state.js';
import { show, type ShownValue } from '../simulate.js';

/** A contact as a payload carries it: fields by key (dates ISO-8601, empty ones left out), tags. */
export interface PayloadContact {
  readonly id: string;
  readonly fields: Record<string, ShownValue>;
  readonly tags: readonly string[];
}

/** The JSON body of a delivery (SPEC §10 "Payload"). */
export interface Payload {
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly contact?: PayloadContact;
  /** `cause`: what made the change (the last cause, when several changes at one instant made it; `causes` then lists them all). */
  readonly change?: { readonly field: string; readonly from: ShownValue; readonly to: ShownValue; readonly cause: Cause; readonly causes?: readonly Cause[]; readonly model?: string };
  readonly map?: { readonly id: string; readonly version: number; readonly element: string };
  /** `map.webhook`: the element's message; `map.error`: what went wrong. */
  readonly message?: string;
  /** `contact.merged`: the id of the contact merged into `contact` (it is deleted; its events and history are `contact`'s now). */
  readonly merged?: { readonly from: string };
}

/** A contact's fields and tags as a payload shows them. */
export function payloadContact(fields: FieldRegistry, id: string, values: Readonly<Record<string, FieldValue>>, tags: readonly string[]): PayloadContact {
  const shown: Record<string, ShownValue> = {};
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined) shown[k] = show(fields, k, v);
  return { id, fields: shown, tags: [...tags] };
}

/** A value as a sentence shows it. */
function said(v: ShownValue | undefined): string {
  if (v === null || v === undefined || v === '') return 'empty';
  if (Array.isArray(v)) return v.length ? v.join(', ') : 'none';
  return String(v);
}

/** Who the contact is, in a few words: name and email when known, else the id. */
function who(c: PayloadContact | undefined): string {
  if (!c) return 'A contact';
  const name = [c.fields.first_name, c.fields.last_name].filter((x) => typeof x === 'string' && x).join(' ');
  const email = typeof c.fields.email === 'string' ? c.fields.email : '';
  if (name && email) return `${name} (${email})`;
  return name || email || `Contact ${c.id}`;
}

/** What a Slack message says about a delivery: the element's message, or one sentence. */
export function sentence(p: Payload, fields: FieldRegistry): string {
  const label = (key: string) => fields.get(key)?.label ?? key;
  switch (p.type) {
    case 'map.webhook':
      return p.message ?? `${who(p.contact)} reached a webhook element on a map`;
    case 'map.error':
      return `⚠️ ${who(p.contact)} was stopped on a map: ${p.message ?? 'an error'}`;
    case 'contact.created':
      return `${who(p.contact)} was created`;
    case 'contact.deleted':
      return `${who(p.contact)} was deleted`;
    case 'contact.merged':
      return `${who(p.contact)} was merged with the duplicate contact ${p.merged?.from ?? ''}`.trimEnd();
    case 'bracket.changed':
      return `${who(p.contact)} moved from ${said(p.change?.from)} to ${said(p.change?.to)}`;
    case 'score.changed':
    case 'contact.updated':
      return p.change ? `${who(p.contact)}: ${label(p.change.field)} ${said(p.change.from)} → ${said(p.change.to)}` : `${who(p.contact)} changed`;
    default:
      return `Test from Scoremap: this webhook works (${p.at})`;
  }
}

/** The body posted: the payload itself (`json`), or `{ "text" }` for a Slack incoming webhook. */
export function deliveryBody(p: Payload, format: 'json' | 'slack', fields: FieldRegistry): string {
  return JSON.stringify(format === 'slack' ? { text: sentence(p, fields) } : p);
}
