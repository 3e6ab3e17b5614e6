import { sql } from 'kysely';
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import { toInstant, toNumber } from '../../engine/conditions.js';
import type { Condition, FieldTest } from '../../engine/schema/condition.js';
import { CROSSING_OPS } from '../../engine/schema/condition.js';
import { MS } from '../../engine/schema/duration.js';
import type { FieldDef } from '../../engine/schema/field.js';
import type { FieldValue } from '../../engine/elements/types.js';
import { chunk } from './chunk.js';
import { fieldColumn, fromColumn } from './columns.js';
import type { DB } from './schema.js';

/**
 * The contacts list (SPEC §6 `GET /api/contacts`): sorted, filtered and paged in SQL, never by
 * loading every contact. Portable SQL (PostgreSQL runs it too): `NULLS LAST`, `LIKE … ESCAPE`,
 * `COALESCE(…, FALSE)`, `EXISTS`.
 */

/** A filter the contacts list cannot run: a prop test, a crossing op, an unknown field. */
export class FilterError extends Error {
  override name = 'FilterError';
}

/** Where the previous page ended: the last row's sort value (as SQL compared it) and its id. */
export interface ContactCursor {
  readonly value: number | string | null;
  readonly id: string;
}

/** What to list. Fields are resolved beforehand; `resolve` serves the filter's field names. */
export interface ContactQuery {
  /** The field to sort by (not tags); id breaks ties, ascending. Empty values come last either way. */
  readonly sort: FieldDef;
  readonly dir: 'asc' | 'desc';
  /** Field tests only; text compares ignoring case (SQL `lower()`), as conditions do in maps. */
  readonly filter?: Condition;
  readonly resolve: (name: string) => FieldDef | undefined;
  /** The fields to answer (tags are always answered). */
  readonly columns: readonly FieldDef[];
  readonly limit: number;
  /** Keyset paging: the page after this cursor. */
  readonly after?: ContactCursor;
  /** Offset paging (ignored with `after`). */
  readonly offset?: number;
  /** The clock's now, for `within_last_days` and `on_or_before_days_ago`. */
  readonly now: number;
  /**
   * More tests, in SQL on `contacts`, that a contact must also pass (a saved list's owner, bracket
   * and score-change filters, `server/sales/list-filters.ts`); each two-valued (never NULL).
   */
  readonly also?: readonly RawBuilder<SqlBool>[];
}

/** One page: contacts with the chosen fields (raw values; empty ones omitted) and tags. */
export interface ContactPage {
  readonly contacts: { id: string; fields: Record<string, FieldValue>; tags: string[] }[];
  /** How many contacts match the filter, on all pages. */
  readonly total: number;
  /** Where the next page starts; absent on the last page. */
  readonly next?: ContactCursor;
}

type Bool = RawBuilder<SqlBool>;
const TRUE: Bool = sql<SqlBool>`(1 = 1)`;
const FALSE: Bool = sql<SqlBool>`(1 = 0)`;

const column = (f: FieldDef) => sql.ref(`contacts.${fieldColumn(f.key)}`);

/** What SQL sorts by: text ignoring case, everything else by value. */
function sortExpression(f: FieldDef): RawBuilder<unknown> {
  if (f.type === 'tags') throw new FilterError('Contacts cannot be sorted by their tags');
  return f.type === 'text' ? sql`lower(${column(f)})` : sql`${column(f)}`;
}

