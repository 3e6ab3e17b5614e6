/**
 * Names from Segment-compatible sources, made Scoremap's (SPEC §10): event names to event types,
 * trait names to field keys, both through lower snake case.
 */
import { EventType } from '../../engine/schema/event.js';

/** The longest event type (SPEC §1: a letter and up to 63 more). */
const MAX_TYPE_LENGTH = 64;

/**
 * Lower snake case of a name as people and tracking plans write it: `Webinar Attended`,
 * `webinarAttended`, `webinar-attended` and `WEBINAR ATTENDED` all give `webinar_attended`;
 * `HTMLPage` gives `html_page`. Accents are dropped (`Démo` → `demo`); anything else that is not a
 * letter or digit becomes one underscore. With `keepDots`, dots stay (event types may hold them).
 */
export function snakeCase(name: string, opts: { keepDots?: boolean } = {}): string {
  const other = opts.keepDots ? /[^a-z0-9.]+/g : /[^a-z0-9]+/g;
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    // A word boundary inside camelCase: "orderCompleted" → "order Completed", "HTMLPage" → "HTML Page".
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(other, '_')
    .replace(/_*\._*/g, '.')
    .replace(/^[_.]+|[_.]+$/g, '');
}

/**
 * Segment's standard event names (its e-commerce v2 and v1, email and B2B SaaS specs) that stand
 * for one of Scoremap's known event types, keyed by their snake case, so `Order Completed`,
 * `orderCompleted` and `order_completed` are all a purchase. Names whose snake case already is
 * the type (`Email Opened` → `email_opened`) are listed too, so this table is the whole story.
 *
 * Not here, on purpose: `Checkout Started` is the start of a checkout, not its abandonment
 * (`checkout_abandoned` is what a cart tool reports after the fact, as `Cart Abandoned` or
 * `Checkout Abandoned`); `Email Delivered`, `Trial Ended`, `Order Refunded`, `Signed Up` and the
 * rest keep their snake case as custom types (`email_delivered`, …).
 */
export const STANDARD_EVENTS: Readonly<Record<string, string>> = {
  // Email spec
  email_opened: 'email_opened',
  email_link_clicked: 'email_link_clicked',
  email_bounced: 'email_bounced',
  email_marked_as_spam: 'email_marked_spam',
  unsubscribed: 'email_unsubscribed',
  // E-commerce v2 (`Order Completed`) and v1 (`Completed Order`)
  order_completed: 'purchase',
  completed_order: 'purchase',
  // Sent by cart and e-commerce tools; not in Segment's spec, which has no abandonment event
  cart_abandoned: 'checkout_abandoned',
  checkout_abandoned: 'checkout_abandoned',
  // B2B SaaS spec, and the demo request every B2B tracking plan has
  trial_started: 'trial_started',
  demo_requested: 'demo_requested',
  // Subscriptions, in either spelling of "cancelled"
  subscription_started: 'subscription_started',
  subscription_cancelled: 'subscription_cancelled',
  subscription_canceled: 'subscription_cancelled',
};

/** How a Segment event name was made a type: the user's table, the standard names, or snake case. */
export type TypeSource = 'mapping' | 'standard' | 'snake_case';

/**
 * A user's table of names (event name → type, or trait name → field key), ready for look-ups: a
 * name matches its entry exactly, else ignoring case and surrounding spaces, else by snake case
 * (so "Signed Up" in the table also catches "signed_up" and "signedUp").
 */
export class NameTable {
  readonly #exact = new Map<string, string>();
  readonly #folded = new Map<string, string>();
  readonly #snake = new Map<string, string>();

  constructor(table: Readonly<Record<string, string>> = {}) {
    for (const [name, value] of Object.entries(table)) {
      this.#exact.set(name, value);
      // The first entry wins where two fold to the same name.
      if (!this.#folded.has(fold(name))) this.#folded.set(fold(name), value);
      const snake = snakeCase(name, { keepDots: true });
      if (!this.#snake.has(snake)) this.#snake.set(snake, value);
    }
  }

  get(name: string, snake = snakeCase(name, { keepDots: true })): string | undefined {
    return this.#exact.get(name) ?? this.#folded.get(fold(name)) ?? this.#snake.get(snake);
  }
}

const fold = (name: string) => name.trim().toLowerCase();

/**
 * The event type for a `track` call's event name: the user's own table first (an empty type there
 * means "ignore this event"), then {@link STANDARD_EVENTS}, then the name's lower snake case cut
 * to 64 characters, starting at its first letter (`2024 Webinar` → `webinar`). Answers an error in
 * words when nothing valid is left or the user's table names an invalid type.
 */
export function eventTypeFor(name: string, userEvents: NameTable): { type: string | null; source: TypeSource } | { error: string } {
  const key = snakeCase(name, { keepDots: true });
  const mapped = userEvents.get(name, key);
  if (mapped !== undefined) {
    const type = mapped.trim();
    if (type === '') return { type: null, source: 'mapping' };
    if (!EventType.safeParse(type).success) {
      return { error: `the event mapping sends "${name}" to "${type}", which is not an event type (a lower-case letter, then letters, digits, "_" or ".", at most 64): correct it in the intake settings` };
    }
    return { type, source: 'mapping' };
  }
  const standard = STANDARD_EVENTS[key.replace(/\./g, '_')];
  if (standard) return { type: standard, source: 'standard' };
  const type = key.replace(/^[^a-z]+/, '').slice(0, MAX_TYPE_LENGTH).replace(/[_.]+$/, '');
  if (!EventType.safeParse(type).success) {
    return { error: `the event name "${name}" gives no event type (types are made of the letters a–z, digits, "_" and "."): map it to a type in the intake settings, or rename it` };
  }
  return { type, source: 'snake_case' };
}
