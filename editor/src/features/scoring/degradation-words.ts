/**
 * A model's degradation (SPEC §5, §9) in the words the model page and the models list say it
 * ("5 % every 30 days once a contact has been inactive for 30 days"), the four ways the page
 * offers to choose it, and what the editor can check before asking the server.
 */
import { describeDuration, durationMs, MS, type Duration } from '../../../../engine/schema/duration.js';
import type { Degradation } from '../../../../engine/scoring/model.js';
import { formatNumber } from '../charts/format.js';

/** The four choices of the page: none, a percentage each day, every N days, every N days of inactivity. */
export type DegradationKind = 'none' | 'daily' | 'periodic' | 'inactive';

export const DEGRADATION_KINDS: readonly { readonly kind: DegradationKind; readonly label: string }[] = [
  { kind: 'none', label: 'None' },
  { kind: 'daily', label: 'A percentage every day' },
  { kind: 'periodic', label: 'A percentage every N days' },
  { kind: 'inactive', label: 'A percentage every N days of inactivity' },
];

/** Which of the four choices a degradation is. */
export function degradationKind(d: Degradation | null | undefined): DegradationKind {
  if (!d) return 'none';
  if ('percentPerDay' in d) return 'daily';
  return d.whenInactiveFor ? 'inactive' : 'periodic';
}

/** The percentage a degradation takes each time it applies. */
export function degradationPercent(d: Degradation): number {
  return 'percentPerDay' in d ? d.percentPerDay : d.percent;
}

/** A duration in days (fractions when it is not whole days: the page then shows what it is). */
export function daysOf(d: Duration): number {
  return durationMs(d) / MS.DAY;
}

/** The degradation of another kind, keeping what the author already gave (the percentage, the periods). */
export function switchDegradation(d: Degradation | null | undefined, kind: DegradationKind): Degradation | undefined {
  if (kind === 'none') return undefined;
  const percent = d ? degradationPercent(d) : kind === 'daily' ? 3 : 5;
  if (kind === 'daily') return { percentPerDay: percent };
  const every = d && 'every' in d ? d.every : { days: 30 };
  if (kind === 'periodic') return { percent, every };
  const whenInactiveFor = d && 'every' in d && d.whenInactiveFor ? d.whenInactiveFor : { days: 30 };
  return { percent, every, whenInactiveFor };
}

/** "day", "week", "30 days": the period after "every". */
function period(d: Duration): string {
  const said = describeDuration(d);
  return said.startsWith('1 ') && !said.includes(' ', 2) ? said.slice(2) : said;
}

/**
 * The degradation in one line: "none", "3 % every day", "5 % every 30 days",
 * "5 % every 30 days once a contact has been inactive for 30 days".
 */
export function degradationWords(d: Degradation | null | undefined): string {
  if (!d) return 'none';
  if ('percentPerDay' in d) return `${formatNumber(d.percentPerDay)} % every day`;
  const base = `${formatNumber(d.percent)} % every ${period(d.every)}`;
  return d.whenInactiveFor ? `${base} once a contact has been inactive for ${describeDuration(d.whenInactiveFor)}` : base;
}

/**
 * What the words leave out, in a sentence under them: when the degradation applies and what it
 * spares ("Each midnight (UTC) the points that decay are multiplied by 0.97.").
 */
export function degradationExplained(d: Degradation | null | undefined, timezone: string | undefined, keepsFitPoints: boolean): string {
  const zone = timezone || 'UTC';
  if (!d) return 'No degradation: points stay until a rule takes them back or they expire.';
  const fit = keepsFitPoints ? ' Fit points (rules that never decay) are kept whole.' : '';
  if ('percentPerDay' in d) return `Each midnight (${zone}) the points that decay are multiplied by ${formatNumber(Math.max(0, 1 - d.percentPerDay / 100), 3)}.${fit}`;
  if (!d.whenInactiveFor) return `Applied at midnight (${zone}) to the points that decay, counted from when the model began.${fit}`;
  return `Applied at midnight (${zone}) to the points that decay; any activity starts the count again.${fit}`;
}

const isWholeDays = (d: Duration) => {
  const days = daysOf(d);
  return Number.isInteger(days) && days >= 1;
};

/**
 * What is wrong with a degradation, in words, before the server is asked; null when nothing is.
 * "every" is whole days because degradation is checked at the model's midnight.
 */
export function checkDegradation(d: Degradation | null | undefined): string | null {
  if (!d) return null;
  const p = degradationPercent(d);
  if (!(Number.isFinite(p) && p > 0 && p <= 100)) return 'Degradation takes a percentage above 0 and at most 100 (choose "None" for no degradation).';
  if ('percentPerDay' in d) return null;
  if (!isWholeDays(d.every)) return 'Degradation is applied at the model\'s midnight: "every" is a whole number of days, at least 1.';
  if (d.whenInactiveFor && !(daysOf(d.whenInactiveFor) > 0)) return 'Say after how many days without activity the degradation starts (at least 1).';
  return null;
}
