import { z } from 'zod';
import { ApiRouter } from '../http/router.js';
import type { AppDeps } from '../http/deps.js';
import { authOf, SCOPES } from '../keys/scopes.js';
import { ROLES } from './roles.js';
import { countPeople } from './store.js';

const PersonView = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) });

const MeView = z.object({
  kind: z.enum(['person', 'token', 'key']),
  person: PersonView.optional(),
  role: z.enum(ROLES).nullable().meta({ description: 'The role the editor shows: the person\'s; `admin` for the start-up token and an admin key; null for other keys' }),
  scope: z.enum(SCOPES).optional().meta({ description: 'The key\'s scope (the token: `admin`); absent for a person' }),
  needsFirstAdmin: z.boolean().meta({ description: 'No person exists yet: the token holder is asked to create the first admin' }),
});

/** `/api/me`: who the request acts as (SPEC §12), for the editor to show and hide what that allows. */
export function meRouter(deps: AppDeps): ApiRouter {
  const db = () => deps.rt.store.db;
  return new ApiRouter('/api/me', 'People')
    .op({ method: 'get', path: '/', summary: 'Who you are: a person and their role, the start-up token, or a key', response: MeView }, async (c) => {
      const auth = authOf(c);
      const needsFirstAdmin = (await countPeople(db())) === 0;
      if (auth.kind === 'person' && auth.person) {
        const role = auth.role ?? 'viewer';
        return c.json({ kind: 'person', person: { ...auth.person, role }, role, needsFirstAdmin });
      }
      const role = auth.kind === 'token' || auth.scope === 'admin' ? 'admin' : null;
      return c.json({ kind: auth.kind, role, scope: auth.scope, needsFirstAdmin });
    });
}
