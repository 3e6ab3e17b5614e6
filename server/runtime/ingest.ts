import { MAX_REQUEST_STEPS, processWork, type EngineEvent } from '../../engine/cascade.js';
import { Effects } from '../../engine/effects.js';
import type { EventInput } from '../../engine/schema/event.js';
import type { ContactState } from '../../engine/state.js';
import { AppError, notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import { EventCohorts } from './event-cohort.js';
import type { Runtime } from './runtime.js';

/** What one request of events is answered. */
export interface IngestAnswer {
  readonly accepted: number;
  readonly duplicates: number;
  readonly created: number;
}

/** An accepted event, with the request it came in. */
interface Fresh {
  readonly request: number;
  readonly input: EventInput;
  readonly id: string;
  readonly email?: string;
}

const emailOf = (e: EventInput): string | undefined => ('email' in e.contact ? e.contact.email.trim().toLowerCase() : undefined);

/**
 * The events of `requests`, in order, that are not duplicates: an id stored before, or accepted
 * earlier in the group (a request refused is passed by: its events were never accepted).
 */
function freshEvents(rt: Runtime, requests: readonly (readonly EventInput[])[], existing: ReadonlySet<string>, refused: ReadonlySet<number>): Fresh[] {
  const seen = new Set<string>();
  const fresh: Fresh[] = [];
  for (const [request, events] of requests.entries()) {
    if (refused.has(request)) continue;
    for (const e of events) {
      if (e.id !== undefined && (existing.has(e.id) || seen.has(e.id))) continue;
      const id = e.id ?? rt.ids();
      seen.add(id);
      fresh.push({ request, input: e, id, email: emailOf(e) });
    }
  }
  return fresh;
}

/**
 * Takes in the events of several requests in the caller's transaction, as if each request had
 * its own transaction, one after the other, at `now` (SPEC §6 "Events"): duplicates by id are
 * counted and skipped (an id accepted by an earlier request of the group is a duplicate in a
 * later one), contacts named by an unknown email are created (counted for the first request
 * naming them), every event runs through every published map, each request's steps held to
 * MAX_REQUEST_STEPS. Each contact's work due before now runs first, and what a request's events
 * make due now runs before the next request's events.
 *
 * A request naming a contact id that does not exist is refused (its answer is the error) and
 * nothing of it is written; the others go on. The engine works on each contact alone, so running
 * the group's catch-up first, before any request's events, changes no contact's order of work.
 */
export async function ingestGroup(rt: Runtime, s: Store, requests: readonly (readonly EventInput[])[], now: number): Promise<(IngestAnswer | AppError)[]> {
  const given = requests.flatMap((events) => events.flatMap((e) => (e.id === undefined ? [] : [e.id])));
  const named = requests.flat();
  const allEmails = [...new Set(named.flatMap((e) => emailOf(e) ?? []))];
  const { existing, byEmail } = await s.knownEventsAndEmails(given, allEmails);
  const ids = new Set<string>(byEmail.values());
  for (const e of named) if ('id' in e.contact) ids.add(e.contact.id);
  // The contacts locked, their timers due by now and the contacts read: one round trip where the
  // database can (the timers read after the locks, so no other process changes them meanwhile).
  await s.lockContactsLater([...ids]);
  const storedTimers = await s.dueDateTimersSoon([...ids], now);
  const loaded = await rt.loadStates(s, [...ids], { locked: true });

  // A request whose accepted events name an unknown id is refused; refusing one can make another's
  // event (the same id) accepted, so this settles in a few rounds at most.
  const refused = new Map<number, AppError>();
  let fresh: Fresh[];
  for (;;) {
    fresh = freshEvents(rt, requests, existing, new Set(refused.keys()));
    const missing = new Map<number, string[]>();
    for (const f of fresh) {
      if (!('id' in f.input.contact) || loaded.has(f.input.contact.id)) continue;
      const list = missing.get(f.request) ?? [];
      if (!list.includes(f.input.contact.id)) list.push(f.input.contact.id);
      missing.set(f.request, list);
    }
    if (!missing.size) break;
    for (const [request, list] of missing) {
      refused.set(request, notFound(`No contact with id ${list.slice(0, 5).map((m) => `"${m}"`).join(', ')}${list.length > 5 ? ', …' : ''}: create it first, or name it by email`));
    }
  }

  // Only the contacts the accepted events name are caught up and run.
  const states = new Map<string, ContactState>();
  /** The request that names each contact first: its catch-up counts against that request's budget. */
  const firstNamedBy = new Map<string, number>();
  for (const f of fresh) {
    const id = f.email !== undefined ? byEmail.get(f.email) : (f.input.contact as { id: string }).id;
    const state = id === undefined ? undefined : loaded.get(id);
    if (state && !states.has(state.id)) {
      states.set(state.id, state);
      firstNamedBy.set(state.id, f.request);
    }
  }
  // Whatever came due for these contacts before this instant runs before their events, each
  // request's contacts in a budget of their own.
  await rt.catchUpFirst(s, states, now, firstNamedBy, storedTimers);

  const effects = new Effects({ stepBudget: MAX_REQUEST_STEPS });
  const answers = requests.map(() => ({ accepted: 0, duplicates: 0, created: 0 }));
  // New contacts, in the order of the requests that create them.
  const created: { readonly request: number; readonly contact: ContactState }[] = [];
  for (const f of fresh) {
    if (f.email === undefined || byEmail.has(f.email)) continue;
    const c = rt.newContact(now, { email: f.email });
    byEmail.set(f.email, c.id);
    created.push({ request: f.request, contact: c });
    answers[f.request]!.created++;
    // History explains the new contact's email, as it does for contacts created through the API.
    effects.changes.push({ contactId: c.id, at: now, field: 'email', from: null, to: f.email, cause: { event: { id: f.id, type: f.input.type } } });
  }
  if (created.length) await s.insertContacts(created.map(({ contact: c }) => ({ id: c.id, fields: c.fields, tags: c.tags, createdAt: now })));
  let born = 0;
  const engineEvent = (f: Fresh): EngineEvent => ({ id: f.id, type: f.input.type, at: f.input.at ? Date.parse(f.input.at) : now, props: f.input.props ?? {} });
  const contactOf = (f: Fresh): string => (f.email !== undefined ? byEmail.get(f.email)! : (f.input.contact as { id: string }).id);
  // Events that need no per-contact run (see `EventCohorts`); the contacts this group creates are not among them.
  const bornIds = new Set(created.map((c) => c.contact.id));
  const cohorts = await EventCohorts.plan(rt, s, fresh.map((f) => ({ contactId: bornIds.has(contactOf(f)) ? undefined : contactOf(f), event: engineEvent(f) })), states, now);

  const rows = [];
  let request = -1;
  for (const f of fresh) {
    if (f.request !== request) {
      // The next request: what the one before made due now runs first, and its steps count anew.
      if (request >= 0) await rt.catchUpAfter(s, states, now, effects);
      request = f.request;
      effects.stepsBefore = effects.steps;
      // The contacts this request creates start now, in its budget: started earlier, the catch-up
      // after an earlier request would run what their creation made due before their own events.
      for (; born < created.length && created[born]!.request === request; born++) {
        const c = created[born]!.contact;
        states.set(c.id, c);
        processWork(rt.world, c, { kind: 'created' }, now, effects);
      }
    }
    const e = f.input;
    const contactId = contactOf(f);
    const event = engineEvent(f);
    rows.push({ id: f.id, contactId, type: e.type, at: event.at, props: e.props ?? null, acceptedAt: now });
    if (!cohorts.take(contactId, effects)) processWork(rt.world, states.get(contactId)!, { kind: 'event', event }, now, effects);
    answers[f.request]!.accepted++;
  }
  if (rows.length) await s.insertEvents(rows);
  await rt.catchUpAfter(s, states, now, effects);
  await cohorts.run(s, effects);
  // Every contact written was loaded and locked above, or inserted.
  await rt.flush(s, effects, now, { existing: true });
  return requests.map((events, i) => refused.get(i) ?? { ...answers[i]!, duplicates: events.length - answers[i]!.accepted });
}
