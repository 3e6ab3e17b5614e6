import { diffMaps, isSameMap } from '../../engine/map-diff.js';
import { parseMapDocument } from '../../engine/parse.js';
import type { MapDocument } from '../../engine/schema/map.js';
import { elementName } from '../../engine/validate.js';
import { auditHook, recordCoalesced, type AuditActor, type AuditEntry, type AuditHook } from './log.js';
import type { MapRecord } from '../store/store.js';
import { count, names, q } from './words.js';

/** An element as a save's detail names it. */
interface Named { readonly id: string; readonly name: string }

/** What a run of draft saves changed, kept in the entry's detail so the next save can add to it. */
export interface DraftSaves {
  readonly saves: number;
  readonly firstAt: string;
  readonly rev: number;
  readonly fromName: string;
  readonly name: string;
  readonly added: Named[];
  readonly removed: Named[];
  readonly changed: Named[];
  /** Elements only moved on the canvas. */
  readonly moved: number;
  /** The map's description or its declared fields changed. */
  readonly settings: boolean;
}

const read = (doc: unknown): MapDocument | null => {
  const parsed = parseMapDocument(doc);
  return parsed.ok ? parsed.doc : null;
};
const named = (el: { id: string; label?: string }): Named => ({ id: el.id, name: elementName(el) });
const without = (list: readonly Named[], ids: ReadonlySet<string>) => list.filter((e) => !ids.has(e.id));
const union = (a: readonly Named[], b: readonly Named[]) => [...a.filter((x) => !b.some((y) => y.id === x.id)), ...b];
/** A detail stays small however long someone keeps editing. */
const cap = (list: Named[]) => list.slice(-200);

/**
 * One save: what the draft after it changes against the draft before it, as the publish dialog
 * reads a draft (`diffMaps`). Null when the save changed nothing.
 */
export function draftChange(before: unknown, after: unknown, rev: number, at: number): DraftSaves | null {
  const b = read(after)!;
  const a = read(before) ?? { ...b, elements: [], fields: [] };
  const d = diffMaps(a, b);
  if (isSameMap(d)) return null;
  return {
    saves: 1, firstAt: new Date(at).toISOString(), rev, fromName: a.name, name: b.name,
    added: d.added.map(named), removed: d.removed.map(named), changed: d.changed.map((c) => named(c.after)), moved: d.moved.length,
    settings: d.description || d.fields.added.length + d.fields.removed.length + d.fields.changed.length > 0,
  };
}

/** Two runs of saves as one: an element added then removed was never there. */
export function mergeDraftChanges(earlier: DraftSaves, later: DraftSaves): DraftSaves {
  const gone = new Set(later.removed.map((e) => e.id));
  const wasNew = new Set(earlier.added.map((e) => e.id));
  const added = union(without(earlier.added, gone), later.added.filter((e) => !wasNew.has(e.id)));
  const removed = union(earlier.removed, later.removed.filter((e) => !wasNew.has(e.id)));
  const isNew = new Set(added.map((e) => e.id));
  // A change to an element added in this run is part of adding it; its latest name is the one to say.
  const renamed = new Map(later.changed.map((e) => [e.id, e]));
  const addedNow = added.map((e) => renamed.get(e.id) ?? e);
  const changed = without(union(earlier.changed, later.changed), new Set([...isNew, ...gone]));
  return {
    saves: earlier.saves + later.saves, firstAt: earlier.firstAt, rev: later.rev, fromName: earlier.fromName, name: later.name,
    added: cap(addedNow), removed: cap(removed), changed: cap(changed), moved: earlier.moved + later.moved, settings: earlier.settings || later.settings,
  };
}

/** The `map.save` entry of a run of saves. */
export function draftEntry(mapId: string, d: DraftSaves): AuditEntry & { detail: DraftSaves } {
  const parts: string[] = [];
  if (d.fromName !== d.name) parts.push(`renamed from ${q(d.fromName)}`);
  if (d.added.length) parts.push(`added ${names(d.added.map((e) => e.name))}`);
  if (d.changed.length) parts.push(`changed ${names(d.changed.map((e) => e.name))}`);
  if (d.removed.length) parts.push(`removed ${names(d.removed.map((e) => e.name))}`);
  if (d.settings) parts.push('changed its settings');
  if (!parts.length && d.moved) parts.push(`moved ${count(d.moved, 'element')}`);
  const saves = d.saves > 1 ? ` (${count(d.saves, 'save')})` : '';
  return {
    action: 'map.save', targetType: 'map', targetId: mapId,
    summary: `Saved the draft of ${q(d.name)}${saves}${parts.length ? `: ${parts.join('; ')}` : ''}`,
    detail: d,
  };
}

/** The `map.publish` entry: the version, and where the contacts of removed elements went. */
export function publishEntry(mapId: string, name: string, r: { version: number; relocated: number; removed: Record<string, number> }, relocate: Readonly<Record<string, string>>): AuditEntry {
  const onRemoved = Object.values(r.removed).reduce((n, x) => n + x, 0);
  const left = onRemoved - r.relocated;
  const parts = [
    ...(r.relocated ? [`relocating ${count(r.relocated, 'contact')}`] : []),
    ...(left > 0 ? [`${count(left, 'contact')} left the map (their elements are gone)`] : []),
  ];
  return {
    action: 'map.publish', targetType: 'map', targetId: mapId,
    summary: `Published ${q(name)} as version ${r.version}${parts.length ? `, ${parts.join('; ')}` : ''}`,
    detail: { version: r.version, relocated: r.relocated, removed: r.removed, relocate },
  };
}

/** The audit hook of a map made from a document: `map.create` (from a template when named) or `map.import`. */
export function mapMade(by: AuditActor, how: { action: 'map.create' | 'map.import'; template?: string }) {
  return auditHook<MapRecord>(by, (m) => ({
    action: how.action, targetType: 'map', targetId: m.id,
    summary: `${how.action === 'map.import' ? 'Imported' : 'Created'} the map ${q(m.name)}${how.template ? ` from the template ${q(how.template)}` : ''}`,
    ...(how.template ? { detail: { template: how.template } } : {}),
  }));
}

/** The audit hook of a draft save: one `map.save` entry per run of saves by one person (see `recordCoalesced`). */
export function draftSaved(by: AuditActor): AuditHook<{ before: MapRecord; after: MapRecord }> {
  return {
    by,
    write: async (db, { before, after }, at) => {
      const change = draftChange(before.doc, after.doc, after.rev, at);
      if (change) await recordCoalesced(db, by, draftEntry(after.id, change), at, (earlier) => draftEntry(after.id, mergeDraftChanges(earlier, change)));
    },
  };
}
