/**
 * Takes in calls from other tools (SPEC §10 "Segment-compatible intake") in one transaction: finds
 * or creates the person each call is about, merges an anonymous visitor into the known person a
 * call identifies, sets fields from traits and runs events through every published map, as
 * `POST /api/events` does.
 */
import { MAX_REQUEST_STEPS, processWork, type Work } from '../../engine/cascade.js';
import { Effects } from '../../engine/effects.js';
import type { FieldValue } from '../../engine/elements/types.js';
import type { Cause, ContactState } from '../../engine/state.js';
import { GROUP_EVENTS, type Runtime } from '../runtime/runtime.js';
import type { GroupCommit } from '../runtime/group-commit.js';
import { normalizeEmail } from '../store/columns.js';
import type { Store } from '../store/store.js';
import { findIdsByAnonymousId, findIdsByExternalId, recordAnonymousIds } from './identity.js';
import { isAnonymous, mergeContacts } from './merge.js';
import type { IntakeCall } from './segment.js';


export interface TakeInResult {
  readonly accepted: number;
  readonly duplicates: number;
  readonly created: number;
  readonly merged: number;
}

/** Whether a contact may be the person a call names: it has no other user id, and no other email. */
function fits(c: ContactState, userId: string | undefined, email: string | null): boolean {
  const ext = c.fields.external_id ?? null;
  const own = normalizeEmail(c.fields.email ?? null);
  return (userId === undefined || ext === null || ext === userId) && (email === null || own === null || own === email);
}

/**
 * Who a batch's calls name, kept up to date while the calls are taken in order (a contact created
 * or merged by one call is found by the next).
 */
class Directory {
  readonly byExternal = new Map<string, string>();
  readonly byEmail = new Map<string, string>();
  readonly byAnonymous = new Map<string, string>();
  readonly states = new Map<string, ContactState>();

  learn(c: ContactState): void {
    this.states.set(c.id, c);
    const ext = c.fields.external_id;
    if (typeof ext === 'string' && ext !== '') this.byExternal.set(ext, c.id);
    const email = normalizeEmail(c.fields.email ?? null);
    if (email) this.byEmail.set(email, c.id);
  }

  readonly #mergedInto = new Map<string, string>();

  /** After a merge: every identity of `from` names `to`. */
  moved(from: string, to: string): void {
    for (const m of [this.byExternal, this.byEmail, this.byAnonymous]) for (const [k, v] of m) if (v === from) m.set(k, to);
    this.states.delete(from);
    this.#mergedInto.set(from, to);
  }