/** Escapes `%`, `_` and the escape character itself for `LIKE … ESCAPE '\'`. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** One test as a two-valued SQL boolean (never NULL, so `NOT` stays right). */
function testSql(t: FieldTest, f: FieldDef, now: number): Bool {
  const c = column(f);
  const one = Array.isArray(t.value) ? undefined : t.value;
  const list = t.value === undefined ? [] : Array.isArray(t.value) ? t.value : [t.value];
  const wrap = (e: RawBuilder<unknown>): Bool => sql<SqlBool>`coalesce((${e}), false)`;
  const not = (e: Bool): Bool => sql<SqlBool>`not ${e}`;
  const anyOf = (parts: Bool[]): Bool => (parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : FALSE);

  if (f.type === 'tags') {
    const tagged = (tag?: string): Bool => sql<SqlBool>`exists (select 1 from contact_tags where contact_tags.contact_id = contacts.id${
      tag === undefined ? sql`` : sql` and lower(trim(contact_tags.tag)) = lower(trim(${tag}))`
    })`;
    if (t.op === 'has_tag') return one === undefined ? FALSE : tagged(String(one));
    if (t.op === 'is_empty') return not(tagged());
    if (t.op === 'not_empty') return tagged();
    return t.op === 'neq' || t.op === 'not_contains' ? TRUE : FALSE;
  }
  if (t.op === 'is_empty') return wrap(f.type === 'text' ? sql`${c} is null or ${c} = ''` : sql`${c} is null`);
  if (t.op === 'not_empty') return not(testSql({ ...t, op: 'is_empty' }, f, now));

  // The value side, read as the field's type reads it; null when it cannot be read (the test fails).
  const operand = (v: unknown): RawBuilder<unknown> | null => {
    switch (f.type) {
      case 'number': {
        const n = toNumber(v);
        return Number.isNaN(n) ? null : sql`${n}`;
      }
      case 'date': {
        const n = toInstant(v);
        return Number.isNaN(n) ? null : sql`${n}`;
      }
      case 'boolean': {
        const s = String(v).toLowerCase();
        return v === true || s === 'true' ? sql`1` : v === false || s === 'false' ? sql`0` : null;
      }
      default:
        return sql`lower(${String(v)})`;
    }
  };
  // The field side: an empty number reads as 0, empty text as "", an empty boolean as false; an empty date is unknown.
  const field = f.type === 'number' || f.type === 'boolean' ? sql`coalesce(${c}, 0)` : f.type === 'text' ? sql`lower(coalesce(${c}, ''))` : sql`${c}`;
  const compare = (op: string, v: unknown): Bool => {
    const o = operand(v);
    return o === null ? FALSE : wrap(sql`${field} ${sql.raw(op)} ${o}`);
  };
  const like = (pattern: RawBuilder<unknown>): Bool => wrap(sql`lower(coalesce(${c}, '')) like ${pattern} escape '\\'`);
  const needle = () => escapeLike(Array.isArray(t.value) ? t.value.join(', ') : String(t.value ?? ''));
  const daysAgo = () => now - toNumber(one) * MS.DAY;

  switch (t.op) {
    case 'eq': return one === undefined ? FALSE : compare('=', one);
    case 'neq': return not(one === undefined ? FALSE : compare('=', one));
    case 'in': return anyOf(list.map((v) => compare('=', v)));
    case 'gt': case 'gte': case 'lt': case 'lte':
      if (f.type !== 'number' && f.type !== 'date') return FALSE;
      return one === undefined ? FALSE : compare({ gt: '>', gte: '>=', lt: '<', lte: '<=' }[t.op], one);
    case 'contains': return f.type === 'text' ? like(sql`'%' || lower(${needle()}) || '%'`) : FALSE;
    case 'not_contains': return f.type === 'text' ? not(like(sql`'%' || lower(${needle()}) || '%'`)) : TRUE;
    case 'starts_with': return f.type === 'text' ? like(sql`lower(${needle()}) || '%'`) : FALSE;
    case 'on_or_before_days_ago':
      return f.type === 'date' && !Number.isNaN(daysAgo()) ? wrap(sql`${c} <= ${daysAgo()}`) : FALSE;
    case 'within_last_days':
      return f.type === 'date' && !Number.isNaN(daysAgo()) ? wrap(sql`${c} >= ${daysAgo()}`) : FALSE;
    default: return FALSE;
  }
}

/**
 * A condition as a SQL boolean on `contacts`: the same meaning `evaluateCondition` gives it in a
 * map. `all` of nothing holds, `any` of nothing does not. Throws {@link FilterError} for tests
 * that need an event or a change (props, `crossed_above`/`crossed_below`) or name no field.
 */
export function conditionSql(c: Condition, resolve: ContactQuery['resolve'], now: number): Bool {
  if ('all' in c) return c.all.length ? sql<SqlBool>`(${sql.join(c.all.map((s) => conditionSql(s, resolve, now)), sql` and `)})` : TRUE;
  if ('any' in c) return c.any.length ? sql<SqlBool>`(${sql.join(c.any.map((s) => conditionSql(s, resolve, now)), sql` or `)})` : FALSE;
  if ('not' in c) return sql<SqlBool>`not ${conditionSql(c.not, resolve, now)}`;
  if ('prop' in c) throw new FilterError(`The test of the event prop "${c.prop}" is not usable in a contacts filter: there is no event here`);
  if (CROSSING_OPS.has(c.op)) {
    throw new FilterError(`"${c.op}" is not usable in a contacts filter: it compares a field before and after a change`);
  }
  const f = resolve(c.field);
  if (!f) throw new FilterError(`Unknown field "${c.field}" in the filter`);
  return testSql(c, f, now);
}

