import type { ColumnDataType, ColumnDefinitionBuilder, CompiledQuery, Compilable, Kysely, RawBuilder } from 'kysely';
import type { DB } from './schema.js';

/**
 * What differs between the databases Scoremap runs on. Everything else in `server/store/` is
 * Kysely that both run as written; each dialect's module (`sqlite.ts`, `postgres.ts`) implements
 * this once, and the store asks `dialectOf(db)` for it.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Whether several processes may share the database's work (claims, leases and job locks mean something). */
  readonly shared: boolean;

  /** An auto-numbered primary key, ids never reused: its column type and definition. */
  readonly autoId: { type: ColumnDataType; define: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder };

  /**
   * Locks contacts for the rest of the transaction, in id order (so two lockers never deadlock);
   * with `skipLocked`, contacts another transaction holds are skipped instead of waited for.
   * Answers the ids it holds. SQLite's one writer already holds everything: it answers `ids`.
   * With `later` (not with `skipLocked`), the locks are taken by the transaction's next statement
   * (see `defer`): nothing is answered, the caller reads what it locked next.
   */
  lockContacts(db: Kysely<DB>, ids: readonly string[], opts?: { skipLocked?: boolean; later?: boolean }): Promise<Set<string>>;

  /**
   * Who is due on a map at or before `upTo`, earliest first, at most `limit`: read from the due
   * index, and on a shared database claimed (the contact locked until the transaction ends, rows
   * another process holds skipped), so that no two processes take the same contact's work.
   */
  claimDuePositions(db: Kysely<DB>, mapId: string, upTo: number, limit: number): Promise<{ contactId: string; dueAt: number }[]>;

  /** The same for date timers (a map's `date_reached` triggers, or a scoring model's timed rules). */
  claimDueDateTimers(db: Kysely<DB>, mapId: string, upTo: number, limit: number): Promise<{ contactId: string; elementId: string; armedValue: number; dueAt: number }[]>;

  /**
   * Takes a job (a cron tick, a day's degradation) for the rest of the transaction if no other
   * process holds it: true when this transaction has it.
   */
  tryJobLock(db: Kysely<DB>, key: string): Promise<boolean>;

  /**
   * The world lock: every unit of engine work holds it shared for its transaction; a change to
   * the published maps, fields or scoring models holds it alone (`exclusively`), across processes.
   */
  shareWorld(db: Kysely<DB>): Promise<void>;
  /**
   * Sends a statement whose answer nobody waits for (a lock, a write, a read that only checks)
   * with the transaction's next statement, in one round trip: it still runs before that statement,
   * and its error fails that statement (and so the transaction). `check` hears its rows when they
   * come, and refuses them by throwing, which fails that statement too (never after a commit).
   * Outside a transaction it runs now. Absent where a statement costs no round trip (SQLite).
   */
  defer?(db: Kysely<DB>, query: CompiledQuery, check?: (rows: unknown[]) => void): Promise<void>;
  /**
   * Hears a statement text that will be sent again and again (built once, its shape fixed): the
   * dialect may keep it prepared on each connection, so the database parses and plans it once
   * (absent where preparing costs nothing to keep: SQLite's statements are cached in process).
   */
  keep?(text: string): void;
  /** Runs queries in one round trip, in order, answering each one's rows (absent: one at a time). */
  together?(db: Kysely<DB>, queries: readonly CompiledQuery[]): Promise<unknown[][]>;

  /** Runs `fn` while holding the world lock alone (other processes' work waits). */
  exclusively<T>(db: Kysely<DB>, fn: () => Promise<T>): Promise<T>;

  /**
   * Many rows of a hot statement in one statement, where a round trip per row would cost more than
   * the work (PostgreSQL over a socket; SQLite runs them per row on its in-process connection).
   * Rows are by column name; `update` answers, per row, whether a stored row matched its key.
   */
  readonly batch?: {
    insert(db: Kysely<DB>, table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
    update(db: Kysely<DB>, table: string, set: readonly string[], where: readonly string[], rows: readonly Record<string, unknown>[]): Promise<boolean[]>;
    /** The same update when nobody reads which rows matched: sent with the transaction's next statement (see `defer`). */
    updateLater(db: Kysely<DB>, table: string, set: readonly string[], where: readonly string[], rows: readonly Record<string, unknown>[]): Promise<void>;
  };

  /** Whether an error means "run the transaction again": a deadlock, a serialization failure or a unique key another process just took. */
  isRetryable(err: unknown): boolean;
  /** After rows were inserted with their own ids (a copy), lets new rows of `table` number on from the largest. */
  syncIds(db: Kysely<DB>, table: string, column: string): Promise<void>;

  /** Whether an error means the database cannot be reached now (down, restarting, out of connections): a moment later may work. */
  isUnavailable(err: unknown): boolean;
  /** Whether an error is a unique-key violation. */
  isUniqueViolation(err: unknown): boolean;

  /**
   * The clause that keeps a subquery from being folded into the query around it, so what it works
   * out is worked out once per row however often the outer query names it (SQLite flattens no
   * subquery with an OFFSET, PostgreSQL pulls none up).
   */
  readonly fence: RawBuilder<unknown>;
}

