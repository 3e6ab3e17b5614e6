import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest } from '../errors.js';
import { auditActors, listAudit } from './query.js';

const Text = z.string().trim().min(1, 'is empty: leave it out to see every entry').max(300, 'is longer than 300 characters');
const AuditQuery = z.strictObject({
  actor: Text.optional().meta({ description: 'A person\'s or key\'s id, or the name an entry gives its actor (like "the start-up token")' }),
  action: Text.optional().meta({ description: 'An action or the start of one: `map.` (every change of a map), `map.publish`, `setting.`' }),
  targetType: Text.optional().meta({ description: '`map`, `model`, `field`, `key`, `webhook`, `setting`, `person`, `contact`, `list`, …' }),
  targetId: Text.optional(),
  from: Text.optional().meta({ description: 'ISO-8601: entries at or after it' }),
  to: Text.optional().meta({ description: 'ISO-8601: entries before it' }),
  limit: z.coerce.number({ error: 'limit is a number from 1 to 500' }).int('limit is a whole number from 1 to 500')
    .min(1, 'limit is at least 1').max(500, 'limit is at most 500').default(100),
  before: z.coerce.number({ error: 'before is an entry id (the nextBefore of the previous page)' })
    .int('before is an entry id (the nextBefore of the previous page)').min(1, 'before is an entry id (the nextBefore of the previous page)').optional(),
});

const Actor = z.object({ kind: z.enum(['person', 'key', 'token', 'system']), id: z.string().nullable(), name: z.string() });
const Entry = z.object({
  id: z.number(), at: z.string().meta({ description: 'ISO-8601' }), actor: Actor,
  action: z.string().meta({ description: '`<target type>.<verb>`: `map.publish`, `model.save`, `key.revoke`, …' }),
  targetType: z.string(), targetId: z.string().nullable(),
  summary: z.string().meta({ description: 'The change in a sentence' }),
  detail: z.unknown().meta({ description: 'What the summary leaves out (before and after, counts), or null' }),
});

/** An action filter: letters, digits, "_" and "-", with dots between (`map.`, `contact.adjust`). */
const ACTION = /^[a-z0-9_-]+(\.[a-z0-9_-]*)*$/;

/** A moment of the query string, or 400 in words. */
function moment(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw badRequest(`"${name}" is not a time: write it in ISO-8601, like 2026-03-01 or 2026-03-01T09:00:00Z (got "${text}")`);
  return ms;
}

/**
 * `/api/audit` (SPEC §12): who changed what and when — every configuration change and every
 * change made by hand to a contact's score, newest first.
 */
export function auditRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  return new ApiRouter('/api/audit', 'Audit', { role: 'editor' })
    .op({
      method: 'get', path: '/', summary: 'The audit log, newest first', query: AuditQuery,
      response: z.object({ entries: z.array(Entry), nextBefore: z.number().optional().meta({ description: 'Send it as `before` for the next page; absent on the last' }) }),
      description: 'Filters combine (all must hold); a value nothing has (an unknown person, a target that never changed) simply finds nothing. '
        + '`from` and `to` make the period [from, to). A run of draft saves of a map by one person, each within 10 minutes of the last, is one `map.save` entry.',
    }, async (c, { query }) => {
      const action = query.action?.toLowerCase();
      if (action !== undefined && !ACTION.test(action)) {
        throw badRequest(`"action" is an action or the start of one, like map. or map.publish (got "${query.action}")`);
      }
      const from = moment(query.from, 'from');
      const to = moment(query.to, 'to');
      if (from !== undefined && to !== undefined && from >= to) {
        throw badRequest(`"from" (${new Date(from).toISOString()}) must be before "to" (${new Date(to).toISOString()})`);
      }
      return c.json(await listAudit(rt.store.db, { ...query, action, from, to }));
    })
    .op({
      method: 'get', path: '/actors', summary: 'Everyone the audit log names: people, keys, the start-up token',
      response: z.object({ actors: z.array(Actor) }),
      description: 'For the editor\'s filter: filter by `id` (or `name` when id is null).',
    }, async (c) => c.json({ actors: await auditActors(rt.store.db) }));
}
