import { useId, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { useLoad } from '../../lib/use-load.js';
import { qualificationReasons, qualify, type Verdict } from './sales-api.js';

/**
 * "Accept…" or "Reject…": the verdict of sales on a lead, with a reason chosen from the list an
 * admin keeps (Settings). It sets Qualification status and reason, which maps can listen to.
 */
export function QualifyDialog({ status, contactId, who, current, onDone, onClose }: {
  status: Verdict;
  contactId: string;
  who: string;
  /** The reason given before, when the verdict is the same. */
  current?: string | null;
  onDone: (words: string) => void;
  onClose: () => void;
}) {
  const id = useId();
  const reasons = useLoad(qualificationReasons, []);
  const [reason, setReason] = useState(current ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const choices = reasons.data?.[status] ?? [];
  const verb = status === 'accepted' ? 'Accept' : 'Reject';

  const run = async () => {
    if (!reason) return setError(`Choose why you ${verb.toLowerCase()} ${who}`);
    setBusy(true);
    setError(null);
    try {
      await qualify(contactId, { status, reason });
      onDone(`${status === 'accepted' ? 'Accepted' : 'Rejected'} ${who}: ${reason}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`${verb} ${who}`} onClose={onClose}>
      <form id={`${id}-form`} className="dialog-body action-form" onSubmit={(e) => { e.preventDefault(); void run(); }}>
        {reasons.error && <p className="notice error" role="alert">The reasons could not be loaded: {reasons.error}</p>}
        {reasons.loading && <p className="loading">Loading the reasons…</p>}
        {reasons.data && !choices.length && <p className="notice">No reason is listed for this yet: an admin adds them in Settings.</p>}
        {choices.length > 0 && (
          <fieldset className="choices stacked">
            <legend>Why</legend>
            {choices.map((r) => (
              <label key={r} className="choice">
                <input type="radio" name={`${id}-reason`} value={r} checked={reason === r} onChange={() => setReason(r)} /> {r}
              </label>
            ))}
          </fieldset>
        )}
      </form>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form={`${id}-form`} className={status === 'accepted' ? 'primary' : 'danger-solid'} disabled={busy || !choices.length}>
          {busy ? 'Saving…' : `${verb} the lead`}
        </button>
      </footer>
    </Dialog>
  );
}
