import { mkdirSync, readFileSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarkdown, read } from '../docs/markdown.js';
import { hasChromium, settled, startSession, type Session } from './harness.js';

/**
 * The screenshots of the editor guide (docs/guide/editor/) and of the recipes (docs/recipes/),
 * retaken on every run from realistic data, each after asserting what it shows: a picture of a
 * half-loaded page, or of the wrong thing, fails here instead of reaching the docs.
 */
const GUIDE = 'docs/guide/editor/';
const RECIPES = 'docs/recipes/';

const template = (name: string) => JSON.parse(readFileSync(`maps/${name}.json`, 'utf8'));
/** A named JSON block of a recipe (`<!-- validate: … file=name -->`), as the reader saves it. */
function recipeBlock(page: string, file: string): any {
  const block = parseMarkdown(read(page)).blocks.find((b) => b.marker?.includes(`file=${file}`));
  if (!block) throw new Error(`${page} has no block named ${file}`);
  return JSON.parse(block.text);
}

/**
 * A picture of the whole page: the app scrolls inside its main area, not the document, so the
 * window is made as tall as the page's content (within reason) for the picture, then put back.
 */
async function wholePage(s: Session, path: string) {
  const before = s.page.viewportSize()!;
  const height = await s.page.locator('main.page').evaluate((m) => Math.ceil(m.getBoundingClientRect().top + m.scrollHeight));
  await s.page.setViewportSize({ width: before.width, height: Math.min(Math.max(height, before.height), 2400) });
  await s.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await s.page.screenshot({ path });
  await s.page.setViewportSize(before);
}

