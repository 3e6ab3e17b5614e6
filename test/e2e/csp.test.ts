import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * The editor and /docs under their Content-Security-Policy (issue 15): scripts only from the
 * server, never framed. The browser reports every violation of the policy; there must be none
 * while the pages are used, and a page that tries to frame the editor gets nothing.
 */
describe.runIf(hasChromium)('the pages under their content policy', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    // Every violation the browser sees, on any page of this context, before any script of the page runs.
    await s.context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { violations: string[] }).violations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  });
  afterAll(async () => {
    await s?.close();
  });
  const violations = () => s.page.evaluate(() => (window as unknown as { violations: string[] }).violations);

  it('opens the maps list, a map on the canvas, the contacts and /docs with no violation', async () => {
    const console: string[] = [];
    s.page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) console.push(m.text());
    });
    const { map } = await s.api('/maps', JSON.parse(readFileSync('maps/custom-lead-score.json', 'utf8')));
    await s.open('/maps');
    await s.page.getByRole('heading', { name: 'Maps' }).waitFor();
    await s.open(`/maps/${map.id}`);
    await s.page.locator('.react-flow__node').first().waitFor();
    await s.page.locator('.react-flow__minimap').waitFor();
    expect(await violations()).toEqual([]);
    await s.open('/contacts');
    await s.page.getByRole('heading', { name: 'Contacts' }).waitFor();
    expect(await violations()).toEqual([]);
    const response = await s.page.goto(s.server.url.replace(/\/$/, '/docs'));
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await s.page.getByRole('heading', { name: /Scoremap API/ }).waitFor();
    expect(await violations()).toEqual([]);
    expect(console).toEqual([]);
  });

  it('cannot be framed by another page', async () => {
    const other = await s.context.newPage();
    // A page that frames the editor: even its own origin may not (DENY, frame-ancestors 'none').
    await other.goto(`${s.server.url}docs`);
    await other.evaluate((src) => new Promise<void>((done) => {
      document.body.innerHTML = '';
      const f = document.createElement('iframe');
      f.src = src;
      f.onload = () => done();
      document.body.append(f);
      setTimeout(done, 3_000);
    }), `${s.server.url}?token=${encodeURIComponent(s.server.token)}#/maps`);
    // Framed, the link would sign in and show the maps list; blocked, the frame holds the browser's error page.
    const framed = other.frames().find((f) => f !== other.mainFrame());
    expect(framed).toBeDefined();
    expect(framed!.url()).toMatch(/^chrome-error:/);
    const text = await framed!.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    expect(text).not.toContain('Maps');
    await other.close();
  });
});
