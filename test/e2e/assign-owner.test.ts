import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, SCREENSHOTS, startSession, type Session } from './harness.js';
import { mkdirSync } from 'node:fs';

const map = {
  name: 'Share new leads',
  elements: [
    { id: 'new', kind: 'trigger', label: 'New contact', on: { type: 'contact_created' }, next: 'done', position: { x: 0, y: 0 } },
    { id: 'done', kind: 'end', label: 'End', position: { x: 0, y: 320 } },
  ],
};

/**
 * The assign_owner element in the editor (SPEC §12 round robin): added from the palette, its
 * people typed one a line in the inspector (stored lower-cased), drawn with its words, and checked:
 * what is not an email is named beside the list.
 */
describe.runIf(hasChromium)('the assign_owner element in a browser', () => {
  let s: Session;
  let mapId: string;
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const inspector = () => s.page.locator('section.inspector');

  beforeAll(async () => {
    s = await startSession();
    mapId = (await s.api('/maps', map)).map.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('takes its people one a line, lower-cased, and names what is not an email', async () => {
    await s.open(`/maps/${mapId}`);
    await node('new').locator('.el-title').click();
    const item = s.page.locator('.palette-item[data-kind="assign_owner"]');
    expect(await item.innerText()).toContain('Assign owner');
    await item.click();
    await node('assign-1').waitFor();
    await inspector().getByRole('heading', { name: 'Assign owner' }).waitFor();
    const list = inspector().getByLabel('People who take turns');
    await list.fill('Ana@Acme.com\nben@acme.com\nnot an email');
    await list.blur();
    await inspector().getByText('"not an email" is not an email').waitFor();
    await list.fill('Ana@Acme.com\nben@acme.com\ncy@acme.com\ndee@acme.com');
    await list.blur();
    await node('assign-1').getByText('Owner in turn: ana@acme.com, ben@acme.com, cy@acme.com and 1 more').waitFor();
    expect(await list.inputValue()).toBe('ana@acme.com\nben@acme.com\ncy@acme.com\ndee@acme.com');
    await s.page.getByRole('button', { name: 'Save', exact: true }).click();
    await s.page.locator('.save-state', { hasText: 'All changes saved' }).waitFor();
    // The server holds the list as typed, lower-cased.
    await expect.poll(async () => ((await s.api(`/maps/${mapId}`)).map.doc.elements as { id: string }[]).find((e) => e.id === 'assign-1'))
      .toMatchObject({ kind: 'assign_owner', owners: ['ana@acme.com', 'ben@acme.com', 'cy@acme.com', 'dee@acme.com'] });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await s.page.screenshot({ path: `${SCREENSHOTS}assign-owner.png` });
  });
});
