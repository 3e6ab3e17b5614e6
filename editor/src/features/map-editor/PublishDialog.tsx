import { useEffect, useState } from 'react';
import type { Problem } from '../../../../engine/elements/types.js';
import { diffMaps, isSameMap } from '../../../../engine/map-diff.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { api } from '../../lib/api.js';
import { Dialog } from '../../lib/Dialog.js';
import { useMapEditor } from '../../store/map-editor.js';
import { PublishWarnings } from './PublishWarnings.js';
import { diffLines, elementName, nearestSurvivor, targetName, type DiffLine } from './publish-words.js';
import { DOCS } from '../../lib/docs.js';

interface Removed { readonly id: string; readonly title: string; readonly count: number }
/** The choice "take them off the map": never the default, always said. */
const LEAVE = '\u0000leave';
const store = () => useMapEditor.getState();

/**
 * Publishing: saves the draft if needed, says what the draft changes against the running version
 * (nothing: Publish is off), shows how many contacts sit on elements the draft removes
 * (GET publish-preview) with where each group goes — the nearest element after theirs that is kept,
 * else a choice the user must make — then publishes. Refusals from the server are shown in words.
 */
export function PublishDialog({ onClose, onPublished }: { onClose(): void; onPublished(version: number): void }) {
  const mapId = useMapEditor((s) => s.mapId);
  const doc = useMapEditor((s) => s.doc);
  const fields = useMapEditor((s) => s.fields);
  const version = useMapEditor((s) => s.version);
  const [phase, setPhase] = useState<'checking' | 'ready' | 'publishing' | 'failed'>('checking');
  const [removed, setRemoved] = useState<Removed[]>([]);
  const [relocate, setRelocate] = useState<Record<string, string>>({});
  const [changes, setChanges] = useState<DiffLine[] | null>(null);
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
        const [preview, running] = await Promise.all([
          api<{ removed: Record<string, number> }>(`${base}/publish-preview`),
          // The running version: what the draft changes, and the removed elements' names and neighbours.
          version === null ? null : api<{ doc: MapDocument }>(`${base}/versions/${version}`).then((r) => r.doc, () => null),
        ]);
        if (!live) return;
        const draft = store().doc!;
        const known = store().fields;
        const oldById = new Map((running?.elements ?? []).map((e) => [e.id, e]));
        const named = (id: string) => {
          const el = oldById.get(id);
          return el && running ? elementName(el, known, running) : id;
        };
        const groups = Object.entries(preview.removed).filter(([, n]) => n > 0).map(([id, count]) => ({ id, title: named(id), count }));
        setRemoved(groups);
        const defaults: Record<string, string> = {};
        for (const g of groups) {
          const to = running ? nearestSurvivor(g.id, running, draft) : null;
          if (to) defaults[g.id] = to;
        }
        setRelocate(defaults);
        if (running) {
          const diff = diffMaps(running, draft);
          setChanges(isSameMap(diff) ? [] : diffLines(diff, known, running, draft));
        }
        setPhase('ready');
      } catch (e) {
        if (!live) return;
        setError((e as Error).message);
        setPhase('failed');
      }
    })();
    return () => { live = false; };
  }, [mapId, version]);

  const targets = (doc?.elements ?? []).filter((e) => e.kind !== 'trigger');
  const unchosen = removed.filter((r) => !relocate[r.id]);
  const nothingNew = changes !== null && changes.length === 0;
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
  const why = nothingNew ? `Nothing to publish: the draft is the same as version ${version}.`
    : unchosen.length ? `Choose where the contacts at ${unchosen.map((r) => r.title).join(', ')} go.` : null;

  return (
    <Dialog title={`Publish version ${next}`} onClose={onClose} wide={removed.length > 0} help={DOCS.publishing}>
      <div className="dialog-body publish-body">
        {phase === 'checking' && <p className="muted">Saving the draft and checking who is on the map…</p>}
        {phase !== 'checking' && phase !== 'failed' && (
          <>
            {nothingNew ? (
              <p className="notice" role="status">
                Nothing to publish: the draft is the same as version {version}, the running version. Change the map, then publish.
              </p>
            ) : (
              <p>
                Version {next} of <strong>{doc?.name}</strong> becomes the running version.
                {version === null ? ' Its triggers start admitting contacts.' : ' Contacts at elements that are still in the map stay where they are.'}
              </p>
            )}
            {changes && changes.length > 0 && (
              <section className="publish-changes" aria-label={`What changes since version ${version}`}>
                <h3>What changes since version {version}</h3>
                <ul>
                  {changes.map((line) => (
                    <li key={line.title}>
                      <strong>{line.title}</strong>
                      {line.items.length > 0 && <ul>{line.items.map((item) => <li key={item}>{item}</li>)}</ul>}
                    </li>
                  ))}
                </ul>
              </section>
            )}
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
                          <select aria-label={`Where the contacts at ${r.title} go`} value={relocate[r.id] ?? ''} required
                            aria-invalid={!relocate[r.id] || undefined}
                            onChange={(e) => setRelocate({ ...relocate, [r.id]: e.target.value })}>
                            {!relocate[r.id] && <option value="" disabled>Choose where they go…</option>}
                            {targets.map((t) => <option key={t.id} value={t.id}>{targetName(t, fields, doc!)}</option>)}
                            <option value={LEAVE}>Take them off the map</option>
                          </select>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="muted small">Already chosen: the nearest element after theirs that version {next} keeps. Where none is kept, you choose.</p>
              </>
            ) : version !== null && !nothingNew && <p className="muted">No contact is at an element this draft removes.</p>}
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
      <footer className="dialog-foot publish-foot">
        {phase === 'ready' && why && <span className="muted small publish-why">{why}</span>}
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className="primary" onClick={publish} disabled={phase !== 'ready' || !!why} autoFocus>
          {phase === 'publishing' ? 'Publishing…' : `Publish version ${next}`}
        </button>
      </footer>
    </Dialog>
  );
}
