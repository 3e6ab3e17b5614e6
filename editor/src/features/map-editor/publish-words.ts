/**
 * The publish dialog's words and defaults: elements named so two alike are told apart, what the
 * draft changes against the running version, and where contacts on a removed element go unless the
 * user says otherwise.
 */
import { kindOf, type Element } from '../../../../engine/elements/index.js';
import type { ElementAspect, MapDiff } from '../../../../engine/map-diff.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';
import type { MapDocument } from '../../../../engine/schema/map.js';
import { elementWords } from '../canvas/flow-model.js';

const WORDS_MAX = 70;
const clip = (s: string) => (s.length > WORDS_MAX ? `${s.slice(0, WORDS_MAX - 1)}…` : s);

/** What an element does, in one line ("Wait 1 day"), from the document it belongs to. */
export function doesWords(el: Element, fields: FieldRegistry, doc: MapDocument): string {
  return clip(elementWords(el, fields, new Map(doc.elements.map((e) => [e.id, e]))));
}

/** An element by name: "Decay (decay)" when labelled, else its id and what it does: "wait-2 (Wait 2 days)". */
export function elementName(el: Element, fields: FieldRegistry, doc: MapDocument): string {
  const label = el.label?.trim();
  return label ? `${label} (${el.id})` : `${el.id} (${doesWords(el, fields, doc)})`;
}

/** A place contacts can be moved to: its name and, for a labelled one, what it does. */
export function targetName(el: Element, fields: FieldRegistry, doc: MapDocument): string {
  const label = el.label?.trim();
  const words = doesWords(el, fields, doc);
  return label && label !== words ? `${label} (${el.id}) — ${words}` : elementName(el, fields, doc);
}

/**
 * Where contacts on a removed element go by default: the first element after it in the running
 * version (following its connections, nearest first) that the draft keeps and that is not a
 * trigger. Null when none is left: the user then has to choose.
 */
export function nearestSurvivor(removedId: string, running: MapDocument, draft: MapDocument): string | null {
  const old = new Map(running.elements.map((e) => [e.id, e]));
  const kept = new Map(draft.elements.filter((e) => e.kind !== 'trigger').map((e) => [e.id, e]));
  const seen = new Set([removedId]);
  let wave = [removedId];
  while (wave.length) {
    const next: string[] = [];
    for (const id of wave) {
      const el = old.get(id);
      if (!el) continue;
      for (const o of kindOf(el).outlets(el)) {
        if (!o.target || seen.has(o.target)) continue;
        seen.add(o.target);
        if (kept.has(o.target)) return o.target;
        next.push(o.target);
      }
    }
    wave = next;
  }
  return null;
}

/** One line of the publish dialog's summary: a heading and the things it names. */
export interface DiffLine {
  readonly title: string;
  readonly items: readonly string[];
}

const ASPECT_WORDS: Readonly<Record<ElementAspect, string>> = {
  kind: 'its kind', label: 'label', settings: 'settings', connections: 'connections', note: 'note',
};
const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What the draft changes against the running version, as the publish dialog says it. */
export function diffLines(diff: MapDiff, fields: FieldRegistry, running: MapDocument, draft: MapDocument): DiffLine[] {
  const lines: DiffLine[] = [];
  if (diff.name) lines.push({ title: 'Name', items: [`“${running.name}” → “${draft.name}”`] });
  if (diff.description) lines.push({ title: 'Description changed', items: [] });
  const f = diff.fields;
  if (f.added.length || f.removed.length || f.changed.length) {
    lines.push({
      title: 'Declared fields',
      items: [
        ...f.added.map((k) => `${k} added`), ...f.removed.map((k) => `${k} removed`), ...f.changed.map((k) => `${k} changed`),
      ],
    });
  }
  if (diff.added.length) lines.push({ title: `Added ${count(diff.added.length, 'element')}`, items: diff.added.map((e) => elementName(e, fields, draft)) });
  if (diff.removed.length) lines.push({ title: `Removed ${count(diff.removed.length, 'element')}`, items: diff.removed.map((e) => elementName(e, fields, running)) });
  if (diff.changed.length) {
    lines.push({
      title: `Changed ${count(diff.changed.length, 'element')}`,
      items: diff.changed.map((c) => `${elementName(c.after, fields, draft)}: ${c.what.map((w) => ASPECT_WORDS[w]).join(', ')}`),
    });
  }
  if (diff.moved.length) {
    lines.push({ title: `Moved ${count(diff.moved.length, 'element')} on the canvas (layout only: contacts are not affected)`, items: [] });
  }
  return lines;
}
