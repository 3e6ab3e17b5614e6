import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { Scope } from './scopes.js';

type Db = Kysely<DB> | Transaction<DB>;
type Row = Selectable<DB['api_keys']>;

/** An API key as stored and listed: never its secret. Times are epoch ms. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly scope: Scope;
  /** The secret's first characters, to tell keys apart in a list. */
  readonly prefix: string;
  /** Web origins allowed to use an ingest key from a browser (empty: none). */
  readonly origins: readonly string[];
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

/** What every secret starts with, so a key is recognisable in a config file or a leak scanner. */
export const SECRET_PREFIX = 'sm_';
/** How many characters of the secret a list shows: `sm_` and 8 more (48 of its 256 random bits). */
const SHOWN = SECRET_PREFIX.length + 8;

/**
 * The stored form of a secret. SHA-256 and no salt: a secret is 256 random bits, so there is nothing
 * to guess and nothing a slow hash would protect, and an unsalted digest can be looked up by index.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new secret: `sm_` and 32 random bytes in base64url (43 characters). */
export function newSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function fromRow(r: Row): ApiKey {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope as Scope,
    prefix: r.prefix,
    origins: r.origins_json ? (JSON.parse(r.origins_json) as string[]) : [],
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  };
}

/** Makes a key; the secret is returned here only, and kept as its hash. */
export async function createKey(
  db: Db,
  key: { id: string; name: string; scope: Scope; origins: readonly string[]; now: number },
): Promise<{ key: ApiKey; secret: string }> {
  const secret = newSecret();
  const row: Row = {
    id: key.id,
    name: key.name,
    scope: key.scope,
    prefix: secret.slice(0, SHOWN),
    hash: hashSecret(secret),
    origins_json: key.origins.length ? JSON.stringify(key.origins) : null,
    created_at: key.now,
    last_used_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { key: fromRow(row), secret };
}

/** The key whose secret this is, or null (unknown or revoked): one lookup in the hash's unique index. */
export async function findKeyBySecret(db: Db, secret: string): Promise<ApiKey | null> {
  const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hashSecret(secret)).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** Every key, oldest first. */
export async function listKeys(db: Db): Promise<ApiKey[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(fromRow);
}

export async function getKey(db: Db, id: string): Promise<ApiKey | null> {
  const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** Renames a key or replaces its origins; null when there is no such key. */
export async function updateKey(db: Db, id: string, change: { name?: string; origins?: readonly string[] }): Promise<ApiKey | null> {
  const set: Partial<Row> = {};
  if (change.name !== undefined) set.name = change.name;
  if (change.origins !== undefined) set.origins_json = change.origins.length ? JSON.stringify(change.origins) : null;
  if (Object.keys(set).length) await db.updateTable('api_keys').set(set).where('id', '=', id).execute();
  return getKey(db, id);
}

/** Revokes a key: its row goes, so the next lookup of its secret finds nothing. False when there was none. */
export async function deleteKey(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Records a use; never moves the time back (another process may have written a later one). */
export async function touchKey(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
    .execute();
}

/** Whether some ingest key lists this web origin (a CORS preflight carries no key, so any may vouch for it). */
export async function originListed(db: Db, origin: string): Promise<boolean> {
  // Ingest keys are few and origins short: reading them beats a table of origins to keep in step.
  const rows = await db.selectFrom('api_keys').select('origins_json').where('scope', '=', 'ingest').where('origins_json', 'is not', null).execute();
  return rows.some((r) => (JSON.parse(r.origins_json!) as string[]).includes(origin));
}
