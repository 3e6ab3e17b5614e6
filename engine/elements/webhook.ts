import { z } from 'zod';
import { elementBase, Ref } from './base.js';
import { defineKind } from './types.js';
import type { MapDocument } from '../schema/map.js';
import { MAX_TEMPLATE_LENGTH, parseTemplate, renderTemplate } from '../expression/template.js';
import { shorten } from '../expression/problem.js';

/** How a delivery is posted: the JSON payload of SPEC §10, or Slack's `{ "text" }`. */
export const WebhookFormat = z.enum(['json', 'slack']);
export type WebhookFormat = z.infer<typeof WebhookFormat>;

/**
 * Queues a delivery through the outbox (the same guarantees as every webhook: written with the
 * contact's change, retried until delivered) and continues at once (SPEC §10 "The seventh element").
 */
export const WebhookElement = z.strictObject({
  ...elementBase,
  kind: z.literal('webhook'),
  /** The subscription to send through (its URL, secret and format), or… */
  webhook: z.string().min(1).max(200).optional(),
  /** …a URL of its own, signed with the server's element secret. */
  url: z.string().max(2_000).optional(),
  /** Default: the subscription's format, or "json" for a URL. */
  format: WebhookFormat.optional(),
  /** Text with field references as in expressions: `🔥 [First name] reached [Score]`. */
  message: z.string().max(MAX_TEMPLATE_LENGTH).optional(),
  next: Ref,
});
export type WebhookElement = z.infer<typeof WebhookElement>;

/** Why `url` is no address a webhook can post to, or null when it is one. */
export function urlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `"${shorten(url, 60)}" is not a URL: write the whole address, like https://hooks.slack.com/services/…`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return `The URL must start with https:// or http://, not ${parsed.protocol}//`;
  }
  if (parsed.username || parsed.password) return 'Leave the user name and password out of the URL: deliveries are signed instead';
  return null;
}

/** The host a URL posts to, for the element's words; the text itself when it is no URL. */
function hostOf(url: string): string {
  try {
    return new URL(url.trim()).host || url;
  } catch {
    return shorten(url, 40);
  }
}

const hasMessage = (el: WebhookElement) => el.message !== undefined && el.message.trim() !== '';

/**
 * The subscriptions a map's webhook elements send through, by element id: whether each exists is
 * for the server to say (the engine knows no subscriptions).
 */
export function webhookTargets(doc: Pick<MapDocument, 'elements'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const el of doc.elements) if (el.kind === 'webhook' && el.webhook !== undefined) out.set(el.id, el.webhook);
  return out;
}

export const webhook = defineKind<WebhookElement>({
  kind: 'webhook',
  schema: WebhookElement,
  outlets: (el) => [{ path: 'next', target: el.next, instant: true, required: true }],
  describe(el) {
    const target = el.url !== undefined && el.url.trim() !== '' && el.webhook === undefined
      ? `Post to ${hostOf(el.url)}`
      : el.webhook === undefined ? 'Send a webhook (no target yet)' : 'Send a webhook';
    return hasMessage(el) ? `${target}: ${shorten(el.message!.trim().replace(/\s+/g, ' '), 60)}` : target;
  },
  check(el, ctx) {
    const url = el.url?.trim() ? el.url : undefined;
    if (el.webhook !== undefined && el.url !== undefined) {
      ctx.problem('url', 'Send through a webhook or to a URL of its own, not both: clear one of them');
    } else if (el.webhook === undefined && el.url === undefined) {
      ctx.problem('webhook', 'Say where to send it: pick a webhook, or give a URL of its own');
    } else if (el.webhook === undefined && url === undefined) {
      ctx.problem('url', 'Write the address to post to, like https://hooks.slack.com/services/…');
    } else if (url !== undefined) {
      const why = urlProblem(url);
      if (why) ctx.problem('url', why);
    }
    if (el.message !== undefined) {
      const r = parseTemplate(el.message, ctx.fields);
      if (!r.ok) ctx.problem('message', r.error.message);
    }
  },
  run(el, ctx) {
    const url = el.url?.trim() ? el.url.trim() : undefined;
    if (el.webhook === undefined && url === undefined) return { error: 'The webhook has nowhere to send: pick a webhook or give a URL' };
    let message: string | undefined;
    if (hasMessage(el)) {
      const r = parseTemplate(el.message!, ctx.fields);
      if (!r.ok) return { error: `The message cannot be filled in: ${r.error.message}` };
      message = renderTemplate(r.parts, (key) => ctx.get(key));
    }
    ctx.queueWebhook({
      ...(el.webhook !== undefined ? { webhook: el.webhook } : { url }),
      // A subscription's own format applies unless the element sets one; a URL of its own gets JSON.
      ...(el.format ? { format: el.format } : el.webhook === undefined ? { format: 'json' as const } : {}),
      ...(message !== undefined ? { message } : {}),
    });
    return el.next ? { go: el.next } : { error: "'What happens next?' is empty" };
  },
});
