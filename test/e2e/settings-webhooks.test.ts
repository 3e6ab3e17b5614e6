import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, startSession, type Session } from './harness.js';

/** What the test's receiver got: each post, as it came. */
interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A receiver on 127.0.0.1 that records every post and answers with the status the test sets. */
async function startReceiver() {
  const received: Received[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: state.status < 300, seen: received.length }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/scoremap`;
  return { url, received, state, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/**
 * Settings → Webhooks in a browser (SPEC §10 "Webhooks out"): a user makes a webhook to a
 * receiver, sends a test and sees the 2xx in the log, pauses and resumes it, sees the delivery a
 * score change makes, opens it, and redelivers it; a receiver that keeps failing gets the
 * subscription disabled, and the page says so and how to re-enable it.
 */
describe.runIf(hasChromium)('the webhooks page', () => {
  let s: Session;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let hookId = '';
  let secret = '';
  let contactId = '';
  beforeAll(async () => {
    rx = await startReceiver();
    s = await startSession({ now: '2026-01-05T09:00:00Z' });
    contactId = (await s.api('/contacts', { fields: { email: 'ann@example.com', first_name: 'Ann', company: 'Acme' } })).id;
    mkdirSync('/tmp/scoremap-shots', { recursive: true });
  });
  afterAll(async () => {
    await s?.close();
    await rx?.close();
  });
  const shot = async (name: string) => {
    await s.screenshot(name);
    await s.page.screenshot({ path: `/tmp/scoremap-shots/${name}.png` });
  };
  const log = () => s.page.getByRole('region', { name: 'Deliveries' });
  const logRow = (text: string | RegExp) => log().locator('tbody tr', { hasText: text });
  /** Refreshes the log until a row with `text` shows `status`. */
  const waitForRow = async (text: string | RegExp, status: string) => {
    await expect.poll(async () => {
      await log().getByRole('button', { name: 'Refresh' }).click();
      const r = logRow(text).filter({ hasText: status });
      return r.count();
    }).toBeGreaterThan(0);
  };
  const verify = (r: Received) => new Verifier(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; id: string };

  it('makes a webhook with its events and a field filter, and opens its page with the secret', async () => {
    await s.open('/settings/webhooks');
    await s.page.getByText('No webhooks yet').waitFor();
    await s.page.getByRole('button', { name: 'New webhook' }).first().click();
    const dialog = s.page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('Name', { exact: true }).fill('CRM sync');
    await dialog.getByLabel('URL that receives the deliveries').fill('crm.example.com');
    // Each event is offered with what it means.
    await dialog.getByText('A contact moved to another bracket of a scoring model').waitFor();
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    await dialog.getByText('"crm.example.com" is not a web address').waitFor();
    await dialog.getByText('Choose at least one event.').waitFor();
    expect((await s.api('/webhooks')).webhooks).toEqual([]);

    await dialog.getByLabel('URL that receives the deliveries').fill(rx.url);
    await dialog.getByRole('checkbox', { name: /^score\.changed/ }).check();
    await dialog.getByRole('checkbox', { name: /^contact\.updated/ }).check();
    // contact.updated can be narrowed to some fields, with the field picker.
    await dialog.getByLabel('Add a field').selectOption('company');
    await dialog.getByRole('list', { name: 'Chosen fields' }).getByText('Company').waitFor();
    await dialog.getByText('Slack incoming-webhook URL').waitFor();
    await shot('settings-webhooks-form');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();

    await expect.poll(() => s.page.url()).toMatch(/#\/settings\/webhooks\/[^/]+$/);
    hookId = decodeURIComponent(s.page.url().split('#/settings/webhooks/')[1]);
    const made = await s.api(`/webhooks/${hookId}`);
    expect(made).toMatchObject({ name: 'CRM sync', url: rx.url, format: 'json', status: 'active', fields: ['company'] });
    expect([...made.events].sort()).toEqual(['contact.updated', 'score.changed']);
    await s.page.getByRole('heading', { name: 'CRM sync' }).waitFor();

    // The secret is hidden until revealed, and is the one deliveries are signed with.
    const shown = s.page.getByLabel('The signing secret');
    expect(await shown.innerText()).not.toBe(made.secret);
    await s.page.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => shown.innerText()).toBe(made.secret);
    secret = made.secret;
    expect(secret).toMatch(/^whsec_/);
  });

  it('sends a test: the answer\'s status, time and body on the page, a signed post at the receiver, a line in the log', async () => {
    await s.page.getByRole('button', { name: 'Send a test' }).click();
    const result = s.page.locator('.test-result');
    await result.getByText('The test was delivered').waitFor();
    expect(await result.innerText()).toMatch(/200 in [\d,]+ ms/);
    await result.getByText('{"ok":true,"seen":1}').waitFor();
    expect(rx.received).toHaveLength(1);
    expect(verify(rx.received[0]).type).toBe('webhook.test');
    await waitForRow('webhook.test', 'delivered');
    await logRow('webhook.test').getByText('200', { exact: true }).waitFor();
  });

  it('pauses and resumes', async () => {
    await s.page.getByRole('button', { name: 'Pause' }).click();
    await s.page.locator('.page-head .badge', { hasText: 'paused' }).waitFor();
    await s.page.getByText('new events are not queued for it').waitFor();
    expect((await s.api(`/webhooks/${hookId}`)).status).toBe('paused');
    await s.open('/settings/webhooks');
    await s.page.locator('table.webhooks tbody tr', { hasText: 'CRM sync' }).getByText('paused', { exact: true }).waitFor();
    await s.page.getByRole('button', { name: 'Resume CRM sync' }).click();
    await s.page.locator('table.webhooks tbody tr', { hasText: 'CRM sync' }).getByText('active', { exact: true }).waitFor();
    expect((await s.api(`/webhooks/${hookId}`)).status).toBe('active');

    // Beside a paused Slack one, as the list shows them.
    const slack = await s.api('/webhooks', { name: 'Sales channel', url: 'https://hooks.slack.com/services/T000/B000/XXXX', events: ['map.webhook'], format: 'slack' });
    await s.api(`/webhooks/${slack.id}`, { status: 'paused' }, 'PATCH');
    await s.page.reload();
    await s.page.locator('table.webhooks tbody tr', { hasText: 'Sales channel' }).getByText('Slack', { exact: true }).waitFor();
    await s.page.locator('table.webhooks tbody tr', { hasText: 'Sales channel' }).getByText(/^Paused .*: no new deliveries until it is resumed$/).waitFor();
    await shot('settings-webhooks-list');
    await s.api(`/webhooks/${slack.id}`, undefined, 'DELETE');
  });

  it('shows the delivery a score change makes, its payload and attempts, and redelivers it', async () => {
    await s.api(`/contacts/${contactId}`, { fields: { score: 80 } }, 'PATCH');
    await s.open(`/settings/webhooks/${encodeURIComponent(hookId)}`);
    await waitForRow('score.changed', 'delivered');
    const line = logRow('score.changed');
    await line.getByRole('link', { name: contactId }).waitFor();
    expect(await line.getByRole('link', { name: contactId }).getAttribute('href')).toBe(`#/contacts/${encodeURIComponent(contactId)}`);
    const posted = rx.received.map(verify).find((p) => p.type === 'score.changed')!;
    expect(posted).toBeTruthy();
    await shot('settings-webhooks');

    // Filter: only failed ones, none; all again.
    await log().getByLabel('Show').selectOption('failed');
    await log().getByText('No failed deliveries.').waitFor();
    await log().getByLabel('Show').selectOption('');
    await logRow('score.changed').waitFor();

    await line.getByRole('button', { name: /^Details of score\.changed/ }).click();
    const detail = s.page.getByRole('dialog', { name: 'Delivery of score.changed' });
    const payload = JSON.parse(await detail.locator('pre.payload').innerText());
    expect(payload).toMatchObject({ id: posted.id, type: 'score.changed', contact: { id: contactId }, change: { field: 'score', to: 80 } });
    await detail.locator('table.attempts tbody tr').first().getByText('200', { exact: true }).waitFor();
    await shot('settings-webhooks-delivery');
    const before = rx.received.length;
    await detail.getByRole('button', { name: 'Redeliver' }).click();
    await detail.getByText('Queued again').waitFor();
    await s.page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    // Sent again with the same id: a receiver can drop the repeat.
    await expect.poll(async () => {
      await s.api('/clock/advance', { ms: 1_000 });
      return rx.received.length;
    }).toBeGreaterThan(before);
    expect(verify(rx.received[rx.received.length - 1]).id).toBe(posted.id);
    await waitForRow('score.changed', 'delivered');
    expect(await logRow('score.changed').locator('td').nth(4).innerText()).toBe('2');
  });

  it('says when the receiver refuses a test', async () => {
    rx.state.status = 500;
    await s.page.getByRole('button', { name: 'Send a test' }).click();
    const result = s.page.locator('.test-result');
    await result.getByText('The test was not accepted').waitFor();
    expect(await result.innerText()).toMatch(/500 in [\d,]+ ms/);
    await result.getByText('must answer with a 2xx').waitFor();
    rx.state.status = 200;
  });

  it('says a webhook failing for 3 days is disabled, and re-enables it', async () => {
    rx.state.status = 503;
    await s.api(`/contacts/${contactId}`, { fields: { score: 90 } }, 'PATCH');
    // The sender retries for 3 days (at the end every 6 hours), then disables the webhook. The
    // clock moves 6 hours at a time, each time after the receiver got the last try.
    const tries = async () => (await s.api(`/webhooks/${hookId}/deliveries?status=pending`)).deliveries
      .reduce((n: number, d: { attempts: number }) => n + d.attempts, 0) as number;
    await expect.poll(tries).toBeGreaterThan(0);
    for (let i = 0; i < 30 && (await s.api(`/webhooks/${hookId}`)).status !== 'disabled'; i++) {
      const before = rx.received.length;
      await s.api('/clock/advance', { ms: 6 * 3_600_000 });
      await expect.poll(async () => rx.received.length > before || (await s.api(`/webhooks/${hookId}`)).status === 'disabled').toBe(true);
    }
    await expect.poll(async () => (await s.api(`/webhooks/${hookId}`)).status).toBe('disabled');
    await s.open('/settings/webhooks');
    await s.page.getByText('disabled after failing for 3 days').waitFor();
    await s.open(`/settings/webhooks/${encodeURIComponent(hookId)}`);
    const banner = s.page.locator('.banner');
    await banner.getByText('every delivery to it failed for 3 days').waitFor();
    await banner.getByText('then press Re-enable').waitFor();
    await banner.getByText('Last problem: HTTP 503').waitFor();
    await shot('settings-webhooks-disabled');
    rx.state.status = 200;
    await banner.getByRole('button', { name: 'Re-enable' }).click();
    await banner.waitFor({ state: 'detached' });
    await s.page.locator('.page-head .badge', { hasText: 'active' }).waitFor();
    expect((await s.api(`/webhooks/${hookId}`)).status).toBe('active');
    await logRow('score.changed').filter({ hasText: 'failed' }).waitFor();
    await shot('settings-webhooks-reenabled');
  });

  it('deletes after asking', async () => {
    await s.page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = s.page.getByRole('dialog', { name: 'Delete "CRM sync"?' });
    await confirm.getByText('cannot be undone').waitFor();
    await confirm.getByRole('button', { name: 'Delete webhook' }).click();
    await expect.poll(() => s.page.url()).toMatch(/#\/settings\/webhooks$/);
    await s.page.getByText('No webhooks yet').waitFor();
    expect((await s.api('/webhooks')).webhooks).toEqual([]);
  });
});
