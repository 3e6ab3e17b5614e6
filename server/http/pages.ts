import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { scopeSentence } from '../keys/scopes.js';
import type { RegisteredOp } from './router.js';

/** Where the pages' stylesheet is served. */
export const STYLESHEET = '/docs.css';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The pages' stylesheet, served as a file: their policy refuses inline styles (security-headers.ts). */
const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2937}
code,pre{font:13px ui-monospace,monospace;background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}
h2{margin-top:2rem;border-bottom:1px solid #e5e7eb}.op{margin:.4rem 0}.m{display:inline-block;width:4.5rem;font-weight:600}
.s{font-size:.75rem;padding:0 .35rem;border-radius:.25rem;border:1px solid;white-space:nowrap}.s-read{color:#166534}.s-ingest{color:#1d4ed8}.s-admin{color:#9a3412}
@media (prefers-color-scheme: dark){body{background:#111827;color:#e5e7eb}code,pre{background:#1f2937}h2{border-color:#374151}.s-read{color:#86efac}.s-ingest{color:#93c5fd}.s-admin{color:#fdba74}}`;

/** The API reference: every operation with its summary, generated from the routers (no token needed to read it). */
export function apiReferencePage(ops: readonly RegisteredOp[], version: string): string {
  const byTag = new Map<string, RegisteredOp[]>();
  for (const op of ops) byTag.set(op.tag, [...(byTag.get(op.tag) ?? []), op]);
  const sections = [...byTag].map(([tag, list]) => `<h2>${escape(tag)}</h2>${list.map((op) =>
    `<div class="op"><span class="m">${op.method.toUpperCase()}</span><code>${escape(op.fullPath)}</code> — ${escape(op.summary)} <span class="s s-${op.scope}" title="${escape(scopeSentence(op.scope))}">${op.scope}</span>${op.description ? `<br><small>${escape(op.description)}</small>` : ''}</div>`).join('')}`).join('');
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Scoremap API ${escape(version)}</title><link rel="stylesheet" href="${STYLESHEET}">
<h1>Scoremap API <small>${escape(version)}</small></h1>
<p>Every request under <code>/api</code> needs <code>Authorization: Bearer &lt;token&gt;</code> (printed when the server starts), or an API key (Settings → Keys).
A key's scope decides what it may use; each operation says which: <span class="s s-read">read</span> (a read or an admin key),
<span class="s s-ingest">ingest</span> (an ingest or an admin key), <span class="s s-admin">admin</span> (an admin key or the token).
The Segment-compatible <code>/v1</code> routes also take the key as the user name of HTTP Basic auth, or as <code>writeKey</code> in the body.
Bodies are JSON; errors are <code>{ "error": { "message", "details"? } }</code> with a 4xx status.
The machine-readable document is <code>GET /api/openapi.json</code>.</p>
<pre>curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
  -d '{"id":"evt-1","contact":{"email":"ann@example.com"},"type":"page_visited","props":{"url":"/pricing"}}' \\
  http://127.0.0.1:8080/api/events</pre>${sections}</html>`;
}

const LANDING = (version: string) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>Scoremap</title><link rel="stylesheet" href="${STYLESHEET}">
<h1>Scoremap ${escape(version)}</h1><p>The engine and the API are running. The map editor is not built into this copy yet.</p>
<p>API reference: <a href="/docs">/docs</a>.</p></html>`;

/**
 * Serves what a browser opens without a token: the editor's built files (with index.html for
 * client-side routes) when they exist, otherwise a landing page; and the API reference at /docs
 * with its stylesheet.
 * Static serving stays inside `editorDir` (serveStatic refuses paths that climb out of it).
 */
export function mountPages(app: Hono, opts: { ops: readonly RegisteredOp[]; editorDir: string; version: string }): void {
  const reference = apiReferencePage(opts.ops, opts.version);
  app.get('/docs', (c) => c.html(reference));
  app.get(STYLESHEET, (c) => c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8' }));
  const index = join(opts.editorDir, 'index.html');
  if (existsSync(index)) {
    app.use('*', async (c, next) => (c.req.path.startsWith('/api') ? next() : serveStatic({ root: opts.editorDir })(c, next)));
    app.get('*', (c) => (c.req.path.startsWith('/api') ? c.notFound() : c.html(readFileSync(index, 'utf8'))));
  } else {
    app.get('/', (c) => c.html(LANDING(opts.version)));
  }
}
