import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/serve.js';
import { testServer, type TestServer } from '../../server/serve-testing.js';
import { CHROMIUM, hasChromium } from './harness.js';

/** The editor on a server that runs on the real clock (what `npm start` gives), not the harness's manual one. */
describe.runIf(hasChromium)('the editor on a real clock', () => {
  let started: TestServer;
  let server: RunningServer;
  let context: BrowserContext;

  beforeAll(async () => {
    started = await testServer('real-clock', { clock: 'real' });
    server = started.server;
    context = await chromium.launchPersistentContext(`${started.dir}/chromium-profile`, {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await context?.close();
    await started?.close();
  });

  it('never asks /api/clock, and logs no error, on the pages that show times', async () => {
    const asked: string[] = [];
    const errors: string[] = [];
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api/clock')) asked.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const base = server.url.replace(/\/$/, '');
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    expect((await fetch(`${base}/api/contacts`, { method: 'POST', headers, body: JSON.stringify({ id: 'ann', fields: { email: 'ann@example.com' } }) })).status).toBe(201);

    await page.goto(`${base}/?token=${encodeURIComponent(server.token)}#/contacts`);
    await page.getByText('ann@example.com').first().waitFor();
    await page.goto(`${base}/#/contacts/ann`);
    await page.getByRole('heading', { name: /ann/ }).first().waitFor();
    await page.goto(`${base}/#/settings/keys`);
    await page.getByRole('heading').first().waitFor();
    // Every request the pages made has been answered: none is left to ask the clock later.
    await page.waitForLoadState('networkidle');
    expect(asked).toEqual([]);
    expect(errors).toEqual([]);
  });
});
