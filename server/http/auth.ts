import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { MiddlewareHandler } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { AppError } from '../errors.js';
import { requireScope, type RequestAuth, type Scope } from '../keys/scopes.js';
import { SECRET_PREFIX, findKeyBySecret, touchKey } from '../keys/store.js';
import { originRefusal } from '../keys/cors.js';
import type { DB } from '../store/schema.js';
import type { RegisteredOp } from './router.js';

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

/** Compares in constant time: digests of equal length, so neither content nor length leaks. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
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

  constructor(private readonly opts: { readonly token: string; readonly db: () => Kysely<DB> | Transaction<DB>; readonly now: () => number }) {}

  /** What `secret` authorises, or null when it is neither the token nor a key. */
  async resolve(secret: string): Promise<RequestAuth | null> {
    if (tokenMatches(secret, this.opts.token)) return { kind: 'token', scope: 'admin', role: 'admin' };
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

/** Routes of /api that no router lists, with their scope. */
const UNLISTED: readonly { method: string; path: string; scope: Scope }[] = [{ method: 'GET', path: '/api/openapi.json', scope: 'read' }];

/**
 * Lets a request through only with `Authorization: Bearer <token or key>` (401, in words) whose scope
 * reaches the operation's (403, in words), and puts what it was authorised as on the context
 * ({@link authOf}). The operation is found as Hono finds it, from the routers' list; a path no
 * operation has is refused to any key but admin with the 404 it would get (so a route added
 * outside the routers is admin's until it says otherwise).
 */
export function requireAuth(opts: {
  readonly token: string;
  readonly db: () => Kysely<DB> | Transaction<DB>;
  readonly now: () => number;
  readonly ops: readonly RegisteredOp[];
}): MiddlewareHandler {
  const resolver = new KeyResolver(opts);
  const scopes = new TrieRouter<Scope>();
  for (const op of opts.ops) scopes.add(op.method.toUpperCase(), op.fullPath, op.scope);
  for (const r of UNLISTED) scopes.add(r.method, r.path, r.scope);
  return async function apiAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer');
      throw new AppError(401, header ? 'The Authorization header must be "Bearer <token>"' : 'Missing token: send "Authorization: Bearer <token>" (the token is printed when the server starts)');
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
      // Hono answers HEAD with the GET handler.
      const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
      const [found] = scopes.match(method, c.req.path) as [[Scope, unknown][]];
      if (!found.length) throw new AppError(404, `No such endpoint: ${c.req.method} ${c.req.path}`);
      requireScope(c, auth, found[0][0]);
    }
    await next();
  };
}