/** The WHERE of a query: its filter and every test it also names. */
function whereOf(q: Pick<ContactQuery, 'filter' | 'resolve' | 'now' | 'also'>): Bool {
  const parts = [...(q.filter ? [conditionSql(q.filter, q.resolve, q.now)] : []), ...(q.also ?? [])];
  return parts.length === 0 ? TRUE : parts.length === 1 ? parts[0] : sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/** How many contacts a query matches (a saved list's live count). */
export async function countContacts(db: Kysely<DB>, q: Pick<ContactQuery, 'filter' | 'resolve' | 'now' | 'also'>): Promise<number> {
  const { n } = await db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).where(whereOf(q)).executeTakeFirstOrThrow();
  return Number(n);
}

/** Reads a page of contacts: the filter and the sort run in SQL; then one query for the page's tags. */
export async function queryContacts(db: Kysely<DB>, q: ContactQuery): Promise<ContactPage> {
  const where = whereOf(q);
  const sortBy = sortExpression(q.sort);
  const { n } = await db
    .selectFrom('contacts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where(where)
    .executeTakeFirstOrThrow();

  let page = db
    .selectFrom('contacts')
    .select('contacts.id')
    .select(sql<number | string | null>`${sortBy}`.as('sort_value'))
    .where(where);
  for (const f of q.columns) if (f.type !== 'tags') page = page.select(column(f).as(fieldColumn(f.key)) as never);
  if (q.after) page = page.where(afterCursor(sortBy, q.dir, q.after));
  const rows = (await page
    .orderBy(sortBy, (ob) => (q.dir === 'desc' ? ob.desc() : ob.asc()).nullsLast())
    .orderBy('contacts.id')
    .limit(q.limit + 1)
    .offset(q.after ? 0 : (q.offset ?? 0))
    .execute()) as unknown as Record<string, unknown>[];

  const more = rows.length > q.limit;
  const shown = rows.slice(0, q.limit);
  const tags = await tagsOf(db, shown.map((r) => String(r.id)));
  const contacts = shown.map((r) => {
    const fields: Record<string, FieldValue> = {};
    for (const f of q.columns) {
      if (f.type === 'tags') continue;
      const v = fromColumn(f.type, r[fieldColumn(f.key)]);
      if (v !== null) fields[f.key] = v;
    }
    return { id: String(r.id), fields, tags: tags.get(String(r.id)) ?? [] };
  });
  const last = shown[shown.length - 1];
  return {
    contacts,
    total: Number(n),
    ...(more && last ? { next: { value: (last.sort_value ?? null) as number | string | null, id: String(last.id) } } : {}),
  };
}

/** The ids of the contacts the filter matches (every contact without one), in id order, at most `limit`. */
export async function matchingIds(db: Kysely<DB>, q: Pick<ContactQuery, 'filter' | 'resolve' | 'now' | 'limit' | 'also'>): Promise<string[]> {
  const where = whereOf(q);
  const rows = await db.selectFrom('contacts').select('contacts.id').where(where).orderBy('contacts.id').limit(q.limit).execute();
  return rows.map((r) => String(r.id));
}

/** The rows after the cursor in `sort dir NULLS LAST, id` order. */
function afterCursor(sortBy: RawBuilder<unknown>, dir: 'asc' | 'desc', after: ContactCursor): Bool {
  if (after.value === null) return sql<SqlBool>`(${sortBy} is null and contacts.id > ${after.id})`;
  const beyond = dir === 'desc' ? sql.raw('<') : sql.raw('>');
  return sql<SqlBool>`(${sortBy} ${beyond} ${after.value} or (${sortBy} = ${after.value} and contacts.id > ${after.id}) or ${sortBy} is null)`;
}

async function tagsOf(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunk(ids)) {
    if (!part.length) continue;
    const rows = await db.selectFrom('contact_tags').selectAll().where('contact_id', 'in', part).orderBy('contact_id').orderBy('tag').execute();
    for (const r of rows) {
      const list = out.get(r.contact_id);
      if (list) list.push(r.tag);
      else out.set(r.contact_id, [r.tag]);
    }
  }
  return out;
}

/** A cursor as an opaque string for a URL; it remembers the sort it belongs to. */
export function encodeCursor(sortKey: string, dir: 'asc' | 'desc', c: ContactCursor): string {
  return Buffer.from(JSON.stringify([sortKey, dir, c.value, c.id])).toString('base64url');
}

/** Reads a cursor; null when it is not one of ours or belongs to another sort. */
export function decodeCursor(text: string, sortKey: string, dir: 'asc' | 'desc'): ContactCursor | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 4 || v[0] !== sortKey || v[1] !== dir || typeof v[3] !== 'string') return null;
    const value: unknown = v[2];
    if (value !== null && typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return null;
    return { value, id: v[3] };
  } catch {
    return null;
  }
}
