import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { Store } from '../store/store.js';
import { openTestStore } from '../store/testing.js';
import { Runtime } from '../runtime/runtime.js';
import { createApp } from './app.js';

const TOKEN = 'test-token-123';
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setup(opts: { manual?: boolean; maxBodyBytes?: number } = {}) {
  const store = await openTestStore();
  stores.push(store);
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const rt = await Runtime.create({ store, clock });
  const { app, ops } = createApp({ rt, token: TOKEN, manualClock: opts.manual === false ? undefined : clock, templatesDir: 'maps', maxBodyBytes: opts.maxBodyBytes, logError: () => {} });
  const call = (path: string, init: RequestInit & { json?: unknown } = {}, token: string | null = TOKEN) => {
    const headers = new Headers(init.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    return app.request(path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  };
  return { app, ops, call, clock };
}

describe('auth on /api', () => {
  it('refuses a missing or wrong token with 401 and a message', async () => {
    const { call } = await setup();
    const missing = await call('/api/health', {}, null);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.message).toMatch(/Missing token/);
    const wrong = await call('/api/health', {}, 'nope');
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toBe('Wrong token');
    expect((await call('/api/health')).status).toBe(200);
  });
});

describe('errors', () => {
  it('an unknown endpoint is a JSON 404', async () => {
    const { call } = await setup();
    const r = await call('/api/nothing');
    expect(r.status).toBe(404);
    expect((await r.json()).error.message).toMatch(/No such endpoint/);
  });

  it('a body over the limit is refused with 413', async () => {
    const { call } = await setup({ maxBodyBytes: 1024 });
    const r = await call('/api/clock/advance', { method: 'POST', json: { ms: 1, pad: 'x'.repeat(5000) } });
    expect(r.status).toBe(413);
  });

  it('a body that is not JSON is 415 or 400, in words', async () => {
    const { call } = await setup();
    const text = await call('/api/clock/advance', { method: 'POST', body: 'ms=1', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const broken = await call('/api/clock/advance', { method: 'POST', body: '{"ms":', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.message).toMatch(/not valid JSON/);
    const wrong = await call('/api/clock/advance', { method: 'POST', json: { ms: -5 } });
    expect(wrong.status).toBe(400);
  });
});

describe('text that is not valid Unicode', () => {
  it('refuses half a surrogate pair anywhere in a JSON body with 400, writing nothing; whole pairs are fine', async () => {
    const { call } = await setup();
    const post = (body: string) => call('/api/contacts', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    // SQLite would store "\ud800" as U+FFFD: the contact was created, then not found under the id it was given (a 404 that wrote).
    for (const body of ['{"id":"\\ud800","fields":{}}', '{"fields":{"first_name":"a\\udc00b"}}', '{"fields":{"\\ud83d":"x"}}', '{"id":"x","fields":{},"tags":["\\ude00\\ud83d"]}']) {
      const r = await post(body);
      expect(r.status, body).toBe(400);
      expect((await r.json()).error.message).toMatch(/half of a UTF-16 surrogate pair/);
    }
    expect((await (await call('/api/contacts')).json()).total).toBe(0);
    const emoji = await post('{"id":"\\ud83d\\ude00","fields":{"first_name":"\\\\ud800 is written, not escaped"}}');
    expect(emoji.status).toBe(201);
    expect((await emoji.json()).fields.first_name).toBe('\\ud800 is written, not escaped');
    expect((await call(`/api/contacts/${encodeURIComponent('😀')}`)).status).toBe(200);
  });
});

describe('clock', () => {
  it('reads and advances the manual clock', async () => {
    const { call } = await setup();
    expect(await (await call('/api/clock')).json()).toEqual({ now: '2026-01-01T00:00:00.000Z', mode: 'manual' });
    const r = await call('/api/clock/advance', { method: 'POST', json: { to: '2026-01-31T00:00:00Z' } });
    expect(await r.json()).toEqual({ now: '2026-01-31T00:00:00.000Z', mode: 'manual' });
    const back = await call('/api/clock/advance', { method: 'POST', json: { to: '2026-01-02T00:00:00Z' } });
    expect(back.status).toBe(400);
  });

  it('answers 404 without manual mode', async () => {
    const { call } = await setup({ manual: false });
    expect((await call('/api/clock')).status).toBe(404);
    expect((await call('/api/clock/advance', { method: 'POST', json: { ms: 1 } })).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('documents every operation', async () => {
    const { call, ops } = await setup();
    const doc = await (await call('/api/openapi.json')).json();
    for (const op of ops) expect(doc.paths[op.fullPath.replace(/:(\w+)/g, '{$1}')][op.method].summary).toBe(op.summary);
  });

  it('documents the optional bodies of validate, publish and restore as optional, with their schema', async () => {
    const { call } = await setup();
    const doc = await (await call('/api/openapi.json')).json();
    for (const path of ['/api/maps/{id}/validate', '/api/maps/{id}/publish', '/api/maps/{id}/versions/{version}/restore']) {
      expect(doc.paths[path].post.requestBody).toMatchObject({ required: false, content: { 'application/json': { schema: { $ref: expect.any(String) } } } });
    }
    expect(doc.paths['/api/events'].post.requestBody.required).toBe(true);
  });
});

describe('OpenAPI references', () => {
  it('every $ref resolves inside the document (recursive conditions included)', async () => {
    const { call } = await setup();
    const doc = await (await call('/api/openapi.json')).json();
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) if (k === '$ref' && typeof x === 'string') refs.add(x); else walk(x);
      }
    };
    walk(doc);
    for (const r of refs) {
      expect(r.startsWith('#/components/schemas/'), r).toBe(true);
      expect(doc.components.schemas[r.slice('#/components/schemas/'.length)], r).toBeDefined();
    }
  });
});
