import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background, ControlButton, Controls, MiniMap, Panel, ReactFlow, useNodesInitialized, useReactFlow, useStore,
  type Connection, type Edge, type EdgeChange, type FinalConnectionState, type IsValidConnection, type NodeChange, type OnDelete,
} from '@xyflow/react';
import type { ElementKindName } from '../../../../engine/elements/index.js';
import type { Problem } from '../../../../engine/elements/types.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { connectionRefusal } from '../../store/connect-rules.js';
import type { Position } from '../../store/doc-ops.js';
import { useMapEditor, type ElementStats } from '../../store/map-editor.js';
import { DEFAULT_NODE_SIZE } from '../../store/layout.js';
import { EdgeBuilder, NodeBuilder, outletOfEdge, problemsByElement, type ElementNode } from './flow-model.js';
import { KIND_COLORS } from './icons.js';
import { SHORT } from './count-words.js';
import { EDGE_TYPES } from './JumpEdge.js';
import { NODE_TYPES } from './node-types.js';
import { fitReadable, revealClear } from './viewport.js';
import './canvas.css';

/** The drag-and-drop type the palette puts an element kind under. */
export const KIND_MIME = 'application/x-scoremap-kind';

export interface MapCanvasProps {
  readonly doc: MapDocument;
  readonly fields: FieldRegistry;
  readonly problems: readonly Problem[];
  /** Per-element counts to show as badges; null hides them. */
  readonly stats?: Readonly<Record<string, ElementStats>> | null;
  /** Selected element ids (editable canvas). */
  readonly selection?: readonly string[];
  /** A version being viewed: no editing, no selection. Default false. */
  readonly readOnly?: boolean;
  /** Element ids to highlight (a simulated contact's path). */
  readonly highlighted?: ReadonlySet<string>;
}

const NO_IDS: readonly string[] = [];
type Sizes = ReadonlyMap<string, { width: number; height: number }>;
const store = () => useMapEditor.getState();

/**
 * The map drawn with React Flow. Editable, it sends every change to the map-editor store (moves at
 * drag end only, so one drag is one undo step); read-only, it only draws.
 */
const NO_HIGHLIGHT: ReadonlySet<string> = new Set();

