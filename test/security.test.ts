/**
 * Security (issue 8): the token guards every /api route, is compared in constant time and kept in an
 * owner-only file; static files never leave their folder; CORS is closed; expressions cannot reach
 * JavaScript. Path tricks go over real sockets with raw request lines, so nothing normalises them first.
 * API keys (issue: actions out) are held to their scopes on every operation of the OpenAPI document.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileExpression, evaluateExpression } from '../engine/expression/index.js';
import { BUILTIN_FIELDS, FieldRegistry } from '../engine/schema/field.js';
import { OPEN_ROUTES, loadToken, tokenMatches } from '../server/http/auth.js';
import { mountPages } from '../server/http/pages.js';
import type { RunningServer } from '../server/serve.js';
import { testServer, type TestServer } from '../server/serve-testing.js';
import { TOKEN, setup } from '../server/routes/testing.js';

type Answer = { status: number; head: string; body: string };

/** Sends one request with the request line exactly as given (bytes, not a URL) and reads the whole answer. */
function raw(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head: text.slice(0, split), body: text.slice(split + 4) });
    });
    const lines = Object.entries({ Host: '127.0.0.1', Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    // Not end(): a half-closed socket may be cut before a streamed file is written. The server closes it (Connection: close).
    socket.write(Buffer.from(`${method} ${target} HTTP/1.1\r\n${lines}\r\n`, 'latin1'));
  });
}

/** Values for the path parameters of the OpenAPI document. */
const PARAMS: Record<string, string> = { id: 'some-id', version: '1', jobId: 'some-job', name: 'score-cap' };

describe('(a) every /api route needs the token', () => {
  it('walks the OpenAPI document: each operation refuses a missing and a wrong token with 401 in words', async () => {
    const { call, ops } = await setup();
    const doc = await (await call('/api/openapi.json')).json();
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{(\w+)\}/g, (_, p: string) => PARAMS[p] ?? 'x') })));
    expect(operations.length).toBe(ops.length);
    expect(operations.length).toBeGreaterThan(30);
    for (const { method, path } of operations) {
      // Signing in and out need no token (people/sessions.test.ts covers them).
      if (OPEN_ROUTES.some((r) => r.method === method && r.path === path)) continue;
      const init = { method, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) };
      const missing = await call(path, init, null);
      expect(missing.status, `${method} ${path} without a token`).toBe(401);
      const wrong = await call(path, init, `${TOKEN}x`);
      expect(wrong.status, `${method} ${path} with a wrong token`).toBe(401);
      if (path.startsWith('/v1/')) {
        // Segment's intake: the key as HTTP Basic user name, as its libraries send it.
        expect(missing.headers.get('www-authenticate')).toBe('Basic realm="Scoremap"');
        expect((await missing.json()).error.message).toMatch(/^Missing key: send an ingest key as the user name of HTTP Basic auth/);
        expect((await wrong.json()).error.message).toMatch(/^Wrong key/);
        continue;
      }
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect((await missing.json()).error.message).toMatch(/Missing token: send "Authorization: Bearer <token>"/);
      expect(wrong.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect((await wrong.json()).error.message).toBe('Wrong token');
    }
  });

  it('refuses malformed Authorization headers, a token in the query string, and unknown /api paths alike', async () => {
    const { app, call } = await setup();
    const headers = ['Bearer', 'Bearer ', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`, `Bearer ${TOKEN.toUpperCase()}`, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer  ${TOKEN}x`, `Token ${TOKEN}`];
    for (const authorization of headers) {
      const r = await app.request('/api/maps', { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      expect(typeof (await r.json()).error.message).toBe('string');
    }
    // "bearer" is case-insensitive (RFC 7235); extra spaces around the token are tolerated.
    expect((await app.request('/api/health', { headers: { authorization: `bearer   ${TOKEN}  ` } })).status).toBe(200);
    for (const path of [`/api/maps?token=${TOKEN}`, '/api/nothing', '/api', '/api/', '/api/maps/', '/api/openapi.json']) {
      expect((await call(path, {}, null)).status, path).toBe(401);
    }
    for (const method of ['OPTIONS', 'HEAD', 'PATCH', 'PURGE']) expect((await call('/api/maps', { method }, null)).status, method).toBe(401);
  });

  it('serves the OpenAPI document to a token only, and the /docs/api reference (which holds no token) to anyone', async () => {
    const { app, ops, call } = await setup();
    mountPages(app, { ops, editorDir: join(mkdtempSync(join(tmpdir(), 'scoremap-no-editor-')), 'missing'), version: '0.1.0' });
    expect((await call('/api/openapi.json', {}, null)).status).toBe(401);
    const doc = await call('/api/openapi.json');
    expect(doc.status).toBe(200);
    const json = await doc.json();
    expect(json.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    for (const [path, methods] of Object.entries(json.paths as Record<string, Record<string, { security: unknown }>>)) {
      for (const op of Object.values(methods)) {
        const expected = path === '/api/session' ? [] : path.startsWith('/v1/') ? [{ basic: [] }, { bearer: [] }] : [{ bearer: [] }, { session: [] }];
        expect(op.security, path).toEqual(expected);
      }
    }
    const docs = await app.request('/docs/api');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await docs.text();
    expect(html).toContain('Authorization: Bearer &lt;token&gt;');
    // Each operation says which key may use it.
    expect(html).toMatch(/<code>\/api\/events<\/code> — [^<]+ <span class="s s-ingest"/);
    expect(html).toMatch(/<code>\/api\/keys<\/code> — [^<]+ <span class="s s-admin"/);
    expect(html).not.toContain(TOKEN);
    const landing = await app.request('/');
    expect(await landing.text()).not.toContain(TOKEN);
  });
});

describe('(b) tokens are compared in constant time', () => {
  it('matches only the same token, whatever the lengths', () => {
    const token = randomBytes(24).toString('base64url');
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(`${token}`, token.slice(0))).toBe(true);
    for (const other of ['', token.slice(0, -1), `${token}x`, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(), ` ${token}`, 'x'.repeat(10_000), `${token}\u0000`]) {
      expect(tokenMatches(other, token), JSON.stringify(other.slice(0, 40))).toBe(false);
    }
    expect(tokenMatches('é', 'e\u0301')).toBe(false);
    expect(tokenMatches('', '')).toBe(true);
  });
});

