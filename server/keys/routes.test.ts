import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.js';
import { createApp } from '../http/app.js';
import { Runtime } from '../runtime/runtime.js';
import { GARBAGE, T0, TOKEN, setup } from '../routes/testing.js';
import { Store } from '../store/store.js';
import { testDatabase } from '../store/testing.js';
import { authOf } from './scopes.js';

type App = Awaited<ReturnType<typeof setup>>;

/** Makes a key with the start-up token; returns its listing and its secret. */
async function makeKey(b: App, body: Record<string, unknown>) {
  const r = await b.send('POST', '/api/keys', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { key: { id: string; name: string; scope: string; prefix: string; origins: string[]; createdAt: string; lastUsedAt: string | null }; secret: string };
}

/** Sends with a key instead of the token. */
const as = (b: App, secret: string, method: string, path: string, json?: unknown) =>
  b.call(path, { method, ...(json === undefined ? {} : { json }) }, secret);

describe('making, listing, changing and revoking keys', () => {
  it('shows the secret once, lists the key without it, and the key works', async () => {
    const b = await setup();
    const made = await makeKey(b, { name: 'Website tracker', scope: 'ingest', origins: ['https://www.example.com'] });
    expect(made.secret).toMatch(/^sm_[A-Za-z0-9_-]{43}$/);
    expect(made.key).toEqual({
      id: expect.any(String), name: 'Website tracker', scope: 'ingest', prefix: made.secret.slice(0, 11),
      origins: ['https://www.example.com'], createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null,
    });
    const list = await b.send('GET', '/api/keys');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ keys: [made.key] });
    expect(JSON.stringify(list.body)).not.toContain(made.secret.slice(11));
    const sent = await as(b, made.secret, 'POST', '/api/events', { contact: { email: 'ann@example.com' }, type: 'page_visited' });
    expect(sent.status).toBe(200);
    expect((await sent.json()).accepted).toBe(1);
  });

  it('keeps only the SHA-256 of the secret: no column holds the secret or its hidden part', async () => {
    const b = await setup();
    const made = await makeKey(b, { name: 'Dashboard', scope: 'read' });
    const rows = await b.store.db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].hash).toBe(createHash('sha256').update(made.secret).digest('hex'));
    expect(rows[0].prefix).toBe(made.secret.slice(0, 11));
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(made.secret);
    expect(stored).not.toContain(made.secret.slice(11, 30));
  });

  it('revokes at once: the next request with the key is refused with 401', async () => {
    const b = await setup();
    const made = await makeKey(b, { name: 'Dashboard', scope: 'read' });
    expect((await as(b, made.secret, 'GET', '/api/contacts')).status).toBe(200);
    expect((await b.send('DELETE', `/api/keys/${made.key.id}`)).status).toBe(204);
    const refused = await as(b, made.secret, 'GET', '/api/contacts');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await refused.json()).error.message).toBe('Wrong key: no API key has this secret (it may have been revoked)');
    expect((await b.send('GET', '/api/keys')).body.keys).toEqual([]);
    const again = await b.send('DELETE', `/api/keys/${made.key.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error.message).toMatch(/No API key with id ".+": it may have been revoked already/);
  });

  it('revokes at once in another process sharing the database: nothing keeps a key alive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scoremap-keys-'));
    const location = testDatabase(join(dir, 'shared.db'));
    const stores = [await Store.open(location), await Store.open(location)];
    try {
      const [one, two] = await Promise.all(stores.map(async (store) => {
        const rt = await Runtime.create({ store, clock: new ManualClock(T0) });
        const { app } = createApp({ rt, token: TOKEN, templatesDir: 'maps', logError: () => {} });
        return (path: string, secret: string, init: RequestInit = {}) => app.request(path, { ...init, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } });
      }));
      const made = await (await one('/api/keys', TOKEN, { method: 'POST', body: JSON.stringify({ name: 'Dashboard', scope: 'read' }) })).json();
      // The other process knows the key at once, and serves it many times (nothing to warm up)...
      for (let i = 0; i < 3; i++) expect((await two('/api/contacts', made.secret)).status).toBe(200);
      expect((await one('/api/contacts', made.secret)).status).toBe(200);
      // ...and refuses it the moment the first one revokes it.
      expect((await one(`/api/keys/${made.key.id}`, TOKEN, { method: 'DELETE' })).status).toBe(204);
      expect((await two('/api/contacts', made.secret)).status).toBe(401);
      expect((await one('/api/contacts', made.secret)).status).toBe(401);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('renames a key and replaces its origins, read as a browser sends them', async () => {
    const b = await setup();
    const made = await makeKey(b, { name: 'Tracker', scope: 'ingest', origins: ['https://www.example.com'] });
    const renamed = await b.send('PATCH', `/api/keys/${made.key.id}`, { name: '  Shop tracker ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.key).toEqual({ ...made.key, name: 'Shop tracker' });
    const moved = await b.send('PATCH', `/api/keys/${made.key.id}`, { origins: ['https://Shop.Example.com/', 'http://localhost:5173', 'https://shop.example.com:443'] });
    expect(moved.status).toBe(200);
    expect(moved.body.key.origins).toEqual(['https://shop.example.com', 'http://localhost:5173']);
    expect(moved.body.key.name).toBe('Shop tracker');
    expect((await b.send('GET', '/api/keys')).body.keys[0]).toEqual(moved.body.key);
    // The secret did not change.
    expect((await as(b, made.secret, 'POST', '/api/events', { contact: { email: 'a@example.com' }, type: 'page_visited' })).status).toBe(200);
    const none = await b.send('PATCH', `/api/keys/${made.key.id}`, { origins: [] });
    expect(none.body.key.origins).toEqual([]);
    expect((await b.send('PATCH', '/api/keys/nope', { name: 'x' })).status).toBe(404);
  });

  it('writes a key\'s last use at most once a minute, in the server\'s time', async () => {
    const b = await setup();
    const made = await makeKey(b, { name: 'Dashboard', scope: 'read' });
    const lastUsed = async () => (await b.store.db.selectFrom('api_keys').select('last_used_at').executeTakeFirstOrThrow()).last_used_at;
    expect(await lastUsed()).toBeNull();
    expect((await as(b, made.secret, 'GET', '/api/health')).status).toBe(200);
    expect(Number(await lastUsed())).toBe(T0);
    expect((await b.send('POST', '/api/clock/advance', { ms: 59_000 })).status).toBe(200);
    expect((await as(b, made.secret, 'GET', '/api/health')).status).toBe(200);
    expect(Number(await lastUsed())).toBe(T0);
    expect((await b.send('POST', '/api/clock/advance', { ms: 2_000 })).status).toBe(200);
    expect((await as(b, made.secret, 'GET', '/api/maps')).status).toBe(200);
    expect(Number(await lastUsed())).toBe(T0 + 61_000);
    expect((await b.send('GET', '/api/keys')).body.keys[0].lastUsedAt).toBe('2026-01-01T00:01:01.000Z');
    // A refused request was still a use of the key: someone holds it.
    await b.send('POST', '/api/clock/advance', { ms: 60_000 });
    expect((await as(b, made.secret, 'POST', '/api/maps', {})).status).toBe(403);
    expect(Number(await lastUsed())).toBe(T0 + 121_000);
  });

  it('puts what a request was authorised as on the context; a route no router lists is the admin\'s', async () => {
    const b = await setup();
    b.app.get('/api/whoami', (c) => c.json(authOf(c)));
    const admin = await makeKey(b, { name: 'Deploys', scope: 'admin' });
    const read = await makeKey(b, { name: 'Dashboard', scope: 'read' });
    expect(await (await b.call('/api/whoami')).json()).toEqual({ kind: 'token', scope: 'admin', role: 'admin' });
    expect(await (await b.call('/api/whoami', {}, admin.secret)).json()).toEqual({ kind: 'key', scope: 'admin', keyId: admin.key.id, keyName: 'Deploys', origins: [] });
    const hidden = await b.call('/api/whoami', {}, read.secret);
    expect(hidden.status).toBe(404);
    expect((await hidden.json()).error.message).toBe('No such endpoint: GET /api/whoami');
  });
});

describe('bad requests change nothing', () => {
  it('refuses bodies that do not make a key with 400 in words, and makes none', async () => {
    const b = await setup();
    const cases: [unknown, RegExp][] = [
      [{}, /name: /],
      [{ name: 'x' }, /scope must be "admin" \(everything\), "ingest" \(send data in\) or "read" \(read-only\)/],
      [{ name: '   ', scope: 'read' }, /give the key a name that says what uses it/],
      [{ name: 'x'.repeat(101), scope: 'read' }, /at most 100 characters/],
      [{ name: 'x', scope: 'owner' }, /scope must be/],
      [{ name: 'x', scope: 'read', secret: 'sm_mine' }, /Unrecognized key.*secret/],
      [{ name: 'x', scope: 'ingest', origins: 'https://www.example.com' }, /origins: /],
      [{ name: 'x', scope: 'ingest', origins: ['https://www.example.com/shop'] }, /origins\.0: "https:\/\/www\.example\.com\/shop" has a path: an origin is the website alone, as "https:\/\/www\.example\.com"/],
      [{ name: 'x', scope: 'ingest', origins: ['https://a.example', 'www.example.com'] }, /origins\.1: "www\.example\.com" is not a web address/],
      [{ name: 'x', scope: 'ingest', origins: ['*'] }, /would let every website use the key/],
      [{ name: 'x', scope: 'ingest', origins: ['ftp://example.com'] }, /is not a website: an origin starts with https:\/\//],
      [{ name: 'x', scope: 'ingest', origins: ['https://example.com?x=1'] }, /has a query or a fragment/],
      [{ name: 'x', scope: 'ingest', origins: ['https://user:pw@example.com'] }, /has a user name or password/],
      [{ name: 'x', scope: 'ingest', origins: Array.from({ length: 51 }, (_, i) => `https://s${i}.example.com`) }, /at most 50 origins/],
      [{ name: 'x', scope: 'read', origins: ['https://www.example.com'] }, /Only an ingest key lists origins: a read key must never be used from a web page/],
      [{ name: 'x', scope: 'admin', origins: ['https://www.example.com'] }, /Only an ingest key lists origins: an admin key must never be used from a web page/],
    ];
    for (const [body, message] of cases) {
      const r = await b.send('POST', '/api/keys', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    for (const body of GARBAGE) {
      const r = await b.call('/api/keys', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, body.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(r.status, body.slice(0, 40)).toBeLessThan(500);
    }
    expect((await b.call('/api/keys', { method: 'POST', body: 'name=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await b.send('GET', '/api/keys')).body.keys).toEqual([]);
  });

  it('refuses changes that do not fit the key with 400 in words, and changes nothing', async () => {
    const b = await setup();
    const read = await makeKey(b, { name: 'Dashboard', scope: 'read' });
    const ingest = await makeKey(b, { name: 'Tracker', scope: 'ingest', origins: ['https://www.example.com'] });
    const cases: [string, unknown, RegExp][] = [
      [read.key.id, { origins: ['https://www.example.com'] }, /Only an ingest key lists origins: a read key/],
      [read.key.id, { scope: 'admin' }, /Unrecognized key.*scope/],
      [ingest.key.id, { name: '' }, /give the key a name/],
      [ingest.key.id, { name: 'New name', origins: ['https://www.example.com/'.concat('x')] }, /has a path/],
    ];
    for (const [id, body, message] of cases) {
      const r = await b.send('PATCH', `/api/keys/${id}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await b.send('GET', '/api/keys')).body.keys).toEqual([read.key, ingest.key]);
  });
});
