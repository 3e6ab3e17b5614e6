import { useId, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { can, useMe } from '../../lib/me.js';
import { useLoad } from '../../lib/use-load.js';
import { listPeople, setOwner } from './sales-api.js';

/**
 * "Owner…": gives the lead to a person. An admin picks from the people; anyone else types the
 * person's email, or takes the lead themselves. "Nobody" takes it from its owner.
 */
export function OwnerDialog({ contactId, who, owner, onDone, onClose }: {
  contactId: string;
  who: string;
  /** The owner's email now, if any. */
  owner: string | null;
  onDone: (words: string) => void;
  onClose: () => void;
}) {
  const id = useId();
  const me = useMe();
  const admin = can(me, 'admin');
  const people = useLoad(() => (admin ? listPeople() : Promise.resolve(null)), [admin]);
  const [email, setEmail] = useState(owner ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const myEmail = me?.person?.email.toLowerCase();

  const give = async (to: string | null) => {
    const target = to === null ? null : to.trim().toLowerCase();
    if (target !== null && !target.includes('@')) return setError('Enter the email of a person who signs in to Scoremap');
    setBusy(true);
    setError(null);
    try {
      await setOwner(contactId, target);
      const name = people.data?.find((p) => p.email.toLowerCase() === target)?.name;
      onDone(target === null ? `${who} has no owner now` : target === myEmail ? `${who} is your lead now` : `${who} is ${name ?? target}’s lead now`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Who owns ${who}`} onClose={onClose}>
      <form id={`${id}-form`} className="dialog-body action-form" onSubmit={(e) => { e.preventDefault(); void give(email.trim() || null); }}>
        {people.error && <p className="notice error" role="alert">The people could not be loaded: {people.error}</p>}
        {admin && people.data ? (
          <label>Owner
            <select value={email.toLowerCase()} onChange={(e) => setEmail(e.target.value)} autoFocus>
              <option value="">Nobody</option>
              {people.data.map((p) => <option key={p.id} value={p.email.toLowerCase()}>{p.name} ({p.email}) · {p.role}</option>)}
            </select>
          </label>
        ) : !admin && (
          <label>Owner’s email
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="ana@acme.com" autoFocus />
            <span className="muted small">A person who signs in to Scoremap. Leave it empty for nobody.</span>
          </label>
        )}
      </form>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        {myEmail && owner !== myEmail && <button type="button" onClick={() => void give(myEmail)} disabled={busy}>Take it myself</button>}
        <span className="grow" />
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form={`${id}-form`} className="primary" disabled={busy || (admin && !people.data)}>{busy ? 'Saving…' : 'Save the owner'}</button>
      </footer>
    </Dialog>
  );
}