describe('(c) the token file is owner-only', () => {
  const mode = (file: string) => statSync(file).mode & 0o777;

  it('is created with mode 0600, even under a permissive umask, and read back unchanged', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'scoremap-token-')), 'data');
    const umask = process.umask(0o000);
    let first;
    try {
      first = loadToken(dir, {});
    } finally {
      process.umask(umask);
    }
    expect(first.source).toBe('new');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(mode(join(dir, 'token'))).toBe(0o600);
    expect(readFileSync(join(dir, 'token'), 'utf8').trim()).toBe(first.token);
    expect(loadToken(dir, {})).toEqual({ token: first.token, source: 'file' });
  });

  it('tightens a token file found readable by others, and keeps its token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scoremap-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'loose-token\n');
    chmodSync(file, 0o644);
    expect(loadToken(dir, {})).toEqual({ token: 'loose-token', source: 'file' });
    expect(mode(file)).toBe(0o600);
    chmodSync(file, 0o666);
    loadToken(dir, {});
    expect(mode(file)).toBe(0o600);
  });

  it('takes SCOREMAP_TOKEN without writing a file, and replaces an empty file with a new owner-only token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scoremap-token-'));
    expect(loadToken(dir, { SCOREMAP_TOKEN: ' from-env ' })).toEqual({ token: 'from-env', source: 'env' });
    expect(() => statSync(join(dir, 'token'))).toThrow();
    writeFileSync(join(dir, 'token'), '  \n', { mode: 0o644 });
    const fresh = loadToken(dir, {});
    expect(fresh.source).toBe('new');
    expect(mode(join(dir, 'token'))).toBe(0o600);
  });
});

