import { z } from 'zod';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The longest duration accepted: far beyond any wait a map needs, and far from the end of JS dates. */
export const MAX_DURATION_MS = 36_525 * DAY;

/** A span of time. Durations are exact: a day is 24 hours (SPEC §3). */
export const Duration = z
  .strictObject({
    minutes: z.number().nonnegative().optional(),
    hours: z.number().nonnegative().optional(),
    days: z.number().nonnegative().optional(),
    weeks: z.number().nonnegative().optional(),
  })
  .refine((d) => d.minutes !== undefined || d.hours !== undefined || d.days !== undefined || d.weeks !== undefined, {
    message: 'a duration needs at least one of minutes, hours, days or weeks',
  })
  // A due time must stay a date: `{ "days": 1e308 }` would be Infinity, which no clock reaches and no ISO-8601 shows.
  .refine((d) => durationMs(d) <= MAX_DURATION_MS, { message: 'a duration is at most 100 years' });
export type Duration = z.infer<typeof Duration>;

/** The length of a duration in milliseconds. */
export function durationMs(d: { readonly minutes?: number; readonly hours?: number; readonly days?: number; readonly weeks?: number }): number {
  return (d.minutes ?? 0) * MINUTE + (d.hours ?? 0) * HOUR + (d.days ?? 0) * DAY + (d.weeks ?? 0) * 7 * DAY;
}

/** "1 day", "2 hours 30 minutes", "1 week": how the editor and messages say a duration. */
export function describeDuration(d: Duration): string {
  const parts: string[] = [];
  const unit = (n: number | undefined, one: string) => {
    if (n) parts.push(`${n} ${one}${n === 1 ? '' : 's'}`);
  };
  unit(d.weeks, 'week');
  unit(d.days, 'day');
  unit(d.hours, 'hour');
  unit(d.minutes, 'minute');
  return parts.length ? parts.join(' ') : '0 minutes';
}

export const MS = { MINUTE, HOUR, DAY } as const;
