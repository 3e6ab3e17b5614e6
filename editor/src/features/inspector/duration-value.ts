import { Duration, durationMs, MS } from '../../../../engine/schema/duration.js';

/** The units a duration is written in, in the schema's order (minutes … weeks). */
export type DurationUnit = keyof Duration;
export const DURATION_UNITS = Object.keys(Duration.shape) as DurationUnit[];

const UNIT_MS: Readonly<Record<DurationUnit, number>> = { minutes: MS.MINUTE, hours: MS.HOUR, days: MS.DAY, weeks: 7 * MS.DAY };

/** A duration as one number and one unit, the way the DurationInput shows it. */
export interface DurationValue {
  readonly amount: number;
  readonly unit: DurationUnit;
}

/**
 * One number and unit for a duration. A duration written in one unit keeps it (`{ days: 14 }` stays
 * 14 days, not 2 weeks: the author chose days); a mixed one (`{ hours: 1, minutes: 30 }`) is shown in
 * the largest unit that holds it whole (90 minutes).
 */
export function splitDuration(d: Duration): DurationValue {
  const used = DURATION_UNITS.filter((u) => d[u] !== undefined);
  if (used.length === 1) return { amount: d[used[0]] ?? 0, unit: used[0] };
  const ms = durationMs(d);
  const unit = [...DURATION_UNITS].reverse().find((u) => ms % UNIT_MS[u] === 0 && ms >= UNIT_MS[u]) ?? 'minutes';
  return { amount: ms / UNIT_MS[unit], unit };
}

/** The duration for a number and a unit: 2 and "days" → `{ days: 2 }`. */
export function joinDuration(amount: number, unit: DurationUnit): Duration {
  return { [unit]: amount } as Duration;
}

/** The word for a unit after an amount: "1 day", "2 days". */
export function unitWord(unit: DurationUnit, amount: number): string {
  return amount === 1 ? unit.slice(0, -1) : unit;
}

/**
 * Reads what a person typed as an amount: a finite number, 0 or more. Empty text is `null`
 * (no duration); anything else that isn't such a number is `undefined` (not valid).
 */
export function readAmount(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
