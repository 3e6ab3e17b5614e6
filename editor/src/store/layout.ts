import dagre from '@dagrejs/dagre';
import type { MapDocument } from '../../../engine/schema/map.js';
import { refsOf, type Position } from './doc-ops.js';

/** The size an element is drawn at before the canvas has measured it. */
export const DEFAULT_NODE_SIZE = { width: 240, height: 84 } as const;

type Size = { readonly width: number; readonly height: number };

/**
 * Lays a map out top to bottom with dagre: triggers in the top row, each element below what leads
 * to it. Go-tos are jumps, drawn beside the flow, so they do not pull their targets around.
 * Returns the top-left corner of every element.
 */
export function layoutPositions(doc: MapDocument, sizeOf: (id: string) => Size | undefined = () => undefined): Map<string, Position> {
  const ids = new Set(doc.elements.map((e) => e.id));
  const size = (id: string) => sizeOf(id) ?? DEFAULT_NODE_SIZE;
  const flow = new Map<string, string[]>();
  for (const el of doc.elements) {
    if (el.kind === 'goto') continue;
    flow.set(el.id, refsOf(el).map((r) => r.target).filter((t) => ids.has(t) && t !== el.id));
  }
  const depth = depthsFromTriggers(doc, flow);
  // Yes before No, next before Timeout: branches sit on the side of the outlet they leave from.
  const constraints: { left: string; right: string }[] = [];
  for (const tos of flow.values()) if (tos.length === 2 && tos[0] !== tos[1]) constraints.push({ left: tos[0], right: tos[1] });

  const run = (align: 'UL' | 'UR' | undefined) => {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 56, marginx: 0, marginy: 0, ...(align ? { align } : {}) });
    g.setDefaultEdgeLabel(() => ({}));
    for (const el of doc.elements) g.setNode(el.id, { width: size(el.id).width, height: size(el.id).height });
    for (const el of doc.elements) {
      (flow.get(el.id) ?? []).forEach((to, i) => {
        // A trigger's edge is as long as its target is deep, so a trigger that joins the flow late
        // still sits in the top row instead of just above its target.
        const minlen = el.kind === 'trigger' ? Math.max(1, depth.get(to) ?? 1) : 1;
        // The main line (next, Yes) is pulled straight; side branches (No, Timeout) bend.
        g.setEdge(el.id, to, { minlen, weight: i === 0 ? 4 : 1 });
      });
    }
    dagre.layout(g, { constraints });
    const centers = new Map(doc.elements.map((el) => [el.id, g.node(el.id) as { x: number; y: number }]));
    let bend = 0;
    for (const [from, tos] of flow) {
      tos.forEach((to, i) => (bend += (i === 0 ? 4 : 1) * Math.abs(centers.get(from)!.x - centers.get(to)!.x)));
    }
    return { centers, bend };
  };
  // dagre's balanced alignment drifts sideways down a long chain whose side branches all fall on
  // one side; aligning to one side keeps the chain straight. The straightest candidate wins.
  const candidates = doc.elements.length <= 150 ? [undefined, 'UL', 'UR'] as const : ['UL', 'UR'] as const;
  let best: ReturnType<typeof run> | null = null;
  for (const align of candidates) {
    const r = run(align);
    if (!best || r.bend < best.bend - 1) best = r;
  }
  const out = new Map<string, Position>();
  for (const el of doc.elements) {
    const n = best!.centers.get(el.id)!;
    const s = size(el.id);
    out.set(el.id, { x: Math.round(n.x - s.width / 2), y: Math.round(n.y - s.height / 2) });
  }
  return out;
}

/** The longest path from any trigger to each element, following the flow and ignoring edges that loop back. */
function depthsFromTriggers(doc: MapDocument, flow: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const order: string[] = []; // reverse post-order of a DFS: a topological order once back edges are ignored
  const state = new Map<string, 1 | 2>();
  const visit = (start: string) => {
    const stack: [string, number][] = [[start, 0]];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = flow.get(top[0]) ?? [];
      if (top[1] < next.length) {
        const to = next[top[1]++];
        if (!state.has(to)) {
          state.set(to, 1);
          stack.push([to, 0]);
        }
      } else {
        state.set(top[0], 2);
        order.push(top[0]);
        stack.pop();
      }
    }
  };
  for (const el of doc.elements) if (el.kind === 'trigger' && !state.has(el.id)) visit(el.id);
  order.reverse();
  const rank = new Map(order.map((id, i) => [id, i]));
  const depth = new Map<string, number>();
  for (const id of order) {
    const d = depth.get(id) ?? 0;
    depth.set(id, d);
    for (const to of flow.get(id) ?? []) {
      if ((rank.get(to) ?? -1) > (rank.get(id) ?? 0)) depth.set(to, Math.max(depth.get(to) ?? 0, d + 1));
    }
  }
  return depth;
}
