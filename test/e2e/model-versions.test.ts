import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * A scoring model's versions in a browser (SPEC §9): a user changes a model and saves it, finds
 * both versions on the model page with their date and "—" for the unknown author, reads the first
 * one, restores it after a confirm, and the page shows the model as it was, kept as a third version.
 */
describe.runIf(hasChromium)('scoring model versions on the model page', () => {
  let s: Session;
  let created: unknown;
  const MODEL = {
    id: 'lead', name: 'Lead score', field: 'score', min: 0, max: 100,
    rules: [
      { id: 'click', label: 'Clicked a link', when: { event: 'email_link_clicked' }, points: 5 },
      { id: 'pricing', label: 'Visited pricing', when: { event: 'page_visited' }, points: 8 },
    ],
    brackets: [{ name: 'High', min: 70 }, { name: 'Low', min: 0 }],
  };
  beforeAll(async () => {
    s = await startSession({ now: '2026-03-02T09:00:00Z', viewport: { width: 1280, height: 900 } });
    created = await s.api('/scoring-models', MODEL);
  });
  afterAll(async () => {
    await s?.close();
  });

  const rows = () => s.page.locator('table.versions tbody tr');
  const cells = async () => Promise.all((await rows().all()).map(async (r) => (await r.locator('td').allInnerTexts()).slice(0, 3).map((t) => t.trim())));

  it('lists the versions a save makes, shows one read-only, and restores it', async () => {
    await s.open('/scoring/lead');
    await s.page.getByRole('heading', { name: 'Lead score', level: 1 }).waitFor();
    await rows().first().waitFor();
    expect((await cells()).map((c) => [c[0], c[2]])).toEqual([['Version 1 current', 'the start-up token']]);

    // Change the name and a rule's points a day later, and save: version 2.
    await s.api('/clock/advance', { ms: 86_400_000 });
    await s.page.getByLabel('Name', { exact: true }).fill('Lead score (pricing heavy)');
    await s.page.getByLabel('Points of rule Visited pricing').fill('20');
    await s.page.getByRole('button', { name: 'Save' }).click();
    await s.page.getByText(/^Saved\./).waitFor();
    await expect.poll(async () => (await cells()).map((c) => [c[0], c[2]])).toEqual([['Version 2 current', 'the start-up token'], ['Version 1', 'the start-up token']]);
    const [saved2, saved1] = (await cells()).map((c) => c[1]);
    expect(saved2).toMatch(/2026/);
    expect(saved1).toMatch(/2026/);
    expect(saved2).not.toBe(saved1);

    // Version 1, read only: in words, with what differs from the model now.
    await s.page.getByRole('button', { name: 'View version 1' }).click();
    const view = s.page.getByRole('dialog', { name: 'Version 1 of “Lead score” (read only)' });
    await view.getByText('Differs from the saved model in: name, rules.').waitFor();
    expect(await view.locator('.version-rules li').allInnerTexts()).toEqual([
      expect.stringMatching(/^Clicked a link\s+Email link clicked\s+Gives \+5/),
      expect.stringMatching(/^Visited pricing\s+Page visited\s+Gives \+8/),
    ]);
    await s.screenshot('model-versions-view');

    // Restore it: asked first, then the page is the old model again and the restore is version 3.
    await view.getByRole('button', { name: 'Restore this version' }).click();
    const confirm = s.page.getByRole('dialog', { name: 'Restore version 1?' });
    await confirm.getByText(/saved as a new version/).waitFor();
    await confirm.getByRole('button', { name: 'Restore this version' }).click();
    await s.page.getByRole('status').getByText(/^Version 1 restored/).waitFor();
    await s.page.getByRole('heading', { name: 'Lead score', level: 1, exact: true }).waitFor();
    expect(await s.page.getByLabel('Points of rule Visited pricing').inputValue()).toBe('8');
    expect(await s.page.getByLabel('Name', { exact: true }).inputValue()).toBe('Lead score');
    expect(await s.page.getByText('unsaved changes').count()).toBe(0);
    await expect.poll(async () => (await cells()).map((c) => c[0])).toEqual(['Version 3 current', 'Version 2', 'Version 1']);
    expect(await s.page.getByRole('dialog').count()).toBe(0);

    const stored = await s.api('/scoring-models/lead');
    expect(stored).toEqual(created);
    expect((await s.api('/scoring-models/lead/versions/3')).doc).toEqual(created);

    await s.page.locator('.model-versions').scrollIntoViewIfNeeded();
    await s.page.screenshot({ path: 'docs/model-versions.png' });
  });
});
