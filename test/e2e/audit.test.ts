import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

const PASSWORD = 'a long enough password';
const PEOPLE = [
  { name: 'Ana Admin', email: 'ana@acme.test', role: 'admin' },
  { name: 'Eve Editor', email: 'eve@acme.test', role: 'editor' },
  { name: 'Sam Sales', email: 'sam@acme.test', role: 'sales' },
];

/**
 * Issue 22 (SPEC §12), the audit log in a browser: changes made by two people and the token show
 * on the Audit page newest first, with their authors in the map's and the model's versions; the
 * filters narrow it; "Load more" reads the next page; a sales person has no Audit page.
 */
describe.runIf(hasChromium)('the Audit page', () => {
  let s: Session;
  /** Calls the API as a person, with their session cookie and the header a form cannot send. */
  const as = async (email: string) => {
    const base = s.server.url.replace(/\/$/, '');
    const r = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    const cookie = /scoremap_session=[^;]+/.exec(r.headers.get('set-cookie') ?? '')?.[0];
    if (!cookie) throw new Error(`signing in ${email}: ${r.status}`);
    return async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}/api${path}`, {
        method, headers: { cookie, 'x-scoremap-request': '1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
  };

  beforeAll(async () => {
    s = await startSession();
    for (const p of PEOPLE) await s.api('/people', { ...p, password: PASSWORD });
    const eve = await as('eve@acme.test');
    const ana = await as('ana@acme.test');
    const made = await eve('POST', '/maps?id=welcome', {
      name: 'Welcome series',
      elements: [
        { id: 'start', kind: 'trigger', label: 'Visited a page', on: { type: 'event', event: 'page_visited' }, next: 'end', position: { x: 0, y: 0 } },
        { id: 'end', kind: 'end', position: { x: 0, y: 160 } },
      ],
    });
    const doc = made.map.doc;
    doc.elements[0].label = 'Visited the pricing page';
    await eve('PUT', '/maps/welcome', { rev: made.map.rev, map: doc });
    await eve('POST', '/maps/welcome/publish', {});
    await eve('POST', '/scoring-models', { id: 'lead', name: 'Lead score', field: 'score', rules: [{ id: 'visit', label: 'Visited a page', when: { event: 'page_visited' }, points: 5 }] });
    await eve('PUT', '/scoring-models/lead', { id: 'lead', name: 'Lead score', field: 'score', rules: [{ id: 'visit', label: 'Visited a page', when: { event: 'page_visited' }, points: 10 }] });
    const key = await ana('POST', '/keys', { name: 'Website', scope: 'ingest' });
    await ana('DELETE', `/keys/${key.key.id}`);
    await ana('PUT', '/settings/outcomes', { rev: 0, outcomes: [{ id: 'bought', label: 'Bought', event: 'purchase' }] });
    await s.api('/fields', { key: 'plan', label: 'Plan', type: 'text' });
  });
  afterAll(async () => {
    await s?.close();
  });
  const rows = () => s.page.locator('table.audit-log tbody tr');
  const cells = async () => (await rows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());

  it('lists every change newest first, with who made it', async () => {
    await s.open('/maps');
    await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await s.page.getByRole('heading', { name: 'Audit' }).waitFor();
    await rows().nth(9).waitFor();
    const all = await cells();
    expect(all.map((t) => t.replace(/^.*?(The start-up token|Ana Admin|Eve Editor) /, '$1 '))).toEqual([
      'The start-up token Field added Added the text field "Plan" (plan)',
      'Ana Admin Setting changed Changed the outcomes: added "Bought"',
      'Ana Admin API key revoked Revoked the API key "Website"',
      'Ana Admin API key created Made the ingest API key "Website"',
      'Eve Editor Model saved Saved the scoring model "Lead score" as version 2: changed the rule "Visited a page" (points 5 → 10)',
      'Eve Editor Model created Created the scoring model "Lead score"',
      'Eve Editor Map published Published "Welcome series" as version 1',
      'Eve Editor Map saved Saved the draft of "Welcome series": changed "Visited the pricing page"',
      'Eve Editor Map created Created the map "Welcome series"',
      expect.stringMatching(/^The start-up token Person added/),
      expect.stringMatching(/Person added/), expect.stringMatching(/Person added/),
    ].slice(0, all.length));
    await s.page.screenshot({ path: 'docs/audit.png' });
  });

  it('narrows by person, kind of change and dates', async () => {
    await s.page.getByLabel('Person', { exact: true }).selectOption({ label: 'Eve Editor' });
    await expect.poll(async () => (await cells()).length).toBe(5);
    await s.page.getByLabel('Kind of change').selectOption({ label: 'Maps: published' });
    await expect.poll(cells).toEqual([expect.stringContaining('Published "Welcome series" as version 1')]);
    await s.page.getByRole('button', { name: 'Clear the filters' }).click();
    await s.page.getByLabel('From').fill('2026-01-02');
    await s.page.getByText('No change matches these filters').waitFor();
    await s.page.getByRole('button', { name: 'Clear the filters' }).click();
    await expect.poll(async () => (await cells()).length).toBeGreaterThan(9);
  });

  it('loads more past the first page', async () => {
    for (let i = 0; i < 45; i++) await s.api('/fields', { key: `f${i}`, label: `Field ${i}`, type: 'text' });
    await s.page.reload();
    await rows().nth(49).waitFor();
    expect(await rows().count()).toBe(50);
    await s.page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows().count()).toBe(45 + 12);
    await s.page.getByText('That is every entry.').waitFor();
    expect((await cells()).at(-1)).toMatch(/Person added Added/);
  });

  it('shows who published a map version and who saved a model version', async () => {
    await s.open('/maps/welcome');
    await s.page.getByRole('button', { name: 'Versions' }).click();
    await s.page.getByRole('complementary', { name: 'Versions' }).getByText('by Eve Editor').waitFor();
    await s.open('/scoring/lead');
    const versions = s.page.locator('.model-versions table tbody tr');
    await versions.nth(1).waitFor();
    expect((await versions.allInnerTexts()).map((t) => t.includes('Eve Editor'))).toEqual([true, true]);
  });

  it('a sales person has no Audit page', async () => {
    await s.page.evaluate(async (password) => {
      localStorage.removeItem('scoremap.token');
      await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sam@acme.test', password }) });
    }, PASSWORD);
    await s.page.reload();
    const nav = s.page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: /Sam Sales/ }).waitFor();
    expect(await nav.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Contacts' }).count()).toBe(1);
  });
});
