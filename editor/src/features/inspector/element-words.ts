import { kindOf, type Element } from '../../../../engine/elements/index.js';
import { KIND_TITLES } from '../canvas/icons.js';
import type { FieldRegistry } from '../../../../engine/schema/field.js';

/**
 * What the element does in one line, as the canvas says it; never throws on a half-drawn element.
 * A go-to names its target by title, not by id.
 */
export function describeElement(el: Element, fields: FieldRegistry, elements: readonly Element[] = []): string {
  if (el.kind === 'goto' && el.target) {
    const target = elements.find((e) => e.id === el.target);
    if (target && target.kind !== 'goto') return `Go to ${elementTitle(target, fields)}`;
  }
  try {
    return kindOf(el).describe(el, fields);
  } catch {
    return KIND_TITLES[el.kind];
  }
}

/** How a picker names an element: its label, else what it does ("Wait 1 day"). */
export function elementTitle(el: Element, fields: FieldRegistry): string {
  return el.label?.trim() || describeElement(el, fields);
}

/** Titles for a list of elements, with the id added where two would read the same. */
export function elementTitles(els: readonly Element[], fields: FieldRegistry): Map<string, string> {
  const titles = els.map((el) => [el.id, elementTitle(el, fields)] as const);
  const count = new Map<string, number>();
  for (const [, t] of titles) count.set(t, (count.get(t) ?? 0) + 1);
  return new Map(titles.map(([id, t]) => [id, (count.get(t) ?? 0) > 1 ? `${t} (${id})` : t]));
}
