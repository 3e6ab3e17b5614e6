import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { z } from 'zod';
import { serveStatic } from '@hono/node-server/serve-static';
import { scopeSentence } from '../keys/scopes.js';
import type { RegisteredOp } from './router.js';
import { API_REFERENCE_URL, escapeHtml as escape, SITE_HEADER } from '../docs/layout.js';
import { mountDocs } from '../docs/routes.js';
import { STYLE, STYLESHEET } from '../docs/style.js';

export { STYLESHEET };

type Json = { [k: string]: unknown };

/** A JSON Schema as a person writes the value: `{ to: string (date-time) } | { ms: integer }`. */
function shape(schema: unknown, depth = 0): string {
  const s = (schema ?? {}) as Json;
  // A recursive part (a condition inside a condition) is shown once.
  if (typeof s.$ref === 'string') return '…';
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (alternatives) return alternatives.map((a) => shape(a, depth)).join(' | ');
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (s.type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required ?? []) as string[]);
      const keys = Object.keys(props);
      if (!keys.length) return s.additionalProperties && typeof s.additionalProperties === 'object' ? `{ [key]: ${shape(s.additionalProperties, depth + 1)} }` : 'object';
      if (depth >= 3) return '{…}';
      return `{ ${keys.map((k) => `${k}${required.has(k) ? '' : '?'}: ${shape(props[k], depth + 1)}`).join(', ')} }`;
    }
    case 'array': return `${shape(s.items, depth + 1)}[]`;
    case 'string': return typeof s.format === 'string' ? `string (${s.format})` : 'string';
    case 'integer': case 'number': case 'boolean': case 'null': return s.type;
    default: return 'any JSON';
  }
}

/** What an operation's JSON body looks like, or null when it takes none. */
export function bodyShape(op: RegisteredOp): string | null {
  const schema = op.body ?? op.rawBodySchema;
  if (!schema) return null;
  try {
    const text = shape(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', cycles: 'ref' }));
    return text.length > 600 ? `${text.slice(0, 600)}…` : text;
  } catch {
    return null;
  }
}

function opLine(op: RegisteredOp): string {
  const body = bodyShape(op);
  const bodyLine = body ? `<br><small>Body${op.bodyOptional ? ' (optional)' : ''}${op.rawBody ? ` (${escape(op.rawBody)})` : ''}:</small> <code>${escape(body)}</code>` : '';
  return `<div class="op"><span class="m">${op.method.toUpperCase()}</span><code>${escape(op.fullPath)}</code> — ${escape(op.summary)} <span class="s s-${op.scope}" title="${escape(scopeSentence(op.scope))}">${op.scope}</span>${op.description ? `<br><small>${escape(op.description)}</small>` : ''}${bodyLine}</div>`;
}

/**
 * The API reference: every operation with its summary and the shape of its body, generated from
 * the routers (no token needed to read it). `origin`: where this server answers, for the example.
 */
export function apiReferencePage(ops: readonly RegisteredOp[], version: string, origin = 'http://127.0.0.1:8080'): string {
  const byTag = new Map<string, RegisteredOp[]>();
  for (const op of ops) byTag.set(op.tag, [...(byTag.get(op.tag) ?? []), op]);
  const sections = [...byTag].map(([tag, list]) => `<h2>${escape(tag)}</h2>${list.map(opLine).join('')}`).join('');
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Scoremap API ${escape(version)}</title><link rel="stylesheet" href="${STYLESHEET}">
${SITE_HEADER}<h1>Scoremap API <small>${escape(version)}</small></h1>
<p>Every request under <code>/api</code> needs <code>Authorization: Bearer &lt;token&gt;</code> (printed when the server starts), or an API key (Settings → Keys).
A key's scope decides what it may use; each operation says which: <span class="s s-read">read</span> (a read or an admin key),
<span class="s s-ingest">ingest</span> (an ingest or an admin key), <span class="s s-admin">admin</span> (an admin key or the token).
The Segment-compatible <code>/v1</code> routes also take the key as the user name of HTTP Basic auth, or as <code>writeKey</code> in the body.
Bodies are JSON; errors are <code>{ "error": { "message", "details"? } }</code> with a 4xx status.
The machine-readable document is <code>GET /api/openapi.json</code>.</p>
<pre>curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
  -d '{"id":"evt-1","contact":{"email":"ann@example.com"},"type":"page_visited","props":{"url":"/pricing"}}' \\
  ${escape(origin)}/api/events</pre>${sections}</html>`;
}

const LANDING = (version: string) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>Scoremap</title><link rel="stylesheet" href="${STYLESHEET}">
<h1>Scoremap ${escape(version)}</h1><p>The engine and the API are running. The map editor is not built into this copy yet.</p>
<p>Documentation: <a href="/docs">/docs</a>; the API reference: <a href="${API_REFERENCE_URL}">${API_REFERENCE_URL}</a>.</p></html>`;

/**
 * Serves what a browser opens without a token: the editor's built files (with index.html for
 * client-side routes) when they exist, otherwise a landing page; the repository's docs at /docs
 * (server/docs/), the live API reference at /docs/api, and their stylesheet.
 * Static serving stays inside `editorDir` (serveStatic refuses paths that climb out of it).
 */
export function mountPages(app: Hono, opts: { ops: readonly RegisteredOp[]; editorDir: string; version: string; clock?: 'manual' | 'real'; /** The repository whose docs/ is served (default: this one). */ docsRoot?: string }): void {
  app.get(API_REFERENCE_URL, (c) => c.html(apiReferencePage(opts.ops, opts.version, new URL(c.req.url).origin)));
  mountDocs(app, { root: opts.docsRoot });
  app.get(STYLESHEET, (c) => c.body(STYLE, 200, { 'content-type': 'text/css; charset=utf-8' }));
  const index = join(opts.editorDir, 'index.html');
  if (existsSync(index)) {
    // The editor reads the clock's kind from the page: on a real clock it never asks /api/clock (a 404).
    const page = () => {
      const html = readFileSync(index, 'utf8');
      return opts.clock ? html.replace('<head>', `<head><meta name="scoremap-clock" content="${opts.clock}">`) : html;
    };
    app.get('/', (c) => c.html(page()));
    app.get('/index.html', (c) => c.html(page()));
    app.use('*', async (c, next) => (c.req.path.startsWith('/api') ? next() : serveStatic({ root: opts.editorDir })(c, next)));
    app.get('*', (c) => (c.req.path.startsWith('/api') ? c.notFound() : c.html(page())));
  } else {
    app.get('/', (c) => c.html(LANDING(opts.version)));
  }
}
