import { readFileSync } from 'node:fs';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, STEP_TIMEOUT, type Session } from './harness.js';
import { startSite, type Site } from './tracker-site.js';

/** One contact as the API shows it. */
interface Contact {
  id: string;
  fields: Record<string, unknown>;
}
/** One entry of a contact's history. */
interface Change {
  field: string;
  from: unknown;
  to: unknown;
  cause: { event?: { id: string; type: string }; rule?: string; merge?: { from: string; via: string }; mergedFrom?: string };
}

/**
 * The website tracker against the real server (SPEC §10 "The tracker", issue 17 "Data in without
 * code"): a site on its own origin pastes the snippet with an ingest key that lists that origin;
 * its visitor's page views score, and the form that says who they are puts those points and that
 * history on the contact, as the editor's contact page shows. A site the key does not list is
 * refused, and nothing it sent is kept.
 */
describe.runIf(hasChromium)('the tracker on a web site, sending to Scoremap', () => {
  let s: Session;
  /** Scoremap's origin, where the snippet loads `/t.js` from. */
  let scoremap: string;
  /** The site the ingest key lists, and one it does not (each on a port of its own). */
  let listed: Site;
  let unlisted: Site;
  let key = '';

  beforeAll(async () => {
    // Tall enough for the contact page's history under its fields.
    s = await startSession({ now: '2026-03-02T09:00:00Z', viewport: { width: 1280, height: 1320 } });
    scoremap = s.server.url.replace(/\/$/, '');
    await s.api('/scoring-models', JSON.parse(readFileSync(new URL('../../maps/recommended-scoring.json', import.meta.url), 'utf8')));
    // The pages read the key when they are served: the key names the listed site's origin, known once it listens.
    listed = await startSite(scoremap, () => key);
    unlisted = await startSite(scoremap, () => key);
    key = (await s.api('/keys', { name: 'Website', scope: 'ingest', origins: [listed.url] })).secret;
  });
  afterAll(async () => {
    // The browser first: the sites' servers close once its connections to them are gone.
    await s?.close();
    await listed?.close();
    await unlisted?.close();
  });

  /** A tab of its own, its step time bounded, keeping the tracker's console warnings. */
  async function tab() {
    const page = await s.context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT);
    const warnings: string[] = [];
    page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    return { page, warnings };
  }
  /** The next answer Scoremap gives the page's tracker (`POST /v1/batch`). */
  const nextBatch = (page: Page): Promise<Response> => page.waitForResponse((r) => r.url() === `${scoremap}/v1/batch` && r.request().method() === 'POST');
  /** The calls a batch the tracker posted carried. */
  const callsOf = (r: Response) => (JSON.parse(r.request().postData() ?? '{}') as { batch: { type: string; messageId: string }[] }).batch;
  const loaded = (page: Page) => page.waitForFunction(() => (window as unknown as { scoremap?: { loaded?: boolean } }).scoremap?.loaded === true);
  const contacts = async (): Promise<{ contacts: Contact[]; total: number }> => s.api('/contacts?limit=500');
  const history = async (id: string): Promise<Change[]> => (await s.api(`/contacts/${id}/history?limit=500`)).history;
  /**
   * A minute passes on Scoremap's clock (a manual one, standing still otherwise). The tracker's
   * calls are timed by Scoremap's clock less their time in the browser's queue, so without it
   * calls a second apart could land at one instant, and a later one not count as the latest activity.
   */
  const aMinuteLater = () => s.api('/clock/advance', { ms: 60_000 });

  it('page views and a form on a site the key lists: the visitor scores, the identify merges them into the known contact, and the contact page tells it', async () => {
    // Ann is known already (a newsletter sign-up), with no points.
    const ann: Contact = await s.api('/contacts', { fields: { email: 'ann@acme.example', company: 'Acme' } });
    const { page, warnings } = await tab();

    // A first page: the tracker posts its view, and Scoremap answers the listed origin.
    const first = nextBatch(page);
    await page.goto(`${listed.url}/welcome`);
    const answer = await first;
    expect(answer.status()).toBe(200);
    expect(answer.headers()['access-control-allow-origin']).toBe(listed.url);
    expect(callsOf(answer).map((c) => c.type)).toEqual(['page']);
    const anonymousId = await page.evaluate(() => localStorage.getItem('sm_anon'));
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    // An anonymous visitor, with a page view's points.
    const visitor = async () => (await contacts()).contacts.find((c) => c.fields.anonymous_id === anonymousId);
    await expect.poll(async () => (await visitor())?.fields.score, { timeout: STEP_TIMEOUT }).toBe(5);
    const visitorId = (await visitor())!.id;

    // The pricing page: 4 points more for the page, 5 for a view.
    await aMinuteLater();
    await page.goto(`${listed.url}/pricing`);
    await loaded(page);
    await expect.poll(async () => (await visitor())?.fields.score, { timeout: STEP_TIMEOUT }).toBe(14);

    // The demo form: its submit handler calls scoremap.identify(email, { first_name }).
    await aMinuteLater();
    await page.getByLabel('Email').fill('ann@acme.example');
    await page.getByLabel('First name').fill('Ann');
    await page.getByRole('button', { name: 'Request a demo' }).click();
    // Scoremap merges the visitor into Ann: her contact has the name, the anonymous id and the views' points.
    await expect.poll(async () => (await s.api(`/contacts/${ann.id}`)).fields, { timeout: STEP_TIMEOUT })
      .toMatchObject({ email: 'ann@acme.example', first_name: 'Ann', company: 'Acme', anonymous_id: anonymousId, score: 14 });
    expect((await contacts()).contacts.filter((c) => c.id === visitorId)).toEqual([]);
    expect(warnings).toEqual([]);

    // Her history: the merge with the visitor's points, the views and their rules, the identify, the demo request.
    const changes = await history(ann.id);
    const own = changes.filter((h) => h.cause.mergedFrom === undefined);
    expect(own.filter((h) => h.field === 'contact:merge').map((h) => [h.from, h.cause.merge])).toEqual([[visitorId, { from: visitorId, via: 'segment' }]]);
    expect(own.filter((h) => h.field === 'score').map((h) => [h.from, h.to, h.cause.merge?.from])).toEqual([[null, 14, visitorId]]);
    const moved = changes.filter((h) => h.cause.mergedFrom === visitorId).reverse();
    expect(moved.filter((h) => h.field === 'score').map((h) => [h.to, h.cause.rule])).toEqual([[5, 'page-visit'], [9, 'pricing-visit'], [14, 'page-visit']]);
    expect(moved.filter((h) => h.cause.event?.type === 'page_visited')).toHaveLength(2);
    expect(own.find((h) => h.field === 'first_name')).toMatchObject({ to: 'Ann', cause: { event: { type: 'identify' } } });
    expect(own.filter((h) => h.cause.event?.type === 'demo_requested').map((h) => h.field)).toEqual(['last_activity_at']);

    // The editor's contact page tells the same story.
    await s.open(`/contacts/${ann.id}`);
    await s.page.getByRole('heading', { level: 1, name: /Ann/ }).waitFor();
    const list = s.page.locator('ol.history');
    await list.getByText(/merged from contact .+ \(identified by an integration\)/).first().waitFor();
    await list.getByText('Visited a pricing or feature page (model Recommended lead score)').first().waitFor();
    await list.getByText('event identify').first().waitFor();
    await s.screenshot('tracker-contact');
  });

  it('a site the key does not list is refused (403, readable by its tracker, which drops the calls) and nothing it sent is kept', async () => {
    const before = await contacts();
    // Cookies are a host's, whatever its port: the two sites here, both on 127.0.0.1, would share the
    // visitor's id cookie, as two sites on different hosts would not. Another visitor, then.
    await s.context.clearCookies();
    const { page, warnings } = await tab();

    const view = nextBatch(page);
    await page.goto(`${unlisted.url}/pricing`);
    const refusedView = await view;
    await page.getByLabel('Email').fill('eve@elsewhere.example');
    await page.getByLabel('First name').fill('Eve');
    const form = nextBatch(page);
    await page.getByRole('button', { name: 'Request a demo' }).click();
    const refusedForm = await form;

    for (const r of [refusedView, refusedForm]) {
      expect(r.status()).toBe(403);
      // Readable by the page: the tracker sees a refusal, not a network failure to retry.
      expect(r.headers()['access-control-allow-origin']).toBe(unlisted.url);
      expect(await r.json()).toEqual({ error: { message: expect.stringContaining(`This ingest key is not for pages at ${unlisted.url}`) } });
    }
    expect(callsOf(refusedView).map((c) => c.type)).toEqual(['page']);
    const visitor = (callsOf(refusedView)[0] as unknown as { anonymousId: string }).anonymousId;
    expect(before.contacts.filter((c) => c.fields.anonymous_id === visitor)).toEqual([]);
    expect(callsOf(refusedForm).map((c) => c.type)).toEqual(['identify', 'track']);
    // Dropped with one warning, not kept for another try.
    expect(warnings).toEqual([expect.stringContaining('HTTP 403')]);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('sm_q'))).toBeNull();

    // Nothing of it in Scoremap: no contact more, none for its visitor or its email.
    const after = await contacts();
    expect(after.total).toBe(before.total);
    expect(after.contacts.map((c) => c.id).sort()).toEqual(before.contacts.map((c) => c.id).sort());
    // Its events were not kept either: the same batches from a server (no Origin) are new to Scoremap.
    for (const r of [refusedView, refusedForm]) {
      await aMinuteLater();
      const resent = await fetch(`${scoremap}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: r.request().postData() });
      expect(resent.status).toBe(200);
    }
    const eve = (await contacts()).contacts.filter((c) => c.fields.email === 'eve@elsewhere.example');
    expect(eve.map((c) => c.fields)).toEqual([expect.objectContaining({ first_name: 'Eve', score: 9 })]);
    expect((await history(eve[0].id)).filter((h) => h.cause.event?.type === 'demo_requested')).toHaveLength(1);
  });
});
