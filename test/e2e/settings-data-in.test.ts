import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/**
 * Settings → Data in in a browser (SPEC §10 "Segment-compatible intake"): a user makes an ingest
 * key and gets the website snippet with it, names one of their events and one trait their way,
 * is told in words what is wrong with a bad row, finds the table kept after a reload, tries a call
 * in the page, and sees a real `/v1/track` recorded by their names.
 */
describe.runIf(hasChromium)('the Data in page', () => {
  let s: Session;
  let base: string;
  let ingestKey = '';
  beforeAll(async () => {
    s = await startSession({ now: '2026-01-05T09:00:00Z', viewport: { width: 1280, height: 900 } });
    base = s.server.url.replace(/\/$/, '');
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    // A field of the user's own for the plan, and a map that counts webinars by the event type.
    await s.api('/fields', { key: 'subscription_plan', label: 'Subscription plan', type: 'text' });
    const map = await s.api('/maps', {
      name: 'Webinar count',
      fields: [{ key: 'webinars', label: 'Webinars', type: 'number' }],
      elements: [
        { id: 'joined', kind: 'trigger', on: { type: 'event', event: 'webinar_attended' }, ifOnMap: 'move_here', next: 'count', position: { x: 0, y: 0 } },
        { id: 'count', kind: 'update_field', field: 'webinars', value: '[Webinars] + 1', next: 'done', position: { x: 0, y: 140 } },
        { id: 'done', kind: 'end', position: { x: 0, y: 280 } },
      ],
    });
    await s.api(`/maps/${map.map.id}/publish`, {});
  });
  afterAll(async () => {
    await s?.close();
  });
  const events = () => s.page.locator('table.mapping.events');
  const traits = () => s.page.locator('table.mapping.traits');
  const lastRow = (table: ReturnType<typeof events>) => table.locator('tr.mapping-row').last();
  const v1 = (route: string, body: unknown) => fetch(`${base}/v1/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${ingestKey}:`).toString('base64')}` },
    body: JSON.stringify(body),
  });

  it('shows the website snippet with a new ingest key, and with a placeholder on the list', async () => {
    await s.open('/settings/keys');
    await s.page.getByText('No API keys yet').waitFor();
    await s.page.getByRole('button', { name: 'New key' }).first().click();
    const dialog = s.page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByLabel('Name', { exact: true }).fill('Segment source');
    await dialog.getByRole('button', { name: 'Make the key' }).click();
    const shown = s.page.getByRole('dialog', { name: 'Your new key: Segment source' });
    ingestKey = (await shown.getByLabel('The new key').innerText()).trim();
    expect(ingestKey).toMatch(/^sm_/);
    expect(await shown.getByLabel('The tracker tag').innerText()).toBe(`<script async src="${base}/t.js" data-key="${ingestKey}"></script>`);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    await shown.waitFor({ state: 'detached' });

    // The list cannot know the secret: the tag names its place, and where the key comes from.
    const snippet = s.page.getByRole('region', { name: 'Website snippet' });
    expect(await snippet.getByLabel('The website snippet').innerText()).toBe(`<script async src="${base}/t.js" data-key="YOUR_INGEST_KEY"></script>`);
    await snippet.getByText(/Replace YOUR_INGEST_KEY with the key of Segment source \(sm_[^)]+…\)\. A key is shown only once/).waitFor();
    await snippet.getByText('data-consent="required"').waitFor();
    await snippet.getByRole('button', { name: 'Copy the tag' }).click();
    expect(await s.page.evaluate(() => navigator.clipboard.readText())).toContain('data-key="YOUR_INGEST_KEY"');
    expect(await s.page.locator('body').innerText()).not.toContain(ingestKey);
    await s.screenshot('settings-keys-snippet');
  });

  it('names an event and a trait, refuses bad rows in words, and keeps the table after a reload', async () => {
    await s.page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Data in' }).click();
    await s.page.getByRole('heading', { name: 'Data in', level: 1 }).waitFor();
    // How to send: this server as the host, an ingest key as the write key.
    expect(await s.page.getByLabel('This server\'s address').innerText()).toBe(base);
    await s.page.getByRole('link', { name: 'Make one in API keys' }).waitFor();
    await events().getByText('No names of your own yet').waitFor();

    // "Webinar Joined" recorded as webinar_attended: typed as the user's own type, prefilled from the name.
    await s.page.getByRole('button', { name: 'Add an event name' }).click();
    let row = lastRow(events());
    await row.getByLabel('Event name as sent').fill('Webinar Joined');
    await row.getByLabel('Recorded as').selectOption({ label: 'Your own type…' });
    expect(await row.getByLabel('Event type').inputValue()).toBe('webinar_joined');
    await row.getByLabel('Event type').fill('webinar_attended');
    // A known type is picked from the list.
    await s.page.getByRole('button', { name: 'Add an event name' }).click();
    row = lastRow(events());
    await row.getByLabel('Event name as sent').fill('Demo Booked');
    await row.getByLabel('Recorded as').selectOption('demo_requested');
    // The trait "plan" written to the user's own field; the protected fields are not offered.
    await s.page.getByRole('button', { name: 'Add a trait' }).click();
    row = lastRow(traits());
    await row.getByLabel('Trait as sent').fill('plan');
    const offered = await row.getByLabel('Written to field').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toContain('subscription_plan');
    expect(offered).toContain('__ignore');
    for (const kept of ['score', 'external_id', 'anonymous_id', 'tags', 'created_at']) expect(offered).not.toContain(kept);
    await row.getByLabel('Written to field').selectOption('subscription_plan');

    // A bad row, found in the page: said under it, nothing is sent.
    await s.page.getByRole('button', { name: 'Add an event name' }).click();
    row = lastRow(events());
    await row.getByLabel('Event name as sent').fill('Signed Up');
    await row.getByLabel('Recorded as').selectOption({ label: 'Your own type…' });
    await row.getByLabel('Event type').fill('Signed Up!');
    await s.page.getByRole('button', { name: 'Save', exact: true }).click();
    await events().getByText('"Signed Up!" is not an event type: lower-case letters, digits, "_" or ".", starting with a letter — write it as signed_up.').waitFor();
    await s.page.getByText('Some rows are not finished').waitFor();
    // A bad row only the server sees: two spellings of one name.
    await row.getByLabel('Event name as sent').fill('webinar-joined');
    await row.getByLabel('Recorded as').selectOption({ label: 'Ignore: not recorded' });
    await s.page.getByRole('button', { name: 'Save', exact: true }).click();
    const refusal = 'Event "webinar-joined" is the same name as "Webinar Joined" (case, spaces and punctuation aside): keep one row';
    await events().locator('tr.row-problem', { hasText: refusal }).waitFor();
    await s.page.locator('p.notice.error', { hasText: `The mapping is not saved: ${refusal}` }).waitFor();
    expect((await s.api('/intake/mapping')).events).toEqual({});
    await s.screenshot('settings-data-in-refused');
    await row.getByRole('button', { name: 'Remove webinar-joined' }).click();
    await events().locator('tr.row-problem').waitFor({ state: 'detached' });

    await s.page.getByRole('button', { name: 'Save', exact: true }).click();
    await s.page.getByRole('status').getByText('Saved: calls from now on use these names.').waitFor();
    expect(await s.api('/intake/mapping')).toMatchObject({
      events: { 'Webinar Joined': 'webinar_attended', 'Demo Booked': 'demo_requested' },
      traits: { plan: 'subscription_plan' },
    });

    await s.page.reload();
    await lastRow(traits()).waitFor();
    const names = await events().getByLabel('Event name as sent').evaluateAll((is) => is.map((i) => (i as HTMLInputElement).value));
    expect(names).toEqual(['Webinar Joined', 'Demo Booked']);
    expect(await events().getByLabel('Event type').inputValue()).toBe('webinar_attended');
    expect(await lastRow(events()).getByLabel('Recorded as').inputValue()).toBe('demo_requested');
    expect(await lastRow(traits()).getByLabel('Trait as sent').inputValue()).toBe('plan');
    expect(await lastRow(traits()).getByLabel('Written to field').inputValue()).toBe('subscription_plan');
    expect(await s.page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
  });

  it('tries a call in the page, then records a real /v1/track by the names', async () => {
    const tryIt = s.page.getByRole('region', { name: 'Try it' });
    await tryIt.getByRole('button', { name: 'Use an example' }).click();
    await tryIt.getByRole('button', { name: 'Try it' }).click();
    const result = tryIt.getByLabel('What it becomes');
    await result.getByText('Scoremap would take this call:').waitFor();
    const call = result.locator('.preview-call');
    await call.getByText('webinar_attended', { exact: true }).waitFor();
    await call.getByText('(by your table)').waitFor();
    await call.getByText('Subscription plan = pro').waitFor();
    await call.getByText('a new contact').waitFor();
    await s.screenshot('settings-data-in');
    // The whole page for the docs: the app scrolls inside itself, so a tall window shows it all.
    await s.page.setViewportSize({ width: 1280, height: 1380 });
    await s.page.mouse.move(1270, 1370);
    await s.page.locator('main.page').evaluate((el) => el.scrollTo(0, 0));
    await s.page.screenshot({ path: 'docs/settings-data-in.png' });
    await s.page.setViewportSize({ width: 1280, height: 900 });
    expect((await s.api('/contacts')).total).toBe(0);

    // What /v1 would refuse is said, with its place.
    await tryIt.getByLabel('Segment call (JSON)').fill('{ "batch": [ { "type": "track", "userId": "u-1" } ] }');
    await tryIt.getByRole('button', { name: 'Try it' }).click();
    await result.getByText('/v1/batch would refuse it').waitFor();
    await result.getByText('a track call needs an "event" name').waitFor();

    // The real thing: Segment's HTTP API with the ingest key, then the API shows what was recorded.
    const r = await v1('track', { userId: 'u-42', event: 'Webinar Joined', messageId: 'm-1', context: { traits: { email: 'ann@example.com', plan: 'pro' } } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ success: true });
    await expect.poll(async () => (await s.api('/contacts')).contacts[0]?.fields).toMatchObject({
      external_id: 'u-42', email: 'ann@example.com', subscription_plan: 'pro', webinars: 1,
    });
    const [ann] = (await s.api('/contacts')).contacts;
    const history = (await s.api(`/contacts/${ann.id}/history?field=webinars`)).history;
    expect(history).toEqual([expect.objectContaining({ field: 'webinars', to: 1 })]);

    // Tried again, the call finds Ann.
    await tryIt.getByRole('button', { name: 'Use an example' }).click();
    await tryIt.getByLabel('Segment call (JSON)').fill(JSON.stringify({ userId: 'u-42', event: 'Webinar Joined' }));
    await tryIt.getByRole('button', { name: 'Try it' }).click();
    await result.getByText(`the contact ${ann.id} (found by userId)`).waitFor();
  });
});
