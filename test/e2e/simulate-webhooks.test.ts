import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

const read = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const recommended = read('../../maps/recommended-scoring.json');
const template = read('../../maps/notify-sales-hot-lead.json');
const scenario = read('../scenarios/templates/notify-sales-hot-lead.json');

const pairs = (o: Record<string, unknown> = {}) => Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(', ');

/**
 * The template's scenario as the Simulate page keeps it, without its expectations: those are what
 * the test adds through the page. (Typing thirteen rows of contacts and events would prove nothing
 * about expectations.)
 */
function draftOf(mapId: string, modelId: string) {
  return {
    start: new Date(scenario.start).toISOString(), until: new Date(scenario.until).toISOString(),
    maps: [{ id: mapId }], models: [modelId],
    contacts: scenario.contacts.map((c: { id: string; fields: Record<string, unknown> }) => {
      const { email, ...rest } = c.fields;
      return { id: c.id, email, fields: pairs(rest) };
    }),
    events: scenario.events.map((e: { contact: { id: string }; type: string; at: string; props?: Record<string, unknown> }) => (
      { contact: e.contact.id, type: e.type, at: new Date(e.at).toISOString(), props: pairs(e.props) })),
    expect: [],
    chartField: 'score',
  };
}

/**
 * "Webhooks sent" expectations on the Simulate page (SPEC §7, §10): added in the expectations
 * table with the maps' webhook elements to pick from by label, run, and reported in words.
 */
describe.runIf(hasChromium)('webhook expectations on the Simulate page', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    await s.api('/scoring-models', recommended);
    const { map } = await s.api('/templates/notify-sales-hot-lead/import', {});
    // The draft is in place before the page's scripts run: set after the page loaded, the page's own
    // saving of its draft (on every change, some after its lists load) could write over it.
    await s.page.addInitScript((d) => {
      if (sessionStorage.getItem('scoremap.test.draft-set')) return;
      localStorage.setItem('scoremap.simulate.scenario', JSON.stringify(d));
      sessionStorage.setItem('scoremap.test.draft-set', '1');
    }, draftOf(map.id, recommended.id));
    await s.open('/simulate');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('adds a count of webhooks from a picked element, sees it met, then fail in words once the count is wrong', async () => {
    await s.page.reload();
    await s.page.getByRole('heading', { name: 'Simulate' }).waitFor();
    await expect.poll(() => s.page.getByRole('checkbox', { name: template.name }).isChecked()).toBe(true);

    await s.page.getByRole('button', { name: '+ Expect webhooks sent' }).click();
    const element = s.page.getByLabel('Webhook element of expectation 1');
    // The picker offers the chosen map's webhook element by its label, once the map has loaded.
    await element.locator('option', { hasText: 'Tell sales in Slack' }).waitFor({ state: 'attached' });
    await element.selectOption({ label: 'Webhooks from “Tell sales in Slack”' });
    await s.page.getByLabel('Contact of expectation 1').selectOption('ann');
    // Noon on Jan 2 in the browser's zone: after ann's first crossing of 75 (Jan 1, 09:02 UTC), before her second (Jan 4).
    await s.page.getByLabel('Time of expectation 1').fill('2026-01-02T12:00');
    await s.page.getByLabel('Webhooks expected 1').fill('1');

    // A field expectation beside it keeps its own columns.
    await s.page.getByRole('button', { name: '+ Add an expectation' }).click();
    await s.page.getByLabel('Contact of expectation 2').selectOption('bob');
    await s.page.getByLabel('Expected value 2').fill('30.06');
    await s.page.getByLabel('Tolerance of expectation 2').fill('0.01');

    await s.page.getByRole('button', { name: 'Run the simulation' }).click();
    const check = s.page.locator('.expectations li.sim-webhook-check');
    await s.page.getByRole('heading', { name: 'Expectations: 2 of 2 pass' }).waitFor();
    expect(await s.page.locator('.expectations tbody tr').innerText()).toMatch(/^pass\s+bob\s+Jan [56], 2026.*\s+Score\s+30\.06 ± 0\.01\s+30\.06$/);
    expect(await check.innerText()).toMatch(/^pass\s+ann: 1 webhook from “Tell sales in Slack” by .+ \(day [23]\) — got 1 ✓$/);
    // The deliveries the run recorded, under the contact.
    const ann = s.page.locator('article.sim-contact', { hasText: 'ann@example.com' });
    await expect.poll(() => ann.locator('.sim-webhooks li').count()).toBe(2);
    expect(await ann.locator('.sim-webhooks li').first().innerText()).toContain('Tell sales in Slack → hooks.slack.com (Slack)');
    await s.page.locator('.sim-form fieldset', { hasText: 'Expectations' }).scrollIntoViewIfNeeded();
    await s.screenshot('simulate-webhooks-pass');

    await s.page.getByLabel('Webhooks expected 1').fill('2');
    await s.page.getByRole('button', { name: 'Run the simulation' }).click();
    await s.page.getByRole('heading', { name: 'Expectations: 1 of 2 pass' }).waitFor();
    expect(await check.innerText()).toMatch(/^fail\s+ann: 2 webhooks from “Tell sales in Slack” by .+ — got 1 ✗$/);
    await s.page.locator('.expectations').scrollIntoViewIfNeeded();
    await s.screenshot('simulate-webhooks-fail');
  });
});
