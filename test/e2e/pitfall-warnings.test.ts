import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

const FIELDS = [{ key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 3 }];

/** The recipe as a new user first builds it: it runs, but not as meant. */
const pitfalls = {
  name: 'Custom Lead Score',
  fields: FIELDS,
  elements: [
    { id: 'visited', kind: 'trigger', label: 'Visited a page', on: { type: 'event', event: 'page_visit' }, ifOnMap: 'move_here', next: 'add5', position: { x: 0, y: 0 } },
    { id: 'quiet', kind: 'trigger', label: 'Quiet for 30 days', on: { type: 'field_updated', field: 'last_activity_at', where: { field: 'last_activity_at', op: 'on_or_before_days_ago', value: 30 } }, next: 'reset', position: { x: 400, y: 0 } },
    { id: 'reset', kind: 'update_field', label: 'Reset', field: 'custom_lead_score', value: '0', next: 'wait', position: { x: 400, y: 150 } },
    { id: 'add5', kind: 'update_field', label: 'Add 5', field: 'custom_lead_score', value: '[Custom Lead Score] + 5', next: 'wait', position: { x: 0, y: 150 } },
    { id: 'wait', kind: 'wait', label: 'Wait a day', for: { days: 1 }, next: 'decay', position: { x: 200, y: 300 } },
    { id: 'decay', kind: 'update_field', label: 'Take 2', field: 'custom_lead_score', value: '[Custom Lead Score] - 2', next: 'loop', position: { x: 200, y: 450 } },
    { id: 'loop', kind: 'goto', label: 'Again', target: 'wait', position: { x: 200, y: 600 } },
  ],
};

describe.runIf(hasChromium)('pitfall warnings in the editor', () => {
  let s: Session;
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const inspector = () => s.page.locator('section.inspector');
  const panel = () => s.page.locator('.problems-panel');
  /** Selects an element through its warning in the problems list, as a person follows one. */
  async function follow(id: string, warning: RegExp) {
    if ((await panel().getAttribute('class'))?.includes('open') !== true) await panel().locator('.problems-head').click();
    await panel().getByRole('button', { name: warning }).first().click();
    await expect.poll(() => node(id).getAttribute('class')).toContain('selected');
  }

  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('marks each pitfall on its element and says what to do in the inspector', async () => {
    const id = (await s.api('/maps', pitfalls)).map.id;
    await s.open(`/maps/${id}`);
    for (const el of ['visited', 'quiet', 'decay']) await node(el).locator('.el-flag.warn').waitFor();
    expect(await node('add5').locator('.el-flag').count()).toBe(0);

    await s.page.locator('.problems-panel').getByText('4 warnings').waitFor();
    await follow('quiet', /Quiet for 30 days.*can't hold/);
    await inspector().getByText(/can't hold then and no one enters.*use the trigger "A date is reached": 30 days after Last activity/).waitFor();
    await inspector().getByText(/never leave it, so with "Stay where they are" this trigger never takes them again/).waitFor();

    await follow('visited', /did you mean page_visited/);
    await inspector().getByText('did you mean page_visited?', { exact: false }).waitFor();

    await follow('decay', /can take Custom Lead Score below 0/);
    await inspector().getByText('To stop at 0, write max(0, [Custom Lead Score] - 2)', { exact: false }).waitFor();
    await s.screenshot('pitfall-warnings');
  });

  it('says in the publish dialog that another published map already decays the field', async () => {
    const first = (await s.api('/maps', {
      name: 'Point decay',
      fields: FIELDS,
      elements: [
        { id: 'got', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, ifOnMap: 'move_here', next: 'wait' },
        { id: 'wait', kind: 'wait', label: 'Each day', for: { days: 1 }, next: 'decay' },
        { id: 'decay', kind: 'update_field', label: 'Minus 2', field: 'custom_lead_score', value: 'max(0, [Custom Lead Score] - 2)', next: 'loop' },
        { id: 'loop', kind: 'goto', target: 'wait' },
      ],
    })).map.id;
    await s.api(`/maps/${first}/publish`, {});
    const second = (await s.api('/maps', { ...pitfalls, name: 'Second score' })).map.id;
    await s.open(`/maps/${second}`);
    await node('decay').waitFor();
    await s.page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = s.page.getByRole('dialog');
    await dialog.getByText(/the map 'Point decay' \('Minus 2'\) also decays Custom Lead Score, so a contact on both loses points twice over/).waitFor();
    await s.screenshot('publish-shared-decay');
  });

  it('says "did you mean" under a scoring rule whose event is a slip of a known one', async () => {
    await s.api('/scoring-models', {
      id: 'slip', name: 'Slip', field: 'score',
      rules: [{ id: 'visit', label: 'Visited a page', when: { event: 'page_visit' }, points: 5 }, { id: 'click', label: 'Clicked', when: { event: 'email_link_clicked' }, points: 3 }],
    });
    await s.open('/scoring/slip');
    await s.page.getByText('"page_visit" is not an event Scoremap knows: did you mean page_visited?', { exact: false }).waitFor();
    expect(await s.page.locator('.rule-warn').count()).toBe(1);
  });
});
