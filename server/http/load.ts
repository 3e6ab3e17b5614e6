import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Runtime } from '../runtime/runtime.js';

/**
 * Requests that change things queue for the engine's turn (one unit of work at a time). Past
 * this many queued, a new one is refused at once rather than left to wait for seconds: with about
 * 2–5 ms a turn for a single event, 500 is one to three seconds of queue.
 */
export const MAX_QUEUED = 500;

/**
 * Keeps requests from waiting long. Each one tells the engine's due work that requests are coming
 * in (it then takes shorter slices). And it sheds load in words: when the engine's queue is full, a request that would join it gets 503
 * with `Retry-After` and a JSON message saying nothing was changed (clients retry a 503; events
 * with ids safely). Reads, which never queue, are always served.
 */
export function shedLoad(rt: Runtime, max = MAX_QUEUED): MiddlewareHandler {
  return async function shedLoad(c, next) {
    // While requests come in, due work takes shorter turns (see `DueWork`).
    rt.due.noteRequest();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && rt.waiting >= max) {
      c.header('Retry-After', '1');
      return c.json({ error: { message: `The server is busy (${rt.waiting} changes waiting for their turn); nothing was changed by this request: try again in a second` } }, 503);
    }
    await next();
  };
}

/**
 * Refuses a body larger than `maxSize` (`tooLarge` throws the answer). A body that declares its
 * length is judged by it and left unread, so the route reads it straight from the socket (the
 * Node adapter's fast path: no web stream, no `Request` object); only a body sent in chunks of
 * unknown length is read through Hono's `bodyLimit`, which counts as it reads.
 */
export function limitBody(maxSize: number, tooLarge: () => never): MiddlewareHandler {
  const counting = bodyLimit({ maxSize, onError: tooLarge });
  return async function limitBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (!/^\d+$/.test(length) || Number(length) > maxSize) tooLarge();
      return next();
    }
    return counting(c, next);
  };
}
