import { z } from 'zod';
import { perWorld, type World } from '../../engine/cascade.js';
import { EventInput } from '../../engine/schema/event.js';
import { nearestKnownEvent } from '../../engine/validate-pitfalls.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';

/** Events one request may carry (SPEC §6); more must be split. */
export const MAX_EVENTS = 10_000;

type Issue = z.core.$ZodIssue;

/** The first issue of a failed union branch, descending into nested unions, as words. */
function explain(issues: readonly Issue[] | undefined, prefix: (string | number | symbol)[] = []): string | undefined {
  const first = issues?.[0];
  if (!first) return undefined;
  const path = [...prefix, ...first.path];
  if (first.code === 'invalid_union' && path[path.length - 1] === 'contact') {
    return `${path.join('.')}: name the contact as { "id": "…" } or { "email": "…" }`;
  }
  if (first.code === 'invalid_union') {
    // The branch that got furthest (its issues lie deepest) says what is wrong.
    const branches = [...first.errors].sort((a, b) => depth(b) - depth(a));
    return explain(branches[0], path) ?? `${path.join('.')}: not in any accepted form`;
  }
  return `${path.length ? `${path.join('.')}: ` : ''}${first.message}`;
}
const depth = (issues: readonly Issue[]) => Math.max(0, ...issues.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 0.5)));

/** A list of events, refused past {@link MAX_EVENTS} with a request to split it. */
const EventList = z
  .array(EventInput)
  .min(1, 'send at least one event')
  .max(MAX_EVENTS, `at most ${MAX_EVENTS.toLocaleString('en-US')} events in one request: split them into several requests`);

/** One event or a list of them (SPEC §1 "Events"). */
export const EventsBody = z.union([EventInput, EventList], {
  error: (iss) => {
    if (iss.code !== 'invalid_union') return undefined;
    const input: unknown = iss.input;
    if (typeof input !== 'object' || input === null) {
      return `send one event { "contact", "type", "at"?, "id"?, "props"? } or a list of up to ${MAX_EVENTS.toLocaleString('en-US')} events`;
    }
    return explain(Array.isArray(input) ? iss.errors[1] : iss.errors[0]);
  },
});

const IngestAnswer = z.object({
  accepted: z.number().meta({ description: 'Events stored and run' }),
  duplicates: z.number().meta({ description: 'Events whose id was already accepted: acknowledged, nothing changed' }),
  created: z.number().meta({ description: 'Contacts created for emails that matched none' }),
  warnings: z.array(z.string()).optional().meta({ description: 'Event types one slip from a known one that no map or model listens to ("page_visit: did you mean page_visited?"); the events are stored all the same' }),
});

/**
 * Types that look like a slip of a known one ("page_visit") and that nothing running listens to:
 * such events are stored and do nothing, which the sender should hear about.
 */
function slips(world: World, types: Iterable<string>): string[] {
  const heard = heardOf(world);
  return [...new Set(types)].flatMap((type) => {
    const near = heard.has(type) ? undefined : nearestKnownEvent(type);
    return near ? [`${type}: did you mean ${near}? No map or scoring model listens for "${type}", so these events change nothing`] : [];
  });
}

/** The event types some running map or scoring model listens to, worked out once per world (not per request). */
const heardOf = perWorld((world): ReadonlySet<string> => new Set<string>([
  ...world.maps.flatMap((m) => m.triggers.event.map((t) => t.on.event)),
  ...(world.models ?? []).flatMap((m) => [...m.eventRules.keys()]),
]));

/**
 * `POST /api/events` (SPEC §1, §6): takes in one event or up to 10,000, in one transaction, and
 * answers once they are committed. An event whose id was accepted before is a counted duplicate.
 */
export function eventsRouter(deps: AppDeps): ApiRouter {
  return new ApiRouter('/api/events', 'Events').op({
    method: 'post', scope: 'ingest', path: '/', summary: 'Send events (one, or a list of up to 10,000)', body: EventsBody, response: IngestAnswer,
    description: 'A contact named by an email that matches none is created; an id that matches none is refused with 404 and nothing is stored.',
  }, async (c, { body }) => c.json(await answerEvents(deps, Array.isArray(body) ? body : [body])));
}

/** What `POST /api/events` answers for its events, once they are committed (the route's, and the events lane's: `server/http/events-lane.ts`). */
export async function answerEvents(deps: AppDeps, events: readonly EventInput[]): Promise<z.infer<typeof IngestAnswer>> {
  const answer = await deps.rt.ingest(events);
  const warnings = slips(deps.rt.world, events.map((e) => e.type));
  return warnings.length ? { ...answer, warnings } : answer;
}
