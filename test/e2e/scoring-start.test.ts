import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * Issue 19 item 14 in a browser: a new user starts from the recommended scoring model in one
 * click (the empty page names no file of the repository), and the new-model dialog warns when the
 * field chosen is already written by a map or another model.
 */
describe.runIf(hasChromium)('starting with scoring models', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('starts from the recommended model in one click', async () => {
    await s.open('/scoring');
    const empty = s.page.locator('.empty', { hasText: 'No scoring models yet' });
    await empty.waitFor();
    expect(await empty.innerText()).not.toMatch(/maps\/|\.json/);
    await empty.getByRole('button', { name: 'Start from the recommended model' }).click();
    await expect.poll(() => s.page.url()).toContain('#/scoring/recommended');
    await s.page.getByRole('heading', { name: 'Recommended lead score' }).waitFor();
    expect((await s.api('/scoring-models')).models).toHaveLength(1);
    expect((await s.api('/scoring-models/recommended')).name).toBe('Recommended lead score');
  });

  it('warns in the new-model dialog when the chosen field is used by a map or written by a model', async () => {
    await s.api('/fields', { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 });
    await s.api('/maps', { name: 'Lead scoring', elements: [
      { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'add5' },
      { id: 'add5', kind: 'update_field', label: 'Add 5', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'end' },
      { id: 'end', kind: 'end' },
    ] });
    await s.open('/scoring');
    await s.page.getByRole('button', { name: 'New model' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'New scoring model' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Engagement');
    const warning = dialog.getByRole('status');
    const writes = dialog.getByRole('combobox');
    await writes.selectOption('custom_lead_score');
    await warning.getByText('Custom Lead Score is already used by the map "Lead scoring" ("Add 5")').waitFor();
    await s.screenshot('scoring-new-model-warning');
    await writes.selectOption('score');
    await warning.getByText('Score is already used by the scoring model "Recommended lead score"').waitFor();
    await writes.selectOption('');
    await warning.waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Create and open' }).click();
    await expect.poll(() => s.page.url()).toContain('#/scoring/engagement');
  });

  it('offers "New field…" in a condition rule\'s field list: the field is made and tested', async () => {
    await s.page.getByRole('button', { name: '+ Add a rule' }).click();
    await s.page.getByLabel('Label of rule 1').fill('Is a partner');
    await s.page.getByLabel('Kind of rule Is a partner').selectOption('if');
    const subject = s.page.getByLabel('What to test');
    await subject.selectOption({ label: 'New field…' });
    const dialog = s.page.getByRole('dialog', { name: 'New field' });
    await dialog.getByLabel('Label').fill('Partner');
    await dialog.getByLabel('Type').selectOption('boolean');
    await dialog.getByRole('button', { name: 'Create field' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => subject.inputValue()).toBe('field:partner');
    expect((await s.api('/fields')).fields.find((f: { key: string }) => f.key === 'partner')).toMatchObject({ label: 'Partner', type: 'boolean' });
  });
});
