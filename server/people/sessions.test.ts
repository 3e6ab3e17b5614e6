/**
 * People and sessions (SPEC §12): signing in and out, sessions that end by idleness and by age
 * on the server's clock, a copied cookie refused after sign-out, the header a form cannot send,
 * the sign-in rate limit, the last admin, and the start-up token working with and without people.
 */
import { describe, expect, it } from 'vitest';
import { setup, TOKEN } from '../routes/testing.js';
import { IDLE_MS, MAX_AGE_MS } from './sessions.js';
import { PASSWORD, addPerson, asPerson, sessionCookieOf, signIn } from './testing.js';

const HOUR = 3_600_000;

describe('signing in and out', () => {
  it('GET /api/session says, to anyone, only whether someone has an account yet', async () => {
    const { app, send } = await setup();
    const ask = async () => {
      const r = await app.request('/api/session');
      expect(r.status).toBe(200);
      return r.json();
    };
    expect(await ask()).toEqual({ accounts: false });
    await addPerson(send, 'admin');
    expect(await ask()).toEqual({ accounts: true });
  });

  it('sets an HttpOnly, SameSite=Strict session cookie and answers the person; /api/me then names them', async () => {
    const { app, send } = await setup();
    const id = await addPerson(send, 'admin', 'Ana@Acme.test', 'Ana');
    const r = await app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ' ana@ACME.test ', password: PASSWORD }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ person: { id, email: 'ana@acme.test', name: 'Ana', role: 'admin' } });
    const set = r.headers.get('set-cookie')!;
    expect(set).toMatch(/^scoremap_session=[A-Za-z0-9_-]{43};/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/);
    const me = await asPerson(app, sessionCookieOf(r)!)('GET', '/api/me');
    expect(me.body).toEqual({ kind: 'person', person: { id, email: 'ana@acme.test', name: 'Ana', role: 'admin' }, role: 'admin', needsFirstAdmin: false });
  });

  it('marks the cookie Secure over https', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'admin');
    const r = await app.request('https://scoremap.example/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@acme.test', password: PASSWORD }) });
    expect(r.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('refuses a wrong password and an unknown email with the same 401 words, and sets no cookie', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'admin');
    const answers = [];
    for (const body of [{ email: 'admin@acme.test', password: 'not the password' }, { email: 'nobody@acme.test', password: PASSWORD }]) {
      const r = await app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(401);
      expect(r.headers.get('set-cookie')).toBeNull();
      answers.push(await r.json());
    }
    expect(answers[0]).toEqual({ error: { message: 'Wrong email or password' } });
    expect(answers[1]).toEqual(answers[0]);
  });

  it('signing out deletes the session: the same cookie, copied before, is refused after (401 in words)', async () => {
    const { app, send, store } = await setup();
    await addPerson(send, 'editor');
    const cookie = await signIn(app, 'editor@acme.test');
    const as = asPerson(app, cookie);
    expect((await as('GET', '/api/maps')).status).toBe(200);
    const copied = asPerson(app, cookie);
    const out = await as('DELETE', '/api/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^scoremap_session=;.*Max-Age=0/);
    expect(await store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    const after = await copied('GET', '/api/maps');
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('Your session has ended: sign in again');
  });

  it('two sessions of one person are separate: signing out of one keeps the other', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'viewer');
    const laptop = asPerson(app, await signIn(app, 'viewer@acme.test'));
    const phone = asPerson(app, await signIn(app, 'viewer@acme.test'));
    expect((await laptop('DELETE', '/api/session')).status).toBe(204);
    expect((await laptop('GET', '/api/me')).status).toBe(401);
    expect((await phone('GET', '/api/me')).status).toBe(200);
  });

  it('keeps only the SHA-256 of the cookie\'s secret', async () => {
    const { app, send, store } = await setup();
    await addPerson(send, 'viewer');
    const cookie = await signIn(app, 'viewer@acme.test');
    const secret = cookie.split('=')[1];
    const rows = await store.db.selectFrom('sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    expect(rows[0].id_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(secret);
  });
});

