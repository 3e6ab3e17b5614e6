import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, settled, startSession, type Session } from './harness.js';

/**
 * The map editor's toolbar at 1280×800 (SPEC §8: readable at that size) in its most crowded state:
 * a published map with unpublished changes, for an editor (every action shown).
 */
type Box = { x: number; y: number; width: number; height: number };
const within = (a: Box, b: Box) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;

describe.runIf(hasChromium)('the map toolbar at 1280×800, and narrower', () => {
  let s: Session;
  let mapId: string;
  beforeAll(async () => {
    s = await startSession({ viewport: { width: 1280, height: 800 } });
    mapId = (await s.api('/templates/custom-lead-score/import', {})).map.id;
    await s.api(`/maps/${mapId}/publish`, {});
    const { map } = await s.api(`/maps/${mapId}`);
    const doc = { ...map.doc, elements: map.doc.elements.map((e: { id: string }) => (e.id === 'add_click' ? { ...e, label: 'Add 6 points' } : e)) };
    await s.api(`/maps/${mapId}`, { rev: map.rev, map: doc }, 'PUT');
  });
  afterAll(async () => {
    await s?.close();
  });

  const toolbar = () => s.page.locator('header.editor-toolbar');
  const name = () => toolbar().getByRole('textbox', { name: 'Map name' });

  /** Every button and link of the toolbar: inside it and the window, its words not cut. */
  async function everyControlWhole(): Promise<string[]> {
    const bar = (await toolbar().boundingBox())!;
    const view = { x: 0, y: 0, ...s.page.viewportSize()! };
    const controls = await toolbar().locator('button, a').all();
    const names: string[] = [];
    for (const control of controls) {
      const label = (await control.getAttribute('aria-label')) ?? (await control.innerText());
      names.push(label);
      const box = (await control.boundingBox())!;
      expect(box, `${label} is drawn`).not.toBeNull();
      expect(within(box, bar), `${label} is inside the toolbar`).toBe(true);
      expect(within(box, view), `${label} is inside the window`).toBe(true);
      expect(await control.evaluate((c) => c.scrollWidth <= c.clientWidth), `${label}: its words are not cut`).toBe(true);
    }
    return names;
  }

  it('shows every control whole and the map name in full', async () => {
    await s.open(`/maps/${mapId}`);
    await toolbar().locator('.badge.unpublished', { hasText: 'Unpublished changes' }).waitFor();
    await toolbar().getByText('Published · v1').waitFor();
    await toolbar().getByText('All changes saved').waitFor();
    await s.page.locator('.react-flow__node[data-id="wait"]').waitFor();
    await settled(s.page);

    const names = await everyControlWhole();
    expect(names).toEqual(['Undo', 'Redo', 'Copy', 'Paste', 'Auto-layout', 'Performance', 'Help: The map editor',
      'Try on real history', 'Versions', 'Pause', 'Save', 'Publish']);
    // The name in full: nothing scrolled out of its box, so no tooltip needed to read it.
    expect(await name().inputValue()).toBe('Custom Lead Score');
    expect(await name().evaluate((i: HTMLInputElement) => i.scrollWidth <= i.clientWidth)).toBe(true);
    expect(await name().getAttribute('title')).toBeNull();
    await s.screenshot('map-toolbar-1280');
  });

  it('in a narrower window, puts the name on a row of its own and keeps every control and the main bar whole', async () => {
    const nav = s.page.getByRole('navigation', { name: 'Main' });
    for (const width of [1024, 800]) {
      await s.page.setViewportSize({ width, height: 768 });
      await settled(s.page);
      await everyControlWhole();
      expect(await name().evaluate((i: HTMLInputElement) => i.scrollWidth <= i.clientWidth), `the name in full at ${width} px`).toBe(true);
      const bar = (await nav.boundingBox())!;
      expect(bar.height, `the main bar stays one line at ${width} px`).toBeLessThan(60);
      const view = { x: 0, y: 0, ...s.page.viewportSize()! };
      for (const item of [nav.getByRole('link', { name: 'Docs' }), nav.getByRole('link', { name: 'API' }), nav.locator('.account-button')]) {
        const box = (await item.boundingBox())!;
        expect(within(box, view), `${await item.innerText()} inside the window at ${width} px`).toBe(true);
        expect(within(box, bar), `${await item.innerText()} on one line inside the bar at ${width} px`).toBe(true);
        expect(await item.evaluate((c) => c.scrollWidth <= c.clientWidth), `${await item.innerText()}: its words are not cut`).toBe(true);
      }
    }
    await s.screenshot('map-toolbar-800');
    // The pages' links that do not fit scroll into view, and work.
    const settings = nav.getByRole('link', { name: 'Settings' });
    await settings.scrollIntoViewIfNeeded();
    expect(within((await settings.boundingBox())!, (await nav.locator('.nav-pages').boundingBox())!)).toBe(true);
    await settings.click();
    await s.page.waitForURL(/\/settings/);
    await s.page.setViewportSize({ width: 1280, height: 800 });
    await s.open(`/maps/${mapId}`);
    await s.page.locator('.react-flow__node[data-id="wait"]').waitFor();
  });

  it('cuts a name too long for the room with an ellipsis, whole in its tooltip, and keeps every control', async () => {
    const long = 'Custom Lead Score for the enterprise accounts of the northern region, with the webinar programme';
    await name().fill(long);
    await toolbar().getByText('Unsaved changes').waitFor();
    await expect.poll(() => name().getAttribute('title')).toBe(long);
    expect(await name().evaluate((i: HTMLInputElement) => i.scrollWidth > i.clientWidth)).toBe(true);
    await everyControlWhole();
    await name().fill('Custom Lead Score');
    await expect.poll(() => name().getAttribute('title')).toBeNull();
  });
});
