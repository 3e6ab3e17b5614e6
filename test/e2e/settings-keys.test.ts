import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * Settings → API keys in a browser (SPEC §10 "Keys"): a user makes an ingest key for a website,
 * sees its secret once with the tracker's tag, finds it in the list without the secret, changes its
 * websites, and revokes it.
 */
describe.runIf(hasChromium)('the API keys page', () => {
  let s: Session;
  let base: string;
  /** The ingest key made in the first test. */
  let trackerKey = '';
  beforeAll(async () => {
    s = await startSession({ now: '2026-01-05T09:00:00Z' });
    base = s.server.url.replace(/\/$/, '');
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  });
  afterAll(async () => {
    await s?.close();
  });
  const row = (name: string) => s.page.locator('table.keys tbody tr', { hasText: name });
  /** A request with a key instead of the start-up token. */
  const withKey = (key: string, path: string, body?: unknown) => fetch(`${base}/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  it('makes an ingest key, shows its secret once with the tracker tag, lists it without the secret', async () => {
    await s.open('/settings');
    await s.page.getByText('No API keys yet').waitFor();
    await s.page.getByRole('button', { name: 'New key' }).first().click();
    const dialog = s.page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByLabel('Name', { exact: true }).fill('Website tracker');
    // Ingest is offered first, chosen, and says what it can do.
    expect(await dialog.getByRole('radio', { name: /^Ingest/ }).isChecked()).toBe(true);
    await dialog.getByText('Safe to put in a web page').waitFor();
    await dialog.getByRole('radio', { name: /^Admin/ }).check();
    await dialog.getByText('never in a web page').waitFor();
    expect(await dialog.getByLabel('Websites allowed to use it from a browser').count()).toBe(0);
    await dialog.getByRole('radio', { name: /^Ingest/ }).check();

    // A website with a path is not an origin: said, and nothing is made.
    const origins = dialog.getByLabel('Websites allowed to use it from a browser');
    await origins.fill('https://www.example.com/shop');
    await dialog.getByRole('button', { name: 'Make the key' }).click();
    await dialog.getByText('"https://www.example.com/shop" has a path').waitFor();
    expect((await s.api('/keys')).keys).toEqual([]);
    await origins.fill('https://www.example.com');
    await dialog.getByRole('button', { name: 'Make the key' }).click();

    const shown = s.page.getByRole('dialog', { name: 'Your new key: Website tracker' });
    await shown.getByText('it will not be shown again').waitFor();
    const secret = (await shown.getByLabel('The new key').innerText()).trim();
    expect(secret).toMatch(/^sm_/);
    trackerKey = secret;
    const tag = await shown.getByLabel('The tracker tag').innerText();
    expect(tag).toBe(`<script async src="${base}/t.js" data-key="${secret}"></script>`);
    await shown.getByText('The key is needed in it').waitFor();
    await shown.getByRole('button', { name: 'Copy the key' }).click();
    await shown.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await s.page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await s.screenshot('settings-keys-secret');
    mkdirSync('/tmp/scoremap-shots', { recursive: true });
    await s.page.screenshot({ path: '/tmp/scoremap-shots/settings-keys-secret.png' });
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });

    // The list: scope in words, the first characters, never used; the secret is nowhere on the page.
    const line = row('Website tracker');
    await line.waitFor();
    await line.getByText('ingest', { exact: true }).waitFor();
    await line.getByText('Websites: https://www.example.com').waitFor();
    const [listed] = (await s.api('/keys')).keys;
    expect(listed).toMatchObject({ name: 'Website tracker', scope: 'ingest', origins: ['https://www.example.com'], lastUsedAt: null });
    expect(secret.startsWith(listed.prefix)).toBe(true);
    expect(await line.locator('code.key-prefix').innerText()).toBe(`${listed.prefix}…`);
    expect(await line.locator('td').nth(4).innerText()).toBe('never');
    expect(await s.page.locator('body').innerText()).not.toContain(secret);

    // Used, the key says when: the server's clock, shown from its own now.
    expect((await withKey(secret, '/events', [{ id: 'k-1', contact: { email: 'ann@example.com' }, type: 'page_visited' }])).status).toBeLessThan(300);
    expect((await s.api('/keys')).keys[0].lastUsedAt).toBe('2026-01-05T09:00:00.000Z');
    await s.api('/clock/advance', { ms: 3 * 60_000 });
    await s.page.reload();
    await expect.poll(() => row('Website tracker').locator('td').nth(4).innerText()).toBe('3 minutes ago');
  });

  it('makes a read key and an admin key, and shows the list as a user sees it', async () => {
    for (const [name, scope] of [['Metabase dashboard', 'Read'], ['Deploy scripts', 'Admin']] as const) {
      await s.page.getByRole('button', { name: 'New key' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New API key' });
      await dialog.getByLabel('Name', { exact: true }).fill(name);
      await dialog.getByRole('radio', { name: new RegExp(`^${scope}`) }).check();
      await dialog.getByRole('button', { name: 'Make the key' }).click();
      const shown = s.page.getByRole('dialog', { name: `Your new key: ${name}` });
      await shown.getByText('it will not be shown again').waitFor();
      // Only an ingest key goes in a web page: no tracker tag for the others.
      expect(await shown.getByLabel('The tracker tag').count()).toBe(0);
      await s.page.keyboard.press('Escape');
      await shown.waitFor({ state: 'detached' });
      await row(name).waitFor();
    }
    await row('Metabase dashboard').getByText('Changes nothing').waitFor();
    await s.screenshot('settings-keys');
    await s.page.screenshot({ path: '/tmp/scoremap-shots/settings-keys.png' });
  });

  it('changes the websites of an ingest key, and revokes it after asking', async () => {
    await row('Website tracker').getByRole('button', { name: 'Edit Website tracker' }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Edit "Website tracker"' });
    await dialog.getByLabel('Websites allowed to use it from a browser').fill('https://www.example.com\nhttps://Shop.Example.com/');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('Website tracker').getByText('Websites: https://www.example.com, https://shop.example.com').waitFor();
    const key = (await s.api('/keys')).keys.find((k: { name: string }) => k.name === 'Website tracker');
    expect(key.origins).toEqual(['https://www.example.com', 'https://shop.example.com']);

    await row('Website tracker').getByRole('button', { name: 'Revoke Website tracker' }).click();
    const confirm = s.page.getByRole('dialog', { name: 'Revoke "Website tracker"?' });
    await confirm.getByText('cannot be undone').waitFor();
    // The safe choice has the focus: Enter cancels.
    await s.page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    expect((await s.api('/keys')).keys).toHaveLength(3);
    await row('Website tracker').getByRole('button', { name: 'Revoke Website tracker' }).click();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await row('Website tracker').waitFor({ state: 'detached' });
    expect((await s.api('/keys')).keys.map((k: { name: string }) => k.name).sort()).toEqual(['Deploy scripts', 'Metabase dashboard']);
    // Revoked means refused at once.
    expect((await withKey(trackerKey, '/events', [{ id: 'k-2', contact: { email: 'ann@example.com' }, type: 'page_visited' }])).status).toBe(401);
  });
});
