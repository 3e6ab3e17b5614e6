/**
 * What an element's counts say in the performance view. The badge is one short line ("3 now ·
 * 12 total") so it never grows the element by more than a line; the full words ("here now", "were
 * here") are its accessible name, its tooltip and the canvas's legend.
 */
import type { ElementStats } from '../../store/map-editor.js';
import { formatNumber } from '../charts/format.js';

/** The short words on the badge, after each number. */
export const SHORT = { hereNow: 'now', wereHere: 'total' } as const;

const COMPACT = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
/** A number as the badge shows it: whole up to 9,999, then short ("56.8K"); the exact one is in the name. */
export const badgeNumber = (x: number) => (x < 10_000 ? formatNumber(x, 0) : COMPACT.format(x));

/**
 * How wide a row of badges is, in ems of its font, from its words: a little wider than a wide
 * sans-serif draws them (padding and gaps included), so a row sized by it never runs past the element.
 */
export function badgeRowEms(badges: readonly string[]): number {
  const CHAR = 0.6, PADDING = 2 * 0.55, GAP = 0.36;
  return badges.reduce((ems, text) => ems + text.length * CHAR + PADDING, 0) + GAP * Math.max(0, badges.length - 1);
}

const n = (x: number) => formatNumber(x, 0);
const plural = (x: number, one: string, many: string) => `${n(x)} ${x === 1 ? one : many}`;

/** The badge's accessible name: "3 here now, 1 was here". */
export function countsName(s: Pick<ElementStats, 'hereNow' | 'wereHere'>): string {
  return `${n(s.hereNow)} here now, ${plural(s.wereHere, 'was here', 'were here')}`;
}

/** The badge's tooltip: what each number counts. */
export function countsTitle(s: Pick<ElementStats, 'hereNow' | 'wereHere'>): string {
  return `Here now: ${plural(s.hereNow, 'contact', 'contacts')} at this element now.\n`
    + `Were here: contacts passed through it ${plural(s.wereHere, 'time', 'times')} (each pass counts).`;
}

/** The error badge's tooltip, with the last error's message when there is one. */
export function errorsTitle(s: Pick<ElementStats, 'errors' | 'lastError'>): string {
  return `${plural(s.errors, 'error', 'errors')}${s.lastError ? `; the last: ${s.lastError}` : ''}`;
}
