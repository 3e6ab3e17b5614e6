import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, SCREENSHOTS, startSession, type Session } from './harness.js';

describe.runIf(hasChromium)('template descriptions', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('cuts a long description to four lines with "More", which shows it whole in place', async () => {
    await s.open('/maps');
    const card = s.page.locator('li.card.template', { has: s.page.getByRole('heading', { name: 'Score brackets' }) }).first();
    const more = card.getByRole('button', { name: 'More' });
    await more.waitFor();
    const desc = card.locator('.desc');
    const cut = await desc.evaluate((p) => p.clientHeight);
    expect(await desc.evaluate((p) => p.scrollHeight > p.clientHeight)).toBe(true);
    await more.click();
    await card.getByRole('button', { name: 'Less' }).waitFor();
    expect(await desc.evaluate((p) => p.clientHeight)).toBeGreaterThan(cut);
    expect(await desc.evaluate((p) => p.scrollHeight <= p.clientHeight + 1)).toBe(true);
    await card.screenshot({ path: `${SCREENSHOTS}template-description-open.png` });
  });
});
