import type { MiddlewareHandler } from 'hono';

/**
 * The policy of the pages (the editor, /docs): scripts only from this server (no inline script,
 * no eval); styles from here and inline (React Flow positions nodes with style attributes; /docs
 * carries its small stylesheet inline); images from here and data: URLs; requests only to this
 * server; never framed, since the editor keeps the API token in the browser's storage.
 */
export const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The policy of API answers: JSON, which must never be rendered or framed as a page. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers on every answer: the content policy above (pages) or none at all (the API),
 * `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`, `nosniff` (a type is never
 * guessed), and no Referer sent from the editor (its address may carry the token on first open).
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', c.req.path.startsWith('/api/') || c.req.path === '/api' ? API_POLICY : PAGE_POLICY);
    h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'no-referrer');
  };
}
