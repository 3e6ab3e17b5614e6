import { useState } from 'react';
import { api } from '../../lib/api.js';
import { ConfirmDialog, Dialog } from '../../lib/Dialog.js';
import { downloadFromApi } from '../../lib/download.js';
import { href, navigate, type Route } from '../../lib/route.js';
import { useLoad } from '../../lib/use-load.js';
import { useServerNow } from '../../lib/use-server-now.js';
import { formatRelative } from '../charts/format.js';
import { ImportMapDialog } from './ImportMapDialog.js';
import { can, useMe } from '../../lib/me.js';
import { starterMap } from './starter-map.js';
import { TemplateGallery } from './TemplateGallery.js';
import '../../lib/pages.css';
import './maps-list.css';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

/** A line of GET /api/maps. */
export interface MapSummary {
  readonly id: string;
  readonly name: string;
  readonly status: 'draft' | 'published' | 'paused';
  readonly version: number | null;
  readonly rev: number;
  readonly updatedAt: string;
  readonly contactsOnMap: number;
  readonly errors: number;
  /** The saved draft differs from the running version. */
  readonly unpublishedChanges: boolean;
}

const STATUS_TONE = { draft: 'draft', published: 'ok', paused: 'warn' } as const;

/** A map's status as a coloured badge: draft grey, published green, paused amber. */
export function StatusBadge({ status }: { status: MapSummary['status'] }) {
  return <span className={`badge ${STATUS_TONE[status] ?? ''}`}>{status}</span>;
}

type Modal = { kind: 'new' } | { kind: 'import' } | { kind: 'delete'; map: MapSummary } | null;

