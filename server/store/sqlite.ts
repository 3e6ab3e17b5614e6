/**
 * The only module with SQLite-specific SQL: opening the file, its pragmas, the Kysely dialect and
 * SQLite's answers to the store's {@link Dialect} questions. Everything else in `server/store/` is
 * Kysely that PostgreSQL runs as well (its own module: `postgres.ts`).
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { DatabaseConnection, Driver, LogConfig, LogEvent, SqliteDialectConfig } from 'kysely';
import type { Dialect } from './dialect.js';
import { Checkpointer, WRITER_CHECKPOINT_PAGES } from './checkpointer.js';
import { registerDialect } from './dialect.js';
import type { DirectConnection } from './dialect.js';
import * as positions from './positions-store.js';
import * as timers from './timers-store.js';
import type { DB } from './schema.js';

/** Options for {@link openSqlite}. */
export interface SqliteOptions {
  /** fsync on every commit (`synchronous = FULL`); default `NORMAL`, which WAL keeps crash-safe but may lose the last commits on power loss. */
  durable?: boolean;
  /** Kysely's query log (a list of levels or a function), for debugging and tests. */
  log?: LogConfig;
  /** Checkpoint the log from a thread of its own (`Checkpointer`); default on for a file. */
  checkpointer?: boolean;
}

/**
 * Opens (creating if needed) a SQLite database at `path` (a file path or `':memory:'`) as a Kysely
 * instance, with the direct connection its transactions' hot statements may use.
 */
export function openSqlite(path: string, opts: SqliteOptions = {}): { db: Kysely<DB>; direct: DirectConnection; checkpointer?: Checkpointer } {
  const inMemory = path === ':memory:' || path === '';
  // Contacts are personal data: a folder and a database Scoremap creates are its owner's alone
  // (SQLite gives the -wal and -shm files the database file's mode).
  const fresh = !inMemory && !existsSync(path);
  if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sqlite = new Database(path);
  if (fresh) chmodSync(path, 0o600);
  try {
    applyPragmas(sqlite, { durable: opts.durable, inMemory });
    // SQLite's lower() folds ASCII only: "É" would not match "é" in a contacts filter while the
    // engine's conditions (JavaScript's toLowerCase) match it. PostgreSQL's lower() is Unicode already.
    sqlite.function('lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v) as string);
  } catch (err) {
    sqlite.close();
    throw err;
  }
  let checkpointer: Checkpointer | undefined;
  if (!inMemory && opts.checkpointer !== false) {
    checkpointer = new Checkpointer(path, { durable: opts.durable });
    sqlite.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  }
  const cached = withStatementCache(sqlite);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: cached }, checkpointer), ...(opts.log ? { log: opts.log } : {}) });
  registerDialect(db, sqliteDialect);
  const direct: DirectConnection = {
    run: (text, params) => cached.prepare(text).run(params as unknown[]).changes,
    all: (text, params) => cached.prepare(text).all(params as unknown[]),
    table: (text, params) => {
      // The statement is shared with Kysely's driver (the cache): it answers objects again after.
      const stmt = cached.prepare(text);
      stmt.raw(true);
      try {
        return { columns: stmt.columns().map((c) => c.name), rows: stmt.all(params as unknown[]) as unknown[][] };
      } finally {
        stmt.raw(false);
      }
    },
  };
  return { db, direct: typeof opts.log === 'function' ? loggedDirect(direct, opts.log) : direct, checkpointer };
}

/**
 * Kysely's SQLite dialect, with transactions that take the write lock when they begin (`BEGIN
 * IMMEDIATE`, waiting up to the busy timeout for it). A plain `BEGIN` reads first and asks for the
 * lock at its first write: if another process (`scoremap prune` or `import` next to the server)
 * committed in between, SQLite fails that transaction at once with SQLITE_BUSY(_SNAPSHOT), which
 * no busy timeout can wait out.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #checkpointer: Checkpointer | undefined;
  constructor(config: SqliteDialectConfig, checkpointer?: Checkpointer) {
    super(config);
    this.#config = config;
    this.#checkpointer = checkpointer;
  }
  override createDriver(): Driver {
    const checkpointer = this.#checkpointer;
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection): Promise<void> {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
      // The checkpointer's connection closes first: the writer's close, the last, then checkpoints
      // what is left and removes the log.
      override async destroy(): Promise<void> {
        await checkpointer?.stop();
        await super.destroy();
      }
    })(this.#config);
  }
}

/** Reports each direct statement to Kysely's log function, as Kysely reports its own queries. */
function loggedDirect(direct: DirectConnection, log: (event: LogEvent) => void): DirectConnection {
  const timed = <T>(text: string, params: readonly unknown[], f: () => T): T => {
    const start = performance.now();
    const result = f();
    log({ level: 'query', query: CompiledQuery.raw(text, params as unknown[]), queryDurationMillis: performance.now() - start });
    return result;
  };
  return {
    run: (text, params) => timed(text, params, () => direct.run(text, params)),
    all: (text, params) => timed(text, params, () => direct.all(text, params)),
    table: (text, params) => timed(text, params, () => direct.table(text, params)),
  };
}

/** The page cache, KiB: the default 2 MiB makes a large database re-read the same pages from the OS. */
export const CACHE_KIB = 65_536;

/**
 * The connection settings of every Scoremap database (the benchmarks' raw baselines use them too,
 * so a ratio compares code, not settings).
 */
export function applyPragmas(sqlite: Database.Database, opts: { durable?: boolean; inMemory?: boolean } = {}): void {
  // A new database hands pages freed by `scoremap prune` back in small steps, never by a full
  // VACUUM that would hold the lock (no effect on a database that already has tables).
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  // WAL lets readers run while a writer commits; in-memory databases stay in 'memory' mode.
  if (!opts.inMemory) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.durable ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  // Another process (the CLI next to a running server) may hold the write lock for a moment.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma(`cache_size = -${CACHE_KIB}`);
}

/** How many distinct statements stay prepared; the hot paths use a few dozen. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs as much as running a small
 * statement. The same SQL text reuses its prepared statement (least recently used ones are dropped).
 * Safe because Kysely runs one query at a time on the connection and never streams here.
 */
function withStatementCache(db: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql); // re-insert: Map order is our recency order
    } else {
      stmt = db.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * SQLite has one writer at a time: a transaction (BEGIN IMMEDIATE) holds the whole database, so
 * claims, contact locks and job locks are already held; nothing is shared with another process's
 * work (a CLI next to the server waits its turn).
 */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  shared: false,
  autoId: { type: 'integer', define: (col) => col.primaryKey().autoIncrement() },
  // SQLite rounds a double half away from zero.
  lockContacts: async (_db, ids) => new Set(ids),
  claimDuePositions: (db, mapId, upTo, limit) => positions.dueContacts(db, mapId, upTo, limit),
  claimDueDateTimers: (db, mapId, upTo, limit) => timers.dueDateTimers(db, mapId, upTo, limit),
  tryJobLock: async () => true,
  shareWorld: async () => undefined,
  exclusively: (_db, fn) => fn(),
  // An explicit id above the largest moves an autoincrement column's counter on by itself.
  syncIds: async () => undefined,
  isRetryable: () => false,
  // The write lock stayed taken past the busy timeout (a long full VACUUM next to the server).
  isUnavailable: (err) => /^SQLITE_BUSY/.test((err as { code?: string })?.code ?? ''),
  isUniqueViolation: (err) => /UNIQUE constraint failed/.test((err as Error)?.message ?? ''),
  fence: sql`limit -1 offset 0`,
};
