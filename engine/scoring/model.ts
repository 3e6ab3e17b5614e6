import { z } from 'zod';
import { Condition } from '../schema/condition.js';
import { EventType } from '../schema/event.js';
import { FieldDefinition, FieldKey } from '../schema/field.js';

/** Rule and model ids: stable, readable, safe in URLs. */
export const ScoringId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id is 1 to 64 letters, digits, "_" or "-"');

/** When a rule gives points: at each occurrence of an event, or while a contact condition holds. */
export const RuleWhen = z.union([
  z.strictObject({ event: EventType, where: Condition.optional() }),
  z.strictObject({ if: Condition }),
]);

/** One scoring rule (SPEC §5): "+5 each time they click a link in an email", "CEO: +10". */
export const ScoringRule = z.strictObject({
  id: ScoringId,
  label: z.string().trim().min(1).max(200),
  when: RuleWhen,
  points: z.number().min(-10_000).max(10_000),
});
export type ScoringRule = z.infer<typeof ScoringRule>;

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
    degradation: z.strictObject({ percentPerDay: z.number().gt(0).max(100) }).optional(),
    rules: z.array(ScoringRule).max(500).default([]),
    brackets: z.array(Bracket).max(20).optional(),
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
