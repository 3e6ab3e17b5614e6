import { useMemo, useCallback, useEffect, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import type { Element } from '../../../../engine/elements/index.js';
import type { Problem } from '../../../../engine/elements/types.js';
import { href, useRoute, type Route } from '../../lib/route.js';
import { useMapEditor } from '../../store/map-editor.js';
import { MapCanvas } from '../canvas/MapCanvas.js';
import { fitReadable } from '../canvas/viewport.js';
import { Inspector } from '../inspector/Inspector.js';
import { Palette } from '../palette/Palette.js';
import { useAddFromPalette } from '../palette/use-add-from-palette.js';
import { localMessage } from '../inspector/problems.js';
import { ProblemsPanel } from './ProblemsPanel.js';
import { PublishDialog } from './PublishDialog.js';
import { useRunningVersionLoader } from './running-version.js';
import { Toolbar } from './Toolbar.js';
import { useEditorKeys, useFullPage, useUnsavedGuard } from './use-editor-keys.js';
import { VersionsDrawer } from './VersionsDrawer.js';
import './map-editor.css';

const store = () => useMapEditor.getState();
const STATS_EVERY_MS = 3000;

/** `#/maps/:id`: the map editor — palette, canvas, inspector, toolbar, problems, publishing. */
export function MapEditorPage({ route }: { route: Route }) {
  const id = route.parts[1];
  useFullPage();
  useEffect(() => {
    void store().load(id);
  }, [id]);
  const loading = useMapEditor((s) => s.loading || s.mapId !== id);
  const loadError = useMapEditor((s) => s.loadError);
  const hasDoc = useMapEditor((s) => s.doc !== null);

  if (loadError) {
    return (
      <div className="center editor-message">
        <div className="card narrow">
          <h1>This map cannot be opened</h1>
          <p className="error">{loadError}</p>
          <a href={href('/maps')}>Back to the maps</a>
        </div>
      </div>
    );
  }
  if (loading || !hasDoc) return <div className="center editor-message muted">Opening the map…</div>;
  return (
    <ReactFlowProvider>
      <Editor key={id} />
    </ReactFlowProvider>
  );
}

function Editor() {
  const rf = useReactFlow();
  const doc = useMapEditor((s) => s.doc)!;
  const fields = useMapEditor((s) => s.fields);
  const problems = useMapEditor((s) => s.problems);
  const selection = useMapEditor((s) => s.selection);
  const stats = useMapEditor((s) => s.stats);
  const [showStats, setShowStats] = useState(false);
  const [panel, setPanel] = useState<'publish' | 'versions' | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  // A problem clicked in the list: its input in the inspector gets the keyboard once it is drawn.
  const [focusProblem, setFocusProblem] = useState<Problem | null>(null);
  useEditorKeys();
  useUnsavedGuard();
  useRunningVersionLoader();

  useEffect(() => {
    if (!focusProblem) return;
    setFocusProblem(null);
    focusProblemInput(focusProblem);
  }, [focusProblem]);

  useEffect(() => {
    if (!showStats) return;
    void store().refreshStats();
    const t = setInterval(() => void store().refreshStats(), STATS_EVERY_MS);
    return () => clearInterval(t);
  }, [showStats]);

  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(null), 4000);
    return () => clearTimeout(t);
  }, [flash]);

  /** Selects an element and brings it into view; from a problem, puts the cursor in the setting it names. */
  const focusElement = useCallback((elementId: string, problem?: Problem) => {
    store().select([elementId]);
    if (problem) setFocusProblem(problem);
    // Centred at the zoom in use, unless that is too far out to read it.
    void rf.fitView({ nodes: [{ id: elementId }], duration: 300, maxZoom: Math.min(1, Math.max(rf.getZoom(), 0.8)), padding: 0.8 });
  }, [rf]);

  /** Adds from the palette: into the flow below the selected element, else mid-view. */
  const addFromPalette = useAddFromPalette();

  const autoLayout = useCallback(() => {
    store().autoLayout((elementId) => {
      const m = rf.getInternalNode(elementId)?.measured;
      return m?.width && m.height ? { width: m.width, height: m.height } : undefined;
    });
    requestAnimationFrame(() => fitReadable(rf, store().doc!, document.querySelector('.editor-canvas'), 300));
  }, [rf]);

  // `?highlight=a,b,c` (from the simulate panel) marks a contact's path through the map.
  const route = useRoute();
  const highlightParam = route.query.get('highlight') ?? '';
  const highlighted = useMemo(() => new Set(highlightParam.split(',').filter(Boolean)), [highlightParam]);

  const closePanel = useCallback(() => {
    setPanel(null);
    store().dismissError();
  }, []);

  return (
    <div className="map-editor">
      <Toolbar showStats={showStats} onToggleStats={() => setShowStats(!showStats)} flash={flash}
        onPublish={() => setPanel('publish')} onVersions={() => setPanel(panel === 'versions' ? null : 'versions')} onAutoLayout={autoLayout} />
      <Banners />
      {highlighted.size > 0 && (
        <div className="editor-banner info" role="status">
          Showing the path {route.query.get('contact') ? `of ${route.query.get('contact')} ` : ''}from a simulation.{' '}
          <a href={href(`/maps/${route.parts[1]}`)}>Clear</a>
        </div>
      )}
      <div className="editor-body">
        <aside className="editor-left" aria-label="Element kinds">
          <Palette onAdd={addFromPalette} />
        </aside>
        <div className="editor-center">
          <div className="editor-canvas">
            <MapCanvas doc={doc} fields={fields} problems={problems} selection={selection} stats={showStats ? stats : null} highlighted={highlighted} />
          </div>
          <ProblemsPanel onFocus={focusElement} />
        </div>
        {/* The versions sit above the inspector, never over it: a problem clicked stays editable. */}
        <div className="editor-right">
          {panel === 'versions' && <VersionsDrawer onClose={closePanel} />}
          <InspectorPanel />
        </div>
      </div>
      {panel === 'publish' && <PublishDialog onClose={closePanel} onPublished={(v) => setFlash(`Published version ${v}`)} />}
    </div>
  );
}

