import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';

/** Where the tracker is served (SPEC §10 "The tracker"). */
export const TRACKER_PATH = '/t.js';

/** The documented source of the script: hand-written browser JavaScript, no build step. */
export const TRACKER_SOURCE = new URL('./tracker-script.js', import.meta.url);

/** How long browsers and CDNs may keep the script before asking again (with its ETag). */
const MAX_AGE = 300;

/**
 * The source without its comments and indentation: what is served. The source keeps to a style
 * that makes this safe without a parser — a comment is a line of its own, a block whose first
 * line starts with `/*`, or ` // …` after a `;`, `{`, `,` or `)` — and a test checks that the
 * result holds the same tokens. A short header says where the commented source is.
 */
export function stripComments(source: string): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of source.split('\n')) {
    const t = line.trim();
    if (inBlock) {
      inBlock = !t.includes('*/');
      continue;
    }
    if (t.startsWith('/*')) {
      inBlock = !t.includes('*/');
      continue;
    }
    if (!t || t.startsWith('//')) continue;
    out.push(t.replace(/([;{,)]) \/\/ .*$/, '$1'));
  }
  return out.join('\n') + '\n';
}

/** The script as served: the version filled in, comments out. */
export function trackerScript(version: string, source = readFileSync(TRACKER_SOURCE, 'utf8')): string {
  const header = `/*! Scoremap tracker ${version}: the commented source is server/intake/tracker-script.js in Scoremap; docs/integrations/tracker.md tells how to use it */\n`;
  return header + stripComments(source).replaceAll('__SCOREMAP_VERSION__', version);
}

/** Whether an Accept-Encoding header takes gzip (a `q=0` refuses it). */
function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (name !== 'gzip' && name !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

/** Whether If-None-Match names `etag` (weak comparison, as RFC 9110 §13.1.2 asks for GET). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/**
 * `GET /t.js`: the website tracker, public (the page's `data-key` authorises what it sends, not
 * the script). Built once when the router is made, and served gzipped to browsers that take it —
 * the server compresses nothing else — with an ETag per encoding, so a revalidation costs a 304.
 * Loaded from other sites by design: `Cross-Origin-Resource-Policy: cross-origin` lets pages that
 * require it (COEP) load it too.
 */
export function trackerRouter(opts: { readonly version?: string } = {}): Hono {
  const script = trackerScript(opts.version ?? '0.0.0');
  const plain = Buffer.from(script, 'utf8');
  const gzipped = gzipSync(plain, { level: 9 });
  const hash = createHash('sha256').update(plain).digest('base64url').slice(0, 22);
  const etags = { plain: `"${hash}"`, gzip: `"${hash}-gz"` };

  return new Hono().get(TRACKER_PATH, function tracker(c) {
    const gzip = acceptsGzip(c.req.header('accept-encoding'));
    const etag = gzip ? etags.gzip : etags.plain;
    const headers: Record<string, string> = {
      'Cache-Control': `public, max-age=${MAX_AGE}`,
      ETag: etag,
      Vary: 'Accept-Encoding',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    headers['Content-Type'] = 'application/javascript; charset=utf-8';
    if (gzip) headers['Content-Encoding'] = 'gzip';
    return c.body(new Uint8Array(gzip ? gzipped : plain), 200, headers);
  });
}
