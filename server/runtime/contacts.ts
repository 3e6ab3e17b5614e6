import type { FieldValue } from '../../engine/elements/types.js';
import { Effects } from '../../engine/effects.js';
import { MAX_REQUEST_STEPS, processWork, type Work } from '../../engine/cascade.js';
import type { Cause, ContactState } from '../../engine/state.js';
import { coerceForField } from '../../engine/values.js';
import { mergeTags } from './import-batch.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { Runtime } from './runtime.js';
import type { Store } from '../store/store.js';

/** A contact as a client gives it: an optional id and field values by key or label. */
export interface ContactInput {
  readonly id?: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Resolves field names (key or label) and makes each value fit its field; unknown fields are refused. */
export function readFieldValues(rt: Runtime, input: Readonly<Record<string, unknown>>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(input)) {
    const field = rt.world.fields.resolve(name);
    if (!field) throw badRequest(`Unknown field "${name}": create it first (POST /api/fields) or use one of its keys`);
    if (field.key === 'created_at') throw badRequest('Created is set by the system');
    try {
      out[field.key] = coerceForField(field, value);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
  }
  return out;
}

/**
 * Creates contacts (their contact_created triggers fire) in one transaction. An email already on
 * another contact is refused: emails are unique, ignoring case.
 */
export async function createContacts(rt: Runtime, inputs: readonly ContactInput[], cause: Cause): Promise<ContactState[]> {
  return rt.lock.run(async () => {
    const now = rt.clock.now();
    return rt.transaction(async (s) => {
      // Built inside the transaction: a rerun (after a race with another process) starts afresh.
      const states = inputs.map((i) => {
        const fields = readFieldValues(rt, i.fields ?? {});
        const { tags, ...rest } = fields;
        const c = rt.newContact(now, rest, i.id ?? rt.ids());
        c.tags = Array.isArray(tags) ? [...tags] : [];
        return c;
      });
      const existing = await s.loadContacts(states.map((c) => c.id));
      if (existing.size) throw conflict(`A contact with id "${[...existing.keys()][0]}" already exists`);
      const emails = states.map((c) => c.fields.email).filter((e): e is string => typeof e === 'string').map((e) => e.trim().toLowerCase());
      if (new Set(emails).size !== emails.length) throw conflict('Two contacts have the same email');
      const taken = emails.length ? await s.findIdsByEmail(emails) : new Map();
      if (taken.size) throw conflict(`A contact with email "${[...taken.keys()][0]}" already exists`);
      await s.insertContacts(states.map((c) => ({ id: c.id, fields: c.fields, tags: c.tags, createdAt: now })));
      const effects = new Effects({ stepBudget: MAX_REQUEST_STEPS });
      for (const c of states) {
        // The first values are recorded (so history explains them) but are not changes that fire triggers.
        for (const [field, to] of Object.entries(c.fields)) {
          if (field !== 'created_at') effects.changes.push({ contactId: c.id, at: now, field, from: null, to, cause });
        }
        if (c.tags.length) effects.changes.push({ contactId: c.id, at: now, field: 'tags', from: [], to: c.tags, cause });
        processWork(rt.world, c, { kind: 'created' }, now, effects);
      }
      // What they made due now (a date trigger on a date long past) runs before the answer.
      await rt.catchUpAfter(s, new Map(states.map((c) => [c.id, c])), now, effects);
      await rt.flush(s, effects, now);
      return states;
    });
  });
}

/** What a change by hand decided, from the contact as it is inside the lock: the work to run (null: nothing to do) and what to answer. */
export interface HandChange<T> {
  readonly work: Work | null;
  readonly answer: T;
}

/**
 * A change made by hand that depends on what the contact holds (SPEC §12: adjust a score, qualify,
 * edit): under this process's lock and in one transaction, the contact is read (locked on a shared
 * database, so another worker's change waits), its due work runs, then `decide` chooses the work
 * from the contact as it is now — two changes at once each see the other's result — and the work
 * runs as any change does (field_updated triggers, condition waits, the ledger, webhooks).
 * `within` then runs in the same transaction with the contact before and after (the audit entry
 * commits with the change, or neither does). Answers the contact after, and what `decide` answered.
 */
export async function changeContact<T>(
  rt: Runtime,
  id: string,
  decide: (state: ContactState, s: Store, now: number) => HandChange<T> | Promise<HandChange<T>>,
  within?: (s: Store, before: ContactState, after: ContactState, answer: T, now: number) => Promise<void>,
): Promise<{ contact: ContactState; answer: T }> {
  return rt.lock.run(() =>
    rt.transaction(async (s) => {
      const now = rt.clock.now();
      const states = await rt.loadStates(s, [id], { locked: true });
      const state = states.get(id);
      if (!state) throw notFound(`No contact with id "${id}"`);
      // What was due before now first: the decision reads the contact as it is at this moment.
      await rt.catchUpFirst(s, states, now);
      const before: ContactState = { ...state, fields: { ...state.fields }, tags: [...state.tags], positions: new Map(state.positions) };
      const { work, answer } = await decide(state, s, now);
      if (work) await rt.runItems(s, [{ contactId: id, work, at: now }], { locked: true, catchUpTo: now, request: true });
      const after = (await s.loadContacts([id])).get(id);
      if (!after) throw notFound(`No contact with id "${id}"`);
      await within?.(s, before, after, answer, now);
      return { contact: after, answer };
    }),
  );
}

/** Changes fields of a contact; each change is recorded with `cause` and fires field_updated triggers. */
export async function updateContact(
  rt: Runtime,
  id: string,
  values: Readonly<Record<string, unknown>>,
  cause: Cause,
  /** Tags to add and remove (ignoring case), applied to the tags as they are inside the lock, so a concurrent change is not lost. */
  tagChanges?: { readonly add?: readonly string[]; readonly remove?: readonly string[] },
  /** Runs in the change's transaction with the contact before and after (an audit entry). */
  within?: (s: Store, before: ContactState, after: ContactState, now: number) => Promise<void>,
): Promise<ContactState> {
  const read = readFieldValues(rt, values);
  const { contact } = await changeContact(rt, id, async (state, s) => {
    if (typeof read.email === 'string') {
      const owner = (await s.findIdsByEmail([read.email.trim().toLowerCase()])).values().next().value;
      if (owner && owner !== id) throw conflict(`Another contact already has the email "${read.email}"`);
    }
    const set = { ...read };
    if (tagChanges) {
      const remove = new Set((tagChanges.remove ?? []).map((t) => t.toLowerCase()));
      set.tags = mergeTags(state.tags, tagChanges.add ?? []).filter((t) => !remove.has(t.toLowerCase()));
    }
    return { work: { kind: 'set', values: set, cause }, answer: undefined };
  }, within && ((s, before, after, _answer, now) => within(s, before, after, now)));
  return contact;
}

/** Adds contacts to a map through its manual trigger (SPEC §6 `POST /api/maps/:id/contacts`). */
export async function addToMap(rt: Runtime, mapId: string, contactIds: readonly string[]): Promise<{ added: number }> {
  const map = rt.world.maps.find((m) => m.id === mapId);
  if (!map) throw notFound(`No published map with id "${mapId}"`);
  const trigger = map.triggers.manual[0];
  if (!trigger) throw conflict('This map has no "added by hand" trigger: add one to let contacts be added to it');
  await rt.lock.run(async () => {
    const known = await rt.store.loadContacts(contactIds);
    const unknown = contactIds.filter((c) => !known.has(c));
    if (unknown.length) throw notFound(`No contact with id "${unknown[0]}"`);
    const at = rt.clock.now();
    await rt.runBatch(contactIds.map((contactId) => ({ contactId, work: { kind: 'enter', mapId, elementId: trigger.id }, at })), { catchUpTo: at, request: true });
  });
  return { added: contactIds.length };
}
