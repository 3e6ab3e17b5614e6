import { sql, type Kysely, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { EventType } from '../../engine/schema/event.js';
import { FieldKey } from '../../engine/schema/field.js';
import { invalid } from '../errors.js';
import type { DB } from '../store/schema.js';

/** The `meta` key the outcomes setting is kept under, as `{ outcomes, rev }`. */
export const OUTCOMES_KEY = 'outcomes';

export const OutcomeOp = z.enum(['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte']);
export type OutcomeOp = z.infer<typeof OutcomeOp>;

/** A test of a contact field: "lifecycle_stage eq customer". */
export const OutcomeTest = z.strictObject({
  field: FieldKey,
  op: OutcomeOp,
  value: z.union([z.string().max(1000), z.number(), z.boolean(), z.array(z.union([z.string().max(1000), z.number(), z.boolean()])).min(1).max(100)]),
});
export type OutcomeTest = z.infer<typeof OutcomeTest>;

/**
 * What counts as a conversion (SPEC §11): an event type (`purchase`) or a field test
 * (`lifecycle_stage eq customer`), with a label. Exactly one of `event` and `field`.
 */
export const Outcome = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'an outcome id is a slug: lower-case letters, digits, "-" and "_" (like "customer")'),
    label: z.string().trim().min(1, 'an outcome needs a label').max(100),
    event: EventType.optional(),
    field: OutcomeTest.optional(),
  })
  .refine((o) => (o.event === undefined) !== (o.field === undefined), { message: 'an outcome names either an event type ("event") or a field test ("field"), not both and not neither' });
export type Outcome = z.infer<typeof Outcome>;

/** The setting as stored and served: the outcomes and a revision for optimistic concurrency. */
export const OutcomesSetting = z.strictObject({
  outcomes: z.array(Outcome).max(50),
  rev: z.number().int().nonnegative(),
});
export type OutcomesSetting = z.infer<typeof OutcomesSetting>;

/** The outcomes setting (`{ outcomes: [], rev: 0 }` when never set). */
export async function readOutcomes(db: Kysely<DB>): Promise<OutcomesSetting> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', OUTCOMES_KEY).executeTakeFirst();
  if (!row) return { outcomes: [], rev: 0 };
  const parsed = OutcomesSetting.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : { outcomes: [], rev: 0 };
}

/**
 * Writes the outcomes if the stored revision is still `rev` (compare-and-set on the stored text, so
 * two processes saving at once cannot both win): the new setting, or null when `rev` is stale.
 */
export async function saveOutcomes(db: Kysely<DB>, outcomes: readonly Outcome[], rev: number): Promise<OutcomesSetting | null> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', OUTCOMES_KEY).executeTakeFirst();
  const current = row ? (await readOutcomes(db)).rev : 0;
  if (current !== rev) return null;
  const next: OutcomesSetting = { outcomes: [...outcomes], rev: rev + 1 };
  const value = JSON.stringify(next);
  if (!row) {
    const r = await db.insertInto('meta').values({ key: OUTCOMES_KEY, value }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
    return r ? next : null;
  }
  const r = await db.updateTable('meta').set({ value }).where('key', '=', OUTCOMES_KEY).where('value', '=', row.value).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? next : null;
}

/** The type of each field, from the `fields` table of `db` (a simulation's copy has its own). */
export async function fieldTypes(db: Kysely<DB>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('fields').select(['key', 'type']).execute();
  return new Map(rows.map((r) => [r.key, r.type]));
}

const ORDERED: readonly OutcomeOp[] = ['gt', 'gte', 'lt', 'lte'];

/**
 * Why a field test cannot be checked against the fields as they are, in words, or null. Text
 * compares without case (as the engine's conditions do); `gt`…`lte` need a number or date field.
 */
export function testProblem(test: OutcomeTest, types: ReadonlyMap<string, string>): string | null {
  const type = types.get(test.field);
  if (!type) return `there is no field "${test.field}"`;
  if (type === 'tags') return `"${test.field}" is a tags field: outcomes test number, text, date and true/false fields`;
  const values = Array.isArray(test.value) ? test.value : [test.value];
  if (test.op === 'in' && !Array.isArray(test.value)) return `"in" takes a list of values, like ["customer", "evangelist"]`;
  if (test.op !== 'in' && Array.isArray(test.value)) return `"${test.op}" takes one value, not a list`;
  if (ORDERED.includes(test.op) && type !== 'number' && type !== 'date') return `"${test.op}" compares numbers and dates; "${test.field}" is a ${type} field`;
  for (const v of values) {
    if (type === 'number' && typeof v !== 'number') return `"${test.field}" is a number field: compare it with a number, not ${JSON.stringify(v)}`;
    if (type === 'date' && typeof v !== 'number' && (typeof v !== 'string' || Number.isNaN(Date.parse(v)))) return `"${test.field}" is a date field: compare it with an ISO time, not ${JSON.stringify(v)}`;
    if (type === 'boolean' && typeof v !== 'boolean') return `"${test.field}" is a true/false field: compare it with true or false, not ${JSON.stringify(v)}`;
    if (type === 'text' && typeof v !== 'string') return `"${test.field}" is a text field: compare it with text, not ${JSON.stringify(v)}`;
  }
  return null;
}

/** Checks the outcomes against each other and the fields (422 in words for the first that does not fit). */
export function checkOutcomes(outcomes: readonly Outcome[], types: ReadonlyMap<string, string>): void {
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (seen.has(o.id)) throw invalid(`Two outcomes have the id "${o.id}": give each its own`);
    seen.add(o.id);
  }
  for (const o of outcomes) {
    if (!o.field) continue;
    const problem = testProblem(o.field, types);
    if (problem) throw invalid(`Outcome "${o.id}": ${problem}`);
  }
}

/** An ISO date (2026-03-01, 2026-03-01T10:00:00Z): compared with a date field's milliseconds. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The test as SQL over a history column of JSON text (`to_json` or `from_json`): true when the
 * value passes, never null. It needs no field types, so it runs on any copy of the database:
 * a JSON number compares as a number (with an ISO date given as its milliseconds, for date
 * fields), text without case (as the engine's conditions do), true/false as written. An empty
 * value passes only `ne`.
 */
export function testSql(test: OutcomeTest, column: RawBuilder<string | null>): RawBuilder<boolean> {
  const values = Array.isArray(test.value) ? test.value : [test.value];
  // A JSON number starts with a digit or "-": not a string, true/false/null, a list or an object.
  const isNum = sql<boolean>`(${column} is not null and substr(${column}, 1, 1) not in ('"', 't', 'f', 'n', '[', '{'))`;
  const num = sql`(case when ${isNum} then cast(${column} as double precision) end)`;
  const ops = { eq: '=', ne: '=', in: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
  const op = sql.raw(ops[test.op]);
  const one = (v: string | number | boolean): RawBuilder<unknown> => {
    if (typeof v === 'number') return sql`(${num} ${op} ${v})`;
    if (typeof v === 'boolean') return sql`(${column} ${op} ${JSON.stringify(v)})`;
    const text = sql`(lower(${column}) ${op} ${JSON.stringify(v.toLowerCase())})`;
    const ms = ISO_DATE.test(v.trim()) ? Date.parse(v.trim()) : Number.NaN;
    return Number.isNaN(ms) ? text : sql`(case when ${isNum} then ${num} ${op} ${ms} else ${text} end)`;
  };
  const any = sql`(${sql.join(values.map((v) => sql`coalesce(${one(v)}, false)`), sql` or `)})`;
  return test.op === 'ne' ? sql<boolean>`(not ${any})` : sql<boolean>`${any}`;
}
