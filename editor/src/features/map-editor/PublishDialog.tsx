import { useEffect, useState } from 'react';
import type { Element } from '../../../../engine/elements/index.js';
import type { Problem } from '../../../../engine/elements/types.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { api } from '../../lib/api.js';
import { Dialog } from '../../lib/Dialog.js';
import { useMapEditor } from '../../store/map-editor.js';
import { PublishWarnings } from './PublishWarnings.js';
import { elementTitle, elementWords } from '../canvas/flow-model.js';

interface Removed { readonly id: string; readonly title: string; readonly count: number }
const LEAVE = '';
const store = () => useMapEditor.getState();

/**
 * Publishing: saves the draft if needed, shows how many contacts sit on elements the draft removes
 * (GET publish-preview) with a choice per element — move them to a new element or let them leave —
 * then publishes. Refusals from the server are shown in words.
 */
export function PublishDialog({ onClose, onPublished }: { onClose(): void; onPublished(version: number): void }) {
  const mapId = useMapEditor((s) => s.mapId);
  const doc = useMapEditor((s) => s.doc);
  const version = useMapEditor((s) => s.version);
  const [phase, setPhase] = useState<'checking' | 'ready' | 'publishing' | 'failed'>('checking');
  const [removed, setRemoved] = useState<Removed[]>([]);
  const [relocate, setRelocate] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [problems, setProblems] = useState<readonly Problem[]>([]);

  useEffect(() => {
    let live = true;
    (async () => {
      if (store().dirty && !(await store().save())) {
        if (!live) return;
        setError(store().conflict ?? store().error ?? 'The draft could not be saved.');
        setProblems(store().errorProblems);
        return setPhase('failed');
      }
      const base = `/maps/${encodeURIComponent(mapId ?? '')}`;
      try {
        const preview = await api<{ removed: Record<string, number> }>(`${base}/publish-preview`);
        // The removed elements are only in the running version: read it to name them.
        let old: MapDocument | null = null;
        if (version !== null && Object.keys(preview.removed).length) {
          old = (await api<{ doc: MapDocument }>(`${base}/versions/${version}`).catch(() => null))?.doc ?? null;
        }
        if (!live) return;
        const oldById = new Map((old?.elements ?? []).map((e) => [e.id, e]));
        const named = (id: string) => {
          const el = oldById.get(id);
          // An element without a label is named by what it did: "wait-2 (Wait 2 days)".
          return !el ? id : el.label?.trim() ? el.label.trim() : `${id} (${elementWords(el, store().fields, oldById)})`;
        };
        setRemoved(Object.entries(preview.removed).filter(([, n]) => n > 0).map(([id, count]) => ({ id, title: named(id), count })));
        setPhase('ready');
      } catch (e) {
        if (!live) return;
        setError((e as Error).message);
        setPhase('failed');
      }
    })();
    return () => { live = false; };
  }, [mapId, version]);

  const targets: Element[] = (doc?.elements ?? []).filter((e) => e.kind !== 'trigger');
  const publish = async () => {
    setPhase('publishing');
    setError(null);
    const chosen = Object.fromEntries(Object.entries(relocate).filter(([, to]) => to !== LEAVE));
    const r = await store().publish(chosen);
    if (r) {
      onPublished(r.version);
      onClose();
    } else {
      setError(store().conflict ?? store().error ?? 'The map could not be published.');
      setProblems(store().errorProblems);
      setPhase('ready');
    }
  };
  const next = (version ?? 0) + 1;

  return (
    <Dialog title={`Publish version ${next}`} onClose={onClose}>
      <div className="dialog-body publish-body">
        {phase === 'checking' && <p className="muted">Saving the draft and checking who is on the map…</p>}
        {phase !== 'checking' && phase !== 'failed' && (
          <>
            <p>
              Version {next} of <strong>{doc?.name}</strong> becomes the running version.
              {version === null ? ' Its triggers start admitting contacts.' : ' Contacts at elements that are still in the map stay where they are.'}
            </p>
            {removed.length > 0 ? (
              <>
                <p>This draft removes elements that contacts are at. Choose where each group goes:</p>
                <table className="relocate">
                  <thead><tr><th>Removed element</th><th className="num">Contacts</th><th>Move them to</th></tr></thead>
                  <tbody>
                    {removed.map((r) => (
                      <tr key={r.id}>
                        <td>{r.title}</td>
                        <td className="num">{r.count.toLocaleString()}</td>
                        <td>
                          <select aria-label={`Where the contacts at ${r.title} go`} value={relocate[r.id] ?? LEAVE}
                            onChange={(e) => setRelocate({ ...relocate, [r.id]: e.target.value })}>
                            <option value={LEAVE}>Leave the map</option>
                            {targets.map((t) => <option key={t.id} value={t.id}>{elementTitle(t)}</option>)}
                          </select>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : version !== null && <p className="muted">No contact is at an element this draft removes.</p>}
            <PublishWarnings mapId={mapId} />
          </>
        )}
      </div>
      {error && (
        <div className="notice error" role="alert">
          {error}
          {problems.length > 0 && (
            <ul className="problem-words">{problems.filter((p) => !error.includes(p.message)).map((p, i) => <li key={i}>{p.message}</li>)}</ul>
          )}
        </div>
      )}
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="primary" onClick={publish} disabled={phase !== 'ready'} autoFocus>
          {phase === 'publishing' ? 'Publishing…' : `Publish version ${next}`}
        </button>
      </footer>
    </Dialog>
  );
}
