/**
 * Where a contact's score comes from (SPEC §9 "A points ledger"): `GET /api/contacts/:id/scores`
 * and the few words the contact page's breakdown card shows around it.
 */
import { api } from '../../lib/api.js';
import { formatNumber } from '../charts/format.js';
import { isMissingEndpoint } from './api.js';

/** What a line of the breakdown sums: a rule's grants, a map's changes, hand edits, decay, … */
export type LineKind = 'rule' | 'map' | 'manual' | 'import' | 'merge' | 'opening' | 'decay' | 'other';

/** One line of a score's breakdown: grants of one source, what they gave and what is left of them. */
export interface BreakdownLine {
  readonly kind: LineKind;
  readonly ruleId?: string;
  readonly label: string;
  readonly count: number;
  /** The points those grants gave. */
  readonly given: number;
  /** What is left of them after decay and expiry (the decay line: the total lost, negative). */
  readonly now: number;
  readonly decays: boolean;
  /** When the next of these grants expires (ISO), if any does. */
  readonly nextExpiry: string | null;
}

/** A contact's score in one model, with the sentence and the lines that make it. */
export interface ModelBreakdown {
  readonly modelId: string;
  readonly name: string;
  readonly field: string;
  readonly score: number | null;
  readonly bracket: string | null;
  readonly bracketField: string | null;
  /** "82 = 40 Visited pricing (×8) + 25 Subscribed + 10 CEO + 12 map 'Adjusted' − 5 decay". */
  readonly text: string;
  readonly lines: readonly BreakdownLine[];
}

export interface ScoreBreakdown {
  readonly contactId: string;
  readonly models: readonly ModelBreakdown[];
}

/** The breakdown of a contact's scores, or null when this server cannot tell (no ledger yet). */
export async function getScoreBreakdown(contactId: string): Promise<ScoreBreakdown | null> {
  try {
    return await api<ScoreBreakdown>(`/contacts/${encodeURIComponent(contactId)}/scores`);
  } catch (e) {
    if (isMissingEndpoint(e)) return null;
    throw e;
  }
}

/** Points with their sign, as a sum reads them: "+40", "−5", "0". */
export function pointsText(n: number): string {
  const rounded = Math.round(n * 100) / 100;
  if (rounded === 0) return '0';
  return rounded > 0 ? `+${formatNumber(rounded)}` : `−${formatNumber(-rounded)}`;
}

/** How many grants a line sums, when that means something ("×8"); decay and leftovers have none. */
export function countText(line: BreakdownLine): string {
  if (line.kind === 'decay' || line.kind === 'other' || line.kind === 'opening' || line.count <= 1) return '';
  return `×${formatNumber(line.count, 0)}`;
}

/** "expires 1 Apr" (the reader's way of writing a day), with the year when it is not this one. */
export function expiryText(iso: string | null, now: number, locale?: string): string | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return null;
  const sameYear = new Date(t).getFullYear() === new Date(now).getFullYear();
  const day = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) }).format(t);
  return `${t <= now ? 'expired' : 'expires'} ${day}`;
}

/** Whether a line lost points since it was given (decayed, expired or clamped): then "now" is worth showing apart. */
export const hasFaded = (line: BreakdownLine) => Math.abs(line.now - line.given) >= 0.005;