/** Requests that try to climb out of the static folder, or reach a file beside it. */
const TRAVERSALS = [
  '/../secret.txt', '/../../etc/passwd', '/../../../../../../etc/passwd', '/%2e%2e/secret.txt', '/%2e%2e/%2e%2e/etc/passwd',
  '/..%2fsecret.txt', '/..%2f..%2fetc/passwd', '/%2e%2e%2fsecret.txt', '/%252e%252e/secret.txt', '/%252e%252e%252fsecret.txt',
  '/..\\secret.txt', '/..%5csecret.txt', '/%5c..%5csecret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
  '/assets/..%2f..%2fsecret.txt', '/secret.txt%00.html', '/%00/../secret.txt', '/..%00/secret.txt', '/.%2e/secret.txt', '/%2e./secret.txt',
  '/....//secret.txt', '/..;/secret.txt', '//secret.txt', '///etc/passwd', '/%2fetc%2fpasswd', '/..%c0%afsecret.txt', '/..%u2216secret.txt',
  '/../editor-other/secret.txt', '/%2e%2e/editor-other/secret.txt', '/etc/passwd', '/.%00./secret.txt', '/%2E%2E/secret.txt',
  'http://127.0.0.1/../secret.txt', '/index.html/../../secret.txt', '/./../secret.txt',
];

describe('(d) static files never leave their folder', () => {
  const secret = `TOP-SECRET-${randomBytes(8).toString('hex')}`;
  let port = 0;
  let close: () => Promise<void>;

  beforeAll(async () => {
    // site/editor is served; site/secret.txt and site/editor-other/secret.txt sit right beside it.
    const site = mkdtempSync(join(tmpdir(), 'scoremap-static-'));
    mkdirSync(join(site, 'editor', 'assets'), { recursive: true });
    mkdirSync(join(site, 'editor-other'));
    writeFileSync(join(site, 'editor', 'index.html'), '<!doctype html><title>editor</title>EDITOR-INDEX');
    writeFileSync(join(site, 'editor', 'assets', 'app.js'), 'console.log("APP-JS")');
    writeFileSync(join(site, 'secret.txt'), secret);
    writeFileSync(join(site, 'editor-other', 'secret.txt'), secret);
    const { app, ops } = await setup();
    mountPages(app, { ops, editorDir: join(site, 'editor'), version: '0.1.0' });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((ok) => server.once('listening', ok));
    port = (server.address() as AddressInfo).port;
    close = () => new Promise((ok) => server.close(() => ok()));
  });
  afterAll(async () => close?.());

  it('serves the editor\'s files and its index for client-side routes', async () => {
    const js = await raw(port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.body).toContain('APP-JS');
    const route = await raw(port, '/maps/some-map');
    expect(route.status).toBe(200);
    expect(route.body).toContain('EDITOR-INDEX');
  });

  it('answers every path trick with the editor\'s index or a refusal, never a file outside the folder', async () => {
    for (const target of [...TRAVERSALS, ...TRAVERSALS.map((t) => t.replace('secret.txt', 'assets/app.js'))]) {
      for (const method of ['GET', 'HEAD']) {
        const r = await raw(port, target, {}, method);
        expect(r.body, `${method} ${target}`).not.toContain(secret);
        expect(r.body, `${method} ${target}`).not.toMatch(/root:.*:0:0:/);
        expect([200, 400, 404], `${method} ${target}: ${r.status}`).toContain(r.status);
        if (r.status === 200 && method === 'GET' && !target.includes('app.js')) expect(r.body, target).toContain('EDITOR-INDEX');
      }
    }
    // A raw NUL byte or backslash in the request line never reaches a file either.
    for (const target of ['/..\u0000/secret.txt', '/secret.txt\u0000', '/..\\..\\secret.txt']) {
      expect((await raw(port, target)).body).not.toContain(secret);
    }
  });

  it('keeps /api paths for the API: a path trick never serves it without the token, nor a file as an API answer', async () => {
    for (const target of ['/api/maps', '/api%2fmaps', '/%61pi/maps', '/API/maps', '//api/maps', '/./api/maps', '/x/../api/maps', '/api/./maps', '/api/maps/', '/api/../api/maps', '/api/%2e%2e/secret.txt', '/api/../../secret.txt']) {
      const r = await raw(port, target);
      expect(r.body, target).not.toContain(secret);
      expect(r.body, target).not.toMatch(/"maps"\s*:/);
      if (r.status === 200) expect(r.body, target).toContain('EDITOR-INDEX');
    }
  });
});

