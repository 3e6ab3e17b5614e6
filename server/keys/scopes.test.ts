import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ApiRouter } from '../http/router.js';
import { readOrigin } from './origins.js';
import { ingestRoute, type RequestAuth } from './scopes.js';

describe('an operation\'s scope', () => {
  const router = (opts?: { scope?: 'admin' }) => new ApiRouter('/api/things', 'Things', opts)
    .op({ method: 'get', path: '/', summary: 'List' }, (c) => c.json({ listed: true }))
    .op({ method: 'post', path: '/', summary: 'Make' }, (c) => c.json({ made: true }))
    .op({ method: 'post', path: '/check', summary: 'Check', scope: 'read' }, (c) => c.json({ checked: true }));

  it('defaults from the method (GET read, others admin), or from the router; an operation\'s own wins', () => {
    expect(router().ops.map((o) => `${o.method} ${o.fullPath} ${o.scope}`)).toEqual(['get /api/things read', 'post /api/things admin', 'post /api/things/check read']);
    expect(router({ scope: 'admin' }).ops.map((o) => o.scope)).toEqual(['admin', 'admin', 'read']);
  });

  it('is checked by the router itself, whatever the middleware before it missed', async () => {
    const app = new Hono();
    const as: { auth?: RequestAuth } = {};
    app.use('*', async (c, next) => {
      if (as.auth) c.set('auth', as.auth);
      await next();
    });
    app.onError((err, c) => c.json({ error: { message: err.message } }, (err as { status?: 403 }).status ?? 500));
    const r = router();
    app.route(r.base, r.hono);
    as.auth = { kind: 'key', scope: 'read', keyId: 'k' };
    expect((await app.request('/api/things')).status).toBe(200);
    expect((await app.request('/api/things/check', { method: 'POST' })).status).toBe(200);
    const refused = await app.request('/api/things', { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { message: 'This read key cannot change anything: use an admin key for POST /api/things' } });
    as.auth = { kind: 'key', scope: 'ingest', keyId: 'k' };
    expect((await app.request('/api/things')).status).toBe(403);
    as.auth = { kind: 'token', scope: 'admin' };
    expect((await app.request('/api/things', { method: 'POST' })).status).toBe(200);
  });
});

describe('the intake routes', () => {
  it('takes each intake route with its method, and a preflight (OPTIONS) of it', () => {
    expect(ingestRoute('POST', '/api/events')).toEqual({ method: 'POST', path: '/api/events' });
    expect(ingestRoute('OPTIONS', '/api/events')).not.toBeNull();
    expect(ingestRoute('POST', '/v1/track')).toEqual({ method: 'POST', path: '/v1/*' });
    expect(ingestRoute('GET', '/t.js')).not.toBeNull();
    for (const [method, path] of [['GET', '/api/events'], ['POST', '/api/events/x'], ['POST', '/api/eventsx'], ['POST', '/v1'], ['POST', '/v10/track'], ['POST', '/t.js'], ['GET', '/api/contacts']]) {
      expect(ingestRoute(method, path), `${method} ${path}`).toBeNull();
    }
  });
});

describe('web origins', () => {
  it('reads what means one origin as a browser sends it', () => {
    const cases: [string, string][] = [
      ['https://www.example.com', 'https://www.example.com'],
      ['https://WWW.Example.COM/', 'https://www.example.com'],
      [' https://www.example.com ', 'https://www.example.com'],
      ['https://www.example.com:443', 'https://www.example.com'],
      ['https://www.example.com:8443', 'https://www.example.com:8443'],
      ['http://localhost:5173', 'http://localhost:5173'],
      ['http://[::1]:8080', 'http://[::1]:8080'],
      ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ];
    for (const [text, origin] of cases) expect(readOrigin(text), text).toEqual({ origin });
  });

  it('refuses anything more or less than an origin, saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['https://www.example.com/shop', /has a path/],
      ['https://www.example.com/?', /has a query or a fragment/],
      ['https://www.example.com#top', /has a query or a fragment/],
      ['www.example.com', /is not a web address/],
      ['', /is not a web address/],
      ['null', /is not a web address/],
      ['*', /would let every website use the key/],
      ['file:///tmp/x.html', /is not a website/],
      ['chrome-extension://abc', /is not a website/],
      ['https://a:b@example.com', /has a user name or password/],
    ];
    for (const [text, problem] of cases) {
      const read = readOrigin(text);
      expect('problem' in read && read.problem, text).toMatch(problem);
    }
  });
});
