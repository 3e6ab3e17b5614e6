import type { Hono } from 'hono';
import type { Role } from './roles.js';

/** Test helpers for people (SPEC §12): make someone with the token, sign them in, send as them. */

/** A password every test person has. */
export const PASSWORD = 'correct horse battery';

type Send = (method: string, path: string, json?: unknown) => Promise<{ status: number; body: any; headers: Headers }>;

/**
 * Adds a person with the token's `send`; answers their id. The first person must be an admin: when
 * there is none yet and `role` is another, `first@acme.test` ("First Admin") is added before.
 */
export async function addPerson(send: Send, role: Role, email = `${role}@acme.test`, name = `${role[0].toUpperCase()}${role.slice(1)} Person`): Promise<string> {
  if (role !== 'admin' && (await send('GET', '/api/me')).body.needsFirstAdmin) await addPerson(send, 'admin', 'first@acme.test', 'First Admin');
  const r = await send('POST', '/api/people', { email, name, role, password: PASSWORD });
  if (r.status !== 201) throw new Error(`adding ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

/** The `name=value` of the session cookie a sign-in answered with, or null. */
export function sessionCookieOf(r: Response | { headers: Headers }): string | null {
  const set = r.headers.get('set-cookie') ?? '';
  const m = /scoremap_session=([^;]+)/.exec(set);
  return m && m[1] ? `scoremap_session=${m[1]}` : null;
}

/** Signs in; throws unless it worked. Answers the cookie. */
export async function signIn(app: Hono, email: string, password = PASSWORD): Promise<string> {
  const r = await app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const cookie = sessionCookieOf(r);
  if (r.status !== 200 || !cookie) throw new Error(`signing in ${email}: ${r.status} ${await r.text()}`);
  return cookie;
}

/**
 * Sends requests as the person of `cookie`, the way the editor does: the cookie, and
 * `X-Scoremap-Request: 1` unless `csrfHeader` is false.
 */
export function asPerson(app: Hono, cookie: string, opts: { csrfHeader?: boolean } = {}) {
  return async (method: string, path: string, json?: unknown) => {
    const headers: Record<string, string> = { cookie };
    if (opts.csrfHeader !== false) headers['x-scoremap-request'] = '1';
    if (json !== undefined) headers['content-type'] = 'application/json';
    const r = await app.request(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await r.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: r.status, body, headers: r.headers };
  };
}
