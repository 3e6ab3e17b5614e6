import { z } from 'zod';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientAddress, reachedOverHttps } from '../http/forwarded.js';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { requireRequestHeader } from '../http/auth.js';
import { AppError, badRequest, conflict, notFound } from '../errors.js';
import { recordAudit } from '../audit/log.js';
import { authOf, SCOPES } from '../keys/scopes.js';
import { actorOf } from './actor.js';
import { ROLES, type Role } from './roles.js';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, verifyPassword } from './password.js';
import { SignInLimiter } from './rate-limit.js';
import { MAX_AGE_MS, SESSION_COOKIE, endSession, endSessionsOf, pruneSessions, sessionIdOf, startSession } from './sessions.js';
import {
  countPeople, deletePerson, keepAnAdmin, findByEmail, getPerson, insertPerson, lastSeen, listPeople, normEmail, setPasswordHash, updatePerson, EMAIL_PATTERN, type Person,
} from './store.js';

const Email = z.string().trim().max(254, 'an email has at most 254 characters')
  .regex(EMAIL_PATTERN, 'give an email address, like "ana@example.com"').transform(normEmail);
const Name = z.string().trim().min(1, 'give the person\'s name, as others should see it').max(100, 'a name has at most 100 characters');
const RoleField = z.enum(ROLES, { error: 'role must be "viewer", "sales", "editor" or "admin"' });
const Password = z.string()
  .min(PASSWORD_MIN, `a password has at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `a password has at most ${PASSWORD_MAX} characters`);

const Iso = z.string().meta({ description: 'ISO-8601 time' });
const PersonView = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) });
const PersonRow = PersonView.extend({
  createdAt: Iso,
  lastSeenAt: Iso.nullable().meta({ description: 'Last use of a session, to the minute; null: no live session' }),
});

const MeView = z.object({
  kind: z.enum(['person', 'token', 'key']),
  person: PersonView.optional(),
  role: z.enum(ROLES).nullable().meta({ description: 'The role the editor shows: the person\'s; `admin` for the start-up token and an admin key; null for other keys' }),
  scope: z.enum(SCOPES).optional().meta({ description: 'The key\'s scope (the token: `admin`); absent for a person' }),
  needsFirstAdmin: z.boolean().meta({ description: 'No person exists yet: the token holder is asked to create the first admin' }),
});

const view = (p: Person) => ({ id: p.id, email: p.email, name: p.name, role: p.role });

const WRONG = 'Wrong email or password';

/**
 * `/api/session` (SPEC §12): signing in gives a session in an HttpOnly, SameSite=Strict cookie;
 * signing out ends it. Neither needs a token.
 */
export function sessionRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const db = () => rt.store.db;
  const limiter = new SignInLimiter();
  return new ApiRouter('/api/session', 'People', { scope: 'read', role: 'viewer' })
    .op({
      method: 'get', path: '/', summary: 'Whether anyone can sign in yet',
      response: z.object({ accounts: z.boolean().meta({ description: 'false on a fresh install: nobody has an account, the start-up token is the way in' }) }),
      description: 'Needs no token. The sign-in page asks it, to tell a fresh install\'s owner to open the link the server printed. It says nothing else about the people.',
    }, async (c) => c.json({ accounts: (await countPeople(db())) > 0 }))
    .op({
      method: 'post', path: '/', summary: 'Sign in with an email and a password',
      body: z.strictObject({ email: z.string().max(1000), password: z.string().max(PASSWORD_MAX) }),
      response: z.object({ person: PersonView }),
      description: 'Needs no token. Answers the person and sets the `scoremap_session` cookie (HttpOnly, SameSite=Strict). '
        + `After 5 failed attempts for one email, or 20 from one address, within 15 minutes: 429 with Retry-After.`,
    }, async (c, { body }) => {
      const email = normEmail(body.email);
      const now = rt.clock.now();
      const address = clientAddress(c, deps.trustProxy);
      const limited = limiter.refusal(email, address, now);
      if (limited) {
        const minutes = Math.ceil(limited.retryAfterS / 60);
        c.header('Retry-After', String(limited.retryAfterS));
        return c.json({ error: { message: `Too many failed sign-ins ${limited.by === 'email' ? 'for this email' : 'from this address'}: try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an admin to reset the password` } }, 429);
      }
      const person = email ? await findByEmail(db(), email) : null;
      if (!(await verifyPassword(body.password, person?.passwordHash ?? null)) || !person) {
        limiter.failed(email, address, now);
        throw new AppError(401, WRONG);
      }
      limiter.succeeded(email);
      // Sessions nobody came back to are deleted here (ended ones are also deleted when their cookie returns).
      await pruneSessions(db(), now);
      const session = await startSession(db(), person.id, now);
      setCookie(c, SESSION_COOKIE, session.secret, {
        httpOnly: true, sameSite: 'Strict', path: '/', secure: reachedOverHttps(c, deps.trustProxy), maxAge: Math.floor(MAX_AGE_MS / 1000),
      });
      return c.json({ person: view(person) });
    })
    .op({
      method: 'delete', path: '/', summary: 'Sign out: end this browser\'s session', status: 204,
      description: 'Needs no token. Ends the session of the `scoremap_session` cookie (which is refused from then on) and clears the cookie.',
    }, async (c) => {
      const secret = getCookie(c, SESSION_COOKIE);
      if (secret) {
        requireRequestHeader(c);
        await endSession(db(), sessionIdOf(secret));
      }
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    });
}

/** `/api/me`: who the request acts as (SPEC §12), for the editor to show and hide what that allows; one's own password. */
export function meRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const db = () => rt.store.db;
  return new ApiRouter('/api/me', 'People')
    .op({ method: 'get', path: '/', summary: 'Who you are: a person and their role, the start-up token, or a key', response: MeView }, async (c) => {
      const auth = authOf(c);
      const needsFirstAdmin = (await countPeople(db())) === 0;
      if (auth.kind === 'person' && auth.person) {
        const role = auth.role ?? 'viewer';
        return c.json({ kind: 'person', person: { ...auth.person, role }, role, needsFirstAdmin });
      }
      const role = auth.kind === 'token' || auth.scope === 'admin' ? 'admin' : null;
      return c.json({ kind: auth.kind, role, scope: auth.scope, needsFirstAdmin });
    })
    .op({
      method: 'post', path: '/password', summary: 'Change your own password', role: 'viewer', status: 204,
      body: z.strictObject({ current: z.string().max(PASSWORD_MAX), password: Password }),
      description: 'For a signed-in person: needs the current password. Your other sessions end; this one goes on.',
    }, async (c, { body }) => {
      const auth = authOf(c);
      if (auth.kind !== 'person' || !auth.person) throw badRequest('Only a signed-in person has a password: sign in, or have an admin set one on the People page');
      const person = await findByEmail(db(), auth.person.email);
      if (!person || !(await verifyPassword(body.current, person.passwordHash))) throw new AppError(403, 'Your current password is not right: nothing was changed');
      const hash = await hashPassword(body.password);
      await rt.store.transaction(async (s) => {
        const now = rt.clock.now();
        await setPasswordHash(s.db, person.id, hash, now);
        await endSessionsOf(s.db, person.id, auth.sessionId);
        await recordAudit(s.db, actorOf(c), { action: 'person.password', targetType: 'person', targetId: person.id, summary: `${person.name} changed their own password` }, now);
      });
      return c.body(null, 204);
    });
}

/**
 * `/api/people` (SPEC §12): the people who sign in, and their roles. Admin only (the start-up
 * token included: it is how the owner makes the first admin).
 */
export function peopleRouter(deps: AppDeps): ApiRouter {
  const { rt } = deps;
  const db = () => rt.store.db;
  const personOr404 = async (d: Parameters<typeof getPerson>[0], id: string) => {
    const p = await getPerson(d, id);
    if (!p) throw notFound(`No person has the id "${id}": they may have been removed`);
    return p;
  };
  const emailTaken = (email: string) => conflict(`Someone already signs in with ${email}: each person has their own email`);
  return new ApiRouter('/api/people', 'People', { scope: 'admin', role: 'admin' })
    .op({ method: 'get', path: '/', summary: 'List the people and their roles', response: z.object({ people: z.array(PersonRow) }) }, async (c) => {
      const [people, seen] = await Promise.all([listPeople(db()), lastSeen(db())]);
      return c.json({
        people: people.map((p) => ({
          ...view(p), createdAt: new Date(p.createdAt).toISOString(), lastSeenAt: seen.has(p.id) ? new Date(seen.get(p.id)!).toISOString() : null,
        })),
      });
    })
    .op({
      method: 'post', path: '/', summary: 'Add a person', status: 201, response: PersonView,
      body: z.strictObject({ email: Email, name: Name, role: RoleField, password: Password }),
      description: 'While no person exists, the first must be an admin (the owner makes it with the start-up token).',
    }, async (c, { body }) => {
      const hash = await hashPassword(body.password);
      const made = await rt.store.transaction(async (s) => {
        if (body.role !== 'admin' && (await countPeople(s.db)) === 0) {
          throw badRequest('The first person must be an admin (role "admin"): they then add the others');
        }
        if (await findByEmail(s.db, body.email)) throw emailTaken(body.email);
        const now = rt.clock.now();
        const p = await insertPerson(s.db, { id: rt.ids(), email: body.email, name: body.name, role: body.role, passwordHash: hash, now });
        await recordAudit(s.db, actorOf(c), {
          action: 'person.add', targetType: 'person', targetId: p.id, summary: `Added ${p.name} (${p.email}) as ${p.role}`, detail: { email: p.email, role: p.role },
        }, now);
        return p;
      });
      return c.json(view(made), 201);
    })
    .op({ method: 'get', path: '/:id', summary: 'Read a person', response: PersonView }, async (c) =>
      c.json(view(await personOr404(db(), c.req.param('id')!))))
    .op({
      method: 'patch', path: '/:id', summary: 'Change a person\'s name, email or role', response: PersonView,
      body: z.strictObject({ name: Name.optional(), email: Email.optional(), role: RoleField.optional() })
        .refine((b) => b.name !== undefined || b.email !== undefined || b.role !== undefined, 'send a name, an email or a role to change'),
      description: 'The last admin cannot be given another role (409). A new role counts at their next request.',
    }, async (c, { body }) => {
      const id = c.req.param('id')!;
      const after = await rt.store.transaction(async (s) => {
        const before = await personOr404(s.db, id);
        if (body.role !== undefined && body.role !== 'admin') await keepAnAdmin(s.db, before, `made ${body.role}`);
        if (body.email !== undefined && body.email !== before.email) {
          const other = await findByEmail(s.db, body.email);
          if (other && other.id !== id) throw emailTaken(body.email);
        }
        const now = rt.clock.now();
        const p = (await updatePerson(s.db, id, body, now))!;
        const changes: string[] = [];
        if (p.name !== before.name) changes.push(`name "${before.name}" → "${p.name}"`);
        if (p.email !== before.email) changes.push(`email ${before.email} → ${p.email}`);
        if (p.role !== before.role) changes.push(`role ${before.role} → ${p.role}`);
        if (changes.length) {
          await recordAudit(s.db, actorOf(c), {
            action: 'person.change', targetType: 'person', targetId: id, summary: `Changed ${p.name}: ${changes.join(', ')}`,
            detail: { before: view(before), after: view(p) },
          }, now);
        }
        return p;
      });
      return c.json(view(after));
    })
    .op({
      method: 'delete', path: '/:id', summary: 'Remove a person (their sessions end at once)', status: 204,
      description: 'The last admin cannot be removed (409). Contacts they own keep their email in `owner`.',
    }, async (c) => {
      const id = c.req.param('id')!;
      await rt.store.transaction(async (s) => {
        const p = await personOr404(s.db, id);
        await keepAnAdmin(s.db, p, 'removed');
        const now = rt.clock.now();
        await deletePerson(s.db, id);
        await recordAudit(s.db, actorOf(c), {
          action: 'person.remove', targetType: 'person', targetId: id, summary: `Removed ${p.name} (${p.email}, ${p.role})`, detail: view(p),
        }, now);
      });
      return c.body(null, 204);
    })
    .op({
      method: 'post', path: '/:id/password', summary: 'Set a person\'s password (their sessions end)', status: 204,
      body: z.strictObject({ password: Password }),
    }, async (c, { body }) => {
      const id = c.req.param('id')!;
      const hash = await hashPassword(body.password);
      await rt.store.transaction(async (s) => {
        const p = await personOr404(s.db, id);
        const now = rt.clock.now();
        await setPasswordHash(s.db, id, hash, now);
        const ended = await endSessionsOf(s.db, id);
        await recordAudit(s.db, actorOf(c), {
          action: 'person.password', targetType: 'person', targetId: id, summary: `Reset the password of ${p.name} (${ended} session${ended === 1 ? '' : 's'} ended)`,
        }, now);
      });
      return c.body(null, 204);
    });
}

export type { Role };
