import { z } from 'zod';
import type { Context } from 'hono';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { badRequest, notFound } from '../errors.js';
import { readOrigin } from './origins.js';
import { SCOPES, type Scope } from './scopes.js';
import { createKey, deleteKey, getKey, listKeys, updateKey, type ApiKey } from './store.js';
import { recordAudit } from '../audit/log.js';
import { change, q } from '../audit/words.js';
import { actorOf } from '../people/actor.js';

const Name = z.string().trim()
  .min(1, 'give the key a name that says what uses it, like "Website tracker"')
  .max(100, 'a key\'s name has at most 100 characters');

/** One web origin, read as {@link readOrigin} reads it (so stored as browsers send it). */
const Origin = z.string().max(300, 'an origin has at most 300 characters').transform((text, ctx) => {
  const read = readOrigin(text);
  if ('problem' in read) {
    ctx.addIssue({ code: 'custom', message: read.problem });
    return z.NEVER;
  }
  return read.origin;
});
const Origins = z.array(Origin).max(50, 'at most 50 origins for one key').transform((list) => [...new Set(list)])
  .meta({ description: 'Web origins (`https://www.example.com`) that may use an ingest key from a browser' });

const CreateBody = z.strictObject({
  name: Name,
  scope: z.enum(SCOPES, { error: 'scope must be "admin" (everything), "ingest" (send data in) or "read" (read-only)' }),
  origins: Origins.optional(),
});
const PatchBody = z.strictObject({ name: Name.optional(), origins: Origins.optional() });

const Iso = z.string().meta({ description: 'ISO-8601 time' });
const KeyView = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(SCOPES),
  prefix: z.string().meta({ description: 'The first characters of the secret, to tell keys apart' }),
  origins: z.array(z.string()),
  createdAt: Iso,
  lastUsedAt: Iso.nullable().meta({ description: 'Last use, to the minute or so; null: never used' }),
});

function keyView(k: ApiKey): z.infer<typeof KeyView> {
  return {
    id: k.id, name: k.name, scope: k.scope, prefix: k.prefix, origins: [...k.origins],
    createdAt: new Date(k.createdAt).toISOString(),
    lastUsedAt: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
  };
}

/** Origins belong to ingest keys: the only ones meant for a web page. */
function checkOrigins(scope: Scope, origins: readonly string[] | undefined): void {
  if (origins?.length && scope !== 'ingest') {
    throw badRequest(`Only an ingest key lists origins: ${scope === 'admin' ? 'an' : 'a'} ${scope} key must never be used from a web page (leave "origins" out, or make an ingest key)`);
  }
}

const id = (c: Context) => c.req.param('id')!;

/**
 * `/api/keys` (SPEC §10 "Keys"): make, list, change and revoke API keys. Admin only, reads
 * included: a list of keys says who can get in.
 */
export function keysRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const db = () => rt.store.db;
  return new ApiRouter('/api/keys', 'Keys', { scope: 'admin', role: 'admin' })
    .op({
      method: 'post', path: '/', summary: 'Make an API key', body: CreateBody, status: 201,
      response: z.object({ key: KeyView, secret: z.string().meta({ description: 'The key itself (`sm_…`): shown this once, kept only as a hash' }) }),
      description: 'Scopes: `admin` everything; `ingest` only the intake routes (safe in a web page, from the origins it lists); `read` the read-only API. '
        + 'The answer holds the secret, which is never shown again: only its SHA-256 hash is kept.',
    }, async (c, { body }) => {
      checkOrigins(body.scope, body.origins);
      const now = rt.clock.now();
      const made = await rt.store.transaction(async (s) => {
        const k = await createKey(s.db, { id: rt.ids(), name: body.name, scope: body.scope, origins: body.origins ?? [], now });
        await recordAudit(s.db, actorOf(c), {
          action: 'key.create', targetType: 'key', targetId: k.key.id,
          summary: `Made the ${body.scope} API key ${q(body.name)}`, detail: { scope: body.scope, prefix: k.key.prefix, origins: k.key.origins },
        }, now);
        return k;
      });
      return c.json({ key: keyView(made.key), secret: made.secret }, 201);
    })
    .op({ method: 'get', path: '/', summary: 'List the API keys (never their secrets)', response: z.object({ keys: z.array(KeyView) }) }, async (c) =>
      c.json({ keys: (await listKeys(db())).map(keyView) }))
    .op({
      method: 'patch', path: '/:id', summary: 'Rename a key or change its origins', body: PatchBody, response: z.object({ key: KeyView }),
      description: '`origins` replaces the list (ingest keys only). A key\'s scope and secret never change: make a new key and revoke this one.',
    }, async (c, { body }) => {
      const key = await getKey(db(), id(c));
      if (!key) throw notFound(`No API key with id "${id(c)}"`);
      checkOrigins(key.scope, body.origins);
      const changed = await rt.store.transaction(async (s) => {
        const after = await updateKey(s.db, key.id, body);
        if (!after) return null;
        const said = [
          ...(after.name !== key.name ? [change('name', key.name, after.name)] : []),
          ...(after.origins.join() !== key.origins.join() ? [`origins ${key.origins.join(', ') || 'none'} → ${after.origins.join(', ') || 'none'}`] : []),
        ];
        if (said.length) {
          await recordAudit(s.db, actorOf(c), {
            action: 'key.change', targetType: 'key', targetId: key.id,
            summary: `Changed the API key ${q(key.name)}: ${said.join(', ')}`, detail: { before: { name: key.name, origins: key.origins }, after: { name: after.name, origins: after.origins } },
          }, rt.clock.now());
        }
        return after;
      });
      if (!changed) throw notFound(`No API key with id "${id(c)}" (it was revoked meanwhile)`);
      return c.json({ key: keyView(changed) });
    })
    .op({
      method: 'delete', path: '/:id', summary: 'Revoke a key', status: 204,
      description: 'At once: the next request with it is refused (401), in every process sharing the database.',
    }, async (c) => {
      const gone = await rt.store.transaction(async (s) => {
        const key = await getKey(s.db, id(c));
        if (!key || !(await deleteKey(s.db, key.id))) return false;
        await recordAudit(s.db, actorOf(c), {
          action: 'key.revoke', targetType: 'key', targetId: key.id,
          summary: `Revoked the API key ${q(key.name)}`, detail: { scope: key.scope, prefix: key.prefix },
        }, rt.clock.now());
        return true;
      });
      if (!gone) throw notFound(`No API key with id "${id(c)}": it may have been revoked already`);
      return c.body(null, 204);
    });
}
