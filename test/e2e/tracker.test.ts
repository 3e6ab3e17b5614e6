import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trackerRouter } from '../../server/intake/tracker.js';
import { CHROMIUM, hasChromium, STEP_TIMEOUT } from './harness.js';
import { startSite } from './tracker-site.js';

/** The ingest key the test pages carry. */
const KEY = 'sm_test_ingest_key';
const VERSION = '0.1.0-test';

/** One Segment call as the tracker sends it. */
interface Call {
  type: 'page' | 'track' | 'identify';
  messageId: string;
  anonymousId: string;
  originalTimestamp: string;
  event?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context: { page: { url: string; path: string; title: string; referrer: string }; userAgent: string; library: { name: string; version: string }; traits?: { email: string } };
}

/** One POST /v1/batch as it came: its answer, how the browser sent it, and its body. */
interface Attempt {
  status: number;
  contentType: string;
  /** `cors` for fetch, `no-cors` for sendBeacon (the Sec-Fetch-Mode the browser sets). */
  mode: string;
  body: { writeKey: string; batch: Call[]; sentAt: string };
}

/**
 * The stand-in for the server's intake: `/t.js` from the tracker's router, and a `POST /v1/batch`
 * that records each body and answers 200 `{ success: true }`, or the statuses queued with
 * `respond`, with CORS headers for the page's origin as the real server must send on every answer
 * (the script cannot read a status without them). Swap it for the real server by serving the same
 * URL with an ingest key that lists the pages' origin, and reading the events it stores.
 */
