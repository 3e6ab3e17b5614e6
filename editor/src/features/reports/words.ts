/** The Reports page in words: rates, lifts, outcomes, cut points and dates as a person reads them. */
import { formatNumber } from '../charts/format.js';
import type { Outcome, OutcomeOp } from './api.js';

/** A share as a percentage: 0.125 → "12.5 %". */
export function formatRate(rate: number): string {
  return `${formatNumber(rate * 100, rate * 100 < 10 ? 1 : 0)} %`;
}

/** A lift over the average: 2.04 → "×2.0"; none (nobody converted) → "—". */
export function formatLift(lift: number | null): string {
  return lift === null ? '—' : `×${lift.toFixed(1)}`;
}

/** The ops an outcome's field test takes, in words. */
export const OUTCOME_OPS: readonly { readonly op: OutcomeOp; readonly words: string }[] = [
  { op: 'eq', words: 'is' },
  { op: 'ne', words: 'is not' },
  { op: 'in', words: 'is one of' },
  { op: 'gt', words: 'is more than' },
  { op: 'gte', words: 'is at least' },
  { op: 'lt', words: 'is less than' },
  { op: 'lte', words: 'is at most' },
];

/** An outcome in one line: "the event purchase", "Lifecycle stage is customer". */
export function outcomeWords(o: Outcome, labelOf: (field: string) => string = (f) => f): string {
  if (o.event) return `the event ${o.event}`;
  if (o.field) {
    const op = OUTCOME_OPS.find((x) => x.op === o.field!.op)?.words ?? o.field.op;
    const v = Array.isArray(o.field.value) ? o.field.value.join(', ') : String(o.field.value);
    return `${labelOf(o.field.field)} ${op} ${v}`;
  }
  return 'nothing yet';
}

/** A slug for a new outcome's id from its label, not one of `taken`: "Deal won" → "deal-won", "deal-won-2". */
export function slugFor(label: string, taken: ReadonlySet<string>): string {
  const base = label.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'outcome';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * The value of a field test as typed: a number for an order op or a number field, a list for
 * "is one of", else the text (true/false for a yes/no field).
 */
export function readTestValue(text: string, op: OutcomeOp, type: string | undefined): unknown {
  const one = (t: string): unknown => {
    const s = t.trim();
    if (type === 'number' || ((op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') && type !== 'date')) {
      const n = Number(s);
      return s !== '' && Number.isFinite(n) ? n : s;
    }
    if (type === 'boolean') return s === 'true' || s === 'yes' ? true : s === 'false' || s === 'no' ? false : s;
    return s;
  };
  return op === 'in' ? text.split(',').map(one).filter((v) => v !== '') : one(text);
}

/** What is wrong with an outcome before it is sent, in words, or null. */
export function outcomeProblem(o: Outcome, index: number): string | null {
  const which = o.label.trim() ? `“${o.label.trim()}”` : `Outcome ${index + 1}`;
  if (!o.label.trim()) return `${which} needs a label, such as “Deal won”.`;
  if (o.event !== undefined && !/^[a-z][a-z0-9_.]{0,63}$/.test(o.event)) {
    return `${which}: the event type is lower-case letters, digits, dots or underscores, such as purchase.`;
  }
  if (o.field) {
    if (!o.field.field) return `${which}: choose the field to test.`;
    const v = o.field.value;
    if (v === '' || (Array.isArray(v) && !v.length)) return `${which}: type the value the field must have.`;
  }
  return null;
}

/** Cut points typed as "20, 50, 80": ascending numbers, or a message saying what to type. */
export function parseEdges(text: string): { edges: number[] } | { error: string } {
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  if (!parts.length) return { error: 'Type the scores where one band ends and the next begins, such as 20, 50, 80.' };
  const edges = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isFinite(edges[i]));
  if (bad !== undefined) return { error: `“${bad}” is not a number: type the band edges as numbers, such as 20, 50, 80.` };
  if (edges.some((e, i) => i > 0 && e <= edges[i - 1])) return { error: 'The band edges go up from left to right, each once, such as 20, 50, 80.' };
  return { edges };
}

/** A day as a date input holds it (YYYY-MM-DD, the reader's zone). */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The start of a day typed in a date input (the reader's midnight) as ISO-8601, or null when empty or unreadable. */
export function startOfDay(day: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** The end of a day typed in a date input: the next midnight, so "to Jan 31" takes in all of Jan 31. */
export function endOfDay(day: string): string | null {
  const start = startOfDay(day);
  if (!start) return null;
  const d = new Date(start);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/** "3 contacts", "1 contact". */
export const contactsWord = (n: number) => `${n.toLocaleString()} contact${n === 1 ? '' : 's'}`;

/** A bracket of the flow report: null is "no bracket yet" (the contact entered its first bracket). */
export const bracketWords = (b: string | null) => b ?? 'No bracket yet';
