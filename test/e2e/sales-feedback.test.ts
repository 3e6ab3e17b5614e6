import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/** Brackets only: the scores are set by hand. */
const MODEL = { id: 'lead', name: 'Lead score', field: 'score', rules: [], brackets: [{ name: 'Hot', min: 50 }, { name: 'Warm', min: 20 }, { name: 'Cold', min: 0 }] };

/** Each lead's score when sales judged it, the verdict and the reason. */
const LEADS = [
  { id: 'ann', score: 80, status: 'accepted', reason: 'Good fit' },
  { id: 'bob', score: 70, status: 'accepted', reason: 'Good fit' },
  { id: 'cat', score: 60, status: 'rejected', reason: 'No budget' },
  { id: 'dan', score: 30, status: 'accepted', reason: 'Referral' },
  { id: 'eve', score: 25, status: 'rejected', reason: 'No budget' },
  { id: 'fay', score: 10, status: 'rejected', reason: 'Wrong size' },
  { id: 'gus', score: 5, status: 'rejected', reason: 'No budget' },
];

const tableRows = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim())));

/** The Reports page's Sales feedback card (SPEC §11, §12): verdicts by bracket and by reason, from leads judged through the API. */
describe.runIf(hasChromium)('the Sales feedback report in the browser', () => {
  let s: Session;

  beforeAll(async () => {
    s = await startSession({ now: '2026-01-10T13:00:00Z' });
    await s.api('/scoring-models', MODEL);
    for (const l of LEADS) await s.api('/contacts', { id: l.id, fields: { email: `${l.id}@example.com`, score: l.score } });
    await s.api('/clock/advance', { to: '2026-01-12T13:00:00Z' });
    for (const l of LEADS) await s.api(`/contacts/${l.id}`, { fields: { qualification_status: l.status, qualification_reason: l.reason } }, 'PATCH');
    await s.api('/clock/advance', { to: '2026-01-20T09:00:00Z' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('shows the accepted rate by bracket, highest first, and the reasons given', async () => {
    const page = s.page;
    await s.open('/reports');
    const card = page.locator('section.report', { has: page.getByRole('heading', { name: 'Sales feedback' }) });
    await card.locator('table[data-report="feedback-bands"] tbody tr').first().waitFor();
    expect(await tableRows(page, 'table[data-report="feedback-bands"] tbody tr')).toEqual([
      ['Hot', '3', '2', '1', '67 %'],
      ['Warm', '2', '1', '1', '50 %'],
      ['Cold', '2', '0', '2', '0 %'],
    ]);
    expect(await tableRows(page, 'table[data-report="feedback-bands"] tfoot tr')).toEqual([['All', '7', '3', '4', '43 %']]);
    expect(await card.locator('[data-status="rejected"] li').allInnerTexts()).toEqual(['No budget\n3', 'Wrong size\n1']);
    expect(await card.locator('[data-status="accepted"] li').allInnerTexts()).toEqual(['Good fit\n2', 'Referral\n1']);
    await card.scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, -60));
    await page.screenshot({ path: 'docs/sales-feedback.png' });
  });
});
