import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../audit/log.js';
import type { AppDeps } from '../http/deps.js';
import { ApiRouter } from '../http/router.js';
import { conflict, invalid } from '../errors.js';
import { actorOf } from '../people/actor.js';
import type { DB } from '../store/schema.js';

/** The `meta` key the qualification reasons are kept under, as `{ reasons, rev }`. */
export const REASONS_KEY = 'qualification_reasons';

/** The reasons a new installation offers (SPEC §12: accept or reject a lead with a reason from a list). */
export const DEFAULT_REASONS: Reasons = {
  accepted: ['Meets our criteria', 'Asked for a demo', 'Referred'],
  rejected: ['Not a fit', 'No budget', 'No need now', 'Wrong contact', 'Student or job seeker', 'Competitor', 'Already a customer'],
};

const Reason = z.string().trim().min(1, 'a reason is not empty').max(100, 'a reason has at most 100 characters');
const ReasonList = z.array(Reason).min(1, 'each verdict needs at least one reason to choose').max(50)
  .refine((l) => new Set(l.map((r) => r.toLowerCase())).size === l.length, { message: 'a reason is listed twice' });

/** The reasons a person chooses from when they accept or reject a lead. */
export const Reasons = z.strictObject({ accepted: ReasonList, rejected: ReasonList });
export type Reasons = z.infer<typeof Reasons>;

/** The setting as stored and served, with a revision for optimistic concurrency. */
export const ReasonsSetting = z.strictObject({ reasons: Reasons, rev: z.number().int().nonnegative() });
export type ReasonsSetting = z.infer<typeof ReasonsSetting>;

/** The verdicts a lead can get. */
export type Verdict = keyof Reasons;

/** The qualification reasons (the defaults at revision 0 when never set). */
export async function readReasons(db: Kysely<DB>): Promise<ReasonsSetting> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', REASONS_KEY).executeTakeFirst();
  const parsed = row ? ReasonsSetting.safeParse(JSON.parse(row.value)) : null;
  return parsed?.success ? parsed.data : { reasons: DEFAULT_REASONS, rev: 0 };
}

/**
 * Writes the reasons if the stored revision is still `rev` (compare-and-set on the stored text,
 * so two saves at once cannot both win): the new setting, or null when `rev` is stale.
 */
export async function saveReasons(db: Kysely<DB>, reasons: Reasons, rev: number): Promise<ReasonsSetting | null> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', REASONS_KEY).executeTakeFirst();
  const current = row ? (await readReasons(db)).rev : 0;
  if (current !== rev) return null;
  const next: ReasonsSetting = { reasons, rev: rev + 1 };
  const value = JSON.stringify(next);
  if (!row) {
    const r = await db.insertInto('meta').values({ key: REASONS_KEY, value }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
    return r ? next : null;
  }
  const r = await db.updateTable('meta').set({ value }).where('key', '=', REASONS_KEY).where('value', '=', row.value).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? next : null;
}

/** The reason as the list spells it (matched ignoring case and spaces around), or 422 naming the choices. */
export function chosenReason(reasons: Reasons, verdict: Verdict, given: string): string {
  const found = reasons[verdict].find((r) => r.toLowerCase() === given.trim().toLowerCase());
  if (found) return found;
  const choices = reasons[verdict].map((r) => `"${r}"`).join(', ');
  throw invalid(`"${given}" is not a reason to mark a lead ${verdict}: choose one of ${choices} (an admin edits the list in Settings → Qualification reasons)`);
}

/** `GET|PUT /api/settings/qualification`: the reasons sales choose from to accept or reject a lead (SPEC §12). */
export function qualificationRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api/settings', 'Sales')
    .op({ method: 'get', path: '/qualification', summary: 'The reasons to accept or reject a lead', response: ReasonsSetting }, async (c) => c.json(await readReasons(rt.store.db)))
    .op({
      method: 'put', path: '/qualification', role: 'admin', summary: 'Set the reasons to accept or reject a lead', body: ReasonsSetting, response: ReasonsSetting,
      description: 'Both lists are needed, each with at least one reason. Send the `rev` you read: a stale one gets 409 (someone saved in between). '
        + 'Leads already marked keep the reason they were given. Answers the setting with its new `rev`.',
    }, async (c, { body }) => {
      const before = await readReasons(rt.store.db);
      const saved = await rt.store.transaction(async (s) => {
        const next = await saveReasons(s.db, body.reasons, body.rev);
        if (next) {
          await recordAudit(s.db, actorOf(c), {
            action: 'setting.change', targetType: 'setting', targetId: 'qualification',
            summary: `Changed the qualification reasons (accepted: ${body.reasons.accepted.length}, rejected: ${body.reasons.rejected.length})`,
            detail: { before: before.reasons, after: body.reasons },
          }, rt.clock.now());
        }
        return next;
      });
      if (!saved) {
        const now = await readReasons(rt.store.db);
        throw conflict(`The qualification reasons were changed since you read them (revision ${now.rev}, you sent ${body.rev}): reload them and make your change again`, { rev: now.rev });
      }
      return c.json(saved);
    });
}
