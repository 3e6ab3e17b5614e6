import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, useNodesInitialized, useReactFlow,
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
import { NODE_TYPES } from './node-types.js';
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

  // Opening: the whole map when it is readable that way, else its top (the triggers) at a readable zoom.
  const [fitOptions] = useState(() => {
    const top = Math.min(...doc.elements.map((e) => e.position?.y ?? 0));
    const near = doc.elements.filter((e) => (e.position?.y ?? 0) <= top + TOP_SPAN);
    return near.length < doc.elements.length ? { ...FIT, minZoom: 0.5, nodes: near.map((e) => ({ id: e.id })) } : FIT;
  });
  const byElement = useMemo(() => problemsByElement(problems), [problems]);
  const selected = useMemo(() => new Set(selection), [selection]);
  const nodes = useMemo(
    () => nodeBuilder.build({ doc, fields, problems: byElement, stats, selected, live, measured, readOnly, highlighted }),
    [nodeBuilder, doc, fields, byElement, stats, selected, live, measured, readOnly, highlighted],
  );
  const edges = useMemo(() => edgeBuilder.build(doc, edgeSelection, readOnly), [edgeBuilder, doc, edgeSelection, readOnly]);

  // A map that came without positions was laid out with estimated sizes; once React Flow measured
  // the elements, lay it out again with their real ones (the first view is still being fitted).
  const measuredAll = useNodesInitialized();
  useEffect(() => {
    if (readOnly || !measuredAll || !store().laidOutOnOpen) return;
    store().settleLayout((id) => {
      const m = rf.getInternalNode(id)?.measured;
      return m?.width && m.height ? { width: m.width, height: m.height } : undefined;
    });
    void rf.fitView(fitOptions);
  }, [readOnly, measuredAll, rf, fitOptions]);

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
    store().addElement(kind, { x: at.x - DEFAULT_NODE_SIZE.width / 2, y: at.y - 24 });
  }, [rf]);

  const minimapColor = useCallback((n: ElementNode) => KIND_COLORS[n.type as ElementKindName] ?? 'var(--k-goto)', []);

  return (
    <div className="map-canvas" onDragOver={readOnly ? undefined : onDragOver} onDrop={readOnly ? undefined : onDrop}>
      <ReactFlow<ElementNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={readOnly ? undefined : onConnect}
        onConnectEnd={readOnly ? undefined : onConnectEnd}
        isValidConnection={isValidConnection}
        onDelete={readOnly ? undefined : onDelete}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        elementsSelectable={!readOnly}
        connectionRadius={32}
        fitView
        fitViewOptions={fitOptions}
        minZoom={0.1}
        maxZoom={2}
        colorMode="system"
        aria-label={readOnly ? 'Map (read only)' : 'Map canvas'}
      >
        <Background gap={20} size={1.2} />
        <Controls showInteractive={false} />
        <MiniMap<ElementNode> pannable zoomable nodeColor={minimapColor} nodeBorderRadius={6} ariaLabel="Overview of the map" style={MINIMAP} />
      </ReactFlow>
      {notice && <div className="canvas-notice" role="status">{notice}</div>}
    </div>
  );
}

const FIT = { padding: 0.15, maxZoom: 1 } as const;
/** How much of a tall map's top (in flow pixels) the first view shows. */
const TOP_SPAN = 1100;
// Small enough to leave the canvas to the map at 1280×800.
const MINIMAP = { width: 150, height: 100 } as const;
