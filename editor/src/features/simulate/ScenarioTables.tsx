import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import { eventWords } from '../scoring/RulesEditor.js';
import { fromLocalInput, toLocalInput, type DraftContact, type DraftEvent, type DraftExpect, type DraftSpot } from './scenario.js';

const EVENTS = Object.keys(KNOWN_EVENTS);

/** Marks the input the last refusal is about, and points it at the message. */
const marked = (spot: DraftSpot | null | undefined, here: DraftSpot) => (spot === here ? { 'aria-invalid': true, 'aria-describedby': 'sim-error' } : {});

/** Edits one row of a list in place. */
function update<T>(list: readonly T[], i: number, patch: Partial<T>): T[] {
  return list.map((x, j) => (j === i ? { ...x, ...patch } : x));
}

/** The scenario's contacts: an id, an email, and a few more fields as `key=value`. */
export function ContactsTable({ rows, onChange, spot }: { rows: readonly DraftContact[]; onChange: (r: DraftContact[]) => void; spot?: DraftSpot | null }) {
  return (
    <fieldset className="sim-block">
      <legend>Contacts</legend>
      <table className="data compact edit">
        <thead><tr><th scope="col">Id</th><th scope="col">Email</th><th scope="col">Other fields <span className="muted">(key=value, …)</span></th><th><span className="sr-only">Remove</span></th></tr></thead>
        <tbody>
          {rows.map((c, i) => (
            <tr key={i}>
              <td><input aria-label={`Id of contact ${i + 1}`} value={c.id} onChange={(e) => onChange(update(rows, i, { id: e.target.value }))} className="w-id" /></td>
              <td><input aria-label={`Email of contact ${i + 1}`} type="email" value={c.email} onChange={(e) => onChange(update(rows, i, { email: e.target.value }))} /></td>
              <td><input aria-label={`Other fields of contact ${i + 1}`} {...marked(spot, `contact:${i}:fields`)} value={c.fields} placeholder="job_title=CEO, company_size=50" onChange={(e) => onChange(update(rows, i, { fields: e.target.value }))} className="w-full" /></td>
              <td className="actions"><button type="button" className="icon small" aria-label={`Remove contact ${c.id || i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="link small" onClick={() => onChange([...rows, { id: `contact-${rows.length + 1}`, email: '', fields: '' }])}>+ Add a contact</button>
    </fieldset>
  );
}

/** The events: who, what (the known types), when, and props as `key=value`. */
export function EventsTable({ rows, contacts, onChange, defaultAt }: { rows: readonly DraftEvent[]; contacts: readonly string[]; onChange: (r: DraftEvent[]) => void; defaultAt: string }) {
  return (
    <fieldset className="sim-block">
      <legend>Events</legend>
      {rows.length === 0 ? <p className="muted small">No events: contacts only enter on contact_created and schedule triggers.</p> : (
        <table className="data compact edit">
          <thead><tr><th scope="col">Contact</th><th scope="col">Event</th><th scope="col">At</th><th scope="col">Props <span className="muted">(key=value, …)</span></th><th><span className="sr-only">Remove</span></th></tr></thead>
          <tbody>
            {rows.map((e, i) => (
              <tr key={i}>
                <td>
                  <select aria-label={`Contact of event ${i + 1}`} value={e.contact} onChange={(ev) => onChange(update(rows, i, { contact: ev.target.value }))}>
                    {!contacts.includes(e.contact) && <option value={e.contact}>{e.contact || '(choose)'}</option>}
                    {contacts.map((c) => <option key={c} value={c}>{c}</option>)}
                  </select>
                </td>
                <td>
                  <select aria-label={`Type of event ${i + 1}`} value={e.type} onChange={(ev) => onChange(update(rows, i, { type: ev.target.value }))}>
                    {!EVENTS.includes(e.type) && <option value={e.type}>{e.type}</option>}
                    {EVENTS.map((t) => <option key={t} value={t}>{eventWords(t)}</option>)}
                  </select>
                </td>
                <td><input aria-label={`Time of event ${i + 1}`} type="datetime-local" value={toLocalInput(e.at)} onChange={(ev) => onChange(update(rows, i, { at: fromLocalInput(ev.target.value) }))} /></td>
                <td>
                  <input
                    aria-label={`Props of event ${i + 1}`} value={e.props} className="w-full"
                    placeholder={Object.keys(KNOWN_EVENTS[e.type] ?? {}).map((p) => `${p}=…`).join(', ') || 'none'}
                    onChange={(ev) => onChange(update(rows, i, { props: ev.target.value }))}
                  />
                </td>
                <td className="actions"><button type="button" className="icon small" aria-label={`Remove event ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="link small" onClick={() => onChange([...rows, { contact: contacts[0] ?? '', type: 'email_link_clicked', at: rows[rows.length - 1]?.at ?? defaultAt, props: '' }])}>+ Add an event</button>
    </fieldset>
  );
}

/** A webhook element of a map under simulation, for the expectations' picker. */
export interface WebhookElement { readonly id: string; readonly label: string; readonly map: string }

/** The picker's words for an element id: its label (and map, when two maps are simulated). */
function elementOption(w: WebhookElement, maps: number): string {
  return maps > 1 ? `Webhooks from “${w.label}” (${w.map})` : `Webhooks from “${w.label}”`;
}

/**
 * Optional checks at a moment: a field's value, or how many webhooks a contact got by then (from
 * any webhook element, or from one of the maps' webhook elements, picked by label).
 */
export function ExpectTable({ rows, contacts, webhookElements, onChange, defaultAt, spot }: {
  rows: readonly DraftExpect[]; contacts: readonly string[]; webhookElements: readonly WebhookElement[]; onChange: (r: DraftExpect[]) => void; defaultAt: string; spot?: DraftSpot | null;
}) {
  const mapCount = new Set(webhookElements.map((w) => w.map)).size;
  // One element id may sit in two maps: the scenario counts both, the picker lists it once.
  const picks = [...new Map(webhookElements.map((w) => [w.id, w])).values()];
  return (
    <fieldset className="sim-block">
      <legend>Expectations <span className="muted">(optional)</span></legend>
      {rows.length > 0 && (
        <table className="data compact edit">
          <thead><tr><th scope="col">Contact</th><th scope="col">At</th><th scope="col">Checks</th><th scope="col">Equals</th><th scope="col">± tolerance</th><th><span className="sr-only">Remove</span></th></tr></thead>
          <tbody>
            {rows.map((x, i) => (
              <tr key={i} data-kind={x.kind ?? 'field'}>
                <td>
                  <select aria-label={`Contact of expectation ${i + 1}`} value={x.contact} onChange={(e) => onChange(update(rows, i, { contact: e.target.value }))}>
                    {!contacts.includes(x.contact) && <option value={x.contact}>{x.contact || '(choose)'}</option>}
                    {contacts.map((c) => <option key={c} value={c}>{c}</option>)}
                  </select>
                </td>
                <td><input aria-label={`Time of expectation ${i + 1}`} type="datetime-local" value={toLocalInput(x.at)} onChange={(e) => onChange(update(rows, i, { at: fromLocalInput(e.target.value) }))} /></td>
                {x.kind === 'webhooks' ? (
                  <>
                    <td>
                      <select aria-label={`Webhook element of expectation ${i + 1}`} value={x.element} onChange={(e) => onChange(update(rows, i, { element: e.target.value }))}>
                        <option value="">Webhooks sent, from any element</option>
                        {x.element && !picks.some((w) => w.id === x.element) && <option value={x.element}>Webhooks from “{x.element}” (not in the chosen maps)</option>}
                        {picks.map((w) => <option key={w.id} value={w.id}>{elementOption(w, mapCount)}</option>)}
                      </select>
                    </td>
                    <td><input aria-label={`Webhooks expected ${i + 1}`} type="number" min={0} step={1} value={x.count} onChange={(e) => onChange(update(rows, i, { count: e.target.value }))} className="w-num" /></td>
                    <td />
                  </>
                ) : (
                  <>
                    <td><input aria-label={`Field of expectation ${i + 1}`} {...marked(spot, `expect:${i}:field`)} value={x.field} onChange={(e) => onChange(update(rows, i, { field: e.target.value }))} placeholder="score" /></td>
                    <td><input aria-label={`Expected value ${i + 1}`} value={x.equals} onChange={(e) => onChange(update(rows, i, { equals: e.target.value }))} className="w-num" /></td>
                    <td><input aria-label={`Tolerance of expectation ${i + 1}`} value={x.tolerance} onChange={(e) => onChange(update(rows, i, { tolerance: e.target.value }))} className="w-num" placeholder="0" /></td>
                  </>
                )}
                <td className="actions"><button type="button" className="icon small" aria-label={`Remove expectation ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="sim-adds">
        <button type="button" className="link small" onClick={() => onChange([...rows, { contact: contacts[0] ?? '', at: defaultAt, field: 'score', equals: '', tolerance: '' }])}>+ Add an expectation</button>
        <button type="button" className="link small" onClick={() => onChange([...rows, { kind: 'webhooks', contact: contacts[0] ?? '', at: defaultAt, count: '1', element: picks[0]?.id ?? '' }])}>+ Expect webhooks sent</button>
      </div>
    </fieldset>
  );
}
