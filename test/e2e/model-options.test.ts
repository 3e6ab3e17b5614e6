import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * Scoring models "all the way" in a browser (SPEC §9): a marketer gives a rule a limit, a window
 * and an expiry, keeps fit points out of decay, makes a rule that sets the score, and picks a
 * degradation that waits for inactivity — all in words, mistakes explained beside the rule — then
 * reads on a contact's page where their score comes from, and chooses which events are not activity.
 */
describe.runIf(hasChromium)('scoring model options and the score breakdown', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession({ now: '2026-01-05T09:00:00Z' });
  });
  afterAll(async () => {
    await s?.close();
  });
  const rule = (n: number) => s.page.locator('table.rules tbody.rule').nth(n);
  const save = async () => s.page.getByRole('button', { name: 'Save', exact: true }).click();

  it('makes a model with a limited, expiring rule, a fit rule, a rule that sets the score and inactivity degradation', async () => {
    await s.open('/scoring');
    await s.page.getByRole('button', { name: 'New model' }).first().click();
    const dialog = s.page.getByRole('dialog', { name: 'New scoring model' });
    await dialog.getByLabel('Name', { exact: true }).fill('Engagement');
    await dialog.getByRole('button', { name: 'Create and open' }).click();
    await expect.poll(() => s.page.url()).toContain('#/scoring/engagement');

    // An event rule with a limit per day and points that expire, said in words under it.
    await s.page.getByRole('button', { name: '+ Add a rule' }).click();
    await s.page.getByLabel('Label of rule 1').fill('Visited pricing');
    await s.page.getByLabel('Event of rule Visited pricing').selectOption('page_visited');
    await s.page.getByLabel('Points of rule Visited pricing').fill('5');
    await rule(0).getByText('Gives +5 each time, no limit').waitFor();
    await rule(0).getByRole('button', { name: 'Options…' }).click();
    await s.page.getByLabel('At most, times, rule Visited pricing').fill('3');
    await s.page.getByLabel('Per, rule Visited pricing', { exact: true }).fill('1');
    await s.page.getByLabel('Points expire after, rule Visited pricing', { exact: true }).fill('90');
    await rule(0).getByText('Gives +5 · At most 3 times per 1 day · Points expire after 90 days').waitFor();

    // A condition rule: fit points that never decay; it has no event options to offer.
    await s.page.getByRole('button', { name: '+ Add a rule' }).click();
    await s.page.getByLabel('Label of rule 2').fill('CEO');
    await s.page.getByLabel('Kind of rule CEO').selectOption('if');
    await s.page.getByLabel('Points of rule CEO').fill('10');
    await s.page.getByLabel('Decays, rule CEO').uncheck();
    await rule(1).getByText('Gives +10 · Fit points: never decay').waitFor();
    expect(await rule(1).getByRole('button', { name: 'Options…' }).count()).toBe(0);
    // A condition the server refuses (no such field): its problem is said beside the rule.
    await rule(1).getByRole('button', { name: 'edit as JSON' }).click();
    const condition = rule(1).getByRole('textbox', { name: /JSON/ });
    await condition.fill('{ "field": "shoe_size", "op": "gt", "value": 40 }');

    // An event rule that sets the score: repeats and expiry do not apply, so they are not offered.
    await s.page.getByRole('button', { name: '+ Add a rule' }).click();
    await s.page.getByLabel('Label of rule 3').fill('Unsubscribed');
    await s.page.getByLabel('Event of rule Unsubscribed').selectOption('email_unsubscribed');
    await s.page.getByLabel('Gives or sets, rule Unsubscribed').selectOption('set');
    await s.page.getByLabel('Score set by rule Unsubscribed').fill('0');
    await rule(2).getByText('Sets the score to 0 each time').waitFor();
    await rule(2).getByRole('button', { name: 'Options…' }).click();
    await rule(2).getByText('A rule that sets the score has no repeats and no expiry').waitFor();
    expect(await s.page.getByLabel('Repeats give, multiplier, rule Unsubscribed').count()).toBe(0);
    expect(await s.page.getByLabel('Points expire after, rule Unsubscribed', { exact: true }).count()).toBe(0);

    // Degradation once a contact goes quiet, in the words the models list will use too.
    await s.page.getByLabel('Degradation', { exact: true }).selectOption({ label: 'A percentage every N days of inactivity' });
    await s.page.getByLabel('Degradation, percent').fill('10');
    await s.page.getByLabel('Degradation, every how many days').fill('30');
    await s.page.getByLabel('Degradation, after how many days without activity').fill('14');
    const words = '10 % every 30 days once a contact has been inactive for 14 days';
    expect(await s.page.getByLabel('Degradation in words').innerText()).toBe(`${words}.`);
    await s.page.getByText('Applied at midnight (UTC) to the points that decay; any activity starts the count again. Fit points (rules that never decay) are kept whole.').waitFor();
    await s.page.locator('main.page').evaluate((el) => el.scrollTo(0, 0));
    await s.screenshot('model-options-degradation');

    // The server's problem lands beside its rule; nothing is saved.
    await save();
    const ceoProblems = s.page.getByRole('list', { name: 'What to fix in rule CEO' });
    expect(await ceoProblems.innerText()).toMatch(/shoe_size/);
    expect((await s.api('/scoring-models/engagement')).rules).toEqual([]);
    await condition.fill('{ "field": "job_title", "op": "contains", "value": "CEO" }');

    // A window left without its limit is explained beside the rule before anything is sent.
    await s.page.getByLabel('At most, times, rule Visited pricing').fill('');
    await save();
    await s.page.getByRole('list', { name: 'What to fix in rule Visited pricing' })
      .getByText('The window "per 1 day" counts for "At most" or "Repeats give": set one of them, or clear the window.').waitFor();
    expect((await s.api('/scoring-models/engagement')).rules).toEqual([]);
    await s.page.getByLabel('At most, times, rule Visited pricing').fill('3');

    await save();
    await s.page.getByText(/^Saved\./).waitFor();
    const model = await s.api('/scoring-models/engagement');
    expect(model.rules).toEqual([
      { id: 'rule-1', label: 'Visited pricing', when: { event: 'page_visited' }, points: 5, maxTimes: 3, per: { days: 1 }, expiresAfter: { days: 90 } },
      { id: 'rule-2', label: 'CEO', when: { if: { field: 'job_title', op: 'contains', value: 'CEO' } }, points: 10, decays: false },
      { id: 'rule-3', label: 'Unsubscribed', when: { event: 'email_unsubscribed' }, set: 0 },
    ]);
    expect(model.degradation).toEqual({ percent: 10, every: { days: 30 }, whenInactiveFor: { days: 14 } });
    expect(await s.page.getByRole('list', { name: /^What to fix/ }).count()).toBe(0);

    // Read back after a reload: the options are shown as saved.
    await s.page.reload();
    await rule(0).getByText('Gives +5 · At most 3 times per 1 day · Points expire after 90 days').waitFor();
    await rule(1).getByText('Gives +10 · Fit points: never decay').waitFor();
    expect(await s.page.getByLabel('Decays, rule CEO').isChecked()).toBe(false);
    expect(await s.page.getByLabel('Decays, rule Visited pricing').isChecked()).toBe(true);
    await rule(0).getByRole('button', { name: 'Options…' }).click();
    expect(await s.page.getByLabel('At most, times, rule Visited pricing').inputValue()).toBe('3');
    expect(await s.page.getByLabel('Points expire after, rule Visited pricing', { exact: true }).inputValue()).toBe('90');
    // The rules card under the app's bar (the app scrolls inside itself), the pointer out of the way.
    await s.page.locator('main.page').evaluate((main) => {
      const card = main.querySelector('.rules-card')!;
      main.scrollTop += card.getBoundingClientRect().top - main.getBoundingClientRect().top - 16;
    });
    await s.page.mouse.move(1275, 795);
    await s.page.screenshot({ path: 'docs/model-options.png' });

    await s.open('/scoring');
    await s.page.locator('tbody tr', { hasText: 'Engagement' }).getByText(words).waitFor();
  });

  it('shows on the contact page where the score comes from', async () => {
    await s.api('/contacts', { id: 'ann', fields: { email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee', job_title: 'CEO' } });
    // Four pricing visits in a day: the limit lets three of them count.
    await s.api('/events', [1, 2, 3, 4].map((i) => ({ id: `v${i}`, contact: { id: 'ann' }, type: 'page_visited', props: { url: '/pricing' } })));
    await s.api('/clock/advance', { ms: 60 * 60_000 });
    const answer = await s.api('/contacts/ann/scores');
    const engagement = answer.models.find((m: { modelId: string }) => m.modelId === 'engagement');
    expect(engagement.score).toBe(25);
    expect(engagement.text).toMatch(/^25 = /);

    await s.open('/contacts/ann');
    const card = s.page.getByRole('region', { name: 'Where the score comes from' });
    expect(await card.getByLabel('Engagement in one line').innerText()).toBe(engagement.text);
    const lines = card.getByRole('table', { name: 'Engagement: points by source' });
    const visits = lines.locator('tbody tr', { hasText: 'Visited pricing' });
    expect(await visits.locator('td').allInnerTexts()).toEqual(['Visited pricing', '×3', '+15', '+15', expect.stringMatching(/^expires (Apr 5|5 Apr)$/)]);
    const ceo = lines.locator('tbody tr', { hasText: 'CEO' });
    expect((await ceo.locator('td').allInnerTexts()).slice(0, 4)).toEqual(['CEO', '', '+10', '+10']);
    await ceo.getByText('never decays').waitFor();
    expect(await lines.locator('tfoot td.total').innerText()).toBe('25');
    await card.scrollIntoViewIfNeeded();
    await s.page.screenshot({ path: 'docs/score-breakdown.png' });
  });

  it('lists the events that do not count as activity, and saves a change', async () => {
    await s.open('/settings/activity');
    const list = s.page.getByRole('list', { name: 'Events that do not count as activity' });
    await list.getByText('email bounced').waitFor();
    expect(await list.locator('li > span').allInnerTexts()).toEqual(['email bounced', 'email marked spam', 'email unsubscribed']);
    await s.page.getByText('These never postpone an inactivity reset or decay', { exact: false }).waitFor();

    await s.page.getByRole('button', { name: 'Remove email marked spam' }).click();
    await s.page.getByLabel('Add an event type').selectOption('appointment_missed');
    await s.page.getByRole('button', { name: 'Add', exact: true }).click();
    // A type of the user's own, checked as they type.
    await s.page.getByLabel('Add an event type').selectOption({ label: 'Your own type…' });
    await s.page.getByLabel('Event type', { exact: true }).fill('Webinar Declined');
    await s.page.getByText('"Webinar Declined" is not an event type').waitFor();
    expect(await s.page.getByRole('button', { name: 'Add', exact: true }).isDisabled()).toBe(true);
    await s.page.getByLabel('Event type', { exact: true }).fill('webinar_declined');
    await s.page.getByRole('button', { name: 'Add', exact: true }).click();
    await s.page.getByRole('button', { name: 'Save', exact: true }).click();
    await s.page.getByRole('status').getByText('Saved: events from now on are counted this way.').waitFor();
    expect(await s.api('/settings/activity')).toEqual({ notActivity: ['appointment_missed', 'email_bounced', 'email_unsubscribed', 'webinar_declined'] });

    await s.page.reload();
    await list.getByText('webinar declined').waitFor();
    expect(await list.locator('li > span').allInnerTexts()).toEqual(['appointment missed', 'email bounced', 'email unsubscribed', 'webinar declined']);
    expect(await s.page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
  });
});
