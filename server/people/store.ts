import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
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
