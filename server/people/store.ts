import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import { dialectOf } from '../store/dialect.js';
import { conflict } from '../errors.js';
import type { Role } from './roles.js';

type Db = Kysely<DB> | Transaction<DB>;
type Row = Selectable<DB['users']>;

/** A person as stored (never their password hash). Times are epoch ms. */
export interface Person {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What an email looks like, loosely: something, an @, something, no spaces (the rest is the mail server's to judge). */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

/** How an email is compared: trimmed and lower-cased (the `owner` field holds this form). */
export function normEmail(email: string): string {
  return email.trim().toLowerCase();
}

function fromRow(r: Pick<Row, 'id' | 'email' | 'name' | 'role' | 'created_at' | 'updated_at'>): Person {
  return { id: r.id, email: r.email, name: r.name, role: r.role as Role, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

const COLUMNS = ['id', 'email', 'name', 'role', 'created_at', 'updated_at'] as const;

/** How many people there are (none: the owner is asked for the first admin). */
export async function countPeople(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Everyone, by name. */
export async function listPeople(db: Db): Promise<Person[]> {
  return (await db.selectFrom('users').select(COLUMNS).orderBy('name').orderBy('email').execute()).map(fromRow);
}

/** One person by id, or null. */
export async function getPerson(db: Db, id: string): Promise<Person | null> {
  const r = await db.selectFrom('users').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

/** One person by email (any case), with the password hash to check, or null. */
export async function findByEmail(db: Db, email: string): Promise<(Person & { readonly passwordHash: string }) | null> {
  const r = await db.selectFrom('users').select([...COLUMNS, 'password_hash']).where('email_norm', '=', normEmail(email)).executeTakeFirst();
  return r ? { ...fromRow(r), passwordHash: r.password_hash } : null;
}

/** Adds a person; `passwordHash` is {@link hashPassword}'s. A taken email throws the database's unique violation. */
export async function insertPerson(db: Db, p: { id: string; email: string; name: string; role: Role; passwordHash: string; now: number }): Promise<Person> {
  const email = normEmail(p.email);
  await db.insertInto('users').values({
    id: p.id, email, email_norm: email, name: p.name.trim(), role: p.role, password_hash: p.passwordHash, created_at: p.now, updated_at: p.now,
  }).execute();
  return { id: p.id, email, name: p.name.trim(), role: p.role, createdAt: p.now, updatedAt: p.now };
}

/** Changes a person's name, email or role; answers the person as they are now, or null when there is no such person. */
export async function updatePerson(db: Db, id: string, change: { name?: string; email?: string; role?: Role }, now: number): Promise<Person | null> {
  const set: { name?: string; email?: string; email_norm?: string; role?: Role; updated_at: number } = { updated_at: now };
  if (change.name !== undefined) set.name = change.name.trim();
  if (change.email !== undefined) set.email = set.email_norm = normEmail(change.email);
  if (change.role !== undefined) set.role = change.role;
  await db.updateTable('users').set(set).where('id', '=', id).execute();
  return getPerson(db, id);
}

/** Replaces a person's password hash. */
export async function setPasswordHash(db: Db, id: string, passwordHash: string, now: number): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', id).execute();
}

/** Removes a person and their sessions. */
export async function deletePerson(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', id).execute();
  await db.deleteFrom('users').where('id', '=', id).execute();
}

/** The ids of the admins. */
export async function adminIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('users').select('id').where('role', '=', 'admin').execute()).map((r) => r.id);
}

/**
 * Refuses (409) a change that would leave no admin (`what` says the change: "removed", "made
 * editor"). Call it in the change's transaction: on PostgreSQL the admins' rows are locked until it
 * ends, so two such changes at once cannot both pass.
 */
export async function keepAnAdmin(db: Db, person: Person, what: string): Promise<void> {
  if (person.role !== 'admin') return;
  const admins = dialectOf(db).name === 'postgres'
    ? (await db.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id').forUpdate().execute()).map((r) => r.id)
    : await adminIds(db);
  if (admins.length === 1 && admins[0] === person.id) {
    throw conflict(`${person.name} is the last admin and cannot be ${what}: make someone else an admin first`);
  }
}

/** When each person last used a session (epoch ms), by person id; absent: never, or all their sessions ended. */
export async function lastSeen(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom('sessions').select(['user_id', (eb) => eb.fn.max('last_seen_at').as('at')]).groupBy('user_id').execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.at)]));
}
