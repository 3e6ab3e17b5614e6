import { describe, expect, it } from 'vitest';
import { webhook, type WebhookElement } from '../../../../engine/elements/webhook.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import { webhookWords } from './webhook-words.js';

const fields = new FieldRegistry([...BUILTIN_FIELDS]);
const hooks = [{ id: 'wh_sales', name: 'Sales channel' }, { id: 'wh_crm', name: 'CRM' }];
const words = (el: WebhookElement, list: typeof hooks | undefined = hooks) => webhookWords(el, webhook.describe(el, fields), list);
const el = (over: Partial<WebhookElement>): WebhookElement => ({ id: 'w', kind: 'webhook', next: 'done', ...over });

describe('a webhook node\'s words', () => {
  it('name the subscription it sends through, with the message after it', () => {
    expect(words(el({ webhook: 'wh_crm' }))).toEqual({ words: 'Send to CRM', missing: false });
    expect(words(el({ webhook: 'wh_sales', message: '🔥 [First name] reached [Score]' })))
      .toEqual({ words: 'Send to Sales channel: 🔥 [First name] reached [Score]', missing: false });
  });

  it('say the subscription is gone when the list has no such id', () => {
    expect(words(el({ webhook: 'wh_old', message: 'hi' }))).toEqual({ words: 'Send to a deleted webhook: hi', missing: true });
  });

  it('keep the engine\'s words until the list is read, and for a URL of its own', () => {
    expect(webhookWords(el({ webhook: 'wh_old' }), 'Send a webhook', undefined)).toEqual({ words: 'Send a webhook', missing: false });
    expect(words(el({ url: 'https://hooks.slack.com/services/x' }))).toEqual({ words: 'Post to hooks.slack.com', missing: false });
    expect(words(el({}))).toEqual({ words: 'Send a webhook (no target yet)', missing: false });
  });
});
