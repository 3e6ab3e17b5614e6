import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session, settled as viewSettled } from './harness.js';
import { recipeMap } from './recipe-map.js';

type Box = { x: number; y: number; width: number; height: number };
const meets = (a: Box, b: Box) => a.x < b.x + b.width && a.x + a.width > b.x && a.y < b.y + b.height && a.y + a.height > b.y;

/**
 * Issue 19, items 6–10, on the 17-element recipe map at 1280×800: a readable first view, the flow
 * of editing (insert below the selection, drop on a connection, never under the minimap, paste,
 * Shift+click), edits applied as you type, jumps drawn around elements, and titles in words.
 */
describe.runIf(hasChromium)('the map editor with the 17-element recipe map', () => {
  let s: Session;
  let mapId: string;
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const edge = (source: string, path: string) => s.page.locator(`[data-testid="rf__edge-${source}:${path}"]`);
  const readMap = async () => (await s.api(`/maps/${mapId}`)).map;
  const zoom = async () => {
    const style = (await s.page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
    return Number(/scale\(([\d.]+)\)/.exec(style)?.[1]);
  };
  /** The view stopped moving (fit-view animations): see the harness's `settled`. */
  const settled = () => viewSettled(s.page);
  /** A spot of bare canvas, to drag the view from. */
  const bareSpot = () => s.page.locator('.react-flow__pane').evaluate((p) => {
    const r = p.getBoundingClientRect();
    for (let y = r.top + r.height / 2; y > r.top; y -= 17) {
      for (let x = r.left + 60; x < r.right - 60; x += 23) if (document.elementFromPoint(x, y) === p) return { x, y };
    }
    throw new Error('no bare canvas');
  });
  /** Drags the view by (dx, dy) from a bare spot, as a person pans. */
  async function pan(dx: number, dy: number) {
    const from = await bareSpot();
    await s.page.mouse.move(from.x, from.y);
    await s.page.mouse.down();
    await s.page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 4 });
    await s.page.mouse.move(from.x + dx, from.y + dy, { steps: 4 });
    await s.page.mouse.up();
    await settled();
  }
  /** Pans until the element is well inside the canvas, then clicks its head. */
  async function click(id: string, modifiers: ('Shift' | 'Control')[] = []) {
    for (let i = 0; i < 6; i++) {
      const b = await box(node(id));
      const c = await box(s.page.locator('.react-flow__pane'));
      const dx = c.x + c.width / 2 - (b.x + b.width / 2);
      const dy = c.y + c.height / 3 - (b.y + b.height / 2);
      if (Math.abs(dx) < c.width / 2 - b.width && Math.abs(dy) < c.height / 3) break;
      await pan(Math.max(-250, Math.min(250, dx)), Math.max(-200, Math.min(200, dy)));
    }
    await node(id).locator('.el-kind').click({ modifiers });
  }
  const selected = async () => s.page.locator('.react-flow__node.selected').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id')).sort());
  const box = async (l: Locator) => (await l.boundingBox())!;
  /** Screen points along an edge's drawn line. */
  const pointsOf = (source: string, path: string) => edge(source, path).locator('path.react-flow__edge-path').evaluate((p: SVGPathElement) => {
    const m = p.getScreenCTM()!;
    const total = p.getTotalLength();
    const out: { x: number; y: number }[] = [];
    for (let i = 0; i <= 200; i++) {
      const q = p.getPointAtLength((total * i) / 200);
      out.push({ x: m.a * q.x + m.c * q.y + m.e, y: m.b * q.x + m.d * q.y + m.f });
    }
    return out;
  });

  beforeAll(async () => {
    s = await startSession();
    mapId = (await s.api('/maps', recipeMap())).map.id;
    await s.api(`/maps/${mapId}/publish`, {});
    // Counts for the performance view: three contacts entered, one of them twice.
    await s.api('/events', { id: 'r1', contact: { email: 'ann@example.com' }, type: 'email_link_clicked' });
    await s.api('/events', { id: 'r2', contact: { email: 'bob@example.com' }, type: 'demo_requested' });
    await s.api('/events', { id: 'r3', contact: { email: 'cat@example.com' }, type: 'page_visited', props: { url: '/pricing' } });
    await s.api('/events', { id: 'r4', contact: { email: 'ann@example.com' }, type: 'form_submitted' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens readable: no fit below 80 %, titles of 11 px, the empty inspector folded away; counts stay readable zoomed out', async () => {
    await s.open(`/maps/${mapId}`);
    await node('decay').waitFor();
    expect(await s.page.locator('.react-flow__node').count()).toBe(17);
    await settled();
    expect(await zoom()).toBeGreaterThanOrEqual(0.8);
    // Titles on screen: the font's size times the zoom.
    const title = await node('add_click').locator('.el-title').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    expect(title * (await zoom())).toBeGreaterThanOrEqual(11);
    // The triggers' row is in view from the top.
    const pane = await box(s.page.locator('.editor-canvas'));
    expect((await box(node('clicked'))).y).toBeGreaterThanOrEqual(pane.y);
    // Nothing selected: the inspector is a strip and the canvas has the width.
    expect((await box(s.page.locator('.editor-right'))).width).toBeLessThan(60);
    expect(pane.width).toBeGreaterThan(1000);

    await s.page.getByRole('button', { name: 'Performance' }).click();
    await expect.poll(() => node('wait').innerText()).toContain('3 now');
    await settled();
    await s.page.screenshot({ path: 'docs/map-editor-recipe.png' });

    // Zoomed far out, the counts keep a readable size on screen (the numbers, their words in the tooltip).
    for (let i = 0; i < 8; i++) await s.page.getByRole('button', { name: 'Zoom Out' }).click();
    await settled();
    expect(await zoom()).toBeLessThan(0.4);
    const badge = node('wait').locator('.badge.here');
    await expect.poll(async () => (await box(badge)).height).toBeGreaterThanOrEqual(14);
    expect(await badge.getAttribute('title')).toContain('3 contacts at this element now');
    await s.screenshot('map-editor-recipe-zoomed-out');
    // Fit View comes back to a readable scale, not to the whole map at 46 %.
    await s.page.getByRole('button', { name: 'Fit View' }).click();
    await settled();
    expect(await zoom()).toBeGreaterThanOrEqual(0.8);
    await s.page.getByRole('button', { name: 'Performance' }).click();
  });

  it('draws a go-to\'s jump around the elements in its way', async () => {
    await edge('back_to_wait', 'target').waitFor({ state: 'attached' });
    const others = await Promise.all(['done', 'reset', 'cap', 'decay', 'add_demo'].map((id) => box(node(id))));
    const points = await pointsOf('back_to_wait', 'target');
    for (const p of points) for (const b of others) expect(meets({ x: p.x, y: p.y, width: 0.5, height: 0.5 }, b), `jump crosses an element at ${p.x},${p.y}`).toBe(false);
  });

  it('applies label and condition edits as you type: the node and "Unsaved changes" follow at once', async () => {
    await click('pricing');
    const label = s.page.getByLabel('Label', { exact: true });
    await label.fill('Visited pricing');
    // No blur, no Enter: the focus is still in the input.
    await expect.poll(() => node('pricing').locator('.el-title').innerText()).toBe('Visited pricing');
    expect(await s.page.locator('.save-state').innerText()).toBe('Unsaved changes');
    expect(await label.evaluate((e) => e === document.activeElement)).toBe(true);

    const value = s.page.getByRole('group', { name: 'Test' }).getByLabel('Value');
    await value.fill('/pricing-page');
    await expect.poll(() => node('pricing').innerText()).toContain('/pricing-page');
    // One burst of typing is one undo step per setting: two undos bring back the saved map.
    await s.page.locator('.react-flow__pane').click({ position: { x: 10, y: 10 } });
    await s.page.keyboard.press('Control+z');
    await s.page.keyboard.press('Control+z');
    await s.page.locator('.save-state', { hasText: 'All changes saved' }).waitFor();
    expect(await node('pricing').locator('.el-title').innerText()).toBe('Visited the pricing page');
  });

  it('clicking a kind in the palette puts it into the flow below the selection, wired, and moves what followed down', async () => {
    await click('add_click');
    await s.page.locator('.palette-item[data-kind="wait"]').click();
    await node('wait-2').waitFor();
    // Without a label, an element is named by what it does, never by its id.
    expect(await node('wait-2').locator('.el-title').innerText()).toBe('Wait 1 day');
    expect(await node('wait-2').innerText()).not.toContain('wait-2');
    await expect.poll(async () => (await s.page.evaluate(() => document.querySelector('.save-state')?.textContent))).toBe('Unsaved changes');
    await edge('add_click', 'next').waitFor({ state: 'attached' });
    await edge('wait-2', 'next').waitFor({ state: 'attached' });
    expect(await edge('add_click', 'next').getAttribute('aria-label')).toMatch(/to Wait 1 day$/);
    expect(await edge('wait-2', 'next').getAttribute('aria-label')).toMatch(/to Wait 1 day$/);
    // What followed moved down: the new element covers nothing.
    // (Measured once the moves have rendered: React Flow places the nodes a frame after the store changes.)
    for (const id of ['wait', 'done', 'back_to_wait', 'decay']) {
      await expect.poll(async () => meets(await box(node('wait-2')), await box(node(id))), { message: id }).toBe(false);
    }
    await s.page.keyboard.press('Control+s');
    await s.page.locator('.save-state', { hasText: 'All changes saved' }).waitFor();
    const { doc } = await readMap();
    const byId = new Map(doc.elements.map((e: { id: string }) => [e.id, e]));
    expect(byId.get('add_click')).toMatchObject({ next: 'wait-2' });
    expect(byId.get('wait-2')).toMatchObject({ kind: 'wait', next: 'wait' });
    expect(byId.get('add_pricing')).toMatchObject({ next: 'wait' });
  });

  it('dropping a kind on a connection puts it into the flow there', async () => {
    await s.page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } }); // nothing selected: the canvas has the width
    await s.page.getByRole('button', { name: 'Fit View' }).click();
    await settled();
    const path = edge('demo', 'next').locator('path.react-flow__edge-path');
    await path.waitFor({ state: 'attached' });
    const mid = await path.evaluate((p: SVGPathElement) => {
      const m = p.getScreenCTM()!;
      const q = p.getPointAtLength(p.getTotalLength() / 2);
      return { x: m.a * q.x + m.c * q.y + m.e, y: m.b * q.x + m.d * q.y + m.f };
    });
    const pane = await box(s.page.locator('.react-flow__pane'));
    await s.page.dragAndDrop('.palette-item[data-kind="update_field"]', '.react-flow__pane', { targetPosition: { x: mid.x - pane.x, y: mid.y - pane.y } });
    await node('update-1').waitFor();
    await edge('update-1', 'next').waitFor({ state: 'attached' });
    expect(await edge('update-1', 'next').getAttribute('aria-label')).toMatch(/to Add 20 points$/);
    expect(await edge('demo', 'next').getAttribute('aria-label')).not.toMatch(/to Add 20 points$/);
    // Put in where it was let go, it pushed what followed down instead of covering it.
    expect(meets(await box(node('update-1')), await box(node('add_demo')))).toBe(false);
    await s.page.keyboard.press('Control+z');
    await expect.poll(() => node('update-1').count()).toBe(0);
  });

  it('never puts a new element under the minimap', async () => {
    await click('done');
    const minimap = await box(s.page.locator('.react-flow__minimap'));
    // Pan so that "below the selection" is inside the canvas but where the minimap is: the new
    // element's left edge left of the minimap, its top above the minimap's bottom.
    // A drag on a loaded machine can come up a few pixels short (CI saw 18): pan again by what is left.
    for (let i = 0; i < 4; i++) {
      const from = await box(node('done'));
      const dx = minimap.x - 60 - from.x;
      const dy = minimap.y + minimap.height / 2 - 45 - (from.y + from.height);
      if (Math.abs(dx) < 4 && Math.abs(dy) < 4) break;
      await pan(dx, dy);
    }
    const moved = await box(node('done'));
    expect(moved.x + moved.width).toBeGreaterThan(minimap.x);
    expect(moved.y + moved.height + 45 + 84 * 0.8).toBeGreaterThan(minimap.y);
    // A correcting pan of a few pixels can count as a click on the canvas, which clears the
    // selection (seen on a loaded machine): select "done" again where it now is, without panning.
    if ((await selected()).join() !== 'done') await node('done').locator('.el-kind').click();
    expect(await selected()).toEqual(['done']);
    await s.page.locator('.palette-item[data-kind="end"]').click();
    await node('end-1').waitFor();
    await settled();
    const added = await box(node('end-1'));
    const canvas = await box(s.page.locator('.editor-canvas'));
    expect(meets(added, await box(s.page.locator('.react-flow__minimap')))).toBe(false);
    expect(meets(added, await box(s.page.locator('.react-flow__controls')))).toBe(false);
    expect(added.x).toBeGreaterThanOrEqual(canvas.x);
    expect(added.x + added.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(added.y + added.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    await s.page.keyboard.press('Control+z');
    await expect.poll(() => node('end-1').count()).toBe(0);
    await s.page.getByRole('button', { name: 'Fit View' }).click();
    await settled();
  });

  it('Shift+click selects several, the inspector says so, and a plain click on one of them selects it alone', async () => {
    await click('add_click');
    await click('add_form', ['Shift']);
    await expect.poll(selected).toEqual(['add_click', 'add_form']);
    const inspector = s.page.locator('.editor-right');
    await inspector.getByRole('heading', { name: '2 elements selected' }).waitFor();
    expect(await inspector.innerText()).toContain('Add 5 points');
    await click('add_click');
    await expect.poll(selected).toEqual(['add_click']);
    await inspector.getByLabel('Label', { exact: true }).waitFor();
  });

  it('pastes a go-to still jumping to its target when the target is on the map', async () => {
    await click('loop');
    await s.page.keyboard.press('Control+c');
    await s.page.keyboard.press('Control+v');
    await node('goto-1').waitFor();
    await edge('goto-1', 'target').waitFor({ state: 'attached' });
    expect(await node('goto-1').innerText()).toContain('Back to the wait');
    await s.page.keyboard.press('Control+z');
    await expect.poll(() => node('goto-1').count()).toBe(0);
  });
});
