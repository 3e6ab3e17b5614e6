import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';

/**
 * The policy of the pages (the editor, /docs): scripts and styles only from this server's files
 * (no inline script, no eval, no inline stylesheet; React sets element styles through the CSSOM,
 * which a policy does not govern); images and fonts from here too; requests only to this server;
 * never framed, since the editor keeps the API token in the browser's storage.
 */
export const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The policy of API answers: JSON, which must never be rendered or framed as a page. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** The security headers of an answer under `policy` (see `securityHeaders`), by name. */
export function securityHeaderValues(policy: string): Readonly<Record<string, string>> {
  return { 'Content-Security-Policy': policy, 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
}
/** Each kind of answer's headers as [name, value] pairs, made once. */
const HEADERS = { api: Object.entries(securityHeaderValues(API_POLICY)), page: Object.entries(securityHeaderValues(PAGE_POLICY)) };

/**
 * Security headers on every answer: the pages' content policy, or the API's closed one,
 * `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`, `nosniff` (a type is never
 * guessed), and no Referer sent from the editor (its address may carry the token on first open).
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    const headers = c.req.path.startsWith('/api/') || c.req.path === '/api' ? HEADERS.api : HEADERS.page;
    // Served by Node (@hono/node-server): on the outgoing response, which adds them to whatever
    // the answer carries when it writes the head. Setting them on the answer instead turns its
    // plain header record into a Headers object, about 9 µs an answer (issue 20). No answer sets
    // these itself (one that did would win here).
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && typeof outgoing.setHeader === 'function' && !outgoing.headersSent) {
      for (const [name, value] of headers) outgoing.setHeader(name, value);
      return next();
    }
    await next();
    for (const [name, value] of headers) c.res.headers.set(name, value);
  };
}
