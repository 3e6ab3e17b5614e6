import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const decayLoop = read('../scenarios/decay-loop-move-here.json').maps[0];
const recommended = read('../../maps/recommended-scoring.json');

const DAY = 86_400_000;
const PEOPLE = ['Ann Lee', 'Bob Stone', 'Cat Ray', 'Dan Moss', 'Eve Park', 'Fay Wu', 'Gus Hill', 'Hal Kerr', 'Ivy Long', 'Jon Dee',
  'Kim Roe', 'Lou Finch', 'Max Orr', 'Ned Bell', 'Ola Cruz', 'Pam Vale', 'Quin Fox', 'Rae Gold', 'Sam Holt', 'Tia Marsh'];

/** Varied actions: the first contacts are busy (clicks, pricing visits, purchases), the last ones quiet. */
function eventsFor(i: number, email: string, start: number) {
  const at = (min: number) => new Date(start + min * 60_000).toISOString();
  const events: Record<string, unknown>[] = [];
  const clicks = Math.max(0, 6 - Math.floor(i / 3));
  for (let k = 0; k < clicks; k++) events.push({ id: `${i}-c${k}`, contact: { email }, type: 'email_link_clicked', at: at(10 + k) });
  if (i % 2 === 0) events.push({ id: `${i}-p`, contact: { email }, type: 'page_visited', at: at(20), props: { url: i % 4 === 0 ? '/pricing' : '/blog' } });
  if (i % 5 === 0) events.push({ id: `${i}-s`, contact: { email }, type: 'subscription_started', at: at(30), props: { product: 'Pro' } });
  if (i % 7 === 0) events.push({ id: `${i}-b`, contact: { email }, type: 'purchase', at: at(40), props: { amount: 800, product: 'Pro' } });
  if (i % 6 === 3) events.push({ id: `${i}-t`, contact: { email }, type: 'sms_received', at: at(50), props: { text: 'what is the price?' } });
  if (!events.length) events.push({ id: `${i}-o`, contact: { email }, type: 'email_opened', at: at(5) });
  return events;
}

