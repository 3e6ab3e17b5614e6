import { useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { validateMap } from '../../../../engine/validate.js';
import { api } from '../../lib/api.js';
import { Dialog } from '../../lib/Dialog.js';
import { useMapEditor } from '../../store/map-editor.js';
import { layoutPositions } from '../../store/layout.js';
import { MapCanvas } from '../canvas/MapCanvas.js';
import { useUnpublishedChanges } from './running-version.js';

interface VersionLine { readonly version: number; readonly publishedAt: string; readonly author?: string | null; readonly current: boolean }
const store = () => useMapEditor.getState();
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The published versions, newest first: view one read-only, or copy it into the draft. */
export function VersionsDrawer({ onClose }: { onClose(): void }) {
  const mapId = useMapEditor((s) => s.mapId);
  const busy = useMapEditor((s) => s.busy);
  const running = useMapEditor((s) => s.version);
  const unpublished = useUnpublishedChanges();
  const [versions, setVersions] = useState<VersionLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<{ version: number; doc: MapDocument } | null>(null);
  const base = `/maps/${encodeURIComponent(mapId ?? '')}`;

  useEffect(() => {
    api<{ versions: VersionLine[] }>(`${base}/versions`).then(
      (r) => setVersions([...r.versions].reverse()),
      (e: Error) => setError(e.message),
    );
  }, [base]);

  useEffect(() => {
    // Escape in the inspector below is the inspector's (it puts back a half-typed value).
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !document.querySelector('dialog[open]')
      && !(e.target instanceof Element && e.target.closest('.inspector')) && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const view = async (version: number) => {
    setError(null);
    try {
      const r = await api<{ doc: MapDocument }>(`${base}/versions/${version}`);
      setViewing({ version, doc: r.doc });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const restore = async (version: number) => {
    if (store().dirty && !window.confirm(`Restoring version ${version} replaces the draft, and your unsaved changes with it (Undo brings them back). Restore?`)) return;
    if (await store().restore(version)) onClose();
    else setError(store().conflict ?? store().error);
  };

  return (
    <aside className="versions-drawer" aria-label="Versions">
      <header>
        <h2>Versions</h2>
        <button type="button" className="icon" aria-label="Close versions" onClick={onClose}>×</button>
      </header>
      {error && <p className="notice error" role="alert">{error}</p>}
      {!versions && !error && <p className="muted pad">Loading…</p>}
      {versions?.length === 0 && <p className="muted pad">No version yet: publishing the draft makes version 1.</p>}
      {versions && versions.length > 0 && (
        <ol>
          <li className="draft-line">
            <div>
              <strong>Draft</strong>
              {unpublished
                ? <span className="badge warn" title={`Differs from version ${running}: publish to make it live`}>Unpublished changes</span>
                : <span className="muted small">{running === null ? 'Not published' : 'Same as the running version'}</span>}
            </div>
          </li>
          {versions.map((v) => (
            <li key={v.version}>
              <div>
                <strong>Version {v.version}</strong>{v.current && <span className="badge ok">running</span>}
                <time className="muted small" dateTime={v.publishedAt} title={`Published ${when(v.publishedAt)}`}>{when(v.publishedAt)}</time>
                {v.author && <span className="muted small author">by {v.author}</span>}
              </div>
              <div className="actions">
                <button type="button" onClick={() => view(v.version)}>View</button>
                <button type="button" onClick={() => restore(v.version)} disabled={!!busy} title={`Copy version ${v.version} into the draft`}>Restore</button>
              </div>
            </li>
          ))}
        </ol>
      )}
      {viewing && <VersionView {...viewing} onClose={() => setViewing(null)} onRestore={() => restore(viewing.version)} />}
    </aside>
  );
}

/** One published version on a read-only canvas. */
function VersionView({ version, doc, onClose, onRestore }: { version: number; doc: MapDocument; onClose(): void; onRestore(): void }) {
  const fields = useMapEditor((s) => s.fields);
  const [shown] = useState((): MapDocument => {
    if (doc.elements.every((e) => e.position)) return doc;
    const at = layoutPositions(doc);
    return { ...doc, elements: doc.elements.map((e) => ({ ...e, position: e.position ?? at.get(e.id) })) };
  });
  const [problems] = useState(() => validateMap(shown, fields));
  // The canvas measures its box to fit the map: draw it once the dialog is open and has one.
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(true), []);
  return (
    <Dialog title={`Version ${version} (read only)`} onClose={onClose} wide>
      <div className="version-canvas">
        {open && (
          <ReactFlowProvider>
            <MapCanvas doc={shown} fields={fields} problems={problems} readOnly />
          </ReactFlowProvider>
        )}
      </div>
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Close</button>
        <button type="button" className="primary" onClick={() => { onClose(); onRestore(); }}>Restore this version</button>
      </footer>
    </Dialog>
  );
}
