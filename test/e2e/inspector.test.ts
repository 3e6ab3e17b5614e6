import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, SCREENSHOTS, startSession, type Session } from './harness.js';

const capAt100 = JSON.parse(readFileSync(new URL('../scenarios/cap-at-100.json', import.meta.url), 'utf8')).maps[0];
/** The cap map, plus a condition and an end so every kind has an element to inspect. */
const map = {
  ...capAt100,
  elements: [
    ...capAt100.elements,
    { id: 'hot', kind: 'condition', label: 'Hot lead?', if: { any: [{ field: 'custom_lead_score', op: 'gte', value: 70 }, { field: 'tags', op: 'has_tag', value: 'customer' }] }, then: 'done' },
    { id: 'done', kind: 'end' },
  ],
};

describe.runIf(hasChromium)('the inspector in a browser', () => {
  let s: Session;
  let mapId: string;
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const inspector = () => s.page.locator('section.inspector');
  /** Shoots the side panel alone, to look at the inspector as a user sees it. */
  async function shoot(name: string) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await s.page.locator('.editor-right').screenshot({ path: `${SCREENSHOTS}${name}.png` });
  }
  /** Selects by keyboard (focus and Enter): the element may be out of view at a readable zoom. */
  async function select(id: string, kind: string) {
    await node(id).focus();
    await s.page.keyboard.press('Enter');
    await inspector().getByRole('heading', { name: kind }).waitFor();
  }

  beforeAll(async () => {
    s = await startSession();
    mapId = (await s.api('/maps', map)).map.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('says what to do when nothing is selected', async () => {
    await s.open(`/maps/${mapId}`);
    await node('wait').waitFor();
    await s.page.getByText('Select an element to configure it').waitFor();
  });

  it('sets a wait to 2 days through the duration input', async () => {
    await select('wait', 'Wait');
    expect(await inspector().getByLabel('For a duration').isChecked()).toBe(true);
    await inspector().getByLabel('How long', { exact: true }).fill('2');
    await inspector().getByLabel('How long: unit').selectOption('days');
    await expect.poll(() => node('wait').innerText()).toContain('Wait 2 days');
    await inspector().getByText('Wait 2 days').waitFor(); // the one line under the kind
    await shoot('inspector-wait');

    // Until a condition: the builder, a timeout and where to go after it.
    await inspector().getByLabel('Until a condition holds').check();
    await inspector().getByRole('group', { name: 'Until' }).first().waitFor();
    await inspector().getByLabel('Give up after', { exact: true }).fill('3');
    await inspector().getByLabel('After the timeout, go to').waitFor();
    await shoot('inspector-wait-condition');
    await inspector().getByLabel('For a duration').check();
    await inspector().getByLabel('How long', { exact: true }).fill('2');
    await expect.poll(() => node('wait').innerText()).toContain('Wait 2 days');
  });

  it('shows a broken expression inline, with a caret under the character, and its type once fixed', async () => {
    await select('add30', 'Update field');
    const value = inspector().getByLabel('New value');
    await value.fill('[Custom Lead Score] +');
    expect(await value.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await value.getAttribute('aria-describedby'))!.split(' ')[0];
    const status = s.page.locator(`[id="${describedBy}"]`);
    expect(await status.innerText()).toContain('Expected a value after "+" at character 21');
    const caret = await status.locator('pre.insp-caret').innerText();
    const [text, marks] = caret.split('\n');
    expect(text).toBe('[Custom Lead Score] +');
    expect(text[marks.indexOf('^')]).toBe('+');
    await expect.poll(() => node('add30').locator('.el-node').getAttribute('class')).toContain('has-errors');
    await shoot('inspector-update-field-error');

    // Insert a field at the cursor from the menu, by keyboard.
    await value.press('End');
    await inspector().getByRole('button', { name: 'Insert field' }).click();
    await s.page.keyboard.type('custom lead');
    await s.page.keyboard.press('Enter');
    await expect.poll(() => value.inputValue()).toBe('[Custom Lead Score] + [Custom Lead Score]');
    expect(await value.getAttribute('aria-invalid')).toBe('false');
    await inspector().getByText('Gives a number').waitFor();
    await value.fill('[Custom Lead Score] + 30');
    await expect.poll(() => node('add30').locator('.el-node').getAttribute('class')).not.toContain('has-errors');
  });

  it('applies a label as you type, and Escape puts back the one from before', async () => {
    await select('decay', 'Update field');
    const label = inspector().getByLabel('Label');
    const before = await label.inputValue();
    await label.fill('Take 3 points');
    await expect.poll(() => node('decay').innerText()).toContain('Take 3 points');
    await label.press('Escape');
    await expect.poll(() => label.inputValue()).toBe(before);
    expect(await node('decay').innerText()).not.toContain('Take 3 points');
    await label.fill('Take 2 points');
    await label.press('Enter');
    await expect.poll(() => node('decay').innerText()).toContain('Take 2 points');
  });

  it('edits a trigger: type, condition and what happens when the contact is already on the map', async () => {
    await select('over', 'Trigger');
    expect(await inspector().getByLabel('Starts when').inputValue()).toBe('field_updated');
    const ops = await inspector().getByLabel('Comparison').locator('option').allInnerTexts();
    expect(ops).toContain('crosses above'); // a field_updated trigger may test crossings
    expect(ops).not.toContain('has tag'); // a number field has no tags
    expect(await inspector().getByLabel('Start again here').isChecked()).toBe(true);
    await inspector().getByText('In words:').waitFor();
    await shoot('inspector-trigger-field-updated');

    await select('clicked', 'Trigger');
    expect(await inspector().getByLabel('Event', { exact: true }).inputValue()).toBe('email_link_clicked');
    await inspector().getByText('Carries url (text).').waitFor();
    await inspector().getByRole('button', { name: '+ Add a test' }).click();
    await inspector().getByLabel('Field or event prop').selectOption('prop:url');
    await inspector().getByLabel('Comparison').selectOption('contains');
    const v = inspector().getByLabel('Value');
    await v.fill('/pricing');
    await v.press('Enter');
    await inspector().getByText('url contains "/pricing"').first().waitFor();
    await shoot('inspector-trigger-event');

    // A date field's value is picked as a day.
    await inspector().getByLabel('Field or event prop').selectOption('last_activity_at');
    await inspector().getByLabel('Comparison').selectOption('lt');
    await inspector().getByLabel('Date (UTC)').fill('2026-03-01');
    await inspector().getByText(/2026-03-01/).first().waitFor();
    expect(await inspector().getByLabel('Date (UTC)').getAttribute('type')).toBe('date');
    await shoot('inspector-date-test');
  });

  it('shows a condition with its Yes and No targets, a go-to and an end', async () => {
    await select('hot', 'Condition');
    await inspector().getByText('Yes').waitFor();
    expect(await inspector().locator('.insp-outlets').innerText()).toMatch(/Yes\s+Leave the map/);
    expect(await inspector().locator('.insp-outlets').innerText()).toMatch(/No\s+Not connected/);
    await shoot('inspector-condition');

    await select('back', 'Go to');
    const target = inspector().getByLabel('Continue at');
    expect(await target.inputValue()).toBe('wait');
    const options = await target.locator('option').allInnerTexts();
    expect(options).not.toContain('Score reached 100'); // never a trigger
    await shoot('inspector-goto');

    await select('done', 'End');
    await inspector().getByText('leaves the map').waitFor();
    await shoot('inspector-end');
  });

  it('reads well in the dark theme', async () => {
    await s.page.emulateMedia({ colorScheme: 'dark' });
    await select('over', 'Trigger');
    await shoot('inspector-trigger-dark');
    await select('add30', 'Update field');
    await inspector().getByLabel('New value').fill('max(0, [Custom Lead Score] -');
    await shoot('inspector-update-field-error-dark');
    await s.page.emulateMedia({ colorScheme: 'light' });
  });
});
