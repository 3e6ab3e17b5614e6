import type { Insertable, Kysely, Selectable } from 'kysely';
import type { FieldValue } from '../../engine/elements/types.js';
import type { ContactState, Position } from '../../engine/state.js';
import { chunk, groupBy } from './chunk.js';
import { fieldColumn, fromColumn, normalizeEmail, toColumn } from './columns.js';
import { tableOf, together } from './dialect.js';
import type { FieldCatalog } from './fields-store.js';
import { POSITION_COLUMNS, positionFromRow } from './positions-store.js';
import { RowStatement, updateStatement } from './row-statement.js';
import type { DB } from './schema.js';
import { loadLedger, type CountedRules } from '../scoring/ledger-store.js';

type ContactRow = Insertable<DB['contacts']>;
type RuleRow = Pick<Selectable<DB['scoring_rule_states']>, 'contact_id' | 'model_id' | 'rule_id' | 'points'>;

type Ids = { ids: readonly string[] };
const contactsById = new RowStatement<Ids>((db, p) => db.selectFrom('contacts').selectAll().where('id', 'in', p.list('ids')));
// Columns named, not *: these reads may be kept prepared (see `Dialect.keep`). The contacts' columns change with the fields.
const tagsOf = new RowStatement<Ids>((db, p) => db.selectFrom('contact_tags').select(['contact_id', 'tag']).where('contact_id', 'in', p.list('ids')).orderBy('contact_id').orderBy('tag'));
const positionsOf = new RowStatement<Ids>((db, p) => db.selectFrom('positions').select(POSITION_COLUMNS).where('contact_id', 'in', p.list('ids')));
const rulesOf = new RowStatement<Ids>((db, p) => db.selectFrom('scoring_rule_states').select(['contact_id', 'model_id', 'rule_id', 'points']).where('contact_id', 'in', p.list('ids')));
/** Contacts by normalized email. */
export const idsByEmail = new RowStatement<{ emails: readonly string[] }>((db, p) => db.selectFrom('contacts').select(['id', 'email_norm']).where('email_norm', 'in', p.list('emails')));

/** Reads contacts with their tags and positions; ids not found are absent from the result. */
export async function loadContacts(
  db: Kysely<DB>,
  catalog: FieldCatalog,
  ids: readonly string[],
  opts: { rules?: boolean; ledger?: CountedRules } = {},
): Promise<Map<string, ContactState>> {
  const out = new Map<string, ContactState>();
  for (const part of chunk([...new Set(ids)])) {
    // One round trip where the dialect can: a contact's tags, places and rules exist only while it does.
    const ids = { ids: part };
    // Contacts are wide rows (a column per field): on SQLite's connection they are read as arrays,
    // about half the cost of an object per row. Elsewhere they go with the other reads.
    const direct = contactsById.table(db, ids);
    const answers = await together<unknown[]>(db, [
      ...(direct ? [] : [contactsById.with(db, ids)]),
      tagsOf.with(db, ids),
      positionsOf.with(db, ids),
      // The scoring rules each contact holds matter only when a scoring model runs.
      ...(opts.rules === false ? [] : [rulesOf.with(db, ids)]),
    ] as never);
    const table = direct ?? tableOf(answers.shift() as Record<string, unknown>[]);
    const [tags, positions, rules] = answers as [Selectable<DB['contact_tags']>[], Selectable<DB['positions']>[], RuleRow[] | undefined];
    if (table.rows.length === 0) continue;
    // Which columns are fields, and their types, once per statement rather than once per row.
    const at = table.columns.flatMap((c, i) => (c.startsWith('f_') ? [i] : []));
    const keys = at.map((i) => table.columns[i]!.slice(2));
    const types = keys.map((k) => catalog.byKey.get(k)?.type);
    const idAt = table.columns.indexOf('id');
    for (const row of table.rows) {
      const fields: Record<string, FieldValue> = {};
      for (let i = 0; i < at.length; i++) {
        const value = row[at[i]!];
        if (value !== null) fields[keys[i]!] = fromColumn(types[i], value);
      }
      const id = row[idAt] as string;
      out.set(id, { id, fields, tags: [], positions: new Map<string, Position>() });
    }
    for (const t of tags) out.get(t.contact_id)?.tags.push(t.tag);
    for (const p of positions) out.get(p.contact_id)?.positions.set(p.map_id, positionFromRow(p));
    for (const r of rules ?? []) {
      const c = out.get(r.contact_id);
      if (c) (c.rules ??= new Map()).set(`${r.model_id}\u0000${r.rule_id}`, r.points === null ? null : Number(r.points));
    }
  }
  if (opts.rules !== false && opts.ledger && out.size) await loadLedger(db, out, opts.ledger);
  return out;
}

/** Looks contacts up by email, ignoring case and surrounding spaces: normalized email → id. */
export async function findIdsByEmail(db: Kysely<DB>, emails: readonly string[]): Promise<Map<string, string>> {
  const norms = [...new Set(emails.map(normalizeEmail).filter((e): e is string => e !== null))];
  const out = new Map<string, string>();
  for (const part of chunk(norms)) {
    const rows = await idsByEmail.all<{ id: string; email_norm: string | null }>(db, { emails: part });
    for (const r of rows) if (r.email_norm !== null) out.set(r.email_norm, r.id);
  }
  return out;
}

/** Field values as columns; throws for an unknown key or a value of the wrong type. */
function toColumns(catalog: FieldCatalog, values: Record<string, FieldValue>): Record<`f_${string}`, number | string | null> {
  const cols: Record<`f_${string}`, number | string | null> = {};
  for (const [key, value] of Object.entries(values)) cols[fieldColumn(key)] = toColumn(catalog.require(key), value);
  return cols;
}