describe('sessions end', () => {
  it('12 hours after their last use, on the server\'s clock; a use before then keeps them going', async () => {
    const { app, send, clock } = await setup();
    await addPerson(send, 'viewer');
    const as = asPerson(app, await signIn(app, 'viewer@acme.test'));
    clock.set(clock.now() + IDLE_MS - 60_000);
    expect((await as('GET', '/api/me')).status).toBe(200);
    clock.set(clock.now() + IDLE_MS - 60_000);
    expect((await as('GET', '/api/me')).status).toBe(200);
    clock.set(clock.now() + IDLE_MS);
    const ended = await as('GET', '/api/me');
    expect(ended.status).toBe(401);
    expect(ended.body.error.message).toBe('Your session has ended: sign in again');
  });

  it('7 days after sign-in at most, however often used', async () => {
    const { app, send, clock } = await setup();
    await addPerson(send, 'viewer');
    const start = clock.now();
    const as = asPerson(app, await signIn(app, 'viewer@acme.test'));
    for (let t = start; t < start + MAX_AGE_MS; t += 10 * HOUR) {
      clock.set(t);
      expect((await as('GET', '/api/me')).status, new Date(t).toISOString()).toBe(200);
    }
    clock.set(start + MAX_AGE_MS);
    expect((await as('GET', '/api/me')).status).toBe(401);
  });

  it('that nobody came back to are deleted at the next sign-in', async () => {
    const { app, send, clock, store } = await setup();
    await addPerson(send, 'viewer');
    await signIn(app, 'viewer@acme.test');
    clock.set(clock.now() + IDLE_MS);
    const fresh = await signIn(app, 'viewer@acme.test');
    const rows = await store.db.selectFrom('sessions').select('id_hash').execute();
    expect(rows).toHaveLength(1);
    const { sessionIdOf } = await import('./sessions.js');
    expect(rows[0].id_hash).toBe(sessionIdOf(fresh.split('=')[1]));
  });

  it('writes the last use at most once a minute', async () => {
    const { app, send, clock, store } = await setup();
    await addPerson(send, 'viewer');
    const as = asPerson(app, await signIn(app, 'viewer@acme.test'));
    const seen = async () => Number((await store.db.selectFrom('sessions').select('last_seen_at').executeTakeFirstOrThrow()).last_seen_at);
    const start = await seen();
    clock.set(start + 59_000);
    await as('GET', '/api/me');
    expect(await seen()).toBe(start);
    clock.set(start + 61_000);
    await as('GET', '/api/me');
    expect(await seen()).toBe(start + 61_000);
    const people = await send('GET', '/api/people');
    expect(people.body.people.find((p: { email: string }) => p.email === 'viewer@acme.test').lastSeenAt).toBe(new Date(start + 61_000).toISOString());
  });

  it('when the person is removed, and when an admin resets their password', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'admin');
    const salesId = await addPerson(send, 'sales');
    const editorId = await addPerson(send, 'editor');
    const sales = asPerson(app, await signIn(app, 'sales@acme.test'));
    const editor = asPerson(app, await signIn(app, 'editor@acme.test'));
    const admin = asPerson(app, await signIn(app, 'admin@acme.test'));
    expect((await admin('DELETE', `/api/people/${salesId}`)).status).toBe(204);
    expect((await sales('GET', '/api/me')).status).toBe(401);
    expect((await admin('POST', `/api/people/${editorId}/password`, { password: 'a brand new one' })).status).toBe(204);
    expect((await editor('GET', '/api/me')).status).toBe(401);
    await expect(signIn(app, 'editor@acme.test')).rejects.toThrow(/401/);
    await signIn(app, 'editor@acme.test', 'a brand new one');
    await expect(signIn(app, 'sales@acme.test')).rejects.toThrow(/401/);
  });

  it('changing one\'s own password needs the current one and ends one\'s other sessions, not this one', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'sales');
    const here = asPerson(app, await signIn(app, 'sales@acme.test'));
    const elsewhere = asPerson(app, await signIn(app, 'sales@acme.test'));
    const wrong = await here('POST', '/api/me/password', { current: 'not it at all', password: 'my new password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toMatch(/current password is not right/);
    const short = await here('POST', '/api/me/password', { current: PASSWORD, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/at least 10 characters/);
    expect((await here('POST', '/api/me/password', { current: PASSWORD, password: 'my new password' })).status).toBe(204);
    expect((await here('GET', '/api/me')).status).toBe(200);
    expect((await elsewhere('GET', '/api/me')).status).toBe(401);
    await signIn(app, 'sales@acme.test', 'my new password');
    const token = await send('POST', '/api/me/password', { current: 'x', password: 'my new password' });
    expect(token.status).toBe(400);
    expect(token.body.error.message).toMatch(/Only a signed-in person has a password/);
  });
});

