import type { FieldValue } from '../../engine/elements/types.js';
import { Effects } from '../../engine/effects.js';
import { MAX_REQUEST_STEPS, processWork } from '../../engine/cascade.js';
import type { Cause, ContactState } from '../../engine/state.js';
import { AppError } from '../errors.js';
import { normalizeEmail } from '../store/columns.js';
import { readFieldValues } from './contacts.js';
import type { Runtime } from './runtime.js';

/** One row to import: a contact named by id or by email (or neither: a new contact). */
export interface ImportRow {
  /** Where the row came from, for error reports (a spreadsheet's row number, a list's 1-based index). */
  readonly row: number;
  /** The line of the file the row starts on, when it came from one. */
  readonly line?: number;
  readonly id?: string;
  /** Values by field key or label; tags add to the contact's tags. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly tags?: readonly string[];
}

/** A row that was skipped, and why. */
export interface RowError {
  readonly row: number;
  readonly line?: number;
  readonly message: string;
}

/** What a batch did. */
export interface BatchResult {
  created: number;
  updated: number;
  errors: RowError[];
}

/** Adds tags to a list, ignoring case: a tag already there (as "VIP" or "vip") is kept as it is. */
export function mergeTags(current: readonly string[], add: readonly string[]): string[] {
  const out = [...current];
  const seen = new Set(current.map((t) => t.toLowerCase()));
  for (const t of add) {
    if (!seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      out.push(t);
    }
  }
  return out;
}

/**
 * Upserts a batch of rows in one transaction, in row order: a row naming an existing contact (by
 * id, else by email, ignoring case) updates it — each change recorded with `cause` and firing
 * field_updated and tag triggers — and any other row creates a contact (its contact_created
 * triggers fire). Empty values leave fields as they are. A row that cannot be applied (an unknown
 * field, a value of the wrong type, an email that belongs to another contact) is reported and
 * skipped; the others are applied. Takes the runtime's turn for the batch only, so events flow
 * between batches. The contacts' due work runs in time order around the rows (see `catchUp`);
 * whatever else is due is the scheduler's.
 */
export async function importBatch(rt: Runtime, rows: readonly ImportRow[], cause: Cause): Promise<BatchResult> {
  const result = await rt.lock.run(async () => {
    const now = rt.clock.now();
    return rt.transaction(async (s) => {
      // Counted inside the transaction: a rerun (after a race with another process) counts afresh.
      const out: BatchResult = { created: 0, updated: 0, errors: [] };
      const emailOf = (r: ImportRow): string | null => {
        // As it will be stored: the email field is text, so 42 is "42".
        for (const [name, v] of Object.entries(r.fields)) {
          if (rt.world.fields.resolve(name)?.key === 'email') return normalizeEmail(typeof v === 'number' || typeof v === 'boolean' ? String(v) : (v as FieldValue));
        }
        return null;
      };
      const byEmail = await s.findIdsByEmail(rows.map(emailOf).filter((e): e is string => e !== null));
      const states = await s.loadContacts([...rows.flatMap((r) => (r.id === undefined ? [] : [r.id])), ...byEmail.values()]);
      // Their work due before now runs before the rows change them.
      await rt.catchUpFirst(s, states, now);
      const created: { state: ContactState; fields: Record<string, FieldValue>; tags: string[] }[] = [];
      const effects = new Effects({ stepBudget: MAX_REQUEST_STEPS });
      for (const r of rows) {
        try {
          const values = readFieldValues(rt, nonEmpty(r.fields));
          const { tags: tagValue, ...fields } = values;
          const tags = mergeTags(Array.isArray(tagValue) ? tagValue : [], r.tags ?? []);
          const email = normalizeEmail(fields.email);
          const owner = email === null ? undefined : byEmail.get(email);
          const id = r.id ?? owner;
          if (owner !== undefined && id !== owner) throw new AppError(409, `The email "${fields.email}" belongs to another contact ("${owner}")`);
          const existing = id === undefined ? undefined : states.get(id);
          if (existing) {
            const before = normalizeEmail(existing.fields.email);
            const set: Record<string, unknown> = { ...fields };
            // The key it was found by keeps its spelling: "ANN@x.com" does not rewrite "ann@x.com".
            if (email !== null && email === before) delete set.email;
            if (tags.length) set.tags = mergeTags(existing.tags, tags);
            processWork(rt.world, existing, { kind: 'set', values: set, cause }, now, effects);
            if (before !== null && before !== email && email !== null) byEmail.delete(before);
            if (email !== null) byEmail.set(email, existing.id);
            out.updated++;
          } else {
            const state = rt.newContact(now, fields, id ?? rt.ids());
            state.tags = tags;
            // The first values are recorded (so history explains them) but are not changes that fire triggers.
            for (const [field, to] of Object.entries(state.fields)) {
              if (field !== 'created_at') effects.changes.push({ contactId: state.id, at: now, field, from: null, to, cause });
            }
            if (tags.length) effects.changes.push({ contactId: state.id, at: now, field: 'tags', from: [], to: tags, cause });
            created.push({ state, fields: { ...state.fields }, tags: [...tags] });
            states.set(state.id, state);
            if (email !== null) byEmail.set(email, state.id);
            processWork(rt.world, state, { kind: 'created' }, now, effects);
            out.created++;
          }
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          out.errors.push({ row: r.row, ...(r.line === undefined ? {} : { line: r.line }), message: e.message });
        }
      }
      // New contacts are inserted with their first values; what maps did to them is written next.
      if (created.length) await s.insertContacts(created.map((c) => ({ id: c.state.id, fields: c.fields, tags: c.tags, createdAt: now })));
      await rt.catchUpAfter(s, states, now, effects);
      await rt.flush(s, effects, now);
      return out;
    });
  });
  return result;
}

/** Drops empty values: an empty cell in an import leaves the field as it is. */
function nonEmpty(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined && v !== '') out[k] = v;
  return out;
}
