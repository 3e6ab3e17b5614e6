import { useId, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { HandMapField, useHandMaps } from './AddToMapDialog.js';
import { addContactToMap } from './sales-api.js';

/** "Add to map…" on the contact page: this contact enters a map at its "Added by hand" trigger. */
export function AddContactToMapDialog({ contactId, who, onDone, onClose }: {
  contactId: string;
  who: string;
  onDone: (words: string) => void;
  onClose: () => void;
}) {
  const id = useId();
  const hand = useHandMaps();
  const { chosen } = hand;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const { added } = await addContactToMap(contactId, chosen.id);
      onDone(added ? `Added ${who} to the map ${chosen.name}` : `${who} was on the map ${chosen.name} already and stays where it is`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Add ${who} to a map`} onClose={onClose}>
      <form id={`${id}-form`} className="dialog-body action-form" onSubmit={(e) => { e.preventDefault(); void add(); }}>
        <HandMapField {...hand} hint="The contact enters at its “Added by hand” trigger and runs from there." autoFocus />
      </form>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form={`${id}-form`} className="primary" disabled={!chosen || busy}>{busy ? 'Adding…' : 'Add to the map'}</button>
      </footer>
    </Dialog>
  );
}
