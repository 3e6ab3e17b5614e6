/**
 * Where the canvas looks: a fit that never zooms out past a readable scale (a big map scrolls
 * instead, from its top), and bringing a new element into view clear of the minimap and controls.
 */
import type { ReactFlowInstance, Rect, Viewport } from '@xyflow/react';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { DEFAULT_NODE_SIZE } from '../../store/layout.js';

/**
 * The smallest scale a fit uses: element titles stay at 11 px and their words at 10 px on screen.
 * A map that would need less is shown from its top left at this scale, and scrolls.
 */
export const READABLE_ZOOM = 0.8;
/** A fit never enlarges past the elements' own size. */
const FIT_MAX_ZOOM = 1;
/** Room kept around a fitted map, in screen pixels. */
const PADDING = 32;

/**
 * The viewport that shows `bounds` in a `width` × `height` pane: the whole of it when that is readable
 * (centred), else at `READABLE_ZOOM`, each axis that does not fit starting at its top (or left) edge.
 */
export function readableViewport(bounds: Rect, width: number, height: number): Viewport {
  const room = { w: Math.max(1, width - 2 * PADDING), h: Math.max(1, height - 2 * PADDING) };
  const fit = Math.min(room.w / Math.max(1, bounds.width), room.h / Math.max(1, bounds.height), FIT_MAX_ZOOM);
  const zoom = Math.max(fit, READABLE_ZOOM);
  const axis = (start: number, size: number, pane: number, inner: number) =>
    size * zoom <= inner ? (pane - size * zoom) / 2 - start * zoom : PADDING - start * zoom;
  return { x: axis(bounds.x, bounds.width, width, room.w), y: axis(bounds.y, bounds.height, height, room.h), zoom };
}

/** The rectangle the elements of `doc` cover, with the sizes the canvas measured where it has them. */
export function mapBounds(doc: MapDocument, sizeOf: (id: string) => { width?: number; height?: number } | undefined): Rect {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const el of doc.elements) {
    const p = el.position ?? { x: 0, y: 0 };
    const s = sizeOf(el.id);
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x + (s?.width || DEFAULT_NODE_SIZE.width));
    y1 = Math.max(y1, p.y + (s?.height || DEFAULT_NODE_SIZE.height));
  }
  return Number.isFinite(x0) ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : { x: 0, y: 0, width: 1, height: 1 };
}

/** Fits `doc` in the canvas `pane` readably (see `readableViewport`). */
export function fitReadable(rf: ReactFlowInstance<any, any>, doc: MapDocument, pane: Element | null, duration = 0): void {
  if (!pane) return;
  const { width, height } = pane.getBoundingClientRect();
  if (!width || !height) return;
  const bounds = mapBounds(doc, (id) => rf.getInternalNode(id)?.measured);
  void rf.setViewport(readableViewport(bounds, width, height), duration ? { duration } : undefined);
}

/** The parts of the canvas that cover elements: the minimap and the zoom controls. */
function covered(pane: Element): DOMRect[] {
  return [...pane.querySelectorAll('.react-flow__minimap, .react-flow__controls')].map((e) => e.getBoundingClientRect());
}

const meets = (a: DOMRect | { left: number; top: number; right: number; bottom: number }, b: DOMRect) =>
  a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;

/**
 * Brings the element at `at` (its top left, in flow coordinates) into view when it is outside the
 * canvas or under the minimap or the controls: the view moves, at the same zoom, to centre it.
 */
export function revealClear(rf: ReactFlowInstance<any, any>, pane: Element | null, at: { x: number; y: number }, size: { width: number; height: number } = DEFAULT_NODE_SIZE): void {
  if (!pane) return;
  const box = pane.getBoundingClientRect();
  const zoom = rf.getZoom();
  const p = rf.flowToScreenPosition(at);
  const r = { left: p.x, top: p.y, right: p.x + size.width * zoom, bottom: p.y + size.height * zoom };
  const inside = r.left >= box.left && r.top >= box.top && r.right <= box.right && r.bottom <= box.bottom;
  if (inside && !covered(pane).some((c) => meets(r, c))) return;
  void rf.setCenter(at.x + size.width / 2, at.y + size.height / 2, { zoom, duration: 250 });
}
