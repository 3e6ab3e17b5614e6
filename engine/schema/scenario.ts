import { z } from 'zod';
import { EventInput, IsoTime } from './event.js';
import { FieldDefinition } from './field.js';

/** A map in a scenario: inline, a saved map by id (API), or a file next to the scenario (CLI). */
export const ScenarioMap = z.union([
  z.strictObject({ id: z.string().min(1).max(200) }),
  z.strictObject({ file: z.string().min(1).max(1_000) }),
  z.looseObject({ elements: z.array(z.unknown()) }),
]);

/** A check on a field's value at a moment of the simulation. */
export const Expectation = z.strictObject({
  contact: z.string().min(1).max(200),
  at: IsoTime,
  field: z.string().min(1).max(200),
  equals: z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.string())]),
  tolerance: z.number().nonnegative().optional(),
});
export type Expectation = z.infer<typeof Expectation>;

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
}).refine((s) => Date.parse(s.until) >= Date.parse(s.start), { message: '"until" must not be before "start"', path: ['until'] });
export type Scenario = z.infer<typeof Scenario>;
