/**
 * What a draft changes against the running version: the "Unpublished changes" mark (editor toolbar,
 * maps list, versions) and the publish dialog's summary both read it, so they never disagree.
 */
import { kindOf, type Element } from './elements/index.js';
import type { FieldDefinition } from './schema/field.js';
import type { MapDocument } from './schema/map.js';

/** What differs in an element that is in both documents, in the order a reader meets it. */
export type ElementAspect = 'kind' | 'label' | 'settings' | 'connections' | 'note';

/** An element in both documents that is not the same. */
export interface ElementChange {
  readonly before: Element;
  readonly after: Element;
  readonly what: readonly ElementAspect[];
}

/** The differences between two documents of one map. */
export interface MapDiff {
  readonly name: boolean;
  readonly description: boolean;
  /** Keys of declared fields added, removed or changed (label, type, decimals, default). */
  readonly fields: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] };
  /** Elements only in the newer document. */
  readonly added: readonly Element[];
  /** Elements only in the older document. */
  readonly removed: readonly Element[];
  readonly changed: readonly ElementChange[];
  /** Ids of elements whose only difference is where they are drawn. */
  readonly moved: readonly string[];
}

/**
 * Whether two JSON values are the same: object key order does not count, and a key holding
 * `undefined` counts as absent (an editor's patch may leave one; JSON drops it).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((v, i) => sameJson(v, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ak = keys(ao);
  return ak.length === keys(bo).length && ak.every((k) => k in bo && sameJson(ao[k], bo[k]));
}

const BASE_KEYS = new Set(['id', 'kind', 'label', 'note', 'position']);

/** The properties of an element that are its settings: not its identity, words, layout or outlets. */
function settingsOf(el: Element, outlets: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(el).filter(([k]) => !BASE_KEYS.has(k) && !outlets.has(k)));
}

const outletPaths = (el: Element) => kindOf(el).outlets(el).map((o) => o.path);

/** What differs between two versions of one element (empty when only its position does). */
function elementAspects(before: Element, after: Element): ElementAspect[] {
  if (before.kind !== after.kind) return ['kind'];
  const what: ElementAspect[] = [];
  if ((before.label ?? '') !== (after.label ?? '')) what.push('label');
  // Outlet paths can depend on settings (a wait's timeout): read both sides' so neither is missed.
  const outlets = new Set([...outletPaths(before), ...outletPaths(after)]);
  if (!sameJson(settingsOf(before, outlets), settingsOf(after, outlets))) what.push('settings');
  const rec = (e: Element) => e as unknown as Record<string, unknown>;
  if ([...outlets].some((p) => (rec(before)[p] ?? null) !== (rec(after)[p] ?? null))) what.push('connections');
  if ((before.note ?? '') !== (after.note ?? '')) what.push('note');
  return what;
}

/**
 * Whether an element was moved on the canvas. Only when both documents place it: a map without
 * positions is laid out by the editor, and that layout is not a change the user made.
 */
function movedOnCanvas(before: Element, after: Element): boolean {
  const a = before.position;
  const b = after.position;
  return !!a && !!b && (Math.round(a.x) !== Math.round(b.x) || Math.round(a.y) !== Math.round(b.y));
}

function diffFields(before: readonly FieldDefinition[], after: readonly FieldDefinition[]): MapDiff['fields'] {
  const old = new Map(before.map((f) => [f.key, f]));
  const now = new Map(after.map((f) => [f.key, f]));
  return {
    added: after.filter((f) => !old.has(f.key)).map((f) => f.key),
    removed: before.filter((f) => !now.has(f.key)).map((f) => f.key),
    changed: after.filter((f) => old.has(f.key) && !sameJson(old.get(f.key), f)).map((f) => f.key),
  };
}

/**
 * What `after` (the draft) changes against `before` (the running version). Elements are matched by
 * id; the order of elements and of declared fields does not count.
 */
export function diffMaps(before: MapDocument, after: MapDocument): MapDiff {
  const old = new Map(before.elements.map((e) => [e.id, e]));
  const now = new Set(after.elements.map((e) => e.id));
  const changed: ElementChange[] = [];
  const moved: string[] = [];
  for (const el of after.elements) {
    const was = old.get(el.id);
    if (!was) continue;
    const what = elementAspects(was, el);
    if (what.length) changed.push({ before: was, after: el, what });
    else if (movedOnCanvas(was, el)) moved.push(el.id);
  }
  return {
    name: before.name !== after.name,
    description: (before.description ?? '') !== (after.description ?? ''),
    fields: diffFields(before.fields ?? [], after.fields ?? []),
    added: after.elements.filter((e) => !old.has(e.id)),
    removed: before.elements.filter((e) => !now.has(e.id)),
    changed,
    moved,
  };
}

/** Whether the diff finds nothing: publishing would make a version the same as the running one. */
export function isSameMap(d: MapDiff): boolean {
  return !d.name && !d.description && !d.fields.added.length && !d.fields.removed.length && !d.fields.changed.length
    && !d.added.length && !d.removed.length && !d.changed.length && !d.moved.length;
}

/** Whether the diff changes only where elements are drawn (contacts are not affected). */
export function isLayoutOnly(d: MapDiff): boolean {
  return d.moved.length > 0 && isSameMap({ ...d, moved: [] });
}
