import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, STEP_TIMEOUT, startSession, type Session } from './harness.js';


/** Hot from 50, Warm from 20: a demo request is worth 30, a page visit 10. */
const MODEL = {
  id: 'lead', name: 'Lead score', field: 'score', min: 0, max: 100,
  rules: [
    { id: 'demo', label: 'Requested a demo', when: { event: 'demo_requested' }, points: 30 },
    { id: 'visit', label: 'Visited a page', when: { event: 'page_visited' }, points: 10 },
  ],
  brackets: [{ name: 'Hot', min: 50 }, { name: 'Warm', min: 20 }, { name: 'Cold', min: 0 }],
};

/**
 * Six contacts, there since Dec 30, scored on Jan 1: two Hot (50), two Warm (20), two Cold (10).
 * On Jan 5 both Hot contacts and one Warm contact buy; nobody Cold does. (The times sit mid-day
 * UTC, so the days the browser's date inputs name hold them in any time zone.)
 */
const PEOPLE = [
  { email: 'ann@example.com', events: ['demo_requested', 'page_visited', 'page_visited'], buys: true },
  { email: 'bob@example.com', events: ['demo_requested', 'page_visited', 'page_visited'], buys: true },
  { email: 'cat@example.com', events: ['page_visited', 'page_visited'], buys: true },
  { email: 'dan@example.com', events: ['page_visited', 'page_visited'], buys: false },
  { email: 'eve@example.com', events: ['page_visited'], buys: false },
  { email: 'fay@example.com', events: ['page_visited'], buys: false },
];

/** The rows of a table as the reader sees them: each cell's text. */
const tableRows = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim())));

/**
 * The Reports page and the backtest view in a browser (SPEC §11): a user names what counts as a
 * conversion, reads the conversion by bracket of contacts seeded through the API (the numbers
 * the seeding implies), then tries a changed model draft on real history from the model editor
 * and sees the run finish with every contact scored differently.
 */
