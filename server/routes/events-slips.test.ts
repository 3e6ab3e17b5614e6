import { describe, expect, it } from 'vitest';
import { createMap, publishMap } from '../runtime/maps.js';
import { setup } from './testing.js';

const ev = (id: string, type: string) => ({ id, contact: { email: 'ann@example.com' }, type, at: '2026-01-01T00:00:00Z' });

describe('POST /api/events: a type one slip from a known one', () => {
  it('is stored, and the answer warns "did you mean" when nothing listens for it', async () => {
    const { send } = await setup();
    const r = await send('POST', '/api/events', [ev('a', 'page_visit'), ev('b', 'page_visit'), ev('c', 'webinar_attended'), ev('d', 'email_opened')]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      accepted: 4, duplicates: 0, created: 1,
      warnings: ['page_visit: did you mean page_visited? No map or scoring model listens for "page_visit", so these events change nothing'],
    });
  });

  it('says nothing when a running map listens for that very type', async () => {
    const b = await setup();
    await createMap(b.rt, { name: 'Visits', elements: [
      { id: 'visit', kind: 'trigger', on: { type: 'event', event: 'page_visit' }, next: 'done' },
      { id: 'done', kind: 'end' },
    ] }, 'visits');
    await publishMap(b.rt, 'visits');
    expect((await b.send('POST', '/api/events', ev('a', 'page_visit'))).body).toEqual({ accepted: 1, duplicates: 0, created: 1 });
  });
});
