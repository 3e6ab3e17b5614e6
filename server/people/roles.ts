import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { RequestAuth } from '../keys/scopes.js';

/**
 * What a person may do (SPEC §12), each role everything the one before it may:
 * `viewer` reads; `sales` also works contacts (adjust, reset, qualify, own, merge, add to a map,
 * edit fields and tags) and reads reports; `editor` also changes maps, models, fields, templates,
 * contacts and intake settings, and simulates and backtests; `admin` also manages people, keys,
 * webhooks and settings.
 */
export const ROLES = ['viewer', 'sales', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Readonly<Record<Role, number>> = { viewer: 0, sales: 1, editor: 2, admin: 3 };

/** Whether a person of role `have` may use an operation that needs `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The role an operation needs when it names none: `viewer` to read (GET, HEAD), `editor` to change anything. */
export function defaultRole(method: string): Role {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? 'viewer' : 'editor';
}

/** What each role is for, in a sentence (the People page, the OpenAPI descriptions, 403s). */
export const ROLE_WORDS: Readonly<Record<Role, string>> = {
  viewer: 'reads maps, models, contacts and reports',
  sales: 'also works leads: adjusts and resets scores, accepts or rejects, assigns owners, merges, edits fields and tags, adds to maps',
  editor: 'also changes maps, scoring models, fields, templates and contacts, simulates and backtests',
  admin: 'also manages people, API keys, webhooks and settings',
};

/** Who may use an operation needing `role`, in a sentence (the OpenAPI document's descriptions). */
export function roleSentence(role: Role): string {
  switch (role) {
    case 'viewer': return 'People: any signed-in role.';
    case 'sales': return 'People: sales, editor or admin.';
    case 'editor': return 'People: editor or admin.';
    case 'admin': return 'People: admin only.';
  }
}

/**
 * Refuses (403, in words) a signed-in person whose role does not reach `need`. Keys and the
 * start-up token are held to their scope instead ({@link requireScope}); the token is the owner's.
 */
export function requireRole(c: Context, auth: RequestAuth, need: Role): void {
  if (auth.kind !== 'person' || roleAllows(auth.role ?? 'viewer', need)) return;
  const what = `${c.req.method.toUpperCase()} ${c.req.path}`;
  throw new HTTPException(403, {
    message: `You are signed in as ${auth.person?.name ?? 'someone'} (role ${auth.role ?? 'viewer'}), and ${what} needs the ${need} role or above: ask an admin`,
  });
}
