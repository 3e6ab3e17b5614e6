import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/** The first steps of Ontraport's "Custom Lead Scoring Automation": a click adds 5 to a custom score. */
const leadScoreMap = (name: string) => ({
  name,
  elements: [
    { id: 'clicked', kind: 'trigger', label: 'Clicked a link', on: { type: 'event', event: 'email_link_clicked' }, next: 'add5', position: { x: 0, y: 0 } },
    { id: 'add5', kind: 'update_field', label: 'Add 5', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'end', position: { x: 0, y: 160 } },
    { id: 'end', kind: 'end', position: { x: 0, y: 320 } },
  ],
});

/**
 * Issue 19 items 1 and 2 in a browser: a new user makes the custom field the recipe starts with in
 * Settings → Fields (or with "New field…" in any field picker), renames it, sets its decimals and
 * default, is told where it is used when a type change cannot be made, and exports a map that
 * declares the fields it uses.
 */
describe.runIf(hasChromium)('the Fields page and "New field…"', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });
  const row = (label: string) => s.page.locator('table.fields tbody tr', { hasText: label });
  const field = async (key: string) => (await s.api('/fields')).fields.find((f: { key: string }) => f.key === key);

  it('creates a custom field in Settings → Fields', async () => {
    await s.open('/settings/fields');
    await s.page.getByText('No custom fields yet').waitFor();
    await row('Last activity').waitFor(); // the built-in ones are listed for reference, without Edit
    expect(await row('Last activity').getByRole('button').count()).toBe(0);
    await s.page.getByRole('button', { name: 'New field' }).first().click();
    const dialog = s.page.getByRole('dialog', { name: 'New field' });
    await dialog.getByLabel('Label').fill('Custom Lead Score');
    expect(await dialog.getByLabel('Key').inputValue()).toBe('custom_lead_score');
    await dialog.getByLabel('Decimals').selectOption('3');
    await dialog.getByLabel('Default').fill('0');
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await s.page.getByRole('status').getByText('The field "Custom Lead Score" was created').waitFor();
    await row('Custom Lead Score').waitFor();
    expect(await row('Custom Lead Score').locator('td').allInnerTexts()).toEqual(['Custom Lead Score', 'custom_lead_score', 'Number', '3', '0', 'Edit']);
    expect(await field('custom_lead_score')).toMatchObject({ label: 'Custom Lead Score', type: 'number', decimals: 3, default: 0 });

    // A label in use is refused in words, and nothing is made.
    await s.page.getByRole('button', { name: 'New field' }).first().click();
    await dialog.getByLabel('Label').fill('custom lead score');
    await dialog.getByLabel('Key').fill('other_score');
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await dialog.getByRole('alert').getByText('already used by the field "custom_lead_score"').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await field('other_score')).toBeUndefined();
  });

  it('renames the label and sets decimals and the default; a type change is refused while a map uses the field, saying where', async () => {
    const map = (await s.api('/maps', leadScoreMap('Lead scoring'))).map;
    await s.api(`/maps/${map.id}/publish`, {});
    await s.page.reload();
    await row('Custom Lead Score').getByRole('button', { name: 'Edit Custom Lead Score' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Edit Custom Lead Score' });
    await dialog.getByLabel('Type').selectOption('text');
    await dialog.getByText('The type can change only while').waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').getByText('cannot become a text field while it is in use: the map "Lead scoring" uses it (element "Add 5")').waitFor();
    expect(await field('custom_lead_score')).toMatchObject({ type: 'number' });

    await dialog.getByLabel('Type').selectOption('number');
    await dialog.getByLabel('Label').fill('Lead Score');
    await dialog.getByText('Expressions that say [Custom Lead Score] keep working').waitFor();
    await dialog.getByLabel('Decimals').selectOption('2');
    await dialog.getByLabel('Default').fill('10');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await s.page.getByRole('status').getByText('The field "Lead Score" was saved').waitFor();
    expect(await row('Lead Score').locator('td').allInnerTexts()).toEqual(['Lead Score\nFormerly “Custom Lead Score”', 'custom_lead_score', 'Number', '2', '10', 'Edit']);
    expect(await field('custom_lead_score')).toMatchObject({ label: 'Lead Score', decimals: 2, default: 10, formerLabels: ['Custom Lead Score'] });
    // The running map still finds the field by its former label.
    await s.api('/events', { contact: { email: 'ann@example.com' }, type: 'email_link_clicked' });
    const list = await s.api('/contacts');
    expect(list.contacts[0].fields.custom_lead_score).toBe(15);
  });

  it('exports a map with every custom field it uses declared (fields made in the UI too)', async () => {
    await s.open('/maps');
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByRole('button', { name: 'Export Lead scoring' }).click()]);
    const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(file.fields).toEqual([{ key: 'custom_lead_score', label: 'Lead Score', type: 'number', decimals: 2, default: 10 }]);
  });

  it('offers "New field…" in a map element\'s field picker: the field is made and picked, and the map has no problem', async () => {
    await s.api('/fields', { key: 'plan', label: 'Plan', type: 'text' });
    await s.open('/settings/fields');
    await row('Plan').waitFor();
    await s.screenshot('fields-page');
    await s.page.screenshot({ path: 'docs/fields-page.png' });

    const map = (await s.api('/maps', { name: 'Engagement', elements: [
      { id: 'opened', kind: 'trigger', label: 'Opened an email', on: { type: 'event', event: 'email_opened' }, next: 'add', position: { x: 0, y: 0 } },
      { id: 'add', kind: 'update_field', label: 'Add a point', field: 'score', value: '1', next: 'end', position: { x: 0, y: 160 } },
      { id: 'end', kind: 'end', position: { x: 0, y: 320 } },
    ] })).map;
    await s.open(`/maps/${map.id}`);
    await s.page.locator('.react-flow__node[data-id="add"] .el-title').click();
    const inspector = s.page.locator('section.inspector');
    const picker = inspector.getByLabel('Field to update');
    expect(await picker.locator('option', { hasText: 'Engagement points' }).count()).toBe(0);
    await picker.selectOption({ label: 'New field…' });
    const dialog = s.page.getByRole('dialog', { name: 'New field' });
    await dialog.getByLabel('Label').fill('Engagement points');
    await dialog.getByLabel('Decimals').selectOption('1');
    await s.screenshot('fields-new-from-picker');
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => picker.inputValue()).toBe('engagement_points');
    expect(await field('engagement_points')).toMatchObject({ type: 'number', decimals: 1 });
    // The expression can name it at once: the editor's checks know the new field.
    await inspector.getByLabel('New value').fill('[Engagement points] + 1.5');
    await expect.poll(() => s.page.locator('.react-flow__node[data-id="add"]').innerText()).toContain('Engagement points');
    expect(await s.page.getByText('Unknown field').count()).toBe(0);

    // "Insert field" in an expression makes one too, named as typed in its search, and inserts it.
    await inspector.getByRole('button', { name: 'Insert field' }).click();
    await inspector.getByLabel('Find a field').fill('Bonus points');
    await inspector.getByLabel('Find a field').press('Enter');
    const made = s.page.getByRole('dialog', { name: 'New field' });
    expect(await made.getByLabel('Label').inputValue()).toBe('Bonus points');
    await made.getByRole('button', { name: 'Create field' }).click();
    await made.waitFor({ state: 'detached' });
    await expect.poll(() => inspector.getByLabel('New value').inputValue()).toContain('[Bonus points]');
    expect(await field('bonus_points')).toMatchObject({ type: 'number' });
    expect(await s.page.getByText('Unknown field').count()).toBe(0);
  });

});
