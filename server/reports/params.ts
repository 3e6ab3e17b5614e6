import { badRequest, invalid } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
/** The longest window or period a report takes: ten years. */
const MAX_SPAN = 3653 * 86_400_000;

/** A duration as the reports' query strings write it: "30d", "12h", "90m", "2w". */
export function parseWindow(text: string | undefined, fallback: string, what = 'window'): number {
  const t = (text ?? fallback).trim();
  const m = /^(\d{1,6})\s*(m|h|d|w)$/i.exec(t);
  if (!m) throw badRequest(`The ${what} "${t}" is not a duration: write a number and a unit, like 30d (days), 12h (hours), 2w (weeks) or 90m (minutes)`);
  const ms = Number(m[1]) * UNITS[m[2].toLowerCase()];
  if (ms <= 0) throw badRequest(`The ${what} must be longer than zero (like 30d)`);
  if (ms > MAX_SPAN) throw badRequest(`The ${what} "${t}" is longer than ten years`);
  return ms;
}

/** A moment of a query string (ISO-8601); `fallback` when absent. A moment after now is refused: history does not hold it yet. */
export function parseMoment(text: string | undefined, name: string, fallback: number, now: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  const t = text.trim();
  const ms = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : Number.NaN;
  if (Number.isNaN(ms)) throw badRequest(`"${name}" is not a time: write it in ISO-8601, like 2026-03-01 or 2026-03-01T09:00:00Z (got "${t}")`);
  if (ms > now) throw invalid(`"${name}" (${new Date(ms).toISOString()}) is in the future: reports read the history, which ends now (${new Date(now).toISOString()})`);
  return ms;
}

/** A period [from, to) of a query string: by default the 30 days up to now; `from` must come before `to`. */
export function parsePeriod(query: { readonly from?: string; readonly to?: string }, now: number): { from: number; to: number } {
  const to = parseMoment(query.to, 'to', now, Number.MAX_SAFE_INTEGER);
  const from = parseMoment(query.from, 'from', to - 30 * 86_400_000, now);
  if (from >= to) throw invalid(`"from" (${new Date(from).toISOString()}) must be before "to" (${new Date(to).toISOString()})`);
  return { from, to };
}

/** Ascending cut points "20,50,80". */
export function parseEdges(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const edges = parts.map(Number);
  if (!parts.length || edges.some((n) => !Number.isFinite(n))) throw badRequest(`"bands" is a list of numbers separated by commas, like 20,50,80 (got "${text}")`);
  if (edges.length > 50) throw badRequest('"bands" takes at most 50 cut points');
  for (let i = 1; i < edges.length; i++) {
    if (edges[i] <= edges[i - 1]) throw badRequest(`"bands" must go up: ${edges[i - 1]} is followed by ${edges[i]} (write them like 20,50,80)`);
  }
  return edges;
}

/** A number field, or 422 in words: no such field, or not a number. */
export function numberField(rt: Runtime, key: string | undefined, what = 'field'): string {
  if (key === undefined || key.trim() === '') throw badRequest(`Name the ${what}: a number field such as a scoring model's score (like ?${what}=score)`);
  const f = rt.world.fields.get(key) ?? rt.world.fields.all().find((x) => x.label.toLowerCase() === key.toLowerCase());
  if (!f) throw invalid(`There is no field "${key}"`);
  if (f.type !== 'number') throw invalid(`"${f.label}" is a ${f.type} field: reports of scores need a number field (like a scoring model's score)`);
  return f.key;
}

/** A scoring model by id, or 404 in words. */
export function modelById(rt: Runtime, id: string | undefined) {
  if (id === undefined || id.trim() === '') throw badRequest('Name the scoring model (?model=<its id>)');
  const m = (rt.world.models ?? []).find((x) => x.model.id === id)?.model;
  if (!m) throw invalid(`There is no scoring model "${id}"`);
  return m;
}
