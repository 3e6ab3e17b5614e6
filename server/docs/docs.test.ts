import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';
import { mountPages } from '../http/pages.js';
import { REPO_ROOT, urlOf } from './paths.js';
import { renderPage } from './render.js';

/** The app as `scoremap serve` mounts it (no editor built), and a GET that reads the text. */
async function site(opts: { editorDir?: string; docsRoot?: string } = {}) {
  const { app, ops } = await setup();
  mountPages(app, { ops, editorDir: opts.editorDir ?? '/nonexistent', version: '1.2.3', docsRoot: opts.docsRoot });
  const get = async (path: string) => {
    const r = await app.request(`http://scoremap.example:9123${path}`);
    return { status: r.status, type: r.headers.get('content-type') ?? '', headers: r.headers, r };
  };
  const text = async (path: string) => {
    const a = await get(path);
    return { ...a, html: await a.r.text() };
  };
  return { get, text };
}

describe('the docs served at /docs', () => {
  it('opens on docs/index.md, with the header that leads to the index, the API reference and the editor', async () => {
    const { text } = await site();
    const index = await text('/docs');
    expect(index.status).toBe(200);
    expect(index.type).toMatch(/^text\/html/);
    expect(index.html).toContain('<h1 id="scoremap-documentation">Scoremap documentation</h1>');
    expect(index.html).toMatch(/<header class="site"><a class="brand" href="\/docs">Scoremap docs<\/a>/);
    expect(index.html).toContain('<a href="/docs/api">API reference</a>');
    expect(index.html).toContain('<a href="/">Editor</a>');
    // Links between pages point where the pages are served, whatever the page's own address.
    expect(index.html).toContain('href="/docs/guide/concepts.md"');
    expect((await text('/docs/')).html).toBe(index.html);
    expect((await text('/docs/index.md')).html).toContain('<h1 id="scoremap-documentation">');
  });

  it('renders a nested page, with its links resolved from its own folder', async () => {
    const { text } = await site();
    const page = await text('/docs/guide/concepts.md');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<title>Concepts · Scoremap docs</title>');
    expect(page.html).toContain('<h2 id="contacts">Contacts</h2>');
    // `../contact-merge.md` from docs/guide/ is docs/contact-merge.md.
    expect(page.html).toContain('href="/docs/contact-merge.md"');
    expect(page.html).toContain('href="/docs/reference/fields.md#built-in-fields"');
    expect(page.html).toContain('<code>docs/guide/concepts.md</code>');
  });

  it('serves an image as the file it is, with its content type', async () => {
    const { get } = await site();
    const image = await get('/docs/reports.png');
    expect(image.status).toBe(200);
    expect(image.type).toBe('image/png');
    expect(Buffer.from(await image.r.arrayBuffer()).equals(readFileSync(join(REPO_ROOT, 'docs/reports.png')))).toBe(true);
  });

  it('follows a link to ../README.md, which is served under /docs/repo and links back into the docs', async () => {
    const { text } = await site();
    const index = await text('/docs');
    const href = /href="(\/docs\/repo\/README\.md)"/.exec(index.html)?.[1];
    expect(href).toBe('/docs/repo/README.md');
    const readme = await text(href!);
    expect(readme.status).toBe(200);
    expect(readme.html).toContain('<h1 id="scoremap">Scoremap</h1>');
    expect(readme.html).toMatch(/href="\/docs\/index\.md"|href="\/docs"/);
    // The map format's schema and the templates, which the docs link to, are served too.
    const schema = await text('/docs/repo/maps/map.schema.json');
    expect(schema.type).toMatch(/^application\/json/);
    expect(JSON.parse(schema.html)).toHaveProperty('$schema');
    expect((await text('/docs/repo/maps/')).html).toContain('<h1 id="templates">');
  });

  it('gives each heading the anchor a link uses, as the code host does', async () => {
    const { text } = await site();
    const index = await text('/docs');
    expect(index.html).toContain('href="/docs/scoring.md#a-model-in-five-minutes"');
    const scoring = await text('/docs/scoring.md');
    expect(scoring.html).toMatch(/<h2 id="a-model-in-five-minutes">/);
  });

  it('answers 404 for a path that climbs out of docs/, or names a repository file the docs do not serve', async () => {
    const { text } = await site();
    const secret = readFileSync(join(REPO_ROOT, 'package.json'), 'utf8').slice(0, 40);
    for (const path of [
      '/docs/..%2fpackage.json', '/docs/guide/..%2f..%2fpackage.json', '/docs/%2E%2E%2Fpackage.json', '/docs/..%5cpackage.json',
      '/docs/repo/package.json', '/docs/repo/..%2f..%2fetc%2fpasswd', '/docs/repo/server/serve.ts', '/docs/repo/maps/..%2f..%2fpackage.json',
      '/docs/repo/test/scenarios/..%2f..%2fpackage.json', '/docs/repo/.git/config', '/docs/%00index.md',
    ]) {
      const r = await text(path);
      expect(r.status, path).toBe(404);
      expect(r.html, path).not.toContain(secret);
    }
  });

  it('does not follow a symbolic link out of the repository', async () => {
    const root = mkdtempSync(join(tmpdir(), 'scoremap-docs-'));
    const outside = mkdtempSync(join(tmpdir(), 'scoremap-outside-'));
    writeFileSync(join(outside, 'secret.md'), '# Secret\n\nSECRET-TEXT\n');
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'index.md'), '# Home\n\n[in](inside.md)\n');
    writeFileSync(join(root, 'docs', 'inside.md'), '# Inside\n');
    symlinkSync(join(outside, 'secret.md'), join(root, 'docs', 'secret.md'));
    const { text } = await site({ docsRoot: root });
    expect((await text('/docs/inside.md')).status).toBe(200);
    const r = await text('/docs/secret.md');
    expect(r.status).toBe(404);
    expect(r.html).not.toContain('SECRET-TEXT');
  });

  it('says in words that a page does not exist, even with the editor built (whose routes take any other path)', async () => {
    const editor = mkdtempSync(join(tmpdir(), 'scoremap-editor-'));
    writeFileSync(join(editor, 'index.html'), '<!doctype html><head></head>EDITOR-INDEX');
    const { text } = await site({ editorDir: editor });
    const r = await text('/docs/no-such-page.md');
    expect(r.status).toBe(404);
    expect(r.type).toMatch(/^text\/html/);
    expect(r.html).toContain('There is no page at <code>/docs/no-such-page.md</code>');
    expect(r.html).toContain('<a href="/docs">docs index</a>');
    expect(r.html).not.toContain('EDITOR-INDEX');
    expect((await text('/docs')).status).toBe(200);
  });

  it('sends the pages policy with a rendered page, which uses no inline script or style', async () => {
    const { text } = await site();
    const r = await text('/docs/integrations/events-api.md');
    expect(r.status).toBe(200);
    const policy = r.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(r.html).not.toMatch(/<script|<style|\sstyle=/i);
    expect(r.html).toContain('<link rel="stylesheet" href="/docs.css">');
    const css = await text('/docs.css');
    expect(css.type).toMatch(/^text\/css/);
    expect(css.html).toContain('prefers-color-scheme: dark');
  });

  it('moves the live API reference to /docs/api, with the same header', async () => {
    const { text } = await site();
    const api = await text('/docs/api');
    expect(api.status).toBe(200);
    expect(api.html).toContain('<h1>Scoremap API');
    expect(api.html).toContain('http://scoremap.example:9123/api/events');
    expect(api.html).toContain('<a class="brand" href="/docs">Scoremap docs</a>');
  });
});

