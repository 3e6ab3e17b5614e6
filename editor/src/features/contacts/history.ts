import { api } from '../../lib/api.js';
import type { LinePoint } from '../charts/LineChart.js';
import type { Cause } from './causes.js';

/** One recorded change, as GET /api/contacts/:id/history answers it. */
export interface HistoryEntry {
  readonly id: number;
  readonly at: string;
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly cause: Cause;
}

interface HistoryPage { history: HistoryEntry[]; nextBefore?: number }

/** A page of a contact's history, newest first. */
export function historyPage(contactId: string, opts: { field?: string; before?: number; limit?: number } = {}): Promise<HistoryPage> {
  const q = new URLSearchParams({ limit: String(opts.limit ?? 100) });
  if (opts.field) q.set('field', opts.field);
  if (opts.before !== undefined) q.set('before', String(opts.before));
  return api<HistoryPage>(`/contacts/${encodeURIComponent(contactId)}/history?${q}`);
}

/** Every change of one field (up to `max`), oldest first: what the chart draws. */
export async function fieldHistory(contactId: string, field: string, max = 2_000): Promise<HistoryEntry[]> {
  const out: HistoryEntry[] = [];
  let before: number | undefined;
  do {
    const page = await historyPage(contactId, { field, before, limit: 500 });
    out.push(...page.history);
    before = page.nextBefore;
  } while (before !== undefined && out.length < max);
  return out.reverse();
}

/**
 * The points of a step chart from changes (oldest first): the value before the first change at
 * `start` (when it was a number), then each new value at its moment, with `note` saying why.
 */
export function stepPoints(changes: readonly { at: string; from: unknown; to: unknown; note?: string }[], start?: number): LinePoint[] {
  const points: LinePoint[] = [];
  const first = changes[0];
  if (first) {
    const t = Date.parse(first.at);
    const before = typeof first.from === 'number' ? first.from : 0;
    points.push({ t: start !== undefined && start < t ? start : t, v: before, note: 'before the first change' });
  }
  // A cleared number reads as 0, as it does in expressions.
  for (const c of changes) if (typeof c.to === 'number' || c.to === null) points.push({ t: Date.parse(c.at), v: c.to ?? 0, note: c.note });
  return points;
}