describe.runIf(hasChromium)('the data pages in a browser: maps list, contacts, scoring, simulate', () => {
  let s: Session;
  let mapId: string;
  let hasModels = true;
  let onMap = 0;
  const row = (text: string) => s.page.locator('tbody tr', { hasText: text });

  beforeAll(async () => {
    s = await startSession({ now: '2026-01-01T09:00:00Z' });
    mapId = (await s.api('/maps/import', decayLoop)).map.id;
    await s.api(`/maps/${mapId}/publish`, {});
    try {
      await s.api('/scoring-models', recommended);
    } catch {
      hasModels = false; // a server without the scoring-models API: the pages degrade, the checks below skip
    }
    const start = Date.parse('2026-01-01T09:00:00Z');
    const events: unknown[] = [];
    for (const [i, person] of PEOPLE.entries()) {
      const [first, last] = person.split(' ');
      const email = `${first.toLowerCase()}@example.com`;
      await s.api('/contacts', { fields: { email, first_name: first, last_name: last }, tags: i % 3 === 0 ? ['webinar'] : [] });
      const mine = eventsFor(i, email, start);
      if (mine.some((e) => e.type === 'email_link_clicked')) onMap++;
      events.push(...mine);
    }
    await s.api('/clock/advance', { ms: 60 * 60_000 });
    await s.api('/events', events);
    await s.api('/clock/advance', { ms: 3 * DAY });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the map with its status, version and the contacts on it', async () => {
    await s.open('/maps');
    const line = row(decayLoop.name);
    await line.waitFor();
    const cells = await line.locator('td').allInnerTexts();
    expect(cells[1]).toBe('published');
    expect(cells[2]).toBe('v1');
    expect(cells[3]).toBe(String(onMap));
    expect(onMap).toBeGreaterThan(5);
    await s.screenshot('pages-maps-list');
  });

  it('duplicates, deletes after asking, and lists the problems of a map file that cannot be imported', async () => {
    await s.open('/maps');
    await row(decayLoop.name).getByRole('button', { name: `Duplicate ${decayLoop.name}` }).click();
    const copy = row(`${decayLoop.name} (copy)`);
    await copy.waitFor();
    expect(await copy.locator('td').nth(1).innerText()).toBe('draft');
    await copy.getByRole('button', { name: /^Delete/ }).click();
    const confirm = s.page.getByRole('dialog', { name: /Delete/ });
    await confirm.getByText('cannot be undone').waitFor();
    await confirm.getByRole('button', { name: 'Delete map' }).click();
    await copy.waitFor({ state: 'detached' });

    await s.page.getByRole('button', { name: 'Import…' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Import a map' });
    await dialog.getByLabel('or paste the JSON').fill('{ "name": "Broken", "elements": [');
    await dialog.getByRole('button', { name: 'Import as a draft' }).click();
    await dialog.getByText('This is not valid JSON').waitFor();
    // Not in the format (422): an event trigger without its event, a wait of "one" day.
    const broken = { name: 'Broken', elements: [
      { id: 'start', kind: 'trigger', on: { type: 'event' }, next: 'hold' },
      { id: 'hold', kind: 'wait', for: { days: 'one' }, next: 'end' },
      { id: 'end', kind: 'end' },
    ] };
    await dialog.getByLabel('or paste the JSON').fill(JSON.stringify(broken));
    await dialog.getByRole('button', { name: 'Import as a draft' }).click();
    const problems = dialog.getByRole('list', { name: 'Problems' });
    await problems.waitFor();
    await problems.locator('li', { hasText: 'hold' }).getByText('"days" must be a number').waitFor();
    await problems.locator('li', { hasText: 'start' }).getByText('"event" is missing').waitFor();
    await s.screenshot('pages-import-problems');
    await s.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('creates a new map with a trigger and an End, and opens it', async () => {
    await s.open('/maps');
    await s.page.getByRole('button', { name: 'New map' }).click();
    await s.page.getByRole('dialog', { name: 'New map' }).getByLabel('Name').fill('Webinar follow-up');
    await s.page.keyboard.press('Enter');
    await expect.poll(() => s.page.url()).toMatch(/#\/maps\/webinar-follow-up/);
    const id = decodeURIComponent(s.page.url().split('#/maps/')[1]);
    const { map, problems } = await s.api(`/maps/${id}`);
    expect(map.doc.elements.map((e: { kind: string }) => e.kind)).toEqual(['trigger', 'end']);
    expect(problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    await s.api(`/maps/${id}`, undefined, 'DELETE');
  });

  it('imports a template from the gallery and opens the new draft', async () => {
    const { templates } = await s.api('/templates');
    if (!templates.length) return; // no templates in maps/ yet: nothing to import
    const before = (await s.api('/maps')).maps.length;
    await s.open('/maps');
    const card = s.page.locator('.card.template', { hasText: templates[0].title }).first();
    await card.waitFor();
    await card.getByRole('button', { name: `Import the template ${templates[0].title}` }).click();
    await expect.poll(() => s.page.url()).toMatch(/#\/maps\/[A-Za-z0-9_-]+$/);
    const id = decodeURIComponent(s.page.url().split('#/maps/')[1]);
    const after = (await s.api('/maps')).maps;
    expect(after.length).toBe(before + 1);
    expect(after.find((m: { id: string }) => m.id === id)?.name).toBe(templates[0].title);
  });

  it('shows contacts sorted by score, with bracket and rank, and sorts by a clicked column', async () => {
    await s.open('/contacts');
    const table = s.page.locator('table.contacts');
    await table.waitFor();
    await s.page.getByText('20 contacts').waitFor();
    // A contact whose actions gave no points has no score yet (shown as a dash, counted as 0).
    const scores = (await table.locator('td.score').allInnerTexts()).map((t) => (t === '—' ? 0 : Number(t)));
    expect(scores.length).toBe(20);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(scores[scores.length - 1]);
    if (hasModels) {
      // The first cell is the row's checkbox, then email, name, score, bracket, rank.
      const first = await table.locator('tbody tr').first().locator('td').allInnerTexts();
      expect(['High', 'Medium', 'Low']).toContain(first[4]);
      expect(first[5]).toBe('100 %');
      const brackets = new Set(await table.locator('tbody tr td:nth-child(5)').allInnerTexts());
      expect(brackets.size).toBeGreaterThan(1);
    }
    await s.screenshot('pages-contacts');

    await s.page.getByRole('button', { name: /^Email/ }).click();
    await expect.poll(() => table.locator('tbody tr').first().locator('td').nth(1).innerText()).toBe('ann@example.com');
    await expect.poll(() => table.getByRole('columnheader', { name: /Email/ }).getAttribute('aria-sort')).toBe('ascending');

    // Sorting works from the keyboard, and the focus stays on the header.
    const scoreHead = s.page.getByRole('button', { name: /^Score/ });
    await scoreHead.focus();
    await s.page.keyboard.press('Enter');
    await expect.poll(() => table.getByRole('columnheader', { name: /Score/ }).getAttribute('aria-sort')).toBe('descending');
    await s.page.keyboard.press('Enter');
    await expect.poll(() => table.getByRole('columnheader', { name: /Score/ }).getAttribute('aria-sort')).toBe('ascending');
    expect(await scoreHead.evaluate((el) => el === document.activeElement)).toBe(true);

    // The quick search narrows the list by email.
    await s.page.getByPlaceholder('Search by email…').fill('bob');
    await s.page.getByText('1 contact match').waitFor();
    await s.page.getByPlaceholder('Search by email…').fill('');
    await s.page.getByText('20 contacts').waitFor();
  });

  it('opens a contact: fields, maps, scores, the history with causes in words, and the chart', async () => {
    await s.open('/maps'); // a fresh list, sorted by score again
    await s.open('/contacts');
    const top = s.page.locator('table.contacts tbody tr').first().locator('a');
    await top.waitFor();
    const email = await top.innerText();
    await top.click();
    await s.page.getByRole('heading', { level: 1 }).waitFor();
    await expect.poll(() => s.page.url()).toContain('#/contacts/');
    const history = s.page.locator('ol.history');
    await history.waitFor();
    if (hasModels) {
      await history.getByText(`(model ${recommended.name})`).first().waitFor();
      await history.getByText(/degradation \(model/).first().waitFor();
    }
    if (email !== 'kim@example.com') await history.getByText(/map .+, element Add 5 points/).first().waitFor();
    await s.page.getByRole('region', { name: 'On maps' }).getByRole('link', { name: decayLoop.name }).waitFor();
    const chart = s.page.locator('.chart svg[role="img"]').first();
    await chart.waitFor();
    expect(await chart.locator('.chart-series path').count()).toBeGreaterThan(0);
    expect(await chart.locator('title').first().textContent()).toMatch(/over time/);
    await s.screenshot('pages-contact');

    // The chart can draw another number field of the history.
    const select = s.page.locator('section.card', { has: s.page.locator('.chart') }).getByLabel('Field');
    const options = await select.locator('option').allInnerTexts();
    if (options.includes('Custom Lead Score')) {
      await select.selectOption({ label: 'Custom Lead Score' });
      await s.page.getByRole('heading', { name: 'Custom Lead Score over time' }).waitFor();
    }
  });

  it('shows a scoring model with its rules and the score distribution', async () => {
    if (!hasModels) return;
    await s.open('/scoring');
    await s.page.getByRole('link', { name: recommended.name }).click();
    await s.page.getByRole('heading', { name: 'Score distribution' }).waitFor();
    const bars = s.page.locator('.chart-bar rect:not(.hit)');
    await bars.first().waitFor();
    expect(await bars.count()).toBe(10);
    await s.page.getByText('mean').waitFor();
    await s.page.locator('.bracket-counts').getByText('High').waitFor();
    expect(await s.page.getByLabel(/^Label of rule/).count()).toBe(recommended.rules.length);
    await s.screenshot('pages-scoring');

    // Mistakes are explained in words, the editor's own checks and the server's; fixing them saves.
    await s.page.getByLabel('Lowest score', { exact: true }).fill('200');
    await s.page.getByRole('button', { name: 'Save' }).click();
    await s.page.getByText('The lowest score (200) must be below the highest (100).').waitFor();
    await s.page.getByLabel('Lowest score', { exact: true }).fill('0');
    const firstRule = s.page.locator('table.rules tbody tr').first();
    await firstRule.getByRole('button', { name: 'edit as JSON' }).click();
    await firstRule.getByRole('textbox', { name: /JSON/ }).fill('{ "field": "shoe_size", "op": "gt", "value": 40 }');
    await s.page.getByRole('button', { name: 'Save' }).click();
    const problem = s.page.getByRole('list', { name: 'Problems' }).locator('li').first();
    await problem.getByText('Rule 1 (Clicked a link in an email)').waitFor();
    expect(await problem.innerText()).toMatch(/shoe_size/);
    await s.screenshot('pages-scoring-problems');
    await firstRule.getByRole('textbox', { name: /JSON/ }).fill('');
    await s.page.getByLabel('Degradation, % a day').fill('4');
    await s.page.getByRole('button', { name: 'Save' }).click();
    await s.page.getByText(/^Saved\./).waitFor();
    expect((await s.api('/scoring-models/recommended')).degradation).toEqual({ percentPerDay: 4 });

    await s.page.getByRole('button', { name: 'Rescore' }).click();
    await s.page.getByText(/Rescored \d+ contacts/).waitFor();
  });

  it('creates a scoring model writing a new field and saves a rule made in the rules table', async () => {
    if (!hasModels) return;
    await s.open('/scoring');
    await s.page.getByRole('button', { name: 'New model' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'New scoring model' });
    await dialog.getByLabel('Name', { exact: true }).fill('Engagement score');
    await dialog.getByRole('button', { name: 'Create and open' }).click();
    await expect.poll(() => s.page.url()).toContain('#/scoring/engagement-score');
    await s.page.getByRole('button', { name: '+ Add a rule' }).click();
    await s.page.getByLabel('Label of rule 1').fill('Booked a call');
    await s.page.getByLabel('Event of rule Booked a call').selectOption('appointment_booked');
    await s.page.getByLabel('Points of rule Booked a call').fill('15');
    await s.page.getByRole('button', { name: 'Save' }).click();
    await s.page.getByText(/^Saved\./).waitFor();
    const model = await s.api('/scoring-models/engagement-score');
    expect(model.field).toBe('engagement_score');
    expect(model.rules).toEqual([{ id: 'rule-1', label: 'Booked a call', when: { event: 'appointment_booked' }, points: 15 }]);
    await s.api('/scoring-models/engagement-score', undefined, 'DELETE');
  });

  it('simulates a scenario and draws a chart per contact with its path through the map', async () => {
    await s.open('/simulate');
    await s.page.getByRole('heading', { name: 'Simulate' }).waitFor();
    await s.page.getByRole('checkbox', { name: decayLoop.name }).check();
    if (hasModels) await s.page.getByRole('checkbox', { name: new RegExp(recommended.name) }).check();
    await s.page.getByRole('button', { name: 'Run the simulation' }).click();
    const ann = s.page.locator('article.sim-contact', { hasText: 'ann' }).first();
    await ann.locator('.chart svg .chart-series path').waitFor();
    await ann.locator('.path-steps li', { hasText: 'Add 5 points' }).first().waitFor();
    await ann.locator('.path-steps li', { hasText: 'Subtract 2 points' }).first().waitFor();
    await s.page.locator('.sim-results').scrollIntoViewIfNeeded();
    await s.screenshot('pages-simulate');

    // The scenario is remembered for the next visit.
    await s.page.reload();
    await expect.poll(() => s.page.getByRole('checkbox', { name: decayLoop.name }).isChecked()).toBe(true);
  });
});
