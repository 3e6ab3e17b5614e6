import { z } from 'zod';

/** The event types the editor's trigger picker offers, with their props (SPEC §1). */
export const KNOWN_EVENTS: Readonly<Record<string, Readonly<Record<string, 'text' | 'number' | 'boolean'>>>> = {
  email_opened: {},
  email_link_clicked: { url: 'text' },
  email_replied: {},
  email_bounced: { hard: 'boolean' },
  email_unsubscribed: {},
  email_marked_spam: {},
  page_visited: { url: 'text' },
  form_submitted: { form: 'text' },
  sms_received: { text: 'text' },
  purchase: { amount: 'number', product: 'text' },
  subscription_started: { product: 'text' },
  subscription_cancelled: { product: 'text' },
  appointment_booked: {},
  appointment_missed: {},
  demo_requested: {},
  trial_started: {},
  call_logged: {},
  checkout_abandoned: {},
};

/** A known event type or a custom one. */
export const EventType = z
  .string()
  .regex(/^[a-z][a-z0-9_.]{0,63}$/, 'an event type is a lower-case letter followed by up to 63 lower-case letters, digits, dots or underscores');

/** How an event names its contact: by id or by email. */
export const ContactRef = z.union([
  z.strictObject({ id: z.string().min(1).max(200) }),
  z.strictObject({ email: z.email().max(320) }),
]);
export type ContactRef = z.infer<typeof ContactRef>;

/** An ISO-8601 time with a zone, e.g. 2026-01-01T10:00:00Z. */
export const IsoTime = z.iso.datetime({ offset: true });

/** Event props: a flat object of strings, numbers and booleans. */
export const EventProps = z
  .record(z.string().min(1).max(64), z.union([z.string().max(10_000), z.number(), z.boolean()]))
  .refine((p) => Object.keys(p).length <= 100, { message: 'an event has at most 100 props' });

/** An event as a client sends it (SPEC §1). */
export const EventInput = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  contact: ContactRef,
  type: EventType,
  at: IsoTime.optional(),
  props: EventProps.optional(),
});
export type EventInput = z.infer<typeof EventInput>;
