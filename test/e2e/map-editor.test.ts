import { readFileSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, STEP_TIMEOUT, type Session, settled as viewSettled } from './harness.js';

const decayLoop = JSON.parse(readFileSync(new URL('../scenarios/decay-loop-move-here.json', import.meta.url), 'utf8')).maps[0];

/** A long chain without positions: trigger, then update / wait / condition in turn, 300 elements. */
function bigMap(n = 300) {
  const elements: Record<string, unknown>[] = [{ id: 'e0', kind: 'trigger', label: 'Visited the pricing page', on: { type: 'event', event: 'page_visited' }, next: 'e1' }];
  for (let i = 1; i < n - 1; i++) {
    const next = `e${i + 1}`;
    if (i % 3 === 1) elements.push({ id: `e${i}`, kind: 'update_field', field: 'score', value: `[Score] + ${i}`, next });
    else if (i % 3 === 2) elements.push({ id: `e${i}`, kind: 'wait', for: { hours: i }, next });
    else elements.push({ id: `e${i}`, kind: 'condition', if: { field: 'score', op: 'gt', value: i }, then: next, else: `end${i}` });
  }
  elements.push({ id: `e${n - 1}`, kind: 'end' });
  const ends = elements.filter((e) => e.kind === 'condition').map((e) => ({ id: e.else, kind: 'end' }));
  return { name: 'A very long map', elements: [...elements, ...ends] };
}

