/**
 * Issue 19, items 4, 11 and 12 in a browser: a saved draft of a published map says it is not live
 * (toolbar, maps list, versions) and the publish dialog says what changes, with Publish off when
 * nothing does; contacts on a removed element go to the nearest kept element unless the user
 * chooses, never off the map silently; the versions sit beside the inspector, and a problem clicked
 * puts the cursor in its setting.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, STEP_TIMEOUT, type Session } from './harness.js';

const decayLoop = JSON.parse(readFileSync(new URL('../scenarios/decay-loop-move-here.json', import.meta.url), 'utf8')).maps[0];

/**
 * Two doors: a click waits at `hold`, then at `after`; a form waits at `solo`, then ends. `spare`
 * reads the same as `after` ("Wait 1 day"): only the id tells them apart.
 */
const relocationMap = {
  name: 'Relocation',
  elements: [
    { id: 'clicked', kind: 'trigger', on: { type: 'event', event: 'email_link_clicked' }, next: 'hold', position: { x: 0, y: 0 } },
    { id: 'hold', kind: 'wait', for: { days: 3 }, next: 'after', position: { x: 0, y: 140 } },
    { id: 'after', kind: 'wait', for: { days: 1 }, next: 'done', position: { x: 0, y: 280 } },
    { id: 'done', kind: 'end', position: { x: 0, y: 420 } },
    { id: 'form', kind: 'trigger', on: { type: 'event', event: 'form_submitted' }, next: 'solo', position: { x: 320, y: 0 } },
    { id: 'solo', kind: 'wait', for: { days: 2 }, next: 'solo_end', position: { x: 320, y: 140 } },
    { id: 'solo_end', kind: 'end', position: { x: 320, y: 280 } },
    { id: 'other', kind: 'trigger', on: { type: 'event', event: 'demo_requested' }, next: 'spare', position: { x: 640, y: 0 } },
    { id: 'spare', kind: 'wait', for: { days: 1 }, next: 'done', position: { x: 640, y: 140 } },
  ],
};

