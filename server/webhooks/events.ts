import { z } from 'zod';

/** What a subscription can hear (SPEC §10 "Webhooks out"), with the words the editor shows. */
export const WEBHOOK_EVENTS = {
  'contact.created': 'A contact was created (API, import, an event naming a new email)',
  'contact.updated': 'A field or the tags of a contact changed (only the fields listed, when the webhook lists some)',
  'contact.merged': 'Two contacts were merged into one',
  'contact.deleted': 'A contact was deleted (the payload holds it as it was)',
  'score.changed': 'A score changed: the built-in Score, every scoring model’s field, and the fields the webhook lists',
  'bracket.changed': 'A contact moved to another bracket of a scoring model',
  'map.error': 'An element of a map stopped a contact with an error',
  'map.webhook': 'A webhook element on a map that names this webhook sent its message',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;

export const WebhookEventType = z.enum(Object.keys(WEBHOOK_EVENTS) as [WebhookEventType, ...WebhookEventType[]], {
  error: `an event type is one of ${Object.keys(WEBHOOK_EVENTS).join(', ')}`,
});

/** The type of the deliveries "Send a test" makes; no subscription lists it. */
export const TEST_EVENT = 'webhook.test';
