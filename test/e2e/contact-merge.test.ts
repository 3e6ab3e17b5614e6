import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * Merging a duplicate from the contact page (SPEC §10 "Merge"): find it by part of its email, read
 * the dry run in words, merge, and see the page show the merged contact — the fields it took, the
 * tags, the history — while the duplicate's id answers 404.
 */
describe.runIf(hasChromium)('merging a duplicate on the contact page', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession({ now: '2026-01-05T09:00:00Z' });
    await s.api('/maps?id=nurture', {
      name: 'Nurture',
      elements: [
        { id: 'visited', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'hold' },
        { id: 'hold', kind: 'wait', label: 'Two days', for: { days: 2 }, next: 'done' },
        { id: 'done', kind: 'end' },
      ],
    });
    await s.api('/maps/nurture/publish', {});
    await s.api('/contacts', { id: 'ana', fields: { email: 'ana.lima@example.com', first_name: 'Ana', last_name: 'Lima', score: 40 }, tags: ['lead'] });
    await s.api('/contacts', { id: 'ana-work', fields: { email: 'ana@acme.example', company: 'Acme', country: 'PT', score: 15 }, tags: ['webinar'] });
    await s.api('/contacts', { id: 'bob', fields: { email: 'bob@acme.example', first_name: 'Bob' } });
    await s.api('/events', [1, 2, 3].map((i) => ({ id: `v${i}`, contact: { id: 'ana-work' }, type: 'page_visited' })));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('finds the duplicate, says what the merge does, merges, and shows the merged contact', async () => {
    await s.open('/contacts/ana');
    await s.page.getByRole('heading', { name: 'Ana Lima', level: 1 }).waitFor();
    await s.page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Merge a duplicate into Ana Lima' });
    // Nothing can be merged before a contact is chosen.
    expect(await dialog.getByRole('button', { name: 'Merge', exact: true }).isDisabled()).toBe(true);

    await dialog.getByLabel('Find the duplicate').fill('acme');
    await dialog.getByRole('radio', { name: /ana@acme\.example/ }).waitFor();
    // Both contacts at Acme are found; the contact itself is never offered.
    expect(await dialog.getByRole('radio').count()).toBe(2);
    await dialog.getByRole('radio', { name: /ana@acme\.example/ }).check();

    const preview = dialog.getByRole('region', { name: 'Merging ana@acme.example into Ana Lima' });
    await preview.getByText('Keeps Ana Lima’s Score of 40.').waitFor();
    expect(await preview.getByRole('listitem').allInnerTexts()).toEqual([
      'Keeps Ana Lima’s Score of 40.',
      // Its last activity is later than hers (she has none): the later one is kept.
      expect.stringMatching(/^Takes Company = Acme, Country = PT and Last activity = .+\.$/),
      'Adds the tag webinar.',
      // Its email, company, country, tags, score and last activity: the history of its creation and its visits.
      expect.stringMatching(/^Moves 3 events and \d+ history entries to Ana Lima\.$/),
      'Takes ana@acme.example off the map Nurture (at Two days).',
      'Deletes ana@acme.example: its id (ana-work) will answer “not found”.',
    ]);
    // The preview was a dry run: the duplicate is still there.
    expect((await s.api('/contacts/ana-work')).id).toBe('ana-work');
    await s.screenshot('contact-merge-preview');

    await dialog.getByRole('button', { name: 'Merge ana@acme.example into Ana Lima' }).click();
    await s.page.getByRole('status').getByText('Merged ana@acme.example into this contact.').waitFor();
    expect(await dialog.count()).toBe(0);
    // The page reads the contact again: the fields and tag it took, and the merge in its history.
    const fields = s.page.getByRole('region', { name: 'Fields' });
    await fields.getByText('Acme', { exact: true }).waitFor();
    await fields.getByText('PT', { exact: true }).waitFor();
    await s.page.locator('.page-head .tag', { hasText: 'webinar' }).waitFor();
    await s.page.getByText('Contact ana-work was merged into this one').waitFor();
    await s.page.getByText('Left map Nurture (was at hold) — merged from contact ana-work').waitFor();
    await s.page.getByText('merged from contact ana-work').first().waitFor();
    expect(await s.page.locator('.page-head .tag').allInnerTexts()).toEqual(['lead', 'webinar']);
    await s.screenshot('contact-merge-done');

    const gone = await fetch(`${s.server.url.replace(/\/$/, '')}/api/contacts/ana-work`, { headers: { authorization: `Bearer ${s.server.token}` } });
    expect(gone.status).toBe(404);
    const ana = await s.api('/contacts/ana');
    expect(ana.fields).toMatchObject({ email: 'ana.lima@example.com', company: 'Acme', country: 'PT', score: 40 });
  });

  it('says when a search finds no other contact, and shows a refusal in words', async () => {
    await s.open('/contacts/bob');
    await s.page.getByRole('heading', { name: 'Bob', level: 1 }).waitFor();
    await s.page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Merge a duplicate into Bob' });
    await dialog.getByLabel('Find the duplicate').fill('nobody-here');
    await dialog.getByText('No other contact has “nobody-here” in its email, name or ids.').waitFor();
    // The merged-away id is found by nothing.
    await dialog.getByLabel('Find the duplicate').fill('ana-work');
    await dialog.getByText('No other contact has “ana-work” in its email, name or ids.').waitFor();
    await dialog.getByLabel('Find the duplicate').fill('ana');
    await dialog.getByRole('radio', { name: /Ana Lima/ }).check();
    await dialog.getByText('Keeps Bob’s Score of 0.').waitFor();
    // Someone deletes Ana meanwhile: the merge is refused in words, and Bob is unchanged.
    await s.api('/contacts/ana', undefined, 'DELETE');
    await dialog.getByRole('button', { name: 'Merge Ana Lima into Bob' }).click();
    await dialog.getByRole('alert').getByText('No contact with id "ana" to merge: it may have been merged or deleted already').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.count()).toBe(0);
    expect((await s.api('/contacts/bob')).fields).toEqual(expect.not.objectContaining({ company: expect.anything() }));
  });
});
