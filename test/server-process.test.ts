import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { api, killAll, startServer as start, stop, type ServerProcess as Server } from './server-process.js';

const DAY = 86_400_000;

afterEach(killAll);

describe('the server as a process', () => {
  it('imports the custom-lead-score template, takes events over HTTP, skips 31 days, and keeps running waits after a restart', async () => {
    const dir = mkdtempSync(`${tmpdir()}/scoremap-e2e-`);
    const db = `${dir}/scoremap.db`;
    let s = await start(db, '2026-01-01T00:00:00Z');
    expect(s.output()).toMatch(/token +from SCOREMAP_TOKEN/);
    expect((await fetch(`${s.base}/api/health`)).status).toBe(401);

    const imported = await api(s, '/templates/custom-lead-score/import', {});
    expect(imported.status).toBe(201);
    const mapId = imported.body.map.id;
    expect((await api(s, `/maps/${mapId}/publish`, {})).status).toBe(200);

    const clicks = [0, 1, 2].map((i) => ({ id: `click-${i}`, contact: { email: 'ann@example.com' }, type: 'email_link_clicked', at: `2026-01-01T10:0${i}:00Z` }));
    await api(s, '/clock/advance', { to: '2026-01-01T10:05:00Z' });
    expect((await api(s, '/events', clicks)).body).toEqual({ accepted: 3, duplicates: 0, created: 1 });
    expect((await api(s, '/events', clicks)).body).toEqual({ accepted: 0, duplicates: 3, created: 0 });
    const list = await api(s, `/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'ann@example.com' }))}`);
    const ann = list.body.contacts[0].id;
    const score = async (srv: Server) => (await api(srv, `/contacts/${ann}`)).body.fields.custom_lead_score;
    const clickPoints = await score(s);
    expect(clickPoints).toBeGreaterThan(0);

    // Day 1, 10:05: one decay of 2 points. Day 30 (30 quiet days after the last click): reset to 0.
    await api(s, '/clock/advance', { to: '2026-01-02T10:05:00Z' });
    expect(await score(s)).toBe(clickPoints - 2);
    await api(s, '/clock/advance', { ms: 30 * DAY });
    expect(await score(s)).toBe(0);
    const history = (await api(s, `/contacts/${ann}/history?field=custom_lead_score&limit=100`)).body;
    const entries = history.history;
    expect(entries[0]).toMatchObject({ to: 0 });
    expect(entries.some((h: { cause: { element?: string } }) => h.cause.element !== undefined)).toBe(true);

    // Restart on the same database: the waits are rows, so the map keeps running.
    expect(await stop(s)).toBe(0);
    expect(statSync(`${dir}/token`, { throwIfNoEntry: false })).toBeUndefined(); // the env token: no file
    s = await start(db, '2026-02-02T00:00:00Z');
    await api(s, '/clock/advance', { to: '2026-02-02T00:00:01Z' });
    await api(s, '/events', { id: 'click-late', contact: { id: ann }, type: 'email_link_clicked' });
    const afterClick = await score(s);
    expect(afterClick).toBe(clickPoints / 3);
    await api(s, '/clock/advance', { to: '2026-02-03T00:00:02Z' });
    expect(await score(s)).toBe(Math.max(0, afterClick - 2));
    expect(await stop(s)).toBe(0);
  });

  it('makes a token on first start, keeps it owner-only, and reuses it', async () => {
    const dir = mkdtempSync(`${tmpdir()}/scoremap-e2e-`);
    const env = { SCOREMAP_TOKEN: '' };
    const first = await start(`${dir}/db.sqlite`, '2026-01-01T00:00:00Z', env);
    const token = /\?token=(\S+)/.exec(first.output())![1];
    expect(statSync(`${dir}/token`).mode & 0o777).toBe(0o600);
    expect((await fetch(`${first.base}/api/health`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await stop(first)).toBe(0);
    const second = await start(`${dir}/db.sqlite`, '2026-01-01T00:00:00Z', env);
    expect(second.output()).toContain(`?token=${token}`);
    expect(await stop(second)).toBe(0);
  });
});
