import { useEffect, useState } from 'react';
import { api } from '../../lib/api.js';
import type { Route } from '../../lib/route.js';

interface MapSummary { id: string; name: string; status: string; version: number | null; contactsOnMap: number; errors: number }

/** The maps list (a first version: the maps-list feature replaces it). */
export function MapsPage(_: { route: Route }) {
  const [maps, setMaps] = useState<MapSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ maps: MapSummary[] }>('/maps').then((r) => setMaps(r.maps), (e: Error) => setError(e.message));
  }, []);
  if (error) return <p className="error">{error}</p>;
  if (!maps) return <p className="muted">Loading…</p>;
  return (
    <section>
      <h1>Maps</h1>
      <table>
        <thead><tr><th>Name</th><th>Status</th><th>Version</th><th>Contacts on map</th><th>Errors</th></tr></thead>
        <tbody>{maps.map((m) => <tr key={m.id}><td>{m.name}</td><td>{m.status}</td><td>{m.version ?? '—'}</td><td>{m.contactsOnMap}</td><td>{m.errors}</td></tr>)}</tbody>
      </table>
    </section>
  );
}
