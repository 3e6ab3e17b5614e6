import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

const ADMIN = { name: 'Ana Admin', email: 'ana@acme.test', password: 'ana has a long password' };
const SALES = { name: 'Sam Sales', email: 'sam@acme.test', password: 'sam has a long password' };

/**
 * Issue 22 (SPEC §12) in a browser: the owner opens the start-up link, creates the first admin and
 * is signed in as them (the token forgotten), signs out and in again, adds a sales person on the
 * People page; that person signs in and sees no New map, no Save, no Publish and no Settings.
 */
describe.runIf(hasChromium)('people: the first admin, signing in and out, the People page, a sales person\'s editor', () => {
  let s: Session;
  let mapId: string;
  beforeAll(async () => {
    s = await startSession();
    mapId = (await s.api('/maps', {
      name: 'Welcome series',
      elements: [
        { id: 'start', kind: 'trigger', on: { type: 'event', event: 'page_visited' }, next: 'end', position: { x: 0, y: 0 } },
        { id: 'end', kind: 'end', position: { x: 0, y: 160 } },
      ],
    })).map.id;
  });
  afterAll(async () => {
    await s?.close();
  });
  const nav = () => s.page.getByRole('navigation', { name: 'Main' });
  const token = () => s.page.evaluate(() => localStorage.getItem('scoremap.token'));

  it('the token holder is asked for the first admin, and is then signed in as them with the token forgotten', async () => {
    await s.open('/maps');
    await s.page.getByRole('heading', { name: 'Maps' }).waitFor();
    expect(await token()).toBe(s.server.token);
    await nav().getByRole('button', { name: 'Create the first admin account' }).click();
    await s.page.getByRole('heading', { name: 'Create the first admin account' }).waitFor();
    await s.page.getByLabel('Your name').fill(ADMIN.name);
    await s.page.getByLabel('Email').fill(ADMIN.email);
    await s.page.getByLabel('Password', { exact: true }).fill('too short');
    await s.page.getByText('A password has at least 10 characters').waitFor();
    await s.page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await s.page.getByLabel('Password again').fill(ADMIN.password);
    await s.page.getByRole('button', { name: 'Create the admin account' }).click();
    await nav().getByRole('button', { name: /Ana Admin/ }).waitFor();
    expect(await token()).toBeNull();
    expect(await nav().getByRole('button', { name: 'Create the first admin account' }).count()).toBe(0);
    const people = await s.api('/people');
    expect(people.people.map((p: { email: string; role: string }) => [p.email, p.role])).toEqual([[ADMIN.email, 'admin']]);
  });

  it('signs out to the sign-in page, refuses a wrong password in words, and signs in again', async () => {
    await nav().getByRole('button', { name: /Ana Admin/ }).click();
    const asked = s.page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'GET');
    await s.page.getByRole('menuitem', { name: 'Sign out' }).click();
    await s.page.getByRole('heading', { name: 'Sign in to Scoremap' }).waitFor();
    // Someone has an account now: no first-start words, the token box closed.
    expect(await (await asked).json()).toEqual({ accounts: true });
    await s.page.evaluate(() => new Promise(requestAnimationFrame));
    expect(await s.page.getByText('Nobody has an account yet').count()).toBe(0);
    expect(await s.page.getByLabel('Access token').isVisible()).toBe(false);
    await s.page.getByLabel('Email').fill(ADMIN.email);
    await s.page.getByLabel('Password').fill('not the password');
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await s.page.getByLabel('Password').fill('');
    await s.page.screenshot({ path: 'docs/sign-in.png' });
    await s.page.getByLabel('Password').fill(ADMIN.password);
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await nav().getByRole('button', { name: /Ana Admin/ }).waitFor();
  });

  it('an admin adds a sales person on the People page', async () => {
    await s.open('/settings/people');
    await s.page.getByRole('heading', { name: 'People' }).waitFor();
    await s.page.getByRole('button', { name: 'Add a person' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Add a person' });
    await dialog.getByLabel('Name').fill(SALES.name);
    await dialog.getByLabel('Email').fill(SALES.email);
    await dialog.getByLabel('Role').selectOption('sales');
    await dialog.getByLabel('Password').fill(SALES.password);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = s.page.locator('table.people tbody tr', { hasText: SALES.email });
    await row.waitFor();
    expect(await row.getByLabel(`Role of ${SALES.name}`).inputValue()).toBe('sales');
    expect((await s.api('/people')).people.find((p: { email: string }) => p.email === SALES.email).role).toBe('sales');
    await s.page.screenshot({ path: 'docs/people.png' });
  });

  it('the sales person signs in and sees no New map, no Save, no Publish and no Settings; the server refuses a publish all the same', async () => {
    await nav().getByRole('button', { name: /Ana Admin/ }).click();
    await s.page.getByRole('menuitem', { name: 'Sign out' }).click();
    await s.page.getByRole('heading', { name: 'Sign in to Scoremap' }).waitFor();
    await s.page.getByLabel('Email').fill(SALES.email);
    await s.page.getByLabel('Password').fill(SALES.password);
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await nav().getByRole('button', { name: /Sam Sales/ }).waitFor();
    expect(await nav().getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await s.open('/maps');
    await s.page.getByRole('link', { name: 'Welcome series' }).waitFor();
    expect(await s.page.getByRole('button', { name: 'New map' }).count()).toBe(0);
    expect(await s.page.getByRole('button', { name: 'Delete Welcome series' }).count()).toBe(0);
    await s.open(`/maps/${mapId}`);
    await s.page.getByRole('button', { name: 'Versions' }).waitFor();
    for (const name of ['Publish', 'Save', 'Pause']) expect(await s.page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    // The page's own fetch, with the session cookie and the header: refused in words.
    const refused = await s.page.evaluate(async (id) => {
      const r = await fetch(`/api/maps/${id}/publish`, { method: 'POST', headers: { 'x-scoremap-request': '1', 'content-type': 'application/json' }, body: '{}' });
      return { status: r.status, body: await r.json() };
    }, mapId);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/You are signed in as Sam Sales \(role sales\), and POST \/api\/maps\/.+\/publish needs the editor role or above/);
  });
});
