import type { Context } from 'hono';
import type { CauseActor } from '../../engine/state.js';
import { authOf } from '../keys/scopes.js';

/**
 * Who a request acts as, for the audit log and for history rows of changes made by hand (SPEC
 * §12): the signed-in person, the API key (by its name) or the start-up token.
 */
export function actorOf(c: Context): CauseActor {
  const auth = authOf(c);
  if (auth.kind === 'person' && auth.person) return { kind: 'person', id: auth.person.id, name: auth.person.name };
  if (auth.kind === 'key') return { kind: 'key', id: auth.keyId ?? null, name: `API key "${auth.keyName ?? auth.keyId ?? '?'}"` };
  return { kind: 'token', id: null, name: 'the start-up token' };
}

/** The history cause of a change made by hand through a request: who, and the reason they gave. */
export function handCause(c: Context, reason?: string): { api: true; by: CauseActor; reason?: string } {
  const by = actorOf(c);
  return reason ? { api: true, by, reason } : { api: true, by };
}
