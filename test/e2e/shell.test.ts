import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

describe.runIf(hasChromium)('the editor shell in a browser', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('takes the token from the link once, keeps it, and shows the maps list', async () => {
    await s.open('/maps');
    await s.page.getByRole('heading', { name: 'Maps' }).waitFor();
    expect(s.page.url()).not.toContain('token=');
    await s.page.reload();
    await s.page.getByRole('heading', { name: 'Maps' }).waitFor();
  });

  it('without a token, says how to get in', async () => {
    const other = await s.context.newPage();
    await other.goto(s.server.url.replace('127.0.0.1', 'localhost')); // another origin: no saved token
    // Without a token or a session: the sign-in page. Nobody has an account on this server yet, so it
    // says so and opens the way in with the token at once.
    await other.getByRole('heading', { name: 'Sign in to Scoremap' }).waitFor();
    await other.getByRole('status').filter({ hasText: 'Nobody has an account yet' }).waitFor();
    await other.getByLabel('Access token').waitFor();
    await other.getByLabel('Access token').fill(s.server.token);
    await other.getByRole('button', { name: 'Open with the token' }).click();
    await other.getByRole('heading', { name: 'Maps' }).waitFor();
    await other.close();
  });
});
