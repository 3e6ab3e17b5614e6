import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';

/** A map whose element sends through subscription `webhook` when a demo is requested. */
function demoMap(webhook: string) {
  return {
    name: 'Tell sales about demos',
    elements: [
      { id: 'demo', kind: 'trigger', label: 'Asked for a demo', on: { type: 'event', event: 'demo_requested' }, next: 'tell', position: { x: 0, y: 0 } },
      { id: 'tell', kind: 'webhook', label: 'Tell sales', webhook, message: '[Email] wants a demo', next: 'done', position: { x: 0, y: 140 } },
      { id: 'done', kind: 'end', label: 'End', position: { x: 0, y: 280 } },
    ],
  };
}

async function withMap(webhook: string) {
  const t = await setup();
  const made = await t.send('POST', '/api/maps', demoMap(webhook));
  expect(made.status).toBe(201);
  return { ...t, mapId: made.body.map.id as string };
}

const hook = { name: 'Sales', url: 'http://127.0.0.1:9/hook', events: ['map.webhook'] };

describe('a webhook element names a subscription', () => {
  it('that does not exist: validation says so and publishing is refused with the element named', async () => {
    const { send, mapId } = await withMap('wh_gone');
    const v = await send('POST', `/api/maps/${mapId}/validate`);
    expect(v.body.valid).toBe(false);
    expect(v.body.problems).toContainEqual(expect.objectContaining({
      element: 'tell', path: 'webhook', severity: 'error', message: expect.stringContaining("Element 'Tell sales': there is no webhook \"wh_gone\""),
    }));
    const p = await send('POST', `/api/maps/${mapId}/publish`);
    expect(p.status).toBe(422);
    expect(p.body.error.details.problems.map((x: { element: string }) => x.element)).toContain('tell');
    expect((await send('GET', `/api/maps/${mapId}`)).body.map.status).toBe('draft');
  });

  it('that exists: it publishes; paused, it publishes with a warning that deliveries wait', async () => {
    const t = await setup();
    const sub = (await t.send('POST', '/api/webhooks', hook)).body;
    const mapId = (await t.send('POST', '/api/maps', demoMap(sub.id))).body.map.id;
    expect((await t.send('POST', `/api/maps/${mapId}/validate`)).body).toEqual({ valid: true, problems: [] });
    await t.send('PATCH', `/api/webhooks/${sub.id}`, { status: 'paused' });
    const v = await t.send('POST', `/api/maps/${mapId}/validate`);
    expect(v.body.valid).toBe(true);
    expect(v.body.problems).toEqual([expect.objectContaining({ element: 'tell', severity: 'warning', message: expect.stringContaining('"Sales" is paused') })]);
    expect((await t.send('POST', `/api/maps/${mapId}/publish`)).status).toBe(200);
  });

  it('cannot lose its subscription while published: deleting it is refused until the map points elsewhere', async () => {
    const t = await setup();
    const sub = (await t.send('POST', '/api/webhooks', hook)).body;
    const mapId = (await t.send('POST', '/api/maps', demoMap(sub.id))).body.map.id;
    expect((await t.send('POST', `/api/maps/${mapId}/publish`)).status).toBe(200);
    const refused = await t.send('DELETE', `/api/webhooks/${sub.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('The map "Tell sales about demos" sends through this webhook (element \'Tell sales\')');
    expect((await t.send('GET', `/api/webhooks/${sub.id}`)).status).toBe(200);
    // Point the element at a URL of its own, publish: now it may go.
    const m = (await t.send('GET', `/api/maps/${mapId}`)).body.map;
    const doc = { ...m.doc, elements: m.doc.elements.map((e: { id: string }) => (e.id === 'tell' ? { ...e, webhook: undefined, url: 'http://127.0.0.1:9/own' } : e)) };
    expect((await t.send('PUT', `/api/maps/${mapId}`, { rev: m.rev, map: doc })).status).toBe(200);
    expect((await t.send('POST', `/api/maps/${mapId}/publish`)).status).toBe(200);
    expect((await t.send('DELETE', `/api/webhooks/${sub.id}`)).status).toBe(204);
  });
});

describe('/api/webhooks refuses bad input in words and changes nothing', () => {
  it.each([
    [{ ...hook, url: 'ftp://example.com/x' }, 'http:// or https://'],
    [{ ...hook, url: 'hooks.example.com' }, 'absolute'],
    [{ ...hook, events: [] }, 'pick at least one event'],
    [{ ...hook, events: ['score.changed', 'score.changed'] }, 'listed twice'],
    [{ ...hook, events: ['contact.exploded'] }, 'events'],
    [{ ...hook, format: 'xml' }, '"json"'],
    [{ ...hook, secret: 'hunter2' }, 'whsec_'],
    [{ ...hook, fields: ['no_such_field'] }, 'Unknown field "no_such_field"'],
    [{ ...hook, url: 'http://169.254.169.254/latest/meta-data' }, 'cloud metadata address'],
    [{ ...hook, url: 'http://metadata.google.internal/' }, 'cloud metadata address'],
    [{ ...hook, url: 'http://[fe80::1]/x' }, 'link-local'],
    [{ ...hook, extra: 1 }, 'extra'],
  ])('%j', async (body, words) => {
    const t = await setup();
    const r = await t.send('POST', '/api/webhooks', body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(words);
    expect((await t.send('GET', '/api/webhooks')).body.webhooks).toEqual([]);
  });

  it('a change to a refused address is refused and the webhook keeps its URL', async () => {
    const t = await setup();
    const sub = (await t.send('POST', '/api/webhooks', hook)).body;
    const r = await t.send('PATCH', `/api/webhooks/${sub.id}`, { url: 'http://169.254.169.254/' });
    expect(r.status).toBe(400);
    expect((await t.send('GET', `/api/webhooks/${sub.id}`)).body.url).toBe(hook.url);
  });

  it('an unknown webhook is a 404 for every route', async () => {
    const t = await setup();
    for (const [method, path, body] of [
      ['GET', '/api/webhooks/nope'], ['PATCH', '/api/webhooks/nope', { name: 'x' }], ['DELETE', '/api/webhooks/nope'],
      ['POST', '/api/webhooks/nope/test'], ['GET', '/api/webhooks/nope/deliveries'],
    ] as const) {
      const r = await t.send(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error.message).toContain('No webhook with id "nope"');
    }
  });
});

describe('what a receiver hears', () => {
  it('one score.changed per event and field: two rules that one page view hit are one change, with both causes', async () => {
    const t = await setup();
    const { readFileSync } = await import('node:fs');
    await t.send('POST', '/api/scoring-models', JSON.parse(readFileSync('maps/recommended-scoring.json', 'utf8')));
    const sub = (await t.send('POST', '/api/webhooks', { ...hook, events: ['score.changed'] })).body;
    await t.send('POST', '/api/contacts', { id: 'ann', fields: { email: 'ann@example.com' } });
    await t.send('POST', '/api/events', { contact: { id: 'ann' }, type: 'page_visited', props: { url: '/pricing' } });
    const list = (await t.send('GET', `/api/webhooks/${sub.id}/deliveries`)).body.deliveries;
    expect(list).toHaveLength(1);
    const d = (await t.send('GET', `/api/webhooks/${sub.id}/deliveries/${list[0].id}`)).body;
    expect(d.payload.change).toEqual({
      field: 'score', from: null, to: 9,
      cause: { scoringModel: 'recommended', rule: 'page-visit' },
      causes: [{ scoringModel: 'recommended', rule: 'pricing-visit' }, { scoringModel: 'recommended', rule: 'page-visit' }],
    });
  });
});