describe('a cookie request that changes something carries X-Scoremap-Request: 1', () => {
  it('is refused (403, in words) without it, and changes nothing; reads need no header; a bearer request needs none', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'editor');
    const cookie = await signIn(app, 'editor@acme.test');
    const bare = asPerson(app, cookie, { csrfHeader: false });
    const r = await bare('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'text' });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/must carry the header "X-Scoremap-Request: 1"/);
    expect((await send('GET', '/api/fields')).body.fields.some((f: { key: string }) => f.key === 'plan')).toBe(false);
    for (const method of ['PUT', 'PATCH', 'DELETE']) expect((await bare(method, '/api/maps/x', {})).status, method).toBe(403);
    expect((await bare('GET', '/api/fields')).status).toBe(200);
    const wrongValue = await app.request('/api/fields', { method: 'POST', headers: { cookie, 'x-scoremap-request': 'yes', 'content-type': 'application/json' }, body: JSON.stringify({ key: 'plan', label: 'Plan', type: 'text' }) });
    expect(wrongValue.status).toBe(403);
    expect((await asPerson(app, cookie)('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'text' })).status).toBe(201);
    // Signing out with the cookie needs it too (the session goes on without it).
    expect((await bare('DELETE', '/api/session')).status).toBe(403);
    expect((await bare('GET', '/api/me')).status).toBe(200);
    // The bearer wins over a cookie, and needs no header.
    const withBoth = await app.request('/api/fields', { method: 'POST', headers: { cookie, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ key: 'tier', label: 'Tier', type: 'text' }) });
    expect(withBoth.status).toBe(201);
  });
});

describe('the sign-in rate limit', () => {
  it('after 5 failures for an email within 15 minutes: 429 with Retry-After, in words, even with the right password; over after the window', async () => {
    const { app, send, clock } = await setup();
    await addPerson(send, 'viewer');
    const attempt = (password: string, email = 'viewer@acme.test') =>
      app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const start = clock.now();
    for (let i = 0; i < 5; i++) {
      clock.set(start + i * 60_000);
      expect((await attempt('wrong password!')).status).toBe(401);
    }
    const limited = await attempt(PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(15 * 60 - 4 * 60);
    expect((await limited.json()).error.message).toMatch(/^Too many failed sign-ins for this email: try again in 11 minutes/);
    expect(limited.headers.get('set-cookie')).toBeNull();
    // Other emails are not held back by it.
    expect((await attempt('wrong password!', 'someone@acme.test')).status).toBe(401);
    clock.set(start + 15 * 60_000);
    expect((await attempt(PASSWORD)).status).toBe(200);
  });
});

describe('behind a reverse proxy (--trust-proxy)', () => {
  /** 20 failed sign-ins (each for its own email, under the per-email limit) from `from`, then one more from `then`. */
  const twentyFailuresThen = async (trustProxy: boolean, from: string, then: string) => {
    const { app, send } = await setup({ trustProxy });
    await addPerson(send, 'viewer');
    const attempt = (email: string, forwardedFor: string) => app.request('/api/session', {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ email, password: 'wrong password!' }),
    });
    for (let i = 0; i < 20; i++) expect((await attempt(`nobody${i}@acme.test`, from)).status).toBe(401);
    return (await attempt('viewer@acme.test', then)).status;
  };

  it('limits sign-ins per client address as the proxy saw it (its last X-Forwarded-For value), not per proxy', async () => {
    // Twenty failures from one client hold that client back, whatever it wrote in front of the proxy's value…
    expect(await twentyFailuresThen(true, 'spoofed, 203.0.113.7', '203.0.113.7')).toBe(429);
    // …and nobody else behind the same proxy.
    expect(await twentyFailuresThen(true, 'spoofed, 203.0.113.7', '198.51.100.9')).toBe(401);
  });

  it('without --trust-proxy, the header is anyone\'s to write: it changes nothing', async () => {
    expect(await twentyFailuresThen(false, '203.0.113.7', '198.51.100.9')).toBe(429);
  });

  it('marks the cookie Secure when the proxy says the client came over https, only when trusted', async () => {
    for (const trustProxy of [true, false]) {
      const { app, send } = await setup({ trustProxy });
      await addPerson(send, 'admin');
      const r = await app.request('http://127.0.0.1/api/session', {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ email: 'admin@acme.test', password: PASSWORD }),
      });
      expect(r.status).toBe(200);
      if (trustProxy) expect(r.headers.get('set-cookie')).toMatch(/; Secure/);
      else expect(r.headers.get('set-cookie')).not.toMatch(/Secure/);
    }
  });
});

