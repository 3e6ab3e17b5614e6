import type { FieldValue } from '../../engine/elements/types.js';
import { Effects } from '../../engine/effects.js';
import { MAX_REQUEST_STEPS, processWork } from '../../engine/cascade.js';
import type { Cause, ContactState } from '../../engine/state.js';
import { coerceForField } from '../../engine/values.js';
import { mergeTags } from './import-batch.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { Runtime } from './runtime.js';

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

/** Changes fields of a contact; each change is recorded with `cause` and fires field_updated triggers. */
export async function updateContact(
  rt: Runtime,
  id: string,
  values: Readonly<Record<string, unknown>>,
  cause: Cause,
  /** Tags to add and remove (ignoring case), applied to the tags as they are inside the lock, so a concurrent change is not lost. */
  tagChanges?: { readonly add?: readonly string[]; readonly remove?: readonly string[] },
): Promise<ContactState> {
  const read = readFieldValues(rt, values);
  await rt.lock.run(() =>
    rt.transaction(async (s) => {
      const now = rt.clock.now();
      if (typeof read.email === 'string') {
        const owner = (await s.findIdsByEmail([read.email.trim().toLowerCase()])).values().next().value;
        if (owner && owner !== id) throw conflict(`Another contact already has the email "${read.email}"`);
      }
      // Read (and, on a shared database, locked) in the transaction that writes: a tag another
      // process adds meanwhile is not lost.
      const state = (await s.loadContacts([id])).get(id);
      if (!state) throw notFound(`No contact with id "${id}"`);
      const set = { ...read };
      if (tagChanges) {
        const remove = new Set((tagChanges.remove ?? []).map((t) => t.toLowerCase()));
        set.tags = mergeTags(state.tags, tagChanges.add ?? []).filter((t) => !remove.has(t.toLowerCase()));
      }
      await rt.runItems(s, [{ contactId: id, work: { kind: 'set', values: set, cause }, at: now }], { locked: true, catchUpTo: now, request: true });
    }),
  );
  const after = (await rt.store.loadContacts([id])).get(id);
  if (!after) throw notFound(`No contact with id "${id}"`);
  return after;
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
