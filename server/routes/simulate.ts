import { z } from 'zod';
import { Scenario } from '../../engine/schema/scenario.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, notFound } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { simulate } from '../simulate.js';

/** A map in a scenario sent to the API: inline, or a saved map by id (its draft, or one of its published versions). */
const ApiScenarioMap = z.union([
  z.strictObject({ id: z.string().min(1).max(200), version: z.number().int().positive().optional() }),
  z.strictObject({ file: z.string().min(1).max(1_000) }),
  z.looseObject({ elements: z.array(z.unknown()) }),
]);
type ApiScenarioMap = z.infer<typeof ApiScenarioMap>;

/** The scenario `POST /api/simulate` takes: SPEC §7, where `{ id, version? }` names a saved map. */
export const ApiScenario = Scenario.safeExtend({ maps: z.array(ApiScenarioMap).max(50).default([]) });

const Value = z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.string())]);
const SimulationAnswer = z.object({
  history: z.array(z.object({ contact: z.string(), at: z.string(), field: z.string(), from: Value, to: Value, cause: z.record(z.string(), z.unknown()) })),
  final: z.record(z.string(), z.record(z.string(), Value)),
  expectations: z.array(z.looseObject({ actual: Value, pass: z.boolean() })),
  errors: z.array(z.object({ map: z.string().optional(), element: z.string().optional(), message: z.string(), count: z.number().optional() })),
  /** What webhook elements would have sent: recorded, never sent. */
  webhooks: z.array(z.object({
    contact: z.string(), at: z.string(), map: z.string(), element: z.string(),
    webhook: z.string().optional(), url: z.string().optional(),
    format: z.enum(['json', 'slack']).nullable(), message: z.string().nullable(),
  })),
});

/** The document a scenario's map stands for: inline as given, else the saved draft or published version. */
async function resolveMap(rt: Runtime, ref: ApiScenarioMap, index: number): Promise<unknown> {
  if ('elements' in ref) return ref;
  if ('file' in ref) {
    throw badRequest(`Map ${index + 1}: the server does not read files; give the map inline, or by { "id" } (its saved draft) or { "id", "version" } (a published version)`);
  }
  const record = await rt.store.getMap(ref.id);
  if (!record) throw notFound(`Map ${index + 1}: no map with id "${ref.id}"`);
  if (ref.version === undefined) return record.doc;
  const doc = await rt.store.getVersion(ref.id, ref.version);
  if (doc === null) throw notFound(`Map ${index + 1}: the map "${ref.id}" has no published version ${ref.version}`);
  return doc;
}

/**
 * `POST /api/simulate` (SPEC §7): runs a scenario on the real engine with a private in-memory
 * database and a virtual clock. Never touches the real contacts.
 */
export function simulateRouter(deps: AppDeps): ApiRouter {
  return new ApiRouter('/api/simulate', 'Simulation').op({
    method: 'post', scope: 'read', path: '/', summary: 'Simulate a scenario: maps, contacts and events on a virtual clock', body: ApiScenario, response: SimulationAnswer,
    description: 'Maps are inline, `{ "id" }` (the saved draft) or `{ "id", "version" }` (a published version). '
      + 'A malformed scenario is refused with 400, a map that cannot be published with 422; both say why.',
  }, async (c, { body }) => {
    const maps: unknown[] = [];
    for (const [i, ref] of body.maps.entries()) maps.push(await resolveMap(deps.rt, ref, i));
    return c.json(await simulate({ ...body, maps }));
  });
}
