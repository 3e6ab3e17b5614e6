import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import type { Store } from '../store/store.js';
import { openTestStore } from '../store/testing.js';
import { Runtime } from '../runtime/runtime.js';
import { createApp } from './app.js';
import { MAX_QUEUED } from './load.js';

const TOKEN = 'test-token-123';
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('a full queue of changes', () => {
  it('refuses a change with 503, Retry-After and words, keeps serving reads, and takes changes again once the queue drains', async () => {
    store = await openTestStore();
    const rt = await Runtime.create({ store, clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });
    const { app } = createApp({ rt, token: TOKEN, templatesDir: 'maps', logError: () => {} });
    const call = (path: string, json?: unknown) => app.request(path, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    // The engine's turn held, and MAX_QUEUED units of work waiting for it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const queued = Array.from({ length: MAX_QUEUED }, () => rt.lock.run(() => held));
    const event = { id: 'e1', contact: { email: 'ann@example.com' }, type: 'email_opened' };

    const refused = await call('/api/events', event);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).error.message).toMatch(/busy.*nothing was changed/);
    expect((await call('/api/health')).status).toBe(200);

    release();
    await Promise.all(queued);
    const accepted = await call('/api/events', event);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ accepted: 1, duplicates: 0, created: 1 });
  });
});

describe('a full queue of event requests waiting for their group', () => {
  it('counts them: the next change gets 503, and each waiting request is answered its own counts once the engine is free', async () => {
    store = await openTestStore();
    const rt = await Runtime.create({ store, clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')) });
    const { app } = createApp({ rt, token: TOKEN, templatesDir: 'maps', logError: () => {} });
    const post = (path: string, json: unknown) => app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    const event = (i: number) => ({ id: `e${i}`, contact: { email: `p${i % 7}@example.com` }, type: 'email_opened' });
    // The engine's turn held by one unit of work; event requests queue for their group behind it.
    let release!: () => void;
    const held = rt.lock.run(() => new Promise<void>((resolve) => (release = resolve)));
    const sent = Array.from({ length: MAX_QUEUED }, (_, i) => post('/api/events', event(i)));
    // Each request reaches the queue within a few turns of the event loop (no timer).
    for (let turn = 0; turn < 10_000 && rt.waiting < MAX_QUEUED + 1; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(rt.lock.waiting).toBeLessThanOrEqual(2); // the held turn, and the group's turn after it
    expect(rt.waiting).toBeGreaterThanOrEqual(MAX_QUEUED);

    const refused = await post('/api/events', event(MAX_QUEUED));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).error.message).toMatch(/busy.*nothing was changed/);
    expect((await post('/api/contacts', { fields: { email: 'late@example.com' } })).status).toBe(503);

    release();
    await held;
    const answers = await Promise.all(sent.map(async (p) => {
      const r = await p;
      return [r.status, await r.json()];
    }));
    // Seven contacts, each created by the first request naming it.
    expect(answers).toEqual(Array.from({ length: MAX_QUEUED }, (_, i) => [200, { accepted: 1, duplicates: 0, created: i < 7 ? 1 : 0 }]));
    expect(rt.intakeStats.requests).toBe(MAX_QUEUED);
    expect(rt.intakeStats.groups).toBeLessThan(MAX_QUEUED);
    expect(await store.contactCount()).toBe(7);
    expect(await store.existingEventIds([`e${MAX_QUEUED}`])).toEqual(new Set());
    const accepted = await post('/api/events', event(MAX_QUEUED));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ accepted: 1, duplicates: 0, created: 0 });
  });
});