  /** The contact `id` is now: itself, or the one it was merged into (through every merge of the batch). */
  current(id: string): string {
    let at = id;
    while (this.#mergedInto.has(at)) at = this.#mergedInto.get(at)!;
    return at;
  }

  get(id: string | undefined): ContactState | undefined {
    return id === undefined ? undefined : this.states.get(id);
  }
}

/**
 * Takes in translated calls, in order, in one transaction; resolves once committed. Events whose
 * id is already stored are duplicates (counted, skipped). A call is about the contact whose
 * `external_id` is its user id, else whose email it carries, else who was seen with its anonymous
 * id; a person none of these finds is created. A call that names a known person and an anonymous
 * id seen on an anonymous contact merges that contact into the person (its points are added);
 * an anonymous id seen on a contact that is someone else (an email or external id of its own, as on
 * a shared computer) stays where it is.
 */
export function takeIn(rt: Runtime, calls: readonly IntakeCall[]): Promise<TakeInResult> {
  let group = groups.get(rt);
  if (!group) {
    group = rt.groupCommit<readonly IntakeCall[], TakeInResult>({
      maxSize: GROUP_EVENTS,
      size: (c) => c.length,
      run: (requests) => {
        const now = rt.clock.now();
        return rt.transaction((s) => takeInGroup(rt, s, requests, now));
      },
    });
    groups.set(rt, group);
  }
  return group.submit(calls);
}

/** A merge in a request after the first of its group (see `takeInGroup`): the group runs again a request at a time. */
class MergeLaterInGroup extends Error {
  constructor() {
    super('a merge in a later request of a group');
  }
}

/** Each runtime's group commit of intake requests (Segment calls, the tracker's). */
const groups = new WeakMap<Runtime, GroupCommit<readonly IntakeCall[], TakeInResult>>();

/**
 * The calls of several requests in the caller's transaction, in order, as if each request had its
 * own transaction one after the other (see `ingestGroup` for events): an event id taken in by an
 * earlier request is a duplicate in a later one, each request counts the contacts it created and
 * merged, and has a step budget of its own.
 */
async function takeInGroup(rt: Runtime, s: Store, requests: readonly (readonly IntakeCall[])[], now: number): Promise<TakeInResult[]> {
  const calls = requests.flat();
  const requestOf = requests.flatMap((r, i) => r.map(() => i));
  const counts = requests.map((r) => ({ accepted: 0, duplicates: r.length, created: 0, merged: 0 }));
  let current = 0;
  const eventIds = calls.flatMap((c) => (c.event ? [c.event.id] : []));
  const stored = eventIds.length ? await s.existingEventIds(eventIds) : new Set<string>();
  const seen = new Set<string>();
  const freshIndex: number[] = [];
  const fresh = calls.filter((c, i) => {
    if (c.event && (stored.has(c.event.id) || seen.has(c.event.id))) return false;
    if (c.event) seen.add(c.event.id);
    freshIndex.push(i);
    counts[requestOf[i]!]!.accepted++;
    counts[requestOf[i]!]!.duplicates--;
    return true;
  });

  const dir = new Directory();
  const externals = fresh.flatMap((c) => [c.who.userId, c.alias?.previousId]).filter((x): x is string => x !== undefined);
  const emails = fresh.map((c) => normalizeEmail(c.who.email ?? null)).filter((x): x is string => x !== null);
  const anonymous = fresh.flatMap((c) => [c.who.anonymousId, c.alias?.previousId]).filter((x): x is string => x !== undefined);
  for (const [k, v] of externals.length ? await findIdsByExternalId(s.db, externals) : []) dir.byExternal.set(k, v);
  for (const [k, v] of emails.length ? await s.findIdsByEmail(emails) : []) dir.byEmail.set(k, v);
  for (const [k, v] of anonymous.length ? await findIdsByAnonymousId(s.db, anonymous) : []) dir.byAnonymous.set(k, v);
  const ids = new Set([...dir.byExternal.values(), ...dir.byEmail.values(), ...dir.byAnonymous.values()]);
  const loaded = await rt.loadStates(s, [...ids], { locked: true });
  for (const c of loaded.values()) dir.learn(c);
  // Whatever came due for these contacts before this instant runs before their calls, each
  // request's contacts (those it names first) in a budget of their own, as alone.
  const firstNamedBy = new Map<string, number>();
  const inOrder = new Map<string, ContactState>();
  fresh.forEach((c, k) => {
    const at = (m: ReadonlyMap<string, string>, key: string | null | undefined) => (key == null ? undefined : m.get(key));
    const previous = c.alias?.previousId;
    const named = [at(dir.byExternal, c.who.userId), at(dir.byExternal, previous), at(dir.byEmail, normalizeEmail(c.who.email ?? null)), at(dir.byAnonymous, c.who.anonymousId), at(dir.byAnonymous, previous)];
    for (const id of named) {
      const state = id === undefined ? undefined : loaded.get(id);
      if (!state || inOrder.has(state.id)) continue;
      inOrder.set(state.id, state);
      firstNamedBy.set(state.id, requestOf[freshIndex[k]!]!);
    }
  });
  await rt.catchUpFirst(s, inOrder, now, firstNamedBy);

  const effects = new Effects({ stepBudget: MAX_REQUEST_STEPS });
  const created: ContactState[] = [];
  const newAnonymous: { anonymousId: string; contactId: string }[] = [];
  const work: { contactId: string; work: Work; request: number }[] = [];
  const events: { id: string; contactId: string; type: string; at: number; props: Record<string, unknown> | null; acceptedAt: number }[] = [];

  const create = (fields: Record<string, FieldValue>, cause: Cause): ContactState => {
    const c = rt.newContact(now, fields);
    for (const [field, to] of Object.entries(fields)) effects.changes.push({ contactId: c.id, at: now, field, from: null, to, cause });
    created.push(c);
    counts[current]!.created++;
    dir.learn(c);
    return c;
  };
  const remember = (anonymousId: string | undefined, c: ContactState) => {
    if (anonymousId === undefined || dir.byAnonymous.has(anonymousId)) return;
    dir.byAnonymous.set(anonymousId, c.id);
    newAnonymous.push({ anonymousId, contactId: c.id });
  };
  const merge = async (master: ContactState, other: ContactState) => {
    // The group resolves every request's calls before any request's work runs: a merge in a later
    // request would come before an earlier request's events. Such a group runs a request at a time.
    if (current > 0) throw new MergeLaterInGroup();
    // A contact created by this batch is written before it is merged away.
    await writeCreated();
    await mergeContacts(rt, s, master, other, now, effects, 'segment');
    dir.moved(other.id, master.id);
    counts[current]!.merged++;
  };
  const writeCreated = async () => {
    const unwritten = created.splice(0);
    if (!unwritten.length) return;
    await s.insertContacts(unwritten.map((c) => ({ id: c.id, fields: c.fields, tags: c.tags, createdAt: now })));
    for (const c of unwritten) processWork(rt.world, c, { kind: 'created' }, now, effects);
  };

  for (const [k, call] of fresh.entries()) {
    current = requestOf[freshIndex[k]!]!;
    const cause: Cause = { event: { id: call.id, type: call.method } };
    const email = normalizeEmail(call.who.email ?? null);
    let contact: ContactState;
    if (call.alias) {
      // alias: previousId (a user id or an anonymous id) and userId are one person.
      const { previousId, userId } = call.alias;
      const before = dir.get(dir.byExternal.get(previousId) ?? dir.byAnonymous.get(previousId));
      const after = dir.get(dir.byExternal.get(userId));
      if (before && after && before.id !== after.id) {
        await merge(after, before);
        contact = after;
      } else if (before && !after) {
        contact = before;
        if ((before.fields.external_id ?? null) === null) work.push({ contactId: before.id, work: { kind: 'set', values: { external_id: userId }, cause }, request: current });
        dir.byExternal.set(userId, before.id);
      } else if (after) {
        contact = after;
        remember(previousId, after);
      } else {
        contact = create({ external_id: userId }, cause);
        remember(previousId, contact);
      }
    } else {
      let known = dir.get(call.who.userId !== undefined ? dir.byExternal.get(call.who.userId) : undefined);
      // An email finds its contact unless that contact is another user of the sending app.
      const byEmail = dir.get(email ? dir.byEmail.get(email) : undefined);
      if (!known && byEmail && (call.who.userId === undefined || (byEmail.fields.external_id ?? null) === null)) known = byEmail;
      let seenAs = dir.get(call.who.anonymousId !== undefined ? dir.byAnonymous.get(call.who.anonymousId) : undefined);
      // The anonymous id's contact is someone else when it has another user id or email than
      // the call gives (a shared computer): the call is about a new person.
      if (!known && seenAs && !fits(seenAs, call.who.userId, email)) seenAs = undefined;
      if (known && seenAs && seenAs.id !== known.id) {
        if (isAnonymous(seenAs)) await merge(known, seenAs);
        contact = known;
      } else if (known) {
        contact = known;
        remember(call.who.anonymousId, known);
      } else if (seenAs) {
        contact = seenAs;
      } else {
        const first: Record<string, FieldValue> = {};
        if (call.who.userId !== undefined) first.external_id = call.who.userId;
        if (email && !dir.byEmail.has(email)) first.email = call.who.email!.trim();
        if (call.who.anonymousId !== undefined) first.anonymous_id = call.who.anonymousId;
        contact = create(first, cause);
        remember(call.who.anonymousId, contact);
      }
      // What the call tells of who the contact is, when the contact did not know it yet.
      const learned: Record<string, FieldValue> = {};
      if (call.who.userId !== undefined && (contact.fields.external_id ?? null) === null && !dir.byExternal.has(call.who.userId)) {
        learned.external_id = call.who.userId;
        dir.byExternal.set(call.who.userId, contact.id);
      }
      if (email && (contact.fields.email ?? null) === null && !dir.byEmail.has(email)) {
        learned.email = call.who.email!.trim();
        dir.byEmail.set(email, contact.id);
      }
      if (Object.keys(learned).length) work.push({ contactId: contact.id, work: { kind: 'set', values: learned, cause }, request: current });
    }
    if (call.fields && Object.keys(call.fields).length) {
      const values = { ...call.fields };
      // Emails are unique: one that belongs to someone else is not taken over by a trait.
      const traitEmail = normalizeEmail(values.email ?? null);
      if (traitEmail && dir.byEmail.get(traitEmail) !== undefined && dir.byEmail.get(traitEmail) !== contact.id) delete values.email;
      else if (traitEmail) dir.byEmail.set(traitEmail, contact.id);
      if (Object.keys(values).length) work.push({ contactId: contact.id, work: { kind: 'set', values, cause }, request: current });
    }
    if (call.event) {
      const event = { id: call.event.id, type: call.event.type, at: call.event.at, props: call.event.props };
      work.push({ contactId: contact.id, work: { kind: 'event', event }, request: current });
      events.push({ id: call.id, contactId: contact.id, type: event.type, at: event.at, props: Object.keys(event.props).length ? { ...event.props } : null, acceptedAt: now });
    }
  }
  await writeCreated();
  if (newAnonymous.length) await recordAnonymousIds(s.db, newAnonymous.map((a) => ({ ...a, contactId: dir.current(a.contactId) })), now);
  // In call order, on the contact each call is about now: a call before a merge in this batch
  // counts for the master (an anonymous visitor's page views give the person their points).
  let request = -1;
  for (const item of work) {
    if (item.request !== request) {
      // The next request: what the one before made due now runs first, and its steps count anew.
      if (request >= 0) await rt.catchUpAfter(s, dir.states, now, effects);
      request = item.request;
      effects.stepsBefore = effects.steps;
    }
    const state = dir.states.get(dir.current(item.contactId));
    if (state) processWork(rt.world, state, item.work, now, effects);
  }
  if (events.length) await s.insertEvents(events.map((e) => ({ ...e, contactId: dir.current(e.contactId) })));
  await rt.catchUpAfter(s, dir.states, now, effects);
  await rt.flush(s, effects, now);
  return counts;
}
