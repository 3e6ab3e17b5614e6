/**
 * A merge's preview in words (SPEC §10 "Merge"): what the contact kept keeps, what it takes from
 * the duplicate, what moves and what ends — "Keeps Ana's Score of 40", "Takes Company = Acme".
 */
import { formatNumber, formatValue } from '../charts/format.js';

/** One score field around the merge, as `POST /api/contacts/:id/merge` answers it. */
export interface MergeScore {
  readonly field: string;
  readonly label: string;
  readonly before: number | null;
  readonly after: number | null;
  readonly added: number;
}

/** What a merge did or would do (`merged` of the answer). */
export interface MergeSummary {
  readonly from: string;
  readonly into: string;
  readonly anonymous: boolean;
  readonly fields: readonly { field: string; label: string; value: unknown }[];
  readonly tagsAdded: readonly string[];
  readonly eventsMoved: number;
  readonly historyMoved: number;
  readonly score: MergeScore;
  readonly scores: readonly MergeScore[];
  readonly mapsLeft: readonly { mapId: string; mapName: string; element: string; elementLabel: string | null }[];
}

/** A contact in a few words: the name, else the email, else "contact <id>". */
export function contactName(c: { id: string; fields: Readonly<Record<string, unknown>> }): string {
  const name = [c.fields.first_name, c.fields.last_name].filter((x) => typeof x === 'string' && x).join(' ');
  if (name) return name;
  return typeof c.fields.email === 'string' && c.fields.email ? c.fields.email : `contact ${c.id}`;
}

const plural = (n: number, one: string, many: string) => `${formatNumber(n, 0)} ${n === 1 ? one : many}`;
const points = (n: number | null) => formatNumber(Math.round(n ?? 0), 0);
const list = (items: readonly string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

/**
 * The preview, one sentence a line: the scores first (what people ask about), then the fields
 * taken, the tags, what moves, the maps the duplicate leaves, and that it goes.
 */
export function mergeLines(m: MergeSummary, names: { master: string; other: string }, fieldTypes?: (key: string) => string | undefined): string[] {
  const lines: string[] = [];
  for (const s of m.scores.length ? m.scores : [m.score]) {
    const kept = `${names.master}’s ${s.label} of ${points(s.before)}`;
    if (s.added !== 0) {
      lines.push(`Adds the ${plural(Math.round(s.added), 'point', 'points')} ${names.other} earned while anonymous to ${kept}: ${points(s.before)} → ${points(s.after)}.`);
    } else if ((s.before ?? 0) === (s.after ?? 0)) {
      lines.push(`Keeps ${kept}.`);
    } else {
      lines.push(`Keeps ${kept}; the fields it takes change it to ${points(s.after)}.`);
    }
  }
  if (m.fields.length) lines.push(`Takes ${list(m.fields.map((f) => `${f.label} = ${formatValue(f.value, fieldTypes?.(f.field))}`))}.`);
  else lines.push(`Takes no field values: ${names.master} has every field ${names.other} has.`);
  if (m.tagsAdded.length) lines.push(`Adds the ${m.tagsAdded.length === 1 ? 'tag' : 'tags'} ${list(m.tagsAdded)}.`);
  lines.push(`Moves ${plural(m.eventsMoved, 'event', 'events')} and ${plural(m.historyMoved, 'history entry', 'history entries')} to ${names.master}.`);
  for (const p of m.mapsLeft) lines.push(`Takes ${names.other} off the map ${p.mapName} (at ${p.elementLabel ?? p.element}).`);
  lines.push(`Deletes ${names.other}: its id (${m.from}) will answer “not found”.`);
  return lines;
}
