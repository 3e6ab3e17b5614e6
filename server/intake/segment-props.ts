/**
 * Segment properties to event props (SPEC §1, §10). Nested objects are flattened with dots
 * (`product.sku`); a list becomes its JSON text (`products` → `[{"name":"Pro"}]`, so "contains"
 * conditions still work); null is left out. Text is cut at 10,000 characters, and props past 100
 * or with a name over 64 characters are left out rather than the call refused: the call is still
 * the person's action, and a client cannot shorten what it already sent.
 */
import { KNOWN_EVENTS } from '../../engine/schema/event.js';
import { cut, fit, MAX_TEXT_LENGTH, parseDecimal } from './segment-traits.js';

/** The most props an event keeps (SPEC §1). */
export const MAX_PROPS = 100;
/** The longest prop name kept (SPEC §1). */
export const MAX_PROP_NAME = 64;
/** Nesting flattened in properties; deeper objects become JSON text. */
const MAX_PROP_DEPTH = 8;

/** A prop's value (SPEC §1). */
export type Prop = string | number | boolean;

/**
 * A track call's props: its properties flattened, plus what Scoremap's known type expects from
 * Segment's names for it — a purchase's `amount` from `revenue`, else `total`, and `product` from
 * the first of `products`; a clicked link's `url` from `link_url`. A known type's props are made
 * their declared type where unambiguous ("39.95" → 39.95).
 */
export function trackProps(type: string, properties: Record<string, unknown>): Record<string, Prop> {
  const flat = flatten(properties);
  const derived = new Map<string, unknown>();
  if (type === 'purchase') {
    derived.set('amount', properties.amount ?? properties.revenue ?? properties.total);
    const products = properties.products;
    const first = Array.isArray(products) ? (products[0] as { name?: unknown } | undefined) : undefined;
    derived.set('product', scalar(properties.product) ?? first?.name);
  }
  if (type === 'email_link_clicked') derived.set('url', properties.url ?? properties.link_url);
  return finish(type, flat, derived);
}

/**
 * A page or screen call's props: `url`, `path`, `title`, `referrer` and `search` from its
 * properties, else from `context.page`; its `name` and `category`; then the rest of its properties.
 */
export function pageProps(properties: Record<string, unknown>, page: Record<string, unknown>, name?: string | null, category?: string | null): Record<string, Prop> {
  const flat = flatten(properties);
  const derived = new Map<string, unknown>();
  for (const key of ['url', 'path', 'title', 'referrer', 'search']) derived.set(key, properties[key] ?? page[key]);
  derived.set('name', name ?? properties.name);
  derived.set('category', category ?? properties.category);
  return finish('page_visited', flat, derived);
}

/**
 * The props kept: the derived ones first (they are what maps test), then the rest in the order
 * sent, up to 100, names of 1–64 characters; a known type's props in their declared type.
 */
function finish(type: string, flat: Map<string, Prop>, derived: Map<string, unknown>): Record<string, Prop> {
  const declared = KNOWN_EVENTS[type] ?? {};
  const out = new Map<string, Prop>();
  for (const [key, raw] of derived) {
    const value = scalar(raw);
    if (value !== undefined) out.set(key, value);
  }
  for (const [key, value] of flat) {
    if (out.size >= MAX_PROPS) break;
    if (!out.has(key) && key.length >= 1 && key.length <= MAX_PROP_NAME) out.set(key, value);
  }
  for (const [key, kind] of Object.entries(declared)) {
    const value = out.get(key);
    if (value === undefined) continue;
    // Made the declared type, never rounded: an amount is the client's figure.
    const typed = kind === 'number' ? (typeof value === 'string' ? parseDecimal(value) : value)
      : kind === 'boolean' ? fit({ key, label: key, type: 'boolean' }, value) : value;
    if (typed !== undefined) out.set(key, typed);
  }
  return Object.fromEntries(out);
}

/** A single value as a prop (text cut at 10,000), or `undefined` for null, objects and non-finite numbers. */
function scalar(value: unknown): Prop | undefined {
  if (typeof value === 'string') return cut(value, MAX_TEXT_LENGTH);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

/** Properties flattened with dots; lists (and objects nested past 8 levels) as JSON text. */
export function flatten(properties: Record<string, unknown>): Map<string, Prop> {
  const out = new Map<string, Prop>();
  const walk = (value: unknown, key: string, depth: number): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value) || (typeof value === 'object' && depth >= MAX_PROP_DEPTH)) {
      out.set(key, cut(JSON.stringify(value), MAX_TEXT_LENGTH));
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k, depth + 1);
    } else {
      const s = scalar(value);
      if (s !== undefined) out.set(key, s);
    }
  };
  walk(properties, '', 0);
  return out;
}
