import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import { allows } from '../keys/scopes.js';
import { EventsBody, answerEvents } from '../routes/events.js';
import { keyResolverOf } from './auth.js';
import type { AppDeps } from './deps.js';
import { MAX_QUEUED } from './load.js';
import { parseJsonBody } from './router.js';
import { API_POLICY, securityHeaderValues } from './security-headers.js';

/** The lane's request listener (see `eventsLane`). */
export type EventsLane = ((req: IncomingMessage, res: ServerResponse) => boolean) & { answered: number };

/** The path the lane takes, exactly (no query string, no trailing slash). */
const PATH = '/api/events';
const JSON_TYPE = /^application\/(.+\+)?json\b/i;
const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** An API answer's security headers, as the app's `securityHeaders` sets them. */
const SECURITY = securityHeaderValues(API_POLICY);

/**
 * The events lane (issue 20): `POST /api/events` in its commonest form — a Bearer token or key
 * whose scope allows the intake, no `Origin` (a server or a backend, not a page), a JSON body of
 * declared length within the limit, the engine's queue not full — answered without Hono's request,
 * context and response objects and its middleware chain, about 50 µs of CPU a request.
 *
 * It decides nothing of its own. The secret is resolved by the app's `KeyResolver` and its scope
 * judged by `allows`, as `requireAuth` does; the body is read as `parseJsonBody` reads it and
 * checked with the route's `EventsBody`; the answer is the route's (`answerEvents`), with the
 * security headers of an API answer. A request of any other form goes to the app untouched, and
 * one the lane turns back (a secret that is not an ingest one, broken JSON, an invalid event, an
 * error of the intake) is handed to the app with its body: every refusal is the app's own answer.
 *
 * Returns the request listener to put in front of the app's: it answers true when it took the
 * request; `answered` counts those it answered itself (not handed to the app).
 */
export function eventsLane(app: Hono, deps: AppDeps, maxSize: number): EventsLane {
  const resolver = keyResolverOf(deps);
  const lane: EventsLane = Object.assign((req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url !== PATH) return false;
    const h = req.headers;
    const length = h['content-length'];
    const secret = BEARER.exec(h.authorization ?? '')?.[1];
    if (!secret || h.origin !== undefined || h['transfer-encoding'] !== undefined || length === undefined || !/^\d+$/.test(length)
      || Number(length) > maxSize || !JSON_TYPE.test(h['content-type'] ?? '') || deps.rt.waiting >= MAX_QUEUED) return false;
    void take(req, res, secret, Number(length));
    return true;
  }, { answered: 0 });
  return lane;

  async function take(req: IncomingMessage, res: ServerResponse, secret: string, length: number): Promise<void> {
    let body: Buffer | undefined;
    /** Whether the app has the request: from then on its answer is the answer. */
    let handed = false;
    /** Whether the body began to be read (it cannot be read twice). */
    let reading = false;
    const hand = (read: Buffer | undefined) => {
      handed = true;
      return toApp(req, res, read);
    };
    try {
      // While requests come in, due work takes shorter turns (as `shedLoad` notes for the app).
      deps.rt.due.noteRequest();
      const auth = await resolver.resolve(secret);
      if (!auth || !allows(auth.scope, 'ingest')) return await hand(undefined);
      reading = true;
      body = await readBody(req, length);
      const parsed = EventsBody.safeParse(parseJsonBody(body.toString('utf8')));
      if (!parsed.success) return await hand(body);
      const answer = await answerEvents(deps, Array.isArray(parsed.data) ? parsed.data : [parsed.data]);
      const text = JSON.stringify(answer);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...SECURITY });
      res.end(text);
      lane.answered++;
    } catch {
      // Once the app had it, or with the body half read (the client went away), nothing is left to say.
      if (handed || (reading && body === undefined) || res.headersSent) {
        res.destroy();
        return;
      }
      // The app answers it again from the start: the same refusal in words, or the same error.
      // Nothing was written: each refusal comes before the engine's transaction, and a failed
      // transaction wrote nothing (an event id is taken once, so a retry counts it a duplicate).
      await hand(body).catch(() => res.destroy());
    }
  }

  /** Hands the request to the app: untouched when `body` is undefined (nothing read yet), else with the body read. */
  async function toApp(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Promise<void> {
    const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
      method: 'POST',
      headers: Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]))),
      body: new Uint8Array(body ?? (await readBody(req, Infinity))),
    });
    const answer = await app.fetch(request, { incoming: req, outgoing: res });
    const headers: Record<string, string[]> = {};
    answer.headers.forEach((value, key) => (headers[key] ??= []).push(value));
    res.writeHead(answer.status, headers);
    res.end(Buffer.from(await answer.arrayBuffer()));
  }
}

/** A request's body, at most `limit` bytes (a longer one than it declared is refused). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('the body is longer than it declared'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
