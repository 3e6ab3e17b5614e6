/**
 * Pure operations on a map document: each takes a document and returns a new one (documents are
 * immutable values, so an undo snapshot is just the previous reference).
 */
import { kindOf, type Element, type ElementKindName } from '../../../engine/elements/index.js';
import type { MapDocument } from '../../../engine/schema/map.js';
import { newElementId } from './ids.js';

export type Position = { readonly x: number; readonly y: number };

/** The properties that hold a connection, per kind (a wait's `timeoutNext` only with a timeout). */
export const OUTLET_PATHS: { readonly [K in ElementKindName]: readonly string[] } = {
  trigger: ['next'], update_field: ['next'], wait: ['next', 'timeoutNext'], condition: ['then', 'else'], goto: ['target'], end: [], webhook: ['next'], assign_owner: ['next'],
};

/** Every reference an element holds: outlet path → target id (empty outlets left out). */
export function refsOf(el: Element): { path: string; target: string }[] {
  const out: { path: string; target: string }[] = [];
  for (const path of OUTLET_PATHS[el.kind]) {
    const target = (el as Record<string, unknown>)[path];
    if (typeof target === 'string' && target) out.push({ path, target });
  }
  return out;
}

/** Returns the element with `patch` applied; a key set to undefined is removed. */
export function patched<E extends Element>(el: E, patch: Partial<Element>): E {
  const next: Record<string, unknown> = { ...el };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'id' || k === 'kind') continue; // identity is not edited by patching
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  return next as E;
}

function mapElements(doc: MapDocument, fn: (el: Element) => Element): MapDocument {
  let changed = false;
  const elements = doc.elements.map((el) => {
    const n = fn(el);
    if (n !== el) changed = true;
    return n;
  });
  return changed ? { ...doc, elements } : doc;
}

/** Applies a patch to one element. */
export function updateElement(doc: MapDocument, id: string, patch: Partial<Element>): MapDocument {
  return mapElements(doc, (el) => (el.id === id ? patched(el, patch) : el));
}

/** A new element of `kind` with settings that pass the format check; what is left to say, validation asks for. */
export function newElement(kind: ElementKindName, id: string, position: Position, doc: MapDocument): Element {
  const pos = { x: Math.round(position.x), y: Math.round(position.y) };
  switch (kind) {
    case 'trigger': return { id, kind, on: { type: 'manual' }, position: pos };
    case 'update_field': {
      // The map's own number field is what a scoring map updates most; the built-in score otherwise.
      const field = doc.fields?.find((f) => f.type === 'number')?.key ?? 'score';
      return { id, kind, field, position: pos };
    }
    case 'wait': return { id, kind, for: { days: 1 }, position: pos };
    case 'condition': return { id, kind, position: pos };
    case 'goto': return { id, kind, position: pos };
    case 'end': return { id, kind, position: pos };
    // Where to send it and what to say are for the inspector to ask: validation names both.
    case 'webhook': return { id, kind, position: pos };
    // Who takes turns is for the inspector to ask: validation asks for at least one email.
    case 'assign_owner': return { id, kind, owners: [], position: pos };
  }
}

/** Adds an element at the end of the document. */
export function addElement(doc: MapDocument, el: Element): MapDocument {
  return { ...doc, elements: [...doc.elements, el] };
}

/** Sets (or, with undefined, clears) the outlet `path` of `sourceId`. */
export function setOutlet(doc: MapDocument, sourceId: string, path: string, targetId: string | undefined): MapDocument {
  return mapElements(doc, (el) => {
    if (el.id !== sourceId || !OUTLET_PATHS[el.kind].includes(path)) return el;
    if ((el as Record<string, unknown>)[path] === targetId) return el;
    return patched(el, { [path]: targetId } as Partial<Element>);
  });
}

