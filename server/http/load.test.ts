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
