import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useMapEditor } from '../../store/map-editor.js';
import { useNothingToPublish, useUnpublishedChanges } from './running-version.js';
import { can, useMe } from '../../lib/me.js';
import { openBacktest } from '../reports/handoff.js';
import { HelpLink } from '../../lib/HelpLink.js';
import { DOCS } from '../../lib/docs.js';

const ICONS = {
  undo: 'M9 14 4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3',
  redo: 'm15 14 5-5-5-5M20 9H9a5 5 0 0 0 0 10h3',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  paste: 'M9 4h6v3H9zM8 5H5v16h14V5h-3',
  layout: 'M4 4h6v5H4zM14 15h6v5h-6zM4 15h6v5H4zM7 9v6M7 12h10v3',
} as const;

function Icon({ name }: { name: keyof typeof ICONS }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={ICONS[name]} />
    </svg>
  );
}

const STATUS_WORDS = { draft: 'Draft', published: 'Published', paused: 'Paused' } as const;
const STATUS_TONE = { draft: '', published: 'ok', paused: 'warn' } as const;

export interface ToolbarProps {
  readonly showStats: boolean;
  onToggleStats(): void;
  onPublish(): void;
  onVersions(): void;
  onAutoLayout(): void;
  /** A short confirmation, e.g. "Saved". */
  readonly flash: string | null;
}

/** The editor's toolbar: name, status, save and publish, pause/resume, versions, undo/redo, copy/paste, layout, performance. */
export function Toolbar({ showStats, onToggleStats, onPublish, onVersions, onAutoLayout, flash }: ToolbarProps) {
  // Saving, publishing, pausing and backtests are an editor's (SPEC §12): others see the map as it is.
  const editor = can(useMe(), 'editor');
  const name = useMapEditor((s) => s.doc?.name ?? '');
  const status = useMapEditor((s) => s.status);
  const version = useMapEditor((s) => s.version);
  const dirty = useMapEditor((s) => s.dirty);
  const busy = useMapEditor((s) => s.busy);
  const canUndo = useMapEditor((s) => s.canUndo);
  const canRedo = useMapEditor((s) => s.canRedo);
  const canPaste = useMapEditor((s) => s.canPaste);
  const hasSelection = useMapEditor((s) => s.selection.length > 0);
  const problems = useMapEditor((s) => s.problems);
  const errors = useMemo(() => problems.filter((p) => p.severity === 'error'), [problems]);
  const unpublished = useUnpublishedChanges();
  const nothingNew = useNothingToPublish();
  const a = useMapEditor.getState();

  const blocked = errors.length
    ? `Publishing is blocked: fix the ${errors.length === 1 ? 'error' : `${errors.length} errors`} in the problems list first. ${errors[0].message}`
    : nothingNew ? `Nothing to publish: the draft is the same as version ${version}, the running version.` : null;

  return (
    <header className="editor-toolbar" aria-label="Map tools">
      {/* The name over its state, in the room the controls leave: every control stays whole at 1280 px. */}
      <div className="map-title">
        <MapName name={name} onChange={(value) => a.updateMap({ name: value })} />
        <div className="map-state">
          <span className={`badge ${STATUS_TONE[status]}`} title={version ? `Version ${version} is the running version` : 'Never published'}>
            {STATUS_WORDS[status]}{version ? ` · v${version}` : ''}
          </span>
          {unpublished && (
            <span className="badge warn unpublished" title={`The draft differs from version ${version}, which is what contacts run through. Publish to make the changes live.`}>
              Unpublished changes
            </span>
          )}
          <span className={`save-state${dirty ? ' dirty' : ''}`} role="status">
            {busy === 'saving' ? 'Saving…' : dirty ? 'Unsaved changes' : (flash ?? 'All changes saved')}
          </span>
        </div>
      </div>

      <span className="tool-group" role="group" aria-label="Edit">
        <button type="button" className="tool" onClick={() => a.undo()} disabled={!canUndo} aria-label="Undo" title="Undo (Ctrl+Z)"><Icon name="undo" /></button>
        <button type="button" className="tool" onClick={() => a.redo()} disabled={!canRedo} aria-label="Redo" title="Redo (Ctrl+Shift+Z)"><Icon name="redo" /></button>
        <button type="button" className="tool" onClick={() => a.copy()} disabled={!hasSelection} aria-label="Copy" title="Copy the selected elements (Ctrl+C)"><Icon name="copy" /></button>
        <button type="button" className="tool" onClick={() => a.paste()} disabled={!canPaste} aria-label="Paste" title="Paste copied elements (Ctrl+V)"><Icon name="paste" /></button>
        <button type="button" className="tool" onClick={onAutoLayout} aria-label="Auto-layout" title="Lay the map out top to bottom"><Icon name="layout" /></button>
      </span>
      <button type="button" className={`toggle${showStats ? ' on' : ''}`} aria-pressed={showStats} onClick={onToggleStats}
        title="Show how many contacts are at each element, have passed it, and its errors (refreshed every 3 seconds)">
        Performance
      </button>

      <HelpLink page={DOCS.mapEditor} iconOnly />
      {editor && (
        <button type="button" onClick={() => { const { doc, mapId } = useMapEditor.getState(); if (doc && mapId) openBacktest({ kind: 'map', id: mapId, name: doc.name, doc }); }}
          title="Replay real contacts' stored events through this draft (saved or not) and compare with the live scores; opens in a new tab, changes no contact">Try on real history</button>
      )}
      <button type="button" onClick={onVersions}>Versions</button>
      {editor && (
        <>
          {status === 'paused'
            ? <button type="button" onClick={() => a.resume()} disabled={!!busy} title="Triggers admit contacts again; overdue waits fire now">Resume</button>
            : <button type="button" onClick={() => a.pause()} disabled={!!busy || status !== 'published'}
                title={status === 'published' ? 'Stop admitting contacts and hold every wait' : 'Publish the map first: only a running map can be paused'}>Pause</button>}
          <button type="button" onClick={() => a.save()} disabled={!!busy || !dirty} title={dirty ? 'Save the draft (Ctrl+S)' : 'Nothing to save'}>Save</button>
          <span className="publish-wrap" title={blocked ?? 'Make this draft the running version'}>
            <button type="button" className="primary" onClick={onPublish} disabled={!!blocked || !!busy} aria-describedby={blocked ? 'publish-blocked' : undefined}>
              Publish
            </button>
            {blocked && <span id="publish-blocked" className="sr-only">{blocked}</span>}
          </span>
        </>
      )}
    </header>
  );
}

/**
 * The map's name, edited in place: as wide as its words up to the room there is, then cut with an
 * ellipsis, and only then with the whole name in a tooltip.
 */
function MapName({ name, onChange }: { name: string; onChange(value: string): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [cut, setCut] = useState(false);
  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    const measure = () => setCut(el.scrollWidth > el.clientWidth + 1);
    measure();
    const watch = new ResizeObserver(measure);
    watch.observe(el);
    return () => watch.disconnect();
  }, [name]);
  return (
    <input ref={input} className="map-name" aria-label="Map name" value={name} maxLength={200} placeholder="Name this map"
      title={cut ? name : undefined} aria-invalid={!name.trim() || undefined} onChange={(e) => onChange(e.target.value)} />
  );
}
