import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { vi } from 'vitest';
import { startServer, type RunningServer } from '../../server/serve.js';

/** Debian's Chromium (installed by .ci/run); `npx playwright install` cannot download browsers here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/**
 * How long one step in the browser (a click, waiting for an element) may take before it fails and
 * names itself. Generous: a loaded 2-core machine renders several times slower than a quiet one,
 * and a step that waits for a condition ends as soon as it holds.
 */
export const STEP_TIMEOUT = 30_000;
// A test is many steps: its own limit sits well above one step's.
vi.setConfig({ testTimeout: 10 * STEP_TIMEOUT, hookTimeout: 4 * STEP_TIMEOUT });

/** A real server on a free port with a temporary database and a manual clock, plus a browser page. */
export interface Session {
  readonly server: RunningServer;
  readonly context: BrowserContext;
  readonly page: Page;
  /**
   * Every breach of the pages' content policy the browser reported, on any page of the session
   * (the event, and its console message). `close()` fails when one is left: a test that provokes one
   * on purpose takes it out.
   */
  readonly violations: string[];
  /** Calls the API with the token. */
  api<T = any>(path: string, body?: unknown, method?: string): Promise<T>;
  /** Opens a route of the editor (`/maps`), logged in. */
  open(route: string): Promise<void>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startSession(opts: { now?: string; viewport?: { width: number; height: number } } = {}): Promise<Session> {
  const dir = mkdtempSync(`${tmpdir()}/scoremap-browser-`);
  const server = await startServer(
    { port: 0, host: '127.0.0.1', db: `${dir}/scoremap.db`, clock: 'manual', now: Date.parse(opts.now ?? '2026-01-01T09:00:00Z') },
    () => {},
  );
  const context = await chromium.launchPersistentContext(`${dir}/chromium-profile`, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const violations: string[] = [];
  await context.exposeBinding('scoremapViolation', (_source, text: string) => void violations.push(text));
  // Registered before any script of a page runs, so a breach during its loading is seen too.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { scoremapViolation(text: string): void }).scoremapViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
    });
  });
  context.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  const base = server.url.replace(/\/$/, '');
  let loggedIn = false;
  return {
    server, context, page, violations,
    async api(path, body, method) {
      const r = await fetch(`${base}/api${path}`, {
        method: method ?? (body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${r.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async open(route) {
      await page.goto(`${base}/${loggedIn ? '' : `?token=${encodeURIComponent(server.token)}`}#${route}`);
      loggedIn = true;
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
    },
    async close() {
      await context.close();
      await server.stop();
      if (violations.length) throw new Error(`The browser reported breaches of the content policy:\n${violations.join('\n')}`);
    },
  };
}

/**
 * Waits until the map canvas's view stops moving: the same transform over 10 frames in a row
 * (frames, not milliseconds, so a slow machine only waits longer). The first canvas of the page.
 */
export async function settled(page: Page): Promise<void> {
  await page.locator('.react-flow__viewport').first().evaluate((viewport) => new Promise<void>((done) => {
    let last = viewport.getAttribute('style');
    let still = 0;
    const frame = () => {
      const now = viewport.getAttribute('style');
      still = now === last ? still + 1 : 0;
      last = now;
      if (still >= 10) done();
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }));
}