/**
 * Runs SQL straight on the connection of an open transaction, synchronously: the hot paths' way
 * around building, compiling and awaiting a query per row. Only a dialect whose driver runs
 * in-process offers one (SQLite, see `sqlite.ts`).
 */
export interface DirectConnection {
  /** Runs a statement; answers how many rows it changed. */
  run(sql: string, params: readonly unknown[]): number;
  /** Runs a query; answers its rows. */
  all(sql: string, params: readonly unknown[]): unknown[];
  /** Runs a query; answers its columns' names and its rows as arrays (about half the cost of an object per row when rows are wide). */
  table(sql: string, params: readonly unknown[]): Table;
}

/** A query's answer as columns and rows of values in their order. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Rows as objects (as Kysely answers them) made a table; an empty answer has no columns. */
export function tableOf(rows: readonly Record<string, unknown>[]): Table {
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  return { columns, rows: rows.map((r) => columns.map((c) => r[c])) };
}

/** Kysely instances (or transactions) whose connection may be used directly. */
const direct = new WeakMap<object, DirectConnection>();

/** Lets statements run directly on `db`'s connection (the store binds each transaction it opens). */
export function bindDirect(db: Kysely<DB>, conn: DirectConnection): void {
  direct.set(db, conn);
}

/** The direct connection, only while `db` is a transaction: then no other query can hold it. */
export function directOf(db: Kysely<DB>): DirectConnection | undefined {
  return db.isTransaction ? direct.get(db) : undefined;
}

/**
 * Whether statements on `db` run straight on its connection (a SQLite transaction): there a
 * statement per row costs less than building one multi-row statement with Kysely.
 */
export function runsDirect(db: Kysely<DB>): boolean {
  return directOf(db) !== undefined;
}

const dialects = new WeakMap<object, Dialect>();

/** Records which dialect a Kysely instance speaks (the store's open does, for it and its transactions). */
export function registerDialect(db: Kysely<DB>, dialect: Dialect): void {
  dialects.set(db.getExecutor().adapter, dialect);
}

/** The dialect of a Kysely instance or transaction opened by the store. */
export function dialectOf(db: Kysely<any>): Dialect {
  const d = knownDialectOf(db);
  if (!d) throw new Error('dialectOf: this Kysely instance was not opened by Store.open');
  return d;
}

/** The dialect of a Kysely instance, or undefined when the store did not open it. */
export function knownDialectOf(db: Kysely<any>): Dialect | undefined {
  return dialects.get(db.getExecutor().adapter);
}

/** The dialect's fence for a subquery of a statement on `db` (see `Dialect.fence`). */
export function fence(db: Kysely<any>): RawBuilder<unknown> {
  return dialectOf(db).fence;
}

/** A stable 64-bit key for an advisory lock, from a name (FNV-1a). */
export function lockKey(name: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const ch of Buffer.from(name, 'utf8')) {
    h ^= BigInt(ch);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h);
}

/** Runs a statement whose answer nobody reads: with the transaction's next one where the dialect can (see `Dialect.defer`), else now. */
export async function runLater(db: Kysely<any>, query: Compilable<unknown>): Promise<void> {
  const d = knownDialectOf(db);
  if (d?.defer) await d.defer(db, query.compile());
  else await db.executeQuery(query.compile());
}

/** Runs queries in one round trip where the dialect can (see `Dialect.together`), else one after the other; answers each one's rows. */
export async function together<T extends unknown[]>(db: Kysely<any>, queries: { [K in keyof T]: Compilable<T[K]> }): Promise<{ [K in keyof T]: T[K][] }> {
  const d = knownDialectOf(db);
  const compiled = (queries as readonly Compilable<unknown>[]).map((q) => q.compile());
  if (d?.together) return (await d.together(db, compiled)) as { [K in keyof T]: T[K][] };
  const conn = directOf(db);
  const out: unknown[][] = [];
  for (const q of compiled) out.push(conn ? conn.all(q.sql, q.parameters) : ((await db.executeQuery(q)).rows as unknown[]));
  return out as { [K in keyof T]: T[K][] };
}
