import { createContext, createElement, useContext, type ReactNode } from 'react';

/**
 * Who the editor acts as (SPEC §12), as `GET /api/me` answers: a signed-in person, the start-up
 * token (the owner's, an admin) or an API key pasted as a token.
 */

/** The roles, least first: each may do what the ones before it may (the server's `ROLES`). */
export const ROLES = ['viewer', 'sales', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A signed-in person. */
export interface MePerson {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

/** The answer of `GET /api/me`. */
export interface Me {
  readonly kind: 'person' | 'token' | 'key';
  readonly person?: MePerson;
  /** What the editor may show: the person's role, `admin` for the token and an admin key, null for other keys. */
  readonly role: Role | null;
  /** The key's scope (the token: `admin`); absent for a person. */
  readonly scope?: 'admin' | 'ingest' | 'read';
  /** No person exists yet: the token holder is asked to create the first admin. */
  readonly needsFirstAdmin: boolean;
}

/** What a role may do, in a sentence (the People page). Kept in step with the server's `ROLE_WORDS`. */
export const ROLE_WORDS: Readonly<Record<Role, string>> = {
  viewer: 'reads maps, models, contacts and reports',
  sales: 'also works leads: adjusts and resets scores, accepts or rejects, assigns owners, merges, edits fields and tags, adds to maps',
  editor: 'also changes maps, scoring models, fields, templates and contacts, simulates and backtests',
  admin: 'also manages people, API keys, webhooks and settings',
};

/**
 * Whether `me` may use what needs `role` (the role of the API route behind a button, as the
 * OpenAPI document's `x-role` says). The editor only hides what would be refused: the server
 * decides. Without a provider (`me` null: a component rendered alone) everything is shown.
 * A non-admin key (`role` null) may only read.
 */
export function can(me: Me | null, role: Role): boolean {
  if (!me) return true;
  const have = me.role ?? (me.scope === 'read' ? 'viewer' : null);
  if (!have) return false;
  return ROLES.indexOf(have) >= ROLES.indexOf(role);
}

const MeContext = createContext<Me | null>(null);

/** Gives `me` (loaded once by App from `GET /api/me`) to every page below it. */
export function MeProvider({ me, children }: { me: Me; children?: ReactNode }) {
  return createElement(MeContext.Provider, { value: me }, children);
}

/** Who the editor acts as; null outside a {@link MeProvider}. */
export function useMe(): Me | null {
  return useContext(MeContext);
}

/** The name to show for who the editor acts as: the person's name, "Owner (token)" or "API key". */
export function meLabel(me: Me): string {
  if (me.person) return me.person.name;
  return me.kind === 'token' ? 'Owner (start-up token)' : 'API key';
}