describe.runIf(hasChromium)('publish state, relocation and versions in the editor', () => {
  let s: Session;
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const badge = () => s.page.locator('.editor-toolbar .badge.unpublished');
  const publishButton = () => s.page.getByRole('button', { name: 'Publish', exact: true });
  const saved = () => s.page.locator('.save-state', { hasText: 'All changes saved' }).waitFor();
  const inspector = () => s.page.locator('.editor-right > .inspector');
  async function select(id: string) {
    await node(id).locator('.el-title').click();
    await expect.poll(() => node(id).getAttribute('class')).toContain('selected');
  }

  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('says "Unpublished changes" for a saved draft of a published map, lists them when publishing, and has nothing to publish after', async () => {
    const id = (await s.api('/maps', decayLoop)).map.id;
    await s.api(`/maps/${id}/publish`, {});
    await s.open(`/maps/${id}`);
    await node('wait').waitFor();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v1' }).waitFor();
    // Laid out on open (the map has no positions): still the running version, nothing to publish.
    await expect.poll(() => s.page.locator('.publish-wrap').getAttribute('title')).toMatch(/Nothing to publish: the draft is the same as version 1/);
    expect(await publishButton().isDisabled()).toBe(true);
    expect(await badge().count()).toBe(0);

    await select('wait');
    const label = inspector().getByLabel('Label');
    await label.fill('Wait a day');
    await label.press('Enter');
    await s.page.keyboard.press('Control+s');
    await saved();
    await badge().waitFor();
    expect(await badge().innerText()).toBe('Unpublished changes');
    expect(await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v1' }).count()).toBe(1);
    expect(await publishButton().isEnabled()).toBe(true);

    // The versions say it too, above version 1.
    await s.page.getByRole('button', { name: 'Versions' }).click();
    const drawer = s.page.getByRole('complementary', { name: 'Versions' });
    await drawer.locator('li.draft-line', { hasText: 'Unpublished changes' }).waitFor();
    await drawer.getByRole('button', { name: 'Close versions' }).click();

    // And the maps list, from the server.
    await s.page.locator('nav a', { hasText: 'Maps' }).click();
    const row = s.page.locator('table.maps tr', { hasText: decayLoop.name });
    await row.locator('.badge', { hasText: 'Unpublished changes' }).waitFor();
    expect((await s.api('/maps')).maps.find((m: { id: string }) => m.id === id).unpublishedChanges).toBe(true);
    await s.screenshot('publish-state-maps-list');
    await row.getByRole('link', { name: decayLoop.name }).click();
    await badge().waitFor();

    await publishButton().click();
    const dialog = s.page.getByRole('dialog', { name: 'Publish version 2' });
    const changes = dialog.getByRole('region', { name: 'What changes since version 1' });
    await changes.waitFor();
    expect(await changes.innerText()).toMatch(/Changed 1 element\s+Wait a day \(wait\): label/);
    await s.screenshot('publish-state-dialog');
    await dialog.getByRole('button', { name: 'Publish version 2' }).click();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v2' }).waitFor();
    await expect.poll(() => badge().count()).toBe(0);
    await expect.poll(() => publishButton().isDisabled()).toBe(true);
    expect(await s.page.locator('.publish-wrap').getAttribute('title')).toMatch(/Nothing to publish: the draft is the same as version 2/);

    // The mark follows the draft as it is edited, saved or not: undoing back to version 2 clears it.
    await select('wait');
    await inspector().getByLabel('Label').fill('Wait one day');
    await inspector().getByLabel('Label').press('Enter');
    await badge().waitFor();
    await s.page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
    await s.page.keyboard.press('Control+z');
    await expect.poll(() => badge().count()).toBe(0);
    await expect.poll(() => publishButton().isDisabled()).toBe(true);
  });

  it('moves contacts on a removed element to the nearest kept one by default, names targets by id and words, and makes the user choose when none is left', async () => {
    const id = (await s.api('/maps', relocationMap)).map.id;
    await s.api(`/maps/${id}/publish`, {});
    await s.api('/events', [
      { id: 'c1', contact: { email: 'ann@example.com' }, type: 'email_link_clicked' },
      { id: 'f1', contact: { email: 'bob@example.com' }, type: 'form_submitted' },
    ]);
    await expect.poll(async () => (await s.api(`/maps/${id}/stats`)).elements.hold.hereNow, { timeout: STEP_TIMEOUT }).toBe(1);
    expect((await s.api(`/maps/${id}/stats`)).elements.solo.hereNow).toBe(1);
    // The draft drops `hold` (clicks go straight to `after`) and the whole form branch.
    const { map } = await s.api(`/maps/${id}`);
    const gone = new Set(['hold', 'form', 'solo', 'solo_end']);
    const elements = map.doc.elements.filter((e: { id: string }) => !gone.has(e.id))
      .map((e: { id: string }) => (e.id === 'clicked' ? { ...e, next: 'after' } : e));
    await s.api(`/maps/${id}`, { rev: map.rev, map: { ...map.doc, elements } }, 'PUT');

    await s.open(`/maps/${id}`);
    await node('after').waitFor();
    await publishButton().click();
    const dialog = s.page.getByRole('dialog', { name: 'Publish version 2' });
    const fromHold = dialog.getByLabel('Where the contacts at hold (Wait 3 days) go');
    const fromSolo = dialog.getByLabel('Where the contacts at solo (Wait 2 days) go');
    await fromHold.waitFor();
    // The nearest element after `hold` that version 2 keeps is `after`: chosen already.
    expect(await fromHold.inputValue()).toBe('after');
    const options = await fromHold.locator('option').allInnerTexts();
    expect(options).toEqual(expect.arrayContaining(['after (Wait 1 day)', 'spare (Wait 1 day)', 'done (Leave the map)', 'Take them off the map']));
    // Nothing after `solo` is kept: no silent default, Publish waits for a choice.
    expect(await fromSolo.inputValue()).toBe('');
    const publish = dialog.getByRole('button', { name: 'Publish version 2' });
    expect(await publish.isDisabled()).toBe(true);
    expect(await dialog.innerText()).toContain('Choose where the contacts at solo (Wait 2 days) go.');
    await s.screenshot('publish-state-relocation');
    await fromSolo.selectOption({ label: 'spare (Wait 1 day)' });
    await expect.poll(() => publish.isEnabled()).toBe(true);
    await publish.click();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v2' }).waitFor();

    const stats = (await s.api(`/maps/${id}/stats`)).elements;
    expect(stats.after.hereNow).toBe(1);
    expect(stats.spare.hereNow).toBe(1);
  });

  it('opens the versions above the inspector, and a problem clicked puts the cursor in its setting', async () => {
    const id = (await s.api('/maps', decayLoop)).map.id;
    await s.api(`/maps/${id}/publish`, {});
    const { map } = await s.api(`/maps/${id}`);
    const broken = map.doc.elements.map((e: { id: string }) => (e.id === 'add5' ? { ...e, value: '[Custom Lead Score] +' } : e));
    await s.api(`/maps/${id}`, { rev: map.rev, map: { ...map.doc, elements: broken } }, 'PUT');

    await s.open(`/maps/${id}`);
    await node('add5').waitFor();
    await s.page.getByRole('button', { name: 'Versions' }).click();
    const drawer = s.page.getByRole('complementary', { name: 'Versions' });
    await drawer.getByText('Version 1').waitFor();
    await s.screenshot('publish-state-versions-open');

    await s.page.locator('.problems-panel .problem-link').first().click();
    await expect.poll(() => node('add5').getAttribute('class')).toContain('selected');
    const value = inspector().getByLabel('New value');
    await value.waitFor();
    // Focused, and drawn where it can be clicked: not under the drawer.
    await expect.poll(() => value.evaluate((el) => el === document.activeElement)).toBe(true);
    const box = (await value.boundingBox())!;
    expect(await value.evaluate((el, [x, y]) => el.contains(document.elementFromPoint(x, y)), [box.x + box.width / 2, box.y + box.height / 2])).toBe(true);
    expect(await drawer.isVisible()).toBe(true);
    await s.screenshot('publish-state-versions-inspector');

    await s.page.keyboard.press('End');
    await s.page.keyboard.type(' 5');
    await s.page.keyboard.press('Tab');
    await s.page.getByText('No problems').waitFor();
    expect(await drawer.isVisible()).toBe(true);
  });
});