describe('the last admin', () => {
  it('cannot be removed or made another role (409 in words); once there is a second admin, can', async () => {
    const { app, send } = await setup();
    const first = await addPerson(send, 'admin', 'first@acme.test', 'First');
    for (const [method, path, body] of [['DELETE', `/api/people/${first}`], ['PATCH', `/api/people/${first}`, { role: 'editor' }]] as const) {
      const r = await send(method, path, body);
      expect(r.status, method).toBe(409);
      expect(r.body.error.message).toBe(`First is the last admin and cannot be ${method === 'DELETE' ? 'removed' : 'made editor'}: make someone else an admin first`);
    }
    expect((await send('GET', '/api/people')).body.people.map((p: { role: string }) => p.role)).toEqual(['admin']);
    const second = await addPerson(send, 'editor', 'second@acme.test', 'Second');
    expect((await send('PATCH', `/api/people/${second}`, { role: 'admin' })).status).toBe(200);
    const me = asPerson(app, await signIn(app, 'first@acme.test'));
    expect((await me('PATCH', `/api/people/${first}`, { role: 'viewer' })).body.role).toBe('viewer');
    // The role counts at once: the demoted admin's next request is a viewer's.
    expect((await me('GET', '/api/people')).status).toBe(403);
    expect((await send('DELETE', `/api/people/${second}`)).status).toBe(409);
  });

  it('the first person must be an admin', async () => {
    const { send } = await setup();
    const r = await send('POST', '/api/people', { email: 'a@acme.test', name: 'A', role: 'sales', password: PASSWORD });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/first person must be an admin/);
    expect((await send('GET', '/api/people')).body.people).toEqual([]);
  });
});

describe('people', () => {
  it('are added, changed and removed by an admin, each an audit entry naming who did it', async () => {
    const { app, send, store } = await setup();
    await addPerson(send, 'admin', 'ana@acme.test', 'Ana');
    const ana = asPerson(app, await signIn(app, 'ana@acme.test'));
    const made = await ana('POST', '/api/people', { email: 'Bo@Acme.test', name: 'Bo', role: 'sales', password: PASSWORD });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ id: made.body.id, email: 'bo@acme.test', name: 'Bo', role: 'sales' });
    const taken = await ana('POST', '/api/people', { email: 'bo@acme.TEST', name: 'Bo 2', role: 'sales', password: PASSWORD });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/Someone already signs in with bo@acme.test/);
    const bad = await ana('POST', '/api/people', { email: 'not an email', name: '', role: 'boss', password: 'x' });
    expect(bad.status).toBe(400);
    expect((await ana('PATCH', `/api/people/${made.body.id}`, { name: 'Bo Berg', role: 'editor' })).body).toMatchObject({ name: 'Bo Berg', role: 'editor' });
    expect((await ana('PATCH', `/api/people/${made.body.id}`, {})).status).toBe(400);
    expect((await ana('POST', `/api/people/${made.body.id}/password`, { password: 'another password' })).status).toBe(204);
    expect((await ana('DELETE', `/api/people/${made.body.id}`)).status).toBe(204);
    expect((await ana('DELETE', `/api/people/${made.body.id}`)).status).toBe(404);
    const entries = await store.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    expect(entries.map((e) => [e.actor_kind, e.actor_name, e.action, e.target_type, e.summary])).toEqual([
      ['token', 'the start-up token', 'person.add', 'person', 'Added Ana (ana@acme.test) as admin'],
      ['person', 'Ana', 'person.add', 'person', 'Added Bo (bo@acme.test) as sales'],
      ['person', 'Ana', 'person.change', 'person', 'Changed Bo Berg: name "Bo" → "Bo Berg", role sales → editor'],
      ['person', 'Ana', 'person.password', 'person', 'Reset the password of Bo Berg (0 sessions ended)'],
      ['person', 'Ana', 'person.remove', 'person', 'Removed Bo Berg (bo@acme.test, editor)'],
    ]);
    expect(entries.every((e) => e.target_id === made.body.id || e.action === 'person.add')).toBe(true);
    // Signing in is not audited; nor is a refused change.
    expect(entries.some((e) => e.action.startsWith('session'))).toBe(false);
  });
});

describe('the start-up token', () => {
  it('works with no people (needsFirstAdmin), makes the first admin, and works as before once people exist', async () => {
    const { send } = await setup();
    expect((await send('GET', '/api/me')).body).toEqual({ kind: 'token', role: 'admin', scope: 'admin', needsFirstAdmin: true });
    expect((await send('GET', '/api/maps')).status).toBe(200);
    await addPerson(send, 'admin');
    expect((await send('GET', '/api/me')).body).toEqual({ kind: 'token', role: 'admin', scope: 'admin', needsFirstAdmin: false });
    expect((await send('POST', '/api/fields', { key: 'plan', label: 'Plan', type: 'text' })).status).toBe(201);
    expect((await send('GET', '/api/people')).status).toBe(200);
  });
});
