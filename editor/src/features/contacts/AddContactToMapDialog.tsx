import { useId, useState } from 'react';
import { Dialog } from '../../lib/Dialog.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { loadHandMaps } from './AddToMapDialog.js';
import { addContactToMap } from './sales-api.js';

/** "Add to map…" on the contact page: this contact enters a map at its "Added by hand" trigger. */
export function AddContactToMapDialog({ contactId, who, onDone, onClose }: {
  contactId: string;
  who: string;
  onDone: (words: string) => void;
  onClose: () => void;
}) {
  const id = useId();
  const maps = useLoad(loadHandMaps, []);
  const [mapId, setMapId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const usable = (maps.data ?? []).filter((m) => !m.paused);
  const chosen = usable.find((m) => m.id === mapId) ?? usable[0];

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
        {maps.error && <p className="notice error" role="alert">The maps could not be loaded: {maps.error}</p>}
        {maps.loading && <p className="loading">Looking for maps with an “Added by hand” trigger…</p>}
        {maps.data && !usable.length && (
          <p className="notice" role="status">
            No published map starts with an “Added by hand” trigger{maps.data.length ? ' (the ones that do are paused)' : ''}. <a href={href('/maps')}>Maps</a>
          </p>
        )}
        {usable.length > 0 && (
          <label>Map
            <select value={chosen?.id} onChange={(e) => setMapId(e.target.value)} autoFocus>
              {usable.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
            </select>
            <span className="muted small">The contact enters at its “Added by hand” trigger and runs from there.</span>
          </label>
        )}
      </form>
      {error && <p className="notice error" role="alert">{error}</p>}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form={`${id}-form`} className="primary" disabled={!chosen || busy}>{busy ? 'Adding…' : 'Add to the map'}</button>
      </footer>
    </Dialog>
  );
}
