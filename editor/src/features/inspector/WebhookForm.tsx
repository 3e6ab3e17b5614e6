import { useId } from 'react';
import { WebhookElement } from '../../../../engine/elements/webhook.js';
import type { WebhookElement as Webhook } from '../../../../engine/elements/index.js';
import { useWebhooks, type WebhookList } from '../settings/use-webhooks.js';
import { DraftInput, Setting } from './controls.js';
import { MessageInput } from './MessageInput.js';
import type { FormProps } from './form-props.js';

const URL_MAX = WebhookElement.shape.url.unwrap().maxLength ?? undefined;
const MESSAGE_MAX = WebhookElement.shape.message.unwrap().maxLength ?? undefined;
const FORMAT_WORDS = { json: 'JSON', slack: 'Slack' } as const;

/**
 * Webhook: where the delivery goes (a subscription from Settings → Webhooks, or a URL of its own),
 * in which format, and the message with fields filled in for each contact.
 */
export function WebhookForm({ element, fields, onChange }: FormProps<Webhook>) {
  const name = useId();
  // Read again as the element opens (one may have been made in Settings meanwhile); the canvas shares the list.
  const hooks = useWebhooks({ fresh: true });
  const ownUrl = element.url !== undefined && element.webhook === undefined;
  const chosen = hooks.data?.find((h) => h.id === element.webhook);
  const formatDefault = ownUrl ? 'JSON (the default)' : `As the webhook says${chosen ? ` (${FORMAT_WORDS[chosen.format]})` : ''}`;
  return (
    <>
      <fieldset className="insp-section insp-webhook-to">
        <legend>Send to</legend>
        <label className="insp-choice">
          <input type="radio" name={name} checked={!ownUrl} onChange={() => onChange({ url: undefined })} />
          A webhook from Settings
        </label>
        <label className="insp-choice">
          <input type="radio" name={name} checked={ownUrl} onChange={() => onChange({ webhook: undefined, url: element.url ?? '' })} />
          A URL of its own
        </label>
      </fieldset>

      {(!ownUrl || element.webhook !== undefined) && (
        <Setting label="Webhook" path="webhook" hint={chosen ? `Posts to ${chosen.url}` : undefined}>
          {(id, d) => <SubscriptionPicker id={id} describedBy={d} value={element.webhook} hooks={hooks} onChange={(webhook) => onChange({ webhook })} />}
        </Setting>
      )}
      {element.url !== undefined && (
        <Setting label="URL" path="url" hint="Deliveries are signed with the element secret shown in Settings → Webhooks.">
          {(id, d) => (
            <DraftInput
              id={id}
              aria-describedby={d}
              type="url"
              className="insp-mono"
              value={element.url ?? ''}
              maxLength={URL_MAX}
              spellCheck={false}
              autoComplete="off"
              placeholder="https://hooks.slack.com/services/…"
              onCommit={(url) => onChange({ url: url.trim() })}
            />
          )}
        </Setting>
      )}

      <Setting label="Format" path="format"
        hint={(element.format ?? (ownUrl ? 'json' : chosen?.format)) === 'slack' && !element.message?.trim()
          ? 'Without a message, Slack gets a sentence about the contact.' : undefined}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={element.format ?? ''}
            onChange={(e) => onChange({ format: e.target.value === '' ? undefined : (e.target.value as 'json' | 'slack') })}>
            <option value="">{formatDefault}</option>
            <option value="json">JSON: the contact, the map and the message</option>
            <option value="slack">Slack: the message as text</option>
          </select>
        )}
      </Setting>

      <MessageInput
        label="Message"
        value={element.message ?? ''}
        onChange={(message) => onChange({ message: message === '' ? undefined : message })}
        fields={fields}
        path="message"
        maxLength={MESSAGE_MAX}
      />
    </>
  );
}

/** The subscriptions to pick from, by name and URL; an empty list says where to make one. */
function SubscriptionPicker({ id, describedBy, value, hooks, onChange }: {
  id: string;
  describedBy: string | undefined;
  value: string | undefined;
  hooks: WebhookList & { reload(): void };
  onChange(webhook: string | undefined): void;
}) {
  if (hooks.error && !hooks.data) {
    return (
      <p className="insp-problems error" id={id}>
        The webhooks could not be read: {hooks.error}{' '}
        <button type="button" className="insp-small" onClick={hooks.reload}>Try again</button>
      </p>
    );
  }
  if (!hooks.data) return <p className="insp-hint" id={id}>Loading webhooks…</p>;
  if (!hooks.data.length && value === undefined) {
    return (
      <p className="insp-hint insp-webhook-empty" id={id}>
        No webhooks yet — create one in <a href="#/settings/webhooks">Settings → Webhooks</a>, or send to a URL of its own.
      </p>
    );
  }
  const known = value === undefined || hooks.data.some((h) => h.id === value);
  return (
    <select id={id} aria-describedby={describedBy} value={value ?? ''} aria-invalid={!known || undefined}
      onChange={(e) => onChange(e.target.value || undefined)}>
      <option value="" disabled={value !== undefined}>Choose a webhook…</option>
      {!known && <option value={value}>Missing webhook “{value}”</option>}
      {hooks.data.map((h) => (
        <option key={h.id} value={h.id}>
          {h.name} — {h.url}{h.status !== 'active' ? ` (${h.status})` : ''}
        </option>
      ))}
    </select>
  );
}