/** `#/maps`: every map with its status, version, contacts and errors; create, import, export, duplicate, delete; templates. */
export function MapsPage(_: { route: Route }) {
  const maps = useLoad(() => api<{ maps: MapSummary[] }>('/maps').then((r) => r.maps), []);
  const now = useServerNow();
  const [modal, setModal] = useState<Modal>(null);
  const [busy, setBusy] = useState<string | null>(null);
  // Making, importing, duplicating and deleting maps are an editor's (SPEC §12).
  const editor = can(useMe(), 'editor');
  const [error, setError] = useState<string | null>(null);
  const open = (id: string) => navigate(`/maps/${encodeURIComponent(id)}`);

  const act = async (what: string, run: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await run();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const exportMap = (m: MapSummary) => act(`export:${m.id}`, () => downloadFromApi(`/maps/${encodeURIComponent(m.id)}/export`, `${m.id}.json`));
  const duplicate = (m: MapSummary) => act(`dup:${m.id}`, async () => {
    const { map } = await api<{ map: { doc: Record<string, unknown> } }>(`/maps/${encodeURIComponent(m.id)}`);
    await api('/maps', { body: { ...map.doc, name: `${m.name} (copy)` } });
    maps.reload();
  });

  return (
    <section className="page-body">
      <header className="page-head">
        <h1>Maps</h1>
        <HelpLink page={DOCS.maps} />
        {maps.data && <span className="sub">{maps.data.length} map{maps.data.length === 1 ? '' : 's'}</span>}
        {editor && (
          <div className="actions">
            <button type="button" onClick={() => setModal({ kind: 'import' })}>Import…</button>
            <button type="button" className="primary" onClick={() => setModal({ kind: 'new' })}>New map</button>
          </div>
        )}
      </header>
      {error && <p className="notice error" role="alert">{error}</p>}
      {maps.error && <p className="notice error" role="alert">The maps could not be loaded: {maps.error} <button type="button" className="link" onClick={maps.reload}>Try again</button></p>}
      {maps.loading && !maps.data && <p className="loading">Loading maps…</p>}
      {maps.data && !maps.data.length && (
        <div className="empty">
          <strong>No maps yet</strong>
          {editor ? 'Create one, import a map file, or start from a template below.' : 'An editor makes the maps; they will show here.'}
          {editor && (
            <div className="actions">
              <button type="button" className="primary" onClick={() => setModal({ kind: 'new' })}>New map</button>
              <button type="button" onClick={() => setModal({ kind: 'import' })}>Import…</button>
            </div>
          )}
        </div>
      )}
      {!!maps.data?.length && (
        <div className="table-wrap">
          <table className="data maps">
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Status</th><th scope="col" className="num">Version</th>
                <th scope="col" className="num">Contacts on map</th><th scope="col" className="num">Errors</th>
                <th scope="col">Changed</th><th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {maps.data.map((m) => (
                <tr key={m.id}>
                  <td><a href={href(`/maps/${encodeURIComponent(m.id)}`)} className="map-name">{m.name}</a></td>
                  <td>
                    <StatusBadge status={m.status} />
                    {m.unpublishedChanges && (
                      <> <span className="badge warn" title={`The draft differs from version ${m.version}, which contacts run through: open the map and publish to make it live`}>Unpublished changes</span></>
                    )}
                  </td>
                  <td className="num">{m.version === null ? <span className="muted" title="Not published yet">—</span> : `v${m.version}`}</td>
                  <td className="num">{m.contactsOnMap.toLocaleString()}</td>
                  <td className="num">{m.errors > 0 ? <span className="badge danger" title="Contacts stopped by a guard on this map">{m.errors.toLocaleString()}</span> : <span className="muted">0</span>}</td>
                  <td className="muted" title={m.updatedAt}>{formatRelative(m.updatedAt, now)}</td>
                  <td className="actions">
                    <button type="button" onClick={() => void exportMap(m)} disabled={busy !== null} aria-label={`Export ${m.name}`}>Export</button>{' '}
                    {editor && (
                      <>
                        <button type="button" onClick={() => void duplicate(m)} disabled={busy !== null} aria-label={`Duplicate ${m.name}`}>{busy === `dup:${m.id}` ? 'Copying…' : 'Duplicate'}</button>{' '}
                        <button type="button" className="danger" onClick={() => setModal({ kind: 'delete', map: m })} disabled={busy !== null} aria-label={`Delete ${m.name}`}>Delete</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {editor && <TemplateGallery onImported={open} />}

      {modal?.kind === 'new' && <NewMapDialog onClose={() => setModal(null)} onCreated={open} />}
      {modal?.kind === 'import' && <ImportMapDialog onClose={() => setModal(null)} onImported={open} />}
      {modal?.kind === 'delete' && (
        <DeleteMapDialog map={modal.map} onClose={() => setModal(null)} onDeleted={() => { setModal(null); maps.reload(); }} />
      )}
    </section>
  );
}

/** Name a new map; it is created with a trigger and an End, then opened in the editor. */
function NewMapDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="New map" onClose={onClose}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          const r = await api<{ map: { id: string } }>('/maps', { body: starterMap(name.trim()) });
          onCreated(r.map.id);
        } catch (err) {
          setError((err as Error).message);
          setBusy(false);
        }
      }}>
        <div className="dialog-body">
          <label>Name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Webinar follow-up score" autoFocus required maxLength={200} /></label>
          <p className="muted">It starts with one trigger and an End; you build the rest on the canvas.</p>
        </div>
        {error && <p className="notice error" role="alert">{error}</p>}
        <footer className="dialog-foot">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!name.trim() || busy}>{busy ? 'Creating…' : 'Create and open'}</button>
        </footer>
      </form>
    </Dialog>
  );
}

/** Deleting takes every contact off the map (recorded in their history): said before, in words. */
function DeleteMapDialog({ map, onClose, onDeleted }: { map: MapSummary; onClose: () => void; onDeleted: () => void }) {
  return (
    <ConfirmDialog
      title={`Delete "${map.name}"?`}
      message={<p>The map, its draft and all its versions are deleted{map.contactsOnMap > 0 ? <>, and the <b>{map.contactsOnMap.toLocaleString()}</b> contact{map.contactsOnMap === 1 ? '' : 's'} on it leave it</> : ''}. Contacts keep their fields and history. This cannot be undone; export the map first to keep a copy.</p>}
      confirm="Delete map"
      onClose={onClose}
      onConfirm={async () => {
        await api(`/maps/${encodeURIComponent(map.id)}`, { method: 'DELETE' });
        onDeleted();
      }}
    />
  );
}
