import { z } from 'zod';
import { EventInput, IsoTime } from './event.js';
import { FieldDefinition } from './field.js';

/** The longest time a scenario may cover (ten years, leap days included). */
export const MAX_SIMULATION_MS = 3_653 * 86_400_000;

/** A map in a scenario: inline, a saved map by id (API), or a file next to the scenario (CLI). */
export const ScenarioMap = z.union([
  z.strictObject({ id: z.string().min(1).max(200) }),
  z.strictObject({ file: z.string().min(1).max(1_000) }),
  z.looseObject({ elements: z.array(z.unknown()) }),
]);

/** A check on a field's value at a moment of the simulation. */
export const FieldExpectation = z.strictObject({
  contact: z.string().min(1).max(200),
  at: IsoTime,
  field: z.string().min(1).max(200),
  equals: z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.string())]),
  tolerance: z.number().nonnegative().optional(),
});
export type FieldExpectation = z.infer<typeof FieldExpectation>;

/**
 * A check on the deliveries `webhook` elements queued for a contact (SPEC §10): how many by `at`,
 * counting from the start, of one element when `element` says which.
 */
export const WebhookExpectation = z.strictObject({
  contact: z.string().min(1).max(200),
  at: IsoTime,
  webhooks: z.number().int().nonnegative(),
  element: z.string().min(1).max(64).optional(),
});
export type WebhookExpectation = z.infer<typeof WebhookExpectation>;

/** A check at a moment of the simulation: a field's value, or the webhooks sent so far. */
export const Expectation = z.union([FieldExpectation, WebhookExpectation], {
  error: 'an expectation is { contact, at, field, equals } or { contact, at, webhooks }',
});
export type Expectation = z.infer<typeof Expectation>;

/** Which of the two an expectation means to be: the one a refusal should explain. */
export function expectationShape(v: unknown): typeof FieldExpectation | typeof WebhookExpectation {
  return typeof v === 'object' && v !== null && 'webhooks' in v ? WebhookExpectation : FieldExpectation;
}

/** A simulation scenario (SPEC §7). */
export const Scenario = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().max(200).optional(),
  description: z.string().max(5_000).optional(),
  start: IsoTime,
  until: IsoTime,
  fields: z.array(FieldDefinition).max(200).optional(),
  maps: z.array(ScenarioMap).max(50).default([]),
  scoringModels: z.array(z.unknown()).max(20).optional(),
  contacts: z.array(z.strictObject({
    id: z.string().min(1).max(200),
    fields: z.record(z.string(), z.unknown()).optional(),
  })).max(10_000).default([]),
  events: z.array(EventInput).max(100_000).default([]),
  expect: z.array(Expectation).max(10_000).default([]),
}).refine((s) => Date.parse(s.until) >= Date.parse(s.start), { message: '"until" must not be before "start"', path: ['until'] })
  // A simulation walks through every wait on the way: a century of a daily loop would never answer.
  .refine((s) => Date.parse(s.until) - Date.parse(s.start) <= MAX_SIMULATION_MS, { message: '"until" is at most 10 years after "start"', path: ['until'] })
  .superRefine((s, ctx) => {
    // An event or an expectation after "until" would run the simulation on past it, as far as it says.
    const until = Date.parse(s.until);
    const late = (list: readonly { at?: string }[], key: 'events' | 'expect') => {
      const i = list.findIndex((x) => x.at !== undefined && Date.parse(x.at) > until);
      if (i >= 0) ctx.addIssue({ code: 'custom', path: [key, i, 'at'], message: 'is after "until": everything in a scenario happens between "start" and "until"' });
    };
    late(s.events, 'events');
    late(s.expect, 'expect');
  });
export type Scenario = z.infer<typeof Scenario>;
