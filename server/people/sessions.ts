import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { Role } from './roles.js';

type Db = Kysely<DB> | Transaction<DB>;

/** The cookie that carries a session's secret. */
export const SESSION_COOKIE = 'scoremap_session';
/** A session ends this long after its last use… */
export const IDLE_MS = 12 * 60 * 60 * 1000;
/** …and this long after sign-in at most. */
export const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** A session's last use is written at most this often (no write per request). */
export const SEEN_EVERY_MS = 60_000;

/**
 * The stored form of a session's secret: SHA-256, unsalted. The secret is 256 random bits, so
 * there is nothing to guess, and a copy of the database holds no cookie that works.
 */
export function sessionIdOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Starts a session for a person: answers the secret for the cookie (kept only as its hash). */
export async function startSession(db: Db, userId: string, now: number): Promise<{ secret: string; id: string; expiresAt: number }> {
  const secret = randomBytes(32).toString('base64url');
  const id = sessionIdOf(secret);
  await db.insertInto('sessions').values({ id_hash: id, user_id: userId, created_at: now, expires_at: now + MAX_AGE_MS, last_seen_at: now }).execute();
  return { secret, id, expiresAt: now + MAX_AGE_MS };
}

/** A live session: who it belongs to, as the database holds them now (a changed role counts at once). */
export interface LiveSession {
  readonly id: string;
  readonly person: { readonly id: string; readonly email: string; readonly name: string };
  readonly role: Role;
}

/**
 * The session a cookie's secret opens, or why not: `unknown` (never was, signed out, or its person
 * removed) or `ended` (idle or too old: the row is deleted). Writes the last use when it is older
 * than {@link SEEN_EVERY_MS}.
 */
export async function resolveSession(db: Db, secret: string, now: number): Promise<LiveSession | 'unknown' | 'ended'> {
  const id = sessionIdOf(secret);
  const row = await db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.expires_at', 'sessions.last_seen_at', 'users.id', 'users.email', 'users.name', 'users.role'])
    .where('sessions.id_hash', '=', id).executeTakeFirst();
  if (!row) return 'unknown';
  const seen = Number(row.last_seen_at);
  if (now >= Number(row.expires_at) || now - seen >= IDLE_MS) {
    await db.deleteFrom('sessions').where('id_hash', '=', id).execute();
    return 'ended';
  }
  if (now - seen >= SEEN_EVERY_MS) await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', id).execute();
  return { id, person: { id: row.id, email: row.email, name: row.name }, role: row.role as Role };
}

/** Ends one session (signing out). */
export async function endSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', id).execute();
}

/** Ends every session of a person (removed, or their password reset), but `keep` (the one changing their own password). */
export async function endSessionsOf(db: Db, userId: string, keep?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keep) q = q.where('id_hash', '!=', keep);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Deletes the sessions that have ended (idle or too old), so the table holds only live ones. */
export async function pruneSessions(db: Db, now: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - IDLE_MS)])).executeTakeFirst();
  return Number(r.numDeletedRows);
}
