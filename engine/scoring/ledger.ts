import { durationMs, MS } from '../schema/duration.js';
import { nextMidnight, startOfDay, wallTime } from '../time.js';
import type { Degradation, ScoringModel } from './model.js';

/**
 * A contact's standing in one scoring model's ledger (SPEC §9), beside the grants themselves: what
 * the engine needs to give, take back and degrade points without reading every grant.
 */
export interface ScoreAccount {
  /** What is left of the points that never decay (rules with `decays: false`). */
  fixed: number;
  /**
   * The degradation this contact's points saw beyond the model's own (inactivity steps), as
   * −ln(factor): a grant's points now are its points × e^(its clock − the contact's clock).
   */
  clock: number;
  /** The start of the inactivity stretch that `steps` counts in (null: none counted yet). */
  stretch: number | null;
  /** Inactivity steps applied in that stretch. */
  steps: number;
}

export const emptyAccount = (): ScoreAccount => ({ fixed: 0, clock: 0, stretch: null, steps: 0 });

/** Degradation that counts from each contact's last activity ("5 % every 30 days of inactivity"). */
export type InactivityDegradation = Extract<Degradation, { every: unknown }> & { whenInactiveFor: NonNullable<Extract<Degradation, { every: unknown }>['whenInactiveFor']> };

/** What one degradation step multiplies decaying points by. */
export function stepFactor(d: Degradation): number {
  return 1 - ('percentPerDay' in d ? d.percentPerDay : d.percent) / 100;
}

/** The degradation when it counts inactivity per contact, else null. */
export function inactivityOf(d: Degradation | undefined): InactivityDegradation | null {
  return d && 'every' in d && d.whenInactiveFor ? (d as InactivityDegradation) : null;
}

/**
 * Steps of inactivity degradation due, by the model's run at `at` (a midnight), for a stretch of
 * inactivity that began at `start`: one once `whenInactiveFor` has passed, one more each `every`.
 * The set-based SQL of the daily run computes the same (`ledger-store.ts`).
 */
export function inactiveStepsDue(d: InactivityDegradation, start: number, at: number): number {
  const from = start + durationMs(d.whenInactiveFor);
  if (at < from) return 0;
  return Math.floor((at - from) / durationMs(d.every)) + 1;
}

/** Where a contact's inactivity starts: its last meaningful activity, else when it was created. */
export function inactiveSince(fields: Readonly<Record<string, unknown>>): number | null {
  const last = fields.last_activity_at;
  if (typeof last === 'number') return last;
  const created = fields.created_at;
  return typeof created === 'number' ? created : null;
}

/** Local midnights passed from `from` to `to` in `timeZone` (days the model's run ran in between). */
function midnightsBetween(from: number, to: number, timeZone: string): number {
  if (to <= from) return 0;
  return Math.max(0, Math.floor(wallTime(to, timeZone) / MS.DAY) - Math.floor(wallTime(from, timeZone) / MS.DAY));
}

/** Whole days of a periodic degradation's `every` (at least 1: it runs at midnights). */
export function everyDays(d: Extract<Degradation, { every: unknown }>): number {
  return Math.max(1, Math.round(durationMs(d.every) / MS.DAY));
}

/**
 * The share of points earned at `at` that a contact would still hold at `now` had the event arrived
 * on time (SPEC §9: a back-dated event is weighted by its age): the degradation runs since then.
 * With inactivity degradation the event itself was activity: its stretch lasts until the contact's
 * later activity (`lastActivity`, when after `at`), whose own stretch the account counts.
 */
export function heldShare(model: ScoringModel, at: number, now: number, lastActivity: number | null, account: ScoreAccount, since = 0): number {
  const d = model.degradation;
  if (!d || at >= now) return 1;
  const tz = model.timezone ?? 'UTC';
  const f = stepFactor(d);
  if ('percentPerDay' in d) return f ** midnightsBetween(at, now, tz);
  const inactive = inactivityOf(d);
  if (!inactive) {
    // Runs that degraded between `at` and `now`: days after the model's first day that are a multiple of `every` from it.
    const k = everyDays(d);
    const first = localDay(since, tz);
    const runs = (t: number) => Math.max(0, Math.floor((localDay(t, tz) - first) / k));
    return f ** Math.max(0, runs(now) - runs(at));
  }
  if (lastActivity !== null && lastActivity > at) {
    const until = startOfDay(lastActivity, tz);
    const before = until > at ? inactiveStepsDue(inactive, at, until) : 0;
    return f ** (before + (account.stretch === lastActivity ? account.steps : 0));
  }
  return f ** inactiveStepsDue(inactive, at, startOfDay(now, tz));
}

/** When points earned at `at` expire: the start of the model's day that `at + expiresAfter` falls on. */
export function expiryOf(model: ScoringModel, at: number, expiresAfter: Parameters<typeof durationMs>[0]): number {
  return startOfDay(at + durationMs(expiresAfter), model.timezone ?? 'UTC');
}

/** Whether a model has daily upkeep: degradation, or points that expire. */
export function hasDailyRun(model: ScoringModel): boolean {
  return !!model.degradation || model.rules.some((r) => r.expiresAfter !== undefined);
}

/** The model's next daily run after `at`: the zone's next midnight, when it has daily upkeep at all. */
export function nextRunAfter(model: ScoringModel, at: number): number | null {
  if (!hasDailyRun(model)) return null;
  return nextMidnight(at, model.timezone ?? 'UTC');
}

/** The local day number (days since 1 January 1970 on the zone's calendar) of an instant. */
function localDay(at: number, timeZone: string): number {
  return Math.floor(wallTime(at, timeZone) / MS.DAY);
}

/**
 * Whether the model's run at `at` degrades: every run for daily and inactivity degradation; for a
 * periodic one without inactivity, every `every` days counted from the day the model was created
 * (`since`): made on a Saturday with `every: 7 days`, it degrades each following Saturday.
 */
export function degradesOn(model: ScoringModel, at: number, since = 0): boolean {
  const d = model.degradation;
  if (!d) return false;
  if ('percentPerDay' in d || inactivityOf(d)) return true;
  const tz = model.timezone ?? 'UTC';
  const days = localDay(at, tz) - localDay(since, tz);
  return days > 0 && days % everyDays(d) === 0;
}