/**
 * Inserts new contacts with their tags. `created_at` (the field) is `createdAt` unless the row
 * gives one (an import keeping the original date). A duplicate id or email throws.
 */
export async function insertContacts(
  db: Kysely<DB>,
  catalog: FieldCatalog,
  rows: readonly { id: string; fields: Record<string, FieldValue>; tags: readonly string[]; createdAt: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  // One column list for every row of the statement: the union of the keys given.
  const columns = new Set<`f_${string}`>([fieldColumn('created_at')]);
  const values: ContactRow[] = rows.map((r) => {
    const cols = toColumns(catalog, r.fields);
    for (const c of Object.keys(cols)) columns.add(c as `f_${string}`);
    return {
      id: r.id,
      email_norm: normalizeEmail(r.fields.email),
      created_at: r.createdAt,
      updated_at: r.createdAt,
      f_created_at: r.createdAt,
      ...cols,
    };
  });
  for (const v of values) for (const c of columns) v[c] ??= null;
  for (const part of chunk(values, columns.size + 4)) await db.insertInto('contacts').values(part).execute();
  await addTags(db, rows.flatMap((r) => r.tags.map((tag) => ({ contactId: r.id, tag }))));
}

/**
 * Writes field values of contacts. Rows are grouped by their set of keys; each row is one UPDATE
 * of only those columns (and `updated_at`, and `email_norm` with `email`). An id with no row is
 * created (`created_at` = now), unless the caller says each has one (`existing`: it loaded and
 * holds them), and then the updates may go with the transaction's next statement. Unknown keys throw.
 */
export async function writeContacts(
  db: Kysely<DB>,
  catalog: FieldCatalog,
  rows: readonly { id: string; values: Record<string, FieldValue> }[],
  now: number,
  opts: { existing?: boolean } = {},
): Promise<void> {
  const groups = groupBy(
    rows.filter((r) => Object.keys(r.values).length > 0),
    (r) => Object.keys(r.values).sort().join(','),
  );
  for (const group of groups.values()) {
    const keys = Object.keys(group[0].values).sort();
    const hasEmail = keys.includes('email');
    const columns = [...keys.map(fieldColumn), 'updated_at', ...(hasEmail ? ['email_norm'] : [])];
    // The last write to an id wins.
    const byId = new Map<string, Record<string, unknown>>();
    for (const r of group) {
      byId.delete(r.id);
      byId.set(r.id, { id: r.id, updated_at: now, ...(hasEmail ? { email_norm: normalizeEmail(r.values.email) } : {}), ...toColumns(catalog, r.values) });
    }
    const update = updateStatement('contacts', columns, ['id']);
    if (opts.existing) {
      await update.runLater(db, [...byId.values()]);
      continue;
    }
    const missing = await update.unchanged(db, [...byId.values()]);
    for (const part of chunk(missing, columns.length + 3)) {
      await db
        .insertInto('contacts')
        .values(part.map((r) => ({ created_at: now, f_created_at: now, ...r, id: r.id as string, updated_at: now })))
        .execute();
    }
  }
}

/** Adds tags (already present ones are kept). */
export async function addTags(db: Kysely<DB>, rows: readonly { contactId: string; tag: string }[]): Promise<void> {
  const unique = new Map(rows.map((r) => [`${r.contactId}\u0000${r.tag}`, { contact_id: r.contactId, tag: r.tag }]));
  for (const part of chunk([...unique.values()], 2)) {
    await db
      .insertInto('contact_tags')
      .values(part)
      .onConflict((oc) => oc.columns(['contact_id', 'tag']).doNothing())
      .execute();
  }
}

/** Removes tags (absent ones are ignored). */
export async function removeTags(db: Kysely<DB>, rows: readonly { contactId: string; tag: string }[]): Promise<void> {
  for (const [tag, group] of groupBy(rows, (r) => r.tag)) {
    for (const part of chunk([...new Set(group.map((r) => r.contactId))])) {
      await db.deleteFrom('contact_tags').where('tag', '=', tag).where('contact_id', 'in', part).execute();
    }
  }
}

/** Deletes a contact with its tags, positions, timers, history and events; false when there was none. */
export async function deleteContact(db: Kysely<DB>, id: string): Promise<boolean> {
  for (const table of ['contact_tags', 'positions', 'date_timers', 'history', 'events', 'scoring_rule_states', 'job_contacts_done', 'anonymous_ids', 'score_grants', 'score_accounts'] as const) {
    await db.deleteFrom(table).where('contact_id', '=', id).execute();
  }
  const res = await db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function contactCount(db: Kysely<DB>): Promise<number> {
  const { n } = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Where a page of `size` contacts after `after` (null: from the start) ends, in id order: the
 * page's last id (the last contact's when fewer are left), or null when none are left. Read along
 * the key only.
 */
export async function pageEnd(db: Kysely<DB>, after: string | null, size: number): Promise<string | null> {
  const tail = (n: number) => {
    let q = db.selectFrom('contacts').select('id');
    if (after !== null) q = q.where('id', '>', after);
    return q.orderBy('id', n > 0 ? 'asc' : 'desc');
  };
  const end = await tail(1).limit(1).offset(size - 1).executeTakeFirst();
  if (end) return end.id;
  const last = await tail(-1).limit(1).executeTakeFirst();
  return last?.id ?? null;
}

/** Contact ids in id order after `after` (null: from the start), at most `limit`: keyset pages for bulk work. */
export async function contactIdsAfter(db: Kysely<DB>, after: string | null, limit: number, createdBy?: number): Promise<string[]> {
  let q = db.selectFrom('contacts').select('id');
  if (after !== null) q = q.where('id', '>', after);
  if (createdBy !== undefined) q = q.where('created_at', '<=', createdBy);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}
