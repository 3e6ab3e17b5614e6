import { z } from 'zod';
import { elementBase, Ref } from './base.js';
import { defineKind, type StepContext, type StepResult } from './types.js';
import { Condition } from '../schema/condition.js';
import { Duration, describeDuration, durationMs } from '../schema/duration.js';
import { describeCondition } from '../conditions.js';
import { isValidTimeZone, nextTimeOfDay, WEEKDAY_NAMES } from '../time.js';

const UntilDate = z.strictObject({ field: z.string().min(1).max(200), offset: Duration.optional() });
const UntilTime = z.strictObject({
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is written HH:MM, e.g. 09:00'),
  weekdays: z.array(z.enum(WEEKDAY_NAMES)).max(7).optional(),
  timezone: z.string().max(64).optional(),
});
const UntilCondition = z.strictObject({ condition: Condition });

/** Holds the contact, durably, then continues with `next` (SPEC §2). */
export const WaitElement = z.strictObject({
  ...elementBase,
  kind: z.literal('wait'),
  for: Duration.optional(),
  until: z.union([UntilDate, UntilTime, UntilCondition]).optional(),
  /** With `until: { condition }`: give up after this long … */
  timeout: Duration.optional(),
  /** … and continue here (or with `next` when not set). */
  timeoutNext: Ref,
  next: Ref,
});
export type WaitElement = z.infer<typeof WaitElement>;

type Until = NonNullable<WaitElement['until']>;

/** The shortest wait and timeout a map may publish. */
const MIN_WAIT_MS = 1_000;
const isCondition = (u: Until | undefined): u is z.infer<typeof UntilCondition> => !!u && 'condition' in u;
const isTime = (u: Until | undefined): u is z.infer<typeof UntilTime> => !!u && 'time' in u;

function proceed(el: WaitElement, to: string | undefined = el.next): StepResult {
  return to ? { go: to } : { error: "'What happens next?' is empty" };
}

/** Parks on an `until condition` wait, or goes on at once when it already holds. */
function awaitCondition(el: WaitElement, c: Condition, ctx: StepContext, timeoutAt: number | null): StepResult {
  if (ctx.test(c)) return proceed(el);
  if (timeoutAt !== null && timeoutAt <= ctx.now) return proceed(el, el.timeoutNext ?? el.next);
  const recheck = ctx.nextTimeChange(c);
  const due = [timeoutAt, recheck].filter((t): t is number => t !== null);
  return { park: { dueAt: due.length ? Math.min(...due) : null, timeoutAt, onCondition: true } };
}

export const wait = defineKind<WaitElement>({
  kind: 'wait',
  schema: WaitElement,
  outlets: (el) => [
    { path: 'next', target: el.next, instant: false, required: true },
    ...(el.timeoutNext !== undefined || el.timeout
      ? [{ path: 'timeoutNext', target: el.timeoutNext, instant: false, required: false }]
      : []),
  ],
  describe(el, fields) {
    if (el.for) return `Wait ${describeDuration(el.for)}`;
    const u = el.until;
    if (!u) return 'Wait (not set)';
    if (isCondition(u)) {
      return `Wait until ${describeCondition(u.condition, fields)}${el.timeout ? `, at most ${describeDuration(el.timeout)}` : ''}`;
    }
    if (isTime(u)) {
      const days = u.weekdays?.length ? ` on ${u.weekdays.join(', ')}` : '';
      return `Wait until ${u.time}${days}${u.timezone ? ` (${u.timezone})` : ''}`;
    }
    const label = fields.resolve(u.field)?.label ?? u.field;
    return u.offset ? `Wait until ${describeDuration(u.offset)} after ${label}` : `Wait until ${label}`;
  },
  check(el, ctx) {
    if (!!el.for === !!el.until) {
      ctx.problem(el.for ? 'until' : 'for', 'Say how long to wait: either "for" a duration or "until" a date, a time of day or a condition');
      return;
    }
    // A wait of (next to) nothing lets a loop through it spin without time passing: `{ "minutes": 1e-10 }`
    // is due at the very instant it parks, so the loop never ends. A second is far below any real use.
    if (el.for && durationMs(el.for) < MIN_WAIT_MS) ctx.problem('for', 'A wait under a second does not hold the contact: wait a second or more');
    if (el.timeout && durationMs(el.timeout) < MIN_WAIT_MS) ctx.problem('timeout', 'A timeout under a second would give up at once: make it a second or more');
    const u = el.until;
    if ((el.timeout || el.timeoutNext) && !isCondition(u)) {
      ctx.problem('timeout', 'A timeout only applies to "wait until a condition holds"');
    }
    if (el.timeoutNext && !el.timeout) ctx.problem('timeoutNext', 'Set a timeout, or remove "after the timeout, go to"');
    if (!u) return;
    if (isCondition(u)) ctx.condition(u.condition, 'until.condition');
    else if (isTime(u)) {
      if (u.timezone && !isValidTimeZone(u.timezone)) {
        ctx.problem('until.timezone', `"${u.timezone}" is not a time zone this server knows (try "UTC" or "Europe/Paris")`);
      }
    } else ctx.field(u.field, 'until.field', ['date'], 'wait until');
  },
  run(el, ctx) {
    if (el.for) return { park: { dueAt: ctx.now + durationMs(el.for) } };
    const u = el.until;
    if (!u) return { error: 'The wait has no duration or date' };
    if (isCondition(u)) return awaitCondition(el, u.condition, ctx, el.timeout ? ctx.now + durationMs(el.timeout) : null);
    if (isTime(u)) {
      const [hh, mm] = u.time.split(':').map(Number);
      return { park: { dueAt: nextTimeOfDay(ctx.now, hh, mm, u.timezone ?? 'UTC', u.weekdays) } };
    }
    const field = ctx.fields.resolve(u.field);
    const value = field ? ctx.get(field.key) : null;
    // An empty or past date has nothing to wait for: the contact goes on at once.
    if (typeof value !== 'number') return proceed(el);
    const due = value + (u.offset ? durationMs(u.offset) : 0);
    return due <= ctx.now ? proceed(el) : { park: { dueAt: due } };
  },
});

/** What a parked contact does when its wait comes due (or a field changes, for a condition). */
export function resumeWait(el: WaitElement, ctx: StepContext, timeoutAt: number | null, byTime: boolean): StepResult | null {
  if (isCondition(el.until)) return awaitCondition(el, el.until.condition, ctx, timeoutAt);
  // Timed waits only move when their time comes.
  return byTime ? proceed(el) : null;
}
