import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatSimulation, main } from './cli.js';
import { setup } from './routes/testing.js';
import { simulate } from './simulate.js';

/** Score events add 40 points; crossing 75 posts a message to `url` (or through subscription `wh_sales`). */
const notifyMap = (target: { url: string } | { webhook: string }, format?: 'json' | 'slack') => ({
  name: 'Notify',
  elements: [
    { id: 'points', kind: 'trigger', on: { type: 'event', event: 'demo_requested' }, next: 'add' },
    { id: 'add', kind: 'update_field', field: 'score', value: '[Score] + 40', next: 'stop' },
    { id: 'stop', kind: 'end' },
    { id: 'hot', kind: 'trigger', on: { type: 'field_updated', field: 'score', where: { field: 'score', op: 'crossed_above', value: 75 } }, next: 'notify' },
    { id: 'notify', kind: 'webhook', ...target, ...(format ? { format } : {}), message: '🔥 [First name] reached [Score] — [Email]', next: 'done' },
    { id: 'done', kind: 'end' },
  ],
});

const scenario = (maps: unknown[], expect: unknown[] = []) => ({
  start: '2026-01-01T00:00:00Z',
  until: '2026-01-02T00:00:00Z',
  maps,
  contacts: [
    { id: 'ann', fields: { email: 'ann@example.com', first_name: 'Ann' } },
    { id: 'bob', fields: { email: 'bob@example.com', first_name: 'Bob', score: 80 } },
  ],
  events: ['ann', 'bob'].flatMap((id) => [
    { contact: { id }, type: 'demo_requested', at: '2026-01-01T10:00:00Z' },
    { contact: { id }, type: 'demo_requested', at: '2026-01-01T11:00:00Z' },
  ]),
  expect,
});

/** A receiver on 127.0.0.1 that counts what it is sent. */
async function receiver() {
  const got: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    got.push(req);
    res.end('ok');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, close: () => new Promise<void>((done) => server.close(() => done())) };
}

describe('simulating webhook elements', () => {
  it('records each delivery it would make (contact, time, map, element, target, format, message) and sends none', async () => {
    const hook = await receiver();
    try {
      const r = await simulate(scenario([notifyMap({ url: hook.url }, 'slack')]));
      // ann: 40, then 80 at 11:00 crosses 75; bob was created above 75: never announced.
      expect(r.webhooks).toEqual([{
        contact: 'ann', at: '2026-01-01T11:00:00.000Z', map: 'map-1', element: 'notify',
        url: hook.url, format: 'slack', message: '🔥 Ann reached 80 — ann@example.com',
      }]);
      expect(r.errors).toEqual([]);
      expect(hook.got).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('names the subscription, with no format of its own when the element sets none (the subscription says)', async () => {
    const r = await simulate(scenario([notifyMap({ webhook: 'wh_sales' })]));
    expect(r.webhooks).toEqual([expect.objectContaining({ contact: 'ann', webhook: 'wh_sales', format: null, message: '🔥 Ann reached 80 — ann@example.com' })]);
    expect(r.webhooks[0]).not.toHaveProperty('url');
  });

  it('checks expectations on the number of webhooks a contact got by a moment, of one element if named', async () => {
    const r = await simulate(scenario([notifyMap({ webhook: 'wh_sales' })], [
      { contact: 'ann', at: '2026-01-01T10:30:00Z', webhooks: 0 },
      { contact: 'ann', at: '2026-01-01T11:00:00Z', webhooks: 1, element: 'notify' },
      { contact: 'ann', at: '2026-01-01T11:00:00Z', webhooks: 0, element: 'add' },
      { contact: 'bob', at: '2026-01-02T00:00:00Z', webhooks: 0 },
      { contact: 'bob', at: '2026-01-02T00:00:00Z', webhooks: 1 },
    ]));
    expect(r.expectations.map((x) => [x.contact, x.actual, x.pass])).toEqual([
      ['ann', 0, true], ['ann', 1, true], ['ann', 0, true], ['bob', 0, true], ['bob', 0, false],
    ]);
  });

  it('explains a malformed webhooks expectation by what it lacks, not "fits neither"', async () => {
    const bad = scenario([], [{ contact: 'ann', at: '2026-01-01T10:00:00Z', webhooks: 'one' }]);
    await expect(simulate(bad)).rejects.toThrow(/expect\.0\.webhooks: .*expected number/);
    const noEquals = scenario([], [{ contact: 'ann', at: '2026-01-01T10:00:00Z', field: 'score' }]);
    await expect(simulate(noEquals)).rejects.toThrow(/expect\.0\.equals: /);
  });

  it('the CLI prints the deliveries under their own heading, and webhook expectations in words', async () => {
    const r = await simulate(scenario([notifyMap({ url: 'https://example.com/in' }, 'slack')], [
      { contact: 'ann', at: '2026-01-01T11:00:00Z', webhooks: 1, element: 'notify' },
    ]));
    const text = formatSimulation(r);
    expect(text).toContain('Webhooks (recorded, not sent)\n  2026-01-01T11:00:00.000Z  ann          map-1 notify → https://example.com/in (slack): 🔥 Ann reached 80 — ann@example.com\n');
    expect(text).toContain('pass  ann webhooks of notify by 2026-01-01T11:00:00Z: expected 1, got 1');
    let out = '';
    expect(await main(['simulate', '--help'], (s) => (out += s), () => {})).toBe(0);
    expect(out).toMatch(/"webhooks": 1/);
  });

  it('POST /api/simulate answers the webhooks list, and a failed webhooks expectation', async () => {
    const b = await setup();
    const res = await b.send('POST', '/api/simulate', scenario([notifyMap({ webhook: 'wh_sales' }, 'json')], [
      { contact: 'ann', at: '2026-01-01T11:00:00Z', webhooks: 2 },
    ]));
    expect(res.status).toBe(200);
    expect(res.body.webhooks).toEqual([expect.objectContaining({ contact: 'ann', element: 'notify', webhook: 'wh_sales', format: 'json' })]);
    expect(res.body.expectations).toEqual([expect.objectContaining({ webhooks: 2, actual: 1, pass: false })]);
  });
});
