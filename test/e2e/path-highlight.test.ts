import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

describe.runIf(hasChromium)('a simulated path on the canvas', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('highlights the elements a contact passed, with a way back', async () => {
    const scenario = JSON.parse(readFileSync(new URL('../scenarios/decay-loop-move-here.json', import.meta.url), 'utf8'));
    const { map } = await s.api('/maps', scenario.maps[0]);
    await s.open(`/maps/${map.id}?highlight=add5,decay&contact=ann`);
    await s.page.getByText('Showing the path of ann from a simulation').waitFor();
    await expect.poll(() => s.page.locator('.el-node.is-highlighted').count()).toBe(2);
    await s.screenshot('path-highlight');
    await s.page.getByRole('link', { name: 'Clear' }).click();
    await expect.poll(() => s.page.locator('.el-node.is-highlighted').count()).toBe(0);
  });
});
