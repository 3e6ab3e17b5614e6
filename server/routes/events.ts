import { z } from 'zod';
import { EventInput } from '../../engine/schema/event.js';
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
});

/**
 * `POST /api/events` (SPEC §1, §6): takes in one event or up to 10,000, in one transaction, and
 * answers once they are committed. An event whose id was accepted before is a counted duplicate.
 */
export function eventsRouter(deps: AppDeps): ApiRouter {
  return new ApiRouter('/api/events', 'Events').op({
    method: 'post', scope: 'ingest', path: '/', summary: 'Send events (one, or a list of up to 10,000)', body: EventsBody, response: IngestAnswer,
    description: 'A contact named by an email that matches none is created; an id that matches none is refused with 404 and nothing is stored.',
  }, async (c, { body }) => c.json(await deps.rt.ingest(Array.isArray(body) ? body : [body])));
}
