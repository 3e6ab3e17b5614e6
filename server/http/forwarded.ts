import type { Context } from 'hono';

/**
 * What a request says about the client, read from the socket, or — behind a reverse proxy the
 * operator vouches for (`scoremap serve --trust-proxy`) — from the headers that proxy adds. Only
 * the last hop is believed: the value the nearest proxy appended. Earlier values, and the headers
 * of a server not told to trust a proxy, are anyone's to write.
 */

/** The last comma-separated value of a header, trimmed; undefined when absent or empty. */
function lastHop(c: Context, header: string): string | undefined {
  const value = c.req.header(header)?.split(',').at(-1)?.trim();
  return value || undefined;
}

/** The address a request came from: the socket's peer, or the proxy's `X-Forwarded-For` when trusted. */
export function clientAddress(c: Context, trustProxy: boolean | undefined): string {
  const forwarded = trustProxy ? lastHop(c, 'x-forwarded-for') : undefined;
  if (forwarded) return forwarded;
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Whether the client reached us over https: the request's own URL, or the proxy's `X-Forwarded-Proto` when trusted. */
export function reachedOverHttps(c: Context, trustProxy: boolean | undefined): boolean {
  const proto = trustProxy ? lastHop(c, 'x-forwarded-proto') : undefined;
  return (proto ?? new URL(c.req.url).protocol.replace(/:$/, '')).toLowerCase() === 'https';
}
