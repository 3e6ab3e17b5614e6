import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Condition, FieldTest } from '../../engine/schema/condition.js';
import { MS } from '../../engine/schema/duration.js';
import { AppError, badRequest } from '../errors.js';
import { normEmail } from '../people/store.js';
import { valueAt } from '../reports/conversion.js';
import type { Runtime } from '../runtime/runtime.js';
import { checkFilter } from '../routes/contact-views.js';
import { fieldColumn } from '../store/columns.js';
import { conditionSql } from '../store/contacts-query.js';
import { scoreTarget } from './score-target.js';

/**
 * What a saved list matches (SPEC §12 "smart lists"); every filter given must hold. `owner`: `me`
 * (whoever opens the list), a person's email, or null for leads nobody owns; absent: anyone's.
 */
export const ListFilters = z.strictObject({
  condition: z.unknown().optional().meta({ description: 'A Condition testing contact fields, as the contacts list\'s `filter`' }),
  owner: z.union([z.literal('me'), z.string().trim().min(1).max(320), z.null()]).optional()
    .meta({ description: '"me" (whoever opens the list), a person\'s email, or null for leads nobody owns; left out: anyone\'s' }),
  bracket: z.strictObject({
    modelId: z.string().min(1).max(200),
    bracket: z.string().trim().min(1).max(50).meta({ description: 'A bracket of the model, by name (any case)' }),
  }).optional(),
  scoreChange: z.strictObject({
    modelId: z.string().min(1).max(200).optional().meta({ description: 'Default: the model writing Score, else the only one' }),
    direction: z.enum(['fell', 'rose']),
    days: z.number().int().min(1, 'days is at least 1').max(365, 'days is at most 365'),
  }).optional().meta({ description: 'The score now against the score `days` ago (read from the history), or against the score a contact came with when it came since; an empty score counts as 0' }),
});
export type ListFilters = z.infer<typeof ListFilters>;

/** Filters checked against the fields and models as they are, ready for the contacts query. */
export interface ListWhere {
  readonly filter?: Condition;
  readonly also: RawBuilder<SqlBool>[];
}

/** Who opens a list: their email for `owner: "me"`, or null for a key or the start-up token (nobody). */
export type Viewer = { readonly email: string | null };

/** A test of one field as the contacts list runs it. */
const test = (rt: Runtime, t: FieldTest, now: number) => conditionSql(t, (name) => rt.world.fields.resolve(name), now);

/** Reruns `fn`, turning any refusal into a 400 about the list's filters (bad filters are the client's to fix). */
function asFilterError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AppError) throw badRequest(e.message, e.details);
    throw e;
  }
}

/**
 * Checks a list's filters and turns them into SQL on `contacts` (400 in words for the first that
 * does not fit): the condition as the contacts list runs it, the owner, the model's bracket as its
 * score range, and the score change against the score `days` ago read point in time from the
 * history (the reports' `valueAt`).
 */
export function listWhere(rt: Runtime, f: ListFilters, viewer: Viewer, now: number): ListWhere {
  const also: RawBuilder<SqlBool>[] = [];
  const filter = f.condition === undefined || f.condition === null ? undefined : checkFilter(rt, f.condition);
  if (f.owner !== undefined) {
    if (f.owner === null) also.push(test(rt, { field: 'owner', op: 'is_empty' }, now));
    else {
      const email = f.owner === 'me' ? viewer.email : normEmail(f.owner);
      if (email === null) {
        throw badRequest('"owner": "me" means the person signed in, and a key or the start-up token is nobody: sign in, or name the owner by email');
      }
      also.push(test(rt, { field: 'owner', op: 'eq', value: email }, now));
    }
  }
  if (f.bracket) {
    const { modelId, bracket } = f.bracket;
    const target = asFilterError(() => scoreTarget(rt, modelId));
    const brackets = target.model?.brackets ?? [];
    if (!brackets.length) throw badRequest(`The scoring model "${modelId}" has no brackets: filter by its score instead`);
    const b = brackets.find((x) => x.name.toLowerCase() === bracket.toLowerCase());
    if (!b) throw badRequest(`The scoring model "${modelId}" has no bracket "${bracket}": its brackets are ${brackets.map((x) => `"${x.name}"`).join(', ')}`);
    // A contact is in the highest bracket its score reaches (an empty score reads as 0, as the engine's bracketOf).
    const above = brackets.map((x) => x.min).filter((m) => m > b.min);
    also.push(test(rt, { field: target.field, op: 'gte', value: b.min }, now));
    if (above.length) also.push(test(rt, { field: target.field, op: 'lt', value: Math.min(...above) }, now));
  }
  if (f.scoreChange) {
    const { direction, days, modelId } = f.scoreChange;
    const target = asFilterError(() => scoreTarget(rt, modelId));
    // Measured from `days` ago, or from the score it came with for a contact that came since (a
    // lead that came at 60 and is at 25 has cooled, whatever it was before it existed).
    const since = now - days * MS.DAY;
    const from = sql<number>`(case when c.created_at > ${since} then c.created_at else ${since} end)`;
    const then = sql`(select cast(nullif(${valueAt(target.field, from)}, 'null') as double precision) from contacts c where c.id = contacts.id)`;
    const current = sql.ref(`contacts.${fieldColumn(target.field)}`);
    also.push(sql<SqlBool>`coalesce(${current}, 0) ${sql.raw(direction === 'fell' ? '<' : '>')} coalesce(${then}, 0)`);
  }
  return { filter, also };
}
