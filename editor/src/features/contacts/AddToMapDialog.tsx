import { useState } from 'react';
import type { Condition } from '../../../../engine/schema/condition.js';
import { api } from '../../lib/api.js';
import { Dialog } from '../../lib/Dialog.js';
import { href } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import type { MapSummary } from '../maps-list/MapsPage.js';

/** A map contacts can be added to: published (or paused) with an "Added by hand" trigger. */
export interface HandMap { readonly id: string; readonly name: string; readonly paused: boolean }

/** The maps whose published version starts with a manual trigger ("Added by hand"). */
export async function loadHandMaps(): Promise<HandMap[]> {
  const { maps } = await api<{ maps: MapSummary[] }>('/maps');
  const live = maps.filter((m) => m.status !== 'draft' && m.version !== null);
  const found = await Promise.all(live.map(async (m) => {
    const v = await api<{ doc: { elements?: { kind?: string; on?: { type?: string } }[] } }>(`/maps/${encodeURIComponent(m.id)}/versions/${m.version}`);
    const manual = (v.doc.elements ?? []).some((e) => e.kind === 'trigger' && e.on?.type === 'manual');
    return manual ? { id: m.id, name: m.name, paused: m.status === 'paused' } : null;
  }));
  return found.filter((m): m is HandMap => m !== null).sort((a, b) => a.name.localeCompare(b.name));
}

/** The maps contacts can be added to, and the one chosen (the first until another is picked). */
export function useHandMaps() {
  const maps = useLoad(loadHandMaps, []);
  const [mapId, setMapId] = useState('');
  const usable = (maps.data ?? []).filter((m) => !m.paused);
  return { maps, usable, chosen: usable.find((m) => m.id === mapId) ?? usable[0], setMapId };
}

/**
 * The map to add to: a select of the usable maps with `hint` under it, or why there is none
 * (loading, not loaded, none published with the trigger, the ones that have it paused).
 */
export function HandMapField({ maps, usable, chosen, setMapId, hint, autoFocus }: ReturnType<typeof useHandMaps> & { hint: string; autoFocus?: boolean }) {
  return (
    <>
      {maps.error && <p className="notice error" role="alert">The maps could not be loaded: {maps.error}</p>}
      {maps.loading && <p className="loading">Looking for maps with an “Added by hand” trigger…</p>}
      {maps.data && !usable.length && (
        <p className="notice" role="status">
          No published map starts with an “Added by hand” trigger{maps.data.length ? ' (the ones that do are paused: resume them first)' : ''}.
          Add that trigger to a map and publish it: <a href={href('/maps')}>Maps</a>.
        </p>
      )}
      {usable.length > 0 && (
        <label>Map
          <select value={chosen?.id} onChange={(e) => setMapId(e.target.value)} autoFocus={autoFocus}>
            {usable.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
          </select>
          <span className="muted small">{hint}</span>
        </label>
      )}
    </>
  );
}

/** The batch POST /api/maps/{id}/contacts takes at most. */
const BATCH = 10_000;

const contacts = (n: number) => `${n.toLocaleString()} contact${n === 1 ? '' : 's'}`;

/**
 * "Add to a map": puts the selected contacts, or every contact the filters match, on a map through
 * its manual trigger — the map's "Added by hand" start, as HubSpot's "Enroll in workflow" does.
 */
export function AddToMapDialog({ selected, filter, matching, onAdded, onClose }: {
  selected: readonly string[];
  /** The list's filter; null when none is set (then "all contacts"). */
  filter: Condition | null;
  /** How many contacts the filter matches. */
  matching: number;
  onAdded: (words: { added: number; mapId: string; mapName: string }) => void;
  onClose: () => void;
}) {
  const hand = useHandMaps();
  const { chosen } = hand;
  const [which, setWhich] = useState<'selected' | 'matching'>(selected.length ? 'selected' : 'matching');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const add = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      let added = 0;
      if (which === 'selected') {
        for (let i = 0; i < selected.length; i += BATCH) {
          const r = await api<{ added: number }>(`/maps/${encodeURIComponent(chosen.id)}/contacts`, { body: { contactIds: selected.slice(i, i + BATCH) } });
          added += r.added;
        }
      } else {
        added = (await api<{ added: number }>('/contacts/add-to-map', { body: { mapId: chosen.id, ...(filter ? { filter } : {}) } })).added;
      }
      onAdded({ added, mapId: chosen.id, mapName: chosen.name });
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };

  const count = which === 'selected' ? selected.length : matching;
  return (
    <Dialog title="Add contacts to a map" onClose={onClose}>
      <form className="dialog-body add-to-map" onSubmit={(e) => { e.preventDefault(); void add(); }} id="add-to-map-form">
        <fieldset>
          <legend>Which contacts</legend>
          <label className="choice">
            <input type="radio" name="which" checked={which === 'selected'} disabled={!selected.length} onChange={() => setWhich('selected')} />
            {selected.length ? `The ${contacts(selected.length)} selected` : 'The selected contacts (none selected: tick them in the list)'}
          </label>
          <label className="choice">
            <input type="radio" name="which" checked={which === 'matching'} onChange={() => setWhich('matching')} />
            {filter ? `All ${contacts(matching)} matching the filters` : `All ${contacts(matching)}`}
          </label>
        </fieldset>
        <HandMapField {...hand} hint="They enter at its “Added by hand” trigger and run from there, as the map says." />
        {error && <p className="notice error" role="alert">{error}</p>}
      </form>
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" form="add-to-map-form" className="primary" disabled={!chosen || busy || count === 0}>
          {busy ? 'Adding…' : `Add ${contacts(count)}`}
        </button>
      </footer>
    </Dialog>
  );
}
