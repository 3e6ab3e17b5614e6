import { useState, type ReactNode } from 'react';
import { can, useMe } from '../../lib/me.js';
import type { ModelDoc } from '../scoring/api.js';
import { AddContactToMapDialog } from './AddContactToMapDialog.js';
import { EditContactDialog } from './EditContactDialog.js';
import type { FieldInfo } from './fields.js';
import { OwnerDialog } from './OwnerDialog.js';
import { QualifyDialog } from './QualifyDialog.js';
import { qualify, setOwner, type Verdict } from './sales-api.js';
import { ScoreDialog } from './ScoreDialog.js';
import type { ContactLike } from './scores.js';

type Open = 'adjust' | 'reset' | 'accepted' | 'rejected' | 'owner' | 'map' | 'edit' | null;

const text = (v: unknown) => (typeof v === 'string' && v ? v : null);

/**
 * The contact page's sales actions (SPEC §12), shown to sales and above: take the lead, adjust or
 * reset its score, accept or reject it, give it an owner, add it to a map, edit its fields and tags.
 * Merge sits beside them (`merge`). Each calls `onDone` with what happened in words.
 */
export function LeadActions({ contact, who, fields, models, onDone, merge }: {
  contact: ContactLike;
  who: string;
  fields: readonly FieldInfo[] | undefined;
  models: readonly ModelDoc[];
  onDone: (words: string) => void;
  merge: ReactNode;
}) {
  const me = useMe();
  const [open, setOpen] = useState<Open>(null);
  const [error, setError] = useState<string | null>(null);
  if (!can(me, 'sales')) return null;
  const owner = text(contact.fields.owner);
  const myEmail = me?.person?.email.toLowerCase();
  const done = (words: string) => { setOpen(null); setError(null); onDone(words); };
  const take = async () => {
    try {
      await setOwner(contact.id, myEmail!);
      done(`${who} is your lead now`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const props = { contactId: contact.id, who, onDone: done, onClose: () => setOpen(null) };

  return (
    <>
      <div className="lead-actions" role="toolbar" aria-label="Work this lead">
        {myEmail && owner !== myEmail && <button type="button" className="primary" onClick={() => void take()}>Take this lead</button>}
        <button type="button" onClick={() => setOpen('owner')} aria-haspopup="dialog">Owner…</button>
        <span className="sep" aria-hidden="true" />
        <button type="button" onClick={() => setOpen('adjust')} disabled={!models.length} aria-haspopup="dialog"
          title={models.length ? 'Add or take away points, with a reason' : 'No scoring model yet'}>Adjust score…</button>
        <button type="button" onClick={() => setOpen('reset')} disabled={!models.length} aria-haspopup="dialog">Reset score…</button>
        <span className="sep" aria-hidden="true" />
        <button type="button" onClick={() => setOpen('accepted')} aria-haspopup="dialog">Accept…</button>
        <button type="button" onClick={() => setOpen('rejected')} aria-haspopup="dialog">Reject…</button>
        <span className="sep" aria-hidden="true" />
        <button type="button" onClick={() => setOpen('map')} aria-haspopup="dialog">Add to map…</button>
        <button type="button" onClick={() => setOpen('edit')} disabled={!fields} aria-haspopup="dialog">Edit fields and tags…</button>
        {merge}
      </div>
      {error && <p className="notice error" role="alert">{error}</p>}
      {(open === 'adjust' || open === 'reset') && <ScoreDialog mode={open} models={models} {...props} />}
      {(open === 'accepted' || open === 'rejected') && (
        <QualifyDialog status={open} current={text(contact.fields.qualification_status) === open ? text(contact.fields.qualification_reason) : null} {...props} />
      )}
      {open === 'owner' && <OwnerDialog owner={owner} {...props} />}
      {open === 'map' && <AddContactToMapDialog {...props} />}
      {open === 'edit' && fields && (
        <EditContactDialog contact={contact} fields={fields} scoreFields={models.map((m) => m.field ?? 'score')} who={who} onDone={done} onClose={() => setOpen(null)} />
      )}
    </>
  );
}

/** Who owns the lead and what sales said of it; clearing the verdict is one click for sales. */
export function LeadCard({ contact, who, onDone }: { contact: ContactLike; who: string; onDone: (words: string) => void }) {
  const me = useMe();
  const [error, setError] = useState<string | null>(null);
  const owner = text(contact.fields.owner);
  const status = text(contact.fields.qualification_status) as Verdict | null;
  const reason = text(contact.fields.qualification_reason);
  const mine = !!owner && owner === me?.person?.email.toLowerCase();
  const clear = async () => {
    try {
      await qualify(contact.id, { status: null });
      setError(null);
      onDone(`Cleared the verdict on ${who}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section className="card lead-card" aria-labelledby="lead-h">
      <h2 id="lead-h">Lead</h2>
      <dl className="kv stacked">
        <div className="kv-row">
          <dt>Owner</dt>
          <dd>{owner ? <>{owner}{mine && <span className="badge ok">you</span>}</> : <span className="muted">Nobody</span>}</dd>
        </div>
        <div className="kv-row">
          <dt>Qualification</dt>
          <dd>
            {status ? <span className={`badge ${status === 'accepted' ? 'ok' : 'danger'}`}>{status === 'accepted' ? 'Accepted' : 'Rejected'}</span> : <span className="muted">No verdict yet</span>}
            {reason && <> {reason}</>}
            {status && can(me, 'sales') && <> <button type="button" className="link small" onClick={() => void clear()}>Clear</button></>}
          </dd>
        </div>
      </dl>
      {error && <p className="notice error" role="alert">{error}</p>}
    </section>
  );
}