export function MapCanvas({ doc, fields, problems, stats = null, selection = NO_IDS, readOnly = false, highlighted = NO_HIGHLIGHT }: MapCanvasProps) {
  const rf = useReactFlow<ElementNode>();
  const [nodeBuilder] = useState(() => new NodeBuilder());
  const [edgeBuilder] = useState(() => new EdgeBuilder());
  const [live, setLive] = useState<ReadonlyMap<string, Position>>(() => new Map());
  const [measured, setMeasured] = useState<Sizes>(() => new Map());
  const [edgeSelection, setEdgeSelection] = useState<ReadonlySet<string>>(() => new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const pane = useRef<HTMLDivElement>(null);
  // Counts stay as large on screen as at 100 % however far out the view is zoomed (up to 5 times).
  const badgeScale = useStore((st) => Math.min(5, Math.max(1, Math.round(10 / st.transform[2]) / 10)));
  const byElement = useMemo(() => problemsByElement(problems), [problems]);
  const selected = useMemo(() => new Set(selection), [selection]);
  const nodes = useMemo(
    () => nodeBuilder.build({ doc, fields, problems: byElement, stats, selected, live, measured, readOnly, highlighted }),
    [nodeBuilder, doc, fields, byElement, stats, selected, live, measured, readOnly, highlighted],
  );
  const edges = useMemo(() => edgeBuilder.build(doc, edgeSelection, readOnly), [edgeBuilder, doc, edgeSelection, readOnly]);

  // A map that came without positions was laid out with estimated sizes; once React Flow measured
  // the elements, lay it out again with their real ones. Then the first view: the whole map when it
  // is readable that way, else its top left at a readable scale (the rest scrolls).
  const measuredAll = useNodesInitialized();
  const [fitted, setFitted] = useState(false);
  const latestDoc = useRef(doc);
  latestDoc.current = doc;
  useEffect(() => {
    if (!measuredAll || fitted) return;
    if (!readOnly && store().laidOutOnOpen) {
      store().settleLayout((id) => {
        const m = rf.getInternalNode(id)?.measured;
        return m?.width && m.height ? { width: m.width, height: m.height } : undefined;
      });
    }
    fitReadable(rf, (!readOnly && store().doc) || latestDoc.current, pane.current);
    setFitted(true);
  }, [readOnly, measuredAll, rf, fitted]);
  const fitView = useCallback(() => fitReadable(rf, latestDoc.current, pane.current, 300), [rf]);

  // The one selected element stays in view when the inspector opens beside the canvas and narrows it.
  const only = selection.length === 1 ? selection[0] : null;
  useEffect(() => {
    if (!only || readOnly || !fitted) return;
    const id = requestAnimationFrame(() => {
      const n = rf.getInternalNode(only);
      if (n) revealClear(rf, pane.current, n.internals.positionAbsolute, { width: n.measured.width ?? DEFAULT_NODE_SIZE.width, height: n.measured.height ?? DEFAULT_NODE_SIZE.height });
    });
    return () => cancelAnimationFrame(id);
  }, [only, readOnly, fitted, rf]);

  // A refused connection says why for a few seconds.
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 4000);
    return () => clearTimeout(t);
  }, [notice]);

  const onNodesChange = useCallback((changes: NodeChange<ElementNode>[]) => {
    const dims = new Map<string, { width: number; height: number }>();
    const dragging = new Map<string, Position>();
    const dropped = new Map<string, Position>();
    let select: Set<string> | null = null;
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) dims.set(c.id, c.dimensions);
      else if (c.type === 'position' && c.position) (c.dragging ? dragging : dropped).set(c.id, c.position);
      else if (c.type === 'select' && !readOnly) {
        select ??= new Set(store().selection);
        if (c.selected) select.add(c.id);
        else select.delete(c.id);
      }
    }
    if (dims.size) setMeasured((prev) => new Map([...prev, ...dims]));
    if (dragging.size) setLive((prev) => new Map([...prev, ...dragging]));
    if (dropped.size) {
      if (!readOnly) store().moveElements(dropped);
      setLive((prev) => (prev.size ? new Map([...prev].filter(([id]) => !dropped.has(id))) : prev));
    }
    if (select) store().select([...select]);
  }, [readOnly]);

  const onEdgesChange = useCallback((changes: EdgeChange<Edge>[]) => {
    const picks = changes.filter((c) => c.type === 'select');
    if (!picks.length) return;
    setEdgeSelection((prev) => {
      const next = new Set(prev);
      for (const c of picks) {
        if (c.selected) next.add(c.id);
        else next.delete(c.id);
      }
      return next;
    });
  }, []);

  const find = (id: string | null | undefined) => (id ? store().doc?.elements.find((e) => e.id === id) : undefined);
  const isValidConnection: IsValidConnection = useCallback(
    (c) => connectionRefusal(find(c.source), c.sourceHandle, find(c.target)) === null, []);

  // Clicking one of several selected elements selects it alone (with Shift, Ctrl or Cmd it is taken out instead).
  const onNodeClick = useCallback((e: ReactMouseEvent, node: ElementNode) => {
    if (readOnly || e.shiftKey || e.ctrlKey || e.metaKey) return;
    if (store().selection.length > 1) store().select([node.id]);
  }, [readOnly]);

  const onConnect = useCallback((c: Connection) => {
    setNotice(store().connect(c.source, c.sourceHandle ?? '', c.target));
  }, []);

  // Dropping a connection on the body of an element (not its small handle) connects to it too, and
  // dropping it where it is refused says why.
  const onConnectEnd = useCallback((event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromNode || state.fromHandle?.type !== 'source') return;
    const point = 'changedTouches' in event ? event.changedTouches[0] : event;
    const under = document.elementFromPoint(point.clientX, point.clientY)?.closest<HTMLElement>('.react-flow__node');
    const targetId = state.toNode?.id ?? under?.dataset.id;
    if (!targetId) return;
    if (targetId === state.fromNode.id && !state.toNode) return; // let go where it started: no connection meant
    const refusal = store().connect(state.fromNode.id, state.fromHandle.id ?? '', targetId);
    if (refusal) setNotice(refusal);
  }, []);

  const onDelete: OnDelete<ElementNode, Edge> = useCallback(({ nodes: gone, edges: cut }) => {
    store().removeElements(gone.map((n) => n.id), cut.map((e) => outletOfEdge(e.id)));
    setEdgeSelection(new Set());
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(KIND_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback((e: DragEvent) => {
    const kind = e.dataTransfer.getData(KIND_MIME) as ElementKindName;
    if (!kind || !(kind in KIND_COLORS)) return;
    e.preventDefault();
    const at = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    // The pointer holds the element by the middle of its top part, as it was picked up.
    const place = { x: at.x - DEFAULT_NODE_SIZE.width / 2, y: at.y - 24 };
    // Let go on a connection: the element goes into the flow there.
    const onEdge = document.elementsFromPoint(e.clientX, e.clientY)
      .map((el) => el.closest<SVGElement>('.react-flow__edge')?.dataset.id).find(Boolean);
    store().addElement(kind, place, onEdge ? outletOfEdge(onEdge) : undefined);
    revealClear(rf, pane.current, place);
  }, [rf]);

  const minimapColor = useCallback((n: ElementNode) => KIND_COLORS[n.type as ElementKindName] ?? 'var(--k-goto)', []);

  return (
    <div className={`map-canvas${badgeScale > 1.6 ? ' counts-only' : ''}`} ref={pane} style={{ '--badge-scale': badgeScale } as CSSProperties}
      onDragOver={readOnly ? undefined : onDragOver} onDrop={readOnly ? undefined : onDrop}>
      <ReactFlow<ElementNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeClick={onNodeClick}
        multiSelectionKeyCode={MULTI_SELECT}
        onConnect={readOnly ? undefined : onConnect}
        onConnectEnd={readOnly ? undefined : onConnectEnd}
        isValidConnection={isValidConnection}
        onDelete={readOnly ? undefined : onDelete}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        elementsSelectable={!readOnly}
        connectionRadius={32}
        minZoom={0.2}
        maxZoom={2}
        colorMode="system"
        aria-label={readOnly ? 'Map (read only)' : 'Map canvas'}
      >
        <Background gap={20} size={1.2} />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton onClick={fitView} title="Fit View: the whole map, or its top at a readable size" aria-label="Fit View">
            <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8">
              <path d="M1.5 5.5v-4h4M10.5 1.5h4v4M14.5 10.5v4h-4M5.5 14.5h-4v-4" />
            </svg>
          </ControlButton>
        </Controls>
        <MiniMap<ElementNode> pannable zoomable nodeColor={minimapColor} nodeBorderRadius={6} ariaLabel="Overview of the map" style={MINIMAP} />
        {/* The badges are short ("3 now · 12 total"): their words in full, once for the canvas. */}
        {stats && (
          <Panel position="bottom-center" className="counts-legend">
            <b>{SHORT.hereNow}</b>: contacts here now · <b>{SHORT.wereHere}</b>: times contacts were here
          </Panel>
        )}
      </ReactFlow>
      {notice && <div className="canvas-notice" role="status">{notice}</div>}
    </div>
  );
}

/** Shift+click adds to the selection, as in diagram tools; Ctrl (Cmd on a Mac) too. */
const MULTI_SELECT = ['Shift', 'Control', 'Meta'];
// Small enough to leave the canvas to the map at 1280×800.
const MINIMAP = { width: 150, height: 100 } as const;
