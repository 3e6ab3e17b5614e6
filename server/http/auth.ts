import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie } from 'hono/cookie';
import { TrieRouter } from 'hono/router/trie-router';
import { AppError } from '../errors.js';
import { requireScope, type RequestAuth, type Scope } from '../keys/scopes.js';
import { SECRET_PREFIX, findKeyBySecret, touchKey } from '../keys/store.js';
import { originRefusal } from '../keys/cors.js';
import type { DB } from '../store/schema.js';
import type { AppDeps } from './deps.js';
import type { RegisteredOp } from './router.js';
import { requireRole, type Role } from '../people/roles.js';
import { SESSION_COOKIE, resolveSession } from '../people/sessions.js';

/**
 * The API token (SPEC §6): `SCOREMAP_TOKEN` when set, else the one kept in `<dataDir>/token`,
 * else a new random one written there readable by its owner only (like Jupyter's).
 */
export function loadToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): { token: string; source: 'env' | 'file' | 'new' } {
  const fromEnv = env.SCOREMAP_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const file = join(dataDir, 'token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token) {
      chmodSync(file, 0o600); // tighten a file someone loosened
      return { token, source: 'file' };
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the umask may have widened the mode given at creation
  return { token, source: 'new' };
}

/** A secret's SHA-256 digest, what {@link tokenMatches} compares (one call: no Hash object per request). */
const digestOf = (secret: string): Buffer => hash('sha256', secret, 'buffer');

/**
 * Compares in constant time: digests of equal length, so neither content nor length leaks.
 * `expected` may be given as its digest already (the start-up token's, worked out once).
 */
export function tokenMatches(given: string, expected: string | Buffer): boolean {
  return timingSafeEqual(digestOf(given), typeof expected === 'string' ? digestOf(expected) : expected);
}

/** A key's last use is written at most this often per process (no write per request). */
export const TOUCH_EVERY_MS = 60_000;

/**
 * Tells who a secret belongs to: the start-up token (an admin key, SPEC §6) or an API key, looked
 * up by its hash on every call (no cache: a revoked key is refused at once, by every process
 * sharing the database). Intake routes that take the key elsewhere (HTTP Basic, `writeKey`) use it too.
 */
export class KeyResolver {
  /** When this process last wrote each key's last use. */
  readonly #touched = new Map<string, number>();
  /** The start-up token's digest: every request compares with it. */
  readonly #token: Buffer;

  constructor(private readonly opts: { readonly token: string; readonly db: () => Kysely<DB> | Transaction<DB>; readonly now: () => number }) {
    this.#token = digestOf(opts.token);
  }

  /** What `secret` authorises, or null when it is neither the token nor a key. */
  async resolve(secret: string): Promise<RequestAuth | null> {
    if (tokenMatches(secret, this.#token)) return { kind: 'token', scope: 'admin', role: 'admin' };
    // Only a key's form is looked up: a mistyped token costs no query.
    if (!secret.startsWith(SECRET_PREFIX)) return null;
    const key = await findKeyBySecret(this.opts.db(), secret);
    if (!key) return null;
    await this.#touch(key.id, key.lastUsedAt);
    return { kind: 'key', scope: key.scope, keyId: key.id, keyName: key.name, origins: key.origins };
  }

  async #touch(id: string, stored: number | null): Promise<void> {
    const now = this.opts.now();
    const last = Math.max(stored ?? -Infinity, this.#touched.get(id) ?? -Infinity);
    if (now - last < TOUCH_EVERY_MS) return;
    this.#touched.set(id, now);
    try {
      await touchKey(this.opts.db(), id, now);
    } catch {
      // Bookkeeping only: the request goes on, and the next one tries again.
      this.#touched.delete(id);
    }
  }
}

const RESOLVERS = new WeakMap<AppDeps, KeyResolver>();

/**
 * The app's one `KeyResolver`: the API's `requireAuth`, the events lane and the Segment intake
 * resolve secrets through it, so a key's last use is written once per `TOUCH_EVERY_MS`, not once
 * per way in.
 */
export function keyResolverOf(deps: AppDeps): KeyResolver {
  let resolver = RESOLVERS.get(deps);
  if (!resolver) RESOLVERS.set(deps, (resolver = new KeyResolver({ token: deps.token, db: () => deps.rt.store.db, now: () => deps.rt.clock.now() })));
  return resolver;
}

/** Routes of /api that no router lists, with their scope and role. */
const UNLISTED: readonly { method: string; path: string; scope: Scope; role: Role }[] = [{ method: 'GET', path: '/api/openapi.json', scope: 'read', role: 'viewer' }];

/**
 * Routes that need no token, key or session: whether anyone can sign in yet (what the sign-in page
 * says), signing in (it is how one gets a session) and signing out (it ends the cookie's session
 * itself, and answers alike without one).
 */
export const OPEN_ROUTES: readonly { method: string; path: string }[] = [
  { method: 'GET', path: '/api/session' },
  { method: 'POST', path: '/api/session' },
  { method: 'DELETE', path: '/api/session' },
];

/** The header a browser's cookie request must carry to change anything: no form can send it (SPEC §12, no CSRF). */
export const REQUEST_HEADER = 'x-scoremap-request';

/** Refuses (403, in words) a cookie request that changes something without {@link REQUEST_HEADER}. */
export function requireRequestHeader(c: Context): void {
  const method = c.req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD' || c.req.header(REQUEST_HEADER) === '1') return;
  throw new AppError(403, `A signed-in browser request that changes something must carry the header "X-Scoremap-Request: 1" (a form on another site cannot send it): ${method} ${c.req.path} was refused`);
}

/** What a session cookie's 401 says, whether it ended by time, by signing out or with its person. */
export const SESSION_ENDED = 'Your session has ended: sign in again';

/**
 * Lets a request through with `Authorization: Bearer <token or key>` (401, in words) whose scope
 * reaches the operation's (403, in words), or, with no Authorization header, with a session cookie
 * whose person's role reaches the operation's (403, in words; a cookie request that changes
 * something also needs {@link REQUEST_HEADER}), and puts what it was authorised as on the context
 * ({@link authOf}). The operation is found as Hono finds it, from the routers' list; a path no
 * operation has is refused to any key but admin (and any person but an admin) with the 404 it would
 * get (so a route added outside the routers is admin's until it says otherwise).
 */
export function requireAuth(deps: AppDeps, ops: readonly RegisteredOp[]): MiddlewareHandler {
  const resolver = keyResolverOf(deps);
  const needs = new TrieRouter<{ scope: Scope; role: Role }>();
  for (const op of ops) needs.add(op.method.toUpperCase(), op.fullPath, { scope: op.scope, role: op.role });
  for (const r of UNLISTED) needs.add(r.method, r.path, { scope: r.scope, role: r.role });
  /** What the operation at this method and path needs, or null when there is none. */
  const needOf = (c: Context) => {
    // Hono answers HEAD with the GET handler.
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const [found] = needs.match(method, c.req.path) as [[{ scope: Scope; role: Role }, unknown][]];
    return found.length ? found[0][0] : null;
  };
  return async function apiAuth(c, next) {
    if (OPEN_ROUTES.some((r) => r.method === c.req.method && r.path === c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const cookie = header ? undefined : getCookie(c, SESSION_COOKIE);
    if (cookie) {
      const session = await resolveSession(deps.rt.store.db, cookie, deps.rt.clock.now());
      if (typeof session === 'string') {
        deleteCookie(c, SESSION_COOKIE, { path: '/' });
        throw new AppError(401, SESSION_ENDED);
      }
      const auth: RequestAuth = { kind: 'person', scope: 'admin', role: session.role, person: session.person, sessionId: session.id };
      c.set('auth', auth);
      requireRequestHeader(c);
      const need = needOf(c);
      if (!need && session.role !== 'admin') throw new AppError(404, `No such endpoint: ${c.req.method} ${c.req.path}`);
      if (need) requireRole(c, auth, need.role);
      return next();
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new AppError(401, header ? 'The Authorization header must be "Bearer <token>"' : 'Missing token: send "Authorization: Bearer <token>" (the token is printed when the server starts), or sign in');
    }
    const auth = await resolver.resolve(match[1]);
    if (!auth) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new AppError(401, match[1].startsWith(SECRET_PREFIX) ? 'Wrong key: no API key has this secret (it may have been revoked)' : 'Wrong token');
    }
    c.set('auth', auth);
    const refused = originRefusal(auth, c.req.header('origin'));
    if (refused) throw new AppError(403, refused);
    if (auth.scope !== 'admin') {
      const need = needOf(c);
      if (!need) throw new AppError(404, `No such endpoint: ${c.req.method} ${c.req.path}`);
      requireScope(c, auth, need.scope);
    }
    await next();
  };
}
