import { sameJson } from '../../engine/map-diff.js';
import type { AuditEntry } from './log.js';
import { names } from './words.js';

/** `added "a"; removed "b"; changed "c"`: what became of named things, or null when nothing did. */
export function listChange<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>, shown: (key: string, v: T) => string = (k) => k): string | null {
  const added = [...after].filter(([k]) => !before.has(k)).map(([k, v]) => shown(k, v));
  const removed = [...before].filter(([k]) => !after.has(k)).map(([k, v]) => shown(k, v));
  const changed = [...after].filter(([k, v]) => before.has(k) && !sameJson(before.get(k), v)).map(([k, v]) => shown(k, v));
  const parts = [
    ...(added.length ? [`added ${names(added)}`] : []),
    ...(changed.length ? [`changed ${names(changed)}`] : []),
    ...(removed.length ? [`removed ${names(removed)}`] : []),
  ];
  return parts.length ? parts.join('; ') : null;
}

const set = (list: readonly string[]) => new Map(list.map((t) => [t, true]));

/** The `setting.change` entry of the event types that are not activity; null when unchanged. */
export function activityEntry(before: readonly string[], after: readonly string[]): AuditEntry | null {
  const said = listChange(set(before), set(after));
  return said === null ? null : {
    action: 'setting.change', targetType: 'setting', targetId: 'activity',
    summary: `Changed the event types that do not count as activity: ${said}`, detail: { before, after },
  };
}

/** The `setting.change` entry of the outcomes (by label); null when unchanged. */
export function outcomesEntry(before: readonly { id: string; label: string }[], after: readonly { id: string; label: string }[]): AuditEntry | null {
  const byId = (list: readonly { id: string; label: string }[]) => new Map(list.map((o) => [o.id, o]));
  const said = listChange(byId(before), byId(after), (_, o) => o.label);
  return said === null ? null : {
    action: 'setting.change', targetType: 'setting', targetId: 'outcomes',
    summary: `Changed the outcomes: ${said}`, detail: { before, after },
  };
}

/** The `setting.change` entry of the intake's table of names; null when unchanged. */
export function intakeMappingEntry(
  before: { events?: Record<string, string>; traits?: Record<string, string> }, after: { events?: Record<string, string>; traits?: Record<string, string> },
): AuditEntry | null {
  const table = (t: Record<string, string> | undefined) => new Map(Object.entries(t ?? {}));
  const events = listChange(table(before.events), table(after.events));
  const traits = listChange(table(before.traits), table(after.traits));
  if (!events && !traits) return null;
  return {
    action: 'setting.change', targetType: 'setting', targetId: 'intake-mapping',
    summary: `Changed the intake's names: ${[events && `events: ${events}`, traits && `traits: ${traits}`].filter(Boolean).join('; ')}`,
    detail: { before, after },
  };
}
