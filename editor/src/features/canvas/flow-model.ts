/**
 * From a map document to React Flow nodes and edges. The builders keep a cache keyed by what each
 * node shows, so an unchanged element keeps the same node object between renders and React Flow
 * skips it: selecting one element re-renders two nodes, not three hundred.
 */
import { MarkerType, type Edge, type Node } from '@xyflow/react';
import { kindOf, type Element, type ElementKindName } from '../../../../engine/elements/index.js';
import type { Problem } from '../../../../engine/elements/types.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../../../../engine/schema/field.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { refsOf, type Position } from '../../store/doc-ops.js';
import type { ElementStats } from '../../store/map-editor.js';
import { KIND_TITLES } from './icons.js';

/** What an element's node draws. */
export interface ElementNodeData extends Record<string, unknown> {
  readonly el: Element;
  /** The label, or the kind's name when there is none. */
  readonly title: string;
  /** One line of plain words: "Wait 1 day". */
  readonly words: string;
  /** Error messages (one a line), or null. */
  readonly errors: string | null;
  readonly warnings: string | null;
  /** Counts, when the performance view is on. */
  readonly stats: ElementStats | null;
  readonly readOnly: boolean;
  /** On the path a simulated contact took (shown from the simulate panel). */
  readonly highlighted: boolean;
}
export type ElementNode = Node<ElementNodeData, ElementKindName>;

const BUILTIN = new FieldRegistry(BUILTIN_FIELDS);

/**
 * How an element is named on the canvas: its label, else what it does ("Wait 1 day"), never its id.
 * A go-to without a label that another go-to jumps to is named by its id (its words would name a go-to again).
 */
export function elementTitle(el: Element, fields: FieldRegistry = BUILTIN, byId: ReadonlyMap<string, Element> = new Map()): string {
  return el.label?.trim() || elementWords(el, fields, byId);
}

/** The one line of words of an element; a go-to names its target by title, not by id. */
export function elementWords(el: Element, fields: FieldRegistry, byId: ReadonlyMap<string, Element>): string {
  if (el.kind === 'goto') {
    const target = el.target ? byId.get(el.target) : undefined;
    if (!el.target) return 'Go to … (no target yet)';
    if (!target) return byId.size ? `Go to "${el.target}" (missing)` : `Go to ${el.target}`;
    return `Go to ${target.label?.trim() || (target.kind === 'goto' ? target.id : elementWords(target, fields, byId))}`;
  }
  try {
    return kindOf(el).describe(el, fields);
  } catch {
    return KIND_TITLES[el.kind]; // half-written settings must not break the canvas
  }
}

/** Messages per element; an instant loop marks every element of the cycle. */
export function problemsByElement(problems: readonly Problem[]): Map<string, { errors: string[]; warnings: string[] }> {
  const out = new Map<string, { errors: string[]; warnings: string[] }>();
  const add = (id: string, p: Problem) => {
    let entry = out.get(id);
    if (!entry) out.set(id, (entry = { errors: [], warnings: [] }));
    (p.severity === 'error' ? entry.errors : entry.warnings).push(p.message);
  };
  for (const p of problems) {
    if (p.cycle) for (const id of p.cycle) add(id, p);
    else if (p.element) add(p.element, p);
  }
  return out;
}

export interface NodeInput {
  readonly doc: MapDocument;
  readonly fields: FieldRegistry;
  readonly problems: ReadonlyMap<string, { errors: string[]; warnings: string[] }>;
  readonly stats: Readonly<Record<string, ElementStats>> | null;
  readonly selected: ReadonlySet<string>;
  /** Positions while dragging, before they are committed. */
  readonly live: ReadonlyMap<string, Position>;
  /** Sizes React Flow measured: kept on the nodes, or React Flow would measure them again. */
  readonly measured: ReadonlyMap<string, { width: number; height: number }>;
  readonly readOnly: boolean;
  /** Elements to highlight: a simulated contact's path. */
  readonly highlighted: ReadonlySet<string>;
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** Builds nodes, reusing the previous node object of every element whose inputs did not change. */
export class NodeBuilder {
  #cache = new Map<string, { deps: unknown[]; node: ElementNode }>();

