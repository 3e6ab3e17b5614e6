import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Context, Hono } from 'hono';
import { docsPage, escapeHtml as escape } from './layout.js';
import { CONTENT_TYPES, DOCS_URL, isDirectory, isServed, REPO_ROOT, repoPathOf, urlOf } from './paths.js';
import { renderPage } from './render.js';

/** The page a folder opens on, in this order of preference. */
const FOLDER_PAGES = ['index.md', 'README.md'];

/**
 * Serves the repository's `docs/` at /docs as HTML for whoever runs the server (no sign-in, like
 * the API reference): `/docs` is `docs/index.md`, `/docs/<path>.md` a page, other files (images) as
 * they are. The README, `maps/` and `test/scenarios/` are served under /docs/repo, because the docs
 * link to them; links are rewritten to where each file is served. Pages are read at each request,
 * so an edited page shows at the next reload. Register /docs/api before this.
 */
export function mountDocs(app: Hono, opts: { root?: string } = {}): void {
  const root = opts.root ?? REPO_ROOT;
  const where = (repoPath: string) => urlOf(repoPath, isDirectory(root, repoPath));
  const read = (repoPath: string) => readFileSync(join(root, ...repoPath.split('/')), 'utf8');

  const page = (c: Context, repoPath: string) => {
    const { title, html } = renderPage(read(repoPath), repoPath, where);
    return c.html(docsPage(title, html, repoPath));
  };

  const folder = (c: Context, repoPath: string) => {
    const names = readdirSync(join(root, ...repoPath.split('/'))).sort();
    const opening = FOLDER_PAGES.find((n) => names.includes(n));
    if (opening) return page(c, `${repoPath}/${opening}`);
    const items = names
      .filter((n) => !n.startsWith('.') && isServed(`${repoPath}/${n}`))
      .map((n) => `<li><a href="${escape(where(`${repoPath}/${n}`)!)}">${escape(n)}${isDirectory(root, `${repoPath}/${n}`) ? '/' : ''}</a></li>`);
    return c.html(docsPage(`${repoPath}/`, `<h1>${escape(repoPath)}/</h1><ul>${items.join('')}</ul>`, `${repoPath}/`));
  };

  const notFound = (c: Context) =>
    c.html(docsPage('No such page', `<h1>No such page</h1><p>There is no page at <code>${escape(c.req.path)}</code> in Scoremap's docs. The <a href="${DOCS_URL}">docs index</a> lists every page.</p>`), 404);

  const serve = (c: Context) => {
    const urlPath = new URL(c.req.url).pathname;
    if (urlPath === DOCS_URL || urlPath === `${DOCS_URL}/`) return page(c, 'docs/index.md');
    const repoPath = repoPathOf(urlPath, root);
    if (repoPath === null) return notFound(c);
    if (isDirectory(root, repoPath)) return folder(c, repoPath);
    const ext = extname(repoPath);
    if (ext === '.md') return page(c, repoPath);
    const type = CONTENT_TYPES[ext];
    if (!type) return notFound(c);
    return c.body(readFileSync(join(root, ...repoPath.split('/'))), 200, { 'content-type': type });
  };
  app.get(DOCS_URL, serve);
  app.get(`${DOCS_URL}/*`, serve);
}
