/**
 * A scoring rule's options (SPEC §9) in words a marketer reads — "Gives +5", "At most 3 times per
 * 1 day", "Repeats give ×0.5", "Points expire after 90 days", "Fit points: never decay" — the
 * edits that keep a rule valid when its kind changes, and what the editor can check before saving.
 */
import { describeDuration, durationMs } from '../../../../engine/schema/duration.js';
import type { ScoringRule } from './api.js';
import { formatNumber } from '../charts/format.js';

/** The options only event rules have: a condition rule gives its points while the condition holds. */
export const EVENT_ONLY = ['set', 'maxTimes', 'per', 'repeatMultiplier', 'expiresAfter'] as const;

const signed = (n: number) => (n > 0 ? `+${formatNumber(n)}` : n < 0 ? `−${formatNumber(-n)}` : '0');

/** "Gives +5", "Gives −10", "Sets the score to 0". */
export function pointsWords(r: ScoringRule): string {
  if (r.set !== undefined) return `Sets the score to ${formatNumber(r.set)}`;
  return `Gives ${Number.isFinite(r.points) ? signed(r.points!) : '?'}`;
}

/** Each option the rule has, in words, in the order the editor shows them. */
export function optionWords(r: ScoringRule): string[] {
  const out: string[] = [];
  if (r.maxTimes !== undefined) {
    const times = r.maxTimes === 1 ? 'once' : `${formatNumber(r.maxTimes)} times`;
    out.push(`At most ${times}${r.per ? ` per ${describeDuration(r.per)}` : ''}`);
  }
  if (r.repeatMultiplier !== undefined) {
    // Without a limit the window only says which repeats count: it goes with them.
    const within = r.per && r.maxTimes === undefined ? ` within ${describeDuration(r.per)}` : '';
    out.push(`Repeats${within} give ×${formatNumber(r.repeatMultiplier)}`);
  }
  if (r.per && r.maxTimes === undefined && r.repeatMultiplier === undefined) out.push(`Counted per ${describeDuration(r.per)}`);
  if (r.expiresAfter) out.push(`Points expire after ${describeDuration(r.expiresAfter)}`);
  if (r.decays === false) out.push('Fit points: never decay');
  return out;
}

/**
 * The line under a rule: "Gives +5 · At most 3 times per 1 day · Points expire after 90 days";
 * a rule without options says so ("Gives +5 each time, no limit", "Gives +10 while it holds").
 */
export function ruleSummary(r: ScoringRule): string {
  const options = optionWords(r);
  const points = pointsWords(r);
  if (options.length) return [points, ...options].join(' · ');
  if (!('event' in r.when)) return `${points} while it holds`;
  return r.set !== undefined ? `${points} each time` : `${points} each time, no limit`;
}

/** A copy of the rule without the given keys. */
function without(r: ScoringRule, keys: readonly (keyof ScoringRule)[]): ScoringRule {
  const next = { ...r };
  for (const k of keys) delete next[k];
  return next;
}

/**
 * The rule turned into an event rule or a condition rule. A condition rule keeps its points and
 * "decays" only: the event options would be refused, and a score it sets becomes points.
 */
export function withWhen(r: ScoringRule, when: ScoringRule['when']): ScoringRule {
  if ('event' in when) return { ...r, when };
  const points = r.points ?? r.set ?? 0;
  return { ...without(r, EVENT_ONLY), when, points };
}

/**
 * Gives points or sets the score. Setting drops the repeats and the expiry (a score that was set
 * has no grant to repeat or take back); the number is kept.
 */
export function withMode(r: ScoringRule, mode: 'points' | 'set'): ScoringRule {
  if (mode === 'set') {
    if (r.set !== undefined) return r;
    return { ...without(r, ['points', 'repeatMultiplier', 'expiresAfter']), set: r.points ?? 0 };
  }
  if (r.set === undefined) return r;
  return { ...without(r, ['set']), points: r.set };
}

/**
 * An option set or cleared. A window left without a limit or a multiplier stays (clearing the limit
 * to retype it must not lose it): the check says what to do with it.
 */
export function withOption(r: ScoringRule, key: 'maxTimes' | 'repeatMultiplier' | 'per' | 'expiresAfter', value: ScoringRule[typeof key] | undefined): ScoringRule {
  return value === undefined ? without(r, [key]) : ({ ...r, [key]: value } as ScoringRule);
}

/** `decays: false` for fit points; the default (true) is left out of the document. */
export function withDecays(r: ScoringRule, decays: boolean): ScoringRule {
  return decays ? without(r, ['decays']) : { ...r, decays: false };
}

/** A problem with a rule: the key it is about (as the server's paths name it, null for the rule itself) and what to do. */
export interface RuleProblem {
  readonly key: string | null;
  readonly message: string;
}

/**
 * What is wrong with a rule's numbers and options, in words, before the server is asked: one
 * message for each problem, empty when there is none.
 */
export function checkRule(r: ScoringRule): RuleProblem[] {
  const out: RuleProblem[] = [];
  const say = (key: string | null, message: string) => out.push({ key, message });
  if (!r.label.trim()) say('label', 'This rule has no label: say in a few words what it rewards.');
  if (r.set !== undefined) {
    if (!Number.isFinite(r.set)) say('set', 'The score it sets must be a number.');
  } else if (!Number.isFinite(r.points)) say('points', 'Its points must be a number.');
  if (!('event' in r.when)) {
    const extra = EVENT_ONLY.filter((k) => r[k] !== undefined);
    if (extra.length) say(extra[0], 'A condition rule gives its points while the condition holds: limits, repeats, expiry and setting the score are for event rules. Clear them, or make it an event rule.');
    return out;
  }
  if (r.maxTimes !== undefined && !(Number.isInteger(r.maxTimes) && r.maxTimes >= 1)) say('maxTimes', '"At most" is a whole number of times, 1 or more (leave it empty for no limit).');
  if (r.repeatMultiplier !== undefined && !(r.repeatMultiplier >= 0 && r.repeatMultiplier <= 10)) say('repeatMultiplier', '"Repeats give" multiplies the points by a number from 0 to 10 (0.5 gives half).');
  if (r.per && !(durationMs(r.per) > 0)) say('per', 'The window of "At most" and "Repeats give" must be longer than 0.');
  else if (r.per && r.maxTimes === undefined && r.repeatMultiplier === undefined) say('per', `The window "per ${describeDuration(r.per)}" counts for "At most" or "Repeats give": set one of them, or clear the window.`);
  if (r.expiresAfter && !(durationMs(r.expiresAfter) > 0)) say('expiresAfter', 'Points expire after a time longer than 0 (leave it empty to keep them).');
  if (r.set !== undefined && (r.repeatMultiplier !== undefined || r.expiresAfter)) {
    say(r.repeatMultiplier !== undefined ? 'repeatMultiplier' : 'expiresAfter', 'A rule that sets the score has no repeats and no expiry: clear "Repeats give" and "Points expire after", or make it give points.');
  }
  return out;
}

/** Whether a problem path (`rules.2.maxTimes`) is about one of the options the disclosure holds. */
export function isOptionPath(path: string): boolean {
  return /^rules\.\d+\.(maxTimes|per|repeatMultiplier|expiresAfter)(\.|$)/.test(path);
}
