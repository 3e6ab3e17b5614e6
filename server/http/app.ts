import { Hono } from 'hono';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import { CachedRouter } from './cached-router.js';
import { HTTPException } from 'hono/http-exception';
import { AppError } from '../errors.js';
import { requireAuth } from './auth.js';
import { eventsLane } from './events-lane.js';
import { ingestCors } from '../keys/cors.js';
import { keysRouter } from '../keys/routes.js';
import { limitBody, shedLoad } from './load.js';
import { securityHeaders } from './security-headers.js';
import { openApiDocument } from './openapi.js';
import type { RegisteredOp } from './router.js';
import type { AppDeps, RouterFactory } from './deps.js';
import { healthRouter } from '../routes/health.js';
import { clockRouter } from '../routes/clock.js';
import { mapsRouter } from '../routes/maps.js';
import { templatesRouter } from '../routes/templates.js';
import { fieldsRouter } from '../routes/fields.js';
import { contactsRouter } from '../routes/contacts.js';
import { eventsRouter } from '../routes/events.js';
import { simulateRouter } from '../routes/simulate.js';
import { scoringModelsRouter } from '../routes/scoring-models.js';
import { scoringLedgerRouter } from '../scoring/routes.js';
import { modelVersionsRouter } from '../scoring/versions-routes.js';
import { webhooksRouter } from '../webhooks/routes.js';
import { auditRouter } from '../audit/routes.js';
import { segmentRouter } from '../intake/routes.js';
import { intakeMappingRouter } from '../intake/mapping-routes.js';
import { trackerRouter } from '../intake/tracker.js';
import { challengerRouter } from '../reports/challenger-routes.js';
import { backtestRouter } from '../backtest/routes.js';
import { outcomesRouter, reportsRouter } from '../reports/routes.js';
import { listsRouter } from '../sales/lists-routes.js';
import { qualificationRouter } from '../sales/reasons.js';
import { meRouter, peopleRouter, sessionRouter } from '../people/routes.js';

export type { AppDeps, RouterFactory } from './deps.js';

/** The routers of the API, in the order the OpenAPI document lists them. */
export const ROUTERS: RouterFactory[] = [healthRouter, clockRouter, mapsRouter, templatesRouter, fieldsRouter, contactsRouter, eventsRouter, simulateRouter, scoringModelsRouter, modelVersionsRouter, scoringLedgerRouter, keysRouter, webhooksRouter, auditRouter, segmentRouter, intakeMappingRouter, outcomesRouter, reportsRouter, backtestRouter, challengerRouter, listsRouter, qualificationRouter, sessionRouter, meRouter, peopleRouter];

/** Builds the Hono app: auth and limits on /api, JSON errors, the OpenAPI document. */
export function createApp(deps: AppDeps): { app: Hono; ops: RegisteredOp[]; lane: ReturnType<typeof eventsLane> } {
  // Hono's own choice of router, each path's match remembered (see `CachedRouter`).
  const app = new Hono({ router: new CachedRouter(new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] })) });
  const routers = ROUTERS.map((make) => make(deps));
  const ops = routers.flatMap((r) => r.ops);

  app.onError((err, c) => {
    if (err instanceof AppError) {
      return c.json({ error: { message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } }, err.status);
    }
    if (err instanceof HTTPException) {
      return c.json({ error: { message: err.message || 'Request refused' } }, err.status);
    }
    // Not a bug: the database is down or restarting. Clients retry a 503 (events with ids safely).
    if (deps.rt.store.dialect.isUnavailable(err)) {
      c.header('Retry-After', '5');
      return c.json({ error: { message: `The database is not answering (${(err as Error).message}); nothing was changed by this request: try again in a moment` } }, 503);
    }
    (deps.logError ?? console.error)(err);
    return c.json({ error: { message: 'Something went wrong on the server; nothing was changed by this request' } }, 500);
  });
  app.notFound((c) => c.json({ error: { message: `No such endpoint: ${c.req.method} ${c.req.path}` } }, 404));

  // Every answer, pages and API alike (and the errors above).
  app.use('*', securityHeaders());
  const maxSize = deps.maxBodyBytes ?? 32 * 1024 * 1024;
  // CORS only for the intake routes and the origins ingest keys list; before auth, as a preflight carries no key.
  app.use('*', ingestCors(() => deps.rt.store.db));
  app.use('/api/*', requireAuth(deps, ops));
  app.use('/api/*', shedLoad(deps.rt));
  app.use('/api/*', limitBody(maxSize, () => {
    throw new AppError(413, `The request body is larger than ${Math.round(maxSize / 1024 / 1024)} MiB: send it in smaller parts`);
  }));

  const document = openApiDocument(ops, deps.version ?? '0.1.0');
  app.get('/api/openapi.json', (c) => c.json(document));
  for (const r of routers) app.route(r.base, r.hono);
  app.route('/', trackerRouter({ version: deps.version }));
  return { app, ops, lane: eventsLane(app, deps, maxSize) };
}