describe.runIf(hasChromium)('the Reports page and trying a draft on real history', () => {
  let s: Session;

  beforeAll(async () => {
    s = await startSession({ now: '2025-12-30T13:00:00Z' });
    await s.api('/scoring-models', MODEL);
    // A challenger in the shadow from the start: page visits worth 20, into its own field.
    await s.api('/fields', { key: 'score_v2', label: 'Score v2', type: 'number' });
    await s.api('/scoring-models', { ...MODEL, id: 'lead-v2', name: 'Lead score v2', field: 'score_v2', shadow: true, rules: [MODEL.rules[0], { ...MODEL.rules[1], points: 20 }] });
    for (const p of PEOPLE) await s.api('/contacts', { id: p.email.split('@')[0], fields: { email: p.email } });
    // Sent at the clock's time: a back-dated event would be weighted by its age.
    await s.api('/clock/advance', { to: '2026-01-01T13:00:00Z' });
    await s.api('/events', PEOPLE.flatMap((p) => p.events.map((type) => ({ contact: { email: p.email }, type }))));
    await s.api('/clock/advance', { to: '2026-01-05T13:00:00Z' });
    await s.api('/events', PEOPLE.filter((p) => p.buys).map((p) => ({ contact: { email: p.email }, type: 'purchase', props: { amount: 100 } })));
    await s.api('/clock/advance', { to: '2026-02-10T09:00:00Z' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts conversions by bracket once the user names the outcome', async () => {
    const page = s.page;
    await s.open('/maps');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();

    // No outcome yet: the page says what to do, in the outcomes and in the report.
    const outcomes = page.locator('section.outcomes');
    await outcomes.getByText('Name what counts as a conversion').waitFor();
    const conversion = page.locator('section.report', { has: page.getByRole('heading', { name: 'Conversion by score band' }) });
    await conversion.getByText('Name what counts as a conversion').waitFor();

    // A label is needed: saving without one is refused in words, and nothing is stored.
    await outcomes.getByRole('button', { name: 'Add an outcome' }).first().click();
    await outcomes.getByLabel('Event type of outcome 1').fill('purchase');
    await outcomes.getByRole('button', { name: 'Save outcomes' }).click();
    await outcomes.getByRole('alert').getByText('Outcome 1 needs a label').waitFor();
    expect((await s.api('/settings/outcomes')).outcomes).toEqual([]);

    await outcomes.getByLabel('Label of outcome 1').fill('Purchase');
    await outcomes.getByRole('button', { name: 'Save outcomes' }).click();
    await outcomes.getByRole('status').getByText('Outcomes saved').waitFor();
    expect((await s.api('/settings/outcomes')).outcomes).toEqual([{ id: 'purchase', label: 'Purchase', event: 'purchase' }]);

    // Scores as they were at the start of Jan 3, purchases within 30 days: the seeded numbers.
    await conversion.getByLabel('Scores on').fill('2026-01-03');
    await expect.poll(() => tableRows(page, '.conversion-card table.conversion tbody tr, .conversion-card table.conversion tfoot tr'), { timeout: STEP_TIMEOUT }).toEqual([
      ['Cold', '2', '0', '0 %', '×0.0'],
      ['Warm', '2', '1', '50 %', '×1.0'],
      ['Hot', '2', '2', '100 %', '×2.0'],
      ['All', '6', '3', '50 %', '×1.0'],
    ]);
    await conversion.getByText(/3 of 6 contacts scored on .* converted within 30 days: 50 % on average/).waitFor();
    expect(await conversion.locator('.rate-chart .avg-line text').textContent()).toBe('average 50 %');

    // The same numbers as CSV, under the server's file name.
    const [download] = await Promise.all([page.waitForEvent('download'), conversion.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split(/\r?\n/)[0]).toMatch(/band/i);
    expect(csv).toMatch(/Hot,[^\n]*\b2\b,[^\n]*\b2\b/);

    // Cut points instead of brackets: a typo is named, then the bands follow what is typed.
    await conversion.getByLabel('Bands').selectOption('ranges');
    await conversion.getByLabel('Band edges').fill('20, x');
    await conversion.getByRole('alert').getByText('“x” is not a number').waitFor();
    await conversion.getByLabel('Band edges').fill('30');
    await expect.poll(() => tableRows(page, '.conversion-card table.conversion tbody tr')).toEqual([
      ['<30', '4', '1', '25 %', '×0.5'],
      ['≥30', '2', '2', '100 %', '×2.0'],
    ]);
    await conversion.getByLabel('Bands').selectOption('brackets');
    await expect.poll(() => tableRows(page, '.conversion-card table.conversion tbody tr')).toHaveLength(3);

    // Someone else saves the outcomes meanwhile: saving here is refused, nothing of theirs is lost.
    await s.api('/settings/outcomes', { outcomes: [{ id: 'purchase', label: 'Purchase', event: 'purchase' }, { id: 'won', label: 'Deal won', event: 'deal_won' }], rev: 1 }, 'PUT');
    await outcomes.getByLabel('Label of Purchase').fill('Bought');
    await outcomes.getByRole('button', { name: 'Save outcomes' }).click();
    await outcomes.getByRole('alert').getByText('Someone else saved the outcomes since this page loaded').waitFor();
    expect((await s.api('/settings/outcomes')).outcomes.map((o: { label: string }) => o.label)).toEqual(['Purchase', 'Deal won']);
    await outcomes.getByRole('button', { name: 'Load the saved outcomes' }).click();
    await expect.poll(() => outcomes.locator('.outcome-row input[aria-label^="Label of"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['Purchase', 'Deal won']);
    await s.api('/settings/outcomes', { outcomes: [{ id: 'purchase', label: 'Purchase', event: 'purchase' }], rev: 2 }, 'PUT');
    await page.reload();
    await conversion.getByLabel('Scores on').fill('2026-01-03');
    await expect.poll(() => tableRows(page, '.conversion-card table.conversion tbody tr')).toHaveLength(3);

    // The outcomes and the conversion report under the navigation, the page's title scrolled away.
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      const main = document.querySelector('main.page')!;
      main.scrollTop += document.querySelector('section.outcomes')!.getBoundingClientRect().top - main.getBoundingClientRect().top - 12;
    });
    await page.screenshot({ path: 'docs/reports.png' });
  });

  it('puts the champion and the shadow challenger side by side', async () => {
    const page = s.page;
    await s.open('/reports');
    const card = page.locator('section.report', { has: page.getByRole('heading', { name: 'Champion and challenger' }) });
    expect(await card.getByLabel('Champion', { exact: true }).inputValue()).toBe('lead');
    expect(await card.getByLabel('Challenger', { exact: true }).inputValue()).toBe('lead-v2');
    await card.getByLabel('Scores on').fill('2026-01-03');
    const side = (role: string) => card.locator(`[data-role="${role}"]`);
    await expect.poll(() => tableRows(page, 'section.report [data-role="Challenger"] table.conversion tbody tr')).toEqual(expect.arrayContaining([
      ['Warm', '4', '1', '25 %', '×0.5'], ['Hot', '2', '2', '100 %', '×2.0'],
    ]));
    expect(await tableRows(page, 'section.report [data-role="Champion"] table.conversion tbody tr')).toEqual([
      ['Cold', '2', '0', '0 %', '×0.0'], ['Warm', '2', '1', '50 %', '×1.0'], ['Hot', '2', '2', '100 %', '×2.0'],
    ]);
    // Of the 9 pairs of a buyer and a non-buyer, each model ranks 8 right and ties 1: 8.5 / 9.
    expect(await side('Champion').locator('.auc b').innerText()).toBe('AUC 0.94');
    expect(await side('Challenger').locator('.auc b').innerText()).toBe('AUC 0.94');
  });

  it('tries a changed model on real history from the model editor and sees the run finish', async () => {
    const page = s.page;
    await s.open('/scoring/lead');
    await page.getByRole('heading', { name: 'Lead score', level: 1 }).waitFor();
    // A draft, not saved: a page visit worth 20 instead of 10.
    await page.getByLabel('Points of rule Visited a page').fill('20');
    const [tab] = await Promise.all([
      s.context.waitForEvent('page'),
      page.getByRole('button', { name: 'Try on real history' }).click(),
    ]);
    tab.setDefaultTimeout(STEP_TIMEOUT);
    await tab.getByRole('heading', { name: 'Try on real history', level: 1 }).waitFor();
    await tab.getByText('Model “Lead score”, the draft as it was in the editor').waitFor();
    // The editor keeps the draft.
    expect(await page.getByLabel('Points of rule Visited a page').inputValue()).toBe('20');

    // The scores of Jan 2 against the purchases of Jan 5.
    await tab.getByLabel('From').fill('2026-01-01');
    await tab.getByLabel('To').fill('2026-01-02');
    await tab.getByRole('button', { name: 'Run' }).click();
    await tab.getByRole('heading', { name: 'Result' }).waitFor();
    // Every contact visited a page: each one scores differently with the draft.
    expect((await tab.locator('[data-stat="changed"] b').innerText()).trim()).toBe('6');
    const diffs = await tableRows(tab, 'table.differences tbody tr');
    // Largest first: the four contacts with two visits gain 20, the two with one visit 10.
    expect(diffs.map((r) => r.slice(1))).toEqual(expect.arrayContaining([['50', '70', '+20'], ['20', '40', '+20'], ['10', '20', '+10']]));
    expect(diffs.map((r) => r[3])).toEqual(['+20', '+20', '+20', '+20', '+10', '+10']);
    // Side by side: live as the report on the Reports page, the draft with Eve and Fay moved up to Warm.
    const live = await tableRows(tab, '[data-side="live"] table.conversion tbody tr');
    expect(live.filter((r) => r[1] !== '0')).toEqual([
      ['Cold', '2', '0', '0 %', '×0.0'], ['Warm', '2', '1', '50 %', '×1.0'], ['Hot', '2', '2', '100 %', '×2.0'],
    ]);
    const draft = await tableRows(tab, '[data-side="draft"] table.conversion tbody tr');
    expect(draft.filter((r) => r[1] !== '0')).toEqual([['Warm', '4', '1', '25 %', '×0.5'], ['Hot', '2', '2', '100 %', '×2.0']]);

    // Every contact's two scores as CSV: a header and six rows.
    const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download CSV' }).click()]);
    const lines = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(7);
    expect(lines.find((l) => l.includes('ann'))).toMatch(/50.*70/);

    // The real contacts were not touched: the live model still gives Ann 50.
    expect((await s.api('/contacts/ann')).fields.score).toBe(50);

    await tab.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tab.mouse.move(640, 780);
    await tab.screenshot({ path: 'docs/backtest.png' });
    await tab.close();
  });

  it('opens a map draft on real history from the map editor', async () => {
    const page = s.page;
    // The model page before holds an unsaved draft: leaving it is confirmed.
    page.once('dialog', (d) => void d.accept());
    const decayLoop = JSON.parse(readFileSync(new URL('../scenarios/decay-loop-move-here.json', import.meta.url), 'utf8')).maps[0];
    const mapId = (await s.api('/maps/import', decayLoop)).map.id as string;
    await s.open(`/maps/${mapId}`);
    await page.getByRole('button', { name: 'Versions' }).waitFor();
    await page.getByLabel('Map name').fill('Decay loop, tried');
    const [tab] = await Promise.all([
      s.context.waitForEvent('page'),
      page.getByRole('button', { name: 'Try on real history' }).click(),
    ]);
    tab.setDefaultTimeout(STEP_TIMEOUT);
    // The unsaved name came along: the draft as the editor held it.
    await tab.getByText('Map “Decay loop, tried”, the draft as it was in the editor').waitFor();
    await tab.getByRole('button', { name: 'Run' }).waitFor();
    expect(await tab.getByLabel('Scoring model').count()).toBe(0);
    await tab.close();
  });
});

