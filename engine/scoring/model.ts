import { z } from 'zod';
import { Condition } from '../schema/condition.js';
import { Duration, durationMs, MS } from '../schema/duration.js';
import { EventType } from '../schema/event.js';
import { FieldDefinition, FieldKey } from '../schema/field.js';

/** Rule and model ids: stable, readable, safe in URLs. */
export const ScoringId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id is 1 to 64 letters, digits, "_" or "-"');

/** When a rule gives points: at each occurrence of an event, or while a contact condition holds. */
export const RuleWhen = z.union([
  z.strictObject({ event: EventType, where: Condition.optional() }),
  z.strictObject({ if: Condition }),
]);

/** Points a rule gives or takes, at most this many either way. */
const Points = z.number().min(-10_000).max(10_000);

/**
 * One scoring rule (SPEC §5, §9): "+5 each time they click a link in an email", "CEO: +10",
 * "unsubscribed: score set to 0". Event rules may limit how often they give (`maxTimes` per
 * window), give less for repeats (`repeatMultiplier`) and have their points expire
 * (`expiresAfter`); any rule's points may be kept out of degradation (`decays: false`).
 */
export const ScoringRule = z
  .strictObject({
    id: ScoringId,
    label: z.string().trim().min(1).max(200),
    when: RuleWhen,
    /** Points added (negative: taken) at each occurrence, or while the condition holds. */
    points: Points.optional(),
    /** Instead of `points`: the event sets the score to this value (event rules only). */
    set: z.number().min(-1_000_000).max(1_000_000).optional(),
    /** At most this many grants per contact (in each `per` window when given; event rules only). */
    maxTimes: z.number().int().min(1).max(1_000_000).optional(),
    /** The sliding window `maxTimes` and `repeatMultiplier` count in (default: all time). */
    per: Duration.optional(),
    /** The second and later grants in the window give points × this (event rules only). */
    repeatMultiplier: z.number().min(0).max(10).optional(),
    /** The points are taken back, what is left of them, once this long has passed (event rules only). */
    expiresAfter: Duration.optional(),
    /** false: the points are never degraded (fit: job title, company size). Default true. */
    decays: z.boolean().optional(),
  })
  .superRefine((r, ctx) => {
    const say = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((r.points === undefined) === (r.set === undefined)) say('points', 'a rule gives "points" or sets the score ("set"): give exactly one of them');
    const onEvent = 'event' in r.when;
    if (!onEvent) {
      for (const k of ['set', 'maxTimes', 'per', 'repeatMultiplier', 'expiresAfter'] as const) {
        if (r[k] !== undefined) say(k, `"${k}" is for event rules: a condition rule gives its points while the condition holds`);
      }
    }
    if (r.set !== undefined) {
      for (const k of ['repeatMultiplier', 'expiresAfter'] as const) if (r[k] !== undefined) say(k, `"${k}" does not apply to a rule that sets the score`);
    }
    if (r.per !== undefined && r.maxTimes === undefined && r.repeatMultiplier === undefined) {
      say('per', '"per" is the window of "maxTimes" or "repeatMultiplier": give one of them');
    }
  });
export type ScoringRule = z.infer<typeof ScoringRule>;

/** "3 % a day" (SPEC §5): every contact's decaying points, each midnight. */
export const DailyDegradation = z.strictObject({ percentPerDay: z.number().gt(0).max(100) });
/**
 * "5 % every 30 days of inactivity" (SPEC §9): `percent` each `every`, counted from the contact's
 * last meaningful activity plus `whenInactiveFor` when given, else from the model's start.
 */
export const PeriodicDegradation = z.strictObject({
  percent: z.number().gt(0).max(100),
  /** Whole days (degradation runs at the model's midnight). */
  every: Duration.refine((d) => durationMs(d) >= MS.DAY && durationMs(d) % MS.DAY === 0, { message: '"every" is a whole number of days (degradation runs at midnight)' }),
  whenInactiveFor: Duration.optional(),
});
export const Degradation = z.union([DailyDegradation, PeriodicDegradation]);
export type Degradation = z.infer<typeof Degradation>;

/** A named score range: a contact is in the first bracket (highest `min` first) whose `min` its score reaches. */
export const Bracket = z.strictObject({ name: z.string().trim().min(1).max(50), min: z.number() });
export type Bracket = z.infer<typeof Bracket>;

/** A scoring model (SPEC §5): rules, bounds, daily degradation and brackets, writing one number field. */
export const ScoringModel = z
  .strictObject({
    $schema: z.string().optional(),
    id: ScoringId,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(5_000).optional(),
    /** The number field the model writes (`score` for the default model). */
    field: FieldKey.default('score'),
    /** Custom fields the model uses (its own score field, dates its rules read), created on import. */
    fields: z.array(FieldDefinition).max(50).optional(),
    min: z.number().default(0),
    max: z.number().default(100),
    /** The zone whose midnight starts a new day for degradation (default UTC). */
    timezone: z.string().max(64).optional(),
    degradation: Degradation.optional(),
    rules: z.array(ScoringRule).max(500).default([]),
    brackets: z.array(Bracket).max(20).optional(),
    /**
     * A challenger (SPEC §11): scored live into its own field and bracket like any model, but its
     * changes trigger nothing (no map, no condition wait, no webhook). Default false: a champion.
     */
    shadow: z.boolean().optional(),
  })
  .refine((m) => m.min < m.max, { message: '"min" must be below "max"', path: ['min'] })
  .refine((m) => new Set(m.rules.map((r) => r.id)).size === m.rules.length, { message: 'two rules have the same id', path: ['rules'] })
  .refine((m) => new Set((m.brackets ?? []).map((b) => b.name.toLowerCase())).size === (m.brackets ?? []).length, { message: 'two brackets have the same name', path: ['brackets'] });
export type ScoringModel = z.infer<typeof ScoringModel>;
export type ScoringModelInput = z.input<typeof ScoringModel>;

/** The bracket a score falls in, or null when it is below every bracket (or there are none). */
export function bracketOf(score: number | null, brackets: readonly Bracket[] | undefined): string | null {
  if (!brackets?.length) return null;
  const s = score ?? 0;
  let best: Bracket | null = null;
  for (const b of brackets) if (s >= b.min && (!best || b.min > best.min)) best = b;
  return best?.name ?? null;
}

/** Keeps a score within the model's bounds. */
export function clampScore(m: Pick<ScoringModel, 'min' | 'max'>, v: number): number {
  return Math.min(m.max, Math.max(m.min, v));
}

/** The key under which a contact's held condition rule is remembered. */
export function ruleKey(modelId: string, ruleId: string): string {
  return `${modelId}\u0000${ruleId}`;
}

/** The timer row that re-checks a model's time-dependent rules for a contact (kept with the date triggers). */
export const SCORING_TIMER_PREFIX = 'scoring:';
