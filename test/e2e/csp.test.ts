import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * The editor and /docs under their Content-Security-Policy (issue 15): scripts and styles only from
 * the server's files, never framed. The harness records every breach the browser reports (the
 * `securitypolicyviolation` event and its console message); there must be none while the pages are
 * used, and a page that tries to frame the editor gets nothing.
 */
describe.runIf(hasChromium)('the pages under their content policy', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const viewport = () => s.page.locator('.react-flow__viewport').getAttribute('style');

  it('opens the maps list, works a map on the canvas, the contacts and the scoring model with no violation', async () => {
    const { map } = await s.api('/maps', JSON.parse(readFileSync('maps/custom-lead-score.json', 'utf8')));
    await s.api('/scoring-models', JSON.parse(readFileSync('maps/recommended-scoring.json', 'utf8')));
    const opened = await s.page.goto(s.server.url);
    expect(opened?.headers()['content-security-policy']).toContain("script-src 'self'");
    await s.open('/maps');
    await s.page.getByRole('heading', { name: 'Maps' }).waitFor();

    await s.open(`/maps/${map.id}`);
    const first = s.page.locator('.react-flow__node').first();
    await first.waitFor();
    await s.page.locator('.react-flow__minimap').waitFor();
    // React Flow places every element with a style (a transform): applied, the elements sit apart.
    const boxes = await s.page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    expect(new Set(boxes).size).toBeGreaterThan(1);
    // The stylesheet applies: the canvas fills the page rather than collapsing to nothing.
    expect((await s.page.locator('.react-flow__pane').boundingBox())!.height).toBeGreaterThan(200);
    // Select an element: the inspector shows it.
    const id = (await first.getAttribute('data-id'))!;
    await node(id).click();
    await expect.poll(() => node(id).getAttribute('class')).toContain('selected');
    // Pan by dragging the background: the viewport's transform (an inline style) follows.
    const before = await viewport();
    const pane = (await s.page.locator('.react-flow__pane').boundingBox())!;
    await s.page.mouse.move(pane.x + pane.width - 40, pane.y + 40);
    await s.page.mouse.down();
    await s.page.mouse.move(pane.x + pane.width - 140, pane.y + 120, { steps: 5 });
    await s.page.mouse.up();
    await expect.poll(viewport).not.toBe(before);
    expect(s.violations).toEqual([]);

    await s.open('/contacts');
    await s.page.getByRole('heading', { name: 'Contacts' }).waitFor();
    await s.open('/scoring');
    await s.page.getByRole('heading', { name: 'Scoring models' }).waitFor();
    expect(s.violations).toEqual([]);
  });

  it('serves /docs and the API reference at /docs/api with their stylesheet as a file, under the same policy, with no violation', async () => {
    const docs = await s.page.goto(`${s.server.url.replace(/\/$/, '')}/docs/guide/concepts.md`);
    expect(docs?.headers()['content-security-policy']).toContain("style-src 'self'");
    await s.page.getByRole('heading', { name: 'Concepts', level: 1 }).waitFor();
    expect(await s.page.evaluate(() => getComputedStyle(document.body).maxWidth)).not.toBe('none');
    const response = await s.page.goto(`${s.server.url.replace(/\/$/, '')}/docs/api`);
    expect(response?.headers()['content-security-policy']).toContain("style-src 'self'");
    await s.page.getByRole('heading', { name: /Scoremap API/ }).waitFor();
    // The stylesheet was let in: the page takes its width and font from it.
    expect(await s.page.evaluate(() => getComputedStyle(document.body).maxWidth)).not.toBe('none');
    expect(s.violations).toEqual([]);
  });

  it('cannot be framed by another page, and the browser reports why', async () => {
    const other = await s.context.newPage();
    // A page that frames the editor: even its own origin may not (DENY, frame-ancestors 'none').
    await other.goto(`${s.server.url}docs`);
    await other.evaluate((src) => {
      document.body.innerHTML = '';
      const f = document.createElement('iframe');
      f.src = src;
      document.body.append(f);
    }, `${s.server.url}?token=${encodeURIComponent(s.server.token)}#/maps`);
    // Framed, the link would sign in and show the maps list; refused, the frame holds the browser's error page.
    const framed = () => other.frames().find((f) => f !== other.mainFrame());
    await expect.poll(() => framed()?.url()).toMatch(/^chrome-error:/);
    const text = await framed()!.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    expect(text).not.toContain('Maps');
    await expect.poll(() => s.violations.join('\n')).toContain("frame-ancestors 'none'");
    // The refusal is the one breach this test provokes, and the only one reported: taken out, the
    // session closes clean.
    expect(s.violations.filter((v) => !v.includes("frame-ancestors 'none'"))).toEqual([]);
    s.violations.length = 0;
    await other.close();
  });
});