describe.runIf(hasChromium)('the map editor in a browser', () => {
  let s: Session;
  let mapId: string;
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const edge = (source: string, path: string) => s.page.locator(`[data-testid="rf__edge-${source}:${path}"]`);
  /** Waits for an edge to be drawn (a straight vertical one has no width, so "visible" does not apply). */
  const drawn = (source: string, path: string) => edge(source, path).waitFor({ state: 'attached' });
  const key = (combo: string) => s.page.keyboard.press(combo);
  const saved = () => s.page.locator('.save-state', { hasText: 'All changes saved' }).waitFor();
  const readMap = async () => (await s.api(`/maps/${mapId}`)).map;
  const publishButton = () => s.page.getByRole('button', { name: 'Publish', exact: true });

  async function center(l: Locator) {
    const b = (await l.boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }
  /** Drags from an outlet handle to the top of another element, as a person connects them. */
  async function connect(from: string, outlet: string, to: string) {
    const a = await center(node(from).locator(`.react-flow__handle[data-handleid="${outlet}"]`));
    const input = node(to).locator('.react-flow__handle[data-handleid="in"]');
    const b = await center((await input.count()) ? input : node(to)); // a trigger has no input: aim at its body
    await s.page.mouse.move(a.x, a.y);
    await s.page.mouse.down();
    await s.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await s.page.mouse.move(b.x, b.y, { steps: 5 });
    await s.page.mouse.up();
  }
  /** The view stopped moving (fit-view animations): see the harness's `settled`. */
  const settled = () => viewSettled(s.page);
  /** Fits the whole map in view, as the Controls' button does. */
  async function fit() {
    await s.page.getByRole('button', { name: 'Fit View' }).click();
    await settled();
  }
  async function select(id: string) {
    await node(id).locator('.el-title').click();
    await expect.poll(() => node(id).getAttribute('class')).toContain('selected');
  }

  beforeAll(async () => {
    s = await startSession();
    mapId = (await s.api('/maps', decayLoop)).map.id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens a map laid out from scratch and shows every element with its words', async () => {
    await s.open(`/maps/${mapId}`);
    await node('wait').waitFor();
    expect(await s.page.locator('.react-flow__node').count()).toBe(5);
    expect(await node('clicked').innerText()).toContain('When email link clicked');
    expect(await node('add5').innerText()).toContain('Custom Lead Score = [Custom Lead Score] + 5');
    expect(await node('decay').innerText()).toContain('max(0, [Custom Lead Score] - 2)');
    expect(await node('loop').innerText()).toContain('Go to Wait 1 day');
    // Four flow edges and the go-to's jump.
    for (const [src, path] of [['clicked', 'next'], ['add5', 'next'], ['wait', 'next'], ['decay', 'next'], ['loop', 'target']]) {
      await drawn(src, path);
    }
    // The trigger is laid out above everything else.
    const top = (id: string) => node(id).boundingBox().then((b) => b!.y);
    expect(await top('clicked')).toBeLessThan(await top('add5'));
    expect(await top('add5')).toBeLessThan(await top('wait'));
    await s.page.getByText('No problems').waitFor();
    expect(await publishButton().isEnabled()).toBe(true);
    await s.screenshot('map-editor-canvas');
  });

  it('adds a Wait dragged from the palette, connects it, sets 2 days in the inspector, saves, and keeps it after a reload', async () => {
    const pane = await s.page.locator('.react-flow__pane').boundingBox();
    await s.page.dragAndDrop('.palette-item[data-kind="wait"]', '.react-flow__pane', { targetPosition: { x: 110, y: pane!.height / 2 } });
    await node('wait-2').waitFor();
    // It arrives unconnected: unreachable, with nothing next.
    await expect.poll(() => node('wait-2').locator('.el-node').getAttribute('class')).toContain('has-errors');

    await connect('add5', 'next', 'wait-2'); // replaces add5 → wait
    await drawn('add5', 'next');
    await connect('wait-2', 'next', 'wait');
    await drawn('wait-2', 'next');
    await s.page.getByText('No problems').waitFor();

    await select('wait-2');
    const howLong = s.page.getByLabel('How long', { exact: true });
    await howLong.fill('2');
    await expect.poll(() => node('wait-2').innerText()).toContain('Wait 2 days');
    expect(await s.page.locator('.save-state').innerText()).toBe('Unsaved changes');

    await s.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } }); // focus off the input
    await key('Control+s');
    await saved();
    const { doc } = await readMap();
    expect(doc.elements.find((e: { id: string }) => e.id === 'wait-2')).toMatchObject({ kind: 'wait', for: { days: 2 }, next: 'wait' });
    expect(doc.elements.find((e: { id: string }) => e.id === 'add5')).toMatchObject({ next: 'wait-2' });

    await s.page.reload();
    await node('wait-2').waitFor();
    expect(await node('wait-2').innerText()).toContain('Wait 2 days');
    await drawn('add5', 'next');
    await drawn('wait-2', 'next');
  });

  it('refuses to connect into a trigger, and says why', async () => {
    await connect('decay', 'next', 'clicked');
    await s.page.getByText('Nothing leads into a trigger').waitFor();
    expect((await readMap()).doc.elements.find((e: { id: string }) => e.id === 'decay').next).toBe('loop');
    expect(await s.page.locator('.save-state').innerText()).toBe('All changes saved');
  });

  it('lays the map out again top to bottom, one undo step', async () => {
    const top = (id: string) => node(id).boundingBox().then((b) => b!.y);
    const left = (id: string) => node(id).boundingBox().then((b) => b!.x);
    expect(await left('wait-2')).toBeLessThan((await left('wait')) - 100); // where it was dropped
    await s.page.getByRole('button', { name: 'Auto-layout' }).click();
    await expect.poll(async () => Math.abs((await left('wait-2')) - (await left('wait')))).toBeLessThan(2);
    await settled();
    const order = ['clicked', 'add5', 'wait-2', 'wait', 'decay', 'loop'];
    const ys = await Promise.all(order.map(top));
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    await s.screenshot('map-editor-auto-layout');
    await key('Control+s');
    await saved();
  });

  it('marks an instant loop and disables Publish with the reason; undo takes it back', async () => {
    await connect('loop', 'target', 'decay'); // decay → loop → decay: no wait in between
    const problems = s.page.locator('.problems-panel');
    await problems.getByText(/Instant loop: .* never passes a Wait/).waitFor();
    expect(await publishButton().isDisabled()).toBe(true);
    expect(await s.page.locator('.publish-wrap').getAttribute('title')).toMatch(/Publishing is blocked.*Instant loop/);
    expect(await node('decay').locator('.el-node').getAttribute('class')).toContain('has-errors');
    expect(await node('loop').locator('.el-node').getAttribute('title')).toMatch(/Instant loop/);
    expect(await node('loop').innerText()).toContain('Go to Subtract 2 points');
    await s.screenshot('map-editor-instant-loop');

    // Clicking the problem selects the element it names.
    await problems.getByRole('button', { name: /Instant loop/ }).click();
    await expect.poll(() => node('decay').getAttribute('class')).toContain('selected');

    await key('Control+z');
    await expect.poll(() => node('loop').innerText()).toContain('Go to Wait 1 day');
    await s.page.getByText('No problems').waitFor();
    expect(await publishButton().isEnabled()).toBe(true);
  });

  it('deletes the selection with the Delete key, and undo brings it back with its connections', async () => {
    await fit();
    await select('decay');
    await key('Delete');
    await expect.poll(() => node('decay').count()).toBe(0);
    expect(await edge('wait', 'next').count()).toBe(0);
    await s.page.locator('.problems-panel').getByText(/is empty/).first().waitFor();
    await key('Control+z');
    await node('decay').waitFor();
    await drawn('wait', 'next');
    await drawn('decay', 'next');
    await s.page.getByText('No problems').waitFor();
    await saved(); // back to what the server has
  });

  it('copies and pastes elements with new ids, wired among themselves only', async () => {
    await select('wait');
    await node('decay').locator('.el-title').click({ modifiers: ['Control'] });
    await key('Control+c');
    await key('Control+v');
    await node('wait-3').waitFor();
    await node('update-1').waitFor();
    await drawn('wait-3', 'next'); // wait-3 → update-1, the copy of wait → decay
    expect(await edge('update-1', 'next').count()).toBe(0); // decay's "loop" was not copied
    await key('Control+z');
    await expect.poll(() => node('wait-3').count()).toBe(0);
    await saved();
  });

  it('publishes a valid map through the publish dialog', async () => {
    await publishButton().click();
    const dialog = s.page.getByRole('dialog', { name: 'Publish version 1' });
    await dialog.getByText('Its triggers start admitting contacts').waitFor();
    await dialog.getByRole('button', { name: 'Publish version 1' }).click();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v1' }).waitFor();
    expect(await readMap()).toMatchObject({ status: 'published', version: 1 });
  });

  it('shows counts in the performance view and moves contacts off a removed element when publishing', async () => {
    await s.api('/events', { id: 'e1', contact: { email: 'ann@example.com' }, type: 'email_link_clicked' });
    await fit();
    await s.page.getByRole('button', { name: 'Performance' }).click();
    await expect.poll(() => node('wait-2').innerText(), { timeout: STEP_TIMEOUT }).toContain('1 now');
    expect(await node('add5').innerText()).toContain('1 total');
    await fit(); // the badges make the elements taller
    await s.screenshot('map-editor-performance');

    await select('wait-2');
    await key('Delete');
    await s.page.locator('.problems-panel').getByText(/What happens next\?' is empty/).waitFor();
    expect(await publishButton().isDisabled()).toBe(true);
    await connect('add5', 'next', 'wait');
    await s.page.getByText('No problems').waitFor();

    await publishButton().click();
    const dialog = s.page.getByRole('dialog', { name: 'Publish version 2' });
    const where = dialog.getByLabel(/Where the contacts at wait-2/);
    await where.waitFor();
    expect(await dialog.innerText()).toContain('wait-2 (Wait 2 days)');
    // The nearest element after wait-2 that the draft keeps is chosen already; targets are named with their ids.
    expect(await where.inputValue()).toBe('wait');
    await where.selectOption({ label: 'Wait 1 day (wait)' });
    await s.screenshot('map-editor-publish-dialog');
    await dialog.getByRole('button', { name: 'Publish version 2' }).click();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v2' }).waitFor();
    const stats = await s.api(`/maps/${mapId}/stats`);
    expect(stats.elements.wait.hereNow).toBe(1);
    await expect.poll(() => node('wait').innerText(), { timeout: STEP_TIMEOUT }).toContain('1 now');
    await s.page.getByRole('button', { name: 'Performance' }).click();
  });

  it('pauses and resumes the running map', async () => {
    await s.page.getByRole('button', { name: 'Pause' }).click();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Paused · v2' }).waitFor();
    await s.page.getByRole('button', { name: 'Resume' }).click();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v2' }).waitFor();
  });

  it('lists versions, shows one read-only, and restores it into the draft', async () => {
    await s.page.getByRole('button', { name: 'Versions' }).click();
    const drawer = s.page.getByRole('complementary', { name: 'Versions' });
    await drawer.getByText('Version 2').waitFor();
    await s.screenshot('map-editor-versions');
    await drawer.locator('li', { hasText: 'Version 1' }).getByRole('button', { name: 'View' }).click();
    const view = s.page.getByRole('dialog', { name: 'Version 1 (read only)' });
    await view.locator('.react-flow__node[data-id="wait-2"]').waitFor();
    await s.screenshot('map-editor-version-view');
    await view.getByRole('button', { name: 'Restore this version' }).click();
    await node('wait-2').waitFor();
    await saved();
    expect((await readMap()).doc.elements.some((e: { id: string }) => e.id === 'wait-2')).toBe(true);
    // Undo brings back the draft from before the restore, as an unsaved change.
    await key('Control+z');
    await expect.poll(() => node('wait-2').count()).toBe(0);
    await key('Control+s');
    await saved();
  });

  it('offers Reload or Keep mine when someone else saved in between', async () => {
    const other = await readMap();
    await s.api(`/maps/${mapId}`, { rev: other.rev, map: { ...other.doc, description: 'Changed elsewhere' } }, 'PUT');
    const name = s.page.getByLabel('Map name');
    await name.fill('Custom Lead Score (mine)');
    await key('Control+s');
    await s.page.getByText('Someone else changed this map since you opened it').waitFor();
    await s.page.getByRole('button', { name: 'Keep mine' }).click();
    await saved();
    expect((await readMap()).name).toBe('Custom Lead Score (mine)');
  });

  it('shows a refused save in the server\'s words', async () => {
    await s.page.getByLabel('Map name').fill('');
    await key('Control+s');
    const banner = s.page.locator('.editor-banner.error');
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/name/i);
    await s.screenshot('map-editor-refused-save');
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await s.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await key('Control+z');
    await saved();
  });

  it('asks before leaving with unsaved changes', async () => {
    await s.page.getByLabel('Map name').fill('Not saved yet');
    let asked = '';
    s.page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await s.page.locator('nav a', { hasText: 'Maps' }).click();
    // The question comes with the hash change, after the click has returned.
    await expect.poll(() => asked).toContain('not saved');
    await expect.poll(() => s.page.url()).toContain(`#/maps/${mapId}`);
    await node('wait').waitFor();
    // The browser's Back button asks the same, and stays when told to.
    asked = '';
    s.page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await s.page.evaluate(() => history.back());
    await expect.poll(() => asked).toContain('not saved');
    await expect.poll(() => s.page.url()).toContain(`#/maps/${mapId}`);
    await node('wait').waitFor();
    await key('Control+z');
    await saved();
  });

  it('opens a 300-element map without positions, laid out, and pans it', async () => {
    const { map } = await s.api('/maps', bigMap());
    const started = Date.now();
    await s.open(`/maps/${map.id}`);
    // Laying out 300 elements is work that grows with them, and so does the time the opening may
    // take: one step's allowance and 100 ms an element, shared by the waits below. How long it took
    // is printed (the figure in docs/development/performance.md), not judged against a quiet machine's.
    const deadline = started + STEP_TIMEOUT + 300 * 100;
    const left = () => ({ timeout: Math.max(1, deadline - Date.now()) });
    await node('e150').waitFor({ state: 'attached', ...left() });
    await expect.poll(() => s.page.locator('.react-flow__node').count(), left()).toBe(300 + 99);
    const opened = Date.now() - started;
    await settled();
    await s.screenshot('map-editor-300');
    // Pan by dragging the background: the view follows the pointer, and frames are counted meanwhile.
    const translation = async () => {
      const style = (await s.page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
      const [, x, y] = /translate\((-?[\d.]+)px, ?(-?[\d.]+)px\)/.exec(style) ?? [];
      return { x: Number(x), y: Number(y) };
    };
    const before = await translation();
    const pane = (await s.page.locator('.react-flow__pane').boundingBox())!;
    const frames = s.page.evaluate(() => new Promise<number>((done) => {
      let n = 0;
      const start = performance.now();
      const tick = () => (performance.now() - start < 1000 ? (n++, requestAnimationFrame(tick)) : done(n));
      requestAnimationFrame(tick);
    }));
    await s.page.mouse.move(pane.x + pane.width / 2, pane.y + 40);
    await s.page.mouse.down();
    for (let i = 0; i < 20; i++) await s.page.mouse.move(pane.x + pane.width / 2 + i * 10, pane.y + 40 + i * 15);
    await s.page.mouse.up();
    const fps = await frames;
    const after = await translation();
    expect(after.x - before.x).toBeCloseTo(190, 0);
    expect(after.y - before.y).toBeCloseTo(285, 0);
    console.log(`300-element map: opened in ${opened} ms, ${fps} frames in the second of panning`);
    expect(fps).toBeGreaterThan(0); // the page kept drawing; the rate is printed, not judged (machines are shared)
  });
});
