import { useState } from 'react';
import { FieldRegistry } from '../../../../engine/schema/field.js';
import { Dialog } from '../../lib/Dialog.js';
import { useLoad } from '../../lib/use-load.js';
import { labelOf, toFieldDef, useFields } from '../contacts/fields.js';
import { FieldPicker } from '../inspector/FieldPicker.js';
import { createWebhook, listEventTypes, updateWebhook, type Webhook, type WebhookInput } from './api.js';
import { checkWebhookUrl, isSlackUrl } from './words.js';

/** The events a fields list narrows. */
const FIELD_EVENTS = ['contact.updated', 'score.changed'];

/**
 * Makes a subscription, or changes one: name, URL, the events it hears (with what each means),
 * the fields that narrow `contact.updated`, and the format. The secret is made by the server and
 * shown on the subscription's page.
 */
export function WebhookForm({ webhook, onClose, onSaved }: { webhook?: Webhook; onClose: () => void; onSaved: (w: Webhook) => void }) {
  const eventTypes = useLoad(listEventTypes, []);
  const fields = useFields();
  const [name, setName] = useState(webhook?.name ?? '');
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [events, setEvents] = useState<string[]>([...(webhook?.events ?? [])]);
  const [chosenFields, setChosenFields] = useState<string[]>([...(webhook?.fields ?? [])]);
  const [format, setFormat] = useState<'json' | 'slack'>(webhook?.format ?? 'json');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);
  const urlProblem = checkWebhookUrl(url);
  const narrowable = events.some((e) => FIELD_EVENTS.includes(e));
  const invalid = !name.trim() || urlProblem !== null || events.length === 0;
  const registry = new FieldRegistry((fields.data ?? []).map(toFieldDef));
  const toggle = (type: string, on: boolean) => setEvents((list) => (on ? [...list, type] : list.filter((t) => t !== type)));

  return (
    <Dialog title={webhook ? `Edit "${webhook.name}"` : 'New webhook'} onClose={onClose} wide>
      <form noValidate onSubmit={async (e) => {
        e.preventDefault();
        setTouched(true);
        if (invalid) return;
        setBusy(true);
        setError(null);
        const input: WebhookInput = {
          name: name.trim(), url: url.trim(), events, format,
          fields: narrowable && chosenFields.length ? chosenFields : null,
        };
        try {
          onSaved(webhook ? await updateWebhook(webhook.id, input) : await createWebhook(input));
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}>
        <div className="dialog-body webhook-form">
          <div className="name-url">
            <label>Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CRM sync" autoFocus required maxLength={200} /></label>
            <label>
              URL that receives the deliveries
              <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} onBlur={() => setTouched(true)} placeholder="https://crm.example.com/hooks/scoremap"
                required aria-invalid={touched && urlProblem ? true : undefined} aria-describedby={touched && urlProblem ? 'webhook-url-problem' : undefined} />
            </label>
          </div>
          {touched && !name.trim() && <p className="error small" role="alert">Give the webhook a name.</p>}
          {touched && urlProblem && <p id="webhook-url-problem" className="error small" role="alert">{urlProblem}</p>}

          <fieldset className="events">
            <legend>Events to send</legend>
            {eventTypes.error && <p className="notice error" role="alert">The event types could not be loaded: {eventTypes.error}</p>}
            {eventTypes.loading && !eventTypes.data && <p className="loading">Loading event types…</p>}
            <div className="event-grid">
              {(eventTypes.data ?? []).map((t) => (
                <label key={t.type} className="check">
                  <input type="checkbox" checked={events.includes(t.type)} onChange={(e) => toggle(t.type, e.target.checked)} />
                  <span><code>{t.type}</code><span className="muted small">{t.description}</span></span>
                </label>
              ))}
            </div>
            {touched && !events.length && <span className="error small" role="alert">Choose at least one event.</span>}
          </fieldset>

          {narrowable && (
            <fieldset className="fields-filter">
              <legend>Only when these fields change</legend>
              <p className="muted small">
                {chosenFields.length
                  ? 'contact.updated is sent only when one of these fields changes; score.changed is sent for the scores and for these fields too.'
                  : 'Every field: contact.updated is sent for any change. Add fields to hear only about those.'}
              </p>
              {chosenFields.length > 0 && (
                <ul className="chips" aria-label="Chosen fields">
                  {chosenFields.map((key) => (
                    <li key={key} className="chip">{labelOf(fields.data, key)}
                      <button type="button" aria-label={`Remove ${labelOf(fields.data, key)}`} onClick={() => setChosenFields(chosenFields.filter((k) => k !== key))}>×</button>
                    </li>
                  ))}
                </ul>
              )}
              <label className="inline">Add a field
                <FieldPicker value={undefined} placeholder="Choose a field…" fields={registry} exclude={chosenFields}
                  onChange={(key) => key && setChosenFields([...chosenFields, key])} aria-label="Add a field" />
              </label>
            </fieldset>
          )}

          <fieldset className="format">
            <legend>Format</legend>
            <label className="check"><input type="radio" name="format" checked={format === 'json'} onChange={() => setFormat('json')} />
              <span><b>JSON</b> <span className="muted">the event with the contact's fields and the change, signed (for your own code, Zapier, Make, n8n…)</span></span>
            </label>
            <label className="check"><input type="radio" name="format" checked={format === 'slack'} onChange={() => setFormat('slack')} />
              <span><b>Slack</b> <span className="muted">a sentence as <code>{'{ "text": … }'}</code>: paste a Slack incoming-webhook URL (Slack → Apps → Incoming WebHooks → Add to a channel) and the messages appear in that channel</span></span>
            </label>
            {format === 'json' && isSlackUrl(url) && <p className="notice small">This is a Slack address: Slack accepts only the Slack format.</p>}
          </fieldset>
          {!webhook && <p className="muted small">A signing secret is made for it: you will find it, with how to check signatures, on the webhook's page.</p>}
        </div>
        {error && <p className="notice error" role="alert">{error}</p>}
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : webhook ? 'Save' : 'Create webhook'}</button>
        </footer>
      </form>
    </Dialog>
  );
}
