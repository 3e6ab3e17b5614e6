import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Role } from '../people/roles.js';

/** What a key may do (SPEC §10 "Keys"): `admin` everything, `ingest` the intake routes, `read` the read-only API. */
export const SCOPES = ['admin', 'ingest', 'read'] as const;
export type Scope = (typeof SCOPES)[number];

/** A signed-in person, as a request knows them (SPEC §12). */
export interface RequestPerson {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

/**
 * What a request was authorised as: the start-up token (an admin key, SPEC §6, the owner's), an
 * API key (held to its scope), or a signed-in person (held to their role, `server/people/roles.ts`;
 * `scope` is `admin` for them, so the scope check never stands in the way of the role check).
 */
export interface RequestAuth {
  readonly kind: 'token' | 'key' | 'person';
  readonly scope: Scope;
  /** The person's role; `admin` for the start-up token; absent for a key. */
  readonly role?: Role;
  /** Who signed in (`kind: 'person'` only). */
  readonly person?: RequestPerson;
  /** The session's id (`kind: 'person'` only): signing out ends it. */
  readonly sessionId?: string;
  /** The key's id (`kind: 'key'` only). */
  readonly keyId?: string;
  /** The key's name (`kind: 'key'` only), for the audit log. */
  readonly keyName?: string;
  /** The web origins an ingest key may be used from in a browser (`kind: 'key'` only). */
  readonly origins?: readonly string[];
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the auth middleware on every request it lets through; read it with {@link authOf}. */
    auth: RequestAuth;
  }
}

/** What the request was authorised as; throws (a bug, a 500) where no auth middleware ran. */
export function authOf(c: Context): RequestAuth {
  const auth = c.get('auth');
  if (!auth) throw new Error(`No auth on ${c.req.method} ${c.req.path}: the route is not behind the auth middleware`);
  return auth;
}

/**
 * An operation's scope when it does not name one: reading (GET, and HEAD which Hono serves with
 * the GET handler) is `read`, anything else changes something and is `admin`.
 */
export function defaultScope(method: string): Scope {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? 'read' : 'admin';
}

/** Whether a key of scope `have` may use an operation of scope `need`: admin may do everything, others only their own. */
export function allows(have: Scope, need: Scope): boolean {
  return have === 'admin' || have === need;
}

/** One route of the intake (method `*`: any; a path ending in `/*`: everything below it). */
export interface IngestRoute {
  readonly method: string;
  readonly path: string;
}

/**
 * The intake routes: where an ingest key is accepted and where CORS answers the origins ingest keys
 * list. The one list: code that adds an intake route (Segment's `/v1/*`, the tracker) extends it here.
 */
export const INGEST_ROUTES: readonly IngestRoute[] = [
  { method: 'POST', path: '/api/events' },
  { method: 'POST', path: '/v1/*' },
  { method: 'GET', path: '/t.js' },
];

/** The intake route `path` falls under with `method` (`OPTIONS`: any method of it, for a preflight), or null. */
export function ingestRoute(method: string, path: string): IngestRoute | null {
  const m = method.toUpperCase();
  for (const route of INGEST_ROUTES) {
    const pathFits = route.path.endsWith('/*') ? path.startsWith(route.path.slice(0, -1)) : path === route.path;
    if (pathFits && (m === 'OPTIONS' || route.method === '*' || route.method === m)) return route;
  }
  return null;
}

/** How the intake routes read in a sentence: "POST /api/events, POST /v1/*, GET /t.js". */
const intakeList = () => INGEST_ROUTES.map((r) => `${r.method === '*' ? '' : `${r.method} `}${r.path}`).join(', ');

/** Why a key of scope `have` may not use `METHOD path` (of scope `need`), in words a person can act on. */
export function scopeRefusal(have: Scope, need: Scope, method: string, path: string): string {
  const what = `${method.toUpperCase()} ${path}`;
  if (have === 'ingest') {
    return `This ingest key can only send data in (${intakeList()}): ${what} needs ${need === 'read' ? 'a read or an admin key' : 'an admin key'}`;
  }
  if (need === 'ingest') return `This ${have} key cannot send events: use an ingest or admin key for ${what}`;
  if (defaultScope(method) === 'read') return `This ${have} key cannot use ${what}: only an admin key can`;
  return `This ${have} key cannot change anything: use an admin key for ${what}`;
}

/**
 * Refuses (403, in words) a request whose auth does not reach `need`. The header follows RFC 6750
 * §3.1: `insufficient_scope`, with the scope that would do.
 */
export function requireScope(c: Context, auth: RequestAuth, need: Scope): void {
  // A person is held to their role instead (`requireRole`).
  if (auth.kind === 'person' || allows(auth.scope, need)) return;
  c.header('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${need === 'admin' ? 'admin' : `${need} admin`}"`);
  throw new HTTPException(403, { message: scopeRefusal(auth.scope, need, c.req.method, c.req.path) });
}

/** Who may use an operation of this scope, in a sentence (the OpenAPI document's descriptions). */
export function scopeSentence(scope: Scope): string {
  switch (scope) {
    case 'admin': return 'Scope `admin`: an admin key (or the start-up token) only.';
    case 'read': return 'Scope `read`: a read key or an admin key.';
    case 'ingest': return 'Scope `ingest`: an ingest key (from a browser too, on the origins it lists) or an admin key.';
  }
}
