import { describe, expect, it } from 'vitest';
import { setup } from '../routes/testing.js';

const SITE = 'https://www.example.com';
const SHOP = 'https://shop.example.com';
const EVIL = 'https://evil.example';

/** The CORS headers of an answer. */
const corsOf = (r: Response) => Object.fromEntries([...r.headers.entries()].filter(([k]) => k.startsWith('access-control-')));

async function withKeys() {
  const b = await setup();
  const make = async (body: Record<string, unknown>) => {
    const r = await b.send('POST', '/api/keys', body);
    expect(r.status).toBe(201);
    return r.body as { key: { id: string }; secret: string };
  };
  const site = await make({ name: 'Website', scope: 'ingest', origins: [SITE] });
  const shop = await make({ name: 'Shop', scope: 'ingest', origins: [SHOP] });
  const read = await make({ name: 'Dashboard', scope: 'read' });
  const preflight = (path: string, origin: string, method = 'POST') => b.app.request(path, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
  });
  const post = (secret: string, origin: string, json: unknown) =>
    b.call('/api/events', { method: 'POST', json, headers: { origin } }, secret);
  return { ...b, site, shop, read, preflight, post };
}

const event = { contact: { email: 'ann@example.com' }, type: 'page_visited' };

describe('CORS for ingest keys, on the intake routes only', () => {
  it('answers the preflight of an intake route for an origin an ingest key lists, and no other', async () => {
    const b = await withKeys();
    for (const origin of [SITE, SHOP]) {
      const r = await b.preflight('/api/events', origin);
      expect(r.status, origin).toBe(204);
      expect(corsOf(r)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'Authorization, Content-Type',
        'access-control-max-age': '600',
      });
      expect(r.headers.get('vary')).toBe('Origin');
      expect(await r.text()).toBe('');
    }
    // The routes other code will add are in the same list.
    expect(corsOf(await b.preflight('/v1/track', SITE))['access-control-allow-origin']).toBe(SITE);
    // An origin no key lists, a route that is not intake, a bare OPTIONS: refused as before, without a CORS header.
    const refused = [
      await b.preflight('/api/events', EVIL),
      await b.preflight('/api/events', 'null'),
      await b.preflight('/api/events', `${SITE}.evil.example`),
      await b.preflight('/api/contacts', SITE, 'GET'),
      await b.preflight('/api/keys', SITE),
      await b.preflight('/api/maps', SITE),
      await b.app.request('/api/events', { method: 'OPTIONS', headers: { origin: SITE } }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(401);
      expect(corsOf(r)).toEqual({});
    }
  });

  it('lets a page read the answer only when the key it used lists the page\'s origin', async () => {
    const b = await withKeys();
    const ok = await b.post(b.site.secret, SITE, event);
    expect(ok.status).toBe(200);
    expect(corsOf(ok)).toEqual({ 'access-control-allow-origin': SITE });
    expect(ok.headers.get('vary')).toBe('Origin');
    // An error the page can act on reaches it too.
    const bad = await b.post(b.site.secret, SITE, { type: 'page_visited' });
    expect(bad.status).toBe(400);
    expect(corsOf(bad)).toEqual({ 'access-control-allow-origin': SITE });
    // The shop's origin is listed, but by another key: this key is refused there, and nothing is taken in.
    const events = async () => (await b.send('GET', '/api/contacts')).body.contacts.length;
    const before = await events();
    const other = await b.post(b.site.secret, SHOP, { ...event, contact: { email: 'shop@example.com' } });
    expect(other.status).toBe(403);
    expect((await other.json()).error.message).toContain(`This ingest key is not for pages at ${SHOP}: add the origin to the key (Settings → Keys)`);
    // A refusal is readable by the page (a script then drops what it sent instead of retrying it).
    expect(corsOf(other)).toEqual({ 'access-control-allow-origin': SHOP });
    const evil = await b.post(b.site.secret, EVIL, { ...event, contact: { email: 'evil@example.com' } });
    expect(evil.status).toBe(403);
    expect(corsOf(evil)).toEqual({ 'access-control-allow-origin': EVIL });
    expect(await events()).toBe(before);
    // The start-up token is never for a web page of another origin.
    expect(corsOf(await b.post('test-token-123', SITE, event))).toEqual({});
  });

  it('sends no CORS header outside the intake routes, whatever the key', async () => {
    const b = await withKeys();
    const answers = [
      await b.call('/api/contacts', { headers: { origin: SITE } }, b.read.secret),
      await b.call('/api/contacts', { headers: { origin: SITE } }, b.site.secret),
      await b.call('/api/health', { headers: { origin: SITE } }),
      await b.call('/api/keys', { headers: { origin: SITE } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 403, 200, 200]);
    for (const r of answers) expect(corsOf(r)).toEqual({});
  });

  it('follows a change of origins at once, preflight and request alike', async () => {
    const b = await withKeys();
    expect((await b.preflight('/api/events', SITE)).status).toBe(204);
    expect((await b.send('PATCH', `/api/keys/${b.site.key.id}`, { origins: [] })).status).toBe(200);
    const preflight = await b.preflight('/api/events', SITE);
    expect(preflight.status).toBe(401);
    expect(corsOf(preflight)).toEqual({});
    const refused = await b.post(b.site.secret, SITE, event);
    expect(refused.status).toBe(403);
    // Revoking the other key closes its origin too.
    expect((await b.send('DELETE', `/api/keys/${b.shop.key.id}`)).status).toBe(204);
    expect(corsOf(await b.preflight('/api/events', SHOP))).toEqual({});
  });
});
