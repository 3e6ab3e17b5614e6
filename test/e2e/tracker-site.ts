/**
 * A web site for the tracker's browser tests: pages on a port of 127.0.0.1 of their own (another
 * origin than Scoremap's), each with the snippet a site owner pastes, read from docs/integrations/tracker.md.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseMarkdown, read } from '../docs/markdown.js';

/** The install snippet of docs/integrations/tracker.md, as a site owner pastes it. */
const SNIPPET = parseMarkdown(read('docs/integrations/tracker.md')).blocks.find((b) => b.lang === 'html' && b.text.includes('/t.js'))?.text;

/**
 * The page's copy of the snippet: Scoremap's address and the key filled in as the page says, `early`
 * run after the stub, `attributes` added to the script tag.
 */
function snippet(scoremap: string, key: string, early: string, attributes: string): string {
  if (!SNIPPET) throw new Error('docs/integrations/tracker.md has no install snippet (an html block that loads /t.js)');
  const filled = SNIPPET.replace('https://scoremap.example.com', scoremap).replace('data-key="INGEST_KEY"', `data-key="${key}"${attributes}`).replace('</script>', `${early}\n</script>`);
  if (!filled.includes(`${scoremap}/t.js`) || !filled.includes(key) || (early && !filled.includes(early))) throw new Error(`docs/integrations/tracker.md's snippet no longer reads as the tests fill it in:\n${SNIPPET}`);
  return filled;
}

/** A running site: its origin (`http://127.0.0.1:<port>`), and how to stop it. */
export interface Site {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A web site on another port: every path is a page with the tracker's snippet (`?consent=required`
 * adds `data-consent="required"`, `?early=1` a call made before the script loads), a demo form whose
 * submit handler identifies and tracks, and a link onwards. The snippet loads `/t.js` from `scoremap`
 * (Scoremap, or a stand-in for it) with `key` as its `data-key` (a function is asked on each request:
 * a key that lists the site's origin can only be made once the site listens).
 */
export async function startSite(scoremap: string, key: string | (() => string)): Promise<Site> {
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://site');
    if (u.pathname === '/favicon.ico') return void res.writeHead(404).end();
    const consent = u.searchParams.get('consent') === 'required' ? ' data-consent="required"' : '';
    const early = u.searchParams.has('early') ? "scoremap.track('Early Call', { from: 'the stub' });" : '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${u.pathname} — Acme</title>
${snippet(scoremap, typeof key === 'function' ? key() : key, early, consent)}
</head><body><h1>${u.pathname}</h1>
<form id="demo"><label>Email <input name="email" type="email"></label><label>First name <input name="first_name"></label><button>Request a demo</button></form>
<a href="next">Next page</a>
<script>
document.getElementById('demo').addEventListener('submit', function (e) {
  e.preventDefault();
  scoremap.identify(this.email.value, { first_name: this.first_name.value });
  scoremap.track('Demo Requested', { form: 'demo' });
});
</script></body></html>`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}
