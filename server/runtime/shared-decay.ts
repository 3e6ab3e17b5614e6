import type { Problem } from '../../engine/elements/types.js';
import type { World } from '../../engine/cascade.js';
import { describeDuration } from '../../engine/schema/duration.js';
import type { FieldRegistry } from '../../engine/schema/field.js';
import type { MapDocument } from '../../engine/schema/map.js';
import type { Degradation } from '../../engine/scoring/model.js';
import { decayedFields } from '../../engine/validate-pitfalls.js';
import { elementName } from '../../engine/validate.js';

const percent = (n: number) => `${Number(n.toFixed(3))} %`;

/** "3 % a day", "5 % every 30 days of inactivity". */
function degradationWords(d: Degradation): string {
  if ('percentPerDay' in d) return `${percent(d.percentPerDay)} a day`;
  const every = `${percent(d.percent)} every ${describeDuration(d.every)}`;
  return d.whenInactiveFor ? `${every} after ${describeDuration(d.whenInactiveFor)} without activity` : every;
}

const listed = (parts: readonly string[]) => (parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);

/**
 * Warns when a map decays a field that another published map, or a scoring model's degradation,
 * decays too: a contact on both loses points twice over, and neither page says so. The warning
 * sits on each element of `doc` that decays the field and names the others. `mapId`: the map's
 * own running version is left out.
 */
export function sharedDecayWarnings(world: Pick<World, 'maps' | 'models'>, doc: MapDocument, fields: FieldRegistry, mapId?: string): Problem[] {
  const mine = decayedFields(doc, fields);
  if (!mine.size) return [];
  const problems: Problem[] = [];
  for (const [key, elements] of mine) {
    const others: string[] = [];
    for (const m of world.maps) {
      if (m.id === mapId) continue;
      const theirs = decayedFields(m.doc, m.fields).get(key);
      if (theirs) others.push(`the map '${m.doc.name}'${m.paused ? ' (paused)' : ''} (${theirs.map((el) => `'${elementName(el)}'`).join(', ')})`);
    }
    for (const m of world.models ?? []) {
      const d = m.model.degradation;
      if (m.model.field === key && d) others.push(`the scoring model '${m.model.name}' (${degradationWords(d)})`);
    }
    if (!others.length) continue;
    const label = fields.resolve(key)?.label ?? key;
    for (const el of elements) {
      problems.push({
        element: el.id, path: 'value', severity: 'warning',
        message: `Element '${elementName(el)}': ${listed(others)} also ${others.length > 1 ? 'decay' : 'decays'} ${label}, so a contact on both loses points twice over. Keep one decay: remove this one, or stop the other.`,
      });
    }
  }
  return problems;
}