describe('rendering a page', () => {
  const where = (path: string) => urlOf(path, path.endsWith('/') || !path.includes('.'));

  it('anchors repeated headings as the code host does, and rewrites links and images to where they are served', () => {
    const { title, html } = renderPage(
      [
        '# A `code` title', '', '## Same', '', '## Same', '',
        '[up](../../README.md#two-commands) [near](other.md#same-1) [here](#same) [web](https://example.com/x) [code](../../server/serve.ts)',
        '', '![shot](../reports.png)', '', '<a href="../../maps/README.md">templates</a>', '',
      ].join('\n'),
      'docs/guide/page.md',
      where,
    );
    expect(title).toBe('A code title');
    expect(html).toContain('<h1 id="a-code-title">');
    expect(html).toContain('<h2 id="same">Same</h2>');
    expect(html).toContain('<h2 id="same-1">Same</h2>');
    expect(html).toContain('href="/docs/repo/README.md#two-commands"');
    expect(html).toContain('href="/docs/guide/other.md#same-1"');
    expect(html).toContain('href="#same"');
    expect(html).toContain('href="https://example.com/x"');
    // Source code is not served: its link stays as words, not as a link that would 404.
    expect(html).toContain('<span class="unserved" title="../../server/serve.ts in the repository">code</span>');
    expect(html).toContain('<img src="/docs/reports.png" alt="shot"');
    expect(html).toContain('<a href="/docs/repo/maps/README.md">templates</a>');
  });
});
