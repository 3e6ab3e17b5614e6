import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * The contacts list as a map's own score needs it (issue 19, items 3 and 13): a column picker that
 * shows any field and is kept per browser, sorting by that field, the contact page's score and
 * chart on the score that has values, and adding contacts to a map's "Added by hand" trigger from
 * the list — the ticked ones, or all the filters match.
 */
describe.runIf(hasChromium)('the contacts list with a map\'s own score', () => {
  let s: Session;
  let handId: string;
  beforeAll(async () => {
    s = await startSession({ now: '2026-01-05T09:00:00Z' });
    await s.api('/fields', { key: 'custom_lead_score', label: 'Custom Lead Score', type: 'number', decimals: 0 });
    const people: [string, string, string, string, number | null, number, string[]][] = [
      ['ann', 'ann@acme.example', 'Ann', 'Lima', 100, 1, ['webinar', 'trial']], ['bob', 'bob@acme.example', 'Bob', 'Stone', 40, 3, ['webinar']],
      ['cid', 'cid@beta.example', 'Cid', 'Moreau', 5, 20, []], ['dee', 'dee@beta.example', 'Dee', 'Park', null, 45, ['newsletter']],
      ['eve', 'eve@example.com', 'Eve', 'Okafor', null, 90, []],
    ];
    for (const [id, email, first, last, score, daysAgo, tags] of people) {
      const lastActivity = new Date(Date.parse('2026-01-05T09:00:00Z') - daysAgo * 86_400_000).toISOString();
      await s.api('/contacts', { id, fields: { email, first_name: first, last_name: last, last_activity_at: lastActivity, ...(score === null ? {} : { custom_lead_score: score }) }, tags });
    }
    handId = (await s.api('/maps?id=hand', {
      name: 'Hand picked',
      elements: [
        { id: 'added', kind: 'trigger', on: { type: 'manual' }, next: 'hold' },
        { id: 'hold', kind: 'wait', label: 'A day', for: { days: 1 }, next: 'done' },
        { id: 'done', kind: 'end' },
      ],
    })).map.id;
    await s.api(`/maps/${handId}/publish`, {});
  });
  afterAll(async () => {
    await s?.close();
  });

  const table = () => s.page.locator('table.contacts');
  /** The text of one column, top to bottom. */
  const column = async (header: string) => {
    const heads = await table().locator('thead th').allTextContents();
    const i = heads.findIndex((h) => h.replace(/[▲▼↕]/g, '').trim() === header);
    expect(i, `a column "${header}" among ${heads.join(' | ')}`).toBeGreaterThanOrEqual(0);
    return table().locator(`tbody tr td:nth-child(${i + 1})`).allTextContents();
  };
  const emails = () => column('Email');

  it('shows a custom score through the column picker, sorts by it, and keeps the choice', async () => {
    await s.open('/contacts');
    await table().waitFor();
    await s.page.getByRole('button', { name: 'Columns…' }).click();
    const picker = s.page.getByRole('dialog', { name: 'Columns' });
    await picker.getByRole('checkbox', { name: /^Custom Lead Score/ }).check();
    await s.screenshot('contacts-columns-picker');
    await picker.getByRole('button', { name: 'Done' }).click();
    await table().getByRole('columnheader', { name: /Custom Lead Score/ }).waitFor();
    expect(await column('Custom Lead Score')).toEqual(expect.arrayContaining(['100', '40', '5']));

    await table().getByRole('button', { name: /^Custom Lead Score/ }).click();
    await expect.poll(emails).toEqual(['ann@acme.example', 'bob@acme.example', 'cid@beta.example', 'dee@beta.example', 'eve@example.com']);
    expect(await table().getByRole('columnheader', { name: /Custom Lead Score/ }).getAttribute('aria-sort')).toBe('descending');
    await table().getByRole('button', { name: /^Custom Lead Score/ }).click();
    // Lowest first; contacts without a value stay last either way.
    await expect.poll(emails).toEqual(['cid@beta.example', 'bob@acme.example', 'ann@acme.example', 'dee@beta.example', 'eve@example.com']);

    // Kept in this browser: a fresh load shows the column again.
    await s.page.reload();
    await table().getByRole('columnheader', { name: /Custom Lead Score/ }).waitFor();
    expect(await column('Custom Lead Score')).toContain('100');
    await table().getByRole('button', { name: /^Custom Lead Score/ }).click();
    await expect.poll(emails).toEqual(['ann@acme.example', 'bob@acme.example', 'cid@beta.example', 'dee@beta.example', 'eve@example.com']);
    await s.page.screenshot({ path: 'docs/contacts-columns.png' });

    // A column can be taken off again.
    await s.page.getByRole('button', { name: 'Columns…' }).click();
    await picker.getByRole('checkbox', { name: /^Rank/ }).uncheck();
    await picker.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => table().locator('thead th').allTextContents()).not.toContain('Rank');
  });

  it('shows the score that has values on the contact page, and charts it', async () => {
    await s.open('/contacts/ann');
    const scores = s.page.getByRole('region', { name: 'Scores' });
    // The built-in Score is empty for Ann: the card leads with the score she has.
    await expect.poll(async () => (await scores.textContent())?.replace(/\s+/g, ' ')).toMatch(/100 Custom Lead Score|Custom Lead Score[^0-9]*100/);
    await s.page.getByRole('heading', { name: 'Custom Lead Score over time' }).waitFor();
    await s.screenshot('contacts-columns-contact');
  });

  it('with a scoring model whose score is empty, leads the Scores card with the score that has values', async () => {
    await s.api('/scoring-models', JSON.parse(readFileSync('maps/recommended-scoring.json', 'utf8')));
    await s.open('/contacts/bob');
    const rows = s.page.getByRole('region', { name: 'Scores' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const texts = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' '));
    expect(texts[0]).toMatch(/^Custom Lead Score .*40/);
    expect(texts[1]).toMatch(/—/);
    await s.page.getByRole('heading', { name: 'Custom Lead Score over time' }).waitFor();
    await s.screenshot('contacts-columns-model');
  });

  it('adds the ticked contacts, then all the filters match, then one from its page, to a map through its manual trigger', async () => {
    const hereNow = async () => (await s.api(`/maps/${handId}/stats`)).elements.hold.hereNow as number;
    await s.open('/contacts');
    await table().waitFor();
    await s.page.getByRole('checkbox', { name: 'Select ann@acme.example' }).check();
    await s.page.getByRole('checkbox', { name: 'Select bob@acme.example' }).check();
    await s.page.getByText('2 selected').waitFor();
    await s.page.getByRole('button', { name: 'Add to a map…' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Add contacts to a map' });
    expect(await dialog.getByRole('radio', { name: 'The 2 contacts selected' }).isChecked()).toBe(true);
    await expect.poll(() => dialog.getByLabel('Map').locator('option').allInnerTexts()).toEqual(['Hand picked']);
    await s.screenshot('contacts-add-to-map');
    await dialog.getByRole('button', { name: 'Add 2 contacts' }).click();
    await s.page.getByRole('status').filter({ hasText: 'Added 2 contacts to Hand picked.' }).waitFor();
    expect(await hereNow()).toBe(2);
    // The selection is done with.
    expect(await s.page.getByRole('checkbox', { name: 'Select ann@acme.example' }).isChecked()).toBe(false);

    // Everyone without a score: the filter, not a selection.
    const add = s.page.getByRole('form', { name: 'Add a filter' });
    await add.getByLabel('Field').selectOption({ label: 'Custom Lead Score' });
    await add.getByLabel('Comparison').selectOption({ label: 'is empty' });
    await add.getByRole('button', { name: 'Add filter' }).click();
    await expect.poll(emails).toEqual(['dee@beta.example', 'eve@example.com']);
    await s.page.getByRole('button', { name: 'Add to a map…' }).click();
    expect(await dialog.getByRole('radio', { name: 'All 2 contacts matching the filters' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('radio', { name: /The selected contacts/ }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Add 2 contacts' }).click();
    await s.page.getByRole('status').filter({ hasText: 'Added 2 contacts to Hand picked.' }).waitFor();
    expect(await hereNow()).toBe(4);
    const onMap = async (id: string) => (await s.api(`/contacts/${id}`)).maps.map((m: { mapId: string }) => m.mapId);
    expect(await onMap('eve')).toEqual(['hand']);
    expect(await onMap('cid')).toEqual([]);

    // One contact, from its own page.
    await s.open('/contacts/cid');
    await s.page.getByRole('button', { name: 'Add to map…' }).click();
    const one = s.page.getByRole('dialog', { name: /^Add .+ to a map$/ });
    await expect.poll(() => one.getByLabel('Map').locator('option').allInnerTexts()).toEqual(['Hand picked']);
    await one.getByRole('button', { name: 'Add to the map' }).click();
    await s.page.getByText(/^Added .+ to the map Hand picked\.$/).waitFor();
    expect(await onMap('cid')).toEqual(['hand']);
    expect(await hereNow()).toBe(5);
    // Again: it is there already and stays where it is.
    await s.page.getByRole('button', { name: 'Add to map…' }).click();
    await one.getByRole('button', { name: 'Add to the map' }).click();
    await s.page.getByText(/was on the map Hand picked already and stays where it is\.$/).waitFor();
    expect(await hereNow()).toBe(5);
  });
});
