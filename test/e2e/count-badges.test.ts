import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, settled, startSession, type Session } from './harness.js';

/**
 * The performance view's counts on every template, as the template places its elements: one line
 * each, within its element, and over no other element, at the first view and zoomed out a step.
 */
type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;
const inside = (a: Box, b: Box) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;

describe.runIf(hasChromium)('count badges on the templates', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
    // A busy map's counts (the widest badges a map shows until a count passes 9,999): every element
    // had contacts through it, some are here now, and one in three has errors.
    await s.page.route('**/api/maps/*/stats', async (route) => {
      const answer = await route.fetch();
      const body = await answer.json();
      Object.keys(body.elements).forEach((id, i) => {
        body.elements[id] = { ...body.elements[id], hereNow: i % 2 ? 0 : 128, wereHere: 9_876, errors: i % 3 ? 0 : 42, lastError: i % 3 ? null : 'HTTP 500' };
      });
      await route.fulfill({ response: answer, json: body });
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  async function boxesOf(nodes: Locator): Promise<Map<string, Box>> {
    const out = new Map<string, Box>();
    for (const n of await nodes.all()) out.set((await n.getAttribute('data-id'))!, (await n.boundingBox())!);
    return out;
  }

  /** Every count badge against every element: on one line, inside its own element, over no other. */
  async function checkCounts(template: string): Promise<void> {
    const nodes = s.page.locator('.react-flow__node');
    const boxes = await boxesOf(nodes);
    expect(boxes.size, template).toBeGreaterThan(0);
    for (const [id, own] of boxes) {
      const row = nodes.and(s.page.locator(`[data-id="${id}"]`)).locator('.el-stats');
      const badges = await row.locator('.badge').all();
      expect(badges.length, `${template}: ${id} has its counts`).toBeGreaterThan(0);
      const line = (await badges[0].boundingBox())!;
      for (const badge of badges) {
        const box = (await badge.boundingBox())!;
        const where = `${template}: the badge "${await badge.innerText()}" of ${id}`;
        expect(box.y, `${where} is on the first line`).toBeCloseTo(line.y, 0);
        expect(inside(box, own), `${where} stays inside its element`).toBe(true);
        for (const [other, theirs] of boxes) {
          if (other !== id) expect(overlap(box, theirs), `${where} covers ${other}`).toBe(false);
        }
        // Cut words ("345 to…") would hide a number: the estimate of the row's width must hold.
        expect(await badge.evaluate((b) => b.scrollWidth <= b.clientWidth), `${where} is whole`).toBe(true);
      }
    }
  }

  it('one line inside each element, covering no other, on every template', async () => {
    const { templates } = await s.api<{ templates: { name: string }[] }>('/templates');
    expect(templates.length).toBeGreaterThanOrEqual(10);
    for (const { name } of templates) {
      const { map } = await s.api(`/templates/${name}/import`, {});
      await s.api(`/maps/${map.id}/publish`, {});
      await s.open(`/maps/${map.id}`);
      await s.page.locator('.react-flow__node').first().waitFor();
      await s.page.getByRole('button', { name: 'Performance' }).click();
      await expect.poll(() => s.page.locator('.react-flow__node:not(:has(.el-stats))').count(), { message: name }).toBe(0);
      // The counts say what they count, in full, to a screen reader and in the tooltip.
      const counts = s.page.locator('.el-stats .badge.counts').first();
      expect(await counts.getAttribute('aria-label')).toBe('128 here now, 9,876 were here');
      expect(await counts.innerText()).toBe('128 now · 9,876 total');
      await settled(s.page);
      await checkCounts(name);

      // Zoomed out a step, the counts grow (their size on screen stays), and still fit.
      await s.page.getByRole('button', { name: 'Zoom Out' }).click();
      await settled(s.page);
      if (await s.page.locator('.map-canvas.counts-only').count()) throw new Error(`${name}: one step out already hides the counts' words`);
      await checkCounts(`${name}, zoomed out`);
    }
  });
});
