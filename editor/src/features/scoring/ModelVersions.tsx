import { useState } from 'react';
import { describeCondition } from '../../../../engine/conditions.js';
import { FieldRegistry } from '../../../../engine/schema/field.js';
import { ConfirmDialog, Dialog } from '../../lib/Dialog.js';
import { useLoad } from '../../lib/use-load.js';
import { formatNumber } from '../charts/format.js';
import { labelOf, toFieldDef, useFields } from '../contacts/fields.js';
import { eventWords } from '../inspector/trigger-settings.js';
import { getModelVersion, listModelVersions, restoreModelVersion, type ModelDoc, type ModelVersionLine } from './api.js';
import { degradationWords } from './degradation-words.js';
import { ruleSummary } from './rule-words.js';
import './model-versions.css';

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** The versions shown before "Show all". */
const FIRST = 8;

/** What a model's top-level keys are called on the page, for "differs in". */
const PARTS: Record<string, string> = {
  name: 'name', description: 'description', field: 'field', min: 'score range', max: 'score range', degradation: 'degradation',
  timezone: 'time zone', rules: 'rules', brackets: 'brackets', fields: 'declared fields',
};

/** Which parts of the model differ between two documents, in the page's words. */
function differences(a: ModelDoc, b: ModelDoc): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out = new Set<string>();
  for (const k of keys) {
    if (k === 'id') continue;
    const [x, y] = [(a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.add(PARTS[k] ?? k);
  }
  return [...out];
}

/**
 * The model's versions (SPEC §9) on its page, newest first: when each was saved and by whom, a
 * read-only view of one, and "Restore this version", which saves it as the model again (a new
 * version). `saved` is the model as last saved (JSON): the list is read again when it changes.
 */
export function ModelVersions({ id, saved, dirty, onRestored }: {
  id: string; saved: string; dirty: boolean; onRestored: (doc: ModelDoc) => void;
}) {
  const list = useLoad(() => listModelVersions(id), [id, saved]);
  const [all, setAll] = useState(false);
  const [viewing, setViewing] = useState<(ModelVersionLine & { doc: ModelDoc }) | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const newestFirst = [...(list.data ?? [])].reverse();
  const shown = all ? newestFirst : newestFirst.slice(0, FIRST);
  const view = async (version: number) => {
    setError(null);
    try {
      setViewing(await getModelVersion(id, version));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const restore = async (version: number) => {
    const doc = await restoreModelVersion(id, version);
    setRestoring(null);
    setViewing(null);
    setNotice(`Version ${version} restored: it is the model again. Its rules apply from now on; Rescore applies its condition rules to every contact.`);
    onRestored(doc);
  };

  return (
    <section className="card model-versions" aria-labelledby="versions-h">
      <div className="section-head">
        <h2 id="versions-h">Versions</h2>
        <span className="muted small">Each save that changes the model is kept. View one, or restore it: it is saved as a new version, and nothing is lost.</span>
      </div>
      {(error ?? list.error) && <p className="notice error" role="alert">{error ?? list.error}</p>}
      {notice && <p className="notice ok" role="status">{notice}</p>}
      {!list.data && !list.error && <p className="muted">Loading the versions…</p>}
      {list.data?.length === 0 && <p className="muted">No version yet: saving the model makes version 1.</p>}
      {shown.length > 0 && (
        <table className="data compact versions">
          <thead>
            <tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">By</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {shown.map((v) => (
              <tr key={v.version}>
                <td><strong>Version {v.version}</strong>{v.current && <> <span className="badge ok">current</span></>}</td>
                <td><time dateTime={v.savedAt}>{when(v.savedAt)}</time></td>
                <td>{v.author ?? <span className="muted" title="Not known: saved before people had accounts">—</span>}</td>
                <td className="actions">
                  <button type="button" onClick={() => void view(v.version)} aria-label={`View version ${v.version}`}>View</button>
                  {!v.current && <button type="button" onClick={() => setRestoring(v.version)} aria-label={`Restore version ${v.version}`}>Restore…</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {newestFirst.length > FIRST && (
        <button type="button" className="link" onClick={() => setAll(!all)}>{all ? 'Show the latest only' : `Show all ${newestFirst.length} versions`}</button>
      )}

      {viewing && (
        <VersionView
          version={viewing} now={saved ? (JSON.parse(saved) as ModelDoc) : null}
          onClose={() => setViewing(null)} onRestore={() => setRestoring(viewing.version)}
        />
      )}
      {restoring !== null && (
        <ConfirmDialog
          title={`Restore version ${restoring}?`}
          message={(
            <>
              <p>The model becomes version {restoring} again: its rules, bounds, degradation and brackets. It is saved as a new version, so the model as it is now stays in the list.</p>
              <p>Its rules apply from now on; scores already given stay until you rescore.</p>
              {dirty && <p><strong>Your unsaved changes on this page are dropped.</strong></p>}
            </>
          )}
          confirm="Restore this version" onClose={() => setRestoring(null)}
          onConfirm={() => restore(restoring)}
        />
      )}
    </section>
  );
}

/** One version, read only: what it says in words, how it differs from the model now, and its JSON. */
function VersionView({ version, now, onClose, onRestore }: {
  version: ModelVersionLine & { doc: ModelDoc }; now: ModelDoc | null; onClose: () => void; onRestore: () => void;
}) {
  const fields = useFields();
  const registry = new FieldRegistry((fields.data ?? []).map(toFieldDef));
  const m = version.doc;
  const changed = now ? differences(m, now) : [];
  const condition = (c: Parameters<typeof describeCondition>[0]) => {
    try {
      return describeCondition(c, registry);
    } catch {
      return JSON.stringify(c);
    }
  };
  return (
    <Dialog title={`Version ${version.version} of “${m.name}” (read only)`} onClose={onClose} wide>
      <div className="dialog-body version-view">
        <p className="muted">
          Saved <time dateTime={version.savedAt}>{when(version.savedAt)}</time>{version.author ? ` by ${version.author}` : ' (author not recorded)'}.{' '}
          {version.current ? 'This is the model now.' : changed.length ? `Differs from the saved model in: ${changed.join(', ')}.` : 'The same as the saved model.'}
        </p>
        <dl>
          <dt>Name</dt><dd>{m.name}</dd>
          {m.description && <><dt>Description</dt><dd>{m.description}</dd></>}
          <dt>Writes</dt><dd>{labelOf(fields.data, m.field ?? 'score')}, from {formatNumber(m.min ?? 0)} to {formatNumber(m.max ?? 100)}</dd>
          <dt>Degradation</dt><dd>{degradationWords(m.degradation)}{m.degradation && ` (midnight ${m.timezone || 'UTC'})`}</dd>
          <dt>Brackets</dt>
          <dd>{m.brackets?.length ? m.brackets.map((b) => `${b.name} from ${formatNumber(b.min)}`).join(' · ') : 'none'}</dd>
        </dl>
        <h3>Rules</h3>
        {m.rules?.length ? (
          <ol className="version-rules">
            {m.rules.map((r) => (
              <li key={r.id}>
                <strong>{r.label || r.id}</strong>
                <span>{'event' in r.when
                  ? `${eventWords(r.when.event)}${r.when.where ? `, only when ${condition(r.when.where)}` : ''}`
                  : `While ${condition(r.when.if)}`}</span>
                <span className="muted small">{ruleSummary(r)}</span>
              </li>
            ))}
          </ol>
        ) : <p className="muted">No rules.</p>}
        <details>
          <summary>The model as JSON</summary>
          <pre>{JSON.stringify(m, null, 2)}</pre>
        </details>
      </div>
      <footer className="dialog-foot">
        <button type="button" onClick={onClose}>Close</button>
        {!version.current && <button type="button" className="primary" onClick={onRestore}>Restore this version</button>}
      </footer>
    </Dialog>
  );
}
