import type { WebhookElement } from '../../../../engine/elements/index.js';

/** A webhook node's line of words, and whether they name a problem. */
export interface WebhookWords {
  readonly words: string;
  readonly missing: boolean;
}

/**
 * The engine's words for a webhook element ("Send a webhook: 🔥 [First name]…") with the
 * subscription named, which only the editor knows: "Send to Sales channel: 🔥 [First name]…", or
 * "Send to a deleted webhook" when the list has no such id. Until the list is read (or when it cannot
 * be, as with a read-only key) the engine's words stay.
 */
export function webhookWords(el: WebhookElement, words: string, hooks: readonly { id: string; name: string }[] | undefined): WebhookWords {
  if (el.webhook === undefined || !hooks || !words.startsWith(ENGINE_PREFIX)) return { words, missing: false };
  const hook = hooks.find((h) => h.id === el.webhook);
  return { words: `Send to ${hook ? hook.name : 'a deleted webhook'}${words.slice(ENGINE_PREFIX.length)}`, missing: !hook };
}

/** How `describe` in engine/elements/webhook.ts starts for an element that names a subscription. */
const ENGINE_PREFIX = 'Send a webhook';
