import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, settled, startSession, type Session } from './harness.js';

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const template = read('../../maps/custom-lead-score.json');
const recommended = read('../../maps/recommended-scoring.json');
/** The screenshot of a served docs page that the docs show. */
const SHOT = fileURLToPath(new URL('../../docs/served-docs.png', import.meta.url));

/**
 * The editor's panels link to their pages in the docs, which the server renders at /docs: a user
 * who clicks a panel's "Docs" gets the page in a new tab, under the pages' content policy.
 */
describe.runIf(hasChromium)('the editor\'s help links open the served docs', () => {
  let s: Session;
  let mapId: string;
  beforeAll(async () => {
    s = await startSession();
    mapId = (await s.api('/maps', template)).map.id;
    await s.api('/scoring-models', recommended);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Clicks a link that opens a new tab, and answers that tab once its page has loaded. */
  async function follow(link: ReturnType<Page['getByRole']>): Promise<Page> {
    const [tab] = await Promise.all([s.context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    return tab;
  }

  it('opens the Scoring models page from the scoring page\'s help link', async () => {
    await s.open('/scoring');
    await s.page.getByRole('heading', { name: 'Scoring models', level: 1 }).waitFor();
    await s.screenshot('docs-help-scoring');
    const tab = await follow(s.page.locator('.page-head').getByRole('link', { name: 'Help: Scoring models' }));
    expect(new URL(tab.url()).pathname).toBe('/docs/scoring.md');
    await tab.getByRole('heading', { name: 'Scoring models', level: 1 }).waitFor();
    // Rendered, not the Markdown: the recommended model's section is a heading with its anchor, and the site's header leads on.
    await tab.locator('h2#a-model-in-five-minutes').waitFor();
    const site = tab.getByRole('navigation', { name: 'Site' });
    expect(await site.getByRole('link').allInnerTexts()).toEqual(['Docs index', 'API reference', 'Editor']);
    // The stylesheet applied (a file: the policy refuses inline styles): the text is a column, not the window's width.
    expect(await tab.evaluate(() => getComputedStyle(document.body).maxWidth)).not.toBe('none');
    // A table of the page, and the stylesheet's borders on it.
    if (await tab.locator('table').count()) expect(await tab.locator('td').first().evaluate((td) => getComputedStyle(td).borderTopStyle)).toBe('solid');

    // The index leads to a page with a screenshot, which loads.
    await site.getByRole('link', { name: 'Docs index' }).click();
    await tab.getByRole('heading', { name: 'Scoremap documentation', level: 1 }).waitFor();
    await tab.getByRole('link', { name: 'Contact fields', exact: true }).first().click();
    await tab.getByRole('heading', { name: 'Contact fields', level: 1 }).waitFor();
    const image = tab.locator('main img').first();
    await image.scrollIntoViewIfNeeded();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(100);
    await tab.setViewportSize({ width: 1100, height: 1000 });
    await tab.evaluate(() => window.scrollTo(0, 0));
    await tab.screenshot({ path: SHOT });
    await tab.close();
    expect(s.violations).toEqual([]);
  });

  it('follows the inspector\'s link to the selected element\'s kind, and a trigger\'s to its type', async () => {
    await s.open(`/maps/${mapId}`);
    const inspector = s.page.locator('section.inspector');
    await s.page.locator('.react-flow__node[data-id="wait"]').click();
    await inspector.getByRole('heading', { name: 'Wait' }).waitFor();
    await s.screenshot('docs-help-inspector');
    const wait = await follow(inspector.getByRole('link', { name: 'Help: Wait' }));
    expect(new URL(wait.url()).pathname).toBe('/docs/guide/elements/wait.md');
    await wait.getByRole('heading', { name: 'Wait', level: 1 }).waitFor();
    await wait.close();

    // The template's last trigger sits past the canvas's right edge, under the open inspector:
    // zoom out until it is in view before clicking it.
    const over = s.page.locator('.react-flow__node[data-id="over"]');
    const inView = async () => {
      const [box, pane] = [await over.boundingBox(), await s.page.locator('.react-flow__pane').boundingBox()];
      return !!box && !!pane && box.x + box.width <= pane.x + pane.width;
    };
    for (let i = 0; i < 5 && !(await inView()); i++) {
      await s.page.getByRole('button', { name: 'Zoom Out' }).click();
      await settled(s.page);
    }
    await over.click();
    await inspector.getByRole('heading', { name: /Trigger/ }).waitFor();
    const trigger = await follow(inspector.getByRole('link', { name: 'Help: Field updated trigger' }));
    expect(new URL(trigger.url()).pathname).toBe('/docs/guide/triggers/field-updated.md');
    await trigger.getByRole('heading', { level: 1 }).waitFor();
    expect(await trigger.getByRole('heading', { level: 1 }).innerText()).toMatch(/field/i);
    await trigger.close();
    expect(s.violations).toEqual([]);
  });

  it('puts a help link on every page and dialog, each to its own page', async () => {
    const contact = { id: 'ann' };
    await s.api('/contacts', { id: contact.id, fields: { email: 'ann@example.com', first_name: 'Ann' } });
    // A challenger in the shadow: the reports page shows its card.
    await s.api('/scoring-models', {
      id: 'challenger', name: 'Challenger', field: 'challenger_score', shadow: true,
      fields: [{ key: 'challenger_score', label: 'Challenger score', type: 'number', decimals: 3 }],
      rules: [{ id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 5 }],
    });
    const hrefOf = async (name: string, scope = s.page.locator('body')) => {
      const link = scope.getByRole('link', { name: `Help: ${name}` }).first();
      await link.waitFor();
      expect(await link.getAttribute('target')).toBe('_blank');
      return link.getAttribute('href');
    };
    const pages: [route: string, name: string, href: string][] = [
      ['/maps', 'Maps', '/docs/guide/editor/maps.md'],
      ['/contacts', 'Contacts', '/docs/guide/editor/contacts.md'],
      [`/contacts/${contact.id}`, 'Contacts', '/docs/guide/editor/contacts.md'],
      ['/scoring/recommended', 'Scoring models', '/docs/scoring.md'],
      ['/simulate', 'Simulation', '/docs/guide/simulation.md'],
      ['/reports', 'Reports', '/docs/reports.md'],
      ['/reports', 'Challenger models', '/docs/challengers.md'],
      ['/reports/backtest', 'Backtest', '/docs/backtest.md'],
      ['/leads', 'The sales workspace', '/docs/sales.md'],
      ['/audit', 'The audit log', '/docs/audit.md'],
      ['/settings/fields', 'Contact fields', '/docs/fields.md'],
      ['/settings/keys', 'API keys', '/docs/integrations/keys.md'],
      ['/settings/keys', 'Settings', '/docs/guide/editor/settings.md'],
      ['/settings/webhooks', 'Webhooks', '/docs/integrations/webhooks.md'],
      ['/settings/data-in', 'Segment and RudderStack', '/docs/integrations/segment.md'],
      ['/settings/data-in', 'The website tracker', '/docs/integrations/tracker.md'],
      ['/settings/people', 'People, roles and sessions', '/docs/people.md'],
      [`/maps/${mapId}`, 'The map editor', '/docs/guide/editor/map-editor.md'],
    ];
    for (const [route, name, href] of pages) {
      await s.open(route);
      expect(await hrefOf(name), `${route}: Help: ${name}`).toBe(href);
      if (route === '/settings/data-in') await s.screenshot('docs-help-settings');
    }
    // The map editor's publish dialog.
    await s.page.getByRole('button', { name: 'Publish' }).click();
    const publish = s.page.getByRole('dialog', { name: /Publish version/ });
    expect(await hrefOf('Publishing, versions and relocation', publish)).toBe('/docs/guide/publishing.md');
    await s.page.keyboard.press('Escape');
    await publish.waitFor({ state: 'detached' });
    // A rule's options on the scoring model's page open at their section.
    await s.open('/scoring/recommended');
    await s.page.getByRole('button', { name: 'Options…' }).first().click();
    expect(await hrefOf('Rule options')).toBe('/docs/scoring.md#rules-and-their-options');
    // The contact page's merge dialog.
    await s.open(`/contacts/${contact.id}`);
    await s.page.getByRole('button', { name: 'Merge…' }).click();
    const merge = s.page.getByRole('dialog', { name: /Merge a duplicate/ });
    expect(await hrefOf('Merging contacts', merge)).toBe('/docs/contact-merge.md');
    await s.page.keyboard.press('Escape');
  });
});