  build(input: NodeInput): ElementNode[] {
    const { doc, fields, stats, selected, live, measured, readOnly, highlighted } = input;
    const byId = new Map(doc.elements.map((e) => [e.id, e]));
    const next = new Map<string, { deps: unknown[]; node: ElementNode }>();
    const nodes = doc.elements.map((el) => {
      const p = input.problems.get(el.id);
      const errors = p?.errors.length ? p.errors.join('\n') : null;
      const warnings = p?.warnings.length ? p.warnings.join('\n') : null;
      // A go-to's words name its target, by label or by what the target does.
      const target = el.kind === 'goto' && el.target ? byId.get(el.target) : undefined;
      const deps = [el, fields, errors, warnings, stats?.[el.id] ?? null, selected.has(el.id), live.get(el.id), measured.get(el.id), target, readOnly, highlighted.has(el.id)];
      const hit = this.#cache.get(el.id);
      if (hit && same(hit.deps, deps)) {
        next.set(el.id, hit);
        return hit.node;
      }
      const words = elementWords(el, fields, byId);
      const title = el.label?.trim() || words;
      const node: ElementNode = {
        id: el.id,
        type: el.kind,
        position: live.get(el.id) ?? el.position ?? { x: 0, y: 0 },
        data: { el, title, words, errors, warnings, stats: stats ? (stats[el.id] ?? null) : null, readOnly, highlighted: highlighted.has(el.id) },
        selected: selected.has(el.id),
        measured: measured.get(el.id),
        ariaLabel: `${KIND_TITLES[el.kind]} ${title}: ${words}${errors ? ` — ${errors}` : ''}`,
        deletable: !readOnly,
        draggable: !readOnly,
        connectable: !readOnly,
      };
      next.set(el.id, { deps, node });
      return node;
    });
    this.#cache = next;
    return nodes;
  }
}

/** How an outlet is named; the node writes it under its handle, so edges carry no label of their own. */
const OUTLET_LABELS: Readonly<Record<string, string>> = { then: 'Yes', else: 'No', timeoutNext: 'Timeout' };

/** The id of the edge drawn for an outlet: `<source>:<path>` (an outlet has at most one edge). */
export const edgeId = (source: string, path: string) => `${source}:${path}`;
/** The outlet an edge id stands for. */
export function outletOfEdge(id: string): { source: string; path: string } {
  const at = id.lastIndexOf(':');
  return { source: id.slice(0, at), path: id.slice(at + 1) };
}

/** Builds edges from every element's outlets, reusing unchanged edge objects. */
export class EdgeBuilder {
  #cache = new Map<string, { deps: unknown[]; edge: Edge }>();

  build(doc: MapDocument, selected: ReadonlySet<string>, readOnly: boolean): Edge[] {
    const byId = new Map(doc.elements.map((e) => [e.id, e]));
    const next = new Map<string, { deps: unknown[]; edge: Edge }>();
    const edges: Edge[] = [];
    for (const el of doc.elements) {
      for (const { path, target } of refsOf(el)) {
        const to = byId.get(target);
        if (!to || target === el.id) continue;
        const id = edgeId(el.id, path);
        const deps = [target, selected.has(id), readOnly, el, to];
        const hit = this.#cache.get(id);
        let edge: Edge;
        if (hit && same(hit.deps, deps)) edge = hit.edge;
        else {
          const jump = el.kind === 'goto';
          edge = {
            id, source: el.id, sourceHandle: path, target,
            // A go-to is a jump: a dashed line into the target's side, around the elements it passes (JumpEdge).
            targetHandle: jump ? 'jump' : 'in',
            type: jump ? 'jump' : 'smoothstep',
            ...(jump ? {} : { pathOptions: { borderRadius: 14, offset: 20 } }),
            className: jump ? 'edge-jump' : `edge-${path}`,
            markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14, color: jump ? 'var(--k-goto)' : 'var(--edge)' },
            selected: selected.has(id),
            deletable: !readOnly,
            focusable: !readOnly,
            ariaLabel: `${jump ? 'Jump' : (OUTLET_LABELS[path] ?? 'Next')} from ${elementTitle(el, undefined, byId)} to ${elementTitle(to, undefined, byId)}`,
          } as Edge;
        }
        next.set(id, { deps, edge });
        edges.push(edge);
      }
    }
    this.#cache = next;
    return edges;
  }
}
