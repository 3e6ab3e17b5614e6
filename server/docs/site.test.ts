import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';
import { mountPages } from '../http/pages.js';

const ORIGIN = 'http://scoremap.example';
const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&(amp|lt|gt|quot);/g, (_, e: string) => ENTITY[e]);

/** The href and src attributes of a page's tags (code blocks hold none: their text is escaped). */
const targetsOf = (html: string) => [...html.matchAll(/<(a|img|link)\s[^>]*?\b(?:href|src)="([^"]*)"/g)].map((m) => ({ tag: m[1], url: unescape(m[2]) }));

/**
 * The served twin of test/docs/links.test.ts: from /docs, every link that stays on the server is
 * followed and every image fetched; each answers 200, and each `#anchor` names an id on its page.
 */
describe('the docs site, walked from /docs', () => {
  it('answers 200 for every page, image and file the pages link to, and every anchor lands on a heading', async () => {
    const { app, ops } = await setup();
    mountPages(app, { ops, editorDir: '/nonexistent', version: '0.1.0' });
    const pages = new Map<string, string>();
    const fetched = new Map<string, number>();
    const anchors: { from: string; page: string; id: string }[] = [];
    const problems: string[] = [];
    const queue = ['/docs'];
    while (queue.length) {
      const path = queue.shift()!;
      if (fetched.has(path)) continue;
      const r = await app.request(ORIGIN + path);
      fetched.set(path, r.status);
      if (r.status !== 200) continue;
      if (!(r.headers.get('content-type') ?? '').startsWith('text/html')) continue;
      const html = await r.text();
      pages.set(path, html);
      if (/<script|\sstyle=/i.test(html)) problems.push(`${path} has an inline script or style, which the pages' policy blocks`);
      for (const { tag, url } of targetsOf(html)) {
        const u = new URL(url, ORIGIN + path);
        if (u.origin !== ORIGIN) continue;
        // The editor (/) is a separate app, tested on its own.
        if (u.pathname === '/') continue;
        if (u.hash) anchors.push({ from: path, page: u.pathname, id: decodeURIComponent(u.hash.slice(1)) });
        if (!fetched.has(u.pathname)) queue.push(u.pathname);
        if (tag === 'a' && !u.pathname.startsWith('/docs')) problems.push(`${path} links to ${url}, outside the docs`);
      }
    }
    for (const [path, status] of fetched) if (status !== 200) problems.push(`${path} answered ${status}`);
    for (const { from, page, id } of anchors) {
      const html = pages.get(page);
      if (html && !html.includes(` id="${id}"`) && !html.includes(` name="${id}"`)) problems.push(`${from} → ${page}#${id}: no such anchor`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    // The walk reached the guide, the integrations, the operations and the reference, their images, and the files outside docs/.
    const seen = [...fetched.keys()];
    for (const expected of ['/docs/guide/concepts.md', '/docs/guide/elements/wait.md', '/docs/reference/api.md', '/docs/operations/running.md', '/docs/repo/README.md', '/docs/repo/maps/map.schema.json', '/docs.css', '/docs/api']) {
      expect(seen, expected).toContain(expected);
    }
    expect(seen.filter((p) => p.endsWith('.png')).length).toBeGreaterThan(5);
  });
});
