import { memo, useCallback } from 'react';
import { BaseEdge, useStore, type EdgeProps, type ReactFlowState } from '@xyflow/react';

/** How far right of the last element in its way a jump's line runs. */
const CLEARANCE = 28;
const RADIUS = 12;

interface Box { readonly left: number; readonly top: number; readonly right: number; readonly bottom: number }

/** The route of a jump: the x of its long vertical line, and the y it arrives at beside its target. */
export interface JumpRoute { readonly lane: number; readonly arrive: number }

/**
 * The route of a go-to's jump, out of the go-to's side, along a vertical lane, and into the target's
 * side. The lane runs right of every element it would otherwise cross. When the way into the target
 * at its own height is blocked (an element beside it in its row), the line comes along the gap just
 * above the target's row and drops into it beside the target.
 */
export function jumpRoute(from: { x: number; y: number }, to: { x: number; y: number; top: number }, boxes: Iterable<Box>): JumpRoute {
  const list = [...boxes];
  // Straight in at the target's height when nothing is in the way; else along the gap above the
  // highest element in the way (a row can hold elements of several heights), as far up as needed.
  const span = [to.x + 1, Math.max(from.x, to.x) + CLEARANCE] as const;
  let arrive = to.y;
  for (let i = 0; i < 20; i++) {
    const inWay = list.filter((b) => b.top < arrive && b.bottom > arrive && b.left < span[1] && b.right > span[0]);
    if (!inWay.length) break;
    arrive = Math.min(to.top, ...inWay.map((b) => b.top)) - CLEARANCE / 2;
  }
  let lane = Math.max(from.x, to.x) + CLEARANCE;
  const [top, bottom] = from.y < arrive ? [from.y, arrive] : [arrive, from.y];
  for (let moved = true; moved;) {
    moved = false;
    for (const b of list) {
      if (b.left < lane && b.right + CLEARANCE > lane && b.top < bottom && b.bottom > top) {
        lane = b.right + CLEARANCE;
        moved = true;
      }
    }
  }
  return { lane, arrive };
}

/** Out to the lane, along it, and into the target (by way of `arrive`), with rounded corners. */
export function jumpPath(sx: number, sy: number, tx: number, ty: number, { lane, arrive }: JumpRoute): string {
  const turn = (x0: number, y0: number, x1: number, y1: number, x2: number, y2: number) => {
    // A rounded corner at (x1, y1) between a line coming from (x0, y0) and one going to (x2, y2).
    const r = Math.min(RADIUS, Math.hypot(x1 - x0, y1 - y0) / 2, Math.hypot(x2 - x1, y2 - y1) / 2);
    const a = { x: x1 - Math.sign(x1 - x0) * r, y: y1 - Math.sign(y1 - y0) * r };
    const b = { x: x1 + Math.sign(x2 - x1) * r, y: y1 + Math.sign(y2 - y1) * r };
    return `L ${a.x} ${a.y} Q ${x1} ${y1} ${b.x} ${b.y}`;
  };
  const pts: [number, number][] = arrive === ty
    ? [[sx, sy], [lane, sy], [lane, ty], [tx, ty]]
    : [[sx, sy], [lane, sy], [lane, arrive], [tx + CLEARANCE / 2, arrive], [tx + CLEARANCE / 2, ty], [tx, ty]];
  const parts = [`M ${sx} ${sy}`];
  for (let i = 1; i < pts.length - 1; i++) parts.push(turn(...pts[i - 1], ...pts[i], ...pts[i + 1]));
  parts.push(`L ${tx} ${ty}`);
  return parts.join(' ');
}

/** A go-to's jump: a dashed line that goes around the elements between the go-to and its target. */
export const JumpEdge = memo(function JumpEdge({ id, source, target, sourceX, sourceY, targetX, targetY, markerEnd, style, interactionWidth }: EdgeProps) {
  // A number out of the store: the edge draws again only when its lane moves.
  // Two numbers out of the store, joined: the edge draws again only when its route moves.
  const route = useStore(useCallback((s: ReactFlowState) => {
    const boxes: Box[] = [];
    for (const n of s.nodeLookup.values()) {
      if (n.id === source || n.id === target) continue;
      const { x, y } = n.internals.positionAbsolute;
      const w = n.measured.width ?? 0, h = n.measured.height ?? 0;
      if (w && h) boxes.push({ left: x, top: y, right: x + w, bottom: y + h });
    }
    const top = s.nodeLookup.get(target)?.internals.positionAbsolute.y ?? targetY;
    const r = jumpRoute({ x: sourceX, y: sourceY }, { x: targetX, y: targetY, top }, boxes);
    return `${r.lane} ${r.arrive}`;
  }, [source, target, sourceX, sourceY, targetX, targetY]));
  const [lane, arrive] = route.split(' ').map(Number);
  return <BaseEdge id={id} path={jumpPath(sourceX, sourceY, targetX, targetY, { lane, arrive })} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />;
});

/** The canvas's own edge kinds (a module constant: React Flow wants it stable). */
export const EDGE_TYPES = { jump: JumpEdge };
