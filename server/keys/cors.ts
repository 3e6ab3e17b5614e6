import type { Kysely, Transaction } from 'kysely';
import type { MiddlewareHandler } from 'hono';
import type { DB } from '../store/schema.js';
import { ingestRoute, type RequestAuth } from './scopes.js';
import { originListed } from './store.js';

/** How long a browser may keep a preflight's answer (it grants nothing by itself: each request's key is still checked). */
const PREFLIGHT_MAX_AGE = 600;

/**
 * Why a browser page at `origin` may not use this ingest key, or null. CORS alone would only hide
 * the answer from the page: a call from a page the key does not list is refused, and nothing of it
 * is taken in. Requests from servers carry no Origin and are not concerned.
 */
export function originRefusal(auth: RequestAuth, origin: string | undefined): string | null {
  if (!origin || auth.kind !== 'key' || auth.scope !== 'ingest' || auth.origins?.includes(origin)) return null;
  return `This ingest key is not for pages at ${origin}: add the origin to the key (Settings → Keys), or use a key that lists it`;
}

/**
 * CORS for the intake routes ({@link INGEST_ROUTES}) and nothing else, for the origins ingest keys list.
 *
 * A preflight (`OPTIONS` with `Access-Control-Request-Method`) carries no key, so it is answered
 * for an origin that some ingest key lists; any other goes on unanswered (the API refuses it).
 * On the request itself, `Access-Control-Allow-Origin` is set when the key it was authorised with
 * lists the origin, and on a refusal (4xx): a page elsewhere never reads an answer that took
 * anything in (it is refused before, see {@link originRefusal}). Mount it
 * before the auth middleware (a preflight must not need a key) on every path: it looks at intake
 * routes only.
 */
export function ingestCors(db: () => Kysely<DB> | Transaction<DB>): MiddlewareHandler {
  return async function ingestCors(c, next) {
    const origin = c.req.header('origin');
    const route = origin ? ingestRoute(c.req.method, c.req.path) : null;
    if (!origin || !route) return next();
    if (c.req.method === 'OPTIONS') {
      if (!c.req.header('access-control-request-method') || !(await originListed(db(), origin))) return next();
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Methods', route.method === '*' ? 'GET, POST' : route.method);
      c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE));
      c.header('Vary', 'Origin', { append: true });
      return c.body(null, 204);
    }
    await next();
    const auth = c.get('auth');
    // A refusal is readable by any page: it holds no data, and a script that can read its 4xx
    // drops what it sent instead of retrying it on every page load.
    // An admin secret has no business in a page of another origin: its refusals stay closed.
    const refusal = c.req.method !== 'OPTIONS' && auth?.scope !== 'admin' && c.res.status >= 400 && c.res.status < 500 && c.res.status !== 404;
    if ((auth?.kind === 'key' && auth.scope === 'ingest' && auth.origins?.includes(origin)) || refusal) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.append('Vary', 'Origin');
    }
  };
}
