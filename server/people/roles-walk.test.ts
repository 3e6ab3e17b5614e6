/**
 * Roles on every route (SPEC §12), as the security test walks every route for keys: for each
 * operation of the OpenAPI document and each role, a real session of that role is refused with
 * 403 in words exactly when the role is below the operation's `x-role`, and never with 401 or 404.
 */
import { describe, expect, it } from 'vitest';
import { OPEN_ROUTES } from '../http/auth.js';
import { setup } from '../routes/testing.js';
import { ROLES, roleAllows, type Role } from './roles.js';
import { addPerson, asPerson, signIn } from './testing.js';

/** Values for the path parameters of the OpenAPI document. */
const PARAMS: Record<string, string> = { id: 'some-id', version: '1', jobId: 'some-job', name: 'score-cap' };

describe('every operation × every role, with real sessions', () => {
  it('refuses (403, in words) exactly the roles below the operation\'s, and lets the others through', async () => {
    const { app, send, call } = await setup({ logError: (e) => console.error(e) });
    const as = {} as Record<Role, ReturnType<typeof asPerson>>;
    for (const role of [...ROLES].reverse()) {
      await addPerson(send, role, `${role}@acme.test`, `${role} person`);
      as[role] = asPerson(app, await signIn(app, `${role}@acme.test`));
    }
    const doc = await (await call('/api/openapi.json')).json();
    const operations = Object.entries(doc.paths as Record<string, Record<string, { 'x-role': Role; description: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(), role: op['x-role'], description: op.description, path: path.replace(/\{(\w+)\}/g, (_, p: string) => PARAMS[p] ?? 'x'),
      })));
    expect(operations.length).toBeGreaterThan(80);
    const counts: Record<string, number> = {};
    for (const o of operations) {
      if (OPEN_ROUTES.some((r) => r.method === o.method && r.path === o.path)) continue;
      expect(ROLES, `${o.method} ${o.path}`).toContain(o.role);
      if (!o.path.startsWith('/api/')) {
        // Segment's intake (/v1/*) takes keys only: a session is no key there, whatever the role.
        for (const role of ROLES) expect((await as[role](o.method, o.path, {})).status, `${o.method} ${o.path} as ${role}`).toBe(401);
        continue;
      }
      counts[o.role] = (counts[o.role] ?? 0) + 1;
      for (const role of ROLES) {
        const what = `${o.method} ${o.path} (needs ${o.role}) as ${role}`;
        const r = await as[role](o.method, o.path, o.method === 'GET' || o.method === 'DELETE' ? undefined : {});
        if (roleAllows(role, o.role)) {
          expect([401, 403], `${what}: ${JSON.stringify(r.body)}`).not.toContain(r.status);
        } else {
          expect(r.status, what).toBe(403);
          expect(r.body.error.message, what).toBe(`You are signed in as ${role} person (role ${role}), and ${o.method} ${o.path} needs the ${o.role} role or above: ask an admin`);
        }
      }
    }
    // Each role guards something, and the admin-only list includes people and keys.
    for (const role of ROLES) expect(counts[role], role).toBeGreaterThan(0);
    const adminOnly = operations.filter((o) => o.role === 'admin').map((o) => `${o.method} ${o.path}`);
    for (const op of ['GET /api/people', 'POST /api/people', 'GET /api/keys', 'POST /api/keys']) expect(adminOnly).toContain(op);
    // Still only an admin: nothing a lower role was refused was done.
    expect((await send('GET', '/api/people')).body.people).toHaveLength(4);
    expect((await send('GET', '/api/keys')).body.keys).toEqual([]);
  }, 300_000);

  it('holds a person to their role on paths no operation has: 404 for an admin as for a key, and for the others', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'admin');
    await addPerson(send, 'viewer');
    for (const email of ['admin@acme.test', 'viewer@acme.test']) {
      const r = await asPerson(app, await signIn(app, email))('GET', '/api/nothing-here');
      expect(r.status, email).toBe(404);
      expect(r.body.error.message).toBe('No such endpoint: GET /api/nothing-here');
    }
  });

  it('serves the OpenAPI document to every role', async () => {
    const { app, send } = await setup();
    await addPerson(send, 'viewer');
    const r = await asPerson(app, await signIn(app, 'viewer@acme.test'))('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.paths['/api/people'].get['x-role']).toBe('admin');
  });
});
