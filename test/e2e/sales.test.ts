import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

const DAY = 86_400_000;
const SAM = { email: 'sam@acme.example', name: 'Sam Seller', password: 'sam-sells-leads-42' };
const VERA = { email: 'vera@acme.example', name: 'Vera Viewer', password: 'vera-only-reads-42' };

/**
 * The sales workspace in the editor (SPEC §12), as a sales person uses it after signing in: My
 * leads best score first, adjusting a lead's score with a reason, rejecting another with a reason
 * from the list, taking a lead, a saved list "Score fell in 30 days" with its count, and the
 * history naming them and their reasons. A viewer sees none of the actions.
 */
describe.runIf(hasChromium)('the sales workspace', () => {
  let s: Session;
  let base: string;

  /** Signs in through the sign-in page, in a fresh browser state. */
  async function signIn(who: { email: string; password: string }) {
    await s.context.clearCookies();
    // A page left, so the app starts again and asks who this is.
    await s.page.goto('about:blank');
    await s.page.goto(`${base}/#/leads`);
    await s.page.getByRole('heading', { name: 'Sign in to Scoremap' }).waitFor();
    await s.page.getByLabel('Email').fill(who.email);
    await s.page.getByLabel('Password').fill(who.password);
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  beforeAll(async () => {
    s = await startSession({ now: '2026-03-01T09:00:00Z' });
    base = s.server.url.replace(/\/$/, '');
    await s.api('/scoring-models', {
      id: 'lead', name: 'Lead score', field: 'score', min: 0, max: 100, rules: [],
      brackets: [{ name: 'Hot', min: 70 }, { name: 'Warm', min: 40 }, { name: 'Cold', min: 0 }],
    });
    await s.api('/people', { email: 'olga@acme.example', name: 'Olga Admin', role: 'admin', password: 'olga-runs-the-place' });
    await s.api('/people', { ...SAM, role: 'sales' });
    await s.api('/people', { ...VERA, role: 'viewer' });
    await s.api('/contacts', { id: 'ana', fields: { email: 'ana@lima.example', first_name: 'Ana', last_name: 'Lima', score: 45 } });
    await s.api('/contacts', { id: 'bob', fields: { email: 'bob@stone.example', first_name: 'Bob', last_name: 'Stone', score: 80 } });
    await s.api('/contacts', { id: 'dee', fields: { email: 'dee@park.example', first_name: 'Dee', last_name: 'Park', score: 60 } });
    await s.api('/contacts', { id: 'cy', fields: { email: 'cy@young.example', first_name: 'Cy', last_name: 'Young', score: 20 } });
    await s.api('/contacts', { id: 'eve', fields: { email: 'eve@other.example', first_name: 'Eve', score: 90 } });
    for (const id of ['ana', 'bob', 'dee']) await s.api(`/contacts/${id}/owner`, { owner: SAM.email }, 'PUT');
    await s.api('/contacts/eve/owner', { owner: 'olga@acme.example' }, 'PUT');
    // Five weeks on, Dee's score falls (from 60 to 25) while the others' stay: "score fell in the last 30 days" holds for her alone
    // (a month ago every one of them had the score they were made with).
    await s.api('/clock/advance', { ms: 35 * DAY });
    await s.api('/contacts/dee', { fields: { score: 25 } }, 'PATCH');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('signs in as sales, works leads from My leads, and makes a saved list with its count', async () => {
    const { page } = s;
    await signIn(SAM);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Leads' }).click();
    await page.getByRole('heading', { name: 'My leads', level: 2 }).waitFor();

    // My leads: Sam's three, best score first, with their brackets; Eve (Olga's) and Cy (nobody's) are not here.
    const rows = page.locator('table.contacts tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(texts[0]).toMatch(/^bob@stone\.example Bob Stone 80 Hot /);
    expect(texts[1]).toMatch(/^ana@lima\.example Ana Lima 45 Warm /);
    expect(texts[2]).toMatch(/^dee@park\.example Dee Park 25 Cold /);
    await page.getByRole('navigation', { name: 'Lists of leads' }).getByRole('link', { name: /My leads/ }).getByText('3', { exact: true }).waitFor();

    // Ana: +15 with a reason. The score, its bracket and the history change without a reload.
    await rows.nth(1).getByRole('link', { name: 'ana@lima.example' }).click();
    await page.getByRole('heading', { name: 'Ana Lima', level: 1 }).waitFor();
    const toolbar = page.getByRole('toolbar', { name: 'Work this lead' });
    await toolbar.getByRole('button', { name: 'Adjust score…' }).click();
    const adjust = page.getByRole('dialog', { name: 'Adjust Ana Lima’s score' });
    // No reason, no change: the dialog says so and stays.
    await adjust.getByLabel('Points').fill('15');
    await adjust.getByRole('button', { name: 'Add 15 points' }).click();
    await adjust.getByRole('alert').getByText('Give a reason: it is kept in the contact’s history').waitFor();
    await adjust.getByLabel('Reason').fill('Called: budget confirmed for Q3');
    await adjust.getByRole('button', { name: 'Add 15 points' }).click();
    await page.getByRole('status').getByText('+15 points to Ana Lima’s score: Called: budget confirmed for Q3.').waitFor();
    expect(await adjust.count()).toBe(0);
    const scores = page.getByRole('region', { name: 'Scores' });
    await scores.locator('tbody tr', { hasText: 'Lead score' }).getByText('60', { exact: true }).waitFor();
    await scores.getByText('Warm', { exact: true }).waitFor();
    const history = page.getByRole('region', { name: 'Why this score: history' });
    await history.getByText('by Sam Seller: “Called: budget confirmed for Q3”').waitFor();
    expect((await s.api('/contacts/ana')).fields.score).toBe(60);
    await history.scrollIntoViewIfNeeded();
    await s.screenshot('sales-contact-history');

    // Bob: rejected with a reason from the server's list.
    await page.goto(`${base}/#/contacts/bob`);
    await page.getByRole('heading', { name: 'Bob Stone', level: 1 }).waitFor();
    await toolbar.getByRole('button', { name: 'Reject…' }).click();
    const reject = page.getByRole('dialog', { name: 'Reject Bob Stone' });
    await reject.getByRole('radio', { name: 'No budget' }).check();
    await reject.getByRole('button', { name: 'Reject the lead' }).click();
    await page.getByRole('status').getByText('Rejected Bob Stone: No budget.').waitFor();
    const lead = page.getByRole('region', { name: 'Lead' });
    await lead.getByText('Rejected', { exact: true }).waitFor();
    await lead.getByText('No budget').waitFor();
    await history.getByText('by Sam Seller: “No budget”').first().waitFor();
    expect((await s.api('/contacts/bob')).fields).toMatchObject({ qualification_status: 'rejected', qualification_reason: 'No budget' });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'docs/contact-actions.png' });

    // Cy: nobody's lead; Sam takes it.
    await page.goto(`${base}/#/contacts/cy`);
    await page.getByRole('heading', { name: 'Cy Young', level: 1 }).waitFor();
    await lead.getByText('Nobody').waitFor();
    await toolbar.getByRole('button', { name: 'Take this lead' }).click();
    await page.getByRole('status').getByText('Cy Young is your lead now.').waitFor();
    await lead.getByText(SAM.email).waitFor();
    await lead.getByText('you', { exact: true }).waitFor();
    expect(await toolbar.getByRole('button', { name: 'Take this lead' }).count()).toBe(0);
    await history.getByText('by Sam Seller').first().waitFor();
    expect((await s.api('/contacts/cy')).fields.owner).toBe(SAM.email);

    // A saved list: Sam's leads whose score fell in the last 30 days.
    await nav.getByRole('link', { name: 'Leads' }).click();
    await expect.poll(() => rows.count()).toBe(4);
    await page.getByRole('button', { name: 'New list…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New list' });
    await dialog.getByRole('textbox', { name: 'List name' }).fill('Score fell in 30 days');
    await dialog.getByRole('combobox', { name: 'Owner', exact: true }).selectOption('me');
    await dialog.getByRole('combobox', { name: 'Score change', exact: true }).selectOption('fell');
    await dialog.getByRole('spinbutton', { name: 'Days' }).fill('30');
    await dialog.getByRole('button', { name: 'Make the list' }).click();
    await page.getByRole('heading', { name: 'Score fell in 30 days', level: 2 }).waitFor();
    await page.getByText('Owned by me · score fell in the last 30 days · only you see it').waitFor();
    const side = page.getByRole('navigation', { name: 'Lists of leads' });
    await side.getByRole('link', { name: /Score fell in 30 days/ }).getByText('1', { exact: true }).waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toMatch(/dee@park\.example/);
    await s.screenshot('sales-saved-list');
    // My leads counts Cy now, and shows Bob's verdict.
    await side.getByRole('link', { name: /My leads/ }).getByText('4', { exact: true }).click();
    await page.getByRole('heading', { name: 'My leads', level: 2 }).waitFor();
    await expect.poll(() => rows.count()).toBe(4);
    await rows.first().getByText('rejected').waitFor();
    await page.screenshot({ path: 'docs/my-leads.png' });
    // Sam's own list: the token (nobody) does not see it.
    expect((await s.api('/lists')).lists.map((l: { name: string }) => l.name)).not.toContain('Score fell in 30 days');
  });

  it('saves the contacts page\'s filters as a shared list, which opens on the Leads page with its count', async () => {
    const { page } = s;
    await signIn(SAM);
    await page.goto(`${base}/#/contacts`);
    await page.getByRole('searchbox', { name: 'Search by email' }).fill('.example');
    const form = page.getByRole('form', { name: 'Add a filter' });
    await form.getByRole('combobox', { name: 'Field' }).selectOption('score');
    await form.getByRole('combobox', { name: 'Comparison' }).selectOption('gte');
    await form.getByRole('spinbutton').fill('70');
    await form.getByRole('button', { name: 'Add filter' }).click();
    await page.getByText('2 contacts match').waitFor();
    // A sales person does not add many contacts to a map at once (an editor's action): no tick boxes, no button.
    expect(await page.getByRole('button', { name: 'Add to a map…' }).count()).toBe(0);
    expect(await page.getByRole('checkbox').count()).toBe(0);
    await page.getByRole('button', { name: 'Save as a list…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New list' });
    await dialog.getByRole('textbox', { name: 'List name' }).fill('Hot leads');
    await dialog.getByRole('radio', { name: 'Everyone (shared)' }).check();
    await dialog.getByRole('button', { name: 'Make the list' }).click();
    await page.getByRole('heading', { name: 'Hot leads', level: 2 }).waitFor();
    await page.getByText(/^Score ≥ 70 · Email contains .*\.example.* · shared, made by Sam Seller$/).waitFor();
    await page.getByRole('navigation', { name: 'Lists of leads' }).getByRole('link', { name: /Hot leads/ }).getByText('2', { exact: true }).waitFor();
    // Shared: the token sees it too, with the same count.
    expect((await s.api('/lists')).lists).toEqual([expect.objectContaining({ name: 'Hot leads', shared: true, count: 2 })]);
  });

  it('lets an admin give a lead to a person from the people list, and edit its fields and tags', async () => {
    const { page } = s;
    await signIn({ email: 'olga@acme.example', password: 'olga-runs-the-place' });
    await page.goto(`${base}/#/contacts/eve`);
    await page.getByRole('heading', { name: 'Eve', level: 1 }).waitFor();
    const toolbar = page.getByRole('toolbar', { name: 'Work this lead' });
    await toolbar.getByRole('button', { name: 'Owner…' }).click();
    const owner = page.getByRole('dialog', { name: 'Who owns Eve' });
    await owner.getByRole('combobox', { name: 'Owner' }).selectOption(SAM.email);
    await owner.getByRole('button', { name: 'Save the owner' }).click();
    await page.getByRole('status').getByText('Eve is Sam Seller’s lead now.').waitFor();
    await page.getByRole('region', { name: 'Lead' }).getByText(SAM.email).waitFor();

    await toolbar.getByRole('button', { name: 'Edit fields and tags…' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Eve' });
    await edit.getByRole('textbox', { name: 'Last name' }).fill('Marsh');
    await edit.getByRole('textbox', { name: 'New tag' }).fill('vip');
    await edit.getByRole('button', { name: 'Add the tag' }).click();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved Eve: 1 field; added vip.').waitFor();
    await page.getByRole('heading', { name: 'Eve Marsh', level: 1 }).waitFor();
    await page.locator('.page-head .tag', { hasText: 'vip' }).waitFor();
    await page.getByRole('region', { name: 'Why this score: history' }).getByText('by Olga Admin').first().waitFor();
    const eve = await s.api('/contacts/eve');
    expect(eve.fields).toMatchObject({ owner: SAM.email, last_name: 'Marsh' });
    expect(eve.tags).toEqual(['vip']);
  });

  it('shows a viewer the lead but none of the actions, and no Leads page in the navigation', async () => {
    const { page } = s;
    await signIn(VERA);
    await page.goto(`${base}/#/contacts/ana`);
    await page.getByRole('heading', { name: 'Ana Lima', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Lead' }).getByText(SAM.email).waitFor();
    expect(await page.getByRole('toolbar', { name: 'Work this lead' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Adjust score|Merge|Take this lead/ }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).count()).toBe(0);
    await page.goto(`${base}/#/contacts`);
    await page.getByText('5 contacts').waitFor();
    expect(await page.getByRole('button', { name: /Save as a list|Add to a map/ }).count()).toBe(0);
  });
});
