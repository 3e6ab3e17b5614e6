import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * A challenger model in the editor (SPEC §11): a marketer ticks "Challenger" on a second model,
 * saves, and the page and the models list say "Challenger"; unticking promotes it.
 */
describe.runIf(hasChromium)('a challenger model in the model editor', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession({ now: '2026-01-05T09:00:00Z' });
    const model = (id: string, name: string, field: string) => ({
      id, name, field, fields: [{ key: field, label: name, type: 'number', decimals: 3 }],
      rules: [{ id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 5 }],
      brackets: [{ name: 'High', min: 50 }, { name: 'Low', min: 0 }],
    });
    await s.api('/scoring-models', model('lead', 'Lead score', 'lead_score'));
    await s.api('/scoring-models', model('lead-v2', 'Lead score v2', 'lead_score_v2'));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('ticks Challenger, saves, and sees it on the page and in the list; unticking promotes it', async () => {
    await s.open('/scoring/lead-v2');
    const box = s.page.getByRole('checkbox', { name: /Challenger/ });
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await s.page.getByRole('button', { name: 'Save', exact: true }).click();
    await s.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await s.api('/scoring-models/lead-v2')).shadow).toBe(true);
    await s.page.locator('.page-head .badge.challenger').getByText('Challenger').waitFor();
    await s.page.locator('main.page').evaluate((el) => el.scrollTo(0, 0));
    await s.screenshot('challenger-model');

    await s.open('/scoring');
    const row = (name: string) => s.page.getByRole('row').filter({ has: s.page.getByRole('link', { name }) });
    await row('Lead score v2').getByText('Challenger').waitFor();
    expect(await row('Lead score').filter({ hasNotText: 'v2' }).getByText('Challenger').count()).toBe(0);
    await s.screenshot('challenger-models-list');

    await s.open('/scoring/lead-v2');
    await s.page.getByRole('checkbox', { name: /Challenger/ }).uncheck();
    await s.page.getByRole('button', { name: 'Save', exact: true }).click();
    await s.page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await s.api('/scoring-models/lead-v2')).shadow).toBeUndefined();
    expect(await s.page.locator('.page-head .badge.challenger').count()).toBe(0);
  });
});
