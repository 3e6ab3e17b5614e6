import { sameJson } from '../../engine/map-diff.js';
import type { ScoringModel, ScoringRule } from '../../engine/scoring/model.js';
import type { ModelSaved } from '../runtime/scoring.js';
import type { AuditEntry } from './log.js';
import { change, names, q } from './words.js';

/** How a model came to be saved: the route that saved it. */
export type ModelHow = { kind: 'create' | 'import' | 'recommended' | 'save' } | { kind: 'restore'; from: number };

const also = (parts: string[]) => (parts.length ? `; also ${parts.join('; ')}` : '');

type Doc = Partial<ScoringModel> & Record<string, unknown>;

/** What changed in a rule, in words: `points 10 → 15`, `its condition`. */
function ruleChange(a: ScoringRule, b: ScoringRule): string {
  const parts: string[] = [];
  if (a.label !== b.label) parts.push(change('label', a.label, b.label));
  if (a.points !== b.points) parts.push(change('points', a.points, b.points));
  if (a.set !== b.set) parts.push(change('sets the score to', a.set, b.set));
  if (!sameJson(a.when, b.when)) parts.push('when it applies');
  const rest = (r: ScoringRule) => ({ ...r, id: undefined, label: undefined, points: undefined, set: undefined, when: undefined });
  if (!sameJson(rest(a), rest(b))) parts.push('its limits');
  return `"${b.label}" (${parts.join(', ')})`;
}

/** What a save changed in a model, one phrase each: `added the rule "Webinar"`, `degradation …`. */
export function modelChanges(before: Doc, after: Doc): string[] {
  const parts: string[] = [];
  if (before.name !== after.name) parts.push(`renamed from ${q(String(before.name))}`);
  if (before.field !== after.field) parts.push(change('field', before.field, after.field));
  const old = new Map((before.rules ?? []).map((r) => [r.id, r]));
  const now = new Set((after.rules ?? []).map((r) => r.id));
  const added = (after.rules ?? []).filter((r) => !old.has(r.id));
  const removed = (before.rules ?? []).filter((r) => !now.has(r.id));
  const changed = (after.rules ?? []).filter((r) => old.has(r.id) && !sameJson(old.get(r.id), r));
  if (added.length) parts.push(`added the ${added.length === 1 ? 'rule' : 'rules'} ${names(added.map((r) => r.label))}`);
  if (changed.length === 1) parts.push(`changed the rule ${ruleChange(old.get(changed[0].id)!, changed[0])}`);
  else if (changed.length) parts.push(`changed the rules ${names(changed.map((r) => r.label))}`);
  if (removed.length) parts.push(`removed the ${removed.length === 1 ? 'rule' : 'rules'} ${names(removed.map((r) => r.label))}`);
  if (before.min !== after.min || before.max !== after.max) parts.push(`bounds ${before.min}–${before.max} → ${after.min}–${after.max}`);
  if (!sameJson(before.degradation, after.degradation)) parts.push(`${after.degradation ? 'changed' : 'removed'} the degradation`);
  if (!sameJson(before.brackets, after.brackets)) parts.push(`${after.brackets?.length ? 'changed' : 'removed'} the brackets`);
  if ((before.timezone ?? 'UTC') !== (after.timezone ?? 'UTC')) parts.push(change('time zone', before.timezone ?? 'UTC', after.timezone ?? 'UTC'));
  if ((before.description ?? '') !== (after.description ?? '')) parts.push('changed the description');
  if (!sameJson(before.fields ?? [], after.fields ?? [])) parts.push('changed the fields it declares');
  return parts;
}

/**
 * The entry of a model's save: `model.create` / `model.import`, `model.restore`, `model.save`, and
 * for a save that flips the challenger switch `model.promote` (a challenger became a champion) or
 * `model.challenger`. Null when the save changed nothing (it made no version).
 */
export function modelSavedEntry(how: ModelHow, s: ModelSaved): AuditEntry | null {
  const m = s.model;
  const target = { targetType: 'model', targetId: m.id };
  const detail = { version: s.version, ...(how.kind === 'restore' ? { restoredFrom: how.from } : {}) };
  if (s.before === null) {
    const action = how.kind === 'import' ? 'model.import' : 'model.create';
    const what = how.kind === 'recommended' ? 'the recommended scoring model' : m.shadow ? 'the challenger' : 'the scoring model';
    return { action, ...target, summary: `${how.kind === 'import' ? 'Imported' : 'Created'} ${what} ${q(m.name)}`, detail };
  }
  if (!s.changed) return null;
  const before = s.before as Doc;
  const parts = modelChanges(before, m as Doc);
  const tail = parts.length ? `: ${parts.join('; ')}` : '';
  if (how.kind === 'restore') {
    return { action: 'model.restore', ...target, summary: `Restored version ${how.from} of ${q(m.name)} as version ${s.version}${tail}`, detail };
  }
  if ((before.shadow ?? false) !== (m.shadow ?? false)) {
    return m.shadow
      ? { action: 'model.challenger', ...target, summary: `Made ${q(m.name)} a challenger as version ${s.version} (scored in shadow, triggering nothing)${also(parts)}`, detail }
      : { action: 'model.promote', ...target, summary: `Promoted the challenger ${q(m.name)} as version ${s.version}: its scores now trigger maps and webhooks${also(parts)}`, detail };
  }
  return { action: 'model.save', ...target, summary: `Saved the scoring model ${q(m.name)} as version ${s.version}${tail}`, detail };
}