describe('(d) the real server', () => {
  let started: TestServer;
  let running: RunningServer;
  let dataDir: string;
  beforeAll(async () => {
    const env = process.env.SCOREMAP_TOKEN;
    delete process.env.SCOREMAP_TOKEN;
    try {
      started = await testServer('serve');
      [running, dataDir] = [started.server, started.dir];
    } finally {
      if (env !== undefined) process.env.SCOREMAP_TOKEN = env;
    }
  });
  afterAll(() => started?.close());

  it('keeps its token owner-only and serves nothing outside dist/editor: not the repository, not the data folder', async () => {
    expect(statSync(join(dataDir, 'token')).mode & 0o777).toBe(0o600);
    const port = Number(new URL(running.url).port);
    const pkg = readFileSync('package.json', 'utf8').slice(0, 40);
    const targets = [...TRAVERSALS, '/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/../../server/http/auth.ts', `/${'../'.repeat(12)}${dataDir.slice(1)}/token`];
    for (const target of targets) {
      const r = await raw(port, target);
      expect(r.body, target).not.toMatch(/root:.*:0:0:/);
      expect(r.body, target).not.toContain(pkg);
      expect(r.body, target).not.toContain('tokenMatches');
      expect(r.body, target).not.toContain(running.token);
    }
    expect((await raw(port, '/api/health')).status).toBe(401);
    expect((await raw(port, '/api/health', { Authorization: `Bearer ${running.token}` })).status).toBe(200);
  });

  it('serves the built editor with no inline script or style, and its files with their types, under the security headers', async () => {
    const index = await fetch(running.url);
    expectPageHeaders(index, 'index');
    const html = await index.text();
    // What the policy would refuse: a script without src, a <style> element, a style or on* attribute.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\s(style|on[a-z]+)=/i);
    const files = [...html.matchAll(/<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]+)"/gi)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(file, 'from this server').toMatch(/^\/(?!\/)/);
      const r = await fetch(new URL(file, running.url));
      expect(r.status, file).toBe(200);
      expectPageHeaders(r, file);
      // nosniff: a browser runs a script, or applies a stylesheet, only when its type says it is one.
      expect(r.headers.get('content-type'), file).toMatch(file.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    }
  });
});

/** A Content-Security-Policy header as directive → sources. */
const policyOf = (r: Response) => Object.fromEntries((r.headers.get('content-security-policy') ?? '').split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));

/** The pages' policy: every directive (a change to it is a change to this test). */
const PAGE_DIRECTIVES = {
  'default-src': "'self'",
  'script-src': "'self'", // no inline script, no eval
  'style-src': "'self'", // no inline stylesheet or style attribute
  'img-src': "'self'",
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'", // the editor keeps the token: never framed
};

function expectPageHeaders(r: Response, name: string) {
  expect(policyOf(r), name).toEqual(PAGE_DIRECTIVES);
  expect(r.headers.get('x-frame-options'), name).toBe('DENY');
  expect(r.headers.get('x-content-type-options'), name).toBe('nosniff');
  expect(r.headers.get('referrer-policy'), name).toBe('no-referrer');
}