async function startReceiver() {
  const attempts: Attempt[] = [];
  const statuses: number[] = [];
  const other: string[] = [];
  const app = new Hono();
  app.route('/', trackerRouter({ version: VERSION }));
  app.post('/v1/batch', async (c) => {
    const status = statuses.shift() ?? 200;
    attempts.push({
      status,
      contentType: c.req.header('content-type') ?? '',
      mode: c.req.header('sec-fetch-mode') ?? '',
      body: JSON.parse(await c.req.text()),
    });
    const origin = c.req.header('origin');
    if (origin) c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
    return c.json(status === 200 ? { success: true } : { error: { message: `Stand-in answer ${status}` } }, status as 200);
  });
  app.all('*', (c) => {
    other.push(`${c.req.method} ${c.req.path}`);
    return c.text('not here', 404);
  });
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    attempts,
    /** Requests other than the script and the batches (a CORS preflight would show here). */
    other,
    /** Answers the next posts with these statuses (then 200 again). */
    respond: (...s: number[]) => void statuses.push(...s),
    /** Answers 200 from now on. */
    recover: () => void statuses.splice(0),
    /** Every call posted (accepted or not) from pages under `/<scope>/`. */
    posted: (scope: string) => attempts.flatMap((a) => a.body.batch.map((call) => ({ call, a }))).filter(({ call }) => call.context.page.path.startsWith(`/${scope}/`)),
    /** The calls the receiver accepted (a 200) from pages under `/<scope>/`. */
    accepted: (scope: string) => attempts.filter((a) => a.status === 200).flatMap((a) => a.body.batch).filter((c) => c.context.page.path.startsWith(`/${scope}/`)),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * The website tracker (SPEC §10 "The tracker") in Chromium, on a page of another origin: page views
 * with a stable first-party anonymous id, identify and track from a form, batching, retries that
 * survive a reload, refusals dropped, consent, Do Not Track, and the beacon when the page hides.
 */
describe.runIf(hasChromium)('the website tracker in a browser', () => {
  let rx: Receiver;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    rx = await startReceiver();
    site = await startSite(rx.url, KEY);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await rx?.close();
  });

  /** A fresh browser profile (its own storage and cookies) and a page whose warnings are kept. */
  async function open(initScript?: () => void) {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    if (initScript) await page.addInitScript(initScript);
    const warnings: string[] = [];
    page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    return { context, page, warnings };
  }
  /** Waits until the tracker has loaded on the page. */
  const loaded = (page: Page) => page.waitForFunction(() => (window as any).scoremap?.loaded === true);
  const call = (page: Page, method: string, ...args: unknown[]) =>
    page.evaluate(([m, a]) => (window as any).scoremap[m as string](...(a as unknown[])), [method, args] as const);
  const storage = (page: Page) => page.evaluate(() => ({
    anon: localStorage.getItem('sm_anon'),
    queue: localStorage.getItem('sm_q'),
    consent: localStorage.getItem('sm_consent'),
    cookie: document.cookie,
  }));
  /** Waits until an accepted call satisfies `test`, and returns it. */
  async function arrived(scope: string, test: (c: Call) => boolean): Promise<Call> {
    await expect.poll(() => rx.accepted(scope).some(test)).toBe(true);
    return rx.accepted(scope).find(test)!;
  }
  const isPage = (path: string) => (c: Call) => c.type === 'page' && c.properties?.path === path;
  const isTrack = (event: string) => (c: Call) => c.type === 'track' && c.event === event;
  /** Each call is accepted once at most. */
  const noRepeats = (scope: string) => {
    const ids = rx.accepted(scope).map((c) => c.messageId);
    expect(ids.length).toBe(new Set(ids).size);
  };

  it('records a page view on load with its address, title and referrer, under one anonymous id across pages, reloads and pushState', async () => {
    const { page, context } = await open();
    await page.goto(`${site.url}/views/landing?utm_source=news`, { referer: 'https://search.example/?q=acme' });
    const landing = await arrived('views', isPage('/views/landing'));
    const url = `${site.url}/views/landing?utm_source=news`;
    const where = { url, path: '/views/landing', title: '/views/landing — Acme', referrer: 'https://search.example/?q=acme' };
    expect(landing.properties).toEqual(where);
    expect(landing.context).toEqual({ page: where, userAgent: await page.evaluate(() => navigator.userAgent), library: { name: 'scoremap-tracker', version: VERSION } });
    expect(landing.messageId).toMatch(UUID);
    expect(landing.anonymousId).toMatch(UUID);
    expect(landing.originalTimestamp).toMatch(ISO);
    const batch = rx.attempts.find((a) => a.body.batch.includes(landing))!;
    expect(batch.body.writeKey).toBe(KEY);
    expect(batch.body.sentAt).toMatch(ISO);
    // A simple request (no preflight), sent by fetch.
    expect(batch.contentType).toMatch(/^text\/plain/);
    expect(batch.mode).toBe('cors');
    expect(rx.other).toEqual([]);
    // First-party: in the page's own storage and a cookie of its own host.
    const kept = await storage(page);
    expect(kept.anon).toBe(landing.anonymousId);
    expect((await context.cookies(site.url)).find((c) => c.name === 'sm_anon')).toMatchObject({ value: landing.anonymousId, domain: '127.0.0.1', path: '/' });

    // A link to the next page: referred by the landing page, the same visitor.
    await page.getByRole('link', { name: 'Next page' }).click();
    const next = await arrived('views', isPage('/views/next'));
    expect(next.properties).toMatchObject({ url: `${site.url}/views/next`, title: '/views/next — Acme', referrer: url });
    expect(next.anonymousId).toBe(landing.anonymousId);

    // A reload is another view by the same visitor; so is a view after localStorage is cleared (the cookie keeps the id).
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await expect.poll(() => rx.accepted('views').filter(isPage('/views/next')).length).toBe(2);
    expect(new Set(rx.accepted('views').map((c) => c.anonymousId))).toEqual(new Set([landing.anonymousId]));

    // A single-page app's pushState is a view, with the title the app set, referred by the page before; back is one too.
    await page.evaluate(() => {
      history.pushState({}, '', '/views/app/settings');
      document.title = 'Settings — Acme';
    });
    const spa = await arrived('views', isPage('/views/app/settings'));
    expect(spa.properties).toMatchObject({ url: `${site.url}/views/app/settings`, title: 'Settings — Acme', referrer: `${site.url}/views/next` });
    expect(spa.context.page.path).toBe('/views/app/settings');
    await page.goBack();
    await expect.poll(() => rx.accepted('views').filter(isPage('/views/next')).length).toBe(3);
    // A jump to an anchor on the same page is not a view: the call after it arrives with no view before it.
    await page.evaluate(() => new Promise<void>((done) => {
      addEventListener('hashchange', () => setTimeout(done, 0), { once: true });
      location.hash = '#pricing';
    }));
    await call(page, 'track', 'After Anchor');
    await arrived('views', isTrack('After Anchor'));
    expect(rx.accepted('views').filter((c) => c.type === 'page').map((c) => c.properties!.path))
      .toEqual(['/views/landing', '/views/next', '/views/next', '/views/app/settings', '/views/next']);
    noRepeats('views');
  });

  it('sends identify and track from a form\'s submit handler together, with the page\'s anonymous id, and runs calls queued before it loaded', async () => {
    const { page } = await open();
    await page.goto(`${site.url}/form/signup?early=1`);
    const view = await arrived('form', isPage('/form/signup'));
    // The stub's call ran once the script loaded, for the same visitor.
    const early = await arrived('form', isTrack('Early Call'));
    expect(early).toMatchObject({ anonymousId: view.anonymousId, properties: { from: 'the stub' } });

    await page.getByLabel('Email').fill('ann@example.com');
    await page.getByLabel('First name').fill('Ann');
    await page.getByRole('button', { name: 'Request a demo' }).click();
    const identify = await arrived('form', (c) => c.type === 'identify');
    const track = await arrived('form', isTrack('Demo Requested'));
    expect(identify.traits).toEqual({ email: 'ann@example.com', first_name: 'Ann' });
    expect(identify.anonymousId).toBe(view.anonymousId);
    expect(track).toMatchObject({ anonymousId: view.anonymousId, properties: { form: 'demo' } });
    // Who identified goes with every later call: on a shared computer the anonymous id may name someone else.
    expect(track.context.traits).toEqual({ email: 'ann@example.com' });
    expect(view.context.traits).toBeUndefined();
    expect(track.context.page).toMatchObject({ path: '/form/signup', title: '/form/signup — Acme' });
    // Made within the same second: one post.
    const posts = rx.attempts.filter((a) => a.body.batch.includes(identify) || a.body.batch.includes(track));
    expect(posts).toHaveLength(1);
    expect(posts[0].body.batch.map((c) => c.type)).toEqual(['identify', 'track']);

    // Calls pushed after loading run at once too; bad calls are refused with a warning, nothing sent.
    await page.evaluate(() => (window as any).scoremap.push(['track', 'Pushed Later', { n: 1 }]));
    await call(page, 'identify', '');
    await call(page, 'track');
    await arrived('form', isTrack('Pushed Later'));
    expect(rx.accepted('form').map((c) => c.event ?? c.type)).toEqual(['page', 'Early Call', 'identify', 'Demo Requested', 'Pushed Later']);
    noRepeats('form');
  });

  it('retries while the server fails, keeps the calls across a reload, drops what the server refuses, and sends each call once', async () => {
    const { page, warnings } = await open();
    rx.respond(503, 503, 503);
    await page.goto(`${site.url}/retry/landing`);
    const view = await arrived('retry', isPage('/retry/landing'));
    const tries = rx.posted('retry').filter(({ call: c }) => c.messageId === view.messageId);
    expect(tries.map(({ a }) => a.status)).toEqual([503, 503, 503, 200]);

    // The server goes down: the call waits, and a reload takes it along from localStorage.
    rx.respond(...Array<number>(1000).fill(503));
    await call(page, 'track', 'Offline Call', { step: 1 });
    await expect.poll(() => rx.posted('retry').some(({ call: c, a }) => c.event === 'Offline Call' && a.status === 503)).toBe(true);
    const offline = rx.posted('retry').find(({ call: c }) => c.event === 'Offline Call')!.call;
    expect(JSON.parse((await storage(page)).queue!).map((c: Call) => c.messageId)).toEqual([offline.messageId]);
    await page.reload();
    // The reloaded page sends it again, with its own view: the same ids.
    await expect.poll(() => rx.posted('retry').some(({ call: c, a }) =>
      c.messageId === offline.messageId && a.body.batch.some((v) => v.type === 'page' && v.messageId !== view.messageId))).toBe(true);
    rx.recover();
    await arrived('retry', (c) => c.messageId === offline.messageId);
    await expect.poll(() => rx.accepted('retry').filter(isPage('/retry/landing')).length).toBe(2);
    expect(rx.accepted('retry').find((c) => c.messageId === offline.messageId)).toEqual(offline);
    // Leaving while the server failed sent no beacon (it would get no answer): the next page did the sending.
    expect(rx.posted('retry').filter(({ a }) => a.mode !== 'cors')).toEqual([]);
    noRepeats('retry');

    // A refusal (4xx) is dropped after one try, with one warning.
    rx.respond(400);
    await call(page, 'track', 'Refused Call');
    await expect.poll(() => rx.posted('retry').some(({ call: c }) => c.event === 'Refused Call')).toBe(true);
    await call(page, 'track', 'After Refusal');
    await arrived('retry', isTrack('After Refusal'));
    expect(rx.posted('retry').filter(({ call: c }) => c.event === 'Refused Call').map(({ a }) => a.status)).toEqual([400]);
    expect(warnings.filter((w) => /refused/.test(w))).toEqual([expect.stringContaining('HTTP 400')]);
    expect((await storage(page)).queue).toBeNull();
    noRepeats('retry');
  });

  it('sends nothing after consent(false), remembers it across reloads, and resumes with consent(true)', async () => {
    const { page, context } = await open();
    await page.goto(`${site.url}/consent/landing`);
    const first = await arrived('consent', isPage('/consent/landing'));
    // Queued within the batching second, then withdrawn: never sent.
    await page.evaluate(() => {
      (window as any).scoremap.track('Queued Then Withdrawn');
      (window as any).scoremap.consent(false);
    });
    await call(page, 'track', 'Withheld Call');
    await call(page, 'identify', 'ann@example.com');
    // The queue and the anonymous id are gone; only the choice is kept.
    expect(await storage(page)).toEqual({ anon: null, queue: null, consent: '0', cookie: '' });
    expect(await context.cookies(site.url)).toEqual([]);
    // Given again on the same page: recording resumes, under a new anonymous id.
    await call(page, 'consent', true);
    await call(page, 'track', 'Back On Page');
    const back = await arrived('consent', isTrack('Back On Page'));
    // Calls go out in order: had any been kept while consent was withheld, it would have come first.
    expect(rx.posted('consent').map(({ call: c }) => c.event ?? c.type)).toEqual(['page', 'Back On Page']);
    expect(back.anonymousId).not.toBe(first.anonymousId);

    // Withdrawn again, and remembered by the next load: no view, no call, nothing stored.
    await call(page, 'consent', false);
    await page.reload();
    await loaded(page);
    await call(page, 'track', 'Still Withheld');
    expect(await storage(page)).toEqual({ anon: null, queue: null, consent: '0', cookie: '' });

    await call(page, 'consent', true);
    await call(page, 'track', 'After Consent');
    const after = await arrived('consent', isTrack('After Consent'));
    // Consent given on a page that recorded no view: its view comes with it.
    expect(rx.posted('consent').map(({ call: c }) => c.event ?? c.type)).toEqual(['page', 'Back On Page', 'page', 'After Consent']);
    const views = rx.accepted('consent').filter(isPage('/consent/landing'));
    expect(views[1].anonymousId).toBe(after.anonymousId);
    expect(new Set([first.anonymousId, back.anonymousId, after.anonymousId]).size).toBe(3);
    noRepeats('consent');
  });

  it('with data-consent="required", records nothing until consent(true)', async () => {
    const { page, context } = await open();
    await page.goto(`${site.url}/optin/landing?consent=required`);
    await loaded(page);
    await call(page, 'track', 'Before Opt-in');
    expect(await storage(page)).toEqual({ anon: null, queue: null, consent: null, cookie: '' });
    expect(await context.cookies(site.url)).toEqual([]);
    await call(page, 'consent', true);
    await call(page, 'track', 'Opted In');
    await arrived('optin', isTrack('Opted In'));
    expect(rx.posted('optin').map(({ call: c }) => c.event ?? c.type)).toEqual(['page', 'Opted In']);
    // Remembered: the next page records its view at once.
    await page.getByRole('link', { name: 'Next page' }).click();
    await arrived('optin', isPage('/optin/next'));
  });

  it('sends nothing when Do Not Track or Global Privacy Control is on', async () => {
    const signals: Array<[string, () => void]> = [
      ['dnt', () => Object.defineProperty(navigator, 'doNotTrack', { get: () => '1' })],
      ['gpc', () => Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true })],
    ];
    for (const [scope, signal] of signals) {
      const { page, context } = await open(signal);
      await page.goto(`${site.url}/${scope}/landing`);
      await loaded(page);
      await page.getByLabel('Email').fill('ann@example.com');
      await page.getByRole('button', { name: 'Request a demo' }).click();
      await call(page, 'consent', true);
      expect(await storage(page), scope).toMatchObject({ anon: null, queue: null, cookie: '' });
      expect(await context.cookies(site.url)).toEqual([]);
      // Leaving the page would hand anything queued to a beacon; then a page without the signal is seen.
      await page.goto('about:blank');
      const plain = await context.newPage();
      await plain.goto(`${site.url}/${scope}/control`);
      await arrived(scope, isPage(`/${scope}/control`));
      expect(rx.posted(scope).map(({ call: c }) => c.context.page.path), scope).toEqual([`/${scope}/control`]);
    }
  });

  it('hands what is queued to sendBeacon when the page hides, and the next page does not send it again', async () => {
    const { page } = await open();
    // The page's timers wait for the test (the clock stands still): the batching second ends only
    // when the test says so, so the visitor surely leaves within it.
    const now = Date.now();
    await page.clock.install({ time: now });
    await page.clock.pauseAt(now + 1000);
    await page.goto(`${site.url}/hide/landing`);
    await loaded(page);
    await page.clock.runFor(1000);
    await arrived('hide', isPage('/hide/landing'));
    // Within the batching second, the visitor leaves.
    await call(page, 'track', 'Clicked Away', { to: 'next' });
    await page.getByRole('link', { name: 'Next page' }).click();
    const left = await arrived('hide', isTrack('Clicked Away'));
    const post = rx.attempts.find((a) => a.body.batch.includes(left))!;
    expect(post.mode).toBe('no-cors'); // a beacon
    expect(post.contentType).toMatch(/^text\/plain/);
    await page.waitForURL(`${site.url}/hide/next`);
    await loaded(page);
    await page.clock.runFor(1000);
    await arrived('hide', isPage('/hide/next'));
    expect(rx.posted('hide').filter(({ call: c }) => c.event === 'Clicked Away')).toHaveLength(1);
    await expect.poll(async () => (await storage(page)).queue).toBeNull();
  });
});
