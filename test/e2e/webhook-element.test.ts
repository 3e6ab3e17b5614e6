import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, SCREENSHOTS, startSession, STEP_TIMEOUT, type Session } from './harness.js';

/** A demo request opens the map; the test adds the webhook between the trigger and the End. */
const map = {
  name: 'Tell sales about demo requests',
  elements: [
    { id: 'demo', kind: 'trigger', label: 'Asked for a demo', on: { type: 'event', event: 'demo_requested' }, position: { x: 0, y: 0 } },
    { id: 'done', kind: 'end', label: 'End', position: { x: 320, y: 320 } },
  ],
};

/**
 * The webhook element in the editor (SPEC §10 "The seventh element"): added from the palette, set
 * up in the inspector (a subscription, or a URL of its own; the format; a message with fields and
 * its preview), drawn with its words (the subscription by name), and counted on the canvas once
 * published. The subscriptions are made through the server's own `POST /api/webhooks`.
 */
describe.runIf(hasChromium)('the webhook element in a browser', () => {
  let s: Session;
  let mapId: string;
  let receiver: { url: string; close(): Promise<void> };
  const node = (id: string) => s.page.locator(`.react-flow__node[data-id="${id}"]`);
  const inspector = () => s.page.locator('section.inspector');
  const saved = () => s.page.locator('.save-state', { hasText: 'All changes saved' }).waitFor();
  async function shoot(name: string, what: Locator = s.page.locator('.editor-right')) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await what.screenshot({ path: `${SCREENSHOTS}${name}.png` });
  }
  async function center(l: Locator) {
    const b = (await l.boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }
  async function connect(from: string, outlet: string, to: string) {
    const a = await center(node(from).locator(`.react-flow__handle[data-handleid="${outlet}"]`));
    const b = await center(node(to).locator('.react-flow__handle[data-handleid="in"]'));
    await s.page.mouse.move(a.x, a.y);
    await s.page.mouse.down();
    await s.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await s.page.mouse.move(b.x, b.y, { steps: 5 });
    await s.page.mouse.up();
  }

  beforeAll(async () => {
    // Where the element posts: nothing here ever leaves the machine.
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    receiver = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sales`, close: () => new Promise((done) => server.close(() => done())) };
    s = await startSession();
    mapId = (await s.api('/maps', map)).map.id;
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('is added from the palette below the selection, and says where to make a webhook when there is none', async () => {
    await s.open(`/maps/${mapId}`);
    await node('demo').locator('.el-title').click();
    const item = s.page.locator('.palette-item[data-kind="webhook"]');
    expect(await item.innerText()).toContain('Webhook');
    await item.click();
    await node('webhook-1').waitFor();
    await inspector().getByRole('heading', { name: 'Webhook' }).waitFor();
    const empty = inspector().getByText('No webhooks yet — create one in');
    await empty.waitFor();
    expect(await inspector().getByRole('link', { name: 'Settings → Webhooks' }).getAttribute('href')).toBe('#/settings/webhooks');
    // Validation asks for a target, on the canvas and in the panel.
    await expect.poll(() => node('webhook-1').locator('.el-node').getAttribute('class')).toContain('has-errors');
    await inspector().getByText('Say where to send it: pick a webhook, or give a URL of its own').waitFor();
    // A new element has no `next` yet: the panel still says what it lacks.
    await inspector().locator('.insp-outlets').getByText("'What happens next?' is empty — connect it or add an End").waitFor();
    await shoot('webhook-inspector-empty');
  });

  it('posts to a URL of its own with a message whose fields are checked as typed and previewed', async () => {
    await inspector().getByLabel('A URL of its own').check();
    const url = inspector().getByLabel('URL', { exact: true });
    await url.fill('hooks.example.com/x');
    await url.press('Enter');
    await inspector().getByText('is not a URL: write the whole address').waitFor();
    await url.fill(receiver.url);
    await url.press('Enter');
    await expect.poll(() => node('webhook-1').innerText()).toContain('Post to 127.0.0.1');

    await inspector().getByLabel('Format').selectOption('slack');
    const message = inspector().getByLabel('Message');
    await message.fill('🔥 [Frist name]');
    expect(await message.getAttribute('aria-invalid')).toBe('true');
    await inspector().getByText('Unknown field [Frist name] at character 4').waitFor();
    expect(await inspector().locator('pre.insp-caret').innerText()).toContain('^');

    await message.fill('🔥 ');
    await message.press('End');
    await inspector().getByRole('button', { name: 'Insert field' }).click();
    await s.page.getByRole('searchbox', { name: 'Find a field' }).fill('first');
    await s.page.getByRole('searchbox', { name: 'Find a field' }).press('Enter');
    await expect.poll(() => message.inputValue()).toBe('🔥 [First name]');
    await message.press('End');
    await message.pressSequentially(' reached [Score] — [Email]');
    expect(await message.getAttribute('aria-invalid')).toBe('false');
    await inspector().getByText('🔥 Ann reached 82 — ann.lee@example.com').waitFor();
    await expect.poll(() => node('webhook-1').innerText()).toContain('Post to 127.0.0.1');
    await shoot('webhook-inspector-url');
  });

  it('picks a subscription by name and URL, its format applying unless the element sets one', async () => {
    // Nothing is ever posted to these: only an element naming one sends to it, and the run below uses the URL.
    const hook = (name: string, url: string, format: 'json' | 'slack') => s.api('/webhooks', { name, url, events: ['map.webhook'], format });
    await hook('Sales channel', 'https://hooks.slack.com/services/T/B/sales', 'slack');
    const crm = (await hook('CRM', 'https://crm.example.com/in', 'json')).id as string;
    // The list is read when the element is opened.
    await node('demo').locator('.el-title').click();
    await node('webhook-1').locator('.el-title').click();
    await inspector().getByLabel('A webhook from Settings').check();
    const picker = inspector().getByLabel('Webhook', { exact: true });
    await picker.selectOption(crm);
    expect(await picker.locator('option:checked').innerText()).toBe('CRM — https://crm.example.com/in');
    await inspector().getByText('Posts to https://crm.example.com/in').waitFor();
    await inspector().getByLabel('Format').selectOption('');
    expect(await inspector().getByLabel('Format').locator('option:checked').innerText()).toBe('As the webhook says (JSON)');
    await expect.poll(() => node('webhook-1').innerText()).toContain('Send to CRM: 🔥 [First name] reached [Score]');
    await shoot('webhook-inspector-subscription');
    await shoot('webhook-canvas-subscription', s.page.locator('.editor-canvas'));

    // A fresh editor names it on the canvas alone, the inspector closed; a deleted one says so in red.
    await s.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await s.page.keyboard.press('Control+s');
    await saved();
    await s.page.reload();
    await expect.poll(() => node('webhook-1').innerText()).toContain('Send to CRM: 🔥 [First name] reached [Score]');
    expect(await inspector().getByRole('heading', { name: 'Webhook' }).count()).toBe(0);
    await s.api(`/webhooks/${crm}`, undefined, 'DELETE');
    await s.page.reload();
    const words = node('webhook-1').locator('.el-words');
    await expect.poll(() => words.innerText()).toContain('Send to a deleted webhook: 🔥 [First name] reached [Score]');
    expect(await words.getAttribute('class')).toContain('danger');
    await shoot('webhook-canvas-deleted', s.page.locator('.editor-canvas'));
    await node('webhook-1').locator('.el-title').click();

    // Back to the URL of its own for the run below: a subscription's existence is the server's to check.
    await inspector().getByLabel('A URL of its own').check();
    const url = inspector().getByLabel('URL', { exact: true });
    await url.fill(receiver.url);
    await url.press('Enter');
    await connect('webhook-1', 'next', 'done');
    await s.page.getByText('No problems').waitFor();
    await s.page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } }); // focus off the inputs
    await s.page.keyboard.press('Control+s');
    await saved();
    const doc = (await s.api(`/maps/${mapId}`)).map.doc;
    expect(doc.elements.find((e: { id: string }) => e.id === 'demo').next).toBe('webhook-1');
    expect(doc.elements.find((e: { id: string }) => e.id === 'webhook-1')).toMatchObject({
      kind: 'webhook', url: receiver.url, message: '🔥 [First name] reached [Score] — [Email]', next: 'done',
    });
    expect(doc.elements.find((e: { id: string }) => e.id === 'webhook-1').webhook).toBeUndefined();
  });

  it('counts the contacts that passed it, once published', async () => {
    await s.page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = s.page.getByRole('dialog', { name: 'Publish version 1' });
    await dialog.getByRole('button', { name: 'Publish version 1' }).click();
    await s.page.locator('.editor-toolbar .badge', { hasText: 'Published · v1' }).waitFor();
    await s.api('/events', { contact: { email: 'ann@example.com' }, type: 'demo_requested' });
    await s.api('/events', { contact: { email: 'bob@example.com' }, type: 'demo_requested' });
    expect((await s.api(`/maps/${mapId}/stats`)).elements['webhook-1']).toMatchObject({ hereNow: 0, wereHere: 2 });
    await s.page.getByRole('button', { name: 'Performance' }).click();
    await expect.poll(() => node('webhook-1').innerText(), { timeout: STEP_TIMEOUT }).toContain('0 now · 2 total');
    await shoot('webhook-canvas-performance', s.page.locator('.editor-canvas'));
  });
});