describe('(g) security headers: the editor and /docs cannot be framed, run only their own scripts, and nothing is sniffed', () => {
  it('sends the page policy with the editor, its files, its routes and /docs, and a closed one with every API answer', async () => {
    const site = mkdtempSync(join(tmpdir(), 'scoremap-headers-'));
    mkdirSync(join(site, 'assets'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>editor</title>EDITOR-INDEX');
    writeFileSync(join(site, 'assets', 'app.js'), 'console.log("APP-JS")');
    const { app, ops, call } = await setup();
    mountPages(app, { ops, editorDir: site, version: '0.1.0' });
    const page = (path: string) => app.request(path);
    const answers = {
      index: await page('/'), asset: await page('/assets/app.js'), route: await page('/maps/some-map'), docs: await page('/docs'), reference: await page('/docs/api'), stylesheet: await page('/docs.css'),
      api: await call('/api/health'), refused: await call('/api/health', {}, null), missing: await call('/api/nothing-here'),
    };
    for (const [name, r] of Object.entries(answers)) {
      if (name === 'api' || name === 'refused' || name === 'missing') {
        // JSON is never a page: nothing may load from it, nothing may frame it.
        expect(policyOf(r), name).toEqual({ 'default-src': "'none'", 'frame-ancestors': "'none'" });
        expect(r.headers.get('x-frame-options'), name).toBe('DENY');
        expect(r.headers.get('x-content-type-options'), name).toBe('nosniff');
        expect(r.headers.get('referrer-policy'), name).toBe('no-referrer');
      } else {
        expectPageHeaders(r, name);
      }
    }
    expect(answers.index.status).toBe(200);
    expect(answers.docs.status).toBe(200);
    expect(answers.refused.status).toBe(401);
    expect(answers.missing.status).toBe(404);
    // /docs runs no script at all, and takes its styles from a file (the policy would stop inline ones).
    const docs = await answers.docs.text();
    expect(docs).not.toMatch(/<script/i);
    expect(docs).not.toMatch(/<style|\sstyle=/i);
    expect(docs).toContain('<link rel="stylesheet" href="/docs.css">');
    const reference = await answers.reference.text();
    expect(answers.reference.status).toBe(200);
    expect(reference).not.toMatch(/<script|<style|\sstyle=/i);
    expect(answers.stylesheet.status).toBe(200);
    expect(answers.stylesheet.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await answers.stylesheet.text()).toContain('body{');
  });
});

describe('(e) CORS is closed', () => {
  it('a preflight and a cross-origin request get no Access-Control-Allow-* header, on the API and on the pages', async () => {
    const { app, ops } = await setup();
    mountPages(app, { ops, editorDir: join(mkdtempSync(join(tmpdir(), 'scoremap-no-editor-')), 'missing'), version: '0.1.0' });
    const origin = 'https://evil.example';
    const answers = [
      await app.request('/api/maps', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } }),
      await app.request('/api/maps', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', authorization: `Bearer ${TOKEN}` } }),
      await app.request('/api/health', { headers: { origin, authorization: `Bearer ${TOKEN}` } }),
      await app.request('/api/events', { method: 'POST', headers: { origin, authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' }, body: '{}' }),
      await app.request('/api/health', { headers: { origin: 'null' } }),
      await app.request('/docs', { headers: { origin } }),
      await app.request('/', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } }),
    ];
    expect(answers[2].status).toBe(200);
    for (const r of answers) {
      for (const name of r.headers.keys()) expect(name, `${r.url} ${r.status}`).not.toMatch(/^access-control-/);
    }
  });
});

describe('(f) no expression reaches JavaScript', () => {
  const fields = new FieldRegistry([
    ...BUILTIN_FIELDS,
    { key: 'constructor', label: 'Constructor', type: 'text' },
    { key: 'valueof', label: 'Value of', type: 'number' },
  ]);
  const HOSTILE = [
    'constructor', '__proto__', 'prototype', 'this', 'globalThis', 'window', 'process', 'require', 'module', 'Function', 'eval',
    'process.exit()', 'a.b', '[score].constructor', 'max.constructor', 'max["constructor"]', 'a[0]', '[score][0]', '[score]["x"]',
    '(()=>1)()', '() => 1', 'x => x', 'function(){}', 'toString()', 'constructor()', '__proto__()', 'valueOf()', 'hasOwnProperty("x")',
    'eval("1")', 'Function("return process")()', 'require("fs")', 'import("fs")', 'new Date()', 'new max(1)', 'typeof 1', 'void 0',
    '`1`', '`${1}`', "'single'", 'x = 1', '[score] = 1', '1; 2', '1, 2', '1 ? 2 : 3', '!1', '1 || 2', '1 && 2', '1 == 1', '1 === 1',
    '{}', '{ a: 1 }', '[]', '[ ]', '[__proto__]', '[prototype]', '[toString]', '[hasOwnProperty]', '[__defineGetter__]', '\\u0063onstructor',
    'min.call(null, 1)', 'max.apply(0, [1])', 'round.bind(0)', '"a".length', '"a".constructor', '1..toString()', '1 .constructor',
    '0x10', '1e3', '1_000', '/x/', '// comment', '/* c */ 1', '#x', '@x', '$x', '1 ** 2', '1 << 2', '1 | 2', '~1', '+1', '1++',
  ];

  it('refuses every JavaScript form with a message that points at a character, never an internal error', () => {
    for (const source of HOSTILE) {
      const r = compileExpression(source, fields);
      expect(r.ok, source).toBe(false);
      if (r.ok) continue;
      expect(r.error.message, source).toMatch(/at character \d+/);
      expect(r.error.message, source).not.toMatch(/could not be read|TypeError|ReferenceError|undefined is not/);
      expect(r.error.position, source).toBeGreaterThanOrEqual(0);
    }
  });

  it('reads a field keyed "constructor" as the contact\'s own value, never as Object\'s constructor', () => {
    const values: Record<string, string | number | boolean | null> = { valueof: 2 };
    // Only own values, as the engine's ContactEnv reads them; an empty field reads as empty.
    const env = { now: 0, get: (key: string) => (Object.hasOwn(values, key) ? values[key] : null) };
    const text = compileExpression('[Constructor] + "!"', fields);
    const number = compileExpression('[valueof] + 1', fields);
    expect(text.ok && number.ok).toBe(true);
    if (!text.ok || !number.ok) return;
    expect(evaluateExpression(text.expr, env)).toBe('!');
    expect(evaluateExpression(number.expr, env)).toBe(3);
    const key: string = 'constructor';
    values[key] = 'Ann';
    expect(evaluateExpression(text.expr, env)).toBe('Ann!');
    // Unknown names never resolve through a prototype either.
    for (const ref of ['[__proto__]', '[toString]', '[hasOwnProperty]', '[isPrototypeOf]']) {
      const r = compileExpression(ref, new FieldRegistry(BUILTIN_FIELDS));
      expect(r.ok, ref).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/^Unknown field/);
    }
  });

  it('through the API: a field keyed "constructor" and a prop named "constructor" read as empty, not as functions', async () => {
    const { send } = await setup();
    expect((await send('POST', '/api/fields', { key: 'constructor', label: 'Ctor', type: 'text' })).status).toBe(201);
    const made = await send('POST', '/api/maps?id=proto', { name: 'Proto', elements: [
      { id: 'visit', kind: 'trigger', on: { type: 'event', event: 'page_visited', where: { any: [
        { field: 'constructor', op: 'contains', value: 'native' }, { prop: 'constructor', op: 'contains', value: 'native' }, { prop: 'toString', op: 'not_empty' },
      ] } }, next: 'tag' },
      { id: 'tag', kind: 'update_field', field: 'tags', addTags: ['reached-javascript'], next: 'done' },
      { id: 'opened', kind: 'trigger', on: { type: 'event', event: 'email_opened' }, next: 'copy' },
      { id: 'copy', kind: 'update_field', field: 'first_name', value: '[Ctor] + "|"', next: 'done' },
      { id: 'done', kind: 'end' },
    ] });
    expect(made.status).toBe(201);
    expect((await send('POST', '/api/maps/proto/publish')).status).toBe(200);
    await send('POST', '/api/events', [
      { contact: { email: 'ann@example.com' }, type: 'page_visited', props: { url: '/pricing' } },
      { contact: { email: 'ann@example.com' }, type: 'email_opened' },
    ]);
    const list = await send('GET', '/api/contacts');
    const ann = list.body.contacts[0];
    expect(ann.tags).toEqual([]);
    expect(ann.fields.first_name).toBe('|');
    expect((await send('GET', '/api/maps/proto/stats')).body.totals.errors).toBe(0);
  });
});

describe('(h) api_keys: a key is held to its scope on every operation', () => {
  type Scope = 'admin' | 'ingest' | 'read';
  /** An app with one key of each scope, and every operation of its OpenAPI document with the scope it shows. */
  async function keyed() {
    const b = await setup();
    const secrets = {} as Record<Scope, string>;
    for (const scope of ['admin', 'ingest', 'read'] as const) {
      const r = await b.send('POST', '/api/keys', { name: `${scope} key`, scope });
      expect(r.status).toBe(201);
      secrets[scope] = r.body.secret;
    }
    const doc = await (await b.call('/api/openapi.json')).json();
    const operations = Object.entries(doc.paths as Record<string, Record<string, { 'x-scope': Scope; description: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(), template: path, scope: op['x-scope'], description: op.description,
        path: path.replace(/\{(\w+)\}/g, (_, p: string) => PARAMS[p] ?? 'x'),
      })));
    expect(operations.length).toBe(b.ops.length);
    const sendAs = (secret: string, { method, path }: { method: string; path: string }) =>
      b.call(path, { method, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) }, secret);
    return { ...b, secrets, operations, sendAs };
  }

  it('shows each operation\'s scope in the OpenAPI document, as x-scope and in words', async () => {
    const { operations, ops } = await keyed();
    const scopeOf = (method: string, template: string) => operations.find((o) => o.method === method && o.template === template)?.scope;
    for (const o of operations) {
      expect(['admin', 'ingest', 'read'], `${o.method} ${o.template}`).toContain(o.scope);
      expect(o.description, `${o.method} ${o.template}`).toMatch(new RegExp(`Scope \`${o.scope}\`: .+ key`));
    }
    expect(scopeOf('POST', '/api/events')).toBe('ingest');
    for (const [method, path] of [['GET', '/api/contacts'], ['GET', '/api/contacts/{id}/history'], ['GET', '/api/maps'], ['GET', '/api/scoring-models/{id}/distribution'], ['GET', '/api/fields'], ['GET', '/api/templates'], ['GET', '/api/maps/{id}/stats'], ['GET', '/api/health'], ['POST', '/api/maps/{id}/validate'], ['POST', '/api/simulate']]) {
      expect(scopeOf(method, path), `${method} ${path}`).toBe('read');
    }
    for (const [method, path] of [['GET', '/api/keys'], ['POST', '/api/keys'], ['DELETE', '/api/keys/{id}'], ['POST', '/api/maps'], ['PUT', '/api/maps/{id}'], ['POST', '/api/maps/{id}/publish'], ['DELETE', '/api/contacts/{id}'], ['POST', '/api/fields'], ['POST', '/api/clock/advance'], ['POST', '/api/contacts/import']]) {
      expect(scopeOf(method, path), `${method} ${path}`).toBe('admin');
    }
    // Every intake operation of the API is in the one list of intake routes (which CORS follows).
    const { ingestRoute } = await import('../server/keys/scopes.js');
    for (const o of ops) expect(ingestRoute(o.method, o.fullPath) !== null, `${o.method} ${o.fullPath}`).toBe(o.scope === 'ingest');
  });

  it('a read key is refused (403, in words) every operation that is not read, is served by the read ones, and changes nothing', async () => {
    const b = await keyed();
    let served = 0;
    for (const o of b.operations) {
      const r = await b.sendAs(b.secrets.read, o);
      const what = `${o.method} ${o.path} (${o.scope})`;
      if (o.scope === 'read') {
        expect([401, 403], what).not.toContain(r.status);
        served++;
        continue;
      }
      expect(r.status, what).toBe(403);
      expect(r.headers.get('www-authenticate'), what).toMatch(/^Bearer error="insufficient_scope", scope="(admin|ingest admin)"$/);
      const { message } = (await r.json()).error;
      if (o.scope === 'ingest') expect(message, what).toBe(`This read key cannot send events: use an ingest or admin key for ${o.method} ${o.path}`);
      else if (o.method === 'GET') expect(message, what).toBe(`This read key cannot use ${o.method} ${o.path}: only an admin key can`);
      else expect(message, what).toBe(`This read key cannot change anything: use an admin key for ${o.method} ${o.path}`);
    }
    expect(served).toBeGreaterThan(20);
    expect((await b.call('/api/contacts', { method: 'HEAD' }, b.secrets.read)).status).toBe(200);
    expect((await b.call('/api/openapi.json', {}, b.secrets.read)).status).toBe(200);
    // Nothing it was refused was done.
    expect((await b.send('GET', '/api/keys')).body.keys).toHaveLength(3);
    expect((await b.send('GET', '/api/maps')).body.maps).toEqual([]);
    expect((await b.send('GET', '/api/contacts')).body.total).toBe(0);
  });

  it('an ingest key is refused (403, in words) everything but the intake', async () => {
    const b = await keyed();
    const intake = b.operations.filter((o) => o.scope === 'ingest');
    expect(intake.map((o) => `${o.method} ${o.path}`).sort()).toEqual(['POST /api/events', ...['alias', 'batch', 'group', 'identify', 'page', 'screen', 'track'].map((r) => `POST /v1/${r}`)]);
    for (const o of b.operations) {
      const r = await b.sendAs(b.secrets.ingest, o);
      const what = `${o.method} ${o.path} (${o.scope})`;
      if (o.scope === 'ingest' || OPEN_ROUTES.some((open) => open.method === o.method && open.path === o.path)) {
        expect([401, 403], what).not.toContain(r.status);
        continue;
      }
      expect(r.status, what).toBe(403);
      expect((await r.json()).error.message, what).toMatch(new RegExp(
        `^This ingest key can only send data in \\(POST /api/events, POST /v1/\\*, GET /t\\.js\\): ${o.method} ${o.path.replace(/[.*?]/g, '\\$&')} needs ${o.scope === 'read' ? 'a read or an admin key' : 'an admin key'}$`));
    }
    expect((await b.call('/api/openapi.json', {}, b.secrets.ingest)).status).toBe(403);
    expect((await b.call('/api/contacts', { method: 'HEAD' }, b.secrets.ingest)).status).toBe(403);
  });

  it('an admin key, like the start-up token, is refused nowhere', async () => {
    const b = await keyed();
    for (const o of b.operations) {
      const r = await b.sendAs(b.secrets.admin, o);
      expect([401, 403], `${o.method} ${o.path}: ${r.status}`).not.toContain(r.status);
    }
  });

  it('an ingest key cannot read contacts and a read key cannot send events', async () => {
    const b = await keyed();
    const event = { contact: { email: 'ann@example.com' }, type: 'page_visited' };
    const sent = await b.call('/api/events', { method: 'POST', json: event }, b.secrets.ingest);
    expect(sent.status).toBe(200);
    expect((await sent.json()).accepted).toBe(1);
    const peek = await b.call('/api/contacts', {}, b.secrets.ingest);
    expect(peek.status).toBe(403);
    expect(JSON.stringify(await peek.json())).not.toContain('ann@example.com');
    const refused = await b.call('/api/events', { method: 'POST', json: { ...event, contact: { email: 'bob@example.com' } } }, b.secrets.read);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toMatch(/^This read key cannot send events/);
    const list = await b.call('/api/contacts', {}, b.secrets.read);
    expect(list.status).toBe(200);
    const { contacts } = await list.json();
    expect(contacts.map((c: { fields: { email: string } }) => c.fields.email)).toEqual(['ann@example.com']);
  });

  it('refuses a key with a wrong or a revoked secret with 401, as a wrong token', async () => {
    const b = await keyed();
    const forged = `${b.secrets.read.slice(0, -1)}${b.secrets.read.endsWith('A') ? 'B' : 'A'}`;
    for (const secret of [forged, `${b.secrets.read}x`, b.secrets.read.slice(0, 11), 'sm_']) {
      const r = await b.call('/api/health', {}, secret);
      expect(r.status, secret).toBe(401);
      expect((await r.json()).error.message).toMatch(/^Wrong key: no API key has this secret/);
    }
  });
});
