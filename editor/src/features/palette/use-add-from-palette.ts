import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { ElementKindName } from '../../../../engine/elements/index.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import type { Position } from '../../store/doc-ops.js';
import { OUTLET_PATHS, outletsOf } from '../../store/doc-ops.js';
import { DEFAULT_NODE_SIZE } from '../../store/layout.js';
import { useMapEditor } from '../../store/map-editor.js';
import { revealClear } from '../canvas/viewport.js';

const store = () => useMapEditor.getState();
/** The map editor's canvas area. */
const pane = () => document.querySelector('.editor-canvas');
/** The gap between an element and the one added below it (the auto-layout's row gap). */
const BELOW = 56;

/** An element's rectangle overlaps one already on the canvas. */
function overlaps(doc: MapDocument, p: Position): boolean {
  const { width, height } = DEFAULT_NODE_SIZE;
  return doc.elements.some((e) => e.position && Math.abs(e.position.x - p.x) < width + 20 && Math.abs(e.position.y - p.y) < height + 10);
}

/**
 * Adding from the palette by click (or Enter): below the one selected element and wired to it — on
 * its empty outlet, or, when what follows it is already connected, into the flow between the two
 * (what followed moves down) — else in the middle of the view. The new element is brought into view,
 * never left under the minimap or the zoom controls.
 */
export function useAddFromPalette(): (kind: ElementKindName) => void {
  const rf = useReactFlow();
  return useCallback((kind: ElementKindName) => {
    const s = store();
    if (!s.doc) return;
    const from = s.selection.length === 1 ? s.doc.elements.find((e) => e.id === s.selection[0]) : undefined;
    const first = from ? OUTLET_PATHS[from.kind][0] : undefined;
    const inserting = !!from && !!first && !outletsOf(from).some((o) => !o.target) && typeof (from as Record<string, unknown>)[first] === 'string';
    let at: Position;
    if (from?.position) {
      const h = rf.getInternalNode(from.id)?.measured.height ?? DEFAULT_NODE_SIZE.height;
      at = { x: from.position.x, y: from.position.y + h + BELOW };
    } else {
      const box = pane()?.getBoundingClientRect();
      const c = box ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 3 }) : { x: 0, y: 0 };
      at = { x: c.x - DEFAULT_NODE_SIZE.width / 2, y: c.y };
    }
    // Put into the flow, it takes the place of what followed (which moves down); otherwise it stays clear of others.
    if (!inserting) while (overlaps(s.doc, at)) at = { x: at.x + DEFAULT_NODE_SIZE.width + 40, y: at.y };
    s.addElement(kind, at, from?.id);
    revealClear(rf, pane(), at);
  }, [rf]);
}
