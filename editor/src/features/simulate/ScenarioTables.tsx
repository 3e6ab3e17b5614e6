import { KNOWN_EVENTS } from '../../../../engine/schema/event.js';
import { eventWords } from '../scoring/RulesEditor.js';
import { fromLocalInput, toLocalInput, type DraftContact, type DraftEvent, type DraftExpect } from './scenario.js';

const EVENTS = Object.keys(KNOWN_EVENTS);

/** Edits one row of a list in place. */
function update<T>(list: readonly T[], i: number, patch: Partial<T>): T[] {
  return list.map((x, j) => (j === i ? { ...x, ...patch } : x));
}

/** The scenario's contacts: an id, an email, and a few more fields as `key=value`. */
export function ContactsTable({ rows, onChange }: { rows: readonly DraftContact[]; onChange: (r: DraftContact[]) => void }) {
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
              <td><input aria-label={`Other fields of contact ${i + 1}`} value={c.fields} placeholder="job_title=CEO, company_size=50" onChange={(e) => onChange(update(rows, i, { fields: e.target.value }))} className="w-full" /></td>
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

/** Optional checks: a field's value at a moment. */
export function ExpectTable({ rows, contacts, onChange, defaultAt }: { rows: readonly DraftExpect[]; contacts: readonly string[]; onChange: (r: DraftExpect[]) => void; defaultAt: string }) {
  return (
    <fieldset className="sim-block">
      <legend>Expectations <span className="muted">(optional)</span></legend>
      {rows.length > 0 && (
        <table className="data compact edit">
          <thead><tr><th scope="col">Contact</th><th scope="col">At</th><th scope="col">Field</th><th scope="col">Equals</th><th scope="col">± tolerance</th><th><span className="sr-only">Remove</span></th></tr></thead>
          <tbody>
            {rows.map((x, i) => (
              <tr key={i}>
                <td>
                  <select aria-label={`Contact of expectation ${i + 1}`} value={x.contact} onChange={(e) => onChange(update(rows, i, { contact: e.target.value }))}>
                    {!contacts.includes(x.contact) && <option value={x.contact}>{x.contact || '(choose)'}</option>}
                    {contacts.map((c) => <option key={c} value={c}>{c}</option>)}
                  </select>
                </td>
                <td><input aria-label={`Time of expectation ${i + 1}`} type="datetime-local" value={toLocalInput(x.at)} onChange={(e) => onChange(update(rows, i, { at: fromLocalInput(e.target.value) }))} /></td>
                <td><input aria-label={`Field of expectation ${i + 1}`} value={x.field} onChange={(e) => onChange(update(rows, i, { field: e.target.value }))} placeholder="score" /></td>
                <td><input aria-label={`Expected value ${i + 1}`} value={x.equals} onChange={(e) => onChange(update(rows, i, { equals: e.target.value }))} className="w-num" /></td>
                <td><input aria-label={`Tolerance of expectation ${i + 1}`} value={x.tolerance} onChange={(e) => onChange(update(rows, i, { tolerance: e.target.value }))} className="w-num" placeholder="0" /></td>
                <td className="actions"><button type="button" className="icon small" aria-label={`Remove expectation ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>×</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="link small" onClick={() => onChange([...rows, { contact: contacts[0] ?? '', at: defaultAt, field: 'score', equals: '', tolerance: '' }])}>+ Add an expectation</button>
    </fieldset>
  );
}