/** Removes elements and clears every outlet that led to them. */
export function removeElements(doc: MapDocument, ids: Iterable<string>): MapDocument {
  const gone = new Set(ids);
  if (!doc.elements.some((el) => gone.has(el.id))) return doc;
  const kept = { ...doc, elements: doc.elements.filter((el) => !gone.has(el.id)) };
  return mapElements(kept, (el) => {
    const cut = refsOf(el).filter((r) => gone.has(r.target));
    return cut.length ? patched(el, Object.fromEntries(cut.map((r) => [r.path, undefined])) as Partial<Element>) : el;
  });
}

/** Moves elements to new positions (rounded to whole pixels, which is all a layout needs). */
export function moveElements(doc: MapDocument, positions: ReadonlyMap<string, Position>): MapDocument {
  return mapElements(doc, (el) => {
    const p = positions.get(el.id);
    if (!p) return el;
    const pos = { x: Math.round(p.x), y: Math.round(p.y) };
    return el.position?.x === pos.x && el.position?.y === pos.y ? el : { ...el, position: pos };
  });
}

/**
 * Pastes copies of `clip` with new unique ids: references inside the pasted set follow the copies;
 * a go-to whose target is outside the set keeps jumping there while that element exists (a copied
 * "Back to the wait" still loops); other references outside it are dropped (the copy is not wired
 * into the old flow). Copies are shifted by `offset`. Returns the new document and the new ids, in clip order.
 */
export function pasteElements(doc: MapDocument, clip: readonly Element[], taken: Set<string>, offset: Position): { doc: MapDocument; ids: string[] } {
  const rename = new Map<string, string>();
  for (const el of clip) {
    const id = newElementId(el.kind, taken);
    taken.add(id);
    rename.set(el.id, id);
  }
  const present = new Set(doc.elements.map((e) => e.id));
  const copies = clip.map((el) => {
    const follow = (r: { path: string; target: string }) =>
      rename.get(r.target) ?? (el.kind === 'goto' && present.has(r.target) ? r.target : undefined);
    const refs = Object.fromEntries(refsOf(el).map((r) => [r.path, follow(r)]));
    const p = el.position ?? { x: 0, y: 0 };
    return { ...patched(el, refs as Partial<Element>), id: rename.get(el.id)!, position: { x: p.x + offset.x, y: p.y + offset.y } } as Element;
  });
  return { doc: { ...doc, elements: [...doc.elements, ...copies] }, ids: copies.map((c) => c.id) };
}

/**
 * Puts `el` into the flow on `from`'s outlet `path`: `from` leads to `el`, and `el`'s first outlet
 * leads where `from` led (when that connection is allowed: nothing leads into a trigger). An End
 * has no outlet, so what followed is left unconnected for the person to rewire.
 */
export function insertIntoFlow(doc: MapDocument, fromId: string, path: string, el: Element): MapDocument {
  const from = doc.elements.find((e) => e.id === fromId);
  if (!from || !OUTLET_PATHS[from.kind].includes(path)) return addElement(doc, el);
  const after = (from as Record<string, unknown>)[path];
  const first = OUTLET_PATHS[el.kind][0];
  const follows = typeof after === 'string' ? doc.elements.find((e) => e.id === after) : undefined;
  const wired = first && follows && follows.kind !== 'trigger' && follows.id !== el.id ? patched(el, { [first]: follows.id } as Partial<Element>) : el;
  return setOutlet(addElement(doc, wired), fromId, path, el.id);
}

/**
 * Moves down by `dy` every element whose top is at or below `y` (except `keep`): room for an element
 * put into the flow, so what followed is pushed down instead of being covered.
 */
export function makeRoom(doc: MapDocument, y: number, dy: number, keep: ReadonlySet<string> = new Set()): MapDocument {
  const moved = new Map<string, Position>();
  for (const el of doc.elements) {
    if (!el.position || keep.has(el.id) || el.position.y < y) continue;
    moved.set(el.id, { x: el.position.x, y: el.position.y + dy });
  }
  return moved.size ? moveElements(doc, moved) : doc;
}

/** The outlets an element has now, as the engine sees them (for drawing and for "empty outlet" hints). */
export function outletsOf(el: Element) {
  return kindOf(el).outlets(el);
}