/**
 * Puts the cursor in the inspector's control that a problem is said beside (found by the words that
 * describe it), else in the first control marked invalid; a problem said under the form, or beside
 * something that takes no typing (an outlet's row), is scrolled to instead.
 */
function focusProblemInput(p: Problem): void {
  const inspector = document.querySelector<HTMLElement>('.editor-right > .inspector');
  if (!inspector) return;
  const wanted = localMessage(p.message);
  const says = (el: HTMLElement) => el.getAttribute('aria-describedby')!.split(' ')
    .some((id) => document.getElementById(id)?.textContent?.includes(wanted));
  const described = [...inspector.querySelectorAll<HTMLElement>('[aria-describedby]')].find(says)
    ?? inspector.querySelector<HTMLElement>('[aria-invalid="true"]');
  const control = described?.matches('input, select, textarea, button') ? described : described?.querySelector<HTMLElement>('input, select, textarea, button');
  if (control) return control.focus();
  const said = [...inspector.querySelectorAll<HTMLElement>('.insp-problems li')].find((li) => li.textContent?.includes(wanted));
  (said ?? described)?.scrollIntoView({ block: 'nearest' });
}

/** The inspector for the one selected element (none for zero or several). */
function InspectorPanel() {
  const doc = useMapEditor((s) => s.doc)!;
  const fields = useMapEditor((s) => s.fields);
  const problems = useMapEditor((s) => s.problems);
  const selection = useMapEditor((s) => s.selection);
  const element: Element | null = selection.length === 1 ? (doc.elements.find((e) => e.id === selection[0]) ?? null) : null;
  const elementId = element?.id ?? null;
  const onChange = useCallback((patch: Partial<Element>) => {
    if (elementId) store().updateElement(elementId, patch);
  }, [elementId]);
  // The inspector picks the element's own problems out of the map's.
  return <Inspector element={element} fields={fields} problems={problems as Problem[]} onChange={onChange} elements={doc.elements} selection={selection} />;
}

/** A save that met someone else's change, or a refused action, in words. */
function Banners() {
  const conflict = useMapEditor((s) => s.conflict);
  const error = useMapEditor((s) => s.error);
  const errorProblems = useMapEditor((s) => s.errorProblems);
  const busy = useMapEditor((s) => s.busy);
  if (conflict) {
    return (
      <div className="editor-banner warn" role="alert">
        <span><strong>{conflict}.</strong> Reload to see their version (your changes are dropped), or keep yours and save it over theirs.</span>
        <button type="button" onClick={() => store().resolveConflict('reload')} disabled={!!busy}>Reload</button>
        <button type="button" onClick={() => store().resolveConflict('keep-mine')} disabled={!!busy}>Keep mine</button>
      </div>
    );
  }
  if (!error) return null;
  // The server's message often is its first problem already: each is said once.
  const shown = errorProblems.filter((p) => !error.includes(p.message));
  return (
    <div className="editor-banner error" role="alert">
      <span>
        {error}
        {shown.length > 0 && <ul className="problem-words">{shown.slice(0, 5).map((p, i) => <li key={i}>{p.message}</li>)}</ul>}
      </span>
      <button type="button" onClick={() => store().dismissError()}>Dismiss</button>
    </div>
  );
}