const node = (s: Session, id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
const textOf = (l: Locator) => l.innerText();

describe.runIf(hasChromium)('the editor guide: screenshots of each page, with what they show', () => {
  let s: Session;
  let mapId: string;
  const contacts = [
    { id: 'ann', fields: { email: 'ann.lee@northwind.example', first_name: 'Ann', last_name: 'Lee', job_title: 'CEO', company: 'Northwind', company_size: 120 } },
    { id: 'bob', fields: { email: 'bob@contoso.example', first_name: 'Bob', last_name: 'Stone', job_title: 'Marketing manager', company: 'Contoso', company_size: 40 } },
    { id: 'cat', fields: { email: 'cat.ray@fabrikam.example', first_name: 'Cat', last_name: 'Ray', job_title: 'Developer', company: 'Fabrikam' } },
    { id: 'dan', fields: { email: 'dan@tailspin.example', first_name: 'Dan', last_name: 'Moss', job_title: 'VP Sales', company: 'Tailspin' } },
    { id: 'eve', fields: { email: 'eve.park@litware.example', first_name: 'Eve', last_name: 'Park', company: 'Litware' } },
  ];

  beforeAll(async () => {
    mkdirSync(GUIDE, { recursive: true });
    s = await startSession({ now: '2026-03-02T09:00:00Z' });
    await s.api('/scoring-models/recommended', {});
    mapId = (await s.api('/templates/custom-lead-score/import', {})).map.id;
    await s.api(`/maps/${mapId}/publish`, {});
    for (const c of contacts) await s.api('/contacts', { ...c, tags: c.id === 'ann' || c.id === 'dan' ? ['webinar'] : [] });
    const event = (n: number, contact: string, type: string, props?: Record<string, string>) =>
      s.api('/events', { id: `e${n}`, contact: { id: contact }, type, ...(props ? { props } : {}) });
    await event(1, 'ann', 'email_link_clicked', { url: 'https://example.com/webinar' });
    await event(2, 'ann', 'page_visited', { url: '/pricing' });
    await event(3, 'bob', 'page_visited', { url: '/pricing' });
    await event(4, 'cat', 'email_link_clicked', { url: 'https://example.com/blog' });
    await event(5, 'dan', 'form_submitted', { form: 'contact' });
    await s.api('/clock/advance', { ms: 86_400_000 });
    await event(6, 'ann', 'demo_requested');
    await event(7, 'eve', 'email_opened');
    await event(8, 'dan', 'page_visited', { url: '/pricing' });
    await s.api('/clock/advance', { ms: 2 * 86_400_000 });
    await s.api('/keys', { name: 'Website tracker', scope: 'ingest', origins: ['https://www.example.com'] });
    await s.api('/keys', { name: 'CRM sync', scope: 'read' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the maps list: the published template with its version and the contacts on it, and the template gallery', async () => {
    const onMap = (await s.api('/maps')).maps.find((m: { id: string }) => m.id === mapId).contactsOnMap;
    // Ann, Bob and Dan scored and sit in the decay loop; Cat decayed to 0 and left; Eve only opened an email.
    expect(onMap).toBe(3);
    await s.open('/maps');
    const row = s.page.locator('table.maps tbody tr', { hasText: 'Custom Lead Score' });
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    expect(cells.slice(0, 4)).toEqual(['Custom Lead Score', 'published', 'v1', String(onMap)]);
    await s.page.getByRole('heading', { name: 'Start from a template' }).waitFor();
    await s.page.locator('li.card.template', { hasText: 'Lifecycle stages' }).waitFor();
    await s.page.screenshot({ path: `${GUIDE}maps-list.png` });
  });

  it('the map editor: the inspector open on an update, and the counts of the published map', async () => {
    await s.open(`/maps/${mapId}`);
    await node(s, 'add_pricing').waitFor();
    await s.page.getByRole('button', { name: 'Performance' }).click();
    const stats = (await s.api(`/maps/${mapId}/stats`)).elements;
    expect(stats.wait.hereNow).toBe(3);
    await expect.poll(() => textOf(node(s, 'wait'))).toContain('3 now');
    await node(s, 'add_pricing').locator('.el-kind').click();
    const inspector = s.page.locator('section.inspector');
    await inspector.getByRole('heading', { name: 'Update field' }).waitFor();
    expect(await inspector.getByLabel('Label').inputValue()).toBe('Add 10 points');
    await inspector.getByText('New value').waitFor();
    expect(await inspector.innerText()).toContain('[Custom Lead Score] + 10');
    expect(stats.add_pricing.wereHere).toBe(3); // Ann, Bob and Dan
    await expect.poll(() => textOf(node(s, 'add_pricing'))).toContain('0 now · 3 total');
    // The short badge in full words, for a screen reader and on the canvas's legend (the guide's words).
    await node(s, 'add_pricing').getByRole('img', { name: '0 here now, 3 were here' }).waitFor();
    expect(await s.page.locator('.counts-legend').innerText()).toBe('now: contacts here now · total: times contacts were here');
    await settled(s.page);
    await s.page.screenshot({ path: `${GUIDE}map-editor.png` });
  });

  it('a draft with problems: an error blocks Publish, a warning says what to do', async () => {
    const draft = (await s.api('/maps', {
      name: 'Webinar follow-up',
      fields: [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }],
      elements: [
        { id: 'attended', kind: 'trigger', label: 'Attended the webinar', on: { type: 'event', event: 'webinar_attended' }, next: 'add', position: { x: 0, y: 0 } },
        { id: 'add', kind: 'update_field', label: 'Add 15 points', field: 'custom_lead_score', value: '[Custom Lead Score] + 15', next: 'wait', position: { x: 0, y: 150 } },
        { id: 'wait', kind: 'wait', label: 'Wait 1 day', for: { days: 1 }, next: 'decay', position: { x: 0, y: 300 } },
        { id: 'decay', kind: 'update_field', label: 'Take 2 points', field: 'custom_lead_score', value: '[Custom Lead Score] - 2', position: { x: 0, y: 450 } },
      ],
    })).map.id;
    await s.open(`/maps/${draft}`);
    await node(s, 'decay').locator('.el-flag.danger').waitFor();
    const panel = s.page.locator('.problems-panel');
    await panel.getByText('1 error, 1 warning').waitFor();
    await panel.getByRole('button', { name: /can take Custom Lead Score below 0/ }).click();
    const inspector = s.page.locator('section.inspector');
    await inspector.getByText('To stop at 0, write max(0, [Custom Lead Score] - 2)', { exact: false }).waitFor();
    expect(await panel.innerText()).toMatch(/What happens next\?/);
    expect(await s.page.getByRole('button', { name: 'Publish', exact: true }).isDisabled()).toBe(true);
    await settled(s.page);
    await s.page.screenshot({ path: `${GUIDE}map-problems.png` });
  });

  it('the simulate page after a run: the score over time and the path through the map', async () => {
    await s.open('/simulate');
    await s.page.getByRole('button', { name: 'Load the example' }).click();
    await s.page.getByRole('checkbox', { name: 'Custom Lead Score', exact: true }).check();
    await s.page.getByRole('checkbox', { name: /Recommended lead score/ }).check();
    await s.page.getByRole('button', { name: 'Run the simulation' }).click();
    const ann = s.page.getByRole('article', { name: 'Contact ann' });
    await ann.waitFor();
    const steps = await ann.locator('ol.path-steps li').allInnerTexts();
    expect(steps[0]).toBe('Add 5 points');
    expect(steps).toContain('Add 10 points');
    await ann.locator('svg').first().waitFor();
    await ann.scrollIntoViewIfNeeded();
    await s.page.evaluate(() => window.scrollBy(0, -120));
    await s.page.screenshot({ path: `${GUIDE}simulate.png` });

    // "Show on the map": the map with ann's path lit up.
    await ann.getByRole('link', { name: 'Show on the map' }).click();
    await s.page.getByText('Showing the path of ann from a simulation.').waitFor();
    await expect.poll(() => node(s, 'add_click').locator('.el-node').getAttribute('class')).toContain('is-highlighted');
    expect(await node(s, 'reset').locator('.el-node').getAttribute('class')).not.toContain('is-highlighted');
    await settled(s.page);
    await s.page.screenshot({ path: `${GUIDE}map-path.png` });
  });

  it('the publish dialog: what changes, and where the contacts at a removed element go', async () => {
    // The daily wait becomes "Wait 2 days" under a new id: the contacts at the old one must go somewhere.
    const { map } = await s.api(`/maps/${mapId}`);
    const links = new Set(['next', 'target', 'then', 'else']);
    const elements = map.doc.elements.map((e: Record<string, unknown>) => {
      const out = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, links.has(k) && v === 'wait' ? 'wait2' : v]));
      return e.id === 'wait' ? { ...out, id: 'wait2', label: 'Wait 2 days', for: { days: 2 } } : out;
    });
    await s.api(`/maps/${mapId}`, { rev: map.rev, map: { ...map.doc, elements } }, 'PUT');
    await s.open('/maps');
    await s.open(`/maps/${mapId}`);
    await node(s, 'wait2').waitFor();
    await s.page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = s.page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Publish version 2' }).waitFor();
    const row = dialog.locator('table.relocate tbody tr');
    await row.waitFor();
    expect(await row.locator('td').first().innerText()).toMatch(/^Wait 1 day\b/);
    expect(await row.locator('td').nth(1).innerText()).toBe('3');
    const where = dialog.getByRole('combobox', { name: /^Where the contacts at Wait 1 day/ });
    expect(await where.locator('option:checked').innerText()).toMatch(/^Subtract 2 points \(never below 0\)/);
    await dialog.getByText('What changes since version 1').waitFor();
    await s.page.screenshot({ path: `${GUIDE}publish-dialog.png` });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('the contacts list filtered, and a contact page: scores, where they come from, the maps, the history', async () => {
    await s.open('/contacts');
    await s.page.locator('table.contacts tbody tr').first().waitFor();
    const bar = s.page.getByRole('form', { name: 'Add a filter' });
    await bar.getByLabel('Field').selectOption({ label: 'Tags' });
    await bar.getByLabel('Comparison').selectOption({ label: 'has tag' });
    await bar.getByLabel('Value').fill('webinar');
    await bar.getByRole('button', { name: 'Add filter' }).click();
    await s.page.getByText('2 contacts match').waitFor();
    expect(await s.page.locator('table.contacts tbody tr').count()).toBe(2);
    await s.page.screenshot({ path: `${GUIDE}contacts-list.png` });

    await s.open('/contacts/ann');
    await s.page.getByRole('heading', { name: 'Ann Lee', level: 1 }).waitFor();
    const maps = s.page.locator('section[aria-labelledby="maps-h"]');
    await maps.getByText('Custom Lead Score').waitFor();
    expect(await maps.innerText()).toContain('at Wait 1 day');
    await s.page.getByRole('heading', { name: 'Where the score comes from' }).waitFor();
    const history = s.page.getByRole('heading', { name: /Why this score/ });
    await history.waitFor();
    await s.page.locator('.contact-main').getByText('Add 20 points').first().waitFor();
    await wholePage(s, `${GUIDE}contact-page.png`);
  });

  it('Settings: the API keys, each with its scope', async () => {
    await s.open('/settings/keys');
    const rows = s.page.locator('table tbody tr');
    await rows.filter({ hasText: 'Website tracker' }).waitFor();
    expect(await rows.filter({ hasText: 'Website tracker' }).innerText()).toContain('ingest');
    expect(await rows.filter({ hasText: 'CRM sync' }).innerText()).toContain('read');
    const tabs = await s.page.getByRole('navigation', { name: 'Settings' }).locator('a[aria-current], a[href^="#/settings/"]').allInnerTexts();
    expect(tabs).toEqual(['Fields', 'API keys', 'Webhooks', 'Data in', 'Activity', 'People']);
    await s.page.screenshot({ path: `${GUIDE}settings.png` });
  });
});

describe.runIf(hasChromium)('the recipes: each one\'s map or model as the editor shows it', () => {
  let s: Session;
  beforeAll(async () => {
    // A laptop's 1680×1050: room for a recipe's row of triggers at a readable zoom.
    s = await startSession({ now: '2026-03-02T09:00:00Z', viewport: { width: 1680, height: 1050 } });
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Opens a map and takes its picture once its elements are drawn, the one named first in view. */
  async function shoot(id: string, count: number, visible: string, file: string) {
    await s.open(`/maps/${id}`);
    await node(s, visible).waitFor();
    expect(await s.page.locator('.react-flow__node').count()).toBe(count);
    await settled(s.page);
    const canvas = (await s.page.locator('.editor-canvas').boundingBox())!;
    const box = (await node(s, visible).boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(canvas.y);
    expect(box.y + box.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    await s.page.locator('.problems-panel').getByText('No problems').waitFor();
    await s.page.screenshot({ path: `${RECIPES}${file}.png` });
  }
  const fromTemplate = async (name: string) => (await s.api(`/templates/${name}/import`, {})).map.id as string;

  it('custom-lead-score: the template, its action triggers in a row above the points', async () => {
    const id = await fromTemplate('custom-lead-score');
    await shoot(id, template('custom-lead-score').elements.length, 'pricing', 'custom-lead-score');
    expect(await textOf(node(s, 'add_pricing'))).toContain('Add 10 points');
  });

  it('adjusted-lead-score: the points map the reader saves as custom-points.json', async () => {
    const id = (await s.api('/maps', recipeBlock(`${RECIPES}adjusted-lead-score.md`, 'custom-points.json'))).map.id;
    await shoot(id, 7, 'called', 'adjusted-lead-score');
    expect(await textOf(node(s, 'add10'))).toContain('Add 10 points');
  });

  it('brackets-and-stages: the lifecycle-stages template', async () => {
    const id = await fromTemplate('lifecycle-stages');
    await shoot(id, template('lifecycle-stages').elements.length, 'crossed', 'brackets-and-stages');
    expect(await textOf(node(s, 'is_sql'))).toContain('Score 76 or more?');
  });

  it('composite-score: the composite-score template', async () => {
    const id = await fromTemplate('composite-score');
    await shoot(id, template('composite-score').elements.length, 'clicked', 'composite-score');
    expect(await textOf(node(s, 'eng_click'))).toContain('Engagement +5 (at most 40)');
  });

  it('notify-sales: the notify-sales-hot-lead template', async () => {
    const id = await fromTemplate('notify-sales-hot-lead');
    await shoot(id, 3, 'notify', 'notify-sales');
    expect(await textOf(node(s, 'hot'))).toContain('Score reached 75');
  });

  it('inactivity-decay: the model of the recipe on the Scoring page', async () => {
    const model = recipeBlock(`${RECIPES}inactivity-decay.md`, 'slow-cycle.json');
    await s.api('/scoring-models', model);
    await s.open(`/scoring/${model.id}`);
    await s.page.getByRole('heading', { name: 'Slow-cycle lead score' }).waitFor();
    await s.page.getByText('5 % every 30 days once a contact has been inactive for 30 days.').waitFor();
    for (const rule of model.rules) await s.page.locator(`input[value="${rule.label}"]`).or(s.page.getByText(rule.label, { exact: true })).first().waitFor();
    // The CEO's points are fit points: the one rule whose Decays box is unticked.
    expect(await s.page.getByRole('checkbox', { name: 'Decays, rule CEO' }).isChecked()).toBe(false);
    expect(await s.page.getByRole('checkbox', { name: 'Decays, rule Asked for a demo' }).isChecked()).toBe(true);
    await s.page.getByText(/Fit points: never decay/).waitFor();
    await s.page.setViewportSize({ width: 1280, height: 800 });
    await wholePage(s, `${RECIPES}inactivity-decay.png`);
    await s.page.setViewportSize({ width: 1680, height: 1050 });
  });
});
