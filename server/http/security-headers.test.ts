import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../serve.js';
import { testServer, type TestServer } from '../serve-testing.js';
import { API_POLICY, PAGE_POLICY } from './security-headers.js';

/** One request over a socket: the status and the raw header lines as sent (a header set twice shows twice). */
function raw(url: string, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const lines: string[] = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]!.toLowerCase()}: ${res.rawHeaders[i + 1]}`);
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, lines }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const SECURITY = (policy: string) => [`content-security-policy: ${policy}`, 'x-frame-options: DENY', 'x-content-type-options: nosniff', 'referrer-policy: no-referrer'];

describe('security headers on the real server (Node writes them, once, on every answer)', () => {
  let started: TestServer;
  let server: RunningServer;
  beforeAll(async () => {
    started = await testServer('headers');
    server = started.server;
  });
  afterAll(() => started?.close());

  it('sends the closed API policy with answers, refusals, errors and events taken in, and the page policy elsewhere', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    const answers = {
      health: await raw(server.url, '/api/health', { headers: auth }),
      refused: await raw(server.url, '/api/health'),
      missing: await raw(server.url, '/api/nothing-here', { headers: auth }),
      badBody: await raw(server.url, '/api/events', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"type":' }),
      event: await raw(server.url, '/api/events', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ contact: { email: 'a@example.com' }, type: 'page_visited' }) }),
      page: await raw(server.url, '/docs'),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]))).toEqual({ health: 200, refused: 401, missing: 404, badBody: 400, event: 200, page: 200 });
    for (const [name, r] of Object.entries(answers)) {
      const security = r.lines.filter((l) => /^(content-security-policy|x-frame-options|x-content-type-options|referrer-policy):/.test(l));
      expect(security.sort(), name).toEqual(SECURITY(name === 'page' ? PAGE_POLICY : API_POLICY).sort());
      expect(r.lines.filter((l) => l.startsWith('content-type:')), name).toHaveLength(1);
    }
  });
});
